"""The one error hierarchy of the service. The API maps each class to an HTTP status once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldIssue:
    """One problem with one input field; `field` is a JSON path such as `lines[2].debit`."""

    field: str
    message: str
    code: str = "invalid"


class DomainError(Exception):
    """Base of every expected failure. `code` is stable and machine-readable."""

    code = "domain_error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        issues: tuple[FieldIssue, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if field is not None and not issues:
            issues = (FieldIssue(field, message, self.code),)
        self.issues = issues

    @property
    def field(self) -> str | None:
        return self.issues[0].field if self.issues else None


class InvalidInput(DomainError):
    """The request is well-formed but breaks a rule (HTTP 422)."""

    code = "invalid_input"

    @classmethod
    def from_issues(
        cls, issues: list[FieldIssue] | tuple[FieldIssue, ...], *, code: str | None = None
    ) -> InvalidInput:
        """One error for every issue found, headed by the first (whose code it takes by default)."""
        first = issues[0]
        return cls(first.message, code=code or first.code, issues=tuple(issues))


class NotFound(DomainError):
    """The thing does not exist for this tenant (HTTP 404)."""

    code = "not_found"


class InvalidState(DomainError):
    """The command is not allowed in the aggregate's current state (HTTP 409)."""

    code = "invalid_state"


class AlreadyExists(DomainError):
    """A uniqueness rule would be broken (HTTP 409)."""

    code = "already_exists"


class ConcurrencyConflict(DomainError):
    """Another writer changed the stream first and retries were exhausted (HTTP 409)."""

    code = "concurrency_conflict"


class PreconditionFailed(DomainError):
    """The client's If-Match version is not the current version (HTTP 412)."""

    code = "precondition_failed"


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key was sent with a different request (HTTP 422)."""

    code = "idempotency_key_reused"


class ServiceUnavailable(DomainError):
    """The database kept failing after every retry, or cannot be reached (HTTP 503, with
    Retry-After: nothing was applied, the request may be sent again)."""

    code = "service_unavailable"
    retry_after_s = 2
