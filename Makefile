# COCO4CCI Academy. `make run` to try it, `make test` to test it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_ENV := LMS_ENV=development

.PHONY: run serve test test-postgres test-faults test-e2e e2e-deps fuzz bandit bench bench-postgres bench-dashboard bench-content bench-notify setup check-content sync-content lint format migration clean translations

# The server that `make test-postgres` creates its throwaway database on.
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
PG_STAMP := $(VENV)/.installed-postgres

$(STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# UI translations: the .po files are in git, the compiled .mo files are build output.
TRANSLATIONS := lms/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS) -l $* -i $< -o $@

## translations: extract every UI string, update each language's .po, compile, print what is missing
translations: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
		--add-location=file --sort-by-file --no-wrap --project='COCO4CCI Academy' \
		--copyright-holder='COCO4CCI Academy' -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel -q update --no-wrap --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	@# pybabel compile checks fuzzy guesses too (it leaves them out of the .mo, which it still writes):
	@# a guess whose placeholders differ is an error to it but only a to-do here, counted below.
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS) || echo 'Placeholder errors above: review those messages (fuzzy ones are not used); list: $(BIN)/lms translations status -v'
	$(BIN)/lms translations status

## setup: create .venv, install, migrate the database, publish content/, create demo accounts
setup: $(STAMP) $(MO_FILES)
	$(DEV_ENV) $(BIN)/lms db upgrade
	$(DEV_ENV) $(BIN)/lms content sync
	$(DEV_ENV) $(BIN)/lms demo create

## run: everything in setup, then serve on http://127.0.0.1:5000 with live content preview
run: setup
	@# The embedded mail worker runs beside the development server (a second process, so the
	@# reloader's restarts never lose or double it); mail is logged when no LMS_MAIL_SERVER is set.
	$(DEV_ENV) $(BIN)/lms worker --embedded & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/lms run --debug --host 127.0.0.1 --port 5000

## serve: production server (gunicorn, lms/gunicorn_conf.py); set LMS_SECRET_KEY first
serve: $(STAMP) $(MO_FILES)
	$(BIN)/lms db upgrade
	$(BIN)/lms content sync
	$(BIN)/lms serve

## test: the whole suite (SQLite), then the import layers (docs/architecture.md), then bandit
test: $(STAMP) $(MO_FILES)
	$(BIN)/python -m pytest -q
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory bandit

## bandit: static security checks of lms/; any finding of medium severity or higher fails
bandit: $(STAMP)
	$(BIN)/bandit -q -r lms -ll

## fuzz: the hostile-input tests with thousands of examples: >= 10,000 requests in-process (who may
## change what) and >= 10,000 over HTTP to gunicorn in production mode (tests/fuzz/test_gunicorn.py)
fuzz: $(STAMP)
	LMS_FUZZ_PROFILE=fuzz-long $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/fuzz tests/content/test_hostile_files.py tests/content/test_render.py

$(PG_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,postgres,redis]'
	@touch $(PG_STAMP)

## test-postgres: the whole suite on PostgreSQL (needs a server; says so when none answers)
test-postgres: $(PG_STAMP) $(MO_FILES)
	LMS_TEST_DATABASE_URL='$(TEST_POSTGRES_URL)' $(BIN)/python -m pytest -q

## test-faults: real gunicorn, redis-server and a throwaway PostgreSQL database, then faults
## (Redis stopped, database connections killed or refused, a worker killed mid-request, SQLite
## out of disk space or read-only: root, on a tmpfs); one line of figures per scenario (~3 min)
test-faults: $(PG_STAMP) $(MO_FILES)
	$(BIN)/python -m pytest -q -p no:cacheprovider --faults tests/faults

E2E_STAMP := $(VENV)/.installed-e2e
$(E2E_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,e2e]'
	@touch $(E2E_STAMP)

# axe-core and the Nu Html Checker, at the exact versions of package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## e2e-deps: Debian's Chromium when /usr/bin/chromium is missing (root, apt), pip extra, npm ci
e2e-deps: $(E2E_STAMP) node_modules/.installed
	@.ci/install-chromium

## test-e2e: real-browser journeys, axe-core and HTML validation in headless Chromium
# $(MO_FILES): the compiled UI catalogues, where the Makefile builds them (empty otherwise).
test-e2e: $(E2E_STAMP) node_modules/.installed $(MO_FILES)
	@test -x /usr/bin/chromium || { echo "No /usr/bin/chromium: run 'make e2e-deps' (as root) or apt-get install chromium"; exit 2; }
	$(BIN)/python -m pytest -q --e2e tests/e2e

BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,postgres,redis,bench]'
	@touch $(BENCH_STAMP)

## bench: load benchmark on SQLite (gunicorn, 500 learners, 32 users; ~3 minutes)
bench: $(BENCH_STAMP)
	$(BIN)/python bench/load.py --database sqlite

## bench-postgres: the same on the PostgreSQL server at 127.0.0.1:5432
bench-postgres: $(BENCH_STAMP)
	$(BIN)/python bench/load.py --database postgres

## bench-dashboard / bench-content: cohort page at 50-2,000 learners; 1,000-module content sync
bench-dashboard: $(STAMP)
	$(BIN)/python bench/dashboard.py

bench-content: $(STAMP)
	$(BIN)/python bench/content_sync.py

## bench-notify: 2,000 learners get a reminder and a nudge: enqueue, then deliver 4,000 to a local SMTP server
bench-notify: $(STAMP)
	$(BIN)/python bench/notify.py

## check-content: validate content/ with path:line messages
check-content: $(STAMP)
	$(BIN)/lms content check content

sync-content: $(STAMP)
	$(DEV_ENV) $(BIN)/lms content sync

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/bandit -q -r lms -ll

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## migration: autogenerate a migration after changing models (make migration m="add x")
migration: $(STAMP)
	$(DEV_ENV) $(BIN)/lms db migrate -m "$(m)"

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache *.egg-info $(MO_FILES)
