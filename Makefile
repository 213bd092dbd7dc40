# Tibao: the two commands are `make run` (portal with demo data) and `make test` (the suite).
# Everything runs from a virtualenv in .venv, created and kept up to date by these targets.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install: the install is re-run only when pyproject.toml is newer.
INSTALLED := $(VENV)/.installed
PYTEST_ARGS ?=

# Settings refuse to start without SECRET_KEY when DEBUG is off; the development targets run with
# DEBUG on (and a key generated under var/) unless the caller chose otherwise.
run test messages fuzz bench: export DEBUG ?= 1
# The deployment check is about production settings, so always with DEBUG off.
check-deploy: export DEBUG := 0

.PHONY: venv messages run test lint check-deploy fuzz bench

venv: $(INSTALLED)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -e ".[dev]"
	touch $(INSTALLED)

# Compile the .po catalogues to .mo (the .mo files are build output, not kept in git).
messages: venv
	@if find . \( -path ./$(VENV) -o -path ./node_modules \) -prune -o -name '*.po' -print | grep -q .; then \
		$(BIN)/python manage.py compilemessages --ignore=$(VENV) --ignore=node_modules; \
	else \
		echo "No translation catalogues (.po) yet: nothing to compile."; \
	fi

run: venv messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: venv messages
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Needs the production environment: SECRET_KEY (50+ characters) and ALLOWED_HOSTS at least.
check-deploy: venv
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Schemathesis against the API's own schema for longer than the suite does (examples per operation
# and a time budget in seconds; override either).
FUZZ_EXAMPLES ?= 50
FUZZ_SECONDS ?= 1800
fuzz: venv messages
	TIBAO_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) TIBAO_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/pytest -p no:cacheprovider -rx tests/config/test_schemathesis.py

# Every benchmark figure at SCALE elevators beside its limit, into bench/RESULTS.md (bench/run.py):
# a PostgreSQL database of its own (TIBAO_BENCH_DATABASE, default tibao_bench) is rebuilt first
# unless NO_SEED=1; ONLY=coverage,list runs some figures.
SCALE ?= 1000000
ONLY ?=
NO_SEED ?=
bench: venv messages
	$(BIN)/python bench/run.py --scale $(SCALE) $(if $(ONLY),--only $(ONLY)) $(if $(NO_SEED),--no-seed)
