# Two commands for a newcomer: `make run` (the app on SQLite with demo data) and
# `make test` (the whole suite). Both create ./.venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint install install-test translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) run --debug

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check passport tests
	$(BIN)/ruff format --check passport tests
	$(BIN)/mypy passport

translations: install-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -o passport/translations/messages.pot .
	$(BIN)/pybabel update -i passport/translations/messages.pot -d passport/translations
	$(BIN)/pybabel compile -d passport/translations

clean:
	rm -rf $(VENV) instance .pytest_cache
