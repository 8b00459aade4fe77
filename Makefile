# Two commands on a fresh machine with Python 3 and make: `make preview` and `make test`.
STACK ?= dev
REPORT ?=
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEPS := $(VENV)/.installed

.PHONY: preview test typecheck snapshot bench clean

$(DEPS): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## Offline preview of a stack under Pulumi's mock runtime: make preview [STACK=prod] [REPORT=prod.json]
preview: $(DEPS)
	$(BIN)/python -m offline.preview --stack $(STACK) $(if $(REPORT),--json $(REPORT))

## Every test, then the type check of the SDK arguments.
test: $(DEPS)
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory typecheck

typecheck: $(DEPS)
	$(BIN)/mypy

## Whole-preview cost at 10-500 spokes against a verified bare program, linearity at 2,000 spokes (12-15 min; BENCH_QUICK=1: 2 min).
bench: $(DEPS)
	$(BIN)/python -m offline.bench

## Refresh the replacement guard's snapshots (tests/snapshots/) after a deliberate change.
snapshot: $(DEPS)
	$(BIN)/python -m offline.snapshot --write

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
