# Two commands for a newcomer: `make run` (the app on SQLite with demo data) and
# `make test` (the whole suite). Both create ./.venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

# requirements.lock pins every dependency (runtime and the test extra) for CI and production:
# the install targets use it as pip constraints. After changing dependencies in pyproject.toml
# run `make lock` and commit requirements.lock with the change.
LOCK := requirements.lock

.PHONY: run test lint audit lock install install-test translations clean bench bench-tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -c $(LOCK) -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -c $(LOCK) -e '.[test]'

# Re-resolve the dependencies of pyproject.toml (and its test extra) into requirements.lock,
# keeping the versions already locked where they still fit; `make lock UPGRADE=--upgrade`
# moves everything to the newest allowed versions.
UPGRADE ?=
lock: $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
		$(UPGRADE) --quiet -o $(LOCK)

# The worker (mail, reminders, purge) runs beside the web server and stops with it.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --debug

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check passport tests scripts
	$(BIN)/ruff format --check passport tests scripts
	$(BIN)/mypy passport
	$(BIN)/bandit --quiet --recursive passport config.py wsgi.py gunicorn.conf.py

# Known vulnerabilities in the installed dependencies (PyPI's advisory data). Fails on a
# known vulnerability; only reports when the advisory database cannot be reached (offline).
audit: install-test
	$(BIN)/python .ci/audit.py

translations: install-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -o passport/translations/messages.pot .
	$(BIN)/pybabel update -i passport/translations/messages.pot -d passport/translations
	$(BIN)/pybabel compile -d passport/translations

# The benchmark (docs/BENCHMARKS.md): seeds BENCH_PASSPORTS passports on SQLite, then on the
# local PostgreSQL, serves them with gunicorn (4 workers) and loads them with wrk from a second
# process; writes its table into docs/BENCHMARKS.md. BENCH_ARGS passes more options to
# scripts/bench.py (e.g. --duration 30, --databases sqlite).
BENCH_PASSPORTS ?= 100000
BENCH_ARGS ?=
bench-tools:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

bench: install bench-tools
	$(BIN)/python scripts/bench.py --passports $(BENCH_PASSPORTS) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
