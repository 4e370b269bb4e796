"""Where ftui keeps its own small files (recent files, estimates, compare sessions)."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "FTUI_DATA_DIR"  # tests point it at a temporary folder


def data_dir() -> Path:
    """platformdirs' user data folder for ftui, or $FTUI_DATA_DIR when set."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("ftui"))
