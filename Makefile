# Two commands a newcomer needs: `make dev` and `make test`. Both create .venv themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)

.PHONY: install dev test test-all lint format typecheck bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

dev: install  ## emulator + API + queue worker + outbox, until Ctrl-C
	$(PY) -m ops.dev

test: install lint typecheck  ## lint, type-check, then the whole test suite
	$(PY) -m pytest

test-all: install  ## also the slow, marked tests
	$(PY) -m pytest -m "slow or not slow"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: install
	$(VENV)/bin/mypy

bench: install
	$(PY) -m benchmarks

.PHONY: dlq
dlq: install  ## list dead-lettered emails; `make dlq ARGS=--redrive` moves them back to the queue
	$(PY) -m ops.dlq $(ARGS)

clean:
	rm -rf $(VENV) .dev build .mypy_cache .ruff_cache
