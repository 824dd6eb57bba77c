"""The problem document (RFC 9457) every error answers with, as one OpenAPI component."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ProblemIssue(BaseModel):
    """One field's issue: `lines[0].debit`, what is wrong with it, and a machine code."""

    field: str
    message: str
    code: str


class Problem(BaseModel):
    """What `api/problems.py` writes for every error (media type application/problem+json).
    Members beyond these may follow (the readiness probe adds `failed` and `checks`)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["https://vextrus.dev/problems/validation_failed"])
    title: str = Field(examples=["Unprocessable Content"])
    status: int = Field(ge=400, le=599)
    detail: str
    code: str = Field(examples=["validation_failed"])
    instance: str = Field(examples=["/api/v1/journals"])
    correlation_id: str | None = Field(default=None, description="Also the X-Correlation-ID")
    errors: list[ProblemIssue] | None = Field(
        default=None, description="Each field's issue; absent when the problem names no field"
    )
