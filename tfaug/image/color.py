"""Colour layers.

Each layer draws its parameters per sample and changes only ``images``;
labels, masks and boxes pass through untouched. The work is done by
:mod:`tfaug.image.ops.color`.

Argument conventions:

* The Keras-named layers (``RandomBrightness``, ``RandomContrast``,
  ``RandomSaturation``, ``RandomHue``, ``RandomGrayscale``) take Keras 3's
  arguments, in Keras' order, with Keras' meanings: ``RandomBrightness(0.2)``
  adds a delta in ``[-0.2, 0.2]`` of the value range; ``RandomContrast(0.2)``
  draws a factor in ``[0.8, 1.2]`` and blends each channel with its mean;
  ``RandomSaturation(f)`` draws ``s`` in ``[0, f]`` (0.5 = no-op, 0 = gray,
  1 = fully saturated); ``RandomHue(f)`` shifts by up to ``f/2`` turns, either
  sign; ``RandomGrayscale(f)`` converts with chance ``f``. tfaug's extras
  (``probability``, ...) are keyword-only.
* ``ColorJitter`` follows torchvision's ``ColorJitter`` exactly
  (Keras' ``RandomColorJitter`` is in :mod:`tfaug.image.keras_tone`).

Strength: every layer takes the keyword-only ``strength`` of the base class, a
scale ``>= 0`` held in a variable (``set_strength`` changes the next batch, no
retrace). 1 is the layer as configured (bitwise), 0 the identity. Layers with a
drawn parameter scale it (``strength_scales = "parameters"``): every parameter
moves toward its neutral value, its deviation multiplied by the strength ``s``:
deltas (brightness, hue) by ``s``, factors (contrast, sharpness,
ColorJitter's) as ``1 + s (f - 1)`` clamped at 0, RandomSaturation's ``f`` as
``0.5 + s (f - 0.5)``, Solarize's threshold moves
toward ``256/255`` of the range (above every 8-bit level, PIL's no-op 256),
Posterize's bits toward 8. ``RandomGrayscale``, ``Equalize``, ``AutoContrast``
and ``Invert`` have no continuous parameter: they apply to each sample with
probability ``probability * strength`` (``strength_scales = "probability"``).
"""


from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.image.base import ImageAugmentation, toward
from tfaug.core.base import GATE
from tfaug.image.keras_args import keras_factor, keras_rows, keras_value_range
from tfaug.image.ops import color as color_ops


def _factor_bounds(name, value, max_lower=None):
    """Keras ``(lower, upper)`` factor bounds: a number ``f`` means ``(f, f)``.

    Returns ``(stored, [1 - lower, 1 + upper])``.
    """
    allowed = "a non-negative number or a pair (lower, upper) of non-negative numbers"
    single = validation.is_number(value)
    if not (single or isinstance(value, (list, tuple)) and len(value) == 2 and all(
            validation.is_number(v) for v in value)):
        raise validation.ArgumentTypeError(name, value, allowed)
    if not all(validation.is_finite_number(v) for v in ([value] if single else value)):
        raise validation.ArgumentError(name, value, allowed.replace("non-negative",
                                                                    "finite non-negative"))
    pair = [float(value)] * 2 if single else [float(v) for v in value]
    stored = float(value) if single else list(pair)
    if min(pair) < 0:
        raise validation.ArgumentError(name, value, "non-negative (the factor is drawn in "
                                       "[1 - lower, 1 + upper])")
    if max_lower is not None and pair[0] > max_lower:
        raise validation.ArgumentError(
            name, value, f"a lower bound <= {max_lower}",
            f"`{name}` lower bound must be <= {max_lower} (the factor "
            f"1 - lower must stay >= 0), got {value!r}.")
    return stored, [1.0 - pair[0], 1.0 + pair[1]]


def value_or_range(name, value, low=None, high=None):
    """A number (fixed) or an ordered pair drawn per sample; ``(stored, [lo, hi])``."""
    pair = validation.check_range(name, value, low, high)
    return (float(value) if validation.is_number(value) else list(pair)), pair


def images_only(data, images):
    """``data`` with its ``images`` replaced (labels, masks, boxes untouched)."""
    out = dict(data)
    out["images"] = images
    return out


class UniformParam(ImageAugmentation):
    """A colour op whose one parameter is drawn per sample, uniformly in
    ``self._range``; subclasses name it (``param``) and implement ``adjust``.

    The strength moves the draw toward ``neutral`` (the op's identity value),
    clamped to ``floor`` (None: no clamp)."""

    param = "factor"
    strength_scales = "parameters"
    neutral = 0.0
    floor = None

    def adjust(self, images, value):
        raise NotImplementedError

    def sample_params(self, batch_size, seed):
        lo, hi = self._range
        value = toward(seeds_lib.uniform([batch_size], seed, lo, hi), self.neutral,
                        self.strength_tensor())
        return {self.param: value if self.floor is None else tf.maximum(value, self.floor)}

    def transform(self, data, params):
        return images_only(data, self.adjust(data["images"], params[self.param]))


class PixelOp(ImageAugmentation):
    """A parameterless colour op gated per sample by ``probability``."""

    op = None

    def transform(self, data, params):
        return images_only(data, type(self).op(data["images"]))


class KerasColor(UniformParam):
    """A Keras-named colour layer: ``draw`` and ``adjust`` are static so that
    :class:`RandomColorJitter` runs the same code as the standalone layer.

    ``salt`` is folded into the parameter seed, so the four parts of a
    RandomColorJitter draw independently, each what the standalone layer
    with the same seed draws."""

    salt = 0
    bounds = (0, 1)

    @classmethod
    def parse(cls, name, value):
        """Keras' ``factor`` parsing: ``(stored, [lo, hi])`` of the drawn value."""
        return keras_factor(name, value, *cls.bounds)

    @classmethod
    def draw(cls, bounds, batch_size, seed, strength):
        lo, hi = bounds
        seed = seeds_lib.fold_in(seed, cls.salt)
        value = toward(seeds_lib.uniform([batch_size], seed, lo, hi), cls.neutral, strength)
        return value if cls.floor is None else tf.maximum(value, cls.floor)

    def sample_params(self, batch_size, seed):
        return {self.param: self.draw(self._range, batch_size, seed, self.strength_tensor())}


@registry.register
class RandomBrightness(KerasColor):
    """Adds a per-sample delta to every pixel (Keras ``RandomBrightness``).

    Args:
      factor: Delta as a fraction of the value range, in ``[-1, 1]``: a number
        ``f`` draws from ``[-|f|, |f|]``; a pair draws between its values. -1
        makes the image black, 1 white; the result is clipped to the range.
      value_range: ``(low, high)`` of float inputs (uint8 and integer inputs:
        their levels).
      seed: Initial seed state.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the drawn
        delta; 1 is as configured, 0 the identity.
      probability: Keyword-only per-sample chance that the layer applies.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.RandomBrightness(0.2, seed=0)
      >>> out = layer(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    param = "delta"
    salt = 1
    bounds = (-1, 1)

    def __init__(self, factor: float | tuple[float, float],
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None, *,
                 probability: float = 1.0, **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=keras_value_range(value_range),
                         seed=seed, **kwargs)
        self.factor, self._range = self.parse("factor", factor)

    @staticmethod
    def adjust(images, value):
        return color_ops.adjust_brightness(images, value)


@registry.register
class RandomContrast(KerasColor):
    """Blends each channel with its own per-image mean (Keras ``RandomContrast``).

    ``out = mean_c + f (x - mean_c)`` with a per-sample factor ``f``, clipped.

    Args:
      factor: ``lower = upper = f`` for a number, ``(lower, upper)`` for a pair,
        values in ``[0, 1]``: ``f`` is drawn per sample in ``[1 - lower, 1 +
        upper]`` (Keras' documented rule).
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.
      data_format: ``"channels_last"``, ``"channels_first"`` or None (Keras'
        ``image_data_format()``).
      strength: Keyword-only scale ``>= 0`` (a variable): the drawn factor ``f``
        becomes ``1 + s (f - 1)``, clamped at 0; 1 is as configured, 0 the identity.
      probability: Keyword-only per-sample chance that the layer applies.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.RandomContrast(0.2, seed=0)
      >>> out = layer(images, training=True)
      >>> bool(tf.reduce_all(layer(images, training=False) == images))  # not training
      True
    """

    neutral, floor = 1.0, 0.0
    salt = 2

    def __init__(self, factor: float | tuple[float, float],
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None, *,
                 probability: float = 1.0, **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=keras_value_range(value_range),
                         seed=seed, **kwargs)
        self.factor, self._range = self.parse("factor", factor)

    @classmethod
    def parse(cls, name, value):
        stored, (lower, upper) = keras_factor(name, value, *cls.bounds)
        if validation.is_number(value):
            lower = upper
        return stored, [1.0 - lower, 1.0 + upper]

    @staticmethod
    def adjust(images, value):
        return color_ops.adjust_contrast(images, value, mean="channel")

    def keras_transformation(self, params, data):
        """Keras' ``contrast_factor``: ``[B, 1, 1, 1]``, the factor each image
        gets (1 where the ``probability`` gate is off)."""
        factor = params["factor"]
        if GATE in params:
            factor = tf.where(params[GATE], factor, tf.ones_like(factor))
        return {"contrast_factor": factor[:, None, None, None]}

    def from_keras_transformation(self, transformation, data):
        """tfaug's drawn ``factor`` if present, else Keras' ``contrast_factor``
        (a number, ``[B]`` or ``[B, 1, 1, 1]``): ``(x - mean_c) f + mean_c``."""
        if "factor" in transformation:
            return transformation
        return {"factor": keras_rows(transformation["contrast_factor"],
                                     self.batch_size(data))}


@registry.register
class RandomSaturation(KerasColor):
    """Scales the HSV saturation by a per-sample factor (Keras ``RandomSaturation``).

    A drawn ``f`` in ``[0, 1]`` scales the saturation by ``f / (1 - f)``: 0.5
    is the identity, 0 grayscale (the HSV value ``max(R, G, B)`` in every
    channel), 1 full saturation. Single-channel images are unchanged.

    Args:
      factor: A number ``f`` draws from ``[0, f]``, a pair between its values;
        values in ``[0, 1]``. ``(0.5, 0.5)`` is the identity.
      value_range: ``(low, high)`` of float inputs.
      data_format: ``"channels_last"``, ``"channels_first"`` or None.
      seed: Initial seed state.
      method: Keyword-only: ``"hsv"`` (Keras: scale S in HSV) or ``"blend"``
        (PIL / torchvision: blend with the luma).
      strength: Keyword-only scale ``>= 0`` (a variable): the drawn ``f``
        becomes ``0.5 + s (f - 0.5)``; 1 is as configured, 0 the identity.
      probability: Keyword-only per-sample chance that the layer applies.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.RandomSaturation((0.3, 0.7), seed=0)
      >>> out = layer(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    neutral = 0.5
    salt = 3

    def __init__(self, factor: float | tuple[float, float],
                 value_range: tuple[float, float] = (0, 255), data_format: str | None = None,
                 seed: int | None = None, *, method: str = "hsv", probability: float = 1.0,
                 **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=keras_value_range(value_range),
                         seed=seed, data_format=data_format, **kwargs)
        self.factor, self._range = self.parse("factor", factor)
        self.method = validation.check_choice("method", method, ("hsv", "blend"))

    def adjust(self, images, value):
        return self.saturate(images, value, self.method)

    @staticmethod
    def saturate(images, value, method="hsv"):
        # Keras' mapping f -> f / (1 - f + 1e-7): 0.5 -> 1, 1 -> 1e7 (clipped S).
        scale = value / (1.0 - value + 1e-7)
        return color_ops.adjust_saturation(images, scale, method)


@registry.register
class RandomHue(KerasColor):
    """Rotates the hue (HSV) by a per-sample shift of random sign (Keras ``RandomHue``).

    A drawn magnitude ``f`` shifts the hue by ``±f/2`` turns (sign drawn
    per sample): 1 is half a turn, the largest shift. Single-channel images
    are unchanged.

    Args:
      factor: A number ``f`` draws the magnitude from ``[0, f]``, a pair between
        its values; values in ``[0, 1]``. 0 is the identity.
      value_range: ``(low, high)`` of float inputs.
      data_format: ``"channels_last"``, ``"channels_first"`` or None.
      seed: Initial seed state.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the drawn
        shift; 1 is as configured, 0 the identity.
      probability: Keyword-only per-sample chance that the layer applies.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.RandomHue(0.2, seed=0)
      >>> out = layer(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    param = "delta"
    salt = 4

    def __init__(self, factor: float | tuple[float, float],
                 value_range: tuple[float, float] = (0, 255), data_format: str | None = None,
                 seed: int | None = None, *, probability: float = 1.0, **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=keras_value_range(value_range),
                         seed=seed, data_format=data_format, **kwargs)
        self.factor, self._range = self.parse("factor", factor)

    @classmethod
    def draw(cls, bounds, batch_size, seed, strength):
        lo, hi = bounds
        magnitude_seed, sign_seed = tf.unstack(seeds_lib.split(
            seeds_lib.fold_in(seed, cls.salt), 2))
        magnitude = seeds_lib.uniform([batch_size], magnitude_seed, lo, hi)
        sign = tf.where(seeds_lib.uniform([batch_size], sign_seed) > 0.5, -1.0, 1.0)
        return sign * magnitude * 0.5 * strength

    @staticmethod
    def adjust(images, value):
        return color_ops.adjust_hue(images, value)


def _jitter_range(name, value, center, bound=None):
    """torchvision's ColorJitter argument: ``f`` -> ``[max(0, c - f), c + f]``,
    a pair -> itself (within ``[0, inf)``, or ``[-bound, bound]`` for hue)."""
    if validation.is_number(value):
        if not validation.is_finite_number(value):
            raise validation.ArgumentError(name, value, "a finite non-negative number or a "
                                           "pair (low, high) of finite numbers")
        if value < 0:
            raise validation.ArgumentError(name, value, "non-negative")
        if bound is not None and value > bound:
            raise validation.ArgumentError(name, value, f"in [0, {bound}]")
        lo = -float(value) if center == 0 else max(0.0, center - float(value))
        return float(value), [lo, center + float(value)]
    low, high = (-bound, bound) if bound is not None else (0.0, None)
    pair = validation.check_range(name, value, low, high)
    return list(pair), pair


@registry.register
class ColorJitter(ImageAugmentation):
    """torchvision's ``ColorJitter``: brightness, contrast, saturation and hue,
    each drawn independently per sample and applied in a per-sample random
    order (clipped after each).

    Brightness multiplies the image; contrast blends with the mean luma;
    saturation blends with the grayscale image; hue rotates in HSV. Outside XLA
    the hue conversion runs only on the rows whose turn it is.

    Args:
      brightness: ``b >= 0`` draws the factor from ``[max(0, 1 - b), 1 + b]``;
        a pair ``(lo, hi)`` (``lo >= 0``) is the factor range. 0 disables.
      contrast: As ``brightness``.
      saturation: As ``brightness``; single-channel images are unchanged.
      hue: ``h`` in ``[0, 0.5]`` draws the shift (turns) from ``[-h, h]``; a
        pair lies in ``[-0.5, 0.5]``.
      strength: Keyword-only scale ``>= 0`` (a variable): each drawn factor ``f``
        becomes ``1 + s (f - 1)`` (clamped at 0) and the hue shift ``s h``; 1
        is as configured, 0 the identity.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> jitter = tfaug.image.ColorJitter(0.4, 0.4, 0.4, 0.1, seed=0)
      >>> out = jitter(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"
    _NEUTRAL = {"brightness": 1.0, "contrast": 1.0, "saturation": 1.0, "hue": 0.0}

    def __init__(self, brightness: float | tuple[float, float] = 0.0,
                 contrast: float | tuple[float, float] = 0.0,
                 saturation: float | tuple[float, float] = 0.0,
                 hue: float | tuple[float, float] = 0.0, *, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.brightness, b = _jitter_range("brightness", brightness, 1.0)
        self.contrast, c = _jitter_range("contrast", contrast, 1.0)
        self.saturation, s = _jitter_range("saturation", saturation, 1.0)
        self.hue, h = _jitter_range("hue", hue, 0.0, bound=0.5)
        self._ranges = {"brightness": b, "contrast": c, "saturation": s, "hue": h}

    def sample_params(self, batch_size, seed):
        order_seed, *op_seeds = tf.unstack(seeds_lib.split(seed, 5))
        keys = seeds_lib.uniform([batch_size, 4], order_seed)
        params = {"order": tf.argsort(keys, axis=1, stable=True)}
        strength = self.strength_tensor()
        for (name, (lo, hi)), s in zip(self._ranges.items(), op_seeds):
            neutral = self._NEUTRAL[name]
            value = toward(seeds_lib.uniform([batch_size], s, lo, hi), neutral, strength)
            params[name] = value if neutral == 0 else tf.maximum(value, 0.0)
        return params

    def transform(self, data, params):
        # An op whose range is the neutral point is skipped (None).
        neutral = self._NEUTRAL
        kwargs = {k: None if r == [neutral[k]] * 2 else params[k]
                  for k, r in self._ranges.items()}
        return images_only(data, color_ops.color_jitter(data["images"], params["order"],
                                                         **kwargs))


@registry.register
class RandomGrayscale(ImageAugmentation):
    """Converts a sample to grayscale (its luma, kept in all channels) with
    chance ``factor`` (Keras ``RandomGrayscale``).

    Single-channel images are unchanged.

    Args:
      factor: Per-sample chance in ``[0, 1]``: 1 converts every image, 0 none.
      data_format: ``"channels_last"``, ``"channels_first"`` or None.
      seed: Initial seed state.
      strength: Keyword-only scale ``>= 0`` (a variable): the chance becomes
        ``factor * probability * strength`` (clamped to 1).
      probability: Keyword-only per-sample chance that the layer applies at
        all (the effective chance is ``factor * probability``).
      value_range: Keyword-only ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.RandomGrayscale(1.0, seed=0)  # every image
      >>> out = layer(images, training=True)
      >>> bool(tf.reduce_all(out[..., 0] == out[..., 1]))  # grey: R == G == B
      True
    """

    def __init__(self, factor: float = 0.5, data_format: str | None = None,
                 seed: int | None = None, *, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         data_format=data_format, **kwargs)
        if not (validation.is_finite_number(factor) and 0 <= factor <= 1):
            error = (validation.ArgumentError if validation.is_number(factor)
                     else validation.ArgumentTypeError)
            raise error("factor", factor, "a number in [0, 1]",
                        f"`factor` should be between 0 and 1. Received: factor={factor!r}")
        self.factor = float(factor)

    def sample_params(self, batch_size, seed):
        return {"grayscale": seeds_lib.uniform([batch_size], seed) < self.factor}

    def transform(self, data, params):
        x = data["images"]
        flag = tf.reshape(params["grayscale"], [-1, 1, 1, 1])
        return images_only(data, tf.where(flag, color_ops.to_grayscale(x), x))
