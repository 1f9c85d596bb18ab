"""Other Keras backends: under ``KERAS_BACKEND=jax`` or ``KERAS_BACKEND=torch``
every layer, composition and policy works in a ``tf.data`` map without explicit
seeds, ``tfaug.data.Pipeline`` works, strength changes between epochs take
effect, and a tfaug layer placed in a JAX or torch model fails when the model is
built with an error that says to run it in tf.data. Runs in a subprocess (the
backend is chosen at import).

The layers alternate between the two backends (sorted by name: even ones under
JAX, odd ones under torch): what a backend changes for tfaug is the same for
every layer (where Keras keeps variables, what a model's tensors are), so every
layer runs under a non-TensorFlow backend and both backends run half of them,
the pipeline and the model check, in half the time of running all under both."""

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

SCRIPT = r'''
KERAS_MODEL_CASES = {"ContextualReplace"}  # holds a Keras masked LM (a JAX/torch model)
import numpy as np
import keras
import tensorflow as tf
import tfaug
from tests import harness

import sys
part, parts, backend = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
assert keras.backend.backend() == backend, keras.backend.backend()
# As in the TF-backend suite (tests/conftest.py): the question here is state and
# seeds under JAX, not XLA; one XLA compile per layer would double the time.
tfaug.core.set_auto_compile(False)
done, identity, skipped = [], [], []
for name, case in sorted(harness.discover_cases().items())[part::parts]:
    if name in KERAS_MODEL_CASES:  # the case builds a Keras model: a JAX model here
        skipped.append(name)
        continue
    layer = case.make()
    inputs = harness.make_inputs(case, tf.float32, dict_inputs=case.needs_labels)
    ds = tf.data.Dataset.from_tensors(inputs).repeat(2).map(lambda x: layer(x))
    first, second = [harness.to_numpy(b) for b in ds]  # no seed: the layer's own state
    harness.check_output(case, inputs, tf.nest.map_structure(tf.constant, first))
    if case.random and not case.grows_batch:
        assert not np.array_equal(harness.images_of(first), harness.images_of(second)), name
    # A strength change reaches the already built pipeline.
    layer.set_strength(0.0)
    if not (layer.changes_size or case.grows_batch or case.modality == "text"):
        out = harness.to_numpy(next(iter(ds)))
        np.testing.assert_allclose(harness.images_of(out),
                                   harness.to_numpy(harness.images_of(inputs)),
                                   atol=1e-3, err_msg=name)
        identity.append(name)
    done.append(name)

images = np.random.default_rng(0).uniform(0, 255, (8, 16, 16, 3)).astype("float32")
labels = np.arange(8) % 2
aug = tfaug.Sequence([tfaug.image.RandomFlip(), tfaug.RandAugment()])
pipe = tfaug.data.Pipeline.from_tensors(images, labels).batch(4).augment(aug, seed=1)
batches = list(pipe.build())
assert len(batches) == 2 and batches[0][0].shape == (4, 16, 16, 3)
try:
    keras.Sequential([keras.Input((16, 16, 3)), tfaug.image.RandomFlip()])
except RuntimeError as err:
    assert "tf.data" in str(err) and "augment_on" in str(err), err
else:
    raise AssertionError(f"a tfaug layer inside a {backend} model did not raise")
print("OK", len(done), len(identity))
'''


@pytest.mark.parametrize("part, backend", enumerate(["jax", "torch"]))
def test_every_layer_in_tf_data_under_another_backend(part, backend):
    pytest.importorskip(backend)
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu", CUDA_VISIBLE_DEVICES="")
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(part), "2", backend], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    ok = [line for line in result.stdout.splitlines() if line.startswith("OK")]
    assert ok, result.stdout[-2000:]
    _, done, identity = ok[-1].split()
    assert int(done) >= 34 and int(identity) >= 20, ok[-1]
