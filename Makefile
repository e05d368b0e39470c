# Bilim — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
export DJANGO_SETTINGS_MODULE := bilim.config.settings

.PHONY: run test test-sqlite test-postgres install install-test migrate demo serve messages bench-orgtree bench-journal clean

$(VENV)/bin/activate:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required (python3.11 not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(VENV)/bin/activate
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py seed_demo

## make run: install, migrate the embedded SQLite database, load the demo data once, serve on PORT
## (with the analytics and library workers beside the web server, stopped with it).
run: demo
	@echo "Bilim: http://127.0.0.1:$(PORT)/  (kk: /kk/  ru: /ru/  en: /en/)"
	$(PY) manage.py analytics_worker & worker=$$!; $(PY) manage.py library_worker & lworker=$$!; \
	  trap 'kill $$worker $$lworker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: install the test dependencies and run the whole suite on SQLite, then on PostgreSQL.
test: install-test
	bash scripts/test.sh

messages: install
	cd bilim && ../$(PY) ../manage.py makemessages -l kk -l ru -l en --no-obsolete --no-location && ../$(PY) ../manage.py compilemessages

bench-orgtree: install
	$(PY) -m bench orgtree

bench-journal: install
	$(PY) -m bench journal

clean:
	rm -rf $(VENV) var bilim/staticfiles
