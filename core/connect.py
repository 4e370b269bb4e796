"""From resolved Settings to a Provider, and what to tell a user who has no key yet."""

from __future__ import annotations

from ftui.core.config_location import missing_key_message
from ftui.core.errors import CoreError
from ftui.core.provider import Provider
from ftui.core.settings import SANDBOX_KEY, Settings

SANDBOX_LABEL = "SANDBOX - simulated training"


def explain_missing_key(settings: Settings) -> str | None:
    """None when the profile can connect; otherwise what the user should set (never a key)."""
    if settings.kind == "sandbox" or settings.has_key:
        return None
    return missing_key_message(settings.profile_name, settings.kind, settings.key_env,
                               settings.profile_names, settings.config_path)


def make_provider(settings: Settings, *, sandbox_base_url: str | None = None) -> Provider:
    """Build the Provider for `settings`; raises CoreError(kind="input") if it cannot."""
    # Imported here: the SDK takes most of a second to import, and the setup screen and
    # `ftui validate` never need it.
    from openai import AsyncAzureOpenAI, AsyncOpenAI

    from ftui.core.backends.openai_backend import OpenAIProvider

    common = dict(timeout=settings.timeout, max_retries=settings.max_retries)
    name = settings.profile_name
    if settings.kind == "sandbox":
        base_url = sandbox_base_url or settings.base_url
        if not base_url:
            raise CoreError("The sandbox is not running", kind="input",
                            hint="start it from the setup screen, or set base_url for this profile")
        client = AsyncOpenAI(api_key=settings.key or SANDBOX_KEY, base_url=base_url, **common)
        return OpenAIProvider(client, name=name, label=SANDBOX_LABEL, simulated=True,
                              key_source=settings.key_source)
    missing = explain_missing_key(settings)
    if missing:
        raise CoreError(missing, kind="input", hint="set an API key, or try the sandbox")
    if settings.kind == "azure":
        client = AsyncAzureOpenAI(api_key=settings.key, azure_endpoint=settings.endpoint,
                                  api_version=settings.api_version,
                                  organization=settings.organization, project=settings.project,
                                  **common)
        label = f"{name} (azure)"
    else:
        client = AsyncOpenAI(api_key=settings.key, base_url=settings.base_url,
                             organization=settings.organization, project=settings.project,
                             **common)
        label = name if name == settings.kind else f"{name} ({settings.kind})"
    return OpenAIProvider(client, name=name, label=label, key_source=settings.key_source,
                          deployments=settings.deployments)
