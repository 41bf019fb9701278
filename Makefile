# Veracity: the two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VERACITY := $(BIN)/veracity
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve install install-test assets messages migrate demo test test-sqlite test-postgres \
        test-browser lint check bench bench-import load faults clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed assets messages

install-test: $(VENV)/.installed-test assets messages

# Front-end packages come from the npm registry and are served locally (never from a CDN).
VENDOR := veracity/static/vendor
$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap-icons
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts $(VENDOR)/bootstrap-icons/
	cp node_modules/sortablejs/Sortable.min.js $(VENDOR)/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	mkdir -p $(VENDOR)/fonts && cp node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf node_modules/@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf node_modules/@expo-google-fonts/noto-sans-sc/LICENSE_FONT $(VENDOR)/fonts/
	touch $@

assets: $(VENDOR)/.stamp

# Compiled translations (.mo) are built, not committed. msgfmt comes from Debian's gettext.
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)
	@if find veracity -path '*/locale/*' -name '*.po' | grep -q .; then \
	  cd veracity && ../$(BIN)/django-admin compilemessages -v 0; \
	else echo "no translations (.po) yet: nothing to compile"; fi

migrate: install
	$(VERACITY) migrate --no-input -v 0

demo: migrate
	$(VERACITY) demo --if-empty

run: demo
	@$(VERACITY) demo_logins --url http://$(HOST):$(PORT)
	$(VERACITY) serve --host $(HOST) --port $(PORT) --with-worker

test: install-test
	bash scripts/run_tests.sh

test-sqlite: install-test
	bash scripts/run_tests.sh sqlite

test-postgres: install-test
	bash scripts/run_tests.sh postgres

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install-test
	$(BIN)/python bench/run.py

# Long-running checks, not part of `make test` (docs/benchmarks.md): 50 concurrent API clients for 60 s,
# SIGKILL during order imports, SIGKILL of the server and the worker during API writes, and a backup
# while 50 writers commit. Override with e.g. `make load LOAD_ARGS='--seconds 10'`.
load: install-test
	$(BIN)/python bench/load.py $(LOAD_ARGS)

faults: install-test
	$(BIN)/python bench/kill_import.py $(FAULTS_ARGS)
	$(BIN)/python bench/kill_server.py
	$(BIN)/python bench/backup_writers.py

# Veracity's import of a 1,000,000-line order file against plain sqlite3 executemany and plain COPY
# (a few minutes; docs/benchmarks.md). Shorter: `make bench-import BENCH_IMPORT_ARGS='--lines 100000'`.
bench-import: install-test
	$(BIN)/python bench/import_1m.py --postgres $(BENCH_IMPORT_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
