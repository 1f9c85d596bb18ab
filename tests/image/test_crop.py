"""Property tests for the size-changing layers: crops and resizing."""

from unittest import mock

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug.image.ops import affine

SEED = tf.constant([9, 2], tf.int64)


def _images(b=4, h=16, w=20, c=3, seed=0):
    return tf.constant(np.random.default_rng(seed).random((b, h, w, c)).astype(np.float32))


def _xla(fn, *args):
    return tf.function(fn, jit_compile=True)(*args)


# ------------------------------------------------------------- RandomCrop
def test_random_crop_is_the_slice_at_the_drawn_offsets():
    b, h, w = 64, 11, 14
    x = _images(b, h, w)
    masks = tf.constant(np.random.default_rng(1).integers(0, 5, (b, h, w, 1)), tf.int32)
    boxes = tf.constant([[[2.0, 3.0, 8.0, 9.0]]] * b)
    data = {"images": x, "masks": masks, "boxes": boxes}
    layer = tfaug.image.RandomCrop(9, 11, value_range=(0, 1))
    params = layer.sample(b, SEED)
    y0, x0 = [v.numpy().astype(int) for v in layer.offsets(params, h, w)]
    out = layer.apply(data, params)
    xla = _xla(lambda d, p: layer.apply(d, p), data, params)
    for i in range(b):
        sl = np.s_[i, y0[i]:y0[i] + 9, x0[i]:x0[i] + 11]
        np.testing.assert_array_equal(out["images"][i].numpy(), x.numpy()[sl])
        np.testing.assert_array_equal(xla["images"][i].numpy(), x.numpy()[sl])
        np.testing.assert_array_equal(out["masks"][i].numpy(), masks.numpy()[sl])
        expect = np.clip([2.0 - x0[i], 3.0 - y0[i], 8.0 - x0[i], 9.0 - y0[i]],
                         0, [11, 9, 11, 9])
        np.testing.assert_allclose(out["boxes"][i, 0].numpy(), expect, atol=1e-5)
    # Per sample, whole pixels, and every valid offset occurs.
    assert set(y0.tolist()) == {0, 1, 2} and set(x0.tolist()) == {0, 1, 2, 3}


def test_random_crop_inference_and_ungated_rows_are_keras_smart_resize():
    # Keras' documented inference: the largest central window with the target
    # aspect (15 x 15 at x0 = 2 here), resized to the crop size.
    x = _images(8, 15, 20)
    smart = tf.image.resize(x[:, :, 2:17], (10, 10)).numpy()
    layer = tfaug.image.RandomCrop(10, 10, value_range=(0, 1))
    np.testing.assert_allclose(layer(x, training=False).numpy(), smart, atol=1e-5)
    gated = tfaug.image.RandomCrop(10, 10, probability=0.5, value_range=(0, 1))
    params = gated.sample(8, SEED)
    out = gated.apply({"images": x}, params)["images"].numpy()
    y0, x0 = [v.numpy().astype(int) for v in gated.offsets(params, 15, 20)]
    gate = params["gate"].numpy()
    assert 0 < gate.sum() < 8
    for i in range(8):
        if gate[i]:
            np.testing.assert_array_equal(out[i], x.numpy()[i, y0[i]:y0[i] + 10,
                                                            x0[i]:x0[i] + 10])
        else:
            np.testing.assert_allclose(out[i], smart[i], atol=1e-5)


def test_crop_larger_than_a_static_input_is_keras_smart_resize():
    import keras  # pylint: disable=import-outside-toplevel
    x = _images(2, 16, 16)
    # RandomCrop(20, 8): window 16 x 6 at x0 = 5; CenterCrop(8, 40): 3 x 16 at y0 = 6.
    out = tfaug.image.RandomCrop(20, 8, value_range=(0, 1))(x, training=True, seed=SEED)
    np.testing.assert_allclose(out.numpy(), tf.image.resize(x[:, :, 5:11], (20, 8)).numpy(),
                               atol=1e-5)
    for crop in [(8, 40), (20, 8), (17, 17)]:
        layer = tfaug.image.CenterCrop(*crop, value_range=(0, 1))
        ref = keras.layers.CenterCrop(*crop)(x).numpy()
        np.testing.assert_allclose(layer(x).numpy(), ref, atol=1e-5)
        xla = _xla(lambda t, lay=layer: lay(t, training=True, seed=SEED), x)
        np.testing.assert_allclose(xla.numpy(), ref, atol=1e-5)


def test_crop_of_a_small_dynamic_input_resizes_up():
    layer = tfaug.image.RandomCrop(16, 16, value_range=(0, 1))
    fn = tf.function(lambda t: layer(t, training=True, seed=SEED),
                     input_signature=[tf.TensorSpec([None, None, None, 1])])
    x = tf.constant(np.full((2, 8, 12, 1), 0.25, np.float32))
    out = fn(x)
    assert out.shape == (2, 16, 16, 1)
    np.testing.assert_allclose(out.numpy(), 0.25, atol=1e-6)  # no fill: inside the input
    # A big enough dynamic input is still an exact slice.
    y = _images(2, 20, 18, 1)
    big = fn(y).numpy()
    ref = layer(y, training=True, seed=SEED).numpy()
    np.testing.assert_array_equal(big, ref)


# ------------------------------------------------------- CenterCrop/Resize
@pytest.mark.parametrize("hw, crop", [((16, 20), (10, 12)), ((15, 20), (10, 11)),
                                      ((9, 9), (9, 9))])
def test_center_crop_is_the_central_slice(hw, crop):
    x = _images(3, *hw)
    layer = tfaug.image.CenterCrop(*crop, value_range=(0, 1))
    y0, x0 = (hw[0] - crop[0]) // 2, (hw[1] - crop[1]) // 2
    expect = x.numpy()[:, y0:y0 + crop[0], x0:x0 + crop[1]]
    for out in (layer(x), layer(x, training=True, seed=SEED),
                _xla(lambda t: layer(t, training=True, seed=SEED), x)):
        np.testing.assert_array_equal(out.numpy(), expect)


@pytest.mark.parametrize("size", [(24, 30), (7, 9), (16, 5)])
def test_resize_matches_tf_image_resize(size):
    x = _images(2, 12, 16)
    layer = tfaug.image.Resize(*size, value_range=(0, 1))
    expect = tf.image.resize(x, size, "bilinear").numpy()
    np.testing.assert_allclose(layer(x).numpy(), expect, atol=2e-5)
    np.testing.assert_allclose(_xla(lambda t: layer(t, training=True), x).numpy(), expect,
                               atol=2e-5)
    boxes = tf.constant([[[4.0, 3.0, 12.0, 9.0]]] * 2)
    out = layer({"images": x, "boxes": boxes}, training=True)["boxes"].numpy()
    sx, sy = size[1] / 16, size[0] / 12
    np.testing.assert_allclose(out[:, 0], [[4 * sx, 3 * sy, 12 * sx, 9 * sy]] * 2, atol=1e-4)


def test_resize_nearest_masks_match_tf_image_resize():
    masks = tf.constant(np.random.default_rng(0).integers(0, 9, (2, 12, 16, 1)), tf.int32)
    for size in [(24, 32), (6, 8)]:
        out = tfaug.image.Resize(*size)({"images": _images(2, 12, 16), "masks": masks})
        expect = tf.image.resize(masks, size, "nearest").numpy()
        np.testing.assert_array_equal(out["masks"].numpy(), expect)


# ------------------------------------------------------ RandomResizedCrop
def test_random_resized_crop_windows_follow_scale_and_ratio():
    b, h, w = 256, 40, 40  # every draw fits: no selection bias
    layer = tfaug.image.RandomResizedCrop(12, 12, scale=(0.2, 0.5), ratio=(0.5, 2.0))
    params = layer.sample(b, SEED)
    y0, x0, ch, cw = [v.numpy() for v in layer.windows(params, h, w)]
    assert np.all(y0 >= 0) and np.all(x0 >= 0)
    assert np.all(y0 + ch <= h + 1e-4) and np.all(x0 + cw <= w + 1e-4)
    area = ch * cw / (h * w)
    assert area.min() >= 0.2 - 1e-4 and area.max() <= 0.5 + 1e-4
    aspect = cw / ch
    assert aspect.min() >= 0.5 - 1e-4 and aspect.max() <= 2.0 + 1e-4
    assert aspect.min() < 0.7 and aspect.max() > 1.5 and len(np.unique(area)) > 200
    # Log-uniform aspect: as many windows wider than tall as taller than wide.
    assert 90 < (aspect > 1).sum() < 166


def test_random_resized_crop_output_samples_the_window():
    b, h, w = 6, 20, 24
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    ramp = np.repeat((0.1 + 0.02 * xx + 0.01 * yy)[None, ..., None], b, 0).astype(np.float32)
    layer = tfaug.image.RandomResizedCrop(10, 8, scale=(0.3, 0.9), value_range=(0, 1))
    params = layer.sample(b, SEED)
    out = layer.apply({"images": tf.constant(ramp)}, params)["images"].numpy()[..., 0]
    y0, x0, ch, cw = [v.numpy() for v in layer.windows(params, h, w)]
    for i in range(b):
        # Output pixel centres mapped into the window, in pixel-index coordinates.
        sx = x0[i] + (np.arange(8) + 0.5) * cw[i] / 8 - 0.5
        sy = y0[i] + (np.arange(10) + 0.5) * ch[i] / 10 - 0.5
        sx, sy = np.clip(sx, 0, w - 1), np.clip(sy, 0, h - 1)  # edges clamp
        expect = 0.1 + 0.02 * sx[None, :] + 0.01 * sy[:, None]
        np.testing.assert_allclose(out[i], expect, atol=1e-4)


def test_random_resized_crop_falls_back_and_infers_centrally():
    h, w = 16, 16
    layer = tfaug.image.RandomResizedCrop(8, 8, scale=(1.0, 1.0), ratio=(2.0, 2.0))
    y0, x0, ch, cw = [v.numpy() for v in layer.windows(layer.sample(32, SEED), h, w)]
    np.testing.assert_allclose(cw, 16.0)
    np.testing.assert_allclose(ch, 8.0)  # aspect clamped to the ratio range
    assert y0.min() < 2 and y0.max() > 6
    wide = tfaug.image.RandomResizedCrop(10, 20)
    box = {"images": _images(1, 30, 30), "boxes": tf.constant([[[0.0, 0.0, 30.0, 30.0]]])}
    np.testing.assert_allclose(wide(box, training=False)["boxes"].numpy(),
                               [[[0.0, 0.0, 20.0, 10.0]]], atol=1e-4)
    inner = {"images": _images(1, 30, 30), "boxes": tf.constant([[[0.0, 7.5, 30.0, 22.5]]])}
    np.testing.assert_allclose(wide(inner, training=False)["boxes"].numpy(),
                               [[[0.0, 0.0, 20.0, 10.0]]], atol=1e-4)


# ------------------------------------------------------------------ fusion
def test_size_change_in_the_middle_of_a_fused_run():
    h, w = 32, 32
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    x = tf.constant(np.repeat((0.2 + 0.01 * xx + 0.006 * yy)[None, ..., None], 3, 0),
                    tf.float32)
    layers = [tfaug.image.RandomRotation(0.03, fill_mode="nearest", value_range=(0, 1)),
              tfaug.image.RandomCrop(24, 24, value_range=(0, 1)),
              tfaug.image.RandomZoom((-0.3, -0.1), fill_mode="nearest", value_range=(0, 1)),
              tfaug.image.Resize(16, 16, value_range=(0, 1))]
    seq = tfaug.Sequence(layers)
    assert seq._groups() == [[0, 1, 2, 3]]
    params = seq.sample(3, SEED)
    real = affine.transform
    with mock.patch.object(affine, "transform", side_effect=real) as counted:
        fused = seq.apply({"images": x}, params)["images"].numpy()
    assert counted.call_count == 1 and fused.shape == (3, 16, 16, 1)
    data = {"images": x}
    for i, layer in enumerate(layers):
        data = layer.apply(data, params[str(i)])
    # Linear image, sources well inside every intermediate: bilinear is exact here.
    np.testing.assert_allclose(fused[:, 4:12, 4:12], data["images"].numpy()[:, 4:12, 4:12],
                               atol=1e-4)
    central = tf.image.resize(x[:, 4:28, 4:28], (16, 16)).numpy()
    assert np.abs(fused - central).max() > 0.02  # not vacuous: the draws moved content
    # Inference runs every layer's deterministic transform: the crop's smart
    # resize (the whole square image to 24 x 24), then the resize.
    inferred = seq({"images": x, "boxes": tf.constant([[[4.0, 4.0, 28.0, 28.0]]] * 3)},
                   training=False)
    np.testing.assert_allclose(inferred["images"].numpy(),
                               tf.image.resize(tf.image.resize(x, (24, 24)), (16, 16)).numpy(),
                               atol=1e-5)
    np.testing.assert_allclose(inferred["boxes"].numpy(), [[[2.0, 2.0, 14.0, 14.0]]] * 3,
                               atol=1e-4)


# --------------------------------------------------------------- arguments
@pytest.mark.parametrize("make, arg", [
    (lambda: tfaug.image.RandomCrop(0, 8), "height"),
    (lambda: tfaug.image.RandomCrop(8, -2), "width"),
    (lambda: tfaug.image.CenterCrop(8, 0), "width"),
    (lambda: tfaug.image.Resize(0, 8), "height"),
    (lambda: tfaug.image.Resize(8, 8.5), "width"),
    (lambda: tfaug.image.Resize(8, 8, interpolation="area"), "interpolation"),
    (lambda: tfaug.image.RandomResizedCrop(-1, 8), "height"),
    (lambda: tfaug.image.RandomResizedCrop(8, 8, scale=(0.9, 0.1)), "scale"),
    (lambda: tfaug.image.RandomResizedCrop(8, 8, scale=(0.0, 0.5)), "scale"),
    (lambda: tfaug.image.RandomResizedCrop(8, 8, scale=(0.5, 1.5)), "scale"),
    (lambda: tfaug.image.RandomResizedCrop(8, 8, ratio=(-1.0, 2.0)), "ratio"),
    (lambda: tfaug.image.RandomResizedCrop(8, 8, ratio=(2.0, 0.5)), "ratio"),
    (lambda: tfaug.image.RandomCrop(8, 8, fill_mode="edge"), "fill_mode"),
])
def test_bad_arguments_raise_naming_the_argument(make, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        make()


def test_registered_and_exported():
    for name in ("RandomCrop", "RandomResizedCrop", "CenterCrop", "Resize"):
        cls = getattr(tfaug.image, name)
        assert tfaug.registered()[name] is cls and cls.changes_size
