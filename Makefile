# Two commands: `make run` serves the app with demo data and runs its background jobs;
# `make test` runs every test.
SHELL := /bin/bash
# The interpreter the virtualenv is made from: Debian's python3.11 where the machine has it
# (with its venv module), else python3. Debian builds it with profile-guided and link-time
# optimisation, which pages gain from (docs/performance.md). `make PYTHON=... run` chooses
# another.
PYTHON ?= $(shell for p in /usr/bin/python3.11 python3; do \
  $$p -c 'import ensurepip, venv' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi
# The tests run in this many processes (pytest-xdist), a test file to a process: one more
# than a two-core machine's cores, as the browser, server and retry tests spend much of their
# time waiting.
TEST_PROCESSES ?= 3

# Debian packages: WeasyPrint's fast font subsetting and the fonts of the portfolio PDF;
# for the tests also PostgreSQL and Redis servers to start throwaway ones from, headless
# Chromium, Poppler's pdfsig, and npm (unless Node.js is already there) to fetch axe-core;
# for the benchmarks wrk.
RUN_APT_PACKAGES := libharfbuzz-subset0 fonts-dejavu-core
TEST_APT_PACKAGES := $(RUN_APT_PACKAGES) postgresql redis-server chromium poppler-utils
BENCH_APT_PACKAGES := $(TEST_APT_PACKAGES) wrk
BENCH_WEB_ARGS ?=
BENCH_PDF_ARGS ?=
BENCH_LOAD_ARGS ?=

.PHONY: run test bench lint system-deps clean

# make run is a local server over plain HTTP: not production (no Secure cookies), at its own
# address (what signed PDFs name; set PORTFOLIO_PUBLIC_URL to serve beyond this machine).
run: export PORTFOLIO_PRODUCTION ?= false
run: export PORTFOLIO_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.app-installed
	@$(MAKE) --no-print-directory system-deps PACKAGES="$(RUN_APT_PACKAGES)"
	$(BIN)/flask db upgrade
	$(BIN)/flask criteria import
	$(BIN)/flask demo --if-empty
	$(BIN)/flask progress refresh --missing
	$(BIN)/flask evidence sweep
	$(BIN)/flask exports sweep
	@echo "Serving on http://$(HOST):$(PORT)/ with a job worker beside it (Ctrl+C stops both)"
	@$(BIN)/flask jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: $(VENV)/.test-installed
	@$(MAKE) --no-print-directory system-deps PACKAGES="$(TEST_APT_PACKAGES)"
	@$(MAKE) --no-print-directory node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile --no-loadscope-reorder

bench: $(VENV)/.test-installed
	@$(MAKE) --no-print-directory system-deps PACKAGES="$(BENCH_APT_PACKAGES)"
	$(BIN)/python bench/pii_eval.py
	$(BIN)/python bench/suggest_eval.py
	$(BIN)/python bench/markdown_worst.py
	$(BIN)/python bench/web.py $(BENCH_WEB_ARGS)
	$(BIN)/python bench/pdf.py $(BENCH_PDF_ARGS)
	$(BIN)/python bench/eqa_export.py
	$(BIN)/python bench/load.py $(BENCH_LOAD_ARGS)
	$(BIN)/python bench/onboarding.py
	$(BIN)/python bench/digest.py

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .

# Packages are installed by uv, which installs the pinned set in about 25 s where pip took
# about a minute; pip only installs uv itself into the new virtualenv. Their bytecode is
# compiled as they are installed, as pip does, so that no process compiles them again. uv
# trusts the system's certificates, as pip does, so that it works behind a proxy whose
# authority only the system knows.
UV_VERSION := 0.13.9
UV_INSTALL := $(BIN)/uv pip install --quiet --compile-bytecode --native-tls --python $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)

# PyTorch, for the suggestions' sentence model, is installed by pip first: pip takes the CPU
# build where the machine keeps one (pip's find-links), and uv then finds it in place. uv
# alone would take PyPI's build for graphics cards, several GB. Elsewhere, name the CPU
# build's index: make TORCH_INDEX=https://download.pytorch.org/whl/cpu run
TORCH := torch==2.13.0
TORCH_INDEX ?=
$(VENV)/.torch-installed: | $(BIN)/python
	$(BIN)/python -m pip install --quiet $(TORCH) $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	touch $@

$(VENV)/.app-installed: pyproject.toml | $(BIN)/uv $(VENV)/.torch-installed
	$(UV_INSTALL) -e .
	touch $@

# On a fresh clone the app and what the tests need are installed in one pass.
$(VENV)/.test-installed: pyproject.toml | $(BIN)/uv $(VENV)/.torch-installed
	$(UV_INSTALL) -e '.[test]'
	touch $(VENV)/.app-installed $@

system-deps:
	@missing=""; \
	for package in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	case "$(PACKAGES)" in *postgresql*) command -v npm >/dev/null || missing="$$missing npm";; esac; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
