"""Error statuses a route declares in the OpenAPI document: each answers a problem document."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from vextrus_finance.api.problems import MEDIA_TYPE


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "description": f"{HTTPStatus(status).phrase} (RFC 9457 problem document)",
            "content": {MEDIA_TYPE: {"schema": {"type": "object"}}},
        }
        for status in statuses
    }
