# Everything a developer repeats. `make demo` and `make test` work on a fresh machine.
# `make demo` needs only the runtime pins (requirements.txt); `make check` and `make test`
# add the test and lint tools (requirements-dev.txt), `make bench` the peers it measures.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.dev-installed
BENCH_STAMP := $(VENV)/.bench-installed
# The fast loop (make check) leaves out what starts servers, browsers or many processes
# (marked slow), the Prefect harness runs, and the stress and gate modules that take tens
# of CPU seconds each; make test runs them all.
CHECK_SKIP := test_flows test_hostile_extract test_hostile_parse test_extract_properties \
	test_parse_gate test_process_runner
CHECK_ARGS ?= -m "not slow" -x $(foreach t,$(CHECK_SKIP),--ignore=tests/$(t).py)
PREFECT_PORT ?= 4200
# Only the server targets talk to a long-running Prefect server; demo and test use
# Prefect's temporary local one.
SERVER_TARGETS := server pool deploy worker trigger
$(SERVER_TARGETS): export PREFECT_API_URL ?= http://127.0.0.1:$(PREFECT_PORT)/api

.PHONY: venv dev demo check test lint bench report server pool deploy worker trigger clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-dev.txt
	touch $(DEV_STAMP)

$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-bench.txt
	touch $(BENCH_STAMP)

demo: $(STAMP)
	$(BIN)/aidetl demo

# lint + the unit tests, for the edit-test loop (under a minute)
check: lint
	$(BIN)/python -m pytest -q $(CHECK_ARGS)

# lint + every test (what CI runs)
test: lint
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -q

lint: $(DEV_STAMP)
	$(BIN)/ruff check src flows tests bench
	$(BIN)/ruff format --check src flows tests bench
	$(BIN)/mypy src flows/aidetl_flows bench

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

report: $(STAMP)
	$(BIN)/aidetl report --out report.html

# Run it on a Prefect server (see README): make server, make pool, make deploy, make worker, make trigger
server: $(STAMP)
	$(BIN)/prefect server start --host 127.0.0.1 --port $(PREFECT_PORT)

pool: $(STAMP)
	$(BIN)/prefect work-pool create aidetl-process --type process --overwrite

deploy: $(STAMP)
	PWD=$(CURDIR) $(BIN)/prefect --no-prompt deploy --all --prefect-file deploy/prefect.yaml

worker: $(STAMP)
	$(BIN)/prefect worker start --pool aidetl-process

trigger: $(STAMP)
	$(BIN)/prefect deployment run 'ingest/ingest-adhoc' $(if $(URL),--param 'urls=["$(URL)"]')

clean:
	rm -rf $(VENV) warehouse/*.duckdb warehouse/*.wal warehouse/raw warehouse/staging
