# The two commands of the README: `make run` (demo on SQLite) and `make test` (the whole suite).
# Both create the virtualenv and install what they need; DATABASE_URL chooses the database.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_ENV := DJANGO_DEBUG=1

.PHONY: run run-randomised test docs lint install install-dev clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# axe-core for the accessibility tests (package.json, pinned by package-lock.json); the app uses no npm package.
# Without npm the accessibility tests skip locally (CI requires them, CRF_REQUIRE_BROWSER=1).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: tests/browser/test_accessibility.py will skip (apt-get install npm)"; fi

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed

# PORT chooses the port (`make run PORT=8080`); the two demos default to two ports, so both can run at once.
run: PORT ?= 8000
run: $(VENV)/.installed
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The next trial (blinded, randomised, placebo-controlled, two sites) in a database of its own.
RANDOMISED_DB ?= sqlite:///randomised.sqlite3
run-randomised: PORT ?= 8001
run-randomised: $(VENV)/.installed
	DATABASE_URL=$(RANDOMISED_DB) $(DEMO_ENV) $(PY) manage.py migrate --noinput
	DATABASE_URL=$(RANDOMISED_DB) $(DEMO_ENV) $(PY) manage.py seed_demo --design randomised
	DATABASE_URL=$(RANDOMISED_DB) $(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed-dev node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest $(PYTEST_ARGS)

# The documentation site (docs/, mkdocs.yml) into site/; --strict fails on a broken link, an unlisted page or
# a figure the code no longer has (docs/hooks/figures.py counts them from the code).
docs: $(VENV)/.installed-dev
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(VENV) node_modules db.sqlite3 randomised.sqlite3 staticfiles .pytest_cache .ruff_cache
