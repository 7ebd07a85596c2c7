# Touchstone: `make run` serves the demo, `make test` runs every check. Both work on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The address links in emails and the demo's sign-in line point to: wherever `make run` serves.
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL
PG_URL ?= postgres://postgres@127.0.0.1:5432/touchstone
CHROMIUM ?= /usr/bin/chromium
# Development settings on this machine (a generated SECRET_KEY, DEBUG=true), read by every manage.py command.
ENV_FILE ?= .env.local
export TOUCHSTONE_ENV_FILE = $(abspath $(ENV_FILE))

# Python 3.12 or newer: the pyenv version named in .python-version, else any python3.12+ on PATH.
PYTHON_FOR_VENV := $(shell \
  for candidate in "$$(pyenv root 2>/dev/null)/versions/$$(cat .python-version 2>/dev/null)/bin/python" \
                   python3.13 python3.12 python3; do \
    if command -v "$$candidate" >/dev/null 2>&1 && "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
      echo "$$candidate"; break; fi; done)

.PHONY: help run serve serve-production install assets messages migrate demo test lint types test-sqlite test-postgres test-browser chromium clean

help:
	@echo "make run   install, build assets, migrate SQLite, load the demo, serve http://$(HOST):$(PORT)"
	@echo "make test  lint, types, tests on SQLite and PostgreSQL, browser and accessibility tests"
	@echo "make serve-production  gunicorn, task workers and the scheduler as in production (docs/deploy.md)"

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON_FOR_VENV)" ]; then \
	  echo "Touchstone needs Python 3.12 or newer (Django 6.1 does). Install it (e.g. 'pyenv install 3.12.1') and run make again." >&2; \
	  exit 1; fi
	@test -x $(PY) || $(PYTHON_FOR_VENV) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.installed messages

# Spanish: every .po in the project (locale/ and any app's locale/) compiled to the .mo Django reads.
messages: install
	@command -v msgfmt >/dev/null 2>&1 || { echo "Installing gettext for the Spanish translations"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext) >/dev/null; }
	@find locale touchstone -name '*.po' | while read -r po; do msgfmt --check -o "$${po%.po}.mo" "$$po" || exit 1; done

# Written once, never overwritten: a secret of its own for this machine; production has no such file and still
# refuses to start without a real SECRET_KEY.
$(ENV_FILE):
	@umask 077; { echo "# Development settings for this machine, written by make run. Never use them in production."; \
	  echo "DEBUG=true"; \
	  echo "SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"; } > $@
	@echo "Wrote $@ (DEBUG=true and a generated SECRET_KEY) for manage.py commands on this machine"

migrate: install assets $(ENV_FILE)
	$(MANAGE) migrate --no-input

demo: migrate
	$(MANAGE) load_demo

run: demo
	$(MANAGE) collectstatic --no-input -v0
	@echo "Background worker (tasks) and scheduler (periodic jobs) started; logs in .worker.log and .schedule.log"
	@$(MANAGE) db_worker --queue-name '*' > .worker.log 2>&1 & echo $$! > .worker.pid
	@$(MANAGE) run_schedule > .schedule.log 2>&1 & echo $$! >> .worker.pid
	@echo ""
	@echo "Touchstone is at http://$(HOST):$(PORT)/ — staff sign in at http://$(HOST):$(PORT)/sign-in/"
	@trap 'kill $$(cat .worker.pid) 2>/dev/null; rm -f .worker.pid' EXIT INT TERM; \
	  $(MANAGE) runserver $(HOST):$(PORT)

# Production's processes on one machine (docs/deploy.md): migrate, collect static files (WhiteNoise serves them),
# then WEB_CONCURRENCY gunicorn workers, TASK_WORKERS task workers and the scheduler. The settings come from the
# environment only (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, EMAIL_BACKEND...), never .env.local. SIGTERM to make
# (or Ctrl-C, which reaches every process at once) lets each process finish the request or task it holds, then exit.
TASK_WORKERS ?= 2
WSGI_APP ?= touchstone.wsgi
TASK_WORKER_COMMAND ?= $(MANAGE) db_worker --queue-name '*'
serve-production: export TOUCHSTONE_ENV_FILE =
serve-production:
	@test -x $(PY) || { echo "Install first: make install assets" >&2; exit 1; }
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) collectstatic --no-input -v0
	@pids=""; \
	  for n in $$(seq $(TASK_WORKERS)); do $(TASK_WORKER_COMMAND) & pids="$$pids $$!"; done; \
	  $(MANAGE) run_schedule & pids="$$pids $$!"; \
	  $(VENV)/bin/gunicorn -c python:touchstone.gunicorn_config $(WSGI_APP) & pids="$$pids $$!"; \
	  trap 'kill -TERM $$pids 2>/dev/null; wait $$pids; exit 0' TERM; \
	  trap 'wait $$pids; exit 0' INT; \
	  wait -n $$pids; status=$$?; kill -TERM $$pids 2>/dev/null; wait $$pids; exit $$status

chromium:
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation) >/dev/null \
	  || { echo "Could not install chromium; run: sudo apt-get install chromium" >&2; exit 1; }; }

lint: install
	$(VENV)/bin/ruff check touchstone benchmarks
	$(VENV)/bin/ruff format --check touchstone benchmarks

types: install
	TOUCHSTONE_TESTING=true $(VENV)/bin/mypy touchstone

test-sqlite: install assets
	TOUCHSTONE_TESTING=true $(VENV)/bin/pytest -m "not browser" -q

test-postgres: install assets
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not answering at 127.0.0.1:5432" >&2; exit 1; }
	TOUCHSTONE_TESTING=true DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -m "not browser" -q

test-browser: install assets chromium
	TOUCHSTONE_TESTING=true DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -m browser -q

test: lint types test-sqlite test-postgres test-browser

clean:
	rm -rf $(VENV) node_modules staticfiles touchstone.sqlite3*
	@echo "Kept $(ENV_FILE) (this machine's development secret); delete it by hand if you mean to"
