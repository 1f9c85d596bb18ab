"""AutoAugment (Cubuk et al., 2019): the published sub-policies, one drawn per sample."""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from tfaug.core import describe as describe_lib
from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.policies import ops as policy_ops
from tfaug.policies.base import ImagePolicy

# Each sub-policy is two (op, probability, magnitude bin 0-9 or None) steps, as
# published in the paper's appendix (ImageNet, CIFAR-10 and SVHN policies).
POLICIES = {
    "imagenet": [
        (("posterize", 0.4, 8), ("rotate", 0.6, 9)),
        (("solarize", 0.6, 5), ("autocontrast", 0.6, None)),
        (("equalize", 0.8, None), ("equalize", 0.6, None)),
        (("posterize", 0.6, 7), ("posterize", 0.6, 6)),
        (("equalize", 0.4, None), ("solarize", 0.2, 4)),
        (("equalize", 0.4, None), ("rotate", 0.8, 8)),
        (("solarize", 0.6, 3), ("equalize", 0.6, None)),
        (("posterize", 0.8, 5), ("equalize", 1.0, None)),
        (("rotate", 0.2, 3), ("solarize", 0.6, 8)),
        (("equalize", 0.6, None), ("posterize", 0.4, 6)),
        (("rotate", 0.8, 8), ("color", 0.4, 0)),
        (("rotate", 0.4, 9), ("equalize", 0.6, None)),
        (("equalize", 0.0, None), ("equalize", 0.8, None)),
        (("invert", 0.6, None), ("equalize", 1.0, None)),
        (("color", 0.6, 4), ("contrast", 1.0, 8)),
        (("rotate", 0.8, 8), ("color", 1.0, 2)),
        (("color", 0.8, 8), ("solarize", 0.8, 7)),
        (("sharpness", 0.4, 7), ("invert", 0.6, None)),
        (("shear_x", 0.6, 5), ("equalize", 1.0, None)),
        (("color", 0.4, 0), ("equalize", 0.6, None)),
        (("equalize", 0.4, None), ("solarize", 0.2, 4)),
        (("solarize", 0.6, 5), ("autocontrast", 0.6, None)),
        (("invert", 0.6, None), ("equalize", 1.0, None)),
        (("color", 0.6, 4), ("contrast", 1.0, 8)),
        (("equalize", 0.8, None), ("equalize", 0.6, None)),
    ],
    "cifar10": [
        (("invert", 0.1, None), ("contrast", 0.2, 6)),
        (("rotate", 0.7, 2), ("translate_x", 0.3, 9)),
        (("sharpness", 0.8, 1), ("sharpness", 0.9, 3)),
        (("shear_y", 0.5, 8), ("translate_y", 0.7, 9)),
        (("autocontrast", 0.5, None), ("equalize", 0.9, None)),
        (("shear_y", 0.2, 7), ("posterize", 0.3, 7)),
        (("color", 0.4, 3), ("brightness", 0.6, 7)),
        (("sharpness", 0.3, 9), ("brightness", 0.7, 9)),
        (("equalize", 0.6, None), ("equalize", 0.5, None)),
        (("contrast", 0.6, 7), ("sharpness", 0.6, 5)),
        (("color", 0.7, 7), ("translate_x", 0.5, 8)),
        (("equalize", 0.3, None), ("autocontrast", 0.4, None)),
        (("translate_y", 0.4, 3), ("sharpness", 0.2, 6)),
        (("brightness", 0.9, 6), ("color", 0.2, 8)),
        (("solarize", 0.5, 2), ("invert", 0.0, None)),
        (("equalize", 0.2, None), ("autocontrast", 0.6, None)),
        (("equalize", 0.2, None), ("equalize", 0.6, None)),
        (("color", 0.9, 9), ("equalize", 0.6, None)),
        (("autocontrast", 0.8, None), ("solarize", 0.2, 8)),
        (("brightness", 0.1, 3), ("color", 0.7, 0)),
        (("solarize", 0.4, 5), ("autocontrast", 0.9, None)),
        (("translate_y", 0.9, 9), ("translate_y", 0.7, 9)),
        (("autocontrast", 0.9, None), ("solarize", 0.8, 3)),
        (("equalize", 0.8, None), ("invert", 0.1, None)),
        (("translate_y", 0.7, 9), ("autocontrast", 0.9, None)),
    ],
    "svhn": [
        (("shear_x", 0.9, 4), ("invert", 0.2, None)),
        (("shear_y", 0.9, 8), ("invert", 0.7, None)),
        (("equalize", 0.6, None), ("solarize", 0.6, 6)),
        (("invert", 0.9, None), ("equalize", 0.6, None)),
        (("equalize", 0.6, None), ("rotate", 0.9, 3)),
        (("shear_x", 0.9, 4), ("autocontrast", 0.8, None)),
        (("shear_y", 0.9, 8), ("invert", 0.4, None)),
        (("shear_y", 0.9, 5), ("solarize", 0.2, 6)),
        (("invert", 0.9, None), ("autocontrast", 0.8, None)),
        (("equalize", 0.6, None), ("rotate", 0.9, 3)),
        (("shear_x", 0.9, 4), ("solarize", 0.3, 3)),
        (("shear_y", 0.8, 8), ("invert", 0.7, None)),
        (("equalize", 0.9, None), ("translate_y", 0.6, 6)),
        (("invert", 0.9, None), ("equalize", 0.6, None)),
        (("contrast", 0.3, 3), ("rotate", 0.8, 4)),
        (("invert", 0.8, None), ("translate_y", 0.0, 2)),
        (("shear_y", 0.7, 6), ("solarize", 0.4, 8)),
        (("invert", 0.6, None), ("rotate", 0.8, 4)),
        (("shear_y", 0.3, 7), ("translate_x", 0.9, 3)),
        (("shear_x", 0.1, 6), ("invert", 0.6, None)),
        (("solarize", 0.7, 2), ("translate_y", 0.6, 7)),
        (("shear_y", 0.8, 4), ("invert", 0.8, None)),
        (("shear_x", 0.7, 9), ("translate_y", 0.8, 3)),
        (("shear_y", 0.8, 5), ("autocontrast", 0.7, None)),
        (("shear_x", 0.7, 2), ("invert", 0.1, None)),
    ],
}
NUM_BINS = 10
AUTOAUGMENT_OPS = tuple(n for n in policy_ops.OPS if n != "identity")


def _tables(policy):
    """``(op ids, probabilities, levels)``, each ``[num_subpolicies, 2]``."""
    ids, probs, levels = [], [], []
    for sub in POLICIES[policy]:
        ids.append([AUTOAUGMENT_OPS.index(op) for op, _, _ in sub])
        probs.append([p for _, p, _ in sub])
        levels.append([0.0 if b is None else b / (NUM_BINS - 1) for _, _, b in sub])
    return ids, probs, levels


@registry.register
class AutoAugment(ImagePolicy):
    """AutoAugment with the sub-policies learned on ImageNet, CIFAR-10 or SVHN.

    Each sample draws one of the policy's 25 sub-policies; each of its two ops
    applies with its own probability at its published magnitude (bin ``b`` of
    10 is level ``b / 9`` of the ranges in :mod:`tfaug.policies.ops`:
    rotate 30 degrees, shear 0.3, translate 150/331 of the size, enhance
    1 +- 0.9, posterize 8 -> 4 bits, solarize threshold 1 -> 0); signed ops
    take a random sign. Ops run only on the samples that drew them.

    Args:
      policy: ``"imagenet"``, ``"cifar10"`` or ``"svhn"``.
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
      >>> aug = tfaug.policies.AutoAugment("cifar10", seed=0)
      >>> out = aug(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    def __init__(self, policy: str = "imagenet", *, interpolation: str = "bilinear",
                 fill_value: float = 0.0, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(interpolation=interpolation, fill_value=fill_value,
                         probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.policy = validation.check_choice("policy", policy, tuple(POLICIES))
        self._ids, self._probs, self._levels = _tables(self.policy)

    def sample_params(self, batch_size, seed):
        sub_seed, p_seed, sign_seed = tf.unstack(seeds_lib.split(seed, 3))
        sub = seeds_lib.uniform([batch_size], sub_seed, 0, len(self._ids), dtype=tf.int32)
        applies = seeds_lib.uniform([batch_size, 2], p_seed) < tf.gather(
            tf.constant(self._probs, tf.float32), sub)
        return {"subpolicy": sub, "applies": applies,
                "sign": seeds_lib.bernoulli([batch_size, 2], sign_seed, 0.5),
                "keep": self.strength_draw([batch_size, 2], seed)}

    def steps(self, params):
        sub = params["subpolicy"]
        op_ids = tf.where(params["applies"], tf.gather(tf.constant(self._ids, tf.int32), sub),
                          -1)
        level = tf.gather(tf.constant(self._levels, tf.float32), sub)
        return (AUTOAUGMENT_OPS, op_ids, level, params["sign"], policy_ops.RANDAUGMENT,
                params["keep"])

    def transform(self, data, params):
        names, op_ids, level, sign, space, keep = self.steps(params)
        return self.run_steps(data, names, self.gated(params, op_ids), level, sign, space,
                              keep)

    def _words(self, params, batch):
        subs = np.asarray(params["subpolicy"]).reshape(-1)
        # A step whose op did not draw its probability is an "identity".
        return [f"sub-policy {int(s)}{describe_lib.STEP}{w}"
                for s, w in zip(subs, super()._words(params, batch))]
