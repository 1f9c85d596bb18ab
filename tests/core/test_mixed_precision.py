"""Mixed precision: every layer and policy runs under ``mixed_float16`` and
``mixed_bfloat16`` (in ``tf.data``, called directly and in ``model.fit``) and
returns floating data in the policy's compute dtype."""

import contextlib

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tests import harness

CASES = harness.discover_cases()
NAMES = sorted(n for n, c in CASES.items() if c.modality != "text")


@contextlib.contextmanager
def global_policy(name):
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(name)
    try:
        yield tf.as_dtype(keras.mixed_precision.global_policy().compute_dtype)
    finally:
        keras.mixed_precision.set_global_policy(previous)


def _check(case, inputs, out, compute):
    main_in, main_out = harness.images_of(inputs), harness.images_of(out)
    assert main_out.dtype == (compute if main_in.dtype.is_floating else main_in.dtype), (
        main_out.dtype, compute)
    assert np.all(np.isfinite(tf.cast(main_out, tf.float32).numpy()))


@pytest.mark.parametrize("name", NAMES)
def test_every_layer_in_tf_data_under_mixed_float16(name):
    case = CASES[name]
    with global_policy("mixed_float16") as compute:
        layer = case.make()
        inputs = harness.make_inputs(case, tf.float32, dict_inputs=case.needs_labels)
        ds = tf.data.Dataset.from_tensors(inputs).map(
            lambda x: layer(x, training=True, seed=harness.SEED))
        out = next(iter(ds))
    _check(case, inputs, out, compute)


@pytest.mark.parametrize("name", NAMES)
def test_every_layer_called_directly_under_mixed_bfloat16(name):
    case = CASES[name]
    with global_policy("mixed_bfloat16") as compute:
        layer = case.make()
        inputs = harness.make_inputs(case, tf.float32, dict_inputs=case.needs_labels)
        out = layer(inputs, seed=harness.SEED)
        # bfloat16 images are read under value_range like float32 ones.
        if case.modality == "image" and not layer.changes_size:
            same = layer(tf.nest.map_structure(
                lambda t: tf.cast(t, tf.bfloat16) if t.dtype == tf.float32 else t, inputs),
                training=False)
            assert harness.images_of(same).dtype == tf.bfloat16
    _check(case, inputs, out, compute)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_fit_with_augmentation_in_the_model(policy):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (16, 16, 16, 3)).astype("float32")
    y = np.arange(16) % 2
    with global_policy(policy) as compute:
        for aug in (tfaug.image.RandomRotation(0.1), tfaug.RandAugment(),
                    tfaug.Sequence([tfaug.image.RandomFlip(),
                                    tfaug.image.RandomContrast(0.2)])):
            model = keras.Sequential([keras.Input((16, 16, 3)), aug,
                                      keras.layers.Conv2D(4, 3),
                                      keras.layers.GlobalAveragePooling2D(),
                                      keras.layers.Dense(2, dtype="float32")])
            model.compile("adam", keras.losses.SparseCategoricalCrossentropy(
                from_logits=True))
            history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
            assert np.isfinite(history.history["loss"][0])
            assert aug(tf.constant(x), training=True).dtype == compute
