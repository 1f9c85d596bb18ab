"""Keras-named colour and tone layers: RandomColorJitter, Solarization,
RandomPosterization, RandomSharpness, Equalization, RandomInvert.

Each takes Keras 3's arguments, in Keras' order, with Keras' meanings; tfaug's
extras (``probability``, ...) are keyword-only. tfaug's own designs with other
meanings keep their names: ``ColorJitter`` (torchvision), ``Solarize``,
``Posterize``, ``Sharpness``, ``Equalize`` and ``Invert`` (PIL's parameters).
The work is done by the same ops (:mod:`tfaug.image.ops.color`).

Strength: ``RandomColorJitter`` scales each drawn parameter as its standalone
layer does; ``Solarization`` scales the addition by ``s`` and moves the
threshold toward ``256/255`` of the range (above every level); ``RandomSharpness``
and ``RandomPosterization`` scale as ``Sharpness`` and ``Posterize`` do.
``Equalization`` and ``RandomInvert`` apply with probability
``probability * strength``.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.image.base import ImageAugmentation, toward
from tfaug.image.color import (RandomBrightness, RandomContrast, RandomHue,
                               RandomSaturation, images_only)
from tfaug.image.keras_args import keras_apply_flags, keras_factor, keras_value_range
from tfaug.image.ops import color as color_ops
from tfaug.image.tone import Equalize, Posterize, Sharpness

# RandomColorJitter's parts, in Keras' fixed order: (name, layer class, op).
_JITTER_PARTS = (("brightness", RandomBrightness, RandomBrightness.adjust),
                 ("contrast", RandomContrast, RandomContrast.adjust),
                 ("saturation", RandomSaturation, RandomSaturation.saturate),
                 ("hue", RandomHue, RandomHue.adjust))


@registry.register
class RandomColorJitter(ImageAugmentation):
    """Keras' ``RandomColorJitter``: RandomBrightness, RandomContrast,
    RandomSaturation and RandomHue, in that fixed order, each with its own
    Keras meaning (torchvision's jitter is :class:`tfaug.image.ColorJitter`).

    Each part draws exactly what the standalone layer with the same ``seed``
    draws, and the parts draw independently of one another.

    Args:
      value_range: ``(low, high)`` of float inputs.
      brightness_factor: None (off) or :class:`RandomBrightness`'s ``factor``.
      contrast_factor: None (off) or :class:`RandomContrast`'s ``factor``.
      saturation_factor: None (off) or :class:`RandomSaturation`'s ``factor``.
      hue_factor: None (off) or :class:`RandomHue`'s ``factor``.
      seed: Initial seed state.
      data_format: ``"channels_last"``, ``"channels_first"`` or None.
      strength: Keyword-only scale ``>= 0`` (a variable): each part's drawn
        parameter scales as in its standalone layer; 0 is the identity.
      probability: Keyword-only per-sample chance that the layer applies.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> jitter = tfaug.image.RandomColorJitter(
      ...     brightness_factor=0.2, contrast_factor=0.2, saturation_factor=(0.3, 0.7),
      ...     hue_factor=0.1, seed=0)
      >>> out = jitter(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"

    def __init__(self, value_range: tuple[float, float] = (0, 255),
                 brightness_factor: float | tuple[float, float] | None = None,
                 contrast_factor: float | tuple[float, float] | None = None,
                 saturation_factor: float | tuple[float, float] | None = None,
                 hue_factor: float | tuple[float, float] | None = None, seed: int | None = None,
                 data_format: str | None = None, *, probability: float = 1.0,
                 **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=keras_value_range(value_range),
                         seed=seed, data_format=data_format, **kwargs)
        given = {"brightness": brightness_factor, "contrast": contrast_factor,
                 "saturation": saturation_factor, "hue": hue_factor}
        self._ranges = {}
        for name, cls, _ in _JITTER_PARTS:
            value = given[name]
            if value is not None:
                value, self._ranges[name] = cls.parse(f"{name}_factor", value)
            setattr(self, f"{name}_factor", value)

    def sample_params(self, batch_size, seed):
        strength = self.strength_tensor()
        return {name: cls.draw(self._ranges[name], batch_size, seed, strength)
                for name, cls, _ in _JITTER_PARTS if name in self._ranges}

    def transform(self, data, params):
        images = data["images"]
        for name, _, adjust in _JITTER_PARTS:
            if name in params:
                images = adjust(images, params[name])
        return images_only(data, images)


def _solarization_factor(name, value):
    message = ("The `addition_factor` and `threshold_factor` arguments should be a number "
               f"(or a list of two numbers) in the range [0, 1]. Received: {name}={value!r}")
    try:
        return keras_factor(name, value, 0, 1)
    except validation.ArgumentError as err:
        raise type(err)(name, value, err.allowed, message) from None


@registry.register
class Solarization(ImageAugmentation):
    """Keras' ``Solarization``: adds a per-sample amount, then inverts the
    pixels at or above a per-sample threshold.

    Both are fractions of the value range. With the defaults (threshold 0)
    every pixel is inverted. tfaug's :class:`Solarize` takes PIL's threshold
    in pixel units instead.

    Args:
      addition_factor: A number ``f`` draws the addition from ``[0, f]``, a pair
        between its values; in ``[0, 1]``. Added before the threshold (clipped).
      threshold_factor: A number ``f`` draws the threshold from ``[0, f]``, a
        pair between its values; in ``[0, 1]``. Pixels below it are kept.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.
      strength: Keyword-only scale ``>= 0`` (a variable): the addition becomes
        ``s a`` and the threshold ``N - s (N - t)`` with ``N = 256/255`` (above
        every level); 1 is as configured, 0 the identity.
      probability: Keyword-only per-sample chance that the layer applies.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.Solarization(threshold_factor=(0.4, 0.6), seed=0)
      >>> out = layer(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"
    _NEUTRAL_THRESHOLD = 256.0 / 255.0

    def __init__(self, addition_factor: float | tuple[float, float] = 0.0,
                 threshold_factor: float | tuple[float, float] = 0.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None, *,
                 probability: float = 1.0, **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=keras_value_range(value_range),
                         seed=seed, **kwargs)
        self.addition_factor, self._addition = _solarization_factor("addition_factor",
                                                                    addition_factor)
        self.threshold_factor, self._threshold = _solarization_factor("threshold_factor",
                                                                      threshold_factor)

    def sample_params(self, batch_size, seed):
        add_seed, threshold_seed = tf.unstack(seeds_lib.split(seed, 2))
        strength = self.strength_tensor()
        addition = seeds_lib.uniform([batch_size], add_seed, *self._addition)
        threshold = seeds_lib.uniform([batch_size], threshold_seed, *self._threshold)
        return {"addition": addition * strength,
                "threshold": toward(threshold, self._NEUTRAL_THRESHOLD, strength)}

    def transform(self, data, params):
        images = color_ops.adjust_brightness(data["images"], params["addition"])
        return images_only(data, color_ops.solarize(images, params["threshold"]))


@registry.register
class RandomPosterization(Posterize):
    """Keras' ``RandomPosterization``: keeps the top ``factor`` bits of each
    8-bit level (of the value range).

    Args:
      factor: The number of bits to keep, an int in ``[1, 8]`` (Keras'
        documented meaning), or a pair ``(lo, hi)`` of such ints drawn per
        sample from ``lo..hi``.
      value_range: ``(low, high)`` of float inputs.
      data_format: ``"channels_last"``, ``"channels_first"`` or None.
      seed: Initial seed state.
      strength: Keyword-only scale ``>= 0`` (a variable), as :class:`Posterize`'s:
        the bits move toward 8; 1 is as configured, 0 the identity on 8-bit levels.
      probability: Keyword-only per-sample chance that the layer applies.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.RandomPosterization(4, seed=0)
      >>> out = layer(images, training=True)
      >>> bool(tf.reduce_all(out % 16 == 0))  # 4 bits kept: multiples of 16
      True
    """

    def __init__(self, factor: int | tuple[int, int], value_range: tuple[float, float] = (0, 255),
                 data_format: str | None = None, seed: int | None = None, *,
                 probability: float = 1.0, **kwargs: Any) -> None:
        message = ("The `factor` argument should be a number (or a list of two numbers) "
                   f"in the range [1, 8]. Received: factor={factor!r}")
        values = [factor] if validation.is_number(factor) else factor
        if not (isinstance(values, (list, tuple)) and len(values) in (1, 2)
                and all(validation.is_number(v) for v in values)):
            raise validation.ArgumentTypeError("factor", factor, "an int in [1, 8] or a "
                                               "pair of such ints", message)
        if not all(validation.is_finite_number(v) and v == int(v) and 1 <= v <= 8
                   for v in values):
            raise validation.ArgumentError("factor", factor, "an int in [1, 8] or a pair "
                                           "of such ints", message)
        bits = sorted(int(v) for v in values)
        super().__init__(bits=bits[0] if len(bits) == 1 else bits, probability=probability,
                         value_range=keras_value_range(value_range), seed=seed,
                         data_format=data_format, **kwargs)
        self.factor = int(factor) if validation.is_number(factor) else bits


@registry.register
class RandomSharpness(Sharpness):
    """Keras' ``RandomSharpness``: blends with the 3x3-smoothed image by a
    per-sample factor in ``[0, 1]``: 0 fully smoothed, 0.5 the identity, 1
    sharpened (PIL's enhance factor ``2 f``; border pixels are unchanged).

    Args:
      factor: A number ``f`` draws from ``[0, f]``, a pair between its values;
        in ``[0, 1]``. ``(0.5, 0.5)`` is the identity.
      value_range: ``(low, high)`` of float inputs.
      data_format: ``"channels_last"``, ``"channels_first"`` or None.
      seed: Initial seed state.
      strength: Keyword-only scale ``>= 0`` (a variable): the enhance factor
        ``2 f`` becomes ``1 + s (2 f - 1)``; 1 is as configured, 0 the identity.
      probability: Keyword-only per-sample chance that the layer applies.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.RandomSharpness((0.3, 0.7), seed=0)
      >>> out = layer(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    def __init__(self, factor: float | tuple[float, float],
                 value_range: tuple[float, float] = (0, 255), data_format: str | None = None,
                 seed: int | None = None, *, probability: float = 1.0, **kwargs: Any) -> None:
        stored, (lo, hi) = keras_factor("factor", factor, 0, 1)
        super().__init__(factor=[2.0 * lo, 2.0 * hi], probability=probability,
                         value_range=keras_value_range(value_range), seed=seed,
                         data_format=data_format, **kwargs)
        self.factor = stored


@registry.register
class Equalization(Equalize):
    """Keras' ``Equalization``: per-channel histogram equalization of each
    image with ``bins`` histogram bins (PIL's ``ImageOps.equalize`` rule).

    Deterministic. With ``bins < 256`` the 256 levels are grouped into
    ``bins`` equal-width bins first (each level replaced by its bin's
    representative level), so equalization sees ``bins`` distinct values.

    Args:
      value_range: ``(low, high)`` of float inputs.
      bins: Histogram bins, an int in ``[2, 256]``.
      data_format: ``"channels_last"``, ``"channels_first"`` or None.
      strength: Keyword-only scale ``>= 0`` (a variable): the chance that a
        sample is equalized is ``probability * strength``.
      probability: Keyword-only per-sample chance that the layer applies.
      seed: Keyword-only initial seed state (only the gate is random).

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.Equalization(value_range=(0, 255))
      >>> out = layer(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    def __init__(self, value_range: tuple[float, float] = (0, 255), bins: int = 256,
                 data_format: str | None = None, *, probability: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=keras_value_range(value_range),
                         seed=seed, data_format=data_format, **kwargs)
        self.bins = validation.check_int("bins", bins, 2, 256)

    def transform(self, data, params):
        images = data["images"]
        if self.bins < 256:
            levels = tf.clip_by_value(tf.round(images * 255.0), 0.0, 255.0)
            group = tf.floor(levels * (self.bins / 256.0))
            images = tf.round(group * (255.0 / (self.bins - 1))) * (1.0 / 255.0)
        return images_only(data, color_ops.equalize(images))


@registry.register
class RandomInvert(ImageAugmentation):
    """Keras' ``RandomInvert``: inverts each image (``high - x + low``) with a
    per-sample probability ``p`` drawn from ``factor``.

    tfaug's :class:`Invert` inverts with a fixed ``probability``.

    Args:
      factor: A number ``f`` draws ``p`` from ``[0, f]`` (so the default 1.0
        inverts half the images on average), a pair between its values; in
        ``[0, 1]``. ``(1, 1)`` inverts every image, 0 none.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.
      data_format: ``"channels_last"``, ``"channels_first"`` or None.
      strength: Keyword-only scale ``>= 0`` (a variable): the layer runs on a
        sample with chance ``probability * strength`` (then inverts with ``p``).
      probability: Keyword-only per-sample chance that the layer applies.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.RandomInvert((0.5, 0.5), seed=0)
      >>> out = layer(images, training=True)
      >>> bool(tf.reduce_all((out == images) | (out == 255 - images)))
      True
    """

    def __init__(self, factor: float | tuple[float, float] = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 data_format: str | None = None, *, probability: float = 1.0,
                 **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=keras_value_range(value_range),
                         seed=seed, data_format=data_format, **kwargs)
        self.factor, self._range = keras_factor("factor", factor, 0, 1)

    def sample_params(self, batch_size, seed):
        return {"invert": keras_apply_flags(self._range, batch_size, seed)}

    def transform(self, data, params):
        x = data["images"]
        flag = tf.reshape(params["invert"], [-1, 1, 1, 1])
        return images_only(data, tf.where(flag, color_ops.invert(x), x))
