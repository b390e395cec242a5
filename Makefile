# Quick start:  make demo   (crawl the offline replica into data/ and show what was archived)
#               make test   (the whole test suite; PostgreSQL on 127.0.0.1:5432 for the postgres half)
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: install demo test lint bench

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

demo: install
	$(BIN)/reports crawl --replica full
	$(BIN)/reports list --district 长寿区 --year 2020

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy extract storage reportformat

bench: install
	$(BIN)/python benchmarks/crawl.py
