# One venv, two entry points: `make demo` and `make test` (both install what they need).
# `make test-fast` leaves out the slow, browser and Dask tests; `make lint` is ruff, import-linter
# (the layers contract in pyproject) and mypy.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install -q --disable-pip-version-check
PRESETS := japan-mou-2025 korea-us-demand-2025-09 korea-counter-2025-09 korea-final-2025-11

.PHONY: demo test test-fast bench lint install install-dev browser clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $@

$(VENV)/.dev: $(VENV)/.base
	$(PIP) -e '.[dev]'
	touch $@

install: $(VENV)/.base
install-dev: $(VENV)/.dev

demo: install
	$(VENV)/bin/pactlab compare $(PRESETS)

# the report test opens the HTML in Debian's headless Chromium
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install-dev browser
	$(PY) -m pytest src tests

# the doctests in src included; under 3 minutes on a 2-core machine
test-fast: install-dev
	$(PY) -m pytest src tests -m "not slow and not browser and not dask"

lint: install-dev
	$(VENV)/bin/ruff check src tests benchmarks tools
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy src

bench: install-dev
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_payoffs.py
	$(PY) benchmarks/bench_negotiate.py
	$(PY) benchmarks/bench_explore.py
	$(PY) benchmarks/bench_robust.py
	$(PY) benchmarks/bench_web_load.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .hypothesis
