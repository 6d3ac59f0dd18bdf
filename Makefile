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
# With more than one BLAS thread (nbtest2, the chapters in `make test`), idle
# OpenBLAS threads sleep at once instead of spinning for ~0.1 s after each call,
# which on a busy 2-core machine doubled the CPU time of a chapter. The results
# do not depend on it (the split of the work depends on the thread count only).
export OPENBLAS_THREAD_TIMEOUT := 4
export PYDEVD_DISABLE_FILE_VALIDATION := 1

JB_FLAGS := -W -n --keep-going --all
NB ?= $(wildcard book/*.ipynb)
JOBS ?= 2
# The Jupyter kernel of the book, installed into .venv (chapters' kernelspec).
KERNEL := wdbook
KERNEL_DISPLAY := Python 3 (Weight Decay book)
# BLAS threads of the chapters' kernels in `make test` (and of `make nbtest2`).
THREADS2 ?= 2
# `make test` builds the site in the background: its output, then its exit status.
BUILD_LOG := _build/logs/book-build.log
BUILD_RC  := _build/logs/book-build.rc

.PHONY: env kernel book book-only stale test lint lint-only unit notebooks nbtest nbtest2 \
        nbtest2-only lab coursepack-only \
        pdf coursepack coursepack-test bench mutate lock clean help

help:
	@echo "make book        build the site into _build/html (strict; warns on stale chapters)"
	@echo "                 with the course pack (a .zip on the site) and the PDF link"
	@echo "make test        ruff, the strict build (in the background, log in $(BUILD_LOG)),"
	@echo "                 unit tests + doctests + nbval (strict) over every chapter, run"
	@echo "                 with $(THREADS2) BLAS threads against outputs made with 1, the built site"
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
	@echo "make mutate      mutation testing of the mathematical modules of wdlib with mutmut;"
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

coursepack: $(STAMP) coursepack-only

coursepack-only:
	$(BIN)/python tools/coursepack.py

# The course pack installed exactly as its README says (downloads; minutes).
coursepack-test: coursepack
	WDBOOK_COURSEPACK_FULL=1 $(BIN)/python -m pytest tests/test_coursepack.py -q

# One pytest session runs everything while the strict build (one core) runs in
# the background: unit tests, doctests, nbval (strict) over every chapter, and
# the tests that read the built site, which wait for the build (tests/_built.py).
# Files are handed to the workers longest first, in the order of conftest.py.
# The chapters' kernels run with $(THREADS2) BLAS threads (conftest.py) and their
# committed outputs were made with one (`make notebooks`): one nbval pass checks
# that each chapter reproduces its page and that no printed number depends on
# the thread count. A failed build fails `make test` (and the site tests).
test: $(STAMP)
	$(MAKE) --no-print-directory lint-only
	$(MAKE) --no-print-directory -j2 --output-sync=target stale coursepack-only
	@mkdir -p $(dir $(BUILD_LOG)); rm -f $(BUILD_RC); \
	echo "$(BIN)/jupyter-book build . $(JB_FLAGS) > $(BUILD_LOG) (in the background)"; \
	( set +e; $(BIN)/jupyter-book build . $(JB_FLAGS) > $(BUILD_LOG) 2>&1; \
	  echo $$? > $(BUILD_RC) ) & build=$$!; \
	tests=0; WDBOOK_BUILD_RC=$(CURDIR)/$(BUILD_RC) WDBOOK_KERNEL_BLAS_THREADS=$(THREADS2) \
	  $(BIN)/python -m pytest -n $(JOBS) --dist loadfile --no-loadscope-reorder \
	  --durations=15 || tests=$$?; \
	wait $$build; built=$$(cat $(BUILD_RC)); \
	if [ "$$built" = 0 ]; then \
	  echo "The book: file://$(CURDIR)/_build/html/index.html (build log: $(BUILD_LOG))"; \
	else \
	  grep -E "WARNING|ERROR|Error|Traceback" $(BUILD_LOG) | head -50 || true; tail -n 20 $(BUILD_LOG); \
	  echo "make test: the strict build failed (exit status $$built), see $(BUILD_LOG)"; \
	fi; \
	[ "$$tests" = 0 ] || echo "make test: pytest failed (exit status $$tests)"; \
	[ "$$tests" = 0 ] && [ "$$built" = 0 ]

# lint-only needs no environment check: `test` calls it after its own.
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
