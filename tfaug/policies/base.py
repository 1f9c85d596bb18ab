"""Shared base of the image policies: arguments, the per-sample op steps."""

import tensorflow as tf

from tfaug.core import validation
from tfaug.core.base import GATE
from tfaug.image.base import ImageAugmentation
from tfaug.image.ops.affine import INTERPOLATIONS
from tfaug.policies import ops as policy_ops


class ImagePolicy(ImageAugmentation):
    """Base of image policies that draw ops per sample.

    uint8 images stay uint8 between ops (each op rounds to 8-bit levels, as
    PIL and torchvision do on uint8 images): a quarter of the memory traffic
    when the batch is partitioned and stitched at every step.

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
    magnitude_attr = "magnitude"
    keeps_uint8 = True

    def __init__(self, interpolation="bilinear", fill_value=0.0, probability=1.0,
                 value_range=(0, 255), seed=None, **kwargs):
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

    def run_steps(self, data, names, op_ids, level, sign, space):
        """Applies step ``k`` (column ``k`` of ``op_ids``/``level``/``sign``) in order."""
        for k in range(op_ids.shape[1]):
            data = policy_ops.apply_ops(data, names, op_ids[:, k], level[:, k], sign[:, k],
                                        space, self.interpolation,
                                        self.to_unit(self.fill_value))
        return data
