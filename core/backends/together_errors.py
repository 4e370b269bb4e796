"""Turn the together SDK's exceptions into CoreError with a one-line hint, as error_map does
for OpenAI. The SDK has already retried 429s, 5xx and connection failures by then."""

from __future__ import annotations

import re
from collections.abc import Iterable

import together
from together.lib.types.error import FileTypeError

from ftui.core.error_map import could_not_connect, redact, timed_out
from ftui.core.errors import CoreError

KEY_ENV = "TOGETHER_API_KEY"
# The check report the SDK puts in FileTypeError is a pformat'ed dict; its "message" says why.
_REPORT_MESSAGE = re.compile(r"'message':\s*(['\"])(.*?)\1", re.S)


def _body_message(exc: together.APIError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error")
        inner = error if isinstance(error, dict) else body
        for name in ("message", "detail", "title"):
            text = inner.get(name)
            if isinstance(text, str) and text:
                return text
    elif isinstance(body, str) and body.strip() and len(body) < 300:
        return body.strip()
    if isinstance(exc, together.APIStatusError):
        return f"HTTP {exc.status_code} from the server"
    return exc.message


def _code(exc: together.APIStatusError) -> str | None:
    body = exc.body
    inner = body.get("error") if isinstance(body, dict) else None
    code = inner.get("code") if isinstance(inner, dict) else None
    return code if isinstance(code, str) else None


def _hint(status: int, *, key_source: str | None, operation: str | None) -> tuple[str, bool]:
    if status == 401:
        return f"the API key is wrong or missing: check {key_source or KEY_ENV}", False
    if status == 402:
        return "the account has no credit left for this: check billing at api.together.ai", False
    if status == 403:
        return "the key has no permission for this (check its project and plan)", False
    if status == 404:
        if operation in ("delete_model", "retrieve_model"):
            return "no such fine-tuned model (check the name, or its job was deleted)", False
        return "not found: it may have been deleted, or belongs to another project", False
    if status == 409:
        return "conflict with the current state (e.g. the job already finished); refresh and retry", False
    if status == 429:
        return "rate limited (already retried): wait a little and try again", True
    if status in (400, 422):
        return "Together rejected the request; check the values sent", False
    if status >= 500:
        return "server error (already retried): try again later", True
    return "", False


def to_core_error(exc: BaseException, *, key_source: str | None = None,
                  operation: str | None = None, secrets: Iterable[str | None] = ()) -> CoreError:
    """Map any exception raised while talking to Together to a CoreError."""
    secrets = list(secrets)
    if isinstance(exc, CoreError):
        return exc
    if isinstance(exc, together.APITimeoutError):
        return timed_out()
    if isinstance(exc, together.APIConnectionError):
        return could_not_connect(exc, "TOGETHER_BASE_URL")
    if isinstance(exc, together.APIStatusError):
        status = exc.status_code
        hint, retryable = _hint(status, key_source=key_source, operation=operation)
        return CoreError(redact(_body_message(exc), secrets), status=status, code=_code(exc),
                         request_id=exc.response.headers.get("x-request-id"), hint=hint,
                         retryable=retryable)
    if isinstance(exc, together.APIResponseValidationError):
        return CoreError("The server's answer did not have the expected shape",
                         status=exc.status_code, hint="the base URL may not be Together's API")
    if isinstance(exc, FileTypeError):  # the SDK's local file check, before any upload
        found = _REPORT_MESSAGE.search(str(exc))
        why = found.group(2) if found else str(exc).splitlines()[0]
        return CoreError(f"Together's file check failed: {why}", kind="input",
                         hint="fix the file (Data screen) and upload again")
    if isinstance(exc, ValueError):  # the SDK checks arguments (bounds, combinations) itself
        return CoreError(redact(str(exc), secrets), kind="input",
                         hint="change the value and launch again")
    if isinstance(exc, together.TogetherError):
        return CoreError(redact(str(exc), secrets), kind="input", hint="check the profile settings")
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return CoreError(f"{exc.strerror or exc}{where}", kind="io")
    return CoreError(redact(f"{type(exc).__name__}: {exc}", secrets), kind="api")
