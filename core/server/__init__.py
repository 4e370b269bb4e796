"""ftui's own HTTP server: the OpenAI API (and, in together/, Together's) for everything ftui uses.

One server, two engines and two kinds of chat: the sandbox trains with the SimulatedEngine (engine.py)
and answers from the training data (simulated_chat.py); the local engine (core/local) trains for real
with LocalEngine and generates with LocalChat (chat_generated.py is its HTTP side). Start the sandbox
with `SandboxThread(...).start()` (background thread), `await start_sandbox(...)` (current loop) or
`ftui sandbox` (core.server.cli.main); the local engine with core.local.server.
"""

from ftui.core.server.catalog import BASE_MODELS, FINE_TUNABLE_MODELS, is_fine_tunable
from ftui.core.server.engine import SimulatedEngine, TrainingEngine, default_epochs
from ftui.core.server.faults import Faults
from ftui.core.server.runner import SandboxHandle, SandboxThread, start_sandbox

__all__ = [
    "BASE_MODELS", "FINE_TUNABLE_MODELS", "Faults", "SandboxHandle", "SandboxThread",
    "SimulatedEngine", "TrainingEngine", "default_epochs", "is_fine_tunable", "start_sandbox",
]
