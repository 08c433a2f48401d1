# One target per job. Every target builds the pinned environment first if it is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CORPUS ?= data
OUT ?= reports

export PYTHONHASHSEED := 0
export MPLBACKEND := Agg
export SOURCE_DATE_EPOCH := 0
# One BLAS thread per process: the suite already runs two processes on two
# cores, and oversubscribed OpenBLAS threads slow small SVDs a hundredfold.
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1

.PHONY: venv report test figures check-figures lab bench lint clean

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==26.3"
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --prefix $(VENV) --name newslib --display-name "newslib (project venv)" > /dev/null
	touch $(STAMP)

report: $(STAMP)
	$(VENV)/bin/newslib report --corpus $(CORPUS) --out $(OUT)

test: $(STAMP)
	$(VENV)/bin/ruff check newslib tests bench
	$(VENV)/bin/pytest -n 2 --doctest-modules newslib tests
	$(MAKE) --no-print-directory check-figures

figures: $(STAMP)
	$(VENV)/bin/newslib figures --corpus data --out figures

check-figures: $(STAMP)
	$(VENV)/bin/newslib figures --corpus data --out figures --check

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

bench: $(STAMP)
	$(PY) bench/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check newslib tests bench

clean:
	rm -rf $(VENV) reports .pytest_cache
