"""The public fallbacks of tfaug's three guarded private TensorFlow/Keras imports.

Each private module may be missing or renamed in another TensorFlow or Keras
version; tfaug then takes a public path. These tests take that path by
monkeypatching the private import away and check it gives what the private
path gives:

* ``keras.src.backend.common.global_state`` (which layer started a call):
  the Python stack instead -- a layer called directly augments, inside a
  Keras model called without ``training`` it does not;
* ``tensorflow.python...control_flow_util`` (inside ``jit_compile``?): tfaug's
  own record of the XLA programs it traces -- the same ops, the same output;
* ``tensorflow.compiler.tf2xla`` (XLA's windowed gather): a per-pixel
  ``tf.gather`` -- the same pixels.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug.core import base, xla
from tfaug.image.ops import affine

SEED = tf.constant([7, 11], tf.int64)


@pytest.fixture(params=["private", "fallback"])
def call_state(request, monkeypatch):
    """Runs a test with Keras' private call state, then without it."""
    if request.param == "private":
        if base._keras_state is None:
            pytest.skip("this Keras version has no private call state")
    else:
        monkeypatch.setattr(base, "_keras_state", None)
    return request.param


class _Outer(keras.layers.Layer):
    """A plain Keras layer around a tfaug layer (training left unset)."""

    def __init__(self, inner, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner

    def call(self, x):
        return self.inner(x)


def _images():
    return tf.constant(np.random.default_rng(0).uniform(0, 255, (4, 16, 16, 3)),
                       tf.float32)


def test_keras_call_context_fallback(call_state):
    x = _images()
    aug = tfaug.Sequence([tfaug.image.RandomRotation(0.3, seed=1),
                          tfaug.image.RandomContrast(0.5, seed=2)], seed=3)
    # Called directly without training (also inside a composition and a
    # tf.data map): the training path, the same draws as training=True.
    np.testing.assert_array_equal(aug(x, seed=SEED).numpy(),
                                  aug(x, training=True, seed=SEED).numpy())
    mapped = next(iter(tf.data.Dataset.from_tensors(x).map(lambda t: aug(t))))
    assert not np.allclose(mapped.numpy(), x.numpy(), atol=1e-3)
    # Started by a non-tfaug layer or model, training unset: unaugmented.
    np.testing.assert_array_equal(_Outer(aug)(x).numpy(), x.numpy())
    inputs = keras.Input((16, 16, 3))
    model = keras.Model(inputs, aug(inputs))
    np.testing.assert_array_equal(model(x).numpy(), x.numpy())
    np.testing.assert_array_equal(model.predict(x, verbose=0), x.numpy())
    assert not np.allclose(model(x, training=True).numpy(), x.numpy(), atol=1e-3)


def test_entry_layer_on_stack_is_the_outermost_layer():
    seen = []

    class Spy(keras.layers.Layer):
        def call(self, x):
            seen.append(base._entry_layer_on_stack())
            return x

    spy = Spy()
    outer = _Outer(spy)
    spy(tf.zeros([1]))
    outer(tf.zeros([1]))
    assert seen == [spy, outer]
    assert base._entry_layer_on_stack() is None


@pytest.fixture(params=["private", "fallback"])
def xla_test(request, monkeypatch):
    """Runs a test with TensorFlow's private XLA-context test, then without it."""
    if request.param == "private":
        if xla._tf_cfu is None:
            pytest.skip("this TensorFlow version has no private XLA-context test")
    else:
        monkeypatch.setattr(xla, "_tf_cfu", None)
    return request.param


def test_in_xla_context_fallback(xla_test):
    seen = {}

    def probe(name):
        def fn(t):
            seen[name] = xla.in_xla_context()
            return t + 1.0
        return fn

    one = tf.ones([2])
    probe("eager")(one)
    tf.function(probe("graph"))(one)
    inner = tf.function(probe("nested"))
    xla.jit(lambda t: inner(t) * 2.0)(one)
    xla.jit(probe("jit"))(one)
    assert seen == {"eager": False, "graph": False, "nested": True, "jit": True}


def test_compiled_layer_output_is_the_same_without_the_private_test(monkeypatch):
    # RandomRotation runs the ImageProjectiveTransformV3 kernel outside XLA and
    # a gather resampler inside: the fallback must pick the same one.
    x = _images()

    def run():
        layer = tfaug.image.RandomRotation(0.3, seed=1)
        with xla.auto_compile_scope(True):
            direct = layer(x, training=True, seed=SEED)
            # Inside a user's own jit_compile function the layer's call is
            # still one of tfaug's programs.
            wrapped = tf.function(lambda t: layer(t, training=True, seed=SEED),
                                  jit_compile=True)(x)
        assert xla.programs(layer), "the call was not compiled"
        return direct.numpy(), wrapped.numpy()

    private = run()
    monkeypatch.setattr(xla, "_tf_cfu", None)
    fallback = run()
    np.testing.assert_array_equal(fallback[0], private[0])
    np.testing.assert_allclose(fallback[1], private[1], atol=1e-4)
    assert not np.allclose(private[0], x.numpy(), atol=1e-3)


@pytest.mark.parametrize("axis", [1, 2])
def test_windowed_gather_fallback_reads_the_same_pixels(axis, monkeypatch):
    if affine._tfxla is None:
        pytest.skip("this TensorFlow version has no tf2xla module: the fallback is the path")
    x = tf.constant(np.random.default_rng(1).uniform(0, 1, (3, 8, 12, 2)), tf.float32)
    lines = x.shape[3 - axis]
    offsets = tf.constant(np.random.default_rng(2).uniform(-4, 4, (3, lines)), tf.float32)

    def fn(t, o):
        out = affine.shift_lines(t, o, axis, "bilinear", 0.25)
        # Static shape kept (TensorFlow 2.16's XlaGather infers none).
        assert out.shape == t.shape, out.shape
        return out

    windowed = tf.function(fn, jit_compile=True)(x, offsets).numpy()
    monkeypatch.setattr(affine, "_tfxla", None)
    per_pixel = tf.function(fn, jit_compile=True)(x, offsets).numpy()
    np.testing.assert_allclose(per_pixel, windowed, atol=1e-6)
    assert not np.allclose(per_pixel, x.numpy(), atol=1e-3)
