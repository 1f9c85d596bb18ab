"""Occlusion layers: random erasing (cutout) and GridMask.

Both overwrite pixels of ``images`` only. Masks and boxes are left untouched on
purpose: an occluded object is still there (its label and extent are the
ground truth the model should learn to predict through the occluder).
"""

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import validation
from tfaug.image.base import ImageAugmentation
from tfaug.image.ops import erase as erase_ops

_FILLS = ("constant", "random")


def _positive_pair(name, value, high=None):
    pair = validation.check_range(name, value, 0.0, high)
    if not (isinstance(value, (list, tuple)) and pair[0] > 0):
        raise ValueError(f"`{name}` must be a pair (low, high) with 0 < low <= high"
                         f"{'' if high is None else f' <= {high}'}, got {value!r}.")
    return pair


@registry.register
class RandomErasing(ImageAugmentation):
    """Erases random rectangles (random erasing / cutout), per sample.

    Each hole's area fraction is drawn uniformly in ``scale`` and its aspect
    ratio (height / width) log-uniformly in ``ratio``; the hole lies fully
    inside the image. Up to 10 candidates are drawn per hole and the first
    whose rounded size fits the image with an area fraction in ``scale`` is
    used. Only ``images`` change: ``labels``, ``masks`` and ``boxes`` are
    returned untouched.

    Args:
      scale: ``(lo, hi)`` area fraction of a hole, ``0 < lo <= hi <= 1``.
      ratio: ``(lo, hi)`` aspect ratio range, ``0 < lo <= hi``.
      fill: ``"constant"`` (``fill_value``) or ``"random"`` (uniform noise per
        pixel over the value range).
      fill_value: Constant fill, in ``value_range`` units (inside it).
      num_holes: Holes per image (int in ``[1, 64]``); they may overlap.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict; only ``images`` change).

    Example:
      >>> erase = tfaug.image.RandomErasing(scale=(0.02, 0.2), fill="random", seed=0)
      >>> out = erase(images, training=True)
    """

    def __init__(self, scale=(0.02, 0.33), ratio=(0.3, 3.3), fill="constant", fill_value=0.0,
                 num_holes=1, probability=1.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.scale = _positive_pair("scale", scale, 1.0)
        self.ratio = _positive_pair("ratio", ratio)
        self.fill = validation.check_choice("fill", fill, _FILLS)
        self.fill_value = validation.check_number("fill_value", fill_value, *self.value_range)
        self.num_holes = validation.check_int("num_holes", num_holes, 1, 64)

    def sample_params(self, batch_size, seed):
        return erase_ops.sample_erase(seed, batch_size, self.scale, self.ratio,
                                      self.num_holes)

    def transform(self, data, params):
        out = dict(data)
        out["images"] = erase_ops.erase_holes(data["images"], params, self.scale, self.fill,
                                        self.to_unit(self.fill_value))
        return out


@registry.register
class GridMask(ImageAugmentation):
    """GridMask: masks one square per cell of a regular grid, per sample.

    Each sample draws a grid unit ``d`` (a fraction ``d_range`` of the shorter
    image side), a random offset of the grid and optionally a rotation; in
    every ``d x d`` cell a square of side ``ratio * d`` is set to
    ``fill_value``. With the uniform offsets each pixel is masked with
    probability ``ratio ** 2`` (0.36 for the default). Only ``images``
    change: ``labels``, ``masks`` and ``boxes`` are returned untouched.

    Args:
      ratio: Side of the masked square as a fraction of the unit, in ``[0, 1]``.
      d_range: ``(lo, hi)`` unit size as a fraction of the shorter side,
        ``0 < lo <= hi <= 1``.
      rotate: Largest grid rotation in degrees (uniform in ``[-rotate, rotate]``),
        in ``[0, 180]``.
      fill_value: Fill of the masked squares, in ``value_range`` units (inside it).
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict; only ``images`` change).

    Example:
      >>> grid = tfaug.image.GridMask(ratio=0.5, rotate=15, seed=0)
      >>> out = grid(images, training=True)
    """

    def __init__(self, ratio=0.6, d_range=(0.2, 0.5), rotate=0.0, fill_value=0.0,
                 probability=1.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.ratio = validation.check_number("ratio", ratio, 0.0, 1.0)
        self.d_range = _positive_pair("d_range", d_range, 1.0)
        self.rotate = validation.check_number("rotate", rotate, 0.0, 180.0)
        self.fill_value = validation.check_number("fill_value", fill_value, *self.value_range)

    def sample_params(self, batch_size, seed):
        return erase_ops.sample_grid(seed, batch_size, self.d_range, self.rotate)

    def transform(self, data, params):
        images = data["images"]
        shape = tf.shape(images)
        draws = dict(params)
        if self.rotate == 0:
            draws.pop("angle", None)
        mask = erase_ops.grid_mask_from_draws(shape[1], shape[2], draws, self.ratio)
        out = dict(data)
        out["images"] = erase_ops.fill_where(images, mask, self.to_unit(self.fill_value))
        return out
