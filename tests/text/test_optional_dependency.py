"""TensorFlow Text is the ``[text]`` extra: ``import tfaug`` and the other
modalities work without it, and a text layer says which extra to install.
Runs in a subprocess where ``tensorflow_text`` cannot be imported."""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

SCRIPT = r'''
import sys
sys.modules["tensorflow_text"] = None  # as if it were not installed
import numpy as np
import tensorflow as tf
import tfaug
assert sys.modules["tensorflow_text"] is None  # nothing imported it
x = np.random.default_rng(0).uniform(0, 255, (2, 8, 8, 3)).astype("float32")
assert tfaug.image.RandomFlip()(x).shape == (2, 8, 8, 3)
assert tfaug.audio.Gain()(np.zeros((2, 800), "float32")).shape == (2, 800)
assert tfaug.tabular.GaussianNoise()(np.zeros((4, 3), "float32")).shape == (4, 3)
try:
    tfaug.text.RandomSwap(n=1)
except ImportError as err:
    assert 'pip install "tfaugment[text]"' in str(err), err
    print("OK")
else:
    raise AssertionError("a text layer was built without TensorFlow Text")
'''


def test_import_and_other_modalities_without_tensorflow_text():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0 and "OK" in result.stdout, (
        result.stdout[-2000:] + result.stderr[-4000:])
