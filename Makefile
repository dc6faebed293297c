# COCO4CCI Academy. `make run` to try it, `make test` to test it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_ENV := LMS_ENV=development

.PHONY: run serve test test-postgres fuzz bandit bench bench-postgres bench-dashboard bench-content setup check-content sync-content lint format migration clean

# The server that `make test-postgres` creates its throwaway database on.
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
PG_STAMP := $(VENV)/.installed-postgres

$(STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## setup: create .venv, install, migrate the database, publish content/, create demo accounts
setup: $(STAMP)
	$(DEV_ENV) $(BIN)/lms db upgrade
	$(DEV_ENV) $(BIN)/lms content sync
	$(DEV_ENV) $(BIN)/lms demo create

## run: everything in setup, then serve on http://127.0.0.1:5000 with live content preview
run: setup
	$(DEV_ENV) $(BIN)/lms run --debug --host 127.0.0.1 --port 5000

## serve: production server (gunicorn, lms/gunicorn_conf.py); set LMS_SECRET_KEY first
serve: $(STAMP)
	$(BIN)/lms db upgrade
	$(BIN)/lms content sync
	$(BIN)/lms serve

## test: the whole suite (SQLite), then bandit
test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory bandit

## bandit: static security checks of lms/; any finding of medium severity or higher fails
bandit: $(STAMP)
	$(BIN)/bandit -q -r lms -ll

## fuzz: the hostile-input tests with thousands of examples (>= 10,000 requests; a few minutes)
fuzz: $(STAMP)
	LMS_FUZZ_PROFILE=fuzz-long $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/fuzz tests/content/test_hostile_files.py tests/content/test_render.py

$(PG_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,postgres,redis]'
	@touch $(PG_STAMP)

## test-postgres: the whole suite on PostgreSQL (needs a server; says so when none answers)
test-postgres: $(PG_STAMP)
	LMS_TEST_DATABASE_URL='$(TEST_POSTGRES_URL)' $(BIN)/python -m pytest -q

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

## check-content: validate content/ with path:line messages
check-content: $(STAMP)
	$(BIN)/lms content check content

sync-content: $(STAMP)
	$(DEV_ENV) $(BIN)/lms content sync

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r lms -ll

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## migration: autogenerate a migration after changing models (make migration m="add x")
migration: $(STAMP)
	$(DEV_ENV) $(BIN)/lms db migrate -m "$(m)"

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache *.egg-info
