# orderflow: two commands on a fresh machine (`make demo`, `make test`).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: demo test lint typecheck pytest docs bench campaign clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m orderflow demo

lint: $(STAMP)
	$(BIN)/ruff check src tests examples bench tools conftest.py
	$(BIN)/ruff format --check src tests examples bench tools conftest.py

typecheck: $(STAMP)
	$(BIN)/mypy --strict src tests tools conftest.py

pytest: $(STAMP)
	$(BIN)/pytest

# The site from docs/ into site/; strict: a broken link, a missing reference or a page marker
# that cannot be generated (tools/mkdocs_hooks.py) fails the build.
docs: $(STAMP)
	$(BIN)/mkdocs build --strict

test: lint typecheck pytest docs

bench: $(STAMP)
	$(BIN)/python bench/run.py

campaign: $(STAMP)
	$(BIN)/python -m tests.integration.campaign --flows 20000
	$(BIN)/python -m tests.integration.campaign --flows 2000 --backend sqlite
	$(BIN)/python -m tests.integration.campaign_sigkill --flows 300

clean:
	rm -rf $(VENV) build dist site .mypy_cache .pytest_cache .ruff_cache .hypothesis
