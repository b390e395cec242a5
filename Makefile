# Quick start:  make demo   (crawl the offline replica into data/ and show what was archived)
#               make test   (the whole test suite; PostgreSQL on 127.0.0.1:5432 for the postgres half)
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: install demo test test-fast lint bench lock

install: $(VENV)/.installed

# requirements-dev.txt is the whole locked tree (runtime + test + dev tools) with hashes;
# requirements.txt is the runtime part alone, for deployments (`pip install --require-hashes -r requirements.txt`).
$(VENV)/.installed: requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Re-resolve the lock files from pyproject.toml (keeps existing pins unless a range excludes them).
lock:
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes \
	    --custom-compile-command "make lock" -o requirements.txt
	$(BIN)/uv pip compile pyproject.toml --extra test --extra dev --python-version 3.11 --generate-hashes \
	    --custom-compile-command "make lock" -o requirements-dev.txt

demo: install
	$(BIN)/reports crawl --replica full
	$(BIN)/reports list --district 长寿区 --year 2020

test: install
	$(BIN)/pytest

# The fast subset: no crawl, no browser, no PostgreSQL (about a minute).
test-fast: install
	$(BIN)/pytest -m fast

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy extract storage reportformat web

bench: install
	$(BIN)/python benchmarks/crawl.py
