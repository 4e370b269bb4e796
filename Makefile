# Two commands set up everything on a fresh machine with Python >= 3.11 and Node:
#   make demo   - virtualenv, install, then `ftui --sandbox examples/marv.jsonl`
#   make test   - the same plus test tools (Prism from npm), then the whole test suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PRISM  := .ci/node/node_modules/.bin/prism
PYTEST_ARGS ?=

.PHONY: demo test test-fast bench screenshots clean venv prism

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

prism: $(PRISM)

$(PRISM): .ci/node/package.json .ci/node/package-lock.json
	cd .ci/node && npm ci --no-audit --no-fund --loglevel=error
	@touch $(PRISM)

demo: $(STAMP)
	$(VENV)/bin/ftui --sandbox examples/marv.jsonl

test: $(STAMP) $(PRISM)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Everything but the slow tests, for a quick loop while working.
test-fast: $(STAMP) $(PRISM)
	$(VENV)/bin/pytest -m "not slow" $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m tests.bench

screenshots: $(STAMP)
	FTUI_SCREENSHOTS=1 $(VENV)/bin/pytest -q tests/tui -k "not slow"

clean:
	rm -rf $(VENV) .ci/node/node_modules .pytest_cache
