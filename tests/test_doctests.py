"""Every ``>>>`` example in tfaug's docstrings runs, as a doctest.

The modules are found by walking the ``tfaug/`` source tree for files holding
``>>>``, so a new module's examples run without an entry here; one test item
per module (the suite runs them on several workers). Each docstring's examples
run in a fresh working directory (they write files) with the module's globals
plus ``tf``, ``np``, ``keras`` and ``tfaug``. An example that cannot run small
(an external program, a server that blocks, a benchmark) carries
``# doctest: +SKIP`` and says why in the text above it.
"""

import doctest
import importlib
import importlib.util
import pathlib
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfaug

PACKAGE = pathlib.Path(tfaug.__file__).resolve().parent
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
GLOBALS = {"tf": tf, "np": np, "keras": keras, "tfaug": tfaug}
# Optional dependencies (extras) the examples of a module use: its own package,
# or a name its examples mention.
EXTRAS = {"tensorflow_text": re.compile(r"^tfaug\.text\b|tfaug\.text\.[A-Z]"),
          "matplotlib": re.compile(r"^tfaug\.viz\b|tfaug\.viz\.|AugmentationPreview")}


def _modules():
    """``{module name: the example lines of its source}`` for every file with ``>>>``."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if line.lstrip().startswith((">>>", "..."))]
        if not any(line.lstrip().startswith(">>>") for line in lines):
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = "\n".join(lines)
    return found


MODULES = _modules()


def test_the_walk_finds_every_modality():
    for name in ("tfaug.core.registry", "tfaug.image.geometric", "tfaug.audio.ops.spectral",
                 "tfaug.text.eda", "tfaug.tabular.ops.smote", "tfaug.policies.io",
                 "tfaug.data.pipeline", "tfaug.export.saved_model", "tfaug.viz"):
        assert name in MODULES
    assert len(MODULES) > 60


@pytest.mark.parametrize("name", sorted(MODULES))
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    for package, pattern in EXTRAS.items():
        if pattern.search(name) or pattern.search(MODULES[name]):
            if importlib.util.find_spec(package) is None:
                pytest.skip(f"the examples of {name} need {package} (an extra)")
    module = importlib.import_module(name)
    tests = [t for t in doctest.DocTestFinder(exclude_empty=True).find(
        module, name, extraglobs=GLOBALS) if t.examples]
    examples = sum(len(t.examples) for t in tests)
    written = MODULES[name].count(">>>")
    # Examples outside the docstrings doctest reads (a nested function's, a
    # comment) would silently never run.
    assert examples == written, (f"{name}: {written} '>>>' lines but doctest finds "
                                 f"{examples} examples; put examples in the docstrings "
                                 "of the module and its top-level classes and functions")
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    report = []
    for test in tests:
        folder = tmp_path / test.name
        folder.mkdir()
        monkeypatch.chdir(folder)
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
