# Two commands on a fresh machine with Python 3 and make: `make preview` and `make test`.
STACK ?= dev
REPORT ?=
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEPS := $(VENV)/.installed

.PHONY: preview plan test typecheck lint-workflows scan snapshot bench mutation clean

# requirements-dev.txt includes requirements.txt; both apply constraints.txt (exact versions).
$(DEPS): requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# checkov in its own venv: its pins would downgrade the program's packages.
SCAN_VENV := .venv-checkov
$(SCAN_VENV)/.installed: requirements-scan.txt
	$(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-scan.txt
	touch $@

## Offline preview of a stack under Pulumi's mock runtime: make preview [STACK=prod] [REPORT=prod.json|prod.md]
preview: $(DEPS)
	$(BIN)/python -m offline.preview --stack $(STACK) $(if $(REPORT),$(if $(filter %.md,$(REPORT)),--markdown,--json) $(REPORT))

## Every stack file checked together: the organisation's address map, non-zero on an overlap between stacks.
plan: $(DEPS)
	$(BIN)/python -m offline.orgplan

## Every test, then the type check of the SDK arguments.
test: $(DEPS)
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory typecheck lint-workflows scan

typecheck: $(DEPS)
	$(BIN)/mypy

## The workflows: zizmor's security audit (offline) and GitHub's workflow schema.
lint-workflows: $(DEPS)
	$(BIN)/zizmor --offline --quiet .github/workflows
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

## checkov's kubernetes checks over every rendered Kubernetes object of every shipped stack (offline/k8s_scan.py).
scan: $(DEPS) $(SCAN_VENV)/.installed
	$(BIN)/python -m offline.k8s_scan --checkov $(SCAN_VENV)/bin/checkov

## Whole-preview cost at 10-500 spokes against a verified bare program, linearity at 2,000 spokes (12-15 min; BENCH_QUICK=1: 2 min).
bench: $(DEPS)
	$(BIN)/python -m offline.bench

## Mutation score of config/ and components/ with mutmut (long: hours for all; narrow it, e.g. MUTANTS="config.topology*",
## or measure a seeded random sample: SAMPLE=600).
MUTANTS ?=
SAMPLE ?=
mutation: $(DEPS)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-mutation.txt
	rm -rf mutants
ifdef SAMPLE
	$(BIN)/mutmut run "config.azure.x_first_usable__mutmut_1" > /dev/null || true  # generates every mutant, maps tests
	$(BIN)/mutmut results --all true > mutants/all.txt
	$(BIN)/python -m offline.mutation --sample $(SAMPLE) < mutants/all.txt > mutants/sample.txt
	$(BIN)/mutmut run $$(cat mutants/sample.txt) > /dev/null || true
else
	$(BIN)/mutmut run $(MUTANTS) > /dev/null || true
endif
	$(BIN)/mutmut results --all true > mutants/results.txt || true
	$(BIN)/python -m offline.mutation

## Refresh the replacement guard's snapshots (tests/snapshots/) after a deliberate change.
snapshot: $(DEPS)
	$(BIN)/python -m offline.snapshot --write

clean:
	rm -rf $(VENV) $(SCAN_VENV) .pytest_cache .mypy_cache
