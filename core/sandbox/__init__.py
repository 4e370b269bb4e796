"""A local HTTP server speaking the OpenAI API for everything ftui uses, with simulated training.

Start it with `SandboxThread(...).start()` (background thread), `await start_sandbox(...)`
(current loop) or `ftui sandbox` (core.sandbox.cli.main).
"""

from ftui.core.sandbox.catalog import BASE_MODELS, FINE_TUNABLE_MODELS, is_fine_tunable
from ftui.core.sandbox.engine import SimulatedEngine, TrainingEngine, default_epochs
from ftui.core.sandbox.faults import Faults
from ftui.core.sandbox.runner import SandboxHandle, SandboxThread, start_sandbox

__all__ = [
    "BASE_MODELS", "FINE_TUNABLE_MODELS", "Faults", "SandboxHandle", "SandboxThread",
    "SimulatedEngine", "TrainingEngine", "default_epochs", "is_fine_tunable", "start_sandbox",
]
