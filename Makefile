# Two commands on a fresh machine with Python 3.11 and make:
#   make book   set up .venv if needed, build the site strictly, print its path
#   make test   set up .venv if needed, run every test (unit, nbval strict), build strictly
# `make help` lists every target.
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
# The Jupyter kernel of the book, installed into .venv (chapters' kernelspec).
KERNEL := wdbook
KERNEL_DISPLAY := Python 3 (Weight Decay book)
# BLAS threads of the second notebook pass of `make test`.
THREADS2 ?= 2

.PHONY: env kernel book book-only stale test lint lint-only unit notebooks nbtest nbtest2 \
        nbtest2-only lab \
        pdf coursepack coursepack-test bench mutate lock clean help

help:
	@echo "make book        build the site into _build/html (strict; warns on stale chapters)"
	@echo "                 with the course pack (a .zip on the site) and the PDF link"
	@echo "make test        strict build, ruff, unit tests + doctests + nbval (strict) over every"
	@echo "                 chapter with 1 BLAS thread, then nbval again with $(THREADS2) threads"
	@echo "make lab         open the chapters in JupyterLab (kernel '$(KERNEL)')"
	@echo "make pdf         the whole book as one PDF: _build/pdf/weight-decay-deep-linear.pdf"
	@echo "make coursepack  only the course pack: _build/coursepack/*.zip"
	@echo "make coursepack-test  install the course pack into a fresh venv from the"
	@echo "                 registry, as its README says, and run a chapter (minutes)"
	@echo "make notebooks   re-execute chapters in place and stamp them (NB=book/x.ipynb for one)"
	@echo "make stale       list chapters whose outputs are older than wdlib or their code"
	@echo "make nbtest      nbval (strict) on NB=... (1 BLAS thread); nbtest2: with $(THREADS2)"
	@echo "make unit        unit tests and doctests only (tests/)"
	@echo "make lint        ruff check wdlib tests tools _ext"
	@echo "make kernel      (re)install the Jupyter kernel '$(KERNEL)' into .venv"
	@echo "make env         create or update .venv from requirements.txt + constraints.txt"
	@echo "make mutate       mutation testing of the mathematical modules of wdlib with mutmut;"
	@echo "                 report in _build/mutation/ (tens of minutes; MUTANTS='wdlib.scalar*')"
	@echo "make bench       benchmarks (benchmarks/run.py; results in _build/bench/)"
	@echo "make lock        rewrite constraints.txt from the environment"
	@echo "make clean       remove _build"

env: $(STAMP)

# (Re)create the environment when it is missing or older than its requirements.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "$(KERNEL_DISPLAY)"
	@touch $(STAMP)

kernel: $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "$(KERNEL_DISPLAY)"

book: $(STAMP) book-only

# Stale chapters are reported (not fatal here: `make test` re-executes and fails).
stale:
	@$(BIN)/python tools/nbmeta.py check book/*.ipynb

book-only: stale
	$(BIN)/python tools/coursepack.py
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo "The book: file://$(CURDIR)/_build/html/index.html"

coursepack: $(STAMP)
	$(BIN)/python tools/coursepack.py

# The course pack installed exactly as its README says (downloads; minutes).
coursepack-test: coursepack
	WDBOOK_COURSEPACK_FULL=1 $(BIN)/python -m pytest tests/test_coursepack.py -q

# The strict build comes first so that the browser test (tests/test_site.py)
# opens the site just built from the committed outputs that nbval then checks.
# Then every chapter is checked a second time with $(THREADS2) BLAS threads.
test: $(STAMP)
	$(MAKE) --no-print-directory book-only
	$(MAKE) --no-print-directory lint-only
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --durations=15
	$(MAKE) --no-print-directory nbtest2-only

# lint-only and nbtest2-only need no environment check: `test` calls them after its own.
lint: $(STAMP) lint-only

lint-only:
	$(BIN)/ruff check wdlib tests tools _ext

unit: $(STAMP)
	$(BIN)/python -m pytest tests -n $(JOBS) --dist loadfile

nbtest: $(STAMP)
	$(BIN)/python -m pytest $(NB) -n $(JOBS) --dist loadfile

nbtest2: $(STAMP) nbtest2-only

nbtest2-only:
	OMP_NUM_THREADS=$(THREADS2) OPENBLAS_NUM_THREADS=$(THREADS2) MKL_NUM_THREADS=$(THREADS2) \
	  $(BIN)/python -m pytest $(NB) -n $(JOBS) --dist loadfile -q

# Execute through the book's kernel, merge streams, record the hashes (stale check).
notebooks: $(STAMP)
	@for nb in $(NB); do \
	  echo "executing $$nb"; \
	  $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=$(KERNEL) "$$nb"; \
	  $(BIN)/jupyter nbconvert --to notebook --inplace --log-level=WARN \
	    --CoalesceStreamsPreprocessor.enabled=True "$$nb"; \
	  $(BIN)/python tools/nbmeta.py stamp "$$nb"; \
	done

# JupyterLab on the chapters (the classic interface: `.venv/bin/jupyter notebook book/`).
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=book

# One PDF of the whole book: a single-page HTML build printed by headless Chromium.
# (`make book` afterwards links the PDF from every page.)
pdf: $(STAMP)
	$(BIN)/python tools/pdf.py
	$(BIN)/python -m pytest tests/check_pdf.py -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Record the exact versions of this environment (commit the result).
# Mutation testing (mutmut; scope and tests in pyproject.toml [tool.mutmut]).
# mutmut keeps its results in mutants/ and re-checks only what changed; delete
# mutants/ for a run from scratch. The report fails below a 95% kill rate.
MUTANTS ?=
mutate: $(STAMP)
	@mkdir -p _build/mutation
	@echo "mutmut run (log: _build/mutation/run.log) ..."
	@start=$$(date +%s); \
	  $(BIN)/mutmut run --max-children $(JOBS) $(MUTANTS) > _build/mutation/run.log 2>&1 \
	    || echo "mutmut run exited with status $$?"; \
	  $(BIN)/python tools/mutation_report.py --seconds $$(( $$(date +%s) - start ))

lock: $(STAMP)
	{ echo "# Exact versions of the environment the committed outputs and CI were made with."; echo "# make installs requirements.txt with -c constraints.txt; make lock rewrites this file."; $(BIN)/python -m pip freeze --exclude-editable | grep -v "^-e "; } > constraints.txt.new && mv constraints.txt.new constraints.txt

clean:
	rm -rf _build
