"""From resolved Settings to a Provider, and what to tell a user who has no key yet."""

from __future__ import annotations

from typing import Any, TypedDict
from urllib.parse import urlsplit

from ftui.core.config_location import missing_key_message
from ftui.core.errors import CoreError
from ftui.core.provider import Provider
from ftui.core.settings import SANDBOX_KEY, Settings

SANDBOX_LABEL = "SANDBOX - simulated training"
LOCAL_LABEL = "LOCAL - real training on {where}"
TOGETHER_MODULE = "ftui.core.backends.together_backend"


class _ClientOptions(TypedDict):
    """What every SDK client gets from the profile, whichever service it talks to."""

    timeout: float
    max_retries: int
    http_client: Any  # openai.DefaultAsyncHttpxClient with the retry hooks (core.retries)


def explain_missing_key(settings: Settings) -> str | None:
    """None when the profile can connect; otherwise what the user should set (never a key)."""
    if settings.kind == "sandbox" or settings.in_process or settings.has_key:
        return None
    return missing_key_message(settings.profile_name, settings.kind, settings.key_env,
                               settings.profile_names, settings.config_path)


def local_label(settings: Settings, device: str | None = None) -> str:
    """The header line of a local engine: which machine trains, and on what."""
    if settings.in_process:
        return LOCAL_LABEL.format(where=f"this machine ({device})" if device else "this machine")
    place = urlsplit(settings.base_url or "").netloc or settings.base_url
    return LOCAL_LABEL.format(where=f"{place} (remote engine)")


def _options(settings: Settings) -> _ClientOptions:
    """One client's options; its transport reports the SDK's own retries (core.retries)."""
    from openai import DefaultAsyncHttpxClient

    from ftui.core.retries import retry_hooks

    return {"timeout": settings.timeout, "max_retries": settings.max_retries,
            "http_client": DefaultAsyncHttpxClient(event_hooks=retry_hooks())}


def make_provider(settings: Settings, *, sandbox_base_url: str | None = None,
                  local_device: str | None = None) -> Provider:
    """Build the Provider for `settings`; raises CoreError(kind="input") if it cannot.

    `sandbox_base_url` is where the in-process sandbox or local engine listens; `local_device`
    says what that local engine runs on ("cpu, 2 threads" or the GPU's name)."""
    # Imported here: the SDK takes most of a second to import, and the setup screen and
    # `ftui validate` never need it.
    from openai import AsyncAzureOpenAI, AsyncOpenAI

    from ftui.core.backends.openai_backend import OpenAIProvider
    from ftui.core.backends.openai_capabilities import (
        COMPATIBLE_CAPABILITIES,
        LOCAL_CAPABILITIES,
        OPENAI_CAPABILITIES,
    )

    name = settings.profile_name
    if settings.kind == "sandbox":
        base_url = sandbox_base_url or settings.base_url
        if not base_url:
            raise CoreError("The sandbox is not running", kind="input",
                            hint="start it from the setup screen, or set base_url for this profile")
        client = AsyncOpenAI(api_key=settings.key or SANDBOX_KEY, base_url=base_url, **_options(settings))
        return OpenAIProvider(client, name=name, label=SANDBOX_LABEL, simulated=True,
                              key_source=settings.key_source)
    if settings.in_process:
        if not sandbox_base_url:
            raise CoreError("The local engine is not running", kind="input",
                            hint="start it with ftui --local, or set base_url for this profile")
        client = AsyncOpenAI(api_key=settings.key, base_url=sandbox_base_url, **_options(settings))
        return OpenAIProvider(client, name=name, label=local_label(settings, local_device),
                              key_source=settings.key_source, capabilities=LOCAL_CAPABILITIES)
    missing = explain_missing_key(settings)
    if missing:
        raise CoreError(missing, kind="input", hint="set an API key, or try the sandbox")
    if settings.kind == "together":
        return _together_provider(settings)
    if settings.kind == "local":  # a remote engine (`ftui local --host ...` on another machine)
        client = AsyncOpenAI(api_key=settings.key, base_url=settings.base_url, **_options(settings))
        return OpenAIProvider(client, name=name, label=local_label(settings),
                              key_source=settings.key_source, capabilities=LOCAL_CAPABILITIES)
    if settings.kind == "azure":
        if not settings.endpoint:  # load_settings refuses an azure profile without one
            raise CoreError(f"Profile {name!r} has no Azure endpoint", kind="input",
                            hint="set endpoint for this profile, or AZURE_OPENAI_ENDPOINT")
        client = AsyncAzureOpenAI(api_key=settings.key, azure_endpoint=settings.endpoint,
                                  api_version=settings.api_version,
                                  organization=settings.organization, project=settings.project,
                                  **_options(settings))
        label = f"{name} (azure)"
    else:
        client = AsyncOpenAI(api_key=settings.key, base_url=settings.base_url,
                             organization=settings.organization, project=settings.project,
                             **_options(settings))
        label = name if name == settings.kind else f"{name} ({settings.kind})"
    caps = OPENAI_CAPABILITIES if settings.kind == "openai" else COMPATIBLE_CAPABILITIES
    return OpenAIProvider(client, name=name, label=label, key_source=settings.key_source,
                          deployments=settings.deployments, capabilities=caps)


def _together_provider(settings: Settings) -> Provider:
    try:
        from ftui.core.backends.together_backend import make_together_provider
    except ModuleNotFoundError as exc:
        if exc.name == TOGETHER_MODULE:
            raise CoreError("This build of ftui has no Together backend", kind="input",
                            hint="pick another profile, or update ftui") from None
        raise CoreError(f"The Together backend needs the Python package {exc.name!r}, which is not "
                        "installed", kind="input", hint=f"pip install {exc.name}") from None
    return make_together_provider(settings)
