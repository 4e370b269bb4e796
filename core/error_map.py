"""Turn the OpenAI SDK's exceptions into CoreError with a one-line hint a person can act on.

The SDK already retried what is worth retrying (429, 5xx, connection failures) before we
see the exception, so hints say "retried" rather than suggesting the user hammer the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import openai

from ftui.core.catalog import ANNOUNCED_SHUTDOWN_DATE, LAST_JOB_CREATION_DATE
from ftui.core.errors import CoreError

# Anything shaped like an OpenAI key (OpenAI's own 401 text echoes part of the key).
_KEY_PATTERN = re.compile(r"\b(?:sk|sess|rk)-[A-Za-z0-9_*\-]{6,}")


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Remove known secrets and anything that looks like an API key from `text`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _KEY_PATTERN.sub("[redacted key]", text)


def _body_message(exc: openai.APIError) -> str:
    body = exc.body
    if isinstance(body, dict):
        # OpenAI's {"error": {"message"}}; RFC 7807 problem details from compatible servers
        for field in ("message", "detail", "title"):
            message = body.get(field)
            if isinstance(message, str) and message:
                return message
    elif isinstance(body, str) and body.strip() and len(body) < 300:
        return body.strip()
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code} from the server"
    return exc.message


def _status_hint(status: int, code: str | None, *, key_source: str | None,
                 operation: str | None) -> tuple[str, bool]:
    """(hint, retryable) for an HTTP error status."""
    if status == 401:
        where = key_source or "OPENAI_API_KEY or the profile's api_key/api_key_env"
        return f"the API key is wrong or missing: check {where}", False
    if status == 403:
        if operation == "create_job":
            return ("this organisation may no longer create fine-tuning jobs: OpenAI is winding down "
                    f"self-serve fine-tuning (no new jobs after {LAST_JOB_CREATION_DATE}); you can still "
                    f"use existing fine-tuned models until {ANNOUNCED_SHUTDOWN_DATE}, download job results, "
                    "or use the sandbox or another provider"), False
        return "the key has no permission for this (check its project, organisation and role)", False
    if status == 404:
        if code == "model_not_found":
            return "no such model for this key (check the name, or it was deleted or shut down)", False
        return "not found: it may have been deleted, or belongs to another project", False
    if status == 409:
        return "conflict with the current state (e.g. the job already finished); refresh and retry", False
    if status == 429:
        if code == "insufficient_quota":
            return "quota exhausted: check the plan and billing details of this account", False
        return "rate limited (already retried): wait a little and try again", True
    if status in (400, 422):
        return "the server rejected the request; check the values sent", False
    if status >= 500:
        return "server error (already retried): try again later", True
    return "", False



def timed_out() -> CoreError:
    """A request that timed out, from any SDK (both retry with backoff before this)."""
    return CoreError("The request timed out", kind="timeout", retryable=True,
                     hint="check the network and the base URL, then try again")


def could_not_connect(exc: Exception, base_url_env: str) -> CoreError:
    """A connection that failed, naming the host when the SDK's exception carries its request."""
    url = ""
    request: Any = getattr(exc, "request", None)
    try:
        url = f" to {request.url.scheme}://{request.url.netloc.decode()}"
    except Exception:  # the request may be missing; the URL is only a nicety
        pass
    return CoreError(f"Could not connect{url}", kind="connection", retryable=True,
                     hint=f"check the network and the base URL ({base_url_env} or the profile)")

def to_core_error(exc: BaseException, *, key_source: str | None = None,
                  operation: str | None = None, secrets: Iterable[str | None] = ()) -> CoreError:
    """Map any exception raised while talking to a provider to a CoreError.

    `key_source` names where the key came from (for 401), `operation` the Provider method
    (403 on "create_job" means fine-tuning is closed), `secrets` values never to show.
    """
    secrets = list(secrets)
    if isinstance(exc, CoreError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return timed_out()
    if isinstance(exc, openai.APIConnectionError):
        return could_not_connect(exc, "OPENAI_BASE_URL")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        code = exc.code or (exc.type if status == 429 else None)
        hint, retryable = _status_hint(status, code, key_source=key_source, operation=operation)
        return CoreError(redact(_body_message(exc), secrets), status=status, code=code,
                         request_id=exc.request_id, hint=hint, retryable=retryable)
    if isinstance(exc, openai.APIResponseValidationError):
        return CoreError("The server's answer did not have the expected shape", status=exc.status_code,
                         hint="the endpoint may not be OpenAI-compatible")
    if isinstance(exc, openai.OpenAIError):
        return CoreError(redact(str(exc), secrets), kind="input",
                         hint="check the profile settings")
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return CoreError(f"{exc.strerror or exc}{where}", kind="io")
    return CoreError(redact(f"{type(exc).__name__}: {exc}", secrets), kind="api")
