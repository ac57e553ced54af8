# nbkeras: `make book` and `make test` set up .venv themselves (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check
# Numba's cache for the test run starts empty, so that every kernel compiles (and any Numba
# warning surfaces as an error in the unit tests) before nbval runs the notebooks warm.
TEST_NUMBA_CACHE := $(CURDIR)/.numba-cache/test

.PHONY: help book test lint unit notebooks book-strict execute lab bench reference interop clean

help:
	@echo "make book       build the HTML book into _build/html (offline, from stored outputs)"
	@echo "make test       lint, unit tests, nbval on every notebook, pairing check, strict book build"
	@echo "make execute    re-execute every notebook in place (after a code change)"
	@echo "make lab        open the chapters in JupyterLab"
	@echo "make bench      benchmarks against TensorFlow and PyTorch (needs .venv-bench)"
	@echo "make reference  regenerate tests/reference from real Keras (needs PyPI for TensorFlow)"
	@echo "make interop    open nbkeras-written model files in real Keras (needs .venv-reference)"

$(VENV)/.book-installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip
	$(PIP_INSTALL) -c constraints.txt -e ".[book]"
	touch $@

$(VENV)/.test-installed: $(VENV)/.book-installed
	$(PIP_INSTALL) -c constraints.txt -e ".[book,test,tensorboard]"
	touch $@

book: $(VENV)/.book-installed
	rm -rf _build
	$(BIN)/jupyter-book build --all --warningiserror .
	@echo "Open _build/html/index.html in a browser."

test: $(VENV)/.test-installed
	rm -rf $(TEST_NUMBA_CACHE)
	$(MAKE) --no-print-directory lint unit notebooks book-strict

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests tools book benchmarks

unit: $(VENV)/.test-installed
	NUMBA_CACHE_DIR=$(TEST_NUMBA_CACHE) $(BIN)/python -m pytest tests -q --ignore=tests/test_book_html.py

notebooks: $(VENV)/.test-installed
	NUMBA_CACHE_DIR=$(TEST_NUMBA_CACHE) $(BIN)/python -m pytest -q --nbval --nbval-current-env --nbval-sanitize-with book/nbval_sanitize.cfg \
		--nbval-cell-timeout=600 book/

# The strict build, then the checks of the HTML a reader gets (no raw TeX, no broken links).
book-strict: $(VENV)/.test-installed
	rm -rf _build
	$(BIN)/jupyter-book build --all --warningiserror .
	$(BIN)/python -m pytest tests/test_book_html.py -q

execute: $(VENV)/.test-installed
	for nb in book/*.ipynb; do \
		$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.timeout=600 --ExecutePreprocessor.record_timing=False \
			"$$nb" || exit 1; \
	done
	$(BIN)/jupytext --sync book/*.ipynb

# JupyterLab refuses to start as root unless told it may (containers often run as root).
lab: $(VENV)/.book-installed
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) book/

.venv-bench/.installed: pyproject.toml constraints.txt benchmarks/requirements.txt
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet --upgrade pip
	# TensorFlow 2.21 needs h5py < 3.15: the bench venv takes TensorFlow's h5py, the rest of the lock
	grep -v '^h5py==' constraints.txt > .venv-bench/constraints.txt
	.venv-bench/bin/python -m pip install --quiet -c .venv-bench/constraints.txt -e . \
		-r benchmarks/requirements.txt
	touch $@

bench: .venv-bench/.installed
	.venv-bench/bin/python benchmarks/run.py

.venv-reference/.installed: tools/reference-requirements.txt
	test -x .venv-reference/bin/python || $(PYTHON) -m venv .venv-reference
	.venv-reference/bin/python -m pip install --quiet --upgrade pip
	.venv-reference/bin/python -m pip install --quiet -r tools/reference-requirements.txt
	touch $@

reference: .venv-reference/.installed
	.venv-reference/bin/python tools/make_reference.py

# nbkeras writes model files (its .venv), then Keras opens them (.venv-reference, without
# nbkeras: each side runs in its own environment, and every verdict is Keras').
INTEROP_DIR := build/interop

interop: $(VENV)/.test-installed .venv-reference/.installed
	rm -rf $(INTEROP_DIR)
	$(BIN)/python tools/interop_write.py $(INTEROP_DIR)
	.venv-reference/bin/python tools/interop_check.py $(INTEROP_DIR)

clean:
	rm -rf _build build .numba-cache .pytest_cache .ruff_cache .hypothesis
	find src -name __pycache__ -type d -exec rm -rf {} +
