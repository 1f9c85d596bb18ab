"""RandAugment and TrivialAugment (TrivialAugmentWide), drawn per sample."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.policies import ops as policy_ops
from tfaug.policies.base import ImagePolicy

RANDAUGMENT_OPS = ("identity", "autocontrast", "equalize", "rotate", "solarize", "color",
                   "posterize", "contrast", "brightness", "sharpness", "shear_x", "shear_y",
                   "translate_x", "translate_y")
TRIVIALAUGMENT_OPS = ("identity", "shear_x", "shear_y", "translate_x", "translate_y",
                      "rotate", "brightness", "color", "contrast", "sharpness", "posterize",
                      "solarize", "autocontrast", "equalize")


def _ids_for(names, op_ids):
    """Maps indices into ``names`` to indices where identity is -1 (untouched)."""
    table = tf.constant([-1 if n == "identity" else i for i, n in enumerate(names)],
                        tf.int32)
    return tf.gather(table, op_ids)


@registry.register
class RandAugment(ImagePolicy):
    """RandAugment (Cubuk et al., 2020) with ops drawn per sample.

    ``keras.layers.RandAugment``'s arguments, order and defaults, with tfaug's
    ops and per-sample draws: each sample draws ``num_ops`` ops (uniformly,
    with replacement) and each op runs only on the samples that drew it, so a
    step costs about one op. An op at level ``l`` in ``[0, 1]`` uses ``l`` of
    its maximum (torchvision's ranges; see :mod:`tfaug.policies.ops`: rotate 30
    degrees, shear 0.3, translate 150/331 of the size, enhance factors
    1 +- 0.9, posterize 8 -> 4 bits, solarize threshold 1 -> 0). Geometric ops
    move masks and boxes too.

    The level is Keras' ``factor`` (a normalized magnitude): each op of each
    sample draws its level uniformly in ``[lower, upper]`` (a number ``f``
    means ``[0, f]``, as in Keras). The paper's fixed magnitude ``M`` is the
    keyword-only ``magnitude``: every op then uses ``M / (num_magnitude_bins -
    1)`` (``RandAugment(num_ops=2, magnitude=9)`` is torchvision's default).

    Args:
      value_range: ``(low, high)`` of float inputs (default ``(0, 255)``).
      num_ops: Ops applied to each sample, in sequence (``0`` is the identity).
      factor: Keras' normalized magnitude: a number in ``[0, 1]`` (levels drawn
        in ``[0, factor]``) or a pair ``(lower, upper)``. Ignored when
        ``magnitude`` is given.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      seed: Initial seed state.
      data_format: ``"channels_last"`` or ``"channels_first"`` (default: Keras'
        ``image_data_format()``).
      magnitude: Keyword-only. The paper's shared magnitude ``M`` in bins,
        ``0 <= magnitude <= num_magnitude_bins - 1`` (replaces ``factor``).
      magnitude_stddev: Keyword-only. With ``magnitude``: each op of each
        sample draws its magnitude from ``Normal(magnitude, magnitude_stddev)``
        clipped to the bins (timm's "mstd").
      num_magnitude_bins: Keyword-only. Number of magnitude bins (31 as in
        torchvision; the paper used 10 with magnitudes 0-10: use 11 to match).
      ops: Keyword-only. A subset of :data:`RANDAUGMENT_OPS` (plus ``"invert"``)
        to draw from; default all 14.
      fill_value: Keyword-only. Fill of uncovered areas, in ``value_range`` units.
      probability: Keyword-only. Per-sample chance that the policy applies.
      strength: Keyword-only. Scales every level (a variable: 0 = identity,
        no retrace when it changes).

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (``[B, C, H, W]`` in ``channels_first``),
      any integer or float dtype, or a dict with ``images`` and optional
      ``labels``, ``masks``/``segmentation_masks``, ``boxes``/``bounding_boxes``.

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> aug = tfaug.policies.RandAugment(num_ops=2, magnitude=9, seed=0)
      >>> out = aug(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
      >>> aug.set_strength(0.5)  # half the levels from the next batch on, no retrace
    """

    def __init__(self, value_range: tuple[float, float] = (0, 255), num_ops: int = 2,
                 factor: float | tuple[float, float] = 0.5, interpolation: str = "bilinear",
                 seed: int | None = None, data_format: str | None = None, *,
                 magnitude: float | None = None, magnitude_stddev: float = 0.0,
                 num_magnitude_bins: int = 31, ops: Sequence[str] | None = None,
                 fill_value: float = 0.0, probability: float = 1.0, **kwargs: Any) -> None:
        super().__init__(interpolation=interpolation, fill_value=fill_value,
                         probability=probability, value_range=value_range, seed=seed,
                         data_format=data_format, **kwargs)
        self.num_ops = validation.check_int("num_ops", num_ops, 0, 16)
        self._levels = validation.check_keras_factor("factor", factor)  # [lower, upper]
        self.factor = float(factor) if validation.is_number(factor) else self._levels
        self.num_magnitude_bins = validation.check_int("num_magnitude_bins",
                                                       num_magnitude_bins, 2)
        self.magnitude = None if magnitude is None else validation.check_number(
            "magnitude", magnitude, 0.0, self.num_magnitude_bins - 1)
        self.magnitude_stddev = validation.check_number("magnitude_stddev",
                                                        magnitude_stddev, 0.0)
        if self.magnitude_stddev > 0 and self.magnitude is None:
            raise validation.ArgumentError(
                "magnitude_stddev", magnitude_stddev, "0 unless `magnitude` is given",
                "`magnitude_stddev` spreads the paper's `magnitude` M; give `magnitude` "
                f"too (or a `factor` pair for a uniform spread), got {magnitude_stddev!r}.")
        self.ops = None if ops is None else policy_ops.check_ops(
            "ops", ops, RANDAUGMENT_OPS + ("invert",))
        self._names = tuple(self.ops or RANDAUGMENT_OPS)

    def sample_params(self, batch_size, seed):
        op_seed, mag_seed, sign_seed = tf.unstack(seeds_lib.split(seed, 3))
        shape = [batch_size, self.num_ops]
        choice = seeds_lib.uniform(shape, op_seed, 0, len(self._names), dtype=tf.int32)
        if self.magnitude is None:
            level = seeds_lib.uniform(shape, mag_seed, *self._levels)
        else:
            top = float(self.num_magnitude_bins - 1)
            m = tf.fill(shape, tf.constant(self.magnitude, tf.float32))
            if self.magnitude_stddev > 0:
                m = tf.clip_by_value(
                    seeds_lib.normal(shape, mag_seed, m, self.magnitude_stddev), 0.0, top)
            level = m * (1.0 / top)
        return {"ops": choice, "level": level,
                "sign": seeds_lib.bernoulli(shape, sign_seed, 0.5),
                "keep": self.strength_draw(shape, seed)}

    def keras_transformation(self, params, data):
        # Keras' name for the drawn op indices, [B, num_ops] here (per sample).
        return {"layer_idxes": params["ops"]}

    def steps(self, params):
        return (self._names, _ids_for(self._names, params["ops"]), params["level"],
                params["sign"], policy_ops.RANDAUGMENT, params["keep"])

    def transform(self, data, params):
        if self.num_ops == 0:
            return data
        names, op_ids, level, sign, space, keep = self.steps(params)
        return self.run_steps(data, names, self.gated(params, op_ids), level, sign, space,
                              keep)


@registry.register
class TrivialAugment(ImagePolicy):
    """TrivialAugmentWide (Mueller & Hutter, 2021): one op per sample, uniform level.

    Each sample draws one of 14 ops (:data:`TRIVIALAUGMENT_OPS`) and a magnitude
    bin uniformly from ``num_magnitude_bins``; ops use the "wide" ranges
    (rotate 135 degrees, shear 0.99, translate 32 px, enhance factors
    1 +- 0.99, posterize 8 -> 2 bits, solarize threshold 1 -> 0).

    Args:
      num_magnitude_bins: Number of magnitude bins (31).
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_value: Fill of uncovered areas, in ``value_range`` units.
      probability: Per-sample chance that the policy applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (``[B, C, H, W]`` in ``channels_first``),
      any integer or float dtype, or a dict with ``images`` and optional
      ``labels``, ``masks``/``segmentation_masks``, ``boxes``/``bounding_boxes``.

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> aug = tfaug.policies.TrivialAugment(seed=0)
      >>> out = aug(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    def __init__(self, num_magnitude_bins: int = 31, *, interpolation: str = "bilinear",
                 fill_value: float = 0.0, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(interpolation=interpolation, fill_value=fill_value,
                         probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.num_magnitude_bins = validation.check_int("num_magnitude_bins",
                                                       num_magnitude_bins, 2)

    def sample_params(self, batch_size, seed):
        op_seed, mag_seed, sign_seed = tf.unstack(seeds_lib.split(seed, 3))
        shape = [batch_size, 1]
        bins = self.num_magnitude_bins
        choice = seeds_lib.uniform(shape, op_seed, 0, len(TRIVIALAUGMENT_OPS), dtype=tf.int32)
        b = seeds_lib.uniform(shape, mag_seed, 0, bins, dtype=tf.int32)
        level = tf.cast(b, tf.float32) * (1.0 / (bins - 1))
        return {"ops": choice, "level": level,
                "sign": seeds_lib.bernoulli(shape, sign_seed, 0.5),
                "keep": self.strength_draw(shape, seed)}

    def steps(self, params):
        return (TRIVIALAUGMENT_OPS, _ids_for(TRIVIALAUGMENT_OPS, params["ops"]),
                params["level"], params["sign"], policy_ops.WIDE, params["keep"])

    def transform(self, data, params):
        names, op_ids, level, sign, space, keep = self.steps(params)
        return self.run_steps(data, names, self.gated(params, op_ids), level, sign, space,
                              keep)
