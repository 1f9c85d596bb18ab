"""The seed-first functional ops of ``tfaug.image.ops`` (``random_brightness(seed,
images, ...)`` and kin): each draws one parameter per sample inside its stated
range, and the output is the deterministic op at that parameter (checked by
recovering the parameter from the pixels), reproducible under a seed."""

import numpy as np
import pytest
import tensorflow as tf

from tfaug.image import ops

SEED = tf.constant([3, 11], tf.int64)
B, H, W = 6, 12, 14


def _images(seed=0, lo=0.2, hi=0.8, channels=3):
    rng = np.random.default_rng(seed)
    return tf.constant(rng.uniform(lo, hi, (B, H, W, channels)), tf.float32)


def _same_under_seed(fn, x):
    a, b = fn(SEED, x), fn(SEED, x)
    c = fn(tf.constant([4, 12], tf.int64), x)
    first = (lambda r: r[0]) if isinstance(a, tuple) else (lambda r: r)
    np.testing.assert_array_equal(first(a).numpy(), first(b).numpy())
    assert not np.array_equal(first(a).numpy(), first(c).numpy())


# ------------------------------------------------------------------- colour
def test_random_brightness_adds_one_delta_per_sample_within_range():
    x = _images()  # [0.2, 0.8]: a shift of at most 0.15 is never clipped
    out = ops.random_brightness(SEED, x, 0.15).numpy()
    delta = out - x.numpy()
    per_sample = delta.reshape(B, -1)
    np.testing.assert_allclose(per_sample, per_sample[:, :1].repeat(per_sample.shape[1], 1),
                               atol=1e-6)
    assert np.all(np.abs(per_sample[:, 0]) <= 0.15 + 1e-6)
    assert np.unique(np.round(per_sample[:, 0], 5)).size == B
    _same_under_seed(lambda s, v: ops.random_brightness(s, v, 0.15), x)


def test_random_hue_keeps_saturation_and_value_and_shifts_hue_uniformly():
    x = _images(lo=0.05, hi=0.95)
    out = ops.random_hue(SEED, x, 0.2)
    hsv_in, hsv_out = tf.image.rgb_to_hsv(x).numpy(), tf.image.rgb_to_hsv(out).numpy()
    np.testing.assert_allclose(hsv_out[..., 1:], hsv_in[..., 1:], atol=2e-3)
    shift = (hsv_out[..., 0] - hsv_in[..., 0] + 0.5) % 1.0 - 0.5  # signed turn
    for i in range(B):
        assert abs(np.median(shift[i])) <= 0.2 + 1e-3
        np.testing.assert_allclose(shift[i], np.median(shift[i]), atol=5e-3)
    np.testing.assert_array_equal(ops.random_hue(SEED, x, 0.0).numpy(), x.numpy())
    gray = tf.tile(x[..., :1], [1, 1, 1, 3])
    np.testing.assert_allclose(ops.random_hue(SEED, gray, 0.4).numpy(), gray.numpy(),
                               atol=1e-6)


def test_random_saturation_blends_with_gray_by_one_factor_in_range():
    x = _images(lo=0.3, hi=0.7)
    out = ops.random_saturation(SEED, x, 0.2, 0.9).numpy()  # <= 1: never clipped
    gray = ops.to_grayscale(x).numpy()
    for i in range(B):
        d_in, d_out = (x.numpy()[i] - gray[i]).ravel(), (out[i] - gray[i]).ravel()
        f = float(d_in @ d_out / (d_in @ d_in))
        assert 0.2 - 1e-4 <= f <= 0.9 + 1e-4
        np.testing.assert_allclose(d_out, f * d_in, atol=1e-5)
    # Gray (the luma) is what the blend keeps (up to the weights' sum, 0.9999).
    np.testing.assert_allclose(ops.to_grayscale(tf.constant(out)).numpy(), gray, atol=1e-4)
    hsv = ops.random_saturation(SEED, x, 0.5, 0.5, method="hsv")
    np.testing.assert_allclose(tf.image.rgb_to_hsv(hsv).numpy()[..., 1],
                               0.5 * tf.image.rgb_to_hsv(x).numpy()[..., 1], atol=2e-3)


def test_random_contrast_scales_distance_to_the_mean_gray():
    x = _images(lo=0.4, hi=0.6)
    out = ops.random_contrast(SEED, x, 0.3, 1.5).numpy()
    for i in range(B):
        mean = ops.to_grayscale(x[i:i + 1]).numpy().mean()
        d_in, d_out = (x.numpy()[i] - mean).ravel(), (out[i] - mean).ravel()
        f = float(d_in @ d_out / (d_in @ d_in))
        assert 0.3 - 1e-4 <= f <= 1.5 + 1e-4
        np.testing.assert_allclose(d_out, f * d_in, atol=1e-5)


def test_random_sharpness_keeps_borders_and_blends_with_the_smoothed_image():
    x = _images()
    out = ops.random_sharpness(SEED, x, 0.0, 0.9).numpy()
    xn = x.numpy()
    np.testing.assert_array_equal(out[:, 0], xn[:, 0])
    np.testing.assert_array_equal(out[:, :, -1], xn[:, :, -1])
    smooth = ops.sharpness(x, 0.0).numpy()
    for i in range(B):
        d_in = (xn[i, 1:-1, 1:-1] - smooth[i, 1:-1, 1:-1]).ravel()
        d_out = (out[i, 1:-1, 1:-1] - smooth[i, 1:-1, 1:-1]).ravel()
        f = float(d_in @ d_out / (d_in @ d_in))
        assert -1e-4 <= f <= 0.9 + 1e-4
        np.testing.assert_allclose(d_out, f * d_in, atol=1e-5)
    np.testing.assert_allclose(ops.random_sharpness(SEED, x, 1.0, 1.0).numpy(), xn,
                               atol=1e-6)
    _same_under_seed(lambda s, v: ops.random_sharpness(s, v, 0.0, 2.0), x)


# ---------------------------------------------------------------- occlusion
def _one_rectangle(changed):
    """The bounding rectangle of ``changed`` [H, W], which must fill it exactly."""
    rows, cols = np.nonzero(changed)
    y0, y1, x0, x1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    assert changed[y0:y1, x0:x1].all(), "the erased area is not one rectangle"
    return (y1 - y0) * (x1 - x0), (y1 - y0) / (x1 - x0)


def test_random_erase_fills_one_rectangle_of_the_drawn_area():
    x = _images()
    out = ops.random_erase(SEED, x, scale=(0.1, 0.3), ratio=(0.5, 2.0),
                           fill_value=0.0).numpy()
    for i in range(B):
        changed = np.any(out[i] != x.numpy()[i], axis=-1)
        np.testing.assert_array_equal(out[i][changed], 0.0)
        area, _ = _one_rectangle(changed)
        # Integer rounding of a hole of 10-30 % of 168 px: a few pixels either side.
        assert 0.1 * H * W - 2 * (H + W) <= area <= 0.3 * H * W + 2 * (H + W)
    _same_under_seed(lambda s, v: ops.random_erase(s, v), x)


def test_random_grid_mask_masks_about_ratio_squared_with_the_fill():
    x = _images(lo=0.2, hi=0.8)
    big = tf.constant(np.random.default_rng(1).uniform(0.2, 0.8, (16, 48, 48, 3)),
                      tf.float32)
    out = ops.random_grid_mask(SEED, big, ratio=0.5, d_range=(0.2, 0.4), fill_value=1.0)
    masked = np.all(out.numpy() == 1.0, axis=-1)
    np.testing.assert_array_equal(out.numpy()[~masked], big.numpy()[~masked])
    assert abs(masked.mean() - 0.25) < 0.06
    _same_under_seed(lambda s, v: ops.random_grid_mask(s, v), x)


# ------------------------------------------------------------------- mixing
def test_random_mixup_is_a_convex_blend_with_a_partner_permutation():
    x = _images()
    mixed, partner, lam = ops.random_mixup(SEED, x, alpha=0.4)
    partner, lam = partner.numpy(), lam.numpy()
    assert sorted(partner.tolist()) == list(range(B))
    assert np.all((lam >= 0) & (lam <= 1))
    want = lam[:, None, None, None] * x.numpy() + (1 - lam[:, None, None, None]) * x.numpy()[partner]
    np.testing.assert_allclose(mixed.numpy(), want, atol=1e-6)
    _same_under_seed(lambda s, v: ops.random_mixup(s, v), x)


def test_random_cutmix_pastes_one_rectangle_and_reports_the_own_fraction():
    x = _images()
    mixed, partner, weight = ops.random_cutmix(SEED, x, alpha=1.0)
    mixed, partner, weight = mixed.numpy(), partner.numpy(), weight.numpy()
    xn = x.numpy()
    for i in range(B):
        from_partner = np.all(mixed[i] == xn[partner[i]], axis=-1)
        own = np.all(mixed[i] == xn[i], axis=-1)
        assert np.all(own | from_partner)
        if partner[i] != i:
            np.testing.assert_allclose(weight[i], 1.0 - (~own).mean(), atol=1e-6)
            if (~own).any():
                _one_rectangle(~own)
    _same_under_seed(lambda s, v: ops.random_cutmix(s, v), x)


# -------------------------------------------------------------------- noise
def test_random_gaussian_noise_draws_each_stddev_in_range():
    x = tf.fill([B, 64, 64, 1], 0.5)  # mid-gray: noise of sd <= 0.1 is rarely clipped
    out = ops.random_gaussian_noise(SEED, x, (0.02, 0.1)).numpy()
    sd = (out - 0.5).reshape(B, -1).std(axis=1)
    assert np.all((sd > 0.02 * 0.9) & (sd < 0.1 * 1.1))
    assert np.ptp(sd) > 0.005  # one stddev per sample, not one per batch
    np.testing.assert_array_equal(ops.random_gaussian_noise(SEED, x, 0.0).numpy(), x.numpy())


def test_random_gaussian_blur_keeps_flat_images_and_draws_sigma_per_sample():
    flat = tf.fill([B, H, W, 3], 0.3)
    np.testing.assert_allclose(ops.random_gaussian_blur(SEED, flat, 5).numpy(), 0.3,
                               atol=1e-6)
    impulse = np.zeros((B, 15, 15, 1), np.float32)
    impulse[:, 7, 7] = 1.0
    out = ops.random_gaussian_blur(SEED, tf.constant(impulse), 15, sigma=(0.5, 2.0)).numpy()
    np.testing.assert_allclose(out.reshape(B, -1).sum(1), 1.0, atol=1e-4)
    yy = np.arange(15) - 7.0
    var = (out[..., 0].sum(2) * yy ** 2).sum(1)  # the vertical profile's variance = sigma^2
    sigma = np.sqrt(var)
    assert np.all((sigma > 0.5 - 0.05) & (sigma < 2.0 + 0.05))
    assert np.ptp(sigma) > 0.1


def test_random_jpeg_quality_equals_the_codec_at_some_quality_in_range():
    x = _images()
    out = ops.random_jpeg_quality(SEED, x, 20, 40).numpy()
    for i in range(B):
        candidates = [ops.jpeg_quality(x[i:i + 1], [q]).numpy()[0] for q in range(20, 41)]
        assert any(np.array_equal(out[i], c) for c in candidates)
    # A smooth image (noise loses its chroma to 4:2:0 subsampling at any quality).
    yy, xx = np.meshgrid(np.linspace(0, 1, 16), np.linspace(0, 1, 16), indexing="ij")
    smooth = tf.constant(np.stack([yy, xx, 0.5 * (yy + xx)], -1)[None].repeat(2, 0),
                         tf.float32)
    high = ops.random_jpeg_quality(SEED, smooth, 100, 100).numpy()
    low = ops.random_jpeg_quality(SEED, smooth, 1, 1).numpy()
    err_high, err_low = (np.abs(v - smooth.numpy()).mean() for v in (high, low))
    assert err_high < 0.02 and err_low > 3 * err_high, (err_high, err_low)


# ------------------------------------------------------------- perspective
def test_perspective_maps_the_image_corners_to_the_given_points():
    h, w = 20, 30
    rng = np.random.default_rng(0)
    start = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    corners = start[None] + rng.uniform(-4, 4, (3, 4, 2)).astype(np.float32)
    m = ops.perspective(corners, h, w).numpy().astype(np.float64)  # output -> input
    for i in range(3):
        q = m[i] @ np.concatenate([corners[i], np.ones((4, 1))], 1).T
        np.testing.assert_allclose((q[:2] / q[2]).T, start, atol=1e-3)
    np.testing.assert_allclose(ops.perspective(start[None], h, w).numpy()[0], np.eye(3),
                               atol=1e-5)


@pytest.mark.parametrize("fn", [
    lambda s, x: ops.random_brightness(s, x, 0.1),
    lambda s, x: ops.random_hue(s, x, 0.1),
    lambda s, x: ops.random_saturation(s, x, 0.5, 1.5),
    lambda s, x: ops.random_sharpness(s, x, 0.5, 1.5),
    lambda s, x: ops.random_erase(s, x),
    lambda s, x: ops.random_grid_mask(s, x),
    lambda s, x: ops.random_gaussian_blur(s, x, 3),
    lambda s, x: ops.random_gaussian_noise(s, x, 0.1),
], ids=["brightness", "hue", "saturation", "sharpness", "erase", "grid_mask", "blur",
        "noise"])
def test_random_ops_compile_with_xla_and_match_eager(fn):
    x = _images()
    eager = fn(SEED, x)
    compiled = tf.function(fn, jit_compile=True)(SEED, x)
    np.testing.assert_allclose(compiled.numpy(), eager.numpy(), atol=1e-5)
