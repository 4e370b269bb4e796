"""Together SDK exceptions -> CoreError: status, code, hint, retryable, no key in the text."""

from __future__ import annotations

import httpx
import pytest
import together

from ftui.core.backends.together_errors import to_core_error

REQUEST = httpx.Request("GET", "https://api.together.ai/v1/fine-tunes")


def status_error(status: int, body: dict) -> together.APIStatusError:
    response = httpx.Response(status, json=body, request=REQUEST, headers={"x-request-id": "req-1"})
    return together.APIStatusError("failed", response=response, body=body)


@pytest.mark.parametrize(("status", "words", "retryable"), [
    (401, "TOGETHER_API_KEY", False), (402, "credit", False), (404, "not found", False),
    (429, "rate limited", True), (503, "server error", True), (400, "rejected", False)])
def test_status_hints(status, words, retryable):
    err = to_core_error(status_error(status, {"error": {"message": "nope", "type": "x", "code": "c1"}}))
    assert err.status == status and words in err.hint and err.retryable is retryable
    assert err.message == "nope" and err.code == "c1" and err.request_id == "req-1"


def test_secrets_are_redacted_and_local_failures_are_input_errors():
    key = "tgp_v1_supersecretvalue"
    err = to_core_error(status_error(401, {"error": {"message": f"bad key {key}", "type": "auth"}}),
                        secrets=[key])
    assert key not in err.summary()
    assert to_core_error(ValueError("Warmup ratio should be between 0 and 1")).kind == "input"
    assert to_core_error(together.APIConnectionError(request=REQUEST)).kind == "connection"
    assert to_core_error(together.APITimeoutError(request=REQUEST)).kind == "timeout"
