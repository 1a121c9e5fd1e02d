# Two commands do everything: `make run` serves the API, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-from-lock
# The installer, pinned by hash in tools/uv-requirements.txt and kept in a venv of its own: the
# project's venv is synced from uv.lock alone, whatever pip the machine's python3 brings.
UV     := .venv-uv/bin/uv
# uv uses the Python we name and never downloads one of its own.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

# The PostgreSQL the suite creates its throwaway databases on (tools/postgres-up provides it).
FOLIO_TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
CLIENTS := tests/clients/node_modules/.package-lock.json
AXE     := tests/browser/node_modules/.package-lock.json
FHIRJS  := tests/fhir/node_modules/.package-lock.json

.PHONY: run test lint openapi bench previews screenshots lock check-system system-run system-test fresh-check clean

# Sync never fails on items edited through the API (it names them and leaves them alone), so a
# second `make run` after API edits changes nothing and serves.
run: system-run $(STAMP)
	$(BIN)/folio migrate
	$(BIN)/folio sync
	$(BIN)/folio serve

# The whole suite: PostgreSQL, browser, fuzzer and client checks must all run (FOLIO_TEST_EVERYTHING
# turns a missing one into a failure), and the last lines say what ran and what was skipped. Skipped
# by design, each saying why: the SQLite copy of the two-writer webhook test, the PostgreSQL copies
# of the desk's axe tour, and the seed-copy test when ../shared/seeds is not beside the checkout.
test: system-test $(STAMP) $(CLIENTS) $(AXE) $(FHIRJS)
	tools/postgres-up
	$(BIN)/ruff check .
	$(BIN)/mypy
	FOLIO_TEST_POSTGRES_URL="$(FOLIO_TEST_POSTGRES_URL)" FOLIO_TEST_EVERYTHING=1 $(BIN)/pytest

system-run:
	@tools/system-packages run

system-test:
	@tools/system-packages test

# openapi-typescript and tsc, pinned by tests/clients/package-lock.json, for the client check.
$(CLIENTS): tests/clients/package.json tests/clients/package-lock.json
	npm ci --prefix tests/clients --no-audit --no-fund --loglevel=error

# axe-core, injected into Debian's chromium by the browser tests to check accessibility.
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

# FHIR.js with its bundled R4 definitions: validates every FHIR resource Folio emits.
$(FHIRJS): tests/fhir/package.json tests/fhir/package-lock.json
	npm ci --prefix tests/fhir --no-audit --no-fund --loglevel=error

# Every desk page at 375 and 1280 px, from a throwaway store: docs/desk/.
screenshots: $(STAMP) $(AXE)
	mkdir -p docs/desk
	FOLIO_DESK_SCREENSHOTS=$(CURDIR)/docs/desk FOLIO_TEST_POSTGRES_URL= $(BIN)/pytest -q -p no:randomly \
		"tests/browser/test_desk.py::test_every_page_passes_axe_at_both_widths"
	ls docs/desk

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Benchmarks write their figures under bench/results/; tests never time anything.
# Debian packages it drives: wrk and ab (load), nginx (the static-file baseline).
bench: $(STAMP)
	@command -v wrk >/dev/null && command -v ab >/dev/null && { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null \
		|| { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk apache2-utils nginx-light >/dev/null; } \
		|| { echo "make bench needs Debian's wrk, apache2-utils and nginx-light (apt-get install ...)"; exit 1; }
	$(BIN)/python bench/run.py
	$(BIN)/python bench/read_path.py
	$(BIN)/python bench/varnish.py  # needs varnish and varnish-modules (tools/system-packages test)

# Every page of every bundled handout (each locale; standard and large print; A4 and Letter) as a
# PNG, from a throwaway store: docs/previews/<slug>-v<N>[-<locale>]-<paper>-<size>-<page>.png.
# QR codes point to FOLIO_PUBLIC_URL, or to a placeholder public address when it is unset.
previews: $(STAMP)
	@command -v pdftoppm >/dev/null || { echo "make previews needs pdftoppm. Debian: apt-get install poppler-utils"; exit 1; }
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	export FOLIO_DATA_DIR="$$tmp" FOLIO_DATABASE_URL="" FOLIO_PUBLIC_URL="$${FOLIO_PUBLIC_URL:-https://folio.example.org}"; \
	$(BIN)/folio migrate; $(BIN)/folio sync >/dev/null; \
	mkdir -p docs/previews; rm -f docs/previews/*.png; \
	for paper in a4 letter; do for size in standard large; do \
		$(BIN)/folio export pdf --all --paper $$paper --size $$size --out "$$tmp/$$paper-$$size"; \
		for pdf in "$$tmp/$$paper-$$size"/*.pdf; do \
			pdftoppm -png -r 60 "$$pdf" "docs/previews/$$(basename "$$pdf" .pdf)-$$paper-$$size"; \
		done; \
	done; done; ls docs/previews | wc -l

openapi: $(STAMP)
	$(BIN)/folio openapi

# Re-resolve uv.lock (needs PyPI). pyproject.toml's [tool.uv] exclude-newer fixes the instant the
# index is read at, so the same pyproject.toml always gives the same lock; move it to upgrade.
lock: $(UV)
	$(UV) lock
	$(UV) pip compile tools/uv.in --generate-hashes --universal --quiet -o tools/uv-requirements.txt

$(UV): tools/uv-requirements.txt
	@$(MAKE) --no-print-directory check-system
	@tools/check-network
	rm -rf .venv-uv
	$(PYTHON) -m venv .venv-uv
	.venv-uv/bin/pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
		-r tools/uv-requirements.txt

# `uv sync --locked` installs exactly what uv.lock names (its files, by hash) and refuses a lock
# that pyproject.toml no longer agrees with; it never asks the index which versions exist.
$(STAMP): uv.lock pyproject.toml $(UV)
	@$(UV) lock --check --offline --quiet 2>/dev/null \
		|| { echo "uv.lock does not agree with pyproject.toml: run 'make lock' and commit uv.lock"; exit 1; }
	@tools/check-network
	$(UV) sync --locked --extra dev --python "$$(command -v $(PYTHON))" --quiet
	@touch $(STAMP)

# Stop early, naming the Debian package, when something the project needs is missing.
check-system:
	@command -v $(PYTHON) >/dev/null \
		|| { echo "No $(PYTHON) on PATH: install Python 3.11 or newer (Debian 12+: apt-get install python3)"; exit 1; }
	@$(PYTHON) -c 'import sys; v = sys.version_info; m = "Folio needs Python 3.11 or newer, and $(PYTHON) is %d.%d: install one (Debian 12+: apt-get install python3; or pyenv install 3.11) and run make PYTHON=python3.11 ..."; sys.exit(0 if v >= (3, 11) else m % v[:2])'
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null \
		|| { echo "Missing the venv module. Debian: apt-get install python3-venv"; exit 1; }
	@for lib in libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0; do \
		so=$${lib%%:*}; pkg=$${lib##*:}; \
		ldconfig -p 2>/dev/null | grep -q "$$so" \
			|| { echo "Missing $$so (WeasyPrint needs it). Debian: apt-get install $$pkg"; exit 1; }; \
	done
	@ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset.so.0 \
		|| echo "Note: handouts render about 3x faster with Debian's libharfbuzz-subset0 (optional)."

# README's two commands in a throwaway Debian root (needs root and debootstrap; about half an hour).
SUITE ?= bookworm
fresh-check:
	tools/fresh-machine $(SUITE)

clean:
	rm -rf $(VENV) .venv-uv var .pytest_cache .ruff_cache .mypy_cache tests/clients/node_modules tests/browser/node_modules tests/fhir/node_modules
