"""``RandomAffine``: tfaug's torchvision-style affine layer (rotation,
translation, scale and shear in one matrix per sample).

Its ``strength`` (keyword-only, in a variable; 1 = as configured, 0 = the
identity) scales the drawn angle, shifts and shears by ``m`` and the scale
``s`` to ``1 + m (s - 1)``, as in :mod:`tfaug.image.geometric`.
"""

from __future__ import annotations

import math
from typing import Any

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.image.base import GeometricAugmentation, float_size, toward
from tfaug.image.ops import affine

_DEG = math.pi / 180.0


@registry.register
class RandomAffine(GeometricAugmentation):
    """Random rotation, translation, scale and shear, composed into one matrix per sample.

    The content is scaled, sheared (x then y), rotated (all about the image
    centre), then translated; one resampling.

    Args:
      degrees: Rotation range in degrees (counter-clockwise positive): a number
        ``d >= 0`` means ``(-d, d)``, or a pair ``(lo, hi)``, within ``[-360, 360]``.
      translate: ``(fx, fy)`` maximum absolute shift as fractions of the width
        and height, each in ``[0, 1]``; shifts are drawn from ``[-fx W, fx W]``
        and ``[-fy H, fy H]``.
      scale: ``(lo, hi)`` content scale range, ``0 < lo <= hi`` (a number means
        exactly that scale). The same scale applies to both axes.
      shear: Shear angle range in degrees, a number ``s >= 0`` meaning
        ``(-s, s)`` or a pair; values in ``(-90, 90)``. The x and y shears are
        drawn independently from it: content ``(x, y)`` (about the centre) moves
        to ``(x + tan(a_x) y, y)``, then ``(x, y + tan(a_y) x)``.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_mode: ``"constant"``, ``"reflect"``, ``"nearest"`` or ``"wrap"``.
      fill_value: Fill for constant mode, in ``value_range`` units.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the drawn
        angle, shifts and shears by the strength ``m``; the scale ``s`` becomes
        ``1 + m (s - 1)``.
        Scaled shears are clamped to 89 degrees (or the largest configured
        ``|shear|``), scales to ``>= min(0.01, scale[0])``.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> aug = tfaug.image.RandomAffine(degrees=15, translate=(0.1, 0.1),
      ...                                scale=(0.9, 1.1), shear=5, seed=0)
      >>> out = aug(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"

    def __init__(self, degrees: float | tuple[float, float] = 0.0,
                 translate: tuple[float, float] = (0.0, 0.0),
                 scale: float | tuple[float, float] = (1.0, 1.0),
                 shear: float | tuple[float, float] = 0.0, *, interpolation: str = "bilinear",
                 fill_mode: str = "constant", fill_value: float = 0.0, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, **kwargs)
        self.degrees = validation.check_range("degrees", degrees, -360.0, 360.0,
                                              symmetric=True)
        self.translate = validation.check_numbers("translate", translate, 2, 0.0, 1.0)
        self.scale = validation.check_range("scale", scale, 0.0, None)
        if self.scale[0] <= 0.0:
            raise validation.ArgumentError("scale", scale, "positive")
        self.shear = validation.check_range("shear", shear, -90.0, 90.0, symmetric=True)
        if max(abs(v) for v in self.shear) >= 90.0:
            raise validation.ArgumentError(
                "shear", shear, "in (-90, 90) degrees",
                f"`shear` must lie in (-90, 90) degrees, got {shear!r}.")
        # Clamps for strengths above 1, never binding at strength <= 1.
        self._shear_limit = max(89.0, *(abs(v) for v in self.shear))
        self._scale_floor = min(0.01, self.scale[0])

    param_words = {"angle": ("angle", 1.0, "° ccw"),
                   "translate_x": ("shift x", 100.0, "% of width"),
                   "translate_y": ("shift y", 100.0, "% of height"),
                   "scale": ("scale", 1.0, "x"), "shear_x": ("shear x", 1.0, "°"),
                   "shear_y": ("shear y", 1.0, "°")}

    def sample_params(self, batch_size, seed):
        s = tf.unstack(seeds_lib.split(seed, 6))
        fx, fy = self.translate
        m = self.strength_tensor()
        lim = self._shear_limit

        def shear(seed_):
            return tf.clip_by_value(_uniform(seed_, batch_size, self.shear) * m, -lim, lim)

        scale = toward(_uniform(s[3], batch_size, self.scale), 1.0, m)
        return {"angle": _uniform(s[0], batch_size, self.degrees) * m,
                "translate_x": _uniform(s[1], batch_size, (-fx, fx)) * m,
                "translate_y": _uniform(s[2], batch_size, (-fy, fy)) * m,
                "scale": tf.maximum(scale, self._scale_floor),
                "shear_x": shear(s[4]),
                "shear_y": shear(s[5])}

    def matrix(self, params, height, width):
        h, w = float_size(height, width)
        p = params
        return affine.affine_matrix(
            p["angle"] * _DEG, p["translate_x"] * w, p["translate_y"] * h, p["scale"],
            p["scale"], tf.tan(p["shear_x"] * _DEG), tf.tan(p["shear_y"] * _DEG),
            height, width)


def _uniform(seed, batch_size, bounds):
    return seeds_lib.uniform([batch_size], seed, bounds[0], bounds[1])
