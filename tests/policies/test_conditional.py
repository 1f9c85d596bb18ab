"""ClassConditional: each sample gets the layer chosen for its label, and only that.

The motivating case: horizontal flips turn a handwritten 6 into something like a
9, so 6s and 9s must never be flipped. The digits carry an asymmetric marker so a
flip is always detectable.
"""

import functools
import json

import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import load_digits

import tfaug
from tfaug import image


@functools.lru_cache(maxsize=None)
def _digits():
    d = load_digits()
    return d.images.astype(np.float32), d.target.astype(np.int32)


def digits(n=64, offset=0):
    """``n`` digits as uint8 ``[n, 16, 16, 3]`` with a bright top-left marker, and labels."""
    imgs, labels = _digits()
    idx = (np.arange(n) * 7 + offset) % len(labels)
    x = np.kron(imgs[idx], np.ones((2, 2))) * (200.0 / 16.0) + 20.0
    x[:, :3, :3] = 255.0  # asymmetric: a flipped image never equals the original
    x = np.repeat(x[..., None], 3, axis=-1).astype(np.uint8)
    return x, labels[idx]


def flip_default():
    return tfaug.ClassConditional(default=image.RandomFlip("horizontal", rate=1.0),
                                  per_class={6: None, 9: None}, seed=0)


def assert_routed(out, x, labels, protected=(6, 9)):
    """Rows with a protected label unchanged, every other row flipped."""
    keep = np.isin(labels, protected)
    assert keep.any() and (~keep).any()
    np.testing.assert_array_equal(out[keep], x[keep])
    np.testing.assert_array_equal(out[~keep], x[~keep][:, :, ::-1])


def test_protected_classes_are_never_flipped_over_many_seeds():
    layer = flip_default()
    augment = tf.function(lambda d, s: layer(d, training=True, seed=s))
    for s in range(20):
        x, y = digits(64, offset=s * 64)
        out = augment({"images": x, "labels": y}, tf.constant([s, 7], tf.int64))
        assert_routed(out["images"].numpy(), x, y)
        np.testing.assert_array_equal(out["labels"].numpy(), y)


def test_unseeded_calls_and_eager_mode_route_the_same_way():
    layer = flip_default()
    for s in range(3):
        x, y = digits(32, offset=100 * s)
        out = layer({"images": x, "labels": y}, training=True)
        assert_routed(out["images"].numpy(), x, y)


@pytest.mark.parametrize("form", ["int", "int64", "column", "onehot", "soft"])
def test_label_formats(form):
    x, y = digits(48)
    if form == "int64":
        labels = y.astype(np.int64)
    elif form == "column":
        labels = y[:, None]
    elif form == "onehot":
        labels = np.eye(10, dtype=np.float32)[y]
    elif form == "soft":  # label smoothing keeps the arg-max
        labels = np.eye(10, dtype=np.float32)[y] * 0.9 + 0.01
    else:
        labels = y
    out = flip_default()({"images": x, "labels": labels}, training=True)
    assert_routed(out["images"].numpy(), x, y)
    np.testing.assert_array_equal(out["labels"].numpy(), labels)
    assert out["labels"].dtype == tf.as_dtype(labels.dtype)


def test_a_per_class_layer_runs_only_on_its_rows():
    x, y = digits(64)
    layer = tfaug.ClassConditional(default=image.RandomFlip("horizontal", rate=1.0),
                                   per_class={2: image.Invert(), 5: None}, seed=0)
    out = layer({"images": x, "labels": y}, training=True)["images"].numpy()
    two, five = y == 2, y == 5
    rest = ~(two | five)
    assert two.any() and five.any()
    np.testing.assert_array_equal(out[two], 255 - x[two])
    np.testing.assert_array_equal(out[five], x[five])
    np.testing.assert_array_equal(out[rest], x[rest][:, :, ::-1])


def test_default_none_leaves_unlisted_classes_untouched():
    x, y = digits(64)
    layer = tfaug.ClassConditional(default=None,
                                   per_class={3: image.RandomFlip("horizontal", rate=1.0)})
    out = layer({"images": x, "labels": y}, training=True)["images"].numpy()
    three = y == 3
    np.testing.assert_array_equal(out[three], x[three][:, :, ::-1])
    np.testing.assert_array_equal(out[~three], x[~three])


def test_labels_beyond_the_listed_keys_get_the_default():
    x, _ = digits(8)
    labels = np.array([0, 6, 9, 10, 50, 6, 1000, 9], np.int32)
    out = flip_default()({"images": x, "labels": labels}, training=True)["images"].numpy()
    assert_routed(out, x, labels)


def _halves(n):
    """Left half bright, right half dark: a flip swaps which side is brighter."""
    x = np.full([n, 16, 16, 3], 40, np.uint8)
    x[:, :, :8] = 200
    return x


def _flipped(out):
    out = out.astype(np.float32)
    return out[:, :, :8].mean(axis=(1, 2, 3)) < out[:, :, 8:].mean(axis=(1, 2, 3))


def test_safe_rotation_for_six_and_nine_flip_and_rotate_for_the_rest():
    """The docstring's example: a 6 or 9 is rotated a little but never flipped."""
    safe = image.RandomRotation(0.03, seed=1)
    layer = tfaug.ClassConditional(
        default=tfaug.Sequence([image.RandomFlip(), image.RandomRotation(0.1)]),
        per_class={6: safe, 9: safe}, seed=0)
    _, y = digits(64)
    x = _halves(64)
    flips, rotated = [], []
    for s in range(10):
        out = layer({"images": x, "labels": y}, training=True,
                    seed=tf.constant([s, 1], tf.int64))["images"].numpy()
        protected = np.isin(y, (6, 9))
        assert not _flipped(out)[protected].any()
        flips.append(_flipped(out)[~protected])
        rotated.append(~(out[protected] == x[protected]).all(axis=(1, 2, 3)))
    rate = np.concatenate(flips).mean()
    assert 0.35 < rate < 0.65  # the default's flips do happen (detector works)
    assert np.concatenate(rotated).mean() > 0.9  # the shared safe layer runs on 6s and 9s


def test_brightness_for_six_flip_for_the_rest():
    layer = tfaug.ClassConditional(default=image.RandomFlip("horizontal", rate=1.0),
                                   per_class={6: image.RandomBrightness(0.2)}, seed=0)
    x, y = digits(64)
    x = (x.astype(np.int32) // 2 + 60).astype(np.uint8)  # [60, 187]: no clipping at +-51
    out = layer({"images": x, "labels": y}, training=True)["images"].numpy().astype(int)
    six = y == 6
    delta = out[six] - x[six].astype(int)
    # A 6 is only shifted in brightness: the same offset at every pixel, no flip.
    assert (np.ptp(delta.reshape(six.sum(), -1), axis=1) <= 1).all()
    assert (np.abs(delta) > 0).any()
    np.testing.assert_array_equal(out[~six], x[~six][:, :, ::-1])


def test_json_round_trip_keeps_integer_keys_and_behaviour():
    layer = tfaug.ClassConditional(
        default=image.RandomFlip("horizontal", rate=1.0),
        per_class={6: None, 9: None, 2: image.Invert()}, seed=0)
    text = json.dumps(tfaug.serialize(layer))
    clone = tfaug.deserialize(json.loads(text))
    assert isinstance(clone, tfaug.ClassConditional)
    assert sorted(clone.per_class) == [2, 6, 9]
    assert all(type(k) is int for k in clone.per_class)
    assert clone.per_class[6] is None and isinstance(clone.per_class[2], image.Invert)
    assert isinstance(clone.default, image.RandomFlip)
    x, y = digits(64)
    seed = tf.constant([5, 6], tf.int64)
    a = layer({"images": x, "labels": y}, training=True, seed=seed)["images"].numpy()
    b = clone({"images": x, "labels": y}, training=True, seed=seed)["images"].numpy()
    np.testing.assert_array_equal(a, b)
    # A second round trip is stable.
    assert tfaug.serialize(clone)["config"]["per_class"] == json.loads(text)["config"][
        "per_class"]


def test_inference_is_the_identity():
    x, y = digits(16)
    out = flip_default()({"images": x, "labels": y}, training=False)
    np.testing.assert_array_equal(np.asarray(out["images"]), x)


def test_missing_labels_raise():
    layer = flip_default()
    x, _ = digits(4)
    with pytest.raises(ValueError, match="labels"):
        layer(x, training=True)
    with pytest.raises(ValueError, match="labels"):
        layer({"images": x}, training=True)


def test_float_class_ids_raise():
    x, y = digits(4)
    with pytest.raises(ValueError, match="labels"):
        flip_default()({"images": x, "labels": y.astype(np.float32)}, training=True)


@pytest.mark.parametrize("key", [-1, "six", 1.5, True, None])
def test_bad_per_class_keys_raise(key):
    with pytest.raises(ValueError, match="`per_class`"):
        tfaug.ClassConditional(default=image.RandomFlip(), per_class={key: None})


def test_string_digit_keys_are_read_as_ints():
    layer = tfaug.ClassConditional(default=image.RandomFlip(), per_class={"6": None})
    assert list(layer.per_class) == [6]


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="None"):
        tfaug.ClassConditional(default=None, per_class={1: None, 2: None})
    with pytest.raises(ValueError, match="None"):
        tfaug.ClassConditional(default=None)
    with pytest.raises(ValueError, match="`per_class`"):
        tfaug.ClassConditional(default=image.RandomFlip(), per_class=[(6, None)])
    with pytest.raises(ValueError, match="`default`"):
        tfaug.ClassConditional(default="flip")
    with pytest.raises(ValueError, match="`per_class`"):
        tfaug.ClassConditional(default=image.RandomFlip(), per_class={6: "rotate"})


@pytest.mark.parametrize("where", ["default", "per_class"])
def test_size_changing_layers_raise(where):
    crop = image.RandomCrop(8, 8)
    kwargs = ({"default": crop} if where == "default"
              else {"default": image.RandomFlip(), "per_class": {3: crop}})
    with pytest.raises(ValueError, match="RandomCrop"):
        tfaug.ClassConditional(**kwargs)
