# The two README commands: `make run` and `make test`.
# Both create .venv/ on first use and install the project (editable) with its dependencies and
# its `test` and `slurm` extras.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORES  ?= all

.PHONY: setup run test clean-results

setup: $(STAMP)

# Reinstall when the dependency list changes.
$(STAMP): pyproject.toml setup.py workflow/gainflow/_kernels.c
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gainflow needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,slurm]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --configfile config/config.yaml

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean-results:
	rm -rf results/* .snakemake
	touch results/.gitkeep
