# runlab: `make demo` installs everything and runs the quickstart; `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-deps install labextension bench lint clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"

# Rebuild the JupyterLab extension after editing labextension/ (the package build does it once, on install).
labextension: install
	PATH="$(CURDIR)/$(BIN):$$PATH" npm run build
	$(BIN)/pip install --quiet -e ".[test]"

demo: install
	mkdir -p build
	cd notebooks && ../$(BIN)/python -c "import nbformat, nbclient; nb = nbformat.read('quickstart.ipynb', 4); \
nbclient.NotebookClient(nb, timeout=300, kernel_name='python3').execute(); \
nbformat.write(nb, '../build/quickstart.ipynb'); print('executed notebooks/quickstart.ipynb -> build/quickstart.ipynb')"
	$(BIN)/runlab runs --project quickstart

# Debian packages the tests need: PostgreSQL (store tests) and Chromium (browser tests).
test-deps:
	@missing=""; \
	for pkg in postgresql chromium; do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else echo "not root: install$$missing yourself (tests that need them are skipped)"; fi; \
	fi

test: test-deps install
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=15
	$(BIN)/ruff check python tests benchmarks

bench: install
	$(BIN)/python benchmarks/run_all.py

lint: install
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check python tests benchmarks

clean:
	rm -rf build .pytest_cache .ruff_cache lib build-test python/runlab/labextension
