# The two commands: `make run` (service with demo data on SQLite) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test check install clean

$(BIN)/planner: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/planner

## Run the service on http://$(HOST):$(PORT) with demo data in instance/planner.sqlite.
run: install
	$(BIN)/planner db upgrade
	$(BIN)/planner demo --if-empty
	$(BIN)/planner serve --worker --host $(HOST) --port $(PORT)

## Run the whole test suite (SQLite; set PLANNER_TEST_DATABASE_URL for PostgreSQL).
test: install
	$(BIN)/pytest

## Lint, format check and types.
check: install
	$(BIN)/ruff check planner tests bench
	$(BIN)/ruff format --check planner tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
