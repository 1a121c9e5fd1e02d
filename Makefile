# Two commands do everything: `make run` serves the API, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-from-lock

.PHONY: run test lint openapi bench lock check-system clean

run: $(STAMP)
	$(BIN)/folio migrate
	$(BIN)/folio sync
	$(BIN)/folio serve

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Benchmarks write their figures under bench/results/; tests never time anything.
bench: $(STAMP)
	$(BIN)/python bench/read_path.py

openapi: $(STAMP)
	$(BIN)/folio openapi

# Re-resolve dependencies into the hashed lock file (needs network access to PyPI).
lock: $(STAMP)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

$(STAMP): requirements.lock pyproject.toml
	@$(MAKE) --no-print-directory check-system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $(STAMP)

# Stop early, naming the Debian package, when something the project needs is missing.
check-system:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "Folio needs Python >= 3.11 (Debian: apt-get install python3)"; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null \
		|| { echo "Missing the venv module. Debian: apt-get install python3-venv"; exit 1; }
	@for lib in libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0; do \
		so=$${lib%%:*}; pkg=$${lib##*:}; \
		ldconfig -p 2>/dev/null | grep -q "$$so" \
			|| { echo "Missing $$so (WeasyPrint needs it). Debian: apt-get install $$pkg"; exit 1; }; \
	done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
