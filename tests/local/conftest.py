"""Fixtures for the local-engine tests: the tiny model folder, built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.local.tiny_model import build_tiny_model

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing in these tests may download


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model") / "tiny-llama")
