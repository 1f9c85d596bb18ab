"""Resizing op: ``tf.image.resize``'s methods, made safe for XLA.

Bilinear resizing without antialiasing runs on tfaug's matrix resampler (the
same values as ``tf.image.resize``: half-pixel centres, clamped edges), because
XLA's CPU kernel for ``ResizeBilinear`` gives wrong values when enlarging by a
non-integer ratio. Every other method is ``tf.image.resize`` itself.
"""

import tensorflow as tf

from tfaug.image.ops.affine import crop_resize, transform

METHODS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")


def resize(images, size, method="bilinear", antialias=False):
    """Resizes float ``images`` ``[B, H, W, C]`` to ``size = (height, width)``.

    Args:
      images: Float ``[B, H, W, C]``.
      size: ``(height, width)``, Python ints.
      method: One of :data:`METHODS`, as ``tf.image.resize``.
      antialias: ``tf.image.resize``'s ``antialias``.

    Returns:
      ``[B, height, width, C]`` float32 (``"nearest"`` keeps the dtype).

    Example:
      >>> images = tf.random.uniform([2, 16, 16, 3])
      >>> resize(images, (32, 24), "bicubic").shape
      TensorShape([2, 32, 24, 3])
    """
    if method != "bilinear" or antialias:
        return tf.image.resize(images, size, method=method, antialias=antialias)
    shape = tf.shape(images)
    h = images.shape[1] if images.shape[1] is not None else shape[1]
    w = images.shape[2] if images.shape[2] is not None else shape[2]
    zero = tf.zeros([shape[0]], tf.float32)
    matrix = crop_resize(zero, zero, h, w, size[0], size[1])
    return transform(tf.cast(images, tf.float32), matrix, tuple(size), "bilinear",
                     "nearest", 0.0)
