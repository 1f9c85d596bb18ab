"""Seeded random-composition sweep: any composition of a modality's layers works.

Every registered layer and policy (built by its harness case, so a new layer is
swept automatically) is composed with others in ``Sequence`` / ``OneOf`` /
``SomeOf`` / ``RandomApply``, in any order, and run on every supported dtype.
Each result must keep the input's dtype and shape (size-changing layers
excepted), stay finite and inside the value range, and repeat under a seed.
"""

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tests import harness

CASES = harness.discover_cases()
COMPOSITIONS = {"Sequence", "OneOf", "SomeOf", "RandomApply", "ClassConditional"}
IMAGE_DTYPES = (tf.uint8, tf.float16, tf.bfloat16, tf.float32, tf.float64)
SIZE = 12
# Layers whose op is defined for 3-channel (RGB) images only.
RGB_ONLY = {"RandomHue", "RandomSaturation", "ColorJitter", "RandomGrayscale",
            "JpegQuality"}


def _cases(modality):
    return sorted((n for n, c in CASES.items()
                   if c.modality == modality and n not in COMPOSITIONS), key=str)


def _layer(name):
    return CASES[name].make()


def _images(rng, dtype, channels=3, batch=4):
    pixels = rng.integers(0, 256, (batch, SIZE, SIZE, channels)).astype(np.float32)
    images = tf.cast(tf.constant(pixels), dtype)
    labels = tf.one_hot(np.arange(batch) % harness.NUM_CLASSES, harness.NUM_CLASSES)
    return {"images": images, "labels": labels}


def _check_images(out, inputs, size_changes):
    images, before = out["images"], inputs["images"]
    assert images.dtype == before.dtype, (images.dtype, before.dtype)
    assert images.shape[0] == before.shape[0]
    assert images.shape[-1] == before.shape[-1]
    if not size_changes:
        assert images.shape == before.shape, (images.shape, before.shape)
    values = tf.cast(images, tf.float64).numpy()
    assert np.all(np.isfinite(values))
    assert values.min() >= 0.0 and values.max() <= 255.0, (values.min(), values.max())


def _compose(kind, layers):
    if kind == "Sequence":
        return tfaug.Sequence(layers, seed=3)
    if kind == "OneOf":
        return tfaug.OneOf(layers, seed=3)
    if kind == "SomeOf":
        return tfaug.SomeOf(layers, n=min(2, len(layers)), seed=3)
    return tfaug.RandomApply(tfaug.Sequence(layers), rate=0.7, seed=3)


POLICIES = ("RandAugment", "TrivialAugment", "AutoAugment", "AugMix")


@pytest.mark.parametrize("name", _cases("image"))
def test_policy_then_layer_on_every_dtype(name):
    """The issue's failing pairs: a policy, then any image layer (and the reverse
    in a per-sample OneOf), on integer and every float dtype."""
    index = _cases("image").index(name)
    rng = np.random.default_rng(index)
    layer = _layer(name)
    size_changes = layer.changes_size
    # uint8 always, and one float dtype and one policy per layer, in rotation;
    # the reverse pair (a per-sample OneOf) on one of the two, alternating.
    floats = (tf.float16, tf.bfloat16, tf.float64)
    for round_, (i, dtype) in enumerate(((0, tf.uint8), (1 + index, floats[index % 3]))):
        policy = _layer(POLICIES[i % len(POLICIES)])
        inputs = _images(rng, dtype)
        pairs = [tfaug.Sequence([policy, layer], seed=1)]
        if not size_changes and round_ == index % 2:
            pairs.append(tfaug.OneOf([_layer(name), _layer(POLICIES[(i + 1) % 4])], seed=2))
        for aug in pairs:
            out = aug(inputs, training=True, seed=[5, i])
            _check_images(out, inputs, size_changes)
            again = aug(inputs, training=True, seed=[5, i])
            np.testing.assert_array_equal(tf.cast(out["images"], tf.float32).numpy(),
                                          tf.cast(again["images"], tf.float32).numpy())


def test_identity_policy_then_elastic_keeps_uint8_pixels():
    """RandAugment at magnitude 0 then RandomElastic on uint8 once returned all 255."""
    rng = np.random.default_rng(0)
    inputs = _images(rng, tf.uint8)
    aug = tfaug.Sequence([tfaug.RandAugment(num_ops=1, magnitude=0, ops=["rotate"]),
                          tfaug.image.RandomElastic(strength=0.0)])
    out = aug(inputs, training=True, seed=[1, 2])
    np.testing.assert_array_equal(out["images"].numpy(), inputs["images"].numpy())


@pytest.mark.parametrize("sweep", range(6))
def test_random_image_compositions(sweep):
    """Random nests of 2-4 image layers/policies, random dtype and channels."""
    rng = np.random.default_rng(1000 + sweep)
    names = _cases("image")
    for trial in range(6):
        picks = list(rng.choice(names, size=int(rng.integers(2, 5)), replace=False))
        kind = str(rng.choice(["Sequence", "OneOf", "SomeOf", "RandomApply"]))
        layers = [_layer(n) for n in picks]
        if kind != "Sequence":
            layers = [l for l in layers if not l.changes_size] or [_layer("RandomFlip")]
        channels = 3 if set(picks) & RGB_ONLY else int(rng.choice([1, 3, 4]))
        if channels != 3 and set(picks) & {"AugMix", "RandAugment", "TrivialAugment",
                                           "AutoAugment"}:
            channels = 3  # the colour ops of the policies are RGB ops
        dtype = IMAGE_DTYPES[int(rng.integers(len(IMAGE_DTYPES)))]
        inputs = _images(rng, dtype, channels)
        aug = _compose(kind, layers)
        seed = [sweep, trial]
        try:
            out = aug(inputs, training=True, seed=seed)
        except ValueError as err:  # an op not defined for these channels: a clear error
            assert channels != 3 and "channel" in str(err).lower(), (picks, kind, err)
            continue
        _check_images(out, inputs, any(l.changes_size for l in layers))
        again = aug(inputs, training=True, seed=seed)
        np.testing.assert_array_equal(tf.cast(out["images"], tf.float32).numpy(),
                                      tf.cast(again["images"], tf.float32).numpy())


def _modality_inputs(modality, dtype):
    case = next(c for c in CASES.values() if c.modality == modality)
    return harness.make_inputs(case, dtype, dict_inputs=True)


@pytest.mark.parametrize("modality", ["audio", "spectrogram", "tabular", "text"])
def test_random_compositions_other_modalities(modality):
    rng = np.random.default_rng({"audio": 1, "spectrogram": 2, "tabular": 3, "text": 4}[
        modality])
    names = [n for n in _cases(modality)
             if not getattr(_layer(n), "changes_batch", False)]
    dtypes = (tf.float32,) if modality == "text" else (tf.float16, tf.float32, tf.float64)
    for trial in range(8):
        picks = list(rng.choice(names, size=min(len(names), int(rng.integers(2, 4))),
                                replace=False))
        kind = str(rng.choice(["Sequence", "OneOf", "SomeOf", "RandomApply"]))
        dtype = dtypes[trial % len(dtypes)]
        inputs = _modality_inputs(modality, tf.float32 if dtype == tf.float16 else dtype)
        main = harness.MAIN_KEYS[modality]
        if dtype == tf.float16:
            inputs = dict(inputs, **{main: tf.cast(inputs[main], tf.float16)})
        if modality == "tabular":  # mixing rows mixes labels: one-hot in per-sample branches
            inputs = dict(inputs, labels=tf.one_hot(inputs["labels"], 3))
        layers = [_layer(n) for n in picks]
        for layer in layers:  # stateful layers (SMOTE-like tables) adapted by their case
            if hasattr(layer, "adapt") and not getattr(layer, "is_adapted", True):
                layer.adapt(inputs[main], inputs.get("labels"))
        aug = _compose(kind, layers)
        out = aug(inputs, training=True, seed=[trial, 1])
        x_in, x_out = inputs[main], out[main]
        assert x_out.dtype == x_in.dtype and x_out.shape == x_in.shape, (picks, kind)
        if modality != "text":
            assert np.all(np.isfinite(tf.cast(x_out, tf.float64).numpy())), (picks, kind)
        again = aug(inputs, training=True, seed=[trial, 1])
        harness.assert_same(out, again)
