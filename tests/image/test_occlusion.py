"""RandomErasing and GridMask: rectangle geometry, masked fractions, targets."""

import numpy as np
import pytest
import tensorflow as tf

from tfaug.image import GridMask, RandomErasing
from tfaug.image import ops

SEED = tf.constant([5, 8], tf.int64)


def _grey(b, h=32, w=32, c=3):
    return tf.fill([b, h, w, c], 0.5)


def _changed(out, value=0.5):
    return np.any(np.asarray(out) != value, axis=-1)


def _is_one_rectangle(mask):
    """True when the true pixels of ``mask`` [H, W] form one filled rectangle."""
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return False
    box = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    return bool(box.all()) and box.sum() == mask.sum()


# --------------------------------------------------------------- erasing
@pytest.mark.parametrize("size", [(32, 32), (20, 36)])
def test_erasing_changes_one_rectangle_with_area_in_scale(size):
    h, w = size
    scale = (0.05, 0.3)
    layer = RandomErasing(scale=scale, fill_value=0, ratio=(0.3, 3.3), value_range=(0, 1),
                          seed=0)
    out = layer(_grey(300, h, w), training=True, seed=SEED).numpy()
    assert np.all((out == 0.0) | (out == 0.5))
    changed = _changed(out)
    fractions = changed.mean(axis=(1, 2))
    assert all(_is_one_rectangle(m) for m in changed)
    assert fractions.min() >= scale[0] - 1e-9 and fractions.max() <= scale[1] + 1e-9
    # area fractions cover the range, and aspect ratios vary both ways
    assert fractions.min() < 0.08 and fractions.max() > 0.25
    heights = changed.any(axis=2).sum(1)
    widths = changed.any(axis=1).sum(1)
    assert np.any(heights > 1.5 * widths) and np.any(widths > 1.5 * heights)
    # positions spread over the image
    rows = np.array([np.nonzero(m.any(1))[0][0] for m in changed])
    assert rows.min() == 0 and rows.max() > h // 2


def test_erasing_same_under_xla_and_on_subsets():
    layer = RandomErasing(value_range=(0, 1), seed=0)  # Keras' noise fill
    x = _grey(64)
    eager = layer(x, training=True, seed=SEED)
    jit = tf.function(lambda v: layer(v, training=True, seed=SEED), jit_compile=True)(x)
    # The holes are bitwise equal; XLA's log/cos in the normal noise differ by an ulp.
    np.testing.assert_array_equal(_changed(eager), _changed(jit))
    np.testing.assert_allclose(eager, jit, atol=1e-6)
    params = layer.sample(64, SEED)
    rows = tf.constant([3, 40, 7])
    part = layer.apply({"images": tf.gather(x, rows)},
                       tf.nest.map_structure(lambda t: tf.gather(t, rows), params))
    np.testing.assert_array_equal(part["images"], tf.gather(eager, rows))
    empty = layer.apply({"images": x[:0]}, tf.nest.map_structure(lambda t: t[:0], params))
    assert empty["images"].shape == (0, 32, 32, 3)


def test_erasing_noise_fill_and_several_holes():
    # fill_value=None: Keras' noise, N(0, 1) * high clipped to the value range.
    layer = RandomErasing(scale=(0.05, 0.1), num_holes=3, value_range=(0, 1), seed=0)
    out = layer(_grey(32), training=True, seed=SEED).numpy()
    changed = _changed(out)
    frac = changed.mean(axis=(1, 2))
    # up to three (possibly overlapping) holes of 5..10% each
    assert frac.max() <= 0.3 + 1e-9 and frac.mean() > 0.1
    values = out[changed[..., None].repeat(3, -1)]
    assert values.min() >= 0 and values.max() <= 1
    # clip(N(0, 1), 0, 1): P(0) = 1/2, P(1) = P(z > 1) ~ 0.159 (a 0.5 pixel may
    # also be drawn, but almost never exactly).
    assert abs(np.mean(values == 0) - 0.5) < 0.05
    assert abs(np.mean(values == 1) - 0.159) < 0.03


def test_erasing_fill_value_in_value_range_units_and_targets_untouched():
    layer = RandomErasing(fill_value=255, seed=0)
    data = {"images": tf.zeros([4, 16, 16, 3], tf.uint8),
            "masks": tf.ones([4, 16, 16], tf.int32),
            "boxes": tf.constant([[[1.0, 2.0, 8.0, 9.0]]] * 4),
            "labels": tf.constant([0, 1, 2, 3])}
    out = layer(data, training=True, seed=SEED)
    assert set(np.unique(out["images"].numpy())) == {0, 255}
    for key in ("masks", "boxes", "labels"):
        np.testing.assert_array_equal(out[key], data[key])


def test_erasing_gate_leaves_rows_untouched():
    layer = RandomErasing(fill_value=0, probability=0.5, value_range=(0, 1), seed=0)
    params = layer.sample(200, SEED)
    out = layer.apply({"images": _grey(200, 16, 16)}, params)["images"].numpy()
    changed = _changed(out).any(axis=(1, 2))
    np.testing.assert_array_equal(changed, params["gate"].numpy())
    assert 70 < changed.sum() < 130


@pytest.mark.parametrize("kwargs, name", [
    ({"scale": (-0.1, 0.3)}, "scale"), ({"scale": (0.2, 1.5)}, "scale"),
    ({"scale": "big"}, "scale"), ({"ratio": (0.0, 2.0)}, "ratio"),
    ({"factor": 1.5}, "factor"), ({"factor": float("nan")}, "factor"),
    ({"fill_value": 300}, "fill_value"), ({"fill_value": [0, 300, 0]}, "fill_value"),
    ({"num_holes": 0}, "num_holes"),
])
def test_erasing_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        RandomErasing(**kwargs)


def test_erasing_keras_factor_scale_and_channel_fill():
    x = _grey(64, 8, 8)
    # factor: a number is the chance itself (1 always, 0 never); a pair draws it.
    always = RandomErasing(1.0, scale=(0.2, 0.3), fill_value=0, value_range=(0, 1))
    assert _changed(always(x, training=True, seed=SEED)).any(axis=(1, 2)).all()
    never = RandomErasing(0.0, value_range=(0, 1))
    np.testing.assert_array_equal(never(x, training=True, seed=SEED), x)
    half = RandomErasing((0.5, 0.5), scale=(0.2, 0.3), fill_value=0, value_range=(0, 1))
    assert 16 < _changed(half(_grey(200, 8, 8), training=True, seed=SEED)).any(
        axis=(1, 2)).sum() < 184
    # scale=0 (Keras: the range (0, 0)) erases nothing; scale=s means (0, s).
    nothing = RandomErasing(scale=0, value_range=(0, 1))
    np.testing.assert_array_equal(nothing(x, training=True, seed=SEED), x)
    small = RandomErasing(scale=0.1, fill_value=0, value_range=(0, 1))
    assert _changed(small(_grey(200, 16, 16), training=True, seed=SEED)).mean(
        axis=(1, 2)).max() <= 0.1 + 1e-9
    # one fill value per channel, in value_range units
    out = RandomErasing(scale=(0.3, 0.3), fill_value=[0, 255, 51])(
        tf.fill([2, 8, 8, 3], 100.0), training=True, seed=SEED).numpy()
    erased = np.any(np.abs(out - 100.0) > 0.5, axis=-1)
    assert erased.any()
    np.testing.assert_allclose(out[erased], np.tile([[0.0, 255.0, 51.0]],
                                                    (erased.sum(), 1)), atol=1e-4)


def test_box_mask_op():
    m = ops.box_mask(4, 5, tf.constant([1, 0]), tf.constant([2, 3]),
                     tf.constant([3, 0]), tf.constant([4, 9])).numpy()
    expected = np.zeros((2, 4, 5), bool)
    expected[0, 1:3, 2:4] = True
    np.testing.assert_array_equal(m, expected)


# -------------------------------------------------------------- gridmask
@pytest.mark.parametrize("ratio, rotate", [(0.6, 0.0), (0.4, 0.0), (0.6, 30.0)])
def test_gridmask_masked_fraction_is_ratio_squared(ratio, rotate):
    layer = GridMask(ratio=ratio, d_range=(0.2, 0.5), rotate=rotate, value_range=(0, 1),
                     seed=0)
    out = layer(_grey(400, 32, 32, 1), training=True, seed=SEED).numpy()
    masked = out[..., 0] == 0.0
    assert np.all((out == 0.0) | (out == 0.5))
    assert abs(masked.mean() - ratio ** 2) < 0.02, masked.mean()
    per_sample = masked.mean(axis=(1, 2))
    assert per_sample.std() > 0.01  # units and offsets vary per sample


def test_gridmask_without_rotation_is_a_product_of_stripes():
    layer = GridMask(ratio=0.5, value_range=(0, 1), seed=0)
    out = layer(_grey(20, 24, 24, 1), training=True, seed=SEED).numpy()
    for m in out[..., 0] == 0.0:
        rows, cols = m.any(axis=1), m.any(axis=0)
        np.testing.assert_array_equal(m, rows[:, None] & cols[None, :])
        assert rows.any() and not rows.all()


def test_gridmask_extremes_and_grid_op():
    x = _grey(4, 16, 16, 1)
    none = GridMask(ratio=0.0, value_range=(0, 1))(x, training=True, seed=SEED)
    np.testing.assert_array_equal(none, x)
    full = GridMask(ratio=1.0, fill_value=0.25, value_range=(0, 1))(x, training=True,
                                                                   seed=SEED)
    np.testing.assert_array_equal(full, tf.fill(x.shape, 0.25))
    g = ops.grid_mask(4, 8, tf.constant([4.0]), 0.5, tf.constant([0.0]),
                      tf.constant([1.0])).numpy()[0]
    # centred pixel coordinates: y = i + 0.5 - 2 -> (y mod 4) < 2 for rows 2, 3;
    # x = j + 0.5 - 4 + 1 (offset) -> (x mod 4) < 2 for columns 0, 3, 4, 7
    expected = np.zeros((4, 8), bool)
    expected[np.ix_([2, 3], [0, 3, 4, 7])] = True
    np.testing.assert_array_equal(g, expected)


def test_gridmask_same_under_xla():
    layer = GridMask(rotate=45, value_range=(0, 1), seed=0)
    x = tf.random.stateless_uniform([8, 16, 16, 3], [3, 3])
    eager = layer(x, training=True, seed=SEED)
    jit = tf.function(lambda v: layer(v, training=True, seed=SEED), jit_compile=True)(x)
    # floormod near a stripe edge may flip in the last ulp: allow a handful of pixels
    assert np.mean(np.any(eager.numpy() != jit.numpy(), axis=-1)) < 0.002


@pytest.mark.parametrize("kwargs, name", [
    ({"ratio": 1.2}, "ratio"), ({"d_range": (0.0, 0.5)}, "d_range"),
    ({"d_range": (0.5, 0.2)}, "d_range"), ({"rotate": -5}, "rotate"),
])
def test_gridmask_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        GridMask(**kwargs)
