# Two commands on a fresh machine with Python 3.11 and make:
#   make book   set up .venv if needed, build the site strictly, print its path
#   make test   set up .venv if needed, run every test (unit, nbval strict), build strictly
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Reproducible runs: fixed hashing and one BLAS thread (bitwise-stable sums)
# (no MPLBACKEND: notebooks need the inline backend for their figures).
export PYTHONHASHSEED := 0
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

JB_FLAGS := -W -n --keep-going --all
NB ?= $(wildcard book/*.ipynb)
JOBS ?= 2

.PHONY: env book book-only test unit notebooks nbtest bench lock clean help

help:
	@echo "make book       build the site into _build/html (strict)"
	@echo "make test       unit tests + nbval (strict) over every chapter + strict build"
	@echo "make notebooks  re-execute chapters in place (NB=book/x.ipynb for one)"
	@echo "make bench      benchmarks (benchmarks/run.py)"

env: $(STAMP)

# (Re)create the environment when it is missing or older than its requirements.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	@touch $(STAMP)

book: $(STAMP) book-only

book-only:
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo "The book: file://$(CURDIR)/_build/html/index.html"

# The strict build comes first so that the browser test (tests/test_site.py)
# opens the site just built from the committed outputs that nbval then checks.
test: $(STAMP)
	$(MAKE) --no-print-directory book-only
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --durations=15

unit: $(STAMP)
	$(BIN)/python -m pytest tests -n $(JOBS) --dist loadfile

nbtest: $(STAMP)
	$(BIN)/python -m pytest $(NB) -n $(JOBS) --dist loadfile

notebooks: $(STAMP)
	@for nb in $(NB); do \
	  echo "executing $$nb"; \
	  $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 "$$nb"; \
	  $(BIN)/jupyter nbconvert --to notebook --inplace --log-level=WARN \
	    --CoalesceStreamsPreprocessor.enabled=True "$$nb"; \
	done

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Record the exact versions of this environment (commit the result).
lock: $(STAMP)
	{ echo "# Exact versions of the environment the committed outputs and CI were made with."; echo "# make installs requirements.txt with -c constraints.txt; make lock rewrites this file."; $(BIN)/python -m pip freeze --exclude-editable | grep -v "^-e "; } > constraints.txt.new && mv constraints.txt.new constraints.txt

clean:
	rm -rf _build
