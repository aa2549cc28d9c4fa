# Concord: two commands do all set-up on a fresh machine.
#   make run   install, create the SQLite database, generate + load sample data, serve on 127.0.0.1:5000
#   make test  install everything the tests need (incl. Debian's chromium) and run the whole suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
SIZE ?= 100000
PYTEST_ARGS ?=

.PHONY: run test install lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/concord init
	$(BIN)/concord demo --customers $(SIZE) --host $(HOST) --port $(PORT)
	$(BIN)/concord serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	./scripts/test-prerequisites
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/concord bench

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
