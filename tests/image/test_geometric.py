"""Property tests for the geometric image layers and the affine ops under them."""

import math
from unittest import mock

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug.image import geometric, random_affine, warp
from tfaug.image.ops import affine
from tfaug.image.ops import elastic as elastic_ops

SEED = tf.constant([3, 5], tf.int64)


def _images(b=4, h=16, w=16, c=3, seed=0):
    return tf.constant(np.random.default_rng(seed).random((b, h, w, c)).astype(np.float32))


def _ramp(b=2, h=32, w=32):
    """Images linear in the pixel index: bilinear interpolation reproduces them exactly."""
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    img = np.stack([0.2 + 0.01 * xx + 0.005 * yy, 0.7 - 0.008 * xx + 0.004 * yy], -1)
    return tf.constant(np.repeat(img[None], b, 0).astype(np.float32))


def _xla(fn, *args):
    return tf.function(fn, jit_compile=True)(*args)


# ------------------------------------------------------------------- flips
def test_flip_equals_reversed_axis():
    x = _images()
    h = tfaug.image.RandomFlip("horizontal", rate=1.0, value_range=(0, 1))
    v = tfaug.image.RandomFlip("vertical", rate=1.0, value_range=(0, 1))
    np.testing.assert_array_equal(h(x, training=True, seed=SEED), tf.reverse(x, [2]))
    np.testing.assert_array_equal(v(x, training=True, seed=SEED), tf.reverse(x, [1]))


def test_flip_rate_half_flips_about_half_of_256():
    one = _images(1)
    x = tf.repeat(one, 256, axis=0)
    out = tfaug.image.RandomFlip("horizontal", rate=0.5, value_range=(0, 1))(
        x, training=True, seed=SEED).numpy()
    flipped = np.all(out == tf.reverse(one, [2]).numpy(), axis=(1, 2, 3))
    kept = np.all(out == one.numpy(), axis=(1, 2, 3))
    assert np.all(flipped ^ kept)
    assert 100 <= flipped.sum() <= 156, flipped.sum()


def test_flip_independent_axes_produce_all_four_outcomes():
    one = _images(1)
    x = tf.repeat(one, 64, axis=0)
    out = tfaug.image.RandomFlip("horizontal_and_vertical", independent=True,
                                 value_range=(0, 1))(x, training=True, seed=SEED).numpy()
    refs = [one, tf.reverse(one, [2]), tf.reverse(one, [1]), tf.reverse(one, [1, 2])]
    seen = [np.all(out == r.numpy(), axis=(1, 2, 3)) for r in refs]
    assert np.all(np.sum(seen, axis=0) == 1)
    assert all(s.any() for s in seen)


def test_flip_boxes_and_masks_follow_the_images():
    b, h, w = 32, 12, 16
    masks = np.zeros((b, h, w), np.int32)
    masks[:, 2:5, 3:9] = 1
    boxes = np.tile(np.array([[[3.0, 2.0, 9.0, 5.0]]], np.float32), (b, 1, 1))
    data = {"images": _images(b, h, w), "masks": tf.constant(masks),
            "boxes": tf.constant(boxes)}
    out = tfaug.image.RandomFlip("horizontal_and_vertical", independent=True,
                                 value_range=(0, 1))(data, training=True, seed=SEED)
    for i in range(b):
        m = out["masks"][i].numpy()
        ys, xs = np.nonzero(m)
        expect = [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]
        np.testing.assert_allclose(out["boxes"][i, 0].numpy(), expect)
        ref = data["images"][i].numpy()
        ref = ref[:, ::-1] if xs.min() != 3 else ref
        ref = ref[::-1] if ys.min() != 2 else ref
        np.testing.assert_array_equal(out["images"][i].numpy(), ref)


# --------------------------------------------------------------- rotation
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_quarter_turn_matches_rot90_exactly(interpolation):
    x = _images(3, 16, 16)
    for factor, k in [(0.25, 1), (-0.25, 3), (0.5, 2)]:
        layer = tfaug.image.RandomRotation((factor, factor), fill_mode="constant",
                                           interpolation=interpolation, value_range=(0, 1))
        expect = tf.image.rot90(x, k).numpy()
        kernel = layer(x, training=True, seed=SEED)
        gather = _xla(lambda t: layer(t, training=True, seed=SEED), x)
        np.testing.assert_array_equal(kernel.numpy(), expect)
        np.testing.assert_array_equal(gather.numpy(), expect)
        m = affine.rotation(tf.fill([3], factor * 2 * math.pi), 16, 16)
        direct = affine.transform(x, m, interpolation=interpolation, implementation="gather")
        np.testing.assert_array_equal(direct.numpy(), expect)


def test_rotation_angles_stay_in_the_keras_range():
    layer = tfaug.image.RandomRotation((-0.1, 0.05))
    angle = layer.sample(512, SEED)["angle"].numpy()
    assert angle.min() >= -0.1 * 2 * math.pi and angle.max() <= 0.05 * 2 * math.pi
    assert angle.min() < -0.5 and angle.max() > 0.2  # the range is actually covered
    assert len(np.unique(angle)) > 500  # per sample


# ------------------------------------------------------------ affine boxes
def _numpy_forward(p, h, w):
    """Input->output 3x3 maps built independently from the drawn parameters."""
    out = []
    for i in range(len(p["angle"])):
        a = math.radians(p["angle"][i])
        c, s = math.cos(a), math.sin(a)
        rot = np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]])  # CCW on screen, y down
        kx = math.tan(math.radians(p["shear_x"][i]))
        ky = math.tan(math.radians(p["shear_y"][i]))
        shx = np.array([[1, kx, 0], [0, 1, 0], [0, 0, 1]])
        shy = np.array([[1, 0, 0], [ky, 1, 0], [0, 0, 1]])
        sc = np.diag([p["scale"][i], p["scale"][i], 1.0])
        to_c = np.array([[1, 0, -w / 2], [0, 1, -h / 2], [0, 0, 1]])
        back = np.array([[1, 0, w / 2 + p["translate_x"][i] * w],
                         [0, 1, h / 2 + p["translate_y"][i] * h], [0, 0, 1]])
        out.append(back @ rot @ shy @ shx @ sc @ to_c)
    return np.stack(out)


def test_affine_boxes_are_the_bounding_box_of_transformed_corners():
    b, h, w = 16, 24, 32
    boxes = np.tile(np.array([[[4.0, 5.0, 14.0, 11.0], [10.0, 8.0, 26.0, 20.0],
                               [0.0, 0.0, 32.0, 24.0]]], np.float32), (b, 1, 1))
    layer = tfaug.image.RandomAffine(degrees=30, translate=(0.2, 0.1), scale=(0.7, 1.3),
                                     shear=15, value_range=(0, 1))
    params = layer.sample(b, SEED)
    out = layer.apply({"images": _images(b, h, w), "boxes": tf.constant(boxes)}, params)
    fwd = _numpy_forward({k: v.numpy().astype(np.float64) for k, v in params.items()}, h, w)
    for i in range(b):
        for n, (x0, y0, x1, y1) in enumerate(boxes[i]):
            pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]]).T
            q = fwd[i] @ pts
            q = q[:2] / q[2]
            expect = [np.clip(q[0].min(), 0, w), np.clip(q[1].min(), 0, h),
                      np.clip(q[0].max(), 0, w), np.clip(q[1].max(), 0, h)]
            if expect[2] - expect[0] <= 0 or expect[3] - expect[1] <= 0:
                expect = [-1.0] * 4
            np.testing.assert_allclose(out["boxes"][i, n].numpy(), expect, atol=2e-3)


def test_affine_image_content_stays_inside_its_box():
    b, h, w = 8, 24, 24
    img = np.zeros((b, h, w, 1), np.float32)
    img[:, 6:14, 8:18] = 1.0
    boxes = np.tile(np.array([[[8.0, 6.0, 18.0, 14.0]]], np.float32), (b, 1, 1))
    layer = tfaug.image.RandomAffine(degrees=40, translate=(0.1, 0.1), scale=(0.8, 1.2),
                                     shear=10, interpolation="nearest", value_range=(0, 1))
    out = layer({"images": tf.constant(img), "boxes": tf.constant(boxes)}, training=True,
                seed=SEED)
    for i in range(b):
        ys, xs = np.nonzero(out["images"][i, ..., 0].numpy())
        x0, y0, x1, y1 = out["boxes"][i, 0].numpy()
        assert xs.min() + 0.5 >= x0 and xs.max() + 0.5 <= x1
        assert ys.min() + 0.5 >= y0 and ys.max() + 0.5 <= y1
        # ... and the box is tight: within a pixel of the content.
        assert xs.min() - 2 <= x0 and xs.max() + 3 >= x1


def test_affine_with_neutral_ranges_is_identity():
    x = _images()
    out = tfaug.image.RandomAffine(value_range=(0, 1))(x, training=True, seed=SEED)
    np.testing.assert_array_equal(out.numpy(), x.numpy())


# ------------------------------------------------------------------ masks
@pytest.mark.parametrize("make", [
    lambda: tfaug.image.RandomAffine(degrees=30, scale=(0.7, 1.4), shear=10),
    lambda: tfaug.image.RandomPerspective(scale=0.6),
    lambda: tfaug.image.RandomElasticTransform(scale=0.6),
    lambda: tfaug.image.RandomElastic(alpha=4.0),
    lambda: tfaug.image.RandomZoom(0.4, fill_mode="reflect"),
], ids=["affine", "perspective", "elastic_transform", "elastic", "zoom"])
@pytest.mark.parametrize("dtype", [tf.int32, tf.uint8, tf.float32])
def test_masks_keep_only_original_labels(make, dtype):
    rng = np.random.default_rng(1)
    labels = np.array([0, 3, 7])
    masks = labels[rng.integers(0, 3, (4, 16, 16))]
    masks[:, 4:12, 4:12] = 7
    data = {"images": _images(), "masks": tf.constant(masks, dtype)}
    out = make()(data, training=True, seed=SEED)["masks"]
    assert out.dtype == dtype
    values = np.unique(out.numpy())
    assert set(values.tolist()) <= set(labels.tolist()), values
    assert 7 in values and 3 in values


# ----------------------------------------------------- kernel/gather parity
def _random_matrices(b, h, w, seed=0):
    rng = np.random.default_rng(seed)

    def r(lo, hi):
        return rng.uniform(lo, hi, b).astype(np.float32)

    m = affine.affine_matrix(r(-3, 3), r(-8, 8), r(-8, 8), r(0.4, 1.6), r(0.4, 1.6),
                             r(-0.5, 0.5), r(-0.5, 0.5), h, w).numpy()
    m[:, 2, :2] += rng.uniform(-0.01, 0.01, (b, 2))  # a little projective part
    return tf.constant(m)


@pytest.mark.parametrize("fill_mode", affine.FILL_MODES)
@pytest.mark.parametrize("interpolation", affine.INTERPOLATIONS)
def test_kernel_and_gather_agree(fill_mode, interpolation):
    b, h, w = 6, 13, 17
    x = _images(b, h, w, 2, seed=2)
    m = _random_matrices(b, h, w)
    kwargs = dict(output_size=(h + 3, w - 2), interpolation=interpolation,
                  fill_mode=fill_mode, fill_value=0.3)
    kernel = affine.transform(x, m, implementation="kernel", **kwargs)
    gather = affine.transform(x, m, implementation="gather", **kwargs)
    xla = _xla(lambda t, mm: affine.transform(t, mm, **kwargs), x, m)
    np.testing.assert_allclose(kernel.numpy(), gather.numpy(), atol=1e-4)
    np.testing.assert_allclose(kernel.numpy(), xla.numpy(), atol=1e-4)
    if fill_mode == "constant":  # not vacuous: pixels come from outside the input
        assert (np.abs(kernel.numpy() - 0.3) < 1e-6).mean() > 0.05


@pytest.mark.parametrize("shift", [3, -5, 20, 33])
def test_wrap_fill_is_periodic(shift):
    x = _images(2, 5, 17)
    m = affine.translation(tf.fill([2], float(shift)), tf.zeros([2]))
    for impl in ("kernel", "gather", "auto"):
        out = affine.transform(x, m, fill_mode="wrap", implementation=impl)
        np.testing.assert_allclose(out.numpy(), np.roll(x.numpy(), shift, axis=2), atol=1e-6)


def test_nearest_ties_round_like_the_kernel():
    x = _images(2, 16, 16)
    m = affine.crop_resize(tf.zeros([2]), tf.zeros([2]), 16, 16, 8, 8)  # 2x down: ties
    out = {impl: affine.transform(x, m, (8, 8), "nearest", implementation=impl).numpy()
           for impl in ("kernel", "gather")}
    np.testing.assert_array_equal(out["kernel"], out["gather"])
    np.testing.assert_array_equal(out["kernel"], tf.image.resize(x, (8, 8), "nearest"))


# ------------------------------------------------------------ line shifts
def _line_shift_case(axis, dtype, b=4, h=13, w=17):
    """Images, a shear along ``axis`` (plus a shift) as a matrix, and its offsets."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 256, (b, h, w, 3)).astype(np.uint8)
    if dtype == "float32":
        x = x.astype(np.float32) / 255.0
    factor = tf.constant([0.3137, -0.4521, 1.7113, 0.0][:b], tf.float32)  # no .5 ties
    shift = tf.constant([0.0, 2.37, -1.29, 40.0][:b], tf.float32)
    zero = tf.zeros_like(factor)
    if axis == 2:
        m = tf.matmul(affine.shear(factor, zero, h, w), affine.translation(shift, zero))
    else:
        m = tf.matmul(affine.shear(zero, factor, h, w), affine.translation(zero, shift))
    k = affine.kernel_coords(m)  # x_src = x + k01 y + k02, or y_src = y + k10 x + k12
    if axis == 2:
        offsets = k[:, 0, 1:2] * tf.range(h, dtype=tf.float32)[None] + k[:, 0, 2:3]
    else:
        offsets = k[:, 1, 0:1] * tf.range(w, dtype=tf.float32)[None] + k[:, 1, 2:3]
    return tf.constant(x), m, offsets


@pytest.mark.parametrize("windowed", [True, False], ids=["windowed", "per-pixel"])
@pytest.mark.parametrize("dtype", ["uint8", "float32"])
@pytest.mark.parametrize("interpolation", affine.INTERPOLATIONS)
@pytest.mark.parametrize("axis", [1, 2])
def test_shift_lines_equals_transform_for_shears_and_shifts(axis, interpolation, dtype,
                                                            windowed):
    x, m, offsets = _line_shift_case(axis, dtype)
    fill = 7.0 if dtype == "uint8" else 0.3
    ref = affine.transform(x, m, None, interpolation, "constant", fill,
                           implementation="gather").numpy().astype(np.float64)
    fn = lambda t, o: affine.shift_lines(t, o, axis, interpolation, fill,  # noqa: E731
                                         windowed=windowed)
    out = (_xla(fn, x, offsets) if windowed else fn(x, offsets)).numpy()
    assert out.dtype == x.dtype.as_numpy_dtype
    # uint8 results may differ by one level where rounding meets a .5 tie.
    tol = 1.0 if dtype == "uint8" else 1e-5
    np.testing.assert_allclose(out.astype(np.float64), ref, atol=tol)
    assert (np.abs(out.astype(np.float64) - ref) > 1e-6).mean() < 0.02
    # Not vacuous: row 3 is shifted right out of the image (all fill); the
    # others move content.
    np.testing.assert_allclose(out[3].astype(np.float64), fill, atol=tol)
    assert not np.array_equal(out[:3], x.numpy()[:3])


def test_shift_lines_integer_offsets_move_whole_lines():
    x = tf.reshape(tf.range(2 * 4 * 6 * 1, dtype=tf.float32), [2, 4, 6, 1])
    offsets = tf.constant([[1.0, -2.0, 0.0, 6.0], [0.0, 0.0, 0.0, 0.0]])
    out = _xla(lambda t, o: affine.shift_lines(t, o, 2, fill_value=-1.0), x, offsets)
    rows = x.numpy()[0, :, :, 0]
    expect = np.full_like(rows, -1.0)
    expect[0, :5] = rows[0, 1:]   # reads x + 1
    expect[1, 2:] = rows[1, :4]   # reads x - 2
    expect[2] = rows[2]           # unchanged; row 3 reads past the image: all fill
    np.testing.assert_array_equal(out.numpy()[0, :, :, 0], expect)
    np.testing.assert_array_equal(out.numpy()[1], x.numpy()[1])


def test_shift_lines_empty_batch_and_bad_arguments():
    empty = tf.zeros([0, 5, 6, 3], tf.uint8)
    out = _xla(lambda t, o: affine.shift_lines(t, o, 1), empty, tf.zeros([0, 6]))
    assert out.shape == (0, 5, 6, 3)
    x = tf.zeros([1, 5, 6, 3])
    with pytest.raises(ValueError, match="axis"):
        affine.shift_lines(x, tf.zeros([1, 5]), 3)
    with pytest.raises(ValueError, match="interpolation"):
        affine.shift_lines(x, tf.zeros([1, 5]), 2, interpolation="cubic")


# ------------------------------------------------------------------ fusion
def test_fused_flip_rotation_zoom_equals_one_at_a_time():
    x = _ramp(4, 32, 32)
    layers = [tfaug.image.RandomFlip("horizontal_and_vertical", value_range=(0, 1)),
              tfaug.image.RandomRotation(0.04, fill_mode="constant", value_range=(0, 1)),
              tfaug.image.RandomZoom((-0.3, -0.1), fill_mode="constant", value_range=(0, 1))]
    seq = tfaug.Sequence(layers)
    assert seq._groups() == [[0, 1, 2]]
    params = seq.sample(4, SEED)
    real = affine.transform
    with mock.patch.object(affine, "transform", side_effect=real) as counted:
        fused = seq.apply({"images": x}, params)["images"].numpy()
    assert counted.call_count == 1
    data = {"images": x}
    with mock.patch.object(affine, "transform", side_effect=real) as counted:
        for i, layer in enumerate(layers):
            data = layer.apply(data, params[str(i)])
    assert counted.call_count == 2  # a lone flip reverses axes, no resampling
    steps = data["images"].numpy()
    # Bilinear reproduces a linear image exactly away from the borders.
    np.testing.assert_allclose(fused[:, 8:24, 8:24], steps[:, 8:24, 8:24], atol=1e-4)
    # Not vacuous: the composite moved the content.
    assert np.abs(fused[:, 8:24, 8:24] - x.numpy()[:, 8:24, 8:24]).max() > 0.02


def test_fused_sequence_agrees_under_xla():
    x = _ramp(3, 24, 24)
    seq = tfaug.Sequence([
        tfaug.image.RandomAffine(degrees=20, scale=(0.8, 1.2), value_range=(0, 1)),
        tfaug.image.RandomPerspective(scale=0.3, value_range=(0, 1)),
        tfaug.image.RandomShear(0.2, 0.2, fill_mode="constant", value_range=(0, 1))])
    assert seq._groups() == [[0, 1, 2]]
    eager = seq(x, training=True, seed=SEED)
    xla = _xla(lambda t: seq(t, training=True, seed=SEED), x)
    np.testing.assert_allclose(eager.numpy(), xla.numpy(), atol=1e-4)


def test_elastic_is_not_fused():
    seq = tfaug.Sequence([tfaug.image.RandomRotation(0.1, fill_mode="reflect"),
                          tfaug.image.RandomElastic(fill_mode="reflect"),
                          tfaug.image.RandomZoom(0.1, fill_mode="reflect")])
    assert seq._groups() == [[0], [1], [2]]


# ------------------------------------------------------------ keras ranges
def test_zoom_translation_shear_follow_keras_semantics():
    box = tf.constant([[[8.0, 8.0, 24.0, 24.0]]])
    data = {"images": _images(1, 32, 32), "boxes": box}
    zoom_out = tfaug.image.RandomZoom((0.6, 0.6), value_range=(0, 1))(
        data, training=True, seed=SEED)["boxes"]
    np.testing.assert_allclose(zoom_out.numpy(), [[[11.0, 11.0, 21.0, 21.0]]], atol=1e-4)
    zoom_x = tfaug.image.RandomZoom((0.0, 0.0), (-0.5, -0.5), value_range=(0, 1))(
        data, training=True, seed=SEED)["boxes"]
    np.testing.assert_allclose(zoom_x.numpy(), [[[0.0, 8.0, 32.0, 24.0]]], atol=1e-4)
    move = tfaug.image.RandomTranslation((0.25, 0.25), (-0.125, -0.125), value_range=(0, 1))(
        data, training=True, seed=SEED)["boxes"]
    np.testing.assert_allclose(move.numpy(), [[[4.0, 16.0, 20.0, 32.0]]], atol=1e-4)
    shear = tfaug.image.RandomShear((0.2, 0.3), (0.1, 0.1)).sample(512, SEED)
    mag = np.abs(shear["shear_x"].numpy())
    assert mag.min() >= 0.2 and mag.max() <= 0.3
    assert (shear["shear_x"].numpy() > 0).sum() > 200 and (shear["shear_x"].numpy() < 0).sum() > 200
    np.testing.assert_allclose(np.abs(shear["shear_y"].numpy()), 0.1, rtol=1e-6)
    # One sign for both axes, as Keras draws it.
    np.testing.assert_array_equal(np.sign(shear["shear_x"].numpy()),
                                  np.sign(shear["shear_y"].numpy()))


def test_zoom_without_width_factor_keeps_aspect():
    p = tfaug.image.RandomZoom(0.3).sample(64, SEED)
    np.testing.assert_array_equal(p["zoom_x"].numpy(), p["zoom_y"].numpy())
    q = tfaug.image.RandomZoom(0.3, 0.3).sample(64, SEED)
    assert not np.array_equal(q["zoom_x"].numpy(), q["zoom_y"].numpy())


# ------------------------------------------------------------- perspective
def test_perspective_maps_the_drawn_corners():
    b, h, w = 8, 20, 30
    layer = tfaug.image.RandomPerspective(factor=(1.0, 1.0), scale=0.8, value_range=(0, 1))
    params = layer.sample(b, SEED)
    assert params["apply"].numpy().mean() > 0.5
    start, end = layer.corners(params, h, w)
    start, end = start.numpy(), end.numpy()
    m = layer.matrix(params, h, w).numpy().astype(np.float64)
    for i in range(b):
        if not params["apply"][i]:
            np.testing.assert_array_equal(m[i], np.eye(3))
            continue
        q = m[i] @ np.concatenate([end[i], np.ones((4, 1))], 1).T
        np.testing.assert_allclose((q[:2] / q[2]).T, start[i], atol=2e-3)
    # Keras: corner pixel centres (0, 0), (W-1, 0), (0, H-1), (W-1, H-1) scaled by
    # 1 + f, f in [-scale/2, scale/2]: the top-left one never moves.
    np.testing.assert_allclose(start[0] - 0.5, [[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]])
    rel = (end - 0.5) / np.maximum(start - 0.5, 1e-9) - 1.0
    assert np.all(np.abs(rel[:, 1:][(start[:, 1:] - 0.5) > 0]) <= 0.4 + 1e-5)
    np.testing.assert_array_equal(end[:, 0], start[:, 0])


def test_perspective_zero_scale_or_factor_is_identity():
    x = _images()
    for kw in ({"scale": 0.0}, {"factor": 0.0}):
        out = tfaug.image.RandomPerspective(value_range=(0, 1), **kw)(
            x, training=True, seed=SEED)
        np.testing.assert_array_equal(out.numpy(), x.numpy())


# ---------------------------------------------------------------- elastic
def test_elastic_alpha_zero_is_identity():
    masks = tf.constant(np.random.default_rng(0).integers(0, 4, (4, 16, 16)), tf.int32)
    boxes = tf.constant([[[1.5, 2.0, 9.25, 13.0], [-1.0, -1.0, -1.0, -1.0]]] * 4)
    data = {"images": _images(), "masks": masks, "boxes": boxes}
    layer = tfaug.image.RandomElastic(alpha=0.0, value_range=(0, 1))
    for out in (layer(data, training=True, seed=SEED),
                _xla(lambda d: layer(d, training=True, seed=SEED), data)):
        for key in data:
            np.testing.assert_array_equal(out[key].numpy(), data[key].numpy())


def test_elastic_constant_field_is_a_shift():
    x = _images(2, 12, 16)
    d = tf.tile(tf.constant([2.0, -1.0])[None, None, None], [2, 4, 4, 1])
    out = elastic_ops.elastic_transform(x, d, fill_mode="wrap")
    np.testing.assert_allclose(out.numpy(), np.roll(x.numpy(), (1, -2), axis=(1, 2)),
                               atol=1e-5)
    boxes = elastic_ops.elastic_boxes(tf.constant([[[4.0, 4.0, 10.0, 8.0]]] * 2), d, 12, 16)
    np.testing.assert_allclose(boxes.numpy(), [[[2.0, 5.0, 8.0, 9.0]]] * 2, atol=1e-4)


def test_elastic_field_is_smooth_and_bounded():
    layer = tfaug.image.RandomElastic(alpha=3.0, grid=4)
    d = layer.sample(4, SEED)["displacement"] * 3.0
    field = elastic_ops.elastic_field(d, 32, 32).numpy()
    assert np.abs(field).max() <= 3.0 + 1e-5
    assert np.abs(field).max() > 0.5
    step = np.abs(np.diff(field, axis=1)).max()
    assert step < 0.5, step  # neighbouring pixels move almost together


def test_elastic_boxes_contain_the_moved_content():
    b, h, w = 6, 32, 32
    img = np.zeros((b, h, w, 1), np.float32)
    img[:, 8:20, 10:22] = 1.0
    data = {"images": tf.constant(img), "boxes": tf.constant([[[10.0, 8.0, 22.0, 20.0]]] * b)}
    layer = tfaug.image.RandomElastic(alpha=4.0, grid=3, interpolation="nearest",
                                      value_range=(0, 1))
    out = layer(data, training=True, seed=SEED)
    for i in range(b):
        ys, xs = np.nonzero(out["images"][i, ..., 0].numpy())
        x0, y0, x1, y1 = out["boxes"][i, 0].numpy()
        assert abs(xs.min() - x0) <= 1.0 and abs(xs.max() + 1 - x1) <= 1.0
        assert abs(ys.min() - y0) <= 1.0 and abs(ys.max() + 1 - y1) <= 1.0


# --------------------------------------------------------------- arguments
@pytest.mark.parametrize("make, arg", [
    (lambda: tfaug.image.RandomRotation(float("nan")), "factor"),
    (lambda: tfaug.image.RandomRotation((0.2, 1.1)), "factor"),
    (lambda: tfaug.image.RandomRotation(1.5), "factor"),
    (lambda: tfaug.image.RandomZoom(-1.0), "height_factor"),
    (lambda: tfaug.image.RandomZoom(0.2, (0.3, 1.3)), "width_factor"),
    (lambda: tfaug.image.RandomZoom((-1.0, 0.2)), "height_factor"),
    (lambda: tfaug.image.RandomTranslation(-1.1, 0.1), "height_factor"),
    (lambda: tfaug.image.RandomTranslation(0.1, (0.1, 2.0)), "width_factor"),
    (lambda: tfaug.image.RandomShear(-0.1), "x_factor"),
    (lambda: tfaug.image.RandomShear(0.1, (0.3, float("inf"))), "y_factor"),
    (lambda: tfaug.image.RandomShear(0.1, 1.5), "y_factor"),
    (lambda: tfaug.image.RandomAffine(degrees=-5), "degrees"),
    (lambda: tfaug.image.RandomAffine(degrees=(10, -10)), "degrees"),
    (lambda: tfaug.image.RandomAffine(translate=(0.1, -0.1)), "translate"),
    (lambda: tfaug.image.RandomAffine(translate=0.1), "translate"),
    (lambda: tfaug.image.RandomAffine(scale=(0.0, 1.0)), "scale"),
    (lambda: tfaug.image.RandomAffine(scale=(1.2, 0.8)), "scale"),
    (lambda: tfaug.image.RandomAffine(shear=(-90, 10)), "shear"),
    (lambda: tfaug.image.RandomAffine(fill_mode="mirror"), "fill_mode"),
    (lambda: tfaug.image.RandomRotation(0.1, interpolation="bicubic"), "interpolation"),
    (lambda: tfaug.image.RandomPerspective(1.5), "factor"),
    (lambda: tfaug.image.RandomPerspective(scale=-0.1), "scale"),
    (lambda: tfaug.image.RandomElastic(alpha=-1.0), "alpha"),
    (lambda: tfaug.image.RandomElastic(grid=1), "grid"),
    (lambda: tfaug.image.RandomElastic(fill_mode="edge"), "fill_mode"),
])
def test_bad_arguments_raise_naming_the_argument(make, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        make()


def test_dynamic_shapes_and_empty_batches():
    layer = tfaug.image.RandomAffine(degrees=10, translate=(0.1, 0.1), value_range=(0, 1))
    fn = tf.function(lambda t: layer(t, training=True, seed=SEED),
                     input_signature=[tf.TensorSpec([None, None, None, 3])])
    x = _images(2, 12, 20)
    np.testing.assert_allclose(fn(x).numpy(), layer(x, training=True, seed=SEED).numpy(),
                               atol=1e-6)
    for cls in (tfaug.image.RandomPerspective, tfaug.image.RandomElastic):
        lay = cls(value_range=(0, 1))
        empty = {"images": tf.zeros([0, 8, 8, 3]), "boxes": tf.zeros([0, 2, 4])}
        out = lay.apply(empty, lay.sample(0, SEED))
        assert out["images"].shape == (0, 8, 8, 3) and out["boxes"].shape == (0, 2, 4)


def test_registered_and_exported():
    for name in ("RandomAffine", "RandomRotation", "RandomZoom", "RandomTranslation",
                 "RandomShear", "RandomPerspective", "RandomElastic"):
        assert tfaug.registered()[name] is getattr(tfaug.image, name)
        module = (warp if name in ("RandomPerspective", "RandomElastic")
                  else random_affine if name == "RandomAffine" else geometric)
        assert getattr(module, name) is getattr(tfaug.image, name)
