"""Suite-wide settings.

Automatic XLA compilation of training calls (tfaug.core.set_auto_compile) is
turned off for the suite: every test builds fresh layers, and compiling each
one for every input signature would multiply the suite's time. The compiled
path is covered by test_harness.py::test_auto_compiled_call (every layer) and
the harness's explicit jit_compile mode.
"""

import pytest

from tfaug.core import set_auto_compile


@pytest.fixture(autouse=True)
def _no_auto_compile():
    previous = set_auto_compile(False)
    yield
    set_auto_compile(previous)
