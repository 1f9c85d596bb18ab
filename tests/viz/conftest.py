"""Shared fixtures of the viz tests: tiny inputs, headless matplotlib."""

import os

import numpy as np
import pytest

try:  # tfaug.viz draws on Agg canvases itself; keep any pyplot use headless too
    import matplotlib
    matplotlib.use("Agg")
except ImportError:  # pragma: no cover
    pass


@pytest.fixture
def images():
    """Four 16x16 RGB uint8 images with distinct columns (a flip is visible)."""
    rng = np.random.RandomState(0)
    return rng.randint(0, 256, size=(4, 16, 16, 3)).astype(np.uint8)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Runs the test in an empty folder (a default ``path`` lands there)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def listing(folder):
    """Every file under ``folder`` (relative names), temporary ones included."""
    return sorted(os.path.relpath(os.path.join(d, f), folder)
                  for d, _, files in os.walk(folder) for f in files)
