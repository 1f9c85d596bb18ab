"""Noise, blur and compression ops on float ``[B, H, W, C]`` images in ``[0, 1]``.

Per-pixel randomness is generated from a per-sample integer key (``[B]`` int64,
drawn by the caller) with a counter-based hash, so a sample's noise depends only
on its own key: it is the same whether the sample is processed in a full batch
or in a gathered subset, and identical in eager, graph and XLA.
"""

import tensorflow as tf

from tfaug.core import seeds
# Keyed per-row draws live in core (shared with the other modalities); the
# names stay importable from here (tfaug.image.ops re-exports them).
from tfaug.core.keyed import KEY_MAX, draw_keys, keyed_normal, keyed_uniform  # noqa: F401
from tfaug.core.xla import in_xla_context


def _per_sample(value, batch_size):
    value = tf.cast(tf.convert_to_tensor(value), tf.float32)
    return tf.broadcast_to(value, [batch_size]) if value.shape.rank == 0 else value


# ------------------------------------------------------------ gaussian noise
def gaussian_noise(images, keys, stddev):
    """Adds zero-mean Gaussian noise, clipped to ``[0, 1]``.

    Args:
      images: float32 ``[B, H, W, C]`` in ``[0, 1]``.
      keys: int64 ``[B]`` per-sample noise keys.
      stddev: ``[B]`` (or scalar) standard deviation, in ``[0, 1]`` units.

    Returns:
      The noisy images, same shape.
    """
    b = tf.shape(images)[0]
    noise = keyed_normal(keys, tf.shape(images)[1:])
    sd = _per_sample(stddev, b)[:, None, None, None]
    return tf.clip_by_value(images + sd * noise, 0.0, 1.0)


def random_gaussian_noise(seed, images, stddev):
    """:func:`gaussian_noise` with per-sample stddev drawn from ``stddev``.

    Args:
      seed: Shape ``[2]`` seed.
      images: float32 ``[B, H, W, C]`` in ``[0, 1]``.
      stddev: A number, or a pair ``(lo, hi)`` to draw from uniformly per sample.
    """
    b = tf.shape(images)[0]
    sd_seed, key_seed = tf.unstack(seeds.split(seed, 2))
    lo, hi = (stddev, stddev) if not isinstance(stddev, (list, tuple)) else stddev
    return gaussian_noise(images, draw_keys(key_seed, b), seeds.uniform([b], sd_seed, lo, hi))


# ------------------------------------------------------------- gaussian blur
def gaussian_kernel1d(sigma, kernel_size):
    """Normalized 1-D Gaussian kernels, one per sample.

    Args:
      sigma: ``[B]`` standard deviations in pixels (> 0).
      kernel_size: Odd Python int.

    Returns:
      float32 ``[B, kernel_size]``, each row summing to 1.
    """
    sigma = tf.maximum(tf.cast(sigma, tf.float32), 1e-6)
    r = kernel_size // 2
    x = tf.range(-r, r + 1, dtype=tf.float32)
    k = tf.exp(-0.5 * tf.square(x[None, :] / sigma[:, None]))
    return k / tf.reduce_sum(k, axis=1, keepdims=True)


def reflect_indices(n, pad):
    """Indices ``[n + 2 * pad]`` reading ``range(n)`` with reflect padding
    (``d c b | a b c d | c b a``); any ``pad``, even ``pad >= n``."""
    n = tf.cast(n, tf.int32)
    i = tf.abs(tf.range(-pad, n + pad, dtype=tf.int32))
    period = tf.maximum(2 * (n - 1), 1)
    i = tf.math.floormod(i, period)
    i = tf.where(i >= n, period - i, i)
    return tf.minimum(i, n - 1)


def _blur_axis(images, kernel, axis, padding="reflect"):
    k = kernel.shape[1]
    r = k // 2
    n = tf.shape(images)[axis]
    if padding == "constant":  # zeros outside the image (Keras' "SAME" convolution)
        pads = [[0, 0]] * 4
        pads[axis] = [r, r]
        padded = tf.pad(images, pads)
    else:
        padded = tf.gather(images, reflect_indices(n, r), axis=axis)
    out = None
    for j in range(k):
        begin = [0, 0, 0, 0]
        size = [-1, -1, -1, -1]
        begin[axis], size[axis] = j, n
        term = kernel[:, j, None, None, None] * tf.slice(padded, begin, size)
        out = term if out is None else out + term
    return out


def gaussian_blur(images, sigma, kernel_size, padding="reflect"):
    """Separable Gaussian blur with a per-sample ``sigma``, reflect borders
    (or zeros outside the image: ``padding="constant"``).

    A weighted sum of shifted views of the reflect-padded image (XLA fuses it
    into one pass per axis).

    Args:
      images: float32 ``[B, H, W, C]``.
      sigma: ``[B]`` (or scalar) standard deviations in pixels.
      kernel_size: Odd Python int (the kernel is ``kernel_size`` x ``kernel_size``),
        or a pair ``(height, width)`` of odd ints.
      padding: ``"reflect"`` or ``"constant"`` (zeros: borders darken, as in
        Keras' ``RandomGaussianBlur``).

    Returns:
      Blurred images, same shape.
    """
    if padding not in ("reflect", "constant"):
        raise ValueError(f"padding must be 'reflect' or 'constant', got {padding!r}.")
    ky, kx = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    sigma = _per_sample(sigma, tf.shape(images)[0])
    for axis, k in ((1, ky), (2, kx)):
        if k > 1:
            images = _blur_axis(images, gaussian_kernel1d(sigma, k), axis, padding)
    return images


def random_gaussian_blur(seed, images, kernel_size, sigma=(0.1, 2.0)):
    """:func:`gaussian_blur` with ``sigma`` drawn uniformly per sample from ``(lo, hi)``."""
    lo, hi = sigma
    s = seeds.uniform([tf.shape(images)[0]], seed, lo, hi)
    return gaussian_blur(images, s, kernel_size)


# ---------------------------------------------------------------- jpeg codec
def jpeg_quality(images, quality):
    """Encodes and decodes each image as JPEG at its own quality.

    Runs TensorFlow's JPEG codec per sample (``tf.map_fn``), so it does not
    compile with XLA. Images are quantized to uint8 first.

    Args:
      images: float32 ``[B, H, W, C]`` in ``[0, 1]``, ``C`` in ``(1, 3)``.
      quality: int ``[B]`` JPEG qualities in ``[0, 100]``.

    Returns:
      float32 ``[B, H, W, C]`` in ``[0, 1]``.

    Raises:
      ValueError: inside ``jit_compile=True``, or when ``C`` is not 1 or 3.
    """
    if in_xla_context():
        raise ValueError("jpeg_quality runs the JPEG codec, which XLA cannot compile; "
                         "call it outside tf.function(jit_compile=True).")
    channels = images.shape[-1]
    if channels not in (None, 1, 3):
        raise ValueError(f"JPEG needs 1 or 3 channels, got images with {channels} "
                         f"(shape {images.shape}).")
    u8 = tf.cast(tf.clip_by_value(tf.round(images * 255.0), 0.0, 255.0), tf.uint8)
    quality = tf.cast(quality, tf.int32)

    def codec():
        return tf.map_fn(lambda a: tf.image.adjust_jpeg_quality(a[0], a[1]), (u8, quality),
                         fn_output_signature=tf.TensorSpec(u8.shape[1:], tf.uint8))

    # map_fn cannot stack an empty result of unknown element shape: skip B = 0.
    out = tf.cond(tf.shape(u8)[0] > 0, codec, lambda: u8)
    return tf.ensure_shape(tf.cast(out, tf.float32) / 255.0, images.shape)


def random_jpeg_quality(seed, images, min_quality, max_quality):
    """:func:`jpeg_quality` with a quality drawn uniformly per sample in
    ``[min_quality, max_quality]`` (inclusive)."""
    q = seeds.uniform([tf.shape(images)[0]], seed, min_quality, max_quality + 1,
                      dtype=tf.int32)
    return jpeg_quality(images, q)
