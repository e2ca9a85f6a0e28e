# The two commands a new user needs:
#   make run    the daily materialization (demo data when landing/ is empty)
#   make test   the whole test suite (lint, unit, dbt, end to end in a real browser)
# Both install what they need first: Python packages with uv from uv.lock, npm
# packages for the reports from reports/package-lock.json, Debian's chromium.

SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

export LIFECYCLE_WAREHOUSE ?= $(CURDIR)/warehouse/lifecycle.duckdb
export LIFECYCLE_LANDING ?= $(CURDIR)/landing
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export EVIDENCE_TELEMETRY_DISABLED := 1
# The browser tests save a screenshot of every report page here.
export LIFECYCLE_SCREENSHOTS ?= $(CURDIR)/tests/artifacts/screenshots
# The venv's tools (dbt, dagster) first on PATH: dagster-dbt looks dbt up there.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: help install install-reports install-browser install-postgres run generate next-day \
        ui serve-report quarantine status test test-fast lint format clean bench

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(UV):
	@echo "[setup] installing uv $(UV_VERSION) into $(TOOLS)/"
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	@echo "[setup] Python packages from uv.lock"
	$(UV) sync --frozen --quiet
	@touch $@

install: $(VENV)/.installed ## Python environment (uv sync --frozen)

reports/node_modules/.package-lock.json: reports/package-lock.json reports/package.json
	@echo "[setup] npm packages for the reports from package-lock.json"
	cd reports && npm ci --no-audit --no-fund --loglevel=error

install-reports: reports/node_modules/.package-lock.json ## Evidence's npm packages (npm ci)

install-browser: ## Debian's chromium, for the browser tests
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "[setup] installing Debian's chromium"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

install-postgres: ## Debian's PostgreSQL server, for the Postgres-backed Dagster instance test
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "[setup] installing Debian's postgresql"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

run: install install-reports ## run the daily job (ingest -> dbt build -> checks -> report)
	$(BIN)/lifecycle run

generate: install ## write the demo channel exports into landing/
	$(BIN)/lifecycle generate

next-day: install install-reports ## release the next simulated demo day into landing/, then run it
	$(BIN)/lifecycle next-day --run

quarantine: install ## list quarantined rows by file and reason
	$(BIN)/lifecycle quarantine

status: install ## latest day, freshness and counts per channel; last runs
	$(BIN)/lifecycle status

ui: install ## the Dagster UI on http://127.0.0.1:3000
	$(BIN)/lifecycle prepare
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

serve-report: ## serve the built report site on http://127.0.0.1:8000
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory reports/build 8000

BENCH_SIZES ?= 10000,100000,1000000
BENCH_DAYS ?= 365
BENCH_SPARK_SIZES ?= 100000
bench: install ## time and measure the pipeline at 10k, 100k, 1M persons (BENCH_SIZES=..., BENCH_DAYS=..., BENCH_SPARK_SIZES=...)
	$(BIN)/python -m orchestration.bench --sizes $(BENCH_SIZES) --days $(BENCH_DAYS) \
	  --spark-sizes "$(BENCH_SPARK_SIZES)"

lint: install ## ruff (lint + format check)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## ruff format + fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-fast: install ## unit tests only (no end-to-end)
	$(BIN)/pytest -m "not e2e" -q

PYTEST_WORKERS ?= 2
test: install install-reports install-browser install-postgres lint ## the whole suite (PYTEST_WORKERS=2 processes)
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadgroup

clean: ## remove the warehouse, landing demo data, logs and build output
	rm -rf warehouse landing demo logs target reports/build reports/.evidence .dagster_home
