"""Colour ops and layers: exact properties and agreement with tf.image and PIL."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image, ImageEnhance, ImageOps

from tfaug import image
from tfaug.image.ops import color as ops

SEED = tf.constant([3, 8], tf.int64)


@pytest.fixture(scope="module")
def photos():
    """Three real photos (skimage.data), downsized to 40x48, uint8 [3, 40, 48, 3]."""
    from skimage import data
    imgs = [data.astronaut(), data.coffee(), data.chelsea()]
    return np.stack([np.asarray(Image.fromarray(i).resize((48, 40), Image.BILINEAR))
                     for i in imgs])


def _unit(u8):
    return tf.constant(np.asarray(u8, np.float32) / 255.0)


def _u8(x):
    return np.clip(np.round(np.asarray(x) * 255.0), 0, 255).astype(np.int32)


def _random_images(b=4, h=9, w=11, c=3, seed=0):
    return tf.constant(np.random.default_rng(seed).random((b, h, w, c)).astype(np.float32))


def _pil_each(u8, fn):
    return np.stack([np.asarray(fn(Image.fromarray(i))) for i in u8]).astype(np.int32)


# ------------------------------------------------------------ point ops
def test_brightness_adds_exactly_delta_then_clips():
    x = _random_images()
    delta = tf.constant([0.0, 0.25, -0.5, 1.0])
    out = ops.adjust_brightness(x, delta).numpy()
    np.testing.assert_array_equal(out, np.clip(x.numpy() + delta.numpy()[:, None, None, None],
                                               0, 1))


def test_grayscale_matches_tf_image():
    x = _random_images()
    out = ops.to_grayscale(x).numpy()
    ref = tf.image.rgb_to_grayscale(x).numpy()
    np.testing.assert_allclose(out, np.repeat(ref, 3, axis=-1), atol=1e-6)


def test_contrast_identity_and_mean():
    x = _random_images()
    np.testing.assert_array_equal(ops.adjust_contrast(x, tf.ones([4])).numpy(), x.numpy())
    flat = ops.adjust_contrast(x, tf.zeros([4])).numpy()
    mean = tf.reduce_mean(tf.image.rgb_to_grayscale(x), axis=[1, 2, 3]).numpy()
    np.testing.assert_allclose(flat, np.broadcast_to(mean[:, None, None, None], x.shape),
                               atol=1e-6)
    # Per-sample factors: row i equals the op with factor i alone.
    f = tf.constant([0.3, 1.0, 1.7, 0.0])
    out = ops.adjust_contrast(x, f).numpy()
    for i in range(4):
        np.testing.assert_allclose(out[i], ops.adjust_contrast(x[i:i + 1], f[i])[0], atol=1e-6)


def test_contrast_matches_pil_within_one_level(photos):
    for factor in (0.4, 1.6):
        out = _u8(ops.adjust_contrast(_unit(photos), factor))
        ref = _pil_each(photos, lambda im: ImageEnhance.Contrast(im).enhance(factor))
        assert np.abs(out - ref).max() <= 1


def test_saturation_zero_is_grayscale_and_hsv_matches_tf_image():
    x = _random_images()
    np.testing.assert_allclose(ops.adjust_saturation(x, tf.zeros([4])).numpy(),
                               ops.to_grayscale(x).numpy(), atol=1e-6)
    np.testing.assert_array_equal(ops.adjust_saturation(x, tf.ones([4])).numpy(), x.numpy())
    factors = [0.0, 0.4, 1.0, 2.5]
    out = ops.adjust_saturation(x, tf.constant(factors), method="hsv").numpy()
    for i, f in enumerate(factors):
        ref = tf.image.adjust_saturation(x[i], f).numpy()
        np.testing.assert_allclose(out[i], ref, atol=1e-3)


def test_saturation_blend_matches_pil_color(photos):
    out = _u8(ops.adjust_saturation(_unit(photos), 1.8))
    ref = _pil_each(photos, lambda im: ImageEnhance.Color(im).enhance(1.8))
    assert np.abs(out - ref).max() <= 1


def test_hue_identity_red_to_green_and_tf_image():
    x = _random_images()
    np.testing.assert_array_equal(ops.adjust_hue(x, tf.zeros([4])).numpy(), x.numpy())
    red = tf.constant([[[[1.0, 0.0, 0.0]]]] * 3)
    out = ops.adjust_hue(red, tf.constant([1 / 3, -1 / 3, 1.0])).numpy()[:, 0, 0]
    np.testing.assert_allclose(out, [[0, 1, 0], [0, 0, 1], [1, 0, 0]], atol=1e-6)
    deltas = [0.05, -0.2, 0.5, 0.37]
    out = ops.adjust_hue(x, tf.constant(deltas)).numpy()
    for i, d in enumerate(deltas):
        np.testing.assert_allclose(out[i], tf.image.adjust_hue(x[i], d).numpy(), atol=1e-3)


def test_single_channel_is_identity_for_colour_space_ops():
    x = _random_images(c=1)
    for out in (ops.to_grayscale(x), ops.adjust_saturation(x, tf.fill([4], 0.2)),
                ops.adjust_saturation(x, tf.fill([4], 0.2), "hsv"),
                ops.adjust_hue(x, tf.fill([4], 0.3))):
        np.testing.assert_array_equal(out.numpy(), x.numpy())
    # RGBA: the alpha channel passes through.
    rgba = _random_images(c=4)
    out = ops.adjust_hue(rgba, tf.fill([4], 0.3)).numpy()
    np.testing.assert_array_equal(out[..., 3], rgba.numpy()[..., 3])
    assert not np.allclose(out[..., :3], rgba.numpy()[..., :3])


def test_solarize_inverts_exactly_pixels_at_or_above_threshold(photos):
    x = _unit(photos)
    out = _u8(ops.solarize(x, 128 / 255.0))
    p = photos.astype(np.int32)
    np.testing.assert_array_equal(out, np.where(p >= 128, 255 - p, p))
    np.testing.assert_array_equal(out, _pil_each(photos, lambda im: ImageOps.solarize(im, 128)))


def test_posterize_levels_and_pil(photos):
    x = _unit(photos)
    np.testing.assert_array_equal(_u8(ops.posterize(x, 8)), photos)
    one = _u8(ops.posterize(x, 1))
    assert set(np.unique(one)) == {0, 128}
    bits = tf.constant([1, 3, 6])
    out = _u8(ops.posterize(x, bits))
    for i, b in enumerate(bits.numpy()):
        ref = np.asarray(ImageOps.posterize(Image.fromarray(photos[i]), int(b)))
        np.testing.assert_array_equal(out[i], ref)


def test_invert_is_255_minus_x_on_uint8(photos):
    out = image.Invert()(tf.constant(photos), training=True).numpy()
    np.testing.assert_array_equal(out, 255 - photos)


# -------------------------------------------------------- histogram ops
def test_equalize_matches_pil(photos):
    out = _u8(ops.equalize(_unit(photos)))
    ref = _pil_each(photos, ImageOps.equalize)
    np.testing.assert_array_equal(out, ref)  # PIL's rule exactly
    assert np.mean(out != photos) > 0.5


def test_equalize_is_per_image_and_per_channel(photos):
    batched = ops.equalize(_unit(photos)).numpy()
    for i in range(3):
        np.testing.assert_array_equal(batched[i], ops.equalize(_unit(photos[i:i + 1]))[0])
    # A constant channel (one level) is unchanged, the others still equalize.
    x = photos[:1].copy()
    x[..., 1] = 77
    out = _u8(ops.equalize(_unit(x)))
    assert np.all(out[..., 1] == 77)
    np.testing.assert_array_equal(out, _pil_each(x, ImageOps.equalize))


def test_autocontrast_matches_pil(photos):
    x = photos.copy()
    x = (x // 2 + 40).astype(np.uint8)  # squeeze into 40..167
    x[1, ..., 2] = 99  # a constant channel is left unchanged
    out = _u8(ops.autocontrast(_unit(x)))
    ref = _pil_each(x, ImageOps.autocontrast)
    assert np.abs(out - ref).max() <= 1
    assert np.all(out[1, ..., 2] == 99)
    assert out[0].min() == 0 and out[0].max() == 255


def test_sharpness_matches_pil(photos):
    x = _unit(photos)
    np.testing.assert_allclose(ops.sharpness(x, 1.0).numpy(), x.numpy(), atol=1e-6)
    for factor in (0.0, 0.5, 2.0, 3.0):
        out = _u8(ops.sharpness(x, factor))
        ref = _pil_each(photos, lambda im: ImageEnhance.Sharpness(im).enhance(factor))
        assert np.abs(out - ref).max() <= 1, factor
        # Borders are unchanged.
        np.testing.assert_array_equal(out[:, 0], photos[:, 0])
        np.testing.assert_array_equal(out[:, :, -1], photos[:, :, -1])


def test_ops_compile_with_xla(photos):
    x = _unit(photos)
    b = tf.constant([0.3, 1.0, 1.8])
    fns = [ops.equalize, ops.autocontrast, lambda x: ops.adjust_hue(x, b - 1.0),
           lambda x: ops.adjust_saturation(x, b, "hsv"), lambda x: ops.sharpness(x, b),
           lambda x: ops.posterize(x, tf.constant([2, 5, 8])),
           lambda x: ops.color_jitter(x, tf.constant([[0, 1, 2, 3], [3, 2, 1, 0],
                                                      [1, 3, 0, 2]]), b, b, b, b - 1.0)]
    for fn in fns:
        np.testing.assert_allclose(tf.function(fn, jit_compile=True)(x).numpy(),
                                   fn(x).numpy(), atol=1e-5)


# ----------------------------------------------------------- colour jitter
def test_color_jitter_applies_the_four_ops_in_each_samples_order():
    x = _random_images()
    order = tf.constant([[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]])
    bf, cf = tf.constant([0.7, 1.3, 1.1, 0.5]), tf.constant([1.5, 0.6, 0.9, 1.2])
    sf, hd = tf.constant([0.2, 1.8, 1.0, 0.6]), tf.constant([0.1, -0.3, 0.25, 0.0])
    out = ops.color_jitter(x, order, bf, cf, sf, hd).numpy()
    steps = [lambda y, i: ops.scale_brightness(y, bf[i]),
             lambda y, i: ops.adjust_contrast(y, cf[i]),
             lambda y, i: ops.adjust_saturation(y, sf[i]),
             lambda y, i: ops.adjust_hue(y, hd[i])]
    for i in range(4):
        y = x[i:i + 1]
        for k in order.numpy()[i]:
            y = steps[k](y, i)
        np.testing.assert_allclose(out[i], y[0].numpy(), atol=1e-5)


def test_color_jitter_layer_draws_per_sample_orders_and_ranges():
    layer = image.ColorJitter(brightness=0.4, contrast=(0.5, 0.7), saturation=0.0, hue=0.1)
    params = layer.sample(256, SEED)
    order = params["order"].numpy()
    np.testing.assert_array_equal(np.sort(order, axis=1), np.tile(np.arange(4), (256, 1)))
    assert len({tuple(o) for o in order}) == 24  # every permutation occurs
    b, c, h = (params[k].numpy() for k in ("brightness", "contrast", "hue"))
    assert b.min() >= 0.6 and b.max() <= 1.4 and b.std() > 0.1
    assert c.min() >= 0.5 and c.max() <= 0.7
    assert np.abs(h).max() <= 0.1
    # Zero saturation is a no-op: the layer equals the op without saturation.
    x = _random_images()
    out = layer(x * 255.0, training=True, seed=SEED).numpy() / 255.0
    p = layer.sample(4, SEED)
    ref = ops.color_jitter(x, p["order"], p["brightness"], p["contrast"], None, p["hue"])
    np.testing.assert_allclose(out, ref.numpy(), atol=1e-5)


# ----------------------------------------------------------------- layers
def test_random_contrast_keras_semantics():
    params = image.RandomContrast((0.2, 0.5)).sample(1000, SEED)["factor"].numpy()
    assert params.min() >= 0.8 and params.max() <= 1.5
    assert params.min() < 0.85 and params.max() > 1.45
    fixed = image.RandomContrast(0.0)(_random_images() * 255.0, training=True, seed=SEED)
    np.testing.assert_allclose(fixed.numpy(), _random_images().numpy() * 255.0, atol=1e-4)


def test_random_brightness_is_a_fraction_of_the_value_range():
    x = tf.constant(np.full((2, 4, 4, 3), 100, np.uint8))
    out = image.RandomBrightness((0.2, 0.2))(x, training=True, seed=SEED).numpy()
    np.testing.assert_array_equal(out, np.full_like(out, 151))
    xf = tf.fill([2, 4, 4, 3], 0.0)
    out = image.RandomBrightness((0.5, 0.5), value_range=(-1, 1))(xf, training=True, seed=SEED)
    np.testing.assert_allclose(out.numpy(), 1.0, atol=1e-6)


def test_solarize_and_posterize_layers_draw_per_sample():
    x = tf.constant(np.tile(np.arange(256, dtype=np.uint8)[None, None, :, None],
                            (64, 1, 1, 3)))
    layer = image.Solarize((50, 200))
    out = layer(x, training=True, seed=SEED).numpy()[:, 0, :, 0].astype(np.int32)
    thresholds = layer.sample(64, SEED)["threshold"].numpy()
    levels = np.arange(256)
    for row, t in zip(out, thresholds):
        np.testing.assert_array_equal(row, np.where(levels >= t, 255 - levels, levels))
    bits = image.Posterize((2, 5)).sample(200, SEED)["bits"].numpy()
    assert set(bits) == {2, 3, 4, 5}


def test_colour_layers_leave_targets_untouched(photos):
    data = {"images": tf.constant(photos), "labels": tf.constant([0, 1, 2]),
            "masks": tf.constant(np.arange(3 * 40 * 48).reshape(3, 40, 48) % 3),
            "boxes": tf.constant([[[1.0, 2.0, 10.0, 12.0]]] * 3)}
    for layer in (image.ColorJitter(0.4, 0.4, 0.4, 0.1), image.Equalize(),
                  image.Sharpness(), image.RandomGrayscale(1.0)):
        out = layer(data, training=True, seed=SEED)
        for key in ("labels", "masks", "boxes"):
            np.testing.assert_array_equal(out[key].numpy(), data[key].numpy())
        assert not np.array_equal(out["images"].numpy(), photos)


def test_grayscale_layer_rate():
    x = _random_images(b=200, h=2, w=2) * 255.0
    out = image.RandomGrayscale(0.3)(x, training=True, seed=SEED).numpy()
    gray = np.all(np.abs(out[..., 0] - out[..., 1]) < 1e-3, axis=(1, 2))
    assert 40 <= gray.sum() <= 80


def test_apply_on_an_empty_sub_batch():
    empty = {"images": tf.zeros([0, 8, 8, 3])}
    for layer in (image.ColorJitter(0.4, 0.4, 0.4, 0.1), image.Equalize(),
                  image.Posterize(), image.Sharpness(), image.RandomHue(0.2)):
        out = layer.apply(empty, layer.sample(0, SEED))
        assert out["images"].shape == (0, 8, 8, 3)


@pytest.mark.parametrize("make, name", [
    (lambda: image.RandomBrightness(1.1), "factor"),
    (lambda: image.RandomBrightness((-1.5, 0.2)), "factor"),
    (lambda: image.RandomContrast(-0.2), "factor"),
    (lambda: image.RandomContrast((1.5, 0.2)), "factor"),
    (lambda: image.RandomSaturation((0.2, -0.1)), "factor"),
    (lambda: image.RandomSaturation(0.2, method="lab"), "method"),
    (lambda: image.RandomHue(1.2), "factor"),
    (lambda: image.RandomHue((-0.1, 0.5)), "factor"),
    (lambda: image.ColorJitter(brightness=-0.1), "brightness"),
    (lambda: image.ColorJitter(contrast=(-0.5, 1.0)), "contrast"),
    (lambda: image.ColorJitter(hue=0.6), "hue"),
    (lambda: image.RandomGrayscale(1.5), "factor"),
    (lambda: image.Solarize(300), "threshold"),
    (lambda: image.Solarize((0.5, 2.0), value_range=(0, 1)), "threshold"),
    (lambda: image.Posterize(0), "bits"),
    (lambda: image.Posterize((3, 9)), "bits"),
    (lambda: image.Posterize(4.5), "bits"),
    (lambda: image.Sharpness(-1.0), "factor"),
    (lambda: image.Invert(probability=2.0), "probability"),
])
def test_bad_arguments_name_the_argument(make, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        make()
