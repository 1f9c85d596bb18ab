"""Keras-named colour, tone and blur layers: Keras' arguments, order and meanings.

Where tfaug's layer means the same as Keras', the drawn parameters are fed to
Keras' own ``transform_images`` and the outputs compared.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfaug import image

SEED = tf.constant([7, 11], tf.int64)


def _images(b=4, h=6, w=5, high=255.0, seed=0):
    rng = np.random.default_rng(seed)
    return tf.constant((rng.random((b, h, w, 3)) * high).astype(np.float32))


# ------------------------------------------------------ same as Keras' ops
def test_brightness_matches_keras():
    x = _images()
    layer = image.RandomBrightness((-0.3, 0.4))
    delta = layer.sample(4, SEED)["delta"]
    ref = keras.layers.RandomBrightness((-0.3, 0.4)).transform_images(
        x, {"rgb_delta": tf.reshape(delta, [-1, 1, 1, 1]) * 255.0})
    np.testing.assert_allclose(layer(x, training=True, seed=SEED), ref, atol=1e-3)
    assert delta.numpy().min() >= -0.3 and delta.numpy().max() <= 0.4


def test_contrast_matches_keras_per_channel_mean():
    x = _images()
    layer = image.RandomContrast(0.5)
    factor = layer.sample(4, SEED)["factor"]
    assert np.all((factor >= 0.5) & (factor <= 1.5))  # the documented [1 - f, 1 + f]
    ref = keras.layers.RandomContrast(0.5).transform_images(
        x, {"contrast_factor": tf.reshape(factor, [-1, 1, 1, 1])})
    np.testing.assert_allclose(layer(x, training=True, seed=SEED), ref, atol=1e-3)


def test_saturation_matches_keras_mapping():
    x = _images(high=1.0)
    layer = image.RandomSaturation((0.1, 0.5), value_range=(0, 1))
    f = layer.sample(4, SEED)["factor"]
    assert np.all((f >= 0.1) & (f <= 0.5))
    ref = keras.layers.RandomSaturation((0.1, 0.5), value_range=(0, 1)).transform_images(
        x, {"factor": f / (1.0 - f + 1e-7)})
    np.testing.assert_allclose(layer(x, training=True, seed=SEED), ref, atol=1e-5)


def test_saturation_ends_and_no_op():
    x = _images()
    gray = image.RandomSaturation((0.0, 0.0))(x, training=True, seed=SEED).numpy()
    np.testing.assert_allclose(gray[..., 0], gray[..., 1], atol=1e-3)
    np.testing.assert_allclose(gray[..., 1], gray[..., 2], atol=1e-3)
    same = image.RandomSaturation((0.5, 0.5))(x, training=True, seed=SEED)
    np.testing.assert_allclose(same, x, atol=1e-3)
    full = image.RandomSaturation((1.0, 1.0))(x, training=True, seed=SEED).numpy()
    np.testing.assert_allclose(full.min(axis=-1), 0.0, atol=1e-3)  # S = 1
    # A single number f draws from [0, f] (Keras' documented rule).
    drawn = image.RandomSaturation(0.3).sample(500, SEED)["factor"].numpy()
    assert drawn.min() >= 0.0 and drawn.max() <= 0.3 and drawn.min() < 0.02


def test_hue_matches_keras_with_random_sign():
    x = _images()
    layer = image.RandomHue((0.4, 0.8))
    delta = layer.sample(64, SEED)["delta"].numpy()
    # Keras: magnitude in [lo, hi] scaled by 1/2 (turns), random sign.
    assert np.all((np.abs(delta) >= 0.2 - 1e-6) & (np.abs(delta) <= 0.4 + 1e-6))
    assert (delta > 0).any() and (delta < 0).any()
    delta4 = layer.sample(4, SEED)["delta"]
    ref = keras.layers.RandomHue((0.4, 0.8)).transform_images(x, {"factor": delta4})
    np.testing.assert_allclose(layer(x, training=True, seed=SEED), ref, atol=1e-2)


def test_color_jitter_parts_equal_the_standalone_layers():
    x = _images(b=3)
    for name, cls, factor in [("brightness", image.RandomBrightness, [0.5, 0.5]),
                              ("contrast", image.RandomContrast, [0.5, 0.5]),
                              ("saturation", image.RandomSaturation, [0.2, 0.7]),
                              ("hue", image.RandomHue, [0.5, 0.5])]:
        jitter = image.RandomColorJitter(**{f"{name}_factor": factor}, seed=9)
        alone = cls(factor=factor, seed=9)
        np.testing.assert_array_equal(jitter(x, training=True), alone(x, training=True))
    # All four at once: independent draws, applied in Keras' order.
    jitter = image.RandomColorJitter(brightness_factor=0.2, contrast_factor=0.3,
                                     saturation_factor=(0.2, 0.8), hue_factor=0.4)
    p = jitter.sample(3, SEED)
    y = x / 255.0
    for name, cls in [("brightness", image.RandomBrightness),
                      ("contrast", image.RandomContrast)]:
        y = cls.adjust(y, p[name])
    y = image.RandomHue.adjust(image.RandomSaturation.saturate(y, p["saturation"]), p["hue"])
    np.testing.assert_allclose(jitter(x, training=True, seed=SEED), y * 255.0, atol=1e-3)
    draws = [jitter.sample(200, SEED)[k].numpy() for k in ("brightness", "contrast")]
    assert abs(np.corrcoef(draws)[0, 1]) < 0.2


def test_grayscale_factor_is_the_chance():
    x = _images(b=200, h=2, w=2)
    out = image.RandomGrayscale(0.3)(x, training=True, seed=SEED).numpy()
    gray = np.all(np.abs(out[..., 0] - out[..., 2]) < 1e-3, axis=(1, 2))
    assert 40 <= gray.sum() <= 80
    assert image.RandomGrayscale().factor == 0.5


# ----------------------------------------------------- new Keras classes
def test_solarization_defaults_invert_everything_and_threshold():
    x = tf.constant(np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1))
    levels = np.arange(256).reshape(16, 16)
    out = image.Solarization()(x, training=True, seed=SEED).numpy()[0, ..., 0]
    np.testing.assert_array_equal(out, 255 - levels)
    half = image.Solarization(threshold_factor=(128 / 255, 128 / 255))
    out = half(x, training=True, seed=SEED).numpy()[0, ..., 0]
    np.testing.assert_array_equal(out, np.where(levels >= 128, 255 - levels, levels))
    # The addition (a fraction of the range) comes first, clipped, then the threshold.
    add = image.Solarization((0.2, 0.2), (0.9, 0.9), value_range=(0, 1))
    xf = tf.reshape(tf.linspace(0.0, 1.0, 11), [1, 1, 11, 1])
    shifted = np.minimum(np.linspace(0, 1, 11) + 0.2, 1.0)
    np.testing.assert_allclose(add(xf, training=True, seed=SEED).numpy().ravel(),
                               np.where(shifted >= 0.9, 1.0 - shifted, shifted), atol=1e-6)


def test_posterization_factor_is_the_bits():
    x = tf.constant([[[[128.0, 235.0, 87.0], [12.0, 1.0, 23.0]]]])
    out = image.RandomPosterization(1, [0, 255])(x, training=True, seed=SEED)
    np.testing.assert_allclose(out, [[[[128, 128, 0], [0, 0, 0]]]], atol=1e-3)
    out = image.RandomPosterization(3)(x, training=True, seed=SEED)
    np.testing.assert_allclose(out, [[[[128, 224, 64], [0, 0, 0]]]], atol=1e-3)
    bits = image.RandomPosterization((2, 5)).sample(300, SEED)["bits"].numpy()
    assert set(bits) == {2, 3, 4, 5}


def test_sharpness_half_is_identity_and_ends_match_pil_sharpness():
    x = _images(h=8, w=8)
    np.testing.assert_allclose(
        image.RandomSharpness((0.5, 0.5))(x, training=True, seed=SEED), x, atol=1e-3)
    for f in (0.0, 1.0):
        ours = image.RandomSharpness((f, f))(x, training=True, seed=SEED)
        pil = image.Sharpness((2 * f, 2 * f))(x, training=True, seed=SEED)
        np.testing.assert_array_equal(ours, pil)
    drawn = image.RandomSharpness(0.4).sample(300, SEED)["factor"].numpy()
    assert drawn.min() >= 0 and drawn.max() <= 0.8  # PIL factor 2 f, f in [0, 0.4]


def test_equalization_bins_and_determinism():
    rng = np.random.default_rng(1)
    x = tf.constant(rng.uniform(0, 255, (2, 64, 64, 3)).astype(np.float32))
    layer = image.Equalization(value_range=(0, 255))
    out = layer(x, training=True).numpy()
    np.testing.assert_array_equal(out, layer(x, training=True, seed=SEED).numpy())
    assert np.all(out == np.round(out)) and out.min() >= 0 and out.max() <= 255
    assert len(np.unique(out)) > 250
    few = image.Equalization(bins=4)(x, training=True).numpy()
    assert all(len(np.unique(few[i, ..., c])) <= 4 for i in range(2) for c in range(3))
    flat = tf.fill([1, 8, 8, 3], 128.0)
    np.testing.assert_allclose(image.Equalization()(flat, training=True), flat)
    ints = image.Equalization((0, 1), 16, "channels_last")
    assert (ints.value_range, ints.bins, ints.data_format) == ([0.0, 1.0], 16, "channels_last")


def test_invert_factor_draws_the_chance():
    x = _images(b=200, h=2, w=2, high=1.0)
    every = image.RandomInvert((1, 1), value_range=(0, 1))(x, training=True, seed=SEED)
    np.testing.assert_allclose(every, 1.0 - x.numpy(), atol=1e-6)
    none = image.RandomInvert(0)(x, training=True, seed=SEED)
    np.testing.assert_allclose(none, x, atol=1e-6)
    # A number f draws p in [0, f] per image: on average f / 2 of them invert.
    flags = image.RandomInvert(1.0).sample(2000, SEED)["invert"].numpy()
    assert abs(flags.mean() - 0.5) < 0.04


def test_gaussian_blur_matches_gaussian_blur_and_sigma_zero_is_identity():
    x = _images(h=9, w=9)
    zero = image.RandomGaussianBlur((1, 1), 3, sigma=0)
    np.testing.assert_allclose(zero(x, training=True, seed=SEED), x, atol=1e-3)
    ours = image.RandomGaussianBlur((1, 1), 5, sigma=(1.2, 1.2), padding="reflect")
    theirs = image.GaussianBlur(5, (1.2, 1.2))
    np.testing.assert_allclose(ours(x, training=True, seed=SEED),
                               theirs(x, training=True, seed=SEED), atol=1e-4)
    np.testing.assert_allclose(
        image.RandomGaussianBlur(0)(x, training=True, seed=SEED), x, atol=1e-3)
    # A kernel (height, width) pair: a (1, 5) kernel blurs along the rows only.
    rows = image.RandomGaussianBlur((1, 1), (1, 5), 1.0)(x, training=True, seed=SEED)
    col = x.numpy()[:, :, :1]  # one column, reflected: nothing to blur along a row
    np.testing.assert_allclose(
        image.RandomGaussianBlur((1, 1), (1, 5), 1.0, padding="reflect")(
            col, training=True, seed=SEED), col, atol=1e-3)
    assert not np.allclose(rows, x, atol=1e-3)


# ------------------------------------------------ order, defaults, errors
def test_keras_positional_order():
    assert image.RandomContrast(0.2, (0, 1), 3).value_range == [0.0, 1.0]
    assert image.RandomBrightness(0.2, (0, 1), 3).seed == 3
    for cls in (image.RandomSaturation, image.RandomHue, image.RandomPosterization,
                image.RandomSharpness):
        layer = cls(0.5 if cls is not image.RandomPosterization else 4, (0, 1),
                    "channels_last", 3)
        assert (layer.value_range, layer.data_format, layer.seed) == (
            [0.0, 1.0], "channels_last", 3)
    assert image.RandomGrayscale(0.2, "channels_last", 3).seed == 3
    jitter = image.RandomColorJitter((0, 1), 0.1, 0.2, 0.3, 0.4, 3, "channels_last")
    assert (jitter.brightness_factor, jitter.hue_factor, jitter.seed) == (0.1, 0.4, 3)
    sol = image.Solarization(0.1, 0.2, (0, 1), 3)
    assert (sol.addition_factor, sol.threshold_factor, sol.seed) == (0.1, 0.2, 3)
    assert image.RandomInvert(0.3, (0, 1), 3, "channels_last").seed == 3
    blur = image.RandomGaussianBlur(0.3, 5, 0.5, (0, 1), "channels_last", 3)
    assert (blur.kernel_size, blur.sigma, blur.seed) == (5, 0.5, 3)
    erase = image.RandomErasing(0.5, 0.2, 0, (0, 1), 3, "channels_last")
    assert (erase.factor, erase.scale, erase.fill_value, erase.seed) == (0.5, 0.2, 0.0, 3)
    assert image.AutoContrast((0, 1)).value_range == [0.0, 1.0]
    with pytest.raises(TypeError):
        image.RandomContrast(0.2, (0, 255), None, 0.5)  # probability is keyword-only
    with pytest.raises(TypeError):
        image.RandomContrast()  # factor has no default, as in Keras


@pytest.mark.parametrize("make, message", [
    (lambda: image.RandomBrightness(1.1), "The `factor` argument should be a number"),
    (lambda: image.RandomBrightness(0.1, value_range="x"),
     "The `value_range` argument should be a list of two numbers"),
    (lambda: image.RandomHue(0.2, [10]), "The `value_range` argument should be"),
    (lambda: image.RandomContrast(float("nan")), "The `factor` argument"),
    (lambda: image.RandomSaturation((0.2, float("inf"))), "The `factor` argument"),
    (lambda: image.RandomGrayscale(-0.1), "`factor` should be between 0 and 1"),
    (lambda: image.Solarization(1.5), "The `addition_factor` and `threshold_factor`"),
    (lambda: image.Solarization(threshold_factor=(0.1, 2)), "threshold_factor"),
    (lambda: image.RandomPosterization(9), "in the range \\[1, 8\\]"),
    (lambda: image.RandomPosterization(2.5), "`factor`"),
    (lambda: image.RandomSharpness(1.5), "The `factor` argument"),
    (lambda: image.Equalization(bins=1), "`bins`"),
    (lambda: image.RandomInvert(2), "The `factor` argument"),
    (lambda: image.RandomGaussianBlur(kernel_size=4), "kernel_size must be an odd number"),
    (lambda: image.RandomGaussianBlur(sigma=-1), "`sigma`"),
    (lambda: image.RandomColorJitter(hue_factor=1.5), "`hue_factor`"),
    (lambda: image.AutoContrast(5), "The `value_range` argument should be"),
])
def test_errors_begin_with_keras_sentences(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# ------------------------------------------- Keras' transform API (hooks)
def _same_as_call(layer, data, seed=SEED):
    """get_random_transformation + transform_images == a call with the same seed."""
    t = layer.get_random_transformation(data, training=True, seed=seed)
    images = data["images"] if isinstance(data, dict) else data
    np.testing.assert_allclose(layer.transform_images(images, t),
                               layer(images, training=True, seed=seed), atol=1e-5)
    return t


def test_contrast_keras_keys_both_ways():
    x = _images()
    layer = image.RandomContrast(0.5, probability=0.5)
    t = _same_as_call(layer, x)
    assert t["contrast_factor"].shape == (4, 1, 1, 1)
    keras_layer = keras.layers.RandomContrast(0.5)
    np.testing.assert_allclose(layer.transform_images(x, t),
                               keras_layer.transform_images(x, t), atol=1e-3)
    hand = {"contrast_factor": np.array([0.5, 1.0, 1.5, 0.7]).reshape(4, 1, 1, 1)}
    np.testing.assert_allclose(layer.transform_images(x, hand),
                               keras_layer.transform_images(x, hand), atol=1e-3)


def test_erasing_keras_keys_both_ways():
    x = _images()
    layer = image.RandomErasing(1.0, fill_value=None, seed=1)
    t = _same_as_call(layer, x)
    assert t["batch_masks"].shape == x.shape and t["apply_erasing"].shape == (4,)
    assert t["fill_value"].shape == x.shape
    keras_layer = keras.layers.RandomErasing()
    np.testing.assert_allclose(layer.transform_images(x, t),
                               keras_layer.transform_images(x, t), atol=1e-3)
    rng = np.random.default_rng(3)
    hand = {"apply_erasing": np.array([True, False, True, True]),
            "batch_masks": rng.random(x.shape) < 0.3,
            "fill_value": np.array([10.0, 20.0, 30.0], np.float32)}
    np.testing.assert_allclose(layer.transform_images(x, hand),
                               keras_layer.transform_images(x, hand), atol=1e-3)
    # Keras broadcasts a single image to a batch of one: so does tfaug
    one = layer.transform_images(x[0], {k: v[:1] for k, v in hand.items()
                                        if k != "fill_value"} | {"fill_value": 0})
    assert one.shape == (1, 6, 5, 3)


def test_gaussian_blur_keras_keys_both_ways():
    x = _images()
    layer = image.RandomGaussianBlur(1.0, kernel_size=5, sigma=0.8, seed=2)
    t = _same_as_call(layer, x)
    assert t["blur_factor"].shape == (4, 2) and t["should_apply_blur"].shape == (4,)
    keras_layer = keras.layers.RandomGaussianBlur(1.0, kernel_size=5, sigma=0.8)
    as_keras = dict(t, blur_factor=t["blur_factor"][0])  # Keras: one (sx, sy) per batch
    np.testing.assert_allclose(layer.transform_images(x, t),
                               keras_layer.transform_images(x, as_keras), atol=1e-3)
    hand = {"blur_factor": tf.constant([0.4, 2.0]),  # different x and y sigmas
            "should_apply_blur": tf.constant([True, True, False, True])}
    np.testing.assert_allclose(layer.transform_images(x, hand),
                               keras_layer.transform_images(x, hand), atol=1e-3)


def test_gaussian_blur_padding_reflect_keeps_a_flat_image():
    flat = tf.fill([1, 4, 4, 3], 100.0)
    t = {"blur_factor": [1.0, 1.0], "should_apply_blur": [True]}
    dark = image.RandomGaussianBlur().transform_images(flat, t).numpy()
    assert dark[0, 0, 0, 0] < 100.0  # zeros outside the image, as Keras
    kept = image.RandomGaussianBlur(padding="reflect").transform_images(flat, t)
    np.testing.assert_allclose(kept, flat, rtol=1e-6)
    assert image.RandomGaussianBlur(padding="reflect").get_config()["padding"] == "reflect"


def test_mixup_keras_keys_both_ways():
    x = _images()
    labels = tf.one_hot([0, 1, 2, 3], 4)
    layer = image.MixUp(alpha=0.4, seed=3)
    t = _same_as_call(layer, {"images": x, "labels": labels})
    out = layer({"images": x, "labels": labels}, training=True, seed=SEED)
    np.testing.assert_allclose(layer.transform_labels(labels, t), out["labels"], atol=1e-6)
    assert t["permutation_order"].dtype == tf.int64
    keras_layer = keras.layers.MixUp(alpha=0.4)
    np.testing.assert_allclose(layer.transform_images(x, t),
                               keras_layer.transform_images(x, t), atol=1e-3)
    hand = {"mix_weight": np.array([0.2, 0.5, 1.0, 0.9], np.float32),
            "permutation_order": np.array([3, 2, 1, 0])}
    np.testing.assert_allclose(layer.transform_images(x, hand),
                               keras_layer.transform_images(x, hand), atol=1e-3)
    np.testing.assert_allclose(layer.transform_labels(labels, hand),
                               keras_layer.transform_labels(labels, hand), atol=1e-6)


def test_mixup_keras_boxes_add_the_partners():
    boxes = {"boxes": tf.constant([[[0.0, 0.0, 2.0, 2.0]], [[1.0, 1.0, 3.0, 3.0]]]),
             "labels": tf.constant([[5], [6]])}
    hand = {"mix_weight": [0.5, 0.5], "permutation_order": [1, 0]}
    out = image.MixUp().transform_bounding_boxes(boxes, hand)
    np.testing.assert_allclose(out["boxes"], [[[0, 0, 2, 2], [1, 1, 3, 3]],
                                              [[1, 1, 3, 3], [0, 0, 2, 2]]])
    np.testing.assert_array_equal(out["labels"], [[5, 6], [6, 5]])
    # gated-off rows (probability) flag the partner's boxes
    layer = image.MixUp(probability=0.0)
    t = layer.get_random_transformation({"images": _images(2)}, seed=SEED)
    out = layer.transform_bounding_boxes(boxes, t)
    np.testing.assert_array_equal(out["boxes"][:, 1], -np.ones((2, 4)))


def test_cutmix_keras_keys_both_ways():
    x = _images()
    labels = tf.one_hot([0, 1, 2, 3], 4)
    layer = image.CutMix((1.0, 1.0), seed=4)
    t = _same_as_call(layer, {"images": x, "labels": labels})
    out = layer({"images": x, "labels": labels}, training=True, seed=SEED)
    np.testing.assert_allclose(layer.transform_labels(labels, t), out["labels"], atol=1e-6)
    keras_layer = keras.layers.CutMix()
    np.testing.assert_allclose(layer.transform_images(x, t),
                               keras_layer.transform_images(x, t), atol=1e-3)
    np.testing.assert_allclose(layer.transform_labels(labels, t),
                               keras_layer.transform_labels(labels, t), atol=1e-6)
    mask = np.zeros(x.shape, bool)
    mask[:, 1:4, 2:5] = True
    hand = {"batch_masks": mask, "mix_weight": np.full([4], 0.7, np.float32),
            "permutation_order": np.array([1, 2, 3, 0], np.int32)}
    np.testing.assert_allclose(layer.transform_images(x, hand),
                               keras_layer.transform_images(x, hand), atol=1e-3)
    np.testing.assert_allclose(layer.transform_labels(labels, hand),
                               keras_layer.transform_labels(labels, hand), atol=1e-6)
    # boxes fully under the pasted rectangle are flagged
    boxes = {"boxes": tf.constant([[[2.0, 1.0, 5.0, 4.0], [0.0, 0.0, 1.0, 1.0]]] * 4),
             "labels": tf.constant([[1, 2]] * 4)}
    out = layer.transform_bounding_boxes(boxes, dict(hand, input_shape=x.shape))
    np.testing.assert_array_equal(out["boxes"][:, 0], -np.ones((4, 4)))
    np.testing.assert_array_equal(out["boxes"][:, 1], boxes["boxes"][:, 1])
