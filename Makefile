# EduHub: `make run` starts the hub with demo data; `make test` runs every test suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      ?= .venv
VENV_PY   := $(VENV)/bin/python
EDUHUB    := $(VENV)/bin/eduhub
HOST      ?= 127.0.0.1
PORT      ?= 8000
DATA_DIR  := $(or $(EDUHUB_DATA_DIR),./var)
# pytest-xdist processes for `make test` (0 = one process). Each process starts its own test servers.
TEST_JOBS ?= 0
PYTEST_ARGS ?=
TESTS ?= tests
# CI (.ci/run) runs every suite: TESTS or PYTEST_ARGS (environment or command line) cannot shrink it.
ifeq ($(EDUHUB_TEST_REQUIRE_ALL),1)
override TESTS := tests
override PYTEST_ARGS :=
unexport PYTEST_ADDOPTS
endif

# Debian packages the test suites drive as real services (installed by `make test` when running as root).
TEST_PACKAGES := postgresql redis-server swift swift-proxy swift-account swift-container swift-object \
                 python3-swift chromium fonts-noto-cjk poppler-utils nginx libreoffice-impress-nogui libreoffice-writer-nogui zip unzip ffmpeg

# The first Python 3.11 or newer on PATH.
PYTHON := $(shell for p in python3.13 python3.12 python3.11 python3; do \
            command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
            && { command -v $$p; break; }; done)

.PHONY: help run test test-system-packages bench bench-smoke lint format migration clean distclean

help:
	@echo "make run        create $(VENV), migrate, load the demo data once, serve on http://$(HOST):$(PORT)/"
	@echo "make test       install what the tests need, then run every suite (TEST_JOBS=2 for two processes)"
	@echo "make bench      run the benchmarks in bench/ (results in bench/out/; about an hour)"
	@echo "make bench-smoke  run every bench script on a tiny corpus (a few minutes; part of make test)"
	@echo "make lint       check formatting and lint rules (ruff); make format rewrites the files"
	@echo "make migration MSG='what changed'   write a new database migration from the models"
	@echo "make clean      remove caches and build files (keeps $(VENV) and the data directory)"
	@echo "make distclean  clean, and remove $(VENV) too (the data directory is never removed)"

# --- environment --------------------------------------------------------------------------------

$(VENV_PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed; install python3 (>= 3.11)." >&2; exit 1; }
	@# System site packages let a prepared machine reuse what is installed and work without a network.
	$(PYTHON) -m venv --system-site-packages $(VENV)

$(VENV)/.installed: $(VENV_PY) pyproject.toml
	$(VENV_PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	@# Playwright drives Debian's /usr/bin/chromium: never download browsers.
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(VENV_PY) -m pip install --quiet -e '.[test]'
	@touch $@

# --- run ----------------------------------------------------------------------------------------

run: $(VENV)/.installed
	$(EDUHUB) db upgrade
	@# The marker saves re-checking the demo on every start; seed-demo itself is safe to run again.
	@if [ ! -e "$(DATA_DIR)/.demo-seeded" ]; then \
	    $(EDUHUB) seed-demo && mkdir -p "$(DATA_DIR)" && touch "$(DATA_DIR)/.demo-seeded"; \
	fi
	$(EDUHUB) serve --host $(HOST) --port $(PORT)

# --- test ---------------------------------------------------------------------------------------

test-system-packages:
	@missing=$$(for p in $(TEST_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
	    echo "Not installed (suites that need them are skipped): $$missing" >&2; exit 0; fi; \
	echo "Installing: $$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get install -y --no-install-recommends $$missing </dev/null \
	  || { apt-get update </dev/null && apt-get install -y --no-install-recommends $$missing </dev/null; }

test: test-system-packages $(VENV)/.installed-test
	@jobs=""; if [ "$(TEST_JOBS)" != 0 ]; then jobs="-n $(TEST_JOBS)"; fi; \
	rc=0; $(VENV_PY) -m pytest $(TESTS) -p no:cacheprovider $$jobs $(PYTEST_ARGS) </dev/null || rc=$$?; \
	if [ $$rc = 5 ]; then \
	    echo "pytest collected no tests." >&2; \
	    if [ "$${EDUHUB_TEST_REQUIRE_ALL:-}" = 1 ]; then exit 1; fi; exit 0; \
	fi; \
	exit $$rc

# --- development --------------------------------------------------------------------------------

# Transfers need ~3 GiB free in $$TMPDIR; the search and harvest benches take several minutes each.
# Each script exits non-zero when a step fails, and make stops there: no figure from a failed run.
# Smaller sizes for a quick look: make bench BENCH_RECORDS=1000 BENCH_MIB=64 BENCH_RUNS=1 BENCH_SECONDS=3
BENCH_RECORDS ?= 100000
BENCH_MIB     ?= 1024,256
BENCH_RUNS    ?= 3
BENCH_SECONDS ?= 15
bench: $(VENV)/.installed-test
	mkdir -p bench/out
	$(VENV_PY) bench/transfer.py --sizes $(BENCH_MIB) --runs $(BENCH_RUNS) --out bench/out
	$(VENV_PY) bench/record_rps.py --runs $(BENCH_RUNS) --seconds $(BENCH_SECONDS) --out bench/out
	$(VENV_PY) bench/search_bench.py --count $(BENCH_RECORDS) --out bench/out
	$(VENV_PY) bench/web_bench.py --count $(BENCH_RECORDS) \
	    --data-dir-from bench/out/search-$(BENCH_RECORDS).json --out bench/out
	$(VENV_PY) bench/harvest_bench.py --records $(BENCH_RECORDS) --out bench/out
	$(VENV_PY) bench/stats_bench.py --runs $(BENCH_RUNS) --seconds $(BENCH_SECONDS) --out bench/out
	$(VENV_PY) bench/bundle_bench.py --out bench/out
	$(VENV_PY) bench/broker_bench.py --out bench/out
	$(VENV_PY) bench/register_bench.py --out bench/out

# Every script in bench/ on a tiny corpus (tests/bench/, which `make test` runs too), so none can rot.
bench-smoke: $(VENV)/.installed-test
	$(VENV_PY) -m pytest tests/bench -p no:cacheprovider -q </dev/null

# `python -m ruff`: with system site packages, a ruff the machine already has is not copied into $(VENV)/bin.
lint: $(VENV)/.installed-test
	$(VENV_PY) -m ruff format --check .
	$(VENV_PY) -m ruff check .

format: $(VENV)/.installed-test
	$(VENV_PY) -m ruff format .
	$(VENV_PY) -m ruff check --fix .

migration: $(VENV)/.installed
	@test -n "$(MSG)" || { echo "Say what changed: make migration MSG='add download counts'" >&2; exit 1; }
	$(EDUHUB) db revision -m "$(MSG)"

clean:
	rm -rf build dist .pytest_cache .hypothesis tests/artifacts bench/out
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
