"""Free-text fields of commands: trimmed, empty as absent, length-checked."""

from __future__ import annotations

from vextrus_finance.domain.errors import FieldIssue


def checked_text(
    value: str | None,
    maximum: int,
    field: str,
    issues: list[FieldIssue],
    *,
    required: bool = False,
) -> str | None:
    """The trimmed text, or None when absent or blank; each problem is added to `issues` naming
    `field` so that one answer can report every field at once."""
    value = value.strip() if value is not None else None
    if not value:
        if required:
            issues.append(FieldIssue(field, "must not be empty", "required"))
        return None
    if len(value) > maximum:
        issues.append(FieldIssue(field, f"must be at most {maximum} characters", "too_long"))
    return value
