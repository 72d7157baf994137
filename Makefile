# The hall's two commands: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install lint bench messages

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet ".[dev]"
	touch $@

install: $(BIN)/.installed

# Served as a real intranet install would be: DEBUG off, a secret key made once in var/, static
# files by WhiteNoise, the hall's own error pages. `DJANGO_DEBUG=1 make run` for Django's debug pages.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@# Without a broker, a ticker in the background does what celery beat does: reminders and
	@# the message outbox, every minute. It stops with the server.
	@# Beside it the demo's finance system of record (a local receiver of the approved requests,
	@# FINANCE_RECEIVER_ENABLED=0 to switch it off; on a busy FINANCE_RECEIVER_PORT it says so and
	@# the hall still starts, the requests waiting in its outbox) and the data-transference sender.
	$(BIN)/python manage.py tick --loop & TICK=$$!; \
	  $(BIN)/python manage.py finance_receiver & RECEIVER=$$!; \
	  $(BIN)/python manage.py research_transfers --loop & TRANSFERS=$$!; \
	  trap 'kill $$TICK $$RECEIVER $$TRANSFERS 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:8000

# One process per core (four at most), each with its own test database and Redis database; a
# file's tests stay in one process, so a module's fixtures are built once.
test: install
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	$(BIN)/python tests/bench/catalogue_bench.py

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=tests
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv
