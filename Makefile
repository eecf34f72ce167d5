# The two commands a newcomer needs: `make run` and `make test`. Everything else builds on them.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-sqlite test-postgres lint fmt bench install clean docs

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test,demo]"
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, load demo data, serve on http://127.0.0.1:8000 (debug on)
## with one task worker (and scheduler) and the SMTP sink (smtp://127.0.0.1:8025, keeping
## mail in var/outbox/; the SIRT reads it at /notifications/outbox/) beside the server.
DEMO_MAIL := AKRITES_EMAIL_HOST=127.0.0.1 AKRITES_EMAIL_PORT=$${AKRITES_MAIL_SINK_PORT:-8025}
run: $(STAMP)
	$(VENV)/bin/akrites migrate
	$(DEMO_MAIL) $(VENV)/bin/akrites demo
	@echo "Serving Akrites on http://127.0.0.1:8000 — sign in with a demo login above."
	@echo "Mail goes to the sink on 127.0.0.1:$${AKRITES_MAIL_SINK_PORT:-8025}: read it at /notifications/outbox/."
	$(DEMO_MAIL) AKRITES_DEBUG=1 AKRITES_SECURE_COOKIES=0 \
	  $(VENV)/bin/akrites serve --no-migrate --with-worker --with-mail-sink

## make test: install and run the whole suite on SQLite, and again on PostgreSQL when
## AKRITES_TEST_POSTGRES=postgresql://user:pass@host:port/db is set (CI sets it).
test: $(STAMP)
	$(MAKE) test-sqlite
	@if [ -n "$$AKRITES_TEST_POSTGRES" ]; then $(MAKE) test-postgres; \
	elif [ "$$AKRITES_REQUIRE_ALL" = "1" ]; then \
	  echo "AKRITES_REQUIRE_ALL=1 but AKRITES_TEST_POSTGRES is not set"; exit 1; \
	else echo "PostgreSQL pass skipped: set AKRITES_TEST_POSTGRES to run it."; fi

test-sqlite: $(STAMP)
	env -u AKRITES_DATABASE_URL $(PY) -m pytest -n 2 --dist loadfile

test-postgres: $(STAMP)
	AKRITES_DATABASE_URL="$$AKRITES_TEST_POSTGRES" $(PY) -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy akrites akrites_cli

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## make bench: benchmarks on SQLite, and on PostgreSQL when AKRITES_BENCH_POSTGRES is set
## (a server URL; a fresh database is created for the run and dropped afterwards).
bench: $(STAMP)
	$(PY) -m pip install -q atheris  # the parser fuzzer (bench only; not a test dependency)
	env -u AKRITES_BENCH_POSTGRES $(PY) -m bench
	@if [ -n "$$AKRITES_BENCH_POSTGRES" ]; then $(PY) -m bench; fi

docs: $(STAMP)
	$(VENV)/bin/akrites docs lifecycle

clean:
	rm -rf $(VENV) var build *.egg-info
