"""Settings: SDK env vars, the TOML config file, named profiles, clear errors, masked keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from openai import AsyncAzureOpenAI, AsyncOpenAI

from ftui.core.connect import explain_missing_key, make_provider
from ftui.core.errors import CoreError
from ftui.core.settings import default_config_path, load_settings, mask_key

FAKE = "sk-test-SECRET123"

EXAMPLE = """
default_profile = "openai"
[profiles.work]
kind = "openai"
api_key_env = "WORK_OPENAI_KEY"
organization = "org-work"
[profiles.az]
kind = "azure"
endpoint = "https://x.openai.azure.com"
api_version = "2025-04-01-preview"
api_key = "sk-test-SECRET123"
deployments = { "gpt-4o-mini" = "my-mini" }
[profiles.local]
kind = "compatible"
base_url = "http://127.0.0.1:8000/v1"
api_key = "sk-test-SECRET123"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE)
    return path


@pytest.fixture
def empty_config(tmp_path: Path) -> Path:
    path = tmp_path / "empty.toml"
    path.write_text("")
    return path


def test_sdk_env_vars_fill_the_default_profile(empty_config):
    env = {"OPENAI_API_KEY": FAKE, "OPENAI_BASE_URL": "http://h/v1", "OPENAI_ORG_ID": "org-1",
           "OPENAI_PROJECT_ID": "proj-1"}
    s = load_settings(None, env=env, config_path=empty_config)
    assert (s.profile_name, s.kind) == ("openai", "openai")
    assert s.key == FAKE and s.key_env == "OPENAI_API_KEY"
    assert (s.base_url, s.organization, s.project) == ("http://h/v1", "org-1", "proj-1")


def test_config_path_env_override(tmp_path, config):
    assert default_config_path({"FTUI_CONFIG": str(config)}) == config
    assert default_config_path({}).name == "config.toml"
    assert "ftui" in str(default_config_path({}))
    s = load_settings("work", env={"FTUI_CONFIG": str(config), "WORK_OPENAI_KEY": FAKE})
    assert s.key == FAKE and s.organization == "org-work" and s.config_path == config


def test_named_profiles(config):
    env = {"WORK_OPENAI_KEY": FAKE, "OPENAI_API_KEY": "sk-other-key-0000"}
    work = load_settings("work", env=env, config_path=config)
    assert work.key == FAKE and work.key_env == "WORK_OPENAI_KEY"
    az = load_settings("az", env=env, config_path=config)
    assert az.kind == "azure" and az.endpoint == "https://x.openai.azure.com"
    assert az.api_version == "2025-04-01-preview" and az.deployments == {"gpt-4o-mini": "my-mini"}
    local = load_settings("local", env={}, config_path=config)
    assert local.kind == "compatible" and local.base_url == "http://127.0.0.1:8000/v1"
    default = load_settings(None, env=env, config_path=config)
    assert default.profile_name == "openai" and default.key == "sk-other-key-0000"
    assert set(default.profile_names) == {"openai", "sandbox", "work", "az", "local"}
    assert load_settings(None, env={"FTUI_PROFILE": "az"}, config_path=config).kind == "azure"


def test_sandbox_profile_needs_no_key(empty_config):
    s = load_settings("sandbox", env={}, config_path=empty_config)
    assert s.kind == "sandbox" and explain_missing_key(s) is None


async def test_make_provider_builds_the_right_client(config):
    env = {"WORK_OPENAI_KEY": FAKE}
    az = make_provider(load_settings("az", env=env, config_path=config))
    work = make_provider(load_settings("work", env=env, config_path=config))
    sandbox = make_provider(load_settings("sandbox", env={}, config_path=config), sandbox_base_url="http://127.0.0.1:9/v1")
    try:
        assert isinstance(az._client, AsyncAzureOpenAI) and az.label == "az (azure)"
        assert isinstance(work._client, AsyncOpenAI) and work._client.organization == "org-work"
        assert work.label == "work (openai)" and not work.simulated
        assert sandbox.simulated and sandbox.label.startswith("SANDBOX")
        assert sandbox.base_url.startswith("http://127.0.0.1:9/v1")
    finally:
        for p in (az, work, sandbox):
            await p.aclose()


def test_sandbox_without_url_is_a_clear_error(empty_config):
    with pytest.raises(CoreError) as info:
        make_provider(load_settings("sandbox", env={}, config_path=empty_config))
    assert info.value.kind == "input" and "sandbox" in info.value.message.lower()


def test_missing_key_is_explained(config):
    plain = load_settings(None, env={}, config_path=config)
    text = explain_missing_key(plain)
    assert text and "OPENAI_API_KEY" in text and "sandbox" in text
    work = load_settings("work", env={}, config_path=config)
    assert "WORK_OPENAI_KEY" in explain_missing_key(work)
    with pytest.raises(CoreError) as info:
        make_provider(work)
    assert info.value.kind == "input" and "WORK_OPENAI_KEY" in info.value.message
    assert explain_missing_key(load_settings("work", env={"WORK_OPENAI_KEY": FAKE},
                                             config_path=config)) is None


def test_a_compatible_profile_without_a_key_says_what_to_add(tmp_path):
    """The README's compatible example needs a key; the message names the profile and what to add,
    instead of asking to pick a profile when one was given."""
    path = tmp_path / "config.toml"
    path.write_text('[profiles.local]\nkind = "compatible"\nbase_url = "http://127.0.0.1:8000/v1"\n')
    text = explain_missing_key(load_settings("local", env={}, config_path=path))
    assert "Profile 'local'" in text and "api_key_env" in text and "pick a profile" not in text
    path.write_text('[profiles.local]\nkind = "compatible"\nbase_url = "http://127.0.0.1:8000/v1"\n'
                    'api_key_env = "LOCAL_KEY"\n')
    assert explain_missing_key(load_settings("local", env={"LOCAL_KEY": "anything"}, config_path=path)) is None


def test_toml_syntax_error_names_the_line(tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text('default_profile = "openai"\n[profiles.work]\nkind = openai\n')
    with pytest.raises(CoreError) as info:
        load_settings(None, env={}, config_path=bad)
    err = info.value
    assert err.kind == "input" and "line 3" in err.message and str(bad) in err.message


def test_unknown_profile_names_the_existing_ones(config):
    with pytest.raises(CoreError) as info:
        load_settings("nope", env={}, config_path=config)
    msg = info.value.message
    assert info.value.kind == "input" and "'nope'" in msg
    for name in ("openai", "sandbox", "work", "az", "local"):
        assert name in msg


@pytest.mark.parametrize("text, where", [
    ('[profiles.x]\nkind = "gcp"\n', "profiles.x.kind"),
    ('[profiles.x]\napi_kee = "k"\n', "profiles.x.api_kee"),
    ('[profiles.x]\nkind = "azure"\n', "endpoint"),
    ('[profiles.x]\nkind = "compatible"\n', "base_url"),
])
def test_bad_profile_values_say_where(tmp_path, text, where):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(CoreError) as info:
        load_settings("x", env={}, config_path=path)
    assert info.value.kind == "input" and where in info.value.message


def test_explicit_config_that_is_missing_is_an_error(tmp_path):
    with pytest.raises(CoreError) as info:
        load_settings(None, env={"FTUI_CONFIG": str(tmp_path / "nope.toml")})
    assert "does not exist" in info.value.message


def test_config_file_is_never_written(config):
    before = (config.read_bytes(), config.stat().st_mtime_ns)
    load_settings("work", env={"WORK_OPENAI_KEY": FAKE}, config_path=config)
    load_settings("az", env={}, config_path=config)
    assert (config.read_bytes(), config.stat().st_mtime_ns) == before


def test_no_repr_or_str_shows_a_key(config):
    from ftui.core.settings import read_config

    env = {"OPENAI_API_KEY": FAKE, "WORK_OPENAI_KEY": FAKE}
    objects = [load_settings(name, env=env, config_path=config) for name in ("openai", "work", "az", "local")]
    objects += list(read_config(config).profiles.values()) + [read_config(config)]
    for obj in objects:
        for text in (repr(obj), str(obj), f"{obj}", str(obj.model_dump())):
            assert "SECRET123" not in text, type(obj)


def test_mask_key(empty_config):
    assert mask_key(FAKE) == "sk-...T123"
    assert mask_key(None) == "(none)" and mask_key("") == "(none)"
    assert mask_key("sk-short") == "***"
    s = load_settings(None, env={"OPENAI_API_KEY": FAKE}, config_path=empty_config)
    assert s.masked_key == "sk-...T123"


def _no_config_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment whose config folder is empty, as on a fresh machine."""
    return {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path), **extra}


def test_missing_key_is_told_without_settings_exactly_as_with_them(tmp_path, monkeypatch):
    from ftui.core.config_location import missing_key_without_config

    env = _no_config_env(tmp_path)
    monkeypatch.setattr("os.environ", env)  # platformdirs reads XDG_CONFIG_HOME from here
    quick = missing_key_without_config(None, env)
    assert quick is not None and "OPENAI_API_KEY" in quick
    assert quick == explain_missing_key(load_settings(None, env=env))
    assert missing_key_without_config("openai", env) == quick


@pytest.mark.parametrize("case", ["key set", "config file", "explicit config", "other profile",
                                  "profile from env"])
def test_anything_but_the_plain_case_goes_through_settings(tmp_path, monkeypatch, case):
    from ftui.core.config_location import default_config_path as where
    from ftui.core.config_location import missing_key_without_config

    env = _no_config_env(tmp_path)
    monkeypatch.setattr("os.environ", env)
    profile = None
    if case == "key set":
        env["OPENAI_API_KEY"] = FAKE
    elif case == "config file":
        where(env).parent.mkdir(parents=True)
        where(env).write_text("")
    elif case == "explicit config":
        env["FTUI_CONFIG"] = str(tmp_path / "mine.toml")
    elif case == "other profile":
        profile = "work"
    else:
        env["FTUI_PROFILE"] = "work"
    assert missing_key_without_config(profile, env) is None
