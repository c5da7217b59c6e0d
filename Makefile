# Two commands a newcomer needs: `make dev` and `make test`. Both create .venv themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)

.PHONY: install dev test test-all lint format typecheck bench clean browser translations
.PHONY: provision deploy package destroy rotate-key policies

$(STAMP): requirements.txt requirements-dev.txt
	@echo "==> Installing the Python dependencies into $(VENV) (the first time: about a minute)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet 'pip==26.2.1'  # chalice 1.34 wants pip<26.3
	set -o pipefail; $(PY) -m pip install --disable-pip-version-check --progress-bar off \
	  -r requirements-dev.txt | { grep --line-buffered -E '^(Collecting|Successfully)' || true; }
	rm -f $(VENV)/.installed-* && touch $(STAMP)
	@echo "==> Dependencies installed"

install: $(STAMP)

dev: install  ## emulator + API + queue worker + outbox, until Ctrl-C
	$(PY) -m ops.dev

# pytest-xdist workers for `make test`: one per core (TEST_WORKERS=0 runs in this process).
TEST_WORKERS ?= auto

test: install lint typecheck browser  ## lint, type-check, then the whole test suite
	$(PY) -m pytest -n $(TEST_WORKERS)

test-all: install browser  ## also the slow, marked tests
	$(PY) -m pytest -n $(TEST_WORKERS) -m "slow or not slow"

# The browser tests drive Debian's Chromium; Playwright never downloads a browser.
CHROMIUM := /usr/bin/chromium
browser:  ## install Debian's Chromium when it is missing (sudo only when not root)
	@test -x $(CHROMIUM) || { \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: install
	$(VENV)/bin/mypy

# Strings to translate: extract from code and templates, merge into each catalog, compile.
CATALOGS := chalicelib/translations
translations: install  ## extract, update and compile the translation catalogs (en, es)
	$(VENV)/bin/pybabel extract --no-location --sort-output -k N_ -F babel.cfg -o $(CATALOGS)/messages.pot .
	$(VENV)/bin/pybabel update --no-fuzzy-matching -i $(CATALOGS)/messages.pot -d $(CATALOGS)
	$(VENV)/bin/pybabel compile --statistics -d $(CATALOGS)

bench: install
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .dev build .mypy_cache .ruff_cache

# -- Deploy (docs/deploy.md) and operate (docs/operations.md). Each honours STAGE (a stage of
# .chalice/config.json; STAGE=local is make dev's) and AWS_ENDPOINT_URL; the AWS region comes
# from AWS_DEFAULT_REGION or your AWS profile.
STAGE ?= dev

.PHONY: dlq
dlq: install  ## list dead-lettered emails; `make dlq ARGS=--redrive` moves them back to the queue
	$(PY) -m ops.admin.dlq --stage $(STAGE) $(ARGS)

.PHONY: suppressed unsuppress
suppressed: install  ## list suppressed addresses (bounces lapse after SUPPRESSION_TTL_DAYS)
	$(PY) -m ops.admin.suppression --stage $(STAGE)

unsuppress: install  ## take one address off the suppression list: make unsuppress EMAIL=...
	@test -n "$(EMAIL)" || { echo "usage: make unsuppress EMAIL=someone@example.com STAGE=$(STAGE)" >&2; exit 2; }
	$(PY) -m ops.admin.suppression --stage $(STAGE) --remove "$(EMAIL)"

.PHONY: audit
audit: install  ## an account's security events, newest first: make audit USER=<username or address>
	@test "$(origin USER)" = "command line" || { echo "usage: make audit USER=<username or address> STAGE=$(STAGE)" >&2; exit 2; }
	$(PY) -m ops.admin.audit --stage $(STAGE) --user "$(USER)"

provision: install  ## tables, queue, SES sender, signing keyring; idempotent
	$(PY) -m ops.deploy.provision --stage $(STAGE)

deploy: install  ## provision + chalice deploy + post-deploy steps; idempotent
	$(PY) -m ops.deploy.deploy deploy --stage $(STAGE)

package: install  ## one SAM template for the stage in build/$(STAGE)/sam.json
	$(PY) -m ops.deploy.package --stage $(STAGE)

destroy: install  ## chalice delete + remove what provision made (DELETE_DATA=1: tables, keys too)
	$(PY) -m ops.deploy.deploy destroy --stage $(STAGE) $(if $(DELETE_DATA),--delete-data)

rotate-key: install  ## current signing key -> previous, a new current; recycles the functions
	$(PY) -m ops.admin.rotate_key --stage $(STAGE)

policies: install  ## regenerate each function's .chalice/policy-<stage>-<function>.json
	$(PY) -m ops.deploy.policy

.PHONY: force-reset
force-reset: install  ## breach response: void every password, mail everyone a reset link (YES=1: no question)
	$(PY) -m ops.admin.force_reset --stage $(STAGE) $(if $(YES),--yes)

.PHONY: bench-force-reset
bench-force-reset: install  ## the breach response for 10,000 users on moto (a benchmark, minutes)
	$(PY) -m benchmarks.mass_reset
