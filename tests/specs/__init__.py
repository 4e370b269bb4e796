"""Where the vendored API specs lie (see README.md beside this file for their sources and licences)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
OPENAI_SPEC = HERE / "openai" / "openapi.yaml"
OPENAI_TRAINING_LINES = HERE / "openai" / "training-line-schemas.yaml"
TOGETHER_SPEC = HERE / "together" / "openapi.yaml"
