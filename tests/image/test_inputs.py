"""Image inputs: bad tensors and arguments give errors that name the argument;
unbatched inputs, dtypes and value ranges round-trip exactly."""

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug import image

SEED = tf.constant([5, 9], tf.int64)


def _batch(b=3, h=6, w=5, c=3, dtype=np.uint8):
    x = (np.arange(b * h * w * c).reshape(b, h, w, c) * 37) % 256
    return tf.constant(x.astype(dtype))


def _hflip():
    return image.RandomFlip("horizontal", rate=1.0)


# -------------------------------------------------------------- bad tensors
@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 6, 5, 3), ()])
def test_wrong_rank_names_images(shape):
    with pytest.raises(ValueError, match=r"`images` must have rank 4 .*got rank"):
        _hflip()(tf.zeros(shape), training=True)


@pytest.mark.parametrize("dtype", [tf.string, tf.bool, tf.complex64])
def test_bad_dtype_names_images(dtype):
    x = tf.zeros([2, 4, 4, 3], dtype) if dtype != tf.string else tf.fill([2, 4, 4, 3], "a")
    with pytest.raises(ValueError, match=f"`images` must have a float or integer dtype, got "
                                         f"{dtype.name}"):
        _hflip()(x, training=True)


def test_empty_batch_static():
    with pytest.raises(ValueError, match="empty batch"):
        _hflip()(tf.zeros([0, 4, 4, 3]), training=True)
    with pytest.raises(ValueError, match="empty batch"):
        tfaug.Sequence([_hflip()])({"images": tf.zeros([0, 4, 4, 3], tf.uint8)},
                                   training=True)


@pytest.mark.parametrize("auto_compile", [False, True], ids=["ops", "compiled"])
def test_empty_batch_dynamic(auto_compile):
    tfaug.core.set_auto_compile(auto_compile)  # conftest restores the setting
    layer = _hflip()

    @tf.function(input_signature=[tf.TensorSpec([None, 4, 4, 3], tf.float32)])
    def run(x):
        return layer(x, training=True)

    np.testing.assert_array_equal(run(tf.ones([1, 4, 4, 3])), np.ones([1, 4, 4, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="empty batch"):
        run(tf.zeros([0, 4, 4, 3]))


def test_empty_spatial_size():
    with pytest.raises(ValueError, match="`images` has an empty spatial size"):
        _hflip()(tf.zeros([2, 0, 4, 3]), training=True)


def test_unknown_dict_key_is_named():
    with pytest.raises(ValueError, match=r"unknown keys \['bboxes'\].*accept"):
        _hflip()({"images": _batch(), "bboxes": tf.zeros([3, 1, 4])}, training=True)
    with pytest.raises(ValueError, match="must contain 'images'"):
        _hflip()({"labels": tf.zeros([3])}, training=True)


def test_bad_mask_and_box_shapes_are_named():
    x = _batch()
    with pytest.raises(ValueError, match="`masks` must have shape"):
        _hflip()({"images": x, "masks": tf.zeros([3, 6, 5, 2, 1])}, training=True)
    with pytest.raises(ValueError, match="`boxes` must have shape"):
        _hflip()({"images": x, "boxes": tf.zeros([3, 2, 5])}, training=True)


# ----------------------------------------------------------- bad arguments
def _factor_layers():
    """(layer name, constructor kwargs, named argument) for existing layers whose
    factor must be non-negative (or, where Keras reads a negative number as |f|,
    inside its bounds)."""
    candidates = [
        ("RandomFlip", {"rate": -0.5}, "rate"),
        ("RandomRotation", {"factor": (-0.5, 1.5)}, "factor"),
        ("RandomZoom", {"height_factor": (-0.5, 1.5)}, "height_factor"),
        ("RandomTranslation", {"height_factor": 0.1, "width_factor": (-0.5, 1.5)},
         "width_factor"),
        ("RandomShear", {"x_factor": -0.5}, "x_factor"),
        ("RandomContrast", {"factor": -0.5}, "factor"),
        # Keras reads a single negative brightness factor as |f|; a pair is checked.
        ("RandomBrightness", {"factor": (-0.5, 1.5)}, "factor"),
        ("RandomSaturation", {"factor": -0.5}, "factor"),
        ("GaussianNoise", {"stddev": -0.5}, "stddev"),
        ("RandomGrayscale", {"factor": -0.5}, "factor"),
    ]
    return [c for c in candidates if hasattr(image, c[0])]


@pytest.mark.parametrize("name, kwargs, arg", _factor_layers(),
                         ids=[c[0] for c in _factor_layers()])
def test_negative_factor_names_the_argument(name, kwargs, arg):
    with pytest.raises(ValueError, match=f"`{arg}`") as err:
        getattr(image, name)(**kwargs)
    assert "-0.5" in str(err.value)


def test_reversed_value_range_is_named():
    with pytest.raises(ValueError, match=r"`value_range` must satisfy low < high, "
                                         r"got \(1.0, 0.0\)"):
        image.RandomFlip(value_range=(1, 0))


# ------------------------------------------------------------- round trips
def test_unbatched_round_trip():
    x = _batch(1)
    layer = image.RandomFlip("horizontal_and_vertical", rate=0.5)
    single = layer(x[0], training=True, seed=SEED)
    assert single.shape == (6, 5, 3) and single.dtype == tf.uint8
    np.testing.assert_array_equal(single, layer(x, training=True, seed=SEED)[0])
    out = _hflip()({"images": x[0], "masks": tf.ones([6, 5], tf.int32),
                    "boxes": tf.constant([[0.0, 0.0, 2.0, 3.0]]), "labels": tf.constant(4)},
                   training=True)
    assert out["images"].shape == (6, 5, 3) and out["masks"].shape == (6, 5)
    np.testing.assert_array_equal(out["images"], np.asarray(x[0])[:, ::-1])
    np.testing.assert_allclose(out["boxes"], [[3.0, 0.0, 5.0, 3.0]])
    assert int(out["labels"]) == 4
    # Not training: unbatched input comes back as it went in.
    np.testing.assert_array_equal(layer(x[0], training=False), x[0])


def test_uint8_in_uint8_out_exact():
    x = _batch()
    out = _hflip()(x, training=True)
    assert out.dtype == tf.uint8
    np.testing.assert_array_equal(out, np.asarray(x)[:, :, ::-1])
    same = image.RandomFlip(rate=0.0)(x, training=True)
    assert same.dtype == tf.uint8
    np.testing.assert_array_equal(same, x)


@pytest.mark.parametrize("dtype", [tf.float32, tf.float16, tf.float64])
def test_float_value_range_0_1_round_trip(dtype):
    x = tf.cast(_batch(), dtype) / tf.constant(255.0, dtype)
    layer = image.RandomFlip(rate=0.0, value_range=(0, 1))
    out = layer(x, training=True)
    assert out.dtype == dtype
    np.testing.assert_allclose(np.asarray(out, np.float64), np.asarray(x, np.float64),
                               rtol=1e-6 if dtype != tf.float16 else 1e-3)
    flipped = image.RandomFlip("horizontal", rate=1.0, value_range=(0, 1))(x, training=True)
    np.testing.assert_allclose(np.asarray(flipped, np.float64),
                               np.asarray(x, np.float64)[:, :, ::-1],
                               rtol=1e-6 if dtype != tf.float16 else 1e-3)


def test_float_in_default_value_range():
    x = tf.cast(_batch(), tf.float32)  # floats read under (0, 255) by default
    out = _hflip()(x, training=True)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out, np.asarray(x)[:, :, ::-1], atol=1e-4)


def test_dynamic_shapes_in_a_graph():
    layer = image.RandomFlip("horizontal_and_vertical", rate=1.0)

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8)])
    def run(x):
        return layer(x, training=True)

    for h, w in ((6, 5), (3, 8)):
        x = _batch(2, h, w)
        np.testing.assert_array_equal(run(x), np.asarray(x)[:, ::-1, ::-1])


def test_numpy_inputs_are_taken_as_they_are():
    images = np.arange(2 * 4 * 5 * 3, dtype=np.uint8).reshape(2, 4, 5, 3)
    out = image.RandomFlip("horizontal", rate=1.0)(images, training=True)
    np.testing.assert_array_equal(out.numpy(), images[:, :, ::-1])
    data = image.RandomFlip("horizontal", rate=1.0)(
        {"images": images, "labels": np.array([1, 2])}, training=True)
    np.testing.assert_array_equal(data["images"].numpy(), images[:, :, ::-1])
