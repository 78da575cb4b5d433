# Two commands for a fresh machine: `make lab` and `make test`. Everything else they need, they install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LAB_STAMP := $(VENV)/.installed-lab
TEST_STAMP := $(VENV)/.installed-test
LAB_ARGS ?=
PYTEST_ARGS ?=

.PHONY: lab test quick lint bench install clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Orchestration Lab needs Python 3.11 or newer: run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(LAB_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(LAB_STAMP)

install: $(LAB_STAMP)

## make lab: create .venv, install the kit, open JupyterLab on the first lesson
lab: $(LAB_STAMP)
	$(BIN)/orchlab lab $(LAB_ARGS)

## make test: create .venv if missing, install the test extras, lint, run the whole suite
test: lint
	$(BIN)/python -m pytest -n 2 --dist loadscope --nbval-lax --nbval-current-env tests notebooks exercises $(PYTEST_ARGS)

## make lint: ruff's linter and formatter check (make test runs it first)
lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make quick: the suite without the slow theory checks and the browser (make test runs everything)
quick: $(TEST_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadscope -m "not slow and not browser" tests $(PYTEST_ARGS)

## make bench: speed of the simulator, the grader, the incident lab and the lessons in a real browser
bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/bench_simulator.py
	@if [ -f benchmarks/bench_grader.py ]; then $(BIN)/python benchmarks/bench_grader.py; fi
	$(BIN)/python benchmarks/bench_incident_lab.py
	$(BIN)/python benchmarks/bench_explorers.py
	ORCHLAB_SPEED_REPORT=1 $(BIN)/python -m pytest -p no:xdist -q -m browser tests/test_browser.py -k "fit_the_notebook or times_are_reported"
	@echo "browser speed report (Run All and input-to-redraw medians per control): test-artifacts/browser_timings.json"

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
