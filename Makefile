# eventsite: `make run` to try it, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
SECRET_KEY_FILE ?= instance/secret_key
# The demo conference's brand, unless the environment or the command line sets another
# (`make run SITE_NAME="..."`); outside `make run` the config.py defaults or .env apply.
SITE_NAME ?= NCASC fringe events
SITE_DESCRIPTION ?= Fringe sessions beside the National Children and Adult Services Conference: who is speaking, when and where, and a place to book.
SITE_CONTACT_EMAIL ?= organiser@example.org
# Development mode with this checkout's own random key (written once, readable only by you).
DEV_ENV = FLASK_DEBUG=1 SECRET_KEY="$$(cat $(SECRET_KEY_FILE))" \
	SITE_NAME="$(SITE_NAME)" SITE_DESCRIPTION="$(SITE_DESCRIPTION)" \
	SITE_CONTACT_EMAIL="$(SITE_CONTACT_EMAIL)"
export FLASK_APP := wsgi

.PHONY: run test lint bench install clean

# The site alone: what `make run` needs.
$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

# The site plus the test and benchmark tools.
$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(DEV_STAMP)

install: $(STAMP)

# A random SECRET_KEY for `make run`, made once and kept.
$(SECRET_KEY_FILE):
	mkdir -p $(dir $@)
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@
	chmod 600 $@

## Development server with demo content on http://127.0.0.1:5000, mail written to instance/mail/
run: $(STAMP) $(SECRET_KEY_FILE)
	$(DEV_ENV) $(BIN)/flask db upgrade
	$(DEV_ENV) $(BIN)/flask demo
	@echo "Serving http://127.0.0.1:5000 (organiser area: http://127.0.0.1:5000/admin/). Ctrl-C stops."
	@echo "An outbox worker runs beside it: email is written to instance/mail/."
	$(DEV_ENV) $(BIN)/flask outbox run & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/flask run --host 127.0.0.1 --port 5000

## Imports one way (import-linter) and tidy code (ruff)
lint: $(DEV_STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check eventsite tests bench config.py wsgi.py

## The whole test suite (PostgreSQL too when TEST_DATABASE_URL is set), after the lint
test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmarks (not part of the tests); results in docs/BENCHMARKS.md
bench: $(DEV_STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
