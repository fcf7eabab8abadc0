# Fazhi: `make run` serves the demo, `make test` runs every check. Both set themselves up.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_WORKERS ?= 2
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
export DJANGO_SETTINGS_MODULE ?= fazhi.settings.dev

.PHONY: run test lint check-deploy bench messages install clean help

help:
	@echo "make run    - install, migrate, load the demo agency and serve http://$(HOST):$(PORT)"
	@echo "make test   - install test tools (Chromium, CJK fonts), lint and run the whole suite"
	@echo "make lint   - ruff, migrations check, deploy check"
	@echo "make bench  - benchmarks (results go to docs/performance.md by hand)"

$(STAMP): pyproject.toml constraints.txt
	@scripts/ensure-venv.sh "$(PYTHON)" "$(VENV)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

install: $(STAMP)

run: $(STAMP)
	@scripts/system-deps.sh --runtime
	@mkdir -p var
	$(BIN)/fazhi migrate --noinput
	$(BIN)/fazhi calendar import
	$(BIN)/fazhi demo
	$(BIN)/fazhi collectstatic --noinput --verbosity 0
	@echo "Fazhi 已启动：http://$(HOST):$(PORT)/  （工作台：http://$(HOST):$(PORT)/staff/）"
	$(BIN)/gunicorn fazhi.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--access-logfile - --forwarded-allow-ips=127.0.0.1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env -u FAZHI_TEST_DATABASE_URL DJANGO_SETTINGS_MODULE=fazhi.settings.test $(BIN)/fazhi makemigrations --check --dry-run
	@$(MAKE) --no-print-directory check-deploy

# The deploy check runs under production settings with throwaway values.
check-deploy: $(STAMP)
	DJANGO_SETTINGS_MODULE=fazhi.settings.production \
	FAZHI_SECRET_KEY="$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')" \
	FAZHI_ALLOWED_HOSTS=fazhi.example.gov.cn \
	FAZHI_DATABASE_URL=sqlite:///tmp/fazhi-check.sqlite3 \
	FAZHI_IDENTITY_KEY="$$(head -c 32 /dev/urandom | base64)" \
	$(BIN)/fazhi check --deploy --fail-level WARNING

test: $(STAMP)
	@scripts/system-deps.sh
	@$(MAKE) --no-print-directory lint
	# Two workers for the suite without a browser (each has its own test database); the
	# browser tests run after, one at a time, so Chromium never competes for the two cores.
	DJANGO_SETTINGS_MODULE=fazhi.settings.test $(BIN)/pytest -n $(TEST_WORKERS) -m "not browser" $(PYTEST_ARGS)
	DJANGO_SETTINGS_MODULE=fazhi.settings.test $(BIN)/pytest -p no:xdist -m browser $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

messages: $(STAMP)
	$(BIN)/fazhi makemessages --locale en --no-obsolete --ignore '.venv/*' --ignore 'var/*' \
		--ignore 'fazhi/testing/*' --ignore 'tests/*' --ignore 'bench/*' 
	$(BIN)/fazhi compilepo

clean:
	rm -rf $(VENV) var/static
