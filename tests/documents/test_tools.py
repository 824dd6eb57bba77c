"""Browser and PDF tools: missing ones skip locally but fail in CI, where they must exist."""

from __future__ import annotations

import pytest

from tests.documents.factory import require_binary


def test_a_missing_tool_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-such-tool-4711 is not installed"):
        require_binary("no-such-tool-4711")


def test_a_missing_tool_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-such-tool-4711 is not installed"):
        require_binary("no-such-tool-4711")


def test_a_present_tool_is_found() -> None:
    assert require_binary("sh").endswith("/sh")
