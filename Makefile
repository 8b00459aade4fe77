# Two commands on a fresh machine with Python 3 and make: `make preview` and `make test`.
STACK ?= dev
REPORT ?=
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEPS := $(VENV)/.installed

.PHONY: preview plan test typecheck snapshot bench clean

# requirements-dev.txt includes requirements.txt; both apply constraints.txt (exact versions).
$(DEPS): requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## Offline preview of a stack under Pulumi's mock runtime: make preview [STACK=prod] [REPORT=prod.json]
preview: $(DEPS)
	$(BIN)/python -m offline.preview --stack $(STACK) $(if $(REPORT),--json $(REPORT))

## Every stack file checked together: the organisation's address map, non-zero on an overlap between stacks.
plan: $(DEPS)
	$(BIN)/python -m offline.orgplan

## Every test, then the type check of the SDK arguments.
test: $(DEPS)
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory typecheck

typecheck: $(DEPS)
	$(BIN)/mypy

## Evaluation cost at 1-500 spokes against SDK baselines, plan-check time, critical path (15-20 min).
bench: $(DEPS)
	$(BIN)/python -m offline.bench

## Refresh the replacement guard's snapshots (tests/snapshots/) after a deliberate change.
snapshot: $(DEPS)
	$(BIN)/python -m offline.snapshot --write

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
