"""Shared base of the image policies: arguments, the per-sample op steps."""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from tfaug.core import describe as describe_lib
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.core.base import GATE
from tfaug.image.base import ImageAugmentation
from tfaug.image.ops.affine import INTERPOLATIONS
from tfaug.policies import ops as policy_ops


class ImagePolicy(ImageAugmentation):
    """Base of image policies that draw ops per sample.

    A policy takes and returns the image layers' internal form (float32 in
    ``[0, 1]``, whatever the input dtype) and uses the image ops of
    :mod:`tfaug.image.ops`, so it composes with every image layer in any order.
    It takes the 8-bit encoding of the internal form as is (``accepts_levels``):
    on uint8 inputs its steps move 8-bit levels between ops (each op rounds, as
    PIL and torchvision do on uint8 images), a quarter of the memory traffic of
    the per-sample partition and stitch.

    ``strength`` (keyword-only, from the base): every drawn level is multiplied
    by it, and an op without a level (autocontrast, equalize, invert) runs with
    probability ``strength``; 0 is the identity, 1 the policy as published.

    A policy never runs as one XLA program (``auto_compile = False``): under
    XLA every candidate op would run on every image. Called inside
    ``jit_compile=True`` it still works (each op on the whole batch, rows keep
    their own op's result), only slower.

    Args:
      interpolation: ``"bilinear"`` or ``"nearest"``, for geometric ops.
      fill_value: Fill of the area a geometric op uncovers, in
        ``value_range`` units.
      probability: Per-sample chance that the policy applies at all.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.
    """

    auto_compile = False
    strength_scales = "parameters"
    accepts_levels = True

    def __init__(self, *, interpolation: str = "bilinear", fill_value: float = 0.0,
                 probability: float = 1.0, value_range: tuple[float, float] = (0, 255),
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.interpolation = validation.check_choice("interpolation", interpolation,
                                                     INTERPOLATIONS)
        self.fill_value = validation.check_number("fill_value", fill_value)

    @property
    def handles_gate(self):
        # Rows the gate rejects get the identity op: nothing is computed for them.
        return True

    def gated(self, params, op_ids):
        """``op_ids`` ``[B, k]`` with rows outside the gate set to -1 (untouched)."""
        if GATE not in params:
            return op_ids
        return tf.where(params[GATE][:, None], op_ids, -1)

    @staticmethod
    def strength_draw(shape, seed):
        """Uniform ``[0, 1)`` draws deciding which level-free ops run under a
        strength below 1 (derived from ``seed`` without consuming its splits)."""
        return seeds_lib.uniform(shape, seeds_lib.fold_in(seed, 0x5157))

    def effective_steps(self, names, op_ids, level, keep=None):
        """``(op_ids, level)`` as the steps run them: levels scaled by the
        strength, and level-free ops dropped (-1) where ``keep`` (``[B, k]``
        uniform draws, :meth:`strength_draw`) is not below it."""
        strength = self.strength_tensor()
        level = level * strength
        if keep is not None:
            free = tf.constant([n in policy_ops.NO_LEVEL and n != "identity" for n in names])
            is_free = tf.gather(free, tf.maximum(op_ids, 0)) & (op_ids >= 0)
            op_ids = tf.where(is_free & ~(keep < strength), -1, op_ids)
        return op_ids, level

    def steps(self, params):
        """``(names, op_ids, level, sign, space, keep)`` of the drawn steps
        (op ids ``[B, k]`` index ``names``; -1 leaves the sample untouched):
        what :meth:`transform` runs and :meth:`describe_draw` words."""
        raise NotImplementedError

    def _words(self, params, batch):
        names, op_ids, level, sign, space, keep = self.steps(params)
        op_ids, level = (np.asarray(v) for v in self.effective_steps(names, op_ids, level,
                                                                     keep))
        sign = np.asarray(sign, bool)
        out = []
        for b in range(batch):  # a step that leaves the image as it is: "identity"
            out.append(describe_lib.STEP.join(
                policy_ops.describe_op(names[i], level[b, k], sign[b, k], space) if i >= 0
                else "identity" for k, i in enumerate(op_ids[b])) or "identity")
        return out

    def run_steps(self, data, names, op_ids, level, sign, space, keep=None):
        """Applies step ``k`` (column ``k`` of ``op_ids``/``level``/``sign``) in order.

        ``keep`` (``[B, k]`` uniform draws, :meth:`strength_draw`) drops level-free
        ops where it is not below the strength; levels are scaled by it
        (:meth:`effective_steps`).
        """
        op_ids, level = self.effective_steps(names, op_ids, level, keep)
        for k in range(op_ids.shape[1]):
            data = policy_ops.apply_ops(data, names, op_ids[:, k], level[:, k], sign[:, k],
                                        space, self.interpolation,
                                        self.to_unit(self.fill_value))
        return data
