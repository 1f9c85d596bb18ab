"""Occlusion layers: random erasing (cutout) and GridMask.

Both overwrite pixels of ``images`` only. Masks and boxes are left untouched on
purpose: an occluded object is still there (its label and extent are the
ground truth the model should learn to predict through the occluder).

Strength: both take the keyword-only ``strength`` of the base class, a scale
``>= 0`` held in a variable (``set_strength`` changes the next batch without a
retrace), and scale their parameters by it (``strength_scales =
"parameters"``). 1 is the layer as configured (bitwise), 0 erases nothing; in
between the occluded amount is scaled by the strength ``m``: each RandomErasing
hole's area is multiplied by ``m`` (sides by ``sqrt(m)``, about the hole's
centre, in whole pixels), GridMask's ``ratio`` (the side of its squares) by
``m``.
"""

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import validation
from tfaug.image.base import ImageAugmentation
from tfaug.image.ops import erase as erase_ops
from tfaug.image.ops.noise import keyed_uniform

_FILLS = ("constant", "random")


def _positive_pair(name, value, high=None):
    pair = validation.check_range(name, value, 0.0, high)
    if not (isinstance(value, (list, tuple)) and pair[0] > 0):
        error = (validation.ArgumentError if isinstance(value, (list, tuple))
                 else validation.ArgumentTypeError)
        raise error(name, value, "a pair (low, high) with 0 < low <= high"
                    f"{'' if high is None else f' <= {high}'}")
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
      strength: Keyword-only scale ``>= 0`` (a variable): each hole, drawn as
        configured, has its sides multiplied by ``sqrt(strength)`` (area by it)
        about its centre and rounded to whole pixels (clipped to the image);
        1 is as configured, 0 erases nothing.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict; only ``images`` change).

    Example:
      >>> erase = tfaug.image.RandomErasing(scale=(0.02, 0.2), fill="random", seed=0)
      >>> out = erase(images, training=True)
    """

    strength_scales = "parameters"

    def __init__(self, scale=(0.02, 0.33), ratio=(0.3, 3.3), fill="constant", fill_value=0.0,
                 num_holes=1, probability=1.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.scale = _positive_pair("scale", scale, 1.0)
        self.ratio = _positive_pair("ratio", ratio)
        self.fill = validation.check_choice("fill", fill, _FILLS)
        self.fill_value = validation.check_number("fill_value", fill_value, *self.value_range)
        self.num_holes = validation.check_int("num_holes", num_holes, 1, 64)

    def sample_params(self, batch_size, seed):
        """The op's draws (holes as configured) plus ``side`` (``[B]``), the
        factor ``sqrt(strength)`` applied to each hole's sides."""
        params = erase_ops.sample_erase(seed, batch_size, self.scale, self.ratio,
                                        self.num_holes)
        params["side"] = tf.fill([batch_size], tf.sqrt(self.strength_tensor()))
        return params

    def hole_mask(self, params, height, width):
        """Bool ``[B, H, W]``: the union of the (scaled) holes."""
        mask = None
        side = params.get("side")
        for i in range(params["cy"].shape[1]):
            y0, x0, y1, x1 = erase_ops.erase_boxes(
                height, width, params["area"][:, i], params["log_ratio"][:, i],
                params["cy"][:, i], params["cx"][:, i], self.scale)
            if side is not None:
                y0, y1 = _shrink(y0, y1, side)
                x0, x1 = _shrink(x0, x1, side)
            m = erase_ops.box_mask(height, width, y0, x0, y1, x1)
            mask = m if mask is None else mask | m
        return mask

    def transform(self, data, params):
        images = data["images"]
        shape = tf.shape(images)
        mask = self.hole_mask(params, shape[1], shape[2])
        value = (keyed_uniform(params["keys"], shape[1:]) if self.fill == "random"
                 else self.to_unit(self.fill_value))
        out = dict(data)
        out["images"] = erase_ops.fill_where(images, mask, value)
        return out


def _shrink(lo, hi, factor):
    """Scales the int span ``[lo, hi)`` by ``factor`` ``[B]`` about its centre
    (whole pixels; ``factor`` 1 returns the span exactly, 0 an empty one)."""
    size = tf.cast(hi - lo, tf.float32)
    new = tf.round(size * factor)
    start = tf.cast(lo, tf.float32) + tf.floor((size - new) / 2.0)
    return tf.cast(start, tf.int32), tf.cast(start + new, tf.int32)


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
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies ``ratio``
        (clamped to 1; the masked fraction scales as ``strength ** 2``); 1 is as
        configured, 0 masks nothing.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict; only ``images`` change).

    Example:
      >>> grid = tfaug.image.GridMask(ratio=0.5, rotate=15, seed=0)
      >>> out = grid(images, training=True)
    """

    strength_scales = "parameters"

    def __init__(self, ratio=0.6, d_range=(0.2, 0.5), rotate=0.0, fill_value=0.0,
                 probability=1.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.ratio = validation.check_number("ratio", ratio, 0.0, 1.0)
        self.d_range = _positive_pair("d_range", d_range, 1.0)
        self.rotate = validation.check_number("rotate", rotate, 0.0, 180.0)
        self.fill_value = validation.check_number("fill_value", fill_value, *self.value_range)

    def sample_params(self, batch_size, seed):
        """The op's draws plus ``ratio`` (``[B]``, already scaled)."""
        params = erase_ops.sample_grid(seed, batch_size, self.d_range, self.rotate)
        ratio = tf.minimum(self.ratio * self.strength_tensor(), 1.0)
        params["ratio"] = tf.fill([batch_size], ratio)
        return params

    def transform(self, data, params):
        images = data["images"]
        shape = tf.shape(images)
        draws = dict(params)
        ratio = draws.pop("ratio", self.ratio)
        if self.rotate == 0:
            draws.pop("angle", None)
        mask = erase_ops.grid_mask_from_draws(shape[1], shape[2], draws, ratio)
        out = dict(data)
        out["images"] = erase_ops.fill_where(images, mask, self.to_unit(self.fill_value))
        return out
