"""Tone layers: Solarize, Posterize, Sharpness, Equalize, AutoContrast, Invert.

They take the op's own parameter (PIL's ``ImageOps``/``ImageEnhance``
semantics): a number is used as is, a pair ``(lo, hi)`` is drawn uniformly per
sample. Only ``images`` change. The work is done by
:mod:`tfaug.image.ops.color`.

Strength: the keyword-only ``strength`` of the base class (a scale ``>= 0`` in
a variable, 1 = as configured, 0 = the identity; ``set_strength`` changes the
next batch without a retrace) moves Solarize's threshold toward ``256/255`` of
the range (above every 8-bit level, PIL's no-op 256), Posterize's bits toward 8
and the sharpness factor toward 1 (``strength_scales = "parameters"``).
``Equalize``, ``AutoContrast`` and ``Invert`` have no parameter: they apply to
each sample with probability ``probability * strength``.
"""

from __future__ import annotations

import numbers
from typing import Any

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.image.base import ImageAugmentation, toward
from tfaug.image.color import PixelOp, UniformParam, images_only, value_or_range
from tfaug.image.ops import color as color_ops


@registry.register
class Solarize(UniformParam):
    """Inverts the pixels at or above a threshold (PIL ``ImageOps.solarize``).

    Args:
      threshold: In ``value_range`` units: a number, or a pair ``(lo, hi)``
        drawn per sample; within ``value_range``.
      strength: Keyword-only scale ``>= 0`` (a variable): the drawn threshold
        ``t`` becomes ``N - s (N - t)`` at strength ``s``, with ``N = 256/255``
        of the range (in unit terms; above every 8-bit level, so 0 is the
        identity), clamped at the bottom of the range; 1 is as configured.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.Solarize((64, 192), seed=0)
      >>> out = layer(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    param = "threshold"

    def __init__(self, threshold: float | tuple[float, float] = 128, *, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        lo, hi = self.value_range
        self.threshold, self._range = value_or_range("threshold", threshold, lo, hi)
        # No-op threshold (PIL's 256 on 0..255) and the clamp, in value_range units.
        self.neutral, self.floor = lo + (hi - lo) * (256.0 / 255.0), lo

    def adjust(self, images, value):
        return color_ops.solarize(images, self.to_unit(value))


@registry.register
class Posterize(ImageAugmentation):
    """Keeps the top ``bits`` bits of each 8-bit level (PIL ``ImageOps.posterize``).

    Args:
      bits: An int in ``[1, 8]``, or a pair ``(lo, hi)`` of ints drawn
        uniformly per sample from ``lo..hi`` (inclusive).
      strength: Keyword-only scale ``>= 0`` (a variable): the drawn ``bits``
        become ``8 - s (8 - bits)`` at strength ``s``, rounded (ties to even)
        and clamped to ``[1, 8]``; 1 is as configured, 0 keeps 8 bits (the
        identity on 8-bit levels).
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.Posterize((4, 8), seed=0)
      >>> out = layer(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"

    def __init__(self, bits: int | tuple[int, int] = (4, 8), *, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        if isinstance(bits, (list, tuple)) and len(bits) == 2:
            pair = [validation.check_int("bits", b, 1, 8) for b in bits]
            if pair[0] > pair[1]:
                raise validation.ArgumentError("bits", tuple(bits), "an ordered pair (low, "
                                               "high) with low <= high")
            self.bits = pair
        else:
            if not isinstance(bits, numbers.Integral) or isinstance(bits, bool):
                raise validation.ArgumentTypeError("bits", bits, "an int in [1, 8] or a pair "
                                                   "of such ints")
            self.bits = validation.check_int("bits", bits, 1, 8)
            pair = [self.bits, self.bits]
        self._range = pair

    def sample_params(self, batch_size, seed):
        lo, hi = self._range
        bits = seeds_lib.uniform([batch_size], seed, lo, hi + 1, dtype=tf.int32)
        bits = tf.round(toward(tf.cast(bits, tf.float32), 8.0, self.strength_tensor()))
        return {"bits": tf.cast(tf.clip_by_value(bits, 1.0, 8.0), tf.int32)}

    def transform(self, data, params):
        return images_only(data, color_ops.posterize(data["images"], params["bits"]))


@registry.register
class Sharpness(UniformParam):
    """PIL ``ImageEnhance.Sharpness`` with a per-sample factor.

    Factor 1 is the identity, 0 the 3x3-smoothed image, above 1 sharpens;
    border pixels are unchanged; the result is clipped.

    Args:
      factor: A number ``>= 0``, or a pair ``(lo, hi)`` drawn per sample.
      strength: Keyword-only scale ``>= 0`` (a variable): the drawn factor ``f``
        becomes ``1 + s (f - 1)``, clamped at 0; 1 is as configured, 0 the identity.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.Sharpness((0.1, 1.9), seed=0)
      >>> out = layer(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    neutral, floor = 1.0, 0.0

    def __init__(self, factor: float | tuple[float, float] = (0.1, 1.9), *,
                 probability: float = 1.0, value_range: tuple[float, float] = (0, 255),
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.factor, self._range = value_or_range("factor", factor, 0.0)

    def adjust(self, images, value):
        return color_ops.sharpness(images, value)


@registry.register
class Equalize(PixelOp):
    """Per-channel histogram equalization (PIL ``ImageOps.equalize``).

    Float inputs are quantized to 256 levels of the value range first.

    Args:
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state (only the ``probability`` gate is random).
      data_format: ``"channels_last"``, ``"channels_first"`` or None
        (``keras.config.image_data_format()``).
      bounding_box_format: Format of ``boxes``/``bounding_boxes`` in dict inputs:
        None (tfaug's ``xyxy`` pixels) or one of Keras' formats (``"xyxy"``,
        ``"rel_xyxy"``, ``"yxyx"``, ``"xywh"``, ``"center_xywh"``, ...).

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.Equalize(probability=0.5, seed=0)
      >>> out = layer(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    op = staticmethod(color_ops.equalize)


@registry.register
class AutoContrast(PixelOp):
    """Stretches each channel to the full value range (PIL ``ImageOps.autocontrast``
    with cutoff 0; Keras ``AutoContrast``); constant channels are unchanged.

    Args:
      value_range: ``(low, high)`` of float inputs (Keras' first argument).
      strength: Keyword-only scale ``>= 0`` (a variable): the chance that a
        sample is stretched is ``probability * strength``.
      probability: Keyword-only per-sample chance that the layer applies.
      seed: Keyword-only initial seed state (only the ``probability`` gate is random).

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.AutoContrast(seed=0)
      >>> out = layer(images, training=True)
      >>> [int(tf.reduce_min(out)), int(tf.reduce_max(out))]  # stretched to the full range
      [0, 255]
    """

    op = staticmethod(color_ops.autocontrast)

    def __init__(self, value_range: tuple[float, float] = (0, 255), *, probability: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        if not (isinstance(value_range, (list, tuple)) and len(value_range) == 2):
            raise validation.ArgumentTypeError(
                "value_range", value_range, "a list of two numbers",
                "The `value_range` argument should be a list of two numbers. "
                f"Received: value_range={value_range!r}")
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)


@registry.register
class Invert(PixelOp):
    """Inverts the image within the value range (``255 - x`` on uint8).

    Args:
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state (only the ``probability`` gate is random).
      data_format: ``"channels_last"``, ``"channels_first"`` or None
        (``keras.config.image_data_format()``).
      bounding_box_format: Format of ``boxes``/``bounding_boxes`` in dict inputs:
        None (tfaug's ``xyxy`` pixels) or one of Keras' formats (``"xyxy"``,
        ``"rel_xyxy"``, ``"yxyx"``, ``"xywh"``, ``"center_xywh"``, ...).

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.Invert(probability=1.0, seed=0)
      >>> out = layer(images, training=True)
      >>> bool(tf.reduce_all(out == 255 - images))
      True
    """

    op = staticmethod(color_ops.invert)
