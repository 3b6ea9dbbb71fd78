# The two set-up commands: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   ?= .demo
# cfn-lint, sam and checkov, apart from the project's own environment.
CFN_VENV := .venv-cfn

.PHONY: demo test lint types unit suite templates e2e clean build-PackageLayer

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/vpc-cidr-analysis demo --out $(DEMO)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(VENV)/.installed-dev
	$(BIN)/mypy

# pytest on every core (pytest-xdist): `make unit` is the quick loop (pure tests only), `suite`
# runs every tier (unit, integration, functional; its `sam build` test uses the cfn tools).
PYTEST := $(BIN)/pytest -n auto

unit: $(VENV)/.installed-dev
	$(PYTEST) tests/unit

suite: $(VENV)/.installed-dev $(CFN_VENV)/.installed
	$(PYTEST)

# Template checks: generated files up to date, cfn-lint, sam validate --lint, checkov.
TEMPLATES := template/template.yaml template/console/vpc-cidr-analysis.yaml

$(CFN_VENV)/.installed: template/requirements-cfn.txt
	$(PYTHON) -m venv $(CFN_VENV)
	$(CFN_VENV)/bin/pip install --quiet -r template/requirements-cfn.txt
	touch $@

templates: $(VENV)/.installed-dev $(CFN_VENV)/.installed
	$(BIN)/python scripts/build_console_template.py --check
	$(CFN_VENV)/bin/cfn-lint $(TEMPLATES)
	for t in $(TEMPLATES); do \
	  SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 $(CFN_VENV)/bin/sam validate --lint -t $$t || exit 1; \
	done
	$(CFN_VENV)/bin/checkov --quiet --compact --skip-download --framework cloudformation \
	  $(foreach t,$(TEMPLATES),-f $(t))

test: lint types suite templates

# The live-account suite (tests/e2e): deploys a fresh stack with SAM, checks it, deletes it.
# Without AWS credentials it prints what it would do and exits 2.
e2e: $(VENV)/.installed-dev $(CFN_VENV)/.installed
	PATH="$(CURDIR)/$(CFN_VENV)/bin:$$PATH" $(BIN)/python tests/e2e/run.py

clean:
	rm -rf $(VENV) $(CFN_VENV) $(DEMO) $(DEMO)-tgw .pytest_cache .mypy_cache .ruff_cache

# `sam build` runs this for the stack's PackageLayer (BuildMethod: makefile, in source): the
# package modules the functions import, under python/ as Lambda layers need. Standard library
# only, so it needs no virtual environment.
build-PackageLayer:
	$(PYTHON) scripts/lambda_closure.py functions/*/app.py --out "$(ARTIFACTS_DIR)/python"
