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

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.image.base import ImageAugmentation
from tfaug.image.keras_args import (keras_apply_flags, keras_factor, keras_rows,
                                    keras_value_range, with_gate)
from tfaug.image.ops import erase as erase_ops
from tfaug.image.ops.noise import keyed_normal



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
    """Erases random rectangles (random erasing / cutout), per sample
    (Keras ``RandomErasing``'s arguments).

    Each image is erased with a probability drawn from ``factor``. Each
    hole's area fraction is drawn uniformly in ``scale`` and its aspect ratio
    (height / width) log-uniformly in ``ratio``; the hole lies fully inside
    the image. Up to 10 candidates are drawn per hole and the first whose
    rounded size fits the image with an area fraction in ``scale`` is used.
    Only ``images`` change: ``labels``, ``masks`` and ``boxes`` are returned
    untouched.

    Args:
      factor: Chance that an image is erased, in ``[0, 1]``: a number is the
        chance itself (Keras' documented meaning: 1.0 always erases, 0 never),
        a pair ``(lo, hi)`` draws the chance per image between its values.
      scale: Area fraction of a hole: a number ``s`` means ``(0, s)``, a pair
        ``(lo, hi)`` with values in ``[0, 1]``. ``scale=0`` erases nothing.
      fill_value: None (Keras: Gaussian noise ``N(0, 1) * high`` per pixel,
        clipped to the value range), a number, or a list of one value per
        channel, in ``value_range`` units (inside it).
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.
      data_format: ``"channels_last"``, ``"channels_first"`` or None.
      ratio: Keyword-only ``(lo, hi)`` aspect ratio range, ``0 < lo <= hi``.
      num_holes: Keyword-only holes per image (int in ``[1, 64]``); they may overlap.
      strength: Keyword-only scale ``>= 0`` (a variable): each hole, drawn as
        configured, has its sides multiplied by ``sqrt(strength)`` (area by it)
        about its centre and rounded to whole pixels (clipped to the image);
        1 is as configured, 0 erases nothing.
      probability: Keyword-only per-sample chance that the layer applies.

    Keras' transform API: a transformation carries ``apply_erasing`` (bool
    ``[B]``), ``batch_masks`` (bool, the images' shape in ``data_format``: the
    erased pixels) and ``fill_value`` (``value_range`` units: the images' shape,
    a number or one value per channel); a hand-written one with these keys
    erases exactly those pixels. ``transform_images`` returns a batch for a
    single image, as Keras' broadcasting does.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict; only ``images`` change).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> erase = tfaug.image.RandomErasing(scale=(0.02, 0.2), seed=0)
      >>> out = erase(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"

    def __init__(self, factor: float | tuple[float, float] = 1.0,
                 scale: float | tuple[float, float] = (0.02, 0.33),
                 fill_value: float | Sequence[float] | None = None,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 data_format: str | None = None, *, ratio: tuple[float, float] = (0.3, 3.3),
                 num_holes: int = 1, probability: float = 1.0, **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=keras_value_range(value_range),
                         seed=seed, data_format=data_format, **kwargs)
        self.factor, chance = keras_factor("factor", factor, 0, 1)
        self._chance = [chance[1], chance[1]] if validation.is_number(factor) else chance
        self.scale, self._scale = keras_factor("scale", scale, 0, 1)
        self.ratio = _positive_pair("ratio", ratio)
        if fill_value is None:
            self.fill_value = None
        elif validation.is_number(fill_value):
            self.fill_value = validation.check_number("fill_value", fill_value,
                                                      *self.value_range)
        else:
            self.fill_value = validation.check_numbers("fill_value", fill_value, None,
                                                       *self.value_range)
        self.num_holes = validation.check_int("num_holes", num_holes, 1, 64)

    def sample_params(self, batch_size, seed):
        """The op's draws (holes as configured) plus ``side`` (``[B]``), the
        factor ``sqrt(strength)`` applied to each hole's sides."""
        erase_seed, flag_seed = tf.unstack(seeds_lib.split(seed, 2))
        params = erase_ops.sample_erase(erase_seed, batch_size, self._scale, self.ratio,
                                        self.num_holes)
        params["side"] = tf.fill([batch_size], tf.sqrt(self.strength_tensor()))
        params["erase"] = keras_apply_flags(self._chance, batch_size, flag_seed)
        return params

    def hole_mask(self, params, height, width):
        """Bool ``[B, H, W]``: the union of the (scaled) holes."""
        mask = None
        side = params.get("side")
        for i in range(params["cy"].shape[1]):
            y0, x0, y1, x1 = erase_ops.erase_boxes(
                height, width, params["area"][:, i], params["log_ratio"][:, i],
                params["cy"][:, i], params["cx"][:, i], self._scale)
            if side is not None:
                y0, y1 = _shrink(y0, y1, side)
                x0, x1 = _shrink(x0, x1, side)
            m = erase_ops.box_mask(height, width, y0, x0, y1, x1)
            mask = m if mask is None else mask | m
        return mask

    def transform(self, data, params):
        images = data["images"]
        if "mask" in params:  # Keras' keys (from_keras_transformation)
            mask = params["mask"] & params["erase"][:, None, None, None]
            out = dict(data)
            out["images"] = tf.where(mask, tf.cast(params["fill"], images.dtype), images)
            return out
        shape = tf.shape(images)
        mask = self.hole_mask(params, shape[1], shape[2]) & params["erase"][:, None, None]
        out = dict(data)
        out["images"] = erase_ops.fill_where(images, mask, self.fill(params, shape))
        return out

    def fill(self, params, shape):
        """The fill in ``[0, 1]`` units: a scalar, ``[1, 1, 1, C]`` or, for
        Keras' noise, ``[H, W, C]`` per sample."""
        if self.fill_value is None:  # Keras: N(0, 1) * high, clipped to the range
            lo, hi = self.value_range
            if hi == 0:
                value = self.to_unit(0.0)
            else:  # (z * hi - lo) / (hi - lo) as one subtraction and one product
                # (no fusable multiply-add: the same bits in and out of XLA)
                z = keyed_normal(params["keys"], shape[1:])
                value = tf.clip_by_value((z - lo / hi) * (hi / (hi - lo)), 0.0, 1.0)
        else:
            value = self.to_unit(tf.constant(self.fill_value, tf.float32))
            if value.shape.rank == 1:  # one value per channel
                value = tf.reshape(value, [1, 1, 1, -1])
        return value

    def keras_transformation(self, params, data):
        """Keras' keys: ``apply_erasing`` (the gate included), ``batch_masks``
        and ``fill_value`` (image-shaped, ``value_range`` units, ``data_format``)."""
        images = data["images"]
        shape = tf.shape(images)
        holes = self.hole_mask(params, shape[1], shape[2])[..., None]
        lo, hi = self.value_range
        fill = tf.broadcast_to(self.fill(params, shape), shape) * (hi - lo) + lo
        return {"apply_erasing": with_gate(params["erase"], params),
                "batch_masks": self.from_channels_last(tf.broadcast_to(holes, shape)),
                "fill_value": self.from_channels_last(fill)}

    def from_keras_transformation(self, transformation, data):
        """tfaug's draws if present, else Keras' keys (see the class docstring)."""
        if "cy" in transformation:
            return transformation
        b = self.batch_size(data)
        mask = tf.cast(tf.convert_to_tensor(transformation["batch_masks"]), tf.bool)
        mask = self.to_channels_last(mask if mask.shape.rank == 4 else mask[None])
        fill = tf.cast(tf.convert_to_tensor(transformation.get("fill_value", 0.0)), tf.float32)
        if fill.shape.rank == 3:  # one image's values
            fill = fill[None]
        if fill.shape.rank == 4:
            fill = self.to_channels_last(fill)
        return {"mask": mask, "fill": self.to_unit(fill),
                "erase": keras_rows(transformation["apply_erasing"], b, tf.bool)}

    keras_batches_images = True  # Keras returns a single image as a batch of one


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
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> grid = tfaug.image.GridMask(ratio=0.5, rotate=15, seed=0)
      >>> out = grid(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"

    def __init__(self, ratio: float = 0.6, d_range: tuple[float, float] = (0.2, 0.5), *,
                 rotate: float = 0.0, fill_value: float = 0.0, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
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
