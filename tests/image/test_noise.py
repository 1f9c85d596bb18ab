"""GaussianNoise, GaussianBlur, JpegQuality and their ops: measured properties."""

import numpy as np
import pytest
import tensorflow as tf

from tfaug.image import GaussianBlur, GaussianNoise, JpegQuality
from tfaug.image import ops

SEED = tf.constant([3, 9], tf.int64)


def _flat(value, shape=(8, 32, 32, 1)):
    return tf.fill(shape, tf.constant(value, tf.float32))


def _smooth(h=32, w=32):
    yy, xx = np.meshgrid(np.linspace(0, 1, h), np.linspace(0, 1, w), indexing="ij")
    img = np.stack([0.2 + 0.6 * xx, 0.2 + 0.6 * yy, 0.2 + 0.3 * (xx + yy)], -1)
    return (np.round(img * 255) / 255).astype(np.float32)


# ------------------------------------------------------------------ noise
def test_gaussian_noise_std_matches_request_on_mid_grey():
    layer = GaussianNoise(0.05, value_range=(0, 1), seed=0)
    out = layer(_flat(0.5), training=True, seed=SEED).numpy()
    per_sample = (out - 0.5).std(axis=(1, 2, 3))
    np.testing.assert_allclose(per_sample, 0.05, rtol=0.1)
    assert abs(out.mean() - 0.5) < 0.002


def test_gaussian_noise_range_is_drawn_per_sample():
    layer = GaussianNoise((0.01, 0.1), value_range=(0, 1), seed=0)
    params = layer.sample(64, SEED)
    sd = params["stddev"].numpy()
    assert sd.min() >= 0.01 and sd.max() < 0.1 and sd.std() > 0.015
    out = layer.apply({"images": _flat(0.5, (64, 32, 32, 1))}, params)["images"].numpy()
    np.testing.assert_allclose((out - 0.5).std(axis=(1, 2, 3)), sd, rtol=0.1)


def test_gaussian_noise_is_clipped_and_uint8_round_trips():
    out = GaussianNoise(0.5, seed=0)(tf.zeros([2, 16, 16, 3], tf.uint8), training=True)
    assert out.dtype == tf.uint8
    frac_zero = np.mean(out.numpy() == 0)
    assert 0.45 < frac_zero < 0.56  # half the draws are negative and clip to 0


def test_keyed_noise_depends_only_on_the_rows_key():
    keys = ops.draw_keys(SEED, 6)
    full = ops.keyed_normal(keys, [8, 8, 3]).numpy()
    part = ops.keyed_normal(tf.gather(keys, [4, 1]), [8, 8, 3]).numpy()
    np.testing.assert_array_equal(part, full[[4, 1]])
    flat = full.reshape(6, -1)
    corr = np.corrcoef(flat)[np.triu_indices(6, 1)]
    assert np.all(np.abs(corr) < 0.2)
    u = ops.keyed_uniform(keys, [4000]).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    z = ops.keyed_normal(ops.draw_keys(SEED, 4), [20001]).numpy()
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    assert abs(np.mean(np.abs(z) < 1) - 0.6827) < 0.01


def test_gaussian_noise_same_under_xla():
    layer = GaussianNoise((0.02, 0.2), value_range=(0, 1), seed=0)
    x = tf.random.stateless_uniform([4, 16, 16, 3], [1, 2])
    eager = layer(x, training=True, seed=SEED)
    jit = tf.function(lambda v: layer(v, training=True, seed=SEED), jit_compile=True)(x)
    np.testing.assert_allclose(eager, jit, atol=1e-5)


# ------------------------------------------------------------------- blur
def test_kernel_rows_sum_to_one_and_match_the_gaussian():
    sigma = tf.constant([0.3, 1.0, 2.5])
    k = ops.gaussian_kernel1d(sigma, 7).numpy()
    np.testing.assert_allclose(k.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(k, k[:, ::-1], atol=1e-7)
    x = np.arange(-3, 4)
    ref = np.exp(-0.5 * (x[None] / sigma.numpy()[:, None]) ** 2)
    np.testing.assert_allclose(k, ref / ref.sum(1, keepdims=True), rtol=1e-5)


def test_blur_preserves_a_constant_image():
    img = tf.fill([3, 16, 16, 3], tf.constant(77, tf.uint8))
    out = GaussianBlur(7, sigma=(0.5, 3.0), seed=0)(img, training=True, seed=SEED)
    np.testing.assert_array_equal(out.numpy(), img.numpy())
    flat = _flat(0.3, (3, 9, 9, 2))
    outf = ops.gaussian_blur(flat, tf.constant([0.5, 1.5, 4.0]), 9).numpy()
    np.testing.assert_allclose(outf, 0.3, atol=1e-6)


def _reference_blur(img, sigma, k):
    """Numpy separable blur with reflect padding (np.pad 'reflect')."""
    r = k // 2
    x = np.arange(-r, r + 1)
    w = np.exp(-0.5 * (x / sigma) ** 2)
    w /= w.sum()
    p = np.pad(img, ((r, r), (0, 0), (0, 0)), mode="reflect")
    tmp = sum(w[j] * p[j:j + img.shape[0]] for j in range(k))
    p = np.pad(tmp, ((0, 0), (r, r), (0, 0)), mode="reflect")
    return sum(w[j] * p[:, j:j + img.shape[1]] for j in range(k))


def test_blur_matches_reference_per_sample():
    imgs = tf.random.stateless_uniform([3, 12, 10, 2], [5, 6])
    sigma = np.array([0.4, 1.0, 2.2], np.float32)
    out = ops.gaussian_blur(imgs, tf.constant(sigma), 5).numpy()
    for i in range(3):
        np.testing.assert_allclose(out[i], _reference_blur(imgs[i].numpy(), sigma[i], 5),
                                   atol=1e-5)
    jit = tf.function(lambda v, s: ops.gaussian_blur(v, s, 5), jit_compile=True)
    np.testing.assert_allclose(jit(imgs, tf.constant(sigma)), out, atol=1e-5)


def test_blur_reflects_even_when_the_kernel_exceeds_the_image():
    np.testing.assert_array_equal(ops.noise.reflect_indices(3, 4).numpy(),
                                  [0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2])
    np.testing.assert_array_equal(ops.noise.reflect_indices(1, 2).numpy(), [0] * 5)
    imgs = tf.random.stateless_uniform([2, 3, 4, 1], [1, 1])
    out = ops.gaussian_blur(imgs, tf.constant([1.0, 2.0]), 9)
    assert out.shape == imgs.shape and np.all(np.isfinite(out.numpy()))


def test_blur_with_tiny_sigma_is_identity():
    imgs = tf.random.stateless_uniform([2, 16, 16, 3], [7, 7])
    out = GaussianBlur(5, sigma=0.1, value_range=(0, 1))(imgs, training=True, seed=SEED)
    np.testing.assert_allclose(out, imgs, atol=1e-6)
    # and a large sigma really smooths
    out = GaussianBlur(5, sigma=3.0, value_range=(0, 1))(imgs, training=True, seed=SEED)
    assert np.std(out.numpy()) < 0.5 * np.std(imgs.numpy())


def test_blur_empty_batch_and_dynamic_shapes():
    fn = tf.function(lambda v, s: ops.gaussian_blur(v, s, 3),
                     input_signature=[tf.TensorSpec([None, None, None, 3]),
                                      tf.TensorSpec([None])])
    assert fn(tf.zeros([0, 5, 5, 3]), tf.zeros([0])).shape == (0, 5, 5, 3)
    out = fn(tf.ones([2, 6, 4, 3]), tf.constant([1.0, 2.0]))
    np.testing.assert_allclose(out, 1.0, atol=1e-6)


@pytest.mark.parametrize("kwargs, name", [
    ({"kernel_size": 4}, "kernel_size"), ({"kernel_size": 0}, "kernel_size"),
    ({"sigma": 0.0}, "sigma"), ({"sigma": (2.0, 1.0)}, "sigma"),
])
def test_blur_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        GaussianBlur(**kwargs)


def test_noise_rejects_bad_stddev():
    with pytest.raises(ValueError, match="stddev"):
        GaussianNoise(-0.1)
    with pytest.raises(ValueError, match="stddev"):
        GaussianNoise((0.2, 0.1))


# ------------------------------------------------------------------- jpeg
def _psnr(a, b):
    mse = np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2, axis=(1, 2, 3))
    return 10 * np.log10(1.0 / mse)


def test_jpeg_quality_orders_psnr():
    x = tf.constant(np.repeat(_smooth()[None], 3, 0))
    out = ops.jpeg_quality(x, tf.constant([100, 50, 10])).numpy()
    psnr = _psnr(out, x)
    assert psnr[0] > 40, psnr
    assert psnr[0] > psnr[1] > psnr[2], psnr
    assert not np.array_equal(out[2], x[2].numpy())


def test_jpeg_layer_draws_quality_per_sample_and_changes_images():
    layer = JpegQuality(10, 95, value_range=(0, 1), seed=0)
    params = layer.sample(64, SEED)
    q = params["quality"].numpy()
    assert q.min() >= 10 and q.max() <= 95 and len(np.unique(q)) > 20
    x = tf.constant(np.repeat(_smooth()[None], 4, 0))
    out = layer(x, training=True, seed=SEED)
    assert np.all(np.abs(out.numpy() - x.numpy()).max(axis=(1, 2, 3)) > 0)
    # Same draws, same output, in a graph too.
    graph = tf.function(lambda v: layer(v, training=True, seed=SEED))(x)
    np.testing.assert_allclose(out, graph, atol=1e-6)


def test_jpeg_grayscale_empty_batch_and_dynamic_batch():
    g = tf.constant(_smooth()[None, ..., :1])
    out = ops.jpeg_quality(g, tf.constant([90]))
    assert out.shape == g.shape and _psnr(out, g)[0] > 35
    assert ops.jpeg_quality(tf.zeros([0, 8, 8, 3]), tf.zeros([0], tf.int32)).shape == (
        0, 8, 8, 3)
    fn = tf.function(ops.jpeg_quality, input_signature=[
        tf.TensorSpec([None, None, None, 3]), tf.TensorSpec([None], tf.int32)])
    assert fn(tf.zeros([0, 8, 8, 3]), tf.zeros([0], tf.int32)).shape == (0, 8, 8, 3)
    assert fn(tf.zeros([2, 8, 8, 3]), tf.constant([5, 60])).shape == (2, 8, 8, 3)


def test_jpeg_rejects_bad_channels_xla_and_arguments():
    with pytest.raises(ValueError, match="1 or 3 channels"):
        ops.jpeg_quality(tf.zeros([1, 8, 8, 4]), tf.constant([50]))
    with pytest.raises(ValueError, match="XLA"):
        tf.function(lambda v: ops.jpeg_quality(v, tf.constant([50])),
                    jit_compile=True)(tf.zeros([1, 8, 8, 3]))
    with pytest.raises(ValueError, match="max_quality"):
        JpegQuality(80, 20)
    with pytest.raises(ValueError, match="min_quality"):
        JpegQuality(0, 20)
    assert JpegQuality.xla_exempt
