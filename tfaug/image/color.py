"""Colour layers.

Each layer draws its parameters per sample and changes only ``images``;
labels, masks and boxes pass through untouched. The work is done by
:mod:`tfaug.image.ops.color`.

Argument conventions:

* ``Random*`` layers take Keras-style factors: ``RandomBrightness(0.2)``
  adds a delta in ``[-0.2, 0.2]`` of the value range; ``RandomContrast(0.2)``
  and ``RandomSaturation(0.2)`` draw a factor in ``[1 - lower, 1 + upper]``.
* ``Solarize``, ``Posterize`` and ``Sharpness`` take the op's parameter itself:
  a number is used as is, a pair ``(lo, hi)`` is drawn uniformly per sample.
* ``ColorJitter`` follows torchvision's ``ColorJitter`` exactly.

Strength: every layer takes the keyword-only ``strength`` of the base class, a
scale ``>= 0`` held in a variable (``set_strength`` changes the next batch, no
retrace). 1 is the layer as configured (bitwise), 0 the identity. Layers with a
drawn parameter scale it (``strength_scales = "parameters"``): every parameter
moves toward its neutral value, its deviation multiplied by the strength ``s``:
deltas (brightness, hue) by ``s``, factors (contrast, saturation, sharpness,
ColorJitter's) as ``1 + s (f - 1)`` clamped at 0, Solarize's threshold moves
toward ``256/255`` of the range (above every 8-bit level, PIL's no-op 256),
Posterize's bits toward 8. ``RandomGrayscale``, ``Equalize``, ``AutoContrast``
and ``Invert`` have no continuous parameter: they apply to each sample with
probability ``probability * strength`` (``strength_scales = "probability"``).
"""

import numbers

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.image.base import ImageAugmentation, toward
from tfaug.image.ops import color as color_ops


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _factor_bounds(name, value, max_lower=None):
    """Keras ``(lower, upper)`` factor bounds: a number ``f`` means ``(f, f)``.

    Returns ``(stored, [1 - lower, 1 + upper])``.
    """
    allowed = "a non-negative number or a pair (lower, upper) of non-negative numbers"
    single = _is_number(value)
    if not (single or isinstance(value, (list, tuple)) and len(value) == 2 and all(
            _is_number(v) for v in value)):
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
    return (float(value) if _is_number(value) else list(pair)), pair


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


@registry.register
class RandomBrightness(UniformParam):
    """Adds a per-sample delta to every pixel (Keras ``RandomBrightness`` semantics).

    Args:
      factor: Delta as a fraction of the value range: a number ``f`` in
        ``[0, 1]`` draws from ``[-f, f]``; a pair ``(lo, hi)`` in ``[-1, 1]``
        draws from ``[lo, hi]``. The result is clipped to the value range.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the drawn
        delta; 1 is as configured, 0 the identity.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> layer = tfaug.image.RandomBrightness(0.2, seed=0)
      >>> out = layer(images, training=True)
    """

    param = "delta"

    def __init__(self, factor=0.2, probability=1.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        pair = validation.check_range("factor", factor, -1.0, 1.0, symmetric=True)
        self.factor = float(factor) if _is_number(factor) else list(pair)
        self._range = pair

    def adjust(self, images, value):
        return color_ops.adjust_brightness(images, value)


@registry.register
class RandomContrast(UniformParam):
    """Blends each image with its mean luma by a per-sample contrast factor.

    Keras semantics for ``factor``; the blend is PIL's / torchvision's
    (``mean + c * (x - mean)`` with the mean of the grayscale image), clipped.

    Args:
      factor: A number ``f`` (lower = upper = ``f``) or a pair ``(lower,
        upper)`` of non-negative numbers, ``lower <= 1``: the contrast factor
        is drawn per sample in ``[1 - lower, 1 + upper]``.
      strength: Keyword-only scale ``>= 0`` (a variable): the drawn factor ``f``
        becomes ``1 + s (f - 1)``, clamped at 0; 1 is as configured, 0 the identity.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> layer = tfaug.image.RandomContrast(0.2, seed=0)
      >>> out = layer(images, training=True)
    """

    neutral, floor = 1.0, 0.0

    def __init__(self, factor=0.2, probability=1.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.factor, self._range = _factor_bounds("factor", factor, max_lower=1.0)

    def adjust(self, images, value):
        return color_ops.adjust_contrast(images, value)


@registry.register
class RandomSaturation(UniformParam):
    """Scales saturation by a per-sample factor in ``[1 - lower, 1 + upper]``.

    Single-channel images are returned unchanged.

    Args:
      factor: A number ``f`` or a pair ``(lower, upper)`` of non-negative
        numbers, ``lower <= 1`` (as :class:`RandomContrast`).
      method: ``"blend"`` (PIL / torchvision: blend with the grayscale image)
        or ``"hsv"`` (``tf.image.adjust_saturation``: scale S in HSV).
      strength: Keyword-only scale ``>= 0`` (a variable): the drawn factor ``f``
        becomes ``1 + s (f - 1)``, clamped at 0; 1 is as configured, 0 the identity.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> layer = tfaug.image.RandomSaturation(0.3, seed=0)
      >>> out = layer(images, training=True)
    """

    neutral, floor = 1.0, 0.0

    def __init__(self, factor=0.2, method="blend", probability=1.0,
                 value_range=(0, 255), seed=None, **kwargs):
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.factor, self._range = _factor_bounds("factor", factor, max_lower=1.0)
        self.method = validation.check_choice("method", method, ("blend", "hsv"))

    def adjust(self, images, value):
        return color_ops.adjust_saturation(images, value, self.method)


@registry.register
class RandomHue(UniformParam):
    """Rotates the hue (HSV) by a per-sample delta, in turns.

    Single-channel images are returned unchanged.

    Args:
      factor: A number ``f`` in ``[0, 0.5]`` draws the shift from ``[-f, f]``;
        a pair ``(lo, hi)`` in ``[-0.5, 0.5]`` draws from ``[lo, hi]``. A shift
        of 1/3 turn maps red to green.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the drawn
        delta; 1 is as configured, 0 the identity.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> layer = tfaug.image.RandomHue(0.1, seed=0)
      >>> out = layer(images, training=True)
    """

    param = "delta"

    def __init__(self, factor=0.1, probability=1.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        pair = validation.check_range("factor", factor, -0.5, 0.5, symmetric=True)
        self.factor = float(factor) if _is_number(factor) else list(pair)
        self._range = pair

    def adjust(self, images, value):
        return color_ops.adjust_hue(images, value)


def _jitter_range(name, value, center, bound=None):
    """torchvision's ColorJitter argument: ``f`` -> ``[max(0, c - f), c + f]``,
    a pair -> itself (within ``[0, inf)``, or ``[-bound, bound]`` for hue)."""
    if _is_number(value):
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
      >>> jitter = tfaug.image.ColorJitter(0.4, 0.4, 0.4, 0.1, seed=0)
      >>> out = jitter(images, training=True)
    """

    strength_scales = "parameters"
    _NEUTRAL = {"brightness": 1.0, "contrast": 1.0, "saturation": 1.0, "hue": 0.0}

    def __init__(self, brightness=0.0, contrast=0.0, saturation=0.0, hue=0.0,
                 probability=1.0, value_range=(0, 255), seed=None,
                 **kwargs):
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
    """Converts a sample to grayscale (kept in all channels) with chance ``rate``.

    Single-channel images are unchanged.

    Args:
      rate: Per-sample chance in ``[0, 1]`` (torchvision's ``p``).
      probability: Per-sample chance that the layer applies at all (the
        effective chance is ``rate * probability``).
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> layer = tfaug.image.RandomGrayscale(0.2, seed=0)
      >>> out = layer(images, training=True)
    """

    def __init__(self, rate=0.1, probability=1.0, value_range=(0, 255), seed=None,
                 **kwargs):
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.rate = validation.check_probability("rate", rate)

    def sample_params(self, batch_size, seed):
        return {"grayscale": seeds_lib.uniform([batch_size], seed) < self.rate}

    def transform(self, data, params):
        x = data["images"]
        flag = tf.reshape(params["grayscale"], [-1, 1, 1, 1])
        return images_only(data, tf.where(flag, color_ops.to_grayscale(x), x))
