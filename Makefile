# Two commands: `make run` (set up, then run the default scenario) and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= scenarios/idlib_2017.yaml

# python3.12 from PATH, or from pyenv when its shim is not active in this directory.
PY312 := $(shell if python3.12 -c '' 2>/dev/null; then echo python3.12; \
	elif command -v pyenv >/dev/null 2>&1; then \
	  v=$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.12(\.|$$)' | tail -n 1); \
	  [ -n "$$v" ] && echo "$$(pyenv root)/versions/$$v/bin/python3.12"; fi)

.PHONY: run test lint format venv clean browser

$(BIN)/python:
	@test -n "$(PY312)" || { echo "python3.12 not found (install it or put it on PATH)"; exit 1; }
	$(PY312) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@echo "compiling the model's kernels (once; cached in sim/**/__pycache__)"
	$(BIN)/coalsim run scenarios/three_groups.yaml --until 2020-03-01 > /dev/null
	touch $@

venv: $(VENV)/.installed

# The browser front end on the default scenario: http://127.0.0.1:8765/
run: venv
	$(BIN)/coalsim app --host 127.0.0.1 --port 8765

lint: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Debian's Chromium for the real-browser tests (never `playwright install`: it downloads).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: lint browser
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis
