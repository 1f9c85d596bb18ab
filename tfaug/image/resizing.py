"""``Resizing``: keras.layers.Resizing's arguments and meaning, as a tfaug layer.

Unlike tfaug's own :class:`tfaug.image.Resize` (a matrix layer that fuses with
its geometric neighbours), ``Resizing`` resizes as ``tf.image.resize`` does
(:func:`tfaug.image.ops.resize`), so every interpolation Keras offers (``"bicubic"``, ``"lanczos3"``, ``"lanczos5"``,
``"area"``, antialiasing) gives Keras' values. The optional aspect-ratio crop
or pad happens first, in whole pixels, as Keras does it.

Strength: deterministic (``deterministic = True``): the layer owns no
variables and its strength is always 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from tfaug.core import registry
from tfaug.core import validation
from tfaug.image.base import ImageAugmentation, spatial
from tfaug.image.ops import affine
from tfaug.image.ops import resizing as resize_ops

INTERPOLATIONS = resize_ops.METHODS


def _needs_scale_and_translate(interpolation, antialias):
    """True where ``tf.image.resize`` uses ``ScaleAndTranslate`` (or ``ResizeArea``),
    kernels XLA cannot compile (plain bilinear runs on tfaug's resampler)."""
    if interpolation == "nearest":
        return False
    return interpolation != "bilinear" or antialias


def _int_ratio(a, b, c):
    """``int(float32(a * b) / c)`` as Keras computes it (Python ints or scalar tensors)."""
    if all(isinstance(v, int) for v in (a, b, c)):
        return int(np.float32(a * b) / np.float32(c))
    prod = tf.cast(tf.cast(a, tf.int32) * b, tf.float32)
    return tf.cast(prod / tf.cast(c, tf.float32), tf.int32)


def _minimum(a, b):
    return min(a, b) if isinstance(a, int) and isinstance(b, int) else tf.minimum(a, b)


def _maximum(a, b):
    return max(a, b) if isinstance(a, int) and isinstance(b, int) else tf.maximum(a, b)


def _half(a):
    return a // 2  # int(a / 2) for a >= 0, as Keras


@registry.register
class Resizing(ImageAugmentation):
    """Resizes images to ``height x width`` (``keras.layers.Resizing`` arguments).

    Deterministic: applies in training and in inference alike. Images are
    resized as ``tf.image.resize`` does (half-pixel centres); masks use nearest
    neighbour, and boxes follow the same crop/pad and scaling as the images.
    Outputs are clipped to ``value_range`` (bicubic and Lanczos kernels
    overshoot); uint8 inputs give uint8 outputs, rounded.

    Args:
      height: Output height, a positive int.
      width: Output width, a positive int.
      interpolation: ``"bilinear"`` (default), ``"nearest"``, ``"bicubic"``,
        ``"lanczos3"``, ``"lanczos5"`` or ``"area"``. Every method but
        ``"nearest"`` and plain ``"bilinear"`` uses a kernel XLA cannot compile:
        such a layer never auto-compiles and cannot run under
        ``jit_compile=True``.
      crop_to_aspect_ratio: First crop the largest central window with the
        target aspect ratio (whole pixels, offset rounded down), then resize.
      pad_to_aspect_ratio: First pad the short side evenly (``fill_value``)
        to the target aspect ratio, then resize. At most one of the two.
      fill_mode: ``"constant"`` (the only mode, as in Keras).
      fill_value: Padding value for ``pad_to_aspect_ratio``, in
        ``value_range`` units.
      antialias: Widen the kernel when shrinking (``tf.image.resize``'s
        ``antialias``).
      data_format: ``"channels_last"``, ``"channels_first"`` or None
        (``keras.config.image_data_format()``).
      value_range: Keyword-only: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (channels first: ``[B, C, H, W]``), or
      a dict with ``images``, ``labels``, ``masks``, ``boxes``.

    Output shape:
      ``[B, height, width, C]`` (or the channels-first / unbatched form).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> tfaug.image.Resizing(16, 24, interpolation="bicubic")(images).shape
      TensorShape([2, 16, 24, 3])
    """

    changes_size = True
    deterministic = True  # no seed state, no strength variable (the base's contract)

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                 fill_mode: str = "constant", fill_value: float = 0.0, antialias: bool = False,
                 data_format: str | None = None, *, value_range: tuple[float, float] = (0, 255),
                 **kwargs: Any) -> None:
        super().__init__(value_range=value_range, data_format=data_format, **kwargs)
        self.height = validation.check_int("height", height, 1)
        self.width = validation.check_int("width", width, 1)
        self.interpolation = validation.check_choice("interpolation", interpolation,
                                                     INTERPOLATIONS)
        self.crop_to_aspect_ratio = validation.check_bool("crop_to_aspect_ratio",
                                                          crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = validation.check_bool("pad_to_aspect_ratio",
                                                         pad_to_aspect_ratio)
        if self.crop_to_aspect_ratio and self.pad_to_aspect_ratio:
            raise validation.ArgumentError(
                "pad_to_aspect_ratio", pad_to_aspect_ratio,
                "False when `crop_to_aspect_ratio` is True",
                "Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                "`True` (`pad_to_aspect_ratio` must be False when "
                "`crop_to_aspect_ratio` is True).")
        self.fill_mode = validation.check_choice("fill_mode", fill_mode, ("constant",))
        self.fill_value = validation.check_number("fill_value", fill_value)
        self.antialias = validation.check_bool("antialias", antialias)
        if _needs_scale_and_translate(self.interpolation, self.antialias):
            self.auto_compile = False

    def output_size(self, height, width):
        del height, width
        return self.height, self.width

    # ----------------------------------------------------------------- geometry
    def window(self, height, width):
        """``(y0, x0, h, w)``: the input region that is resized, in whole pixels
        (negative offsets / sizes beyond the input: padding). Python ints when
        the input size is static, else scalar tensors."""
        th, tw = self.height, self.width
        if self.crop_to_aspect_ratio:
            ch = _maximum(_minimum(height, _int_ratio(width, th, tw)), 1)
            cw = _maximum(_minimum(width, _int_ratio(height, tw, th)), 1)
            return _half(height - ch), _half(width - cw), ch, cw
        if self.pad_to_aspect_ratio:
            # Keras pads floor((padded - size) / 2) on both sides.
            py = _half(_maximum(height, _int_ratio(width, th, tw)) - height)
            px = _half(_maximum(width, _int_ratio(height, tw, th)) - width)
            return -py, -px, height + 2 * py, width + 2 * px
        return 0, 0, height, width

    def _reframe(self, x, window, fill):
        """Crops or pads ``x`` ``[B, H, W, C]`` to ``window``."""
        y0, x0, h, w = window
        if self.crop_to_aspect_ratio:
            return x[:, y0:y0 + h, x0:x0 + w, :]
        if self.pad_to_aspect_ratio:
            paddings = [[0, 0], [-y0, -y0], [-x0, -x0], [0, 0]]
            return tf.pad(x, paddings, constant_values=tf.cast(fill, x.dtype))
        return x

    def resize(self, data):
        """Resizes every target of internal ``data`` (float images)."""
        data = self.float_form(data)
        images = data["images"]
        height, width = spatial(images)
        window = self.window(height, width)
        size = (self.height, self.width)
        out = dict(data)
        framed = self._reframe(images, window, self.to_unit(self.fill_value))
        out["images"] = resize_ops.resize(framed, size, self.interpolation, self.antialias)
        if "masks" in data:
            masks = self._reframe(data["masks"], window, 0)
            out["masks"] = tf.cast(tf.image.resize(masks, size, method="nearest"),
                                   data["masks"].dtype)
        if "boxes" in data:
            b = tf.shape(images)[0]
            y0, x0, h, w = (tf.fill([b], tf.cast(v, tf.float32)) for v in window)
            matrix = affine.crop_resize(y0, x0, h, w, self.height, self.width)
            out["boxes"] = affine.transform_boxes(data["boxes"], matrix, size)
        return out

    keras_tuple_transformation = True

    def from_keras_transformation(self, transformation, data):
        """Nothing is drawn: Keras' transformation (the input size, a tuple) or
        a dict is accepted as it is."""
        del data
        return transformation if isinstance(transformation, dict) else {}

    def transform(self, data, params):
        del params
        return self.resize(data)

    def inference(self, data):
        return self.resize(data)
