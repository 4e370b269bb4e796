"""A refused launch explains OpenAI's wind-down only on OpenAI's own API (and the sandbox that plays
it): Azure and other OpenAI-compatible services speak the same API but keep their own timelines."""

from __future__ import annotations

import pytest

from ftui.core.connect import make_provider
from ftui.core.provider import capabilities_of
from ftui.core.settings import load_settings

CONFIG = """
[profiles.work-azure]
kind = "azure"
endpoint = "https://example.openai.azure.com"
api_version = "2025-04-01-preview"
api_key_env = "AZ_KEY"

[profiles.nebius]
kind = "compatible"
base_url = "https://api.example.invalid/v1"
api_key_env = "NEBIUS_KEY"
"""


@pytest.mark.parametrize(("profile", "says_wind_down"), [
    ("openai", True), ("sandbox", True), ("work-azure", False), ("nebius", False)])
async def test_only_openai_says_its_wind_down(tmp_path, profile, says_wind_down):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    env = {"OPENAI_API_KEY": "sk-test", "AZ_KEY": "az-test", "NEBIUS_KEY": "nb-test"}
    provider = make_provider(load_settings(profile, env=env, config_path=config),
                             sandbox_base_url="http://127.0.0.1:9/v1")
    try:
        note = capabilities_of(provider).refused_launch_note
        assert ("2027-01-06" in note) is says_wind_down
    finally:
        await provider.aclose()
