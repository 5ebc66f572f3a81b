# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin
# uv where it is installed; otherwise through the Python that pip installed it into.
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)
HTMX_VERSION := 2.0.11
HTMX_FILE := .cache/htmx/htmx-$(HTMX_VERSION).min.js
CHROMIUM ?= $(shell command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null)
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export ASSURE_HTMX_FILE := $(CURDIR)/$(HTMX_FILE)

.PHONY: help run test test-sqlite test-postgres lint bench fuzz tools chromium htmx

help:
	@echo "make run    serve the demo on http://$(HOST):$(PORT) (SQLite, var/assure.db)"
	@echo "make test   lint, then the whole suite on SQLite and, when reachable, PostgreSQL"
	@echo "make bench  measure the API's hot paths"
	@echo "make fuzz   schemathesis against a served demo, as three kinds of caller"

tools:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv

$(BIN)/assure: pyproject.toml uv.lock | tools
	$(UV) sync --frozen
	@touch $@

# The worker (reminders, the outbox's emails) runs beside the server and stops with it.
run: $(BIN)/assure
	$(BIN)/assure migrate
	$(BIN)/assure seed-demo --if-empty
	$(BIN)/assure worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
		PORT=$(PORT) HOST=$(HOST) $(BIN)/assure serve

# Debian's chromium drives the browser journeys (no browser is downloaded by a test tool).
chromium:
	@if [ -z "$(CHROMIUM)" ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	fi

# The exact htmx the pages load from the CDN, fetched from the npm registry into an ignored
# cache; the browser tests serve it in place of the CDN URL, and its SRI hash proves it.
htmx: $(HTMX_FILE)
$(HTMX_FILE):
	@mkdir -p $(dir $@) .cache/npm
	cd .cache/npm && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null \
		&& tar -xzf htmx.org-$(HTMX_VERSION).tgz package/dist/htmx.min.js
	mv .cache/npm/package/dist/htmx.min.js $@

lint: $(BIN)/assure
	$(BIN)/ruff check api web tests migrations bench
	$(BIN)/ruff format --check api web tests migrations bench
	$(BIN)/mypy api web
	$(BIN)/lint-imports

test: $(BIN)/assure chromium htmx lint
	@mkdir -p var && : > var/test-databases.txt
	@# Both databases at once, one per core; each run's output is printed when it ends.
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null \
		|| [ -n "$$ASSURE_TEST_DATABASE_URL" ]; then \
		$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres; \
	else $(MAKE) --no-print-directory test-sqlite; \
		echo "PostgreSQL is not reachable: the suite ran on SQLite only"; fi

test-sqlite: $(BIN)/assure
	ASSURE_TEST_DATABASE_URL= ASSURE_CHROMIUM="$(CHROMIUM)" $(BIN)/pytest
	@echo sqlite >> var/test-databases.txt

test-postgres: $(BIN)/assure
	ASSURE_TEST_DATABASE_URL="$${ASSURE_TEST_DATABASE_URL:-$(PG_TEST_URL)}" ASSURE_CHROMIUM="$(CHROMIUM)" $(BIN)/pytest
	@echo postgresql >> var/test-databases.txt

# Every operation of the OpenAPI document, fuzzed against `assure serve` on a scratch demo
# database (anonymous, all-scopes service token, agency editor); tests/schemathesis.toml
# says which answers are the contract. FUZZ_MAX_EXAMPLES per operation (default 10);
# FUZZ_SEED fixes what is generated, so that CI's gate is repeatable (FUZZ_SEED= explores).
FUZZ_SEED ?= 20261202
fuzz: $(BIN)/assure
	FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-10} FUZZ_SEED=$(FUZZ_SEED) $(BIN)/python tests/fuzz.py

bench: $(BIN)/assure
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench
