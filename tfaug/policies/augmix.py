"""AugMix (Hendrycks et al., 2020) with chains and weights drawn per sample in-graph."""

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.core.base import GATE
from tfaug.policies import ops as policy_ops
from tfaug.policies.base import ImagePolicy

AUGMIX_OPS = ("autocontrast", "equalize", "posterize", "rotate", "solarize", "shear_x",
              "shear_y", "translate_x", "translate_y")
AUGMIX_ALL_OPS = AUGMIX_OPS + ("color", "contrast", "brightness", "sharpness")
MAX_DEPTH = 3


@registry.register
class AugMix(ImagePolicy):
    """AugMix: a convex mix of ``width`` augmentation chains and the image itself.

    For each sample (all drawn in the graph, at run time, per sample):
    ``width`` chains, each of ``depth`` ops (``depth=-1``: 1 to 3, drawn per
    chain); op and level per step; chain weights ``w ~ Dirichlet(alpha)``
    and a skip weight ``m ~ Beta(alpha, alpha)``; the output is
    ``m * image + (1 - m) * sum_i w_i * chain_i(image)``. Levels are uniform in
    ``[0.1, 1] * severity / 10`` of the ranges in :mod:`tfaug.policies.ops`
    (AUGMIX space: rotate 30 degrees, shear 0.3, translate a third of the size,
    posterize 4 -> 1 bits, solarize threshold 1 -> 0, enhance 1 +- 0.9).

    Chains move pixels differently, so masks and boxes cannot follow: AugMix
    takes images (and labels, passed through) only.

    ``strength`` (keyword-only, from the base) blends the result with the
    image: ``image + strength * (augmix(image) - image)``; 0 is the identity, 1
    the paper's AugMix.

    Args:
      severity: The paper's severity in ``[0, 10]``: levels are uniform in
        ``[0.1, 1] * severity / 10``.
      width: Number of chains (>= 1).
      depth: Ops per chain (1-3), or -1 to draw it per chain and sample.
      alpha: Dirichlet and Beta concentration (> 0).
      all_ops: Include brightness, color, contrast and sharpness (torchvision's
        default); False keeps the paper's ops, which avoid overlap with the
        ImageNet-C corruptions.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_value: Fill of uncovered areas, in ``value_range`` units.
      probability: Per-sample chance that the policy applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Example:
      >>> aug = tfaug.policies.AugMix(severity=3, width=3, seed=0)
      >>> out = aug(images, training=True)
    """

    def __init__(self, severity=3, width=3, depth=-1, alpha=1.0, all_ops=True,
                 interpolation="bilinear", fill_value=0.0, probability=1.0,
                 value_range=(0, 255), seed=None, **kwargs):
        super().__init__(interpolation=interpolation, fill_value=fill_value,
                         probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.severity = validation.check_number("severity", severity, 0.0, 10.0)
        self.width = validation.check_int("width", width, 1, 16)
        if depth != -1:
            validation.check_int("depth", depth, 1, MAX_DEPTH)
        self.depth = int(depth)
        self.alpha = validation.check_number("alpha", alpha, 0.0, low_inclusive=False)
        self.all_ops = validation.check_bool("all_ops", all_ops)
        self._names = AUGMIX_ALL_OPS if all_ops else AUGMIX_OPS

    accepts_levels = False  # the chains are mixed in floats

    def chain(self, data, op_ids, level, sign):
        """One chain's steps at the drawn levels (the strength acts on the mix)."""
        for k in range(op_ids.shape[1]):
            data = policy_ops.apply_ops(data, self._names, op_ids[:, k], level[:, k],
                                        sign[:, k], policy_ops.AUGMIX, self.interpolation,
                                        self.to_unit(self.fill_value))
        return data

    def standardize(self, inputs):
        data, spec = super().standardize(inputs)
        extra = sorted(set(data) & {"masks", "boxes"})
        if extra:
            raise ValueError(f"AugMix mixes differently warped copies of each image, so "
                             f"{extra} cannot follow; pass images (and labels) only.")
        return data, spec

    def sample_params(self, batch_size, seed):
        s = tf.unstack(seeds_lib.split(seed, 6))
        steps = self.width * MAX_DEPTH
        ops = seeds_lib.uniform([batch_size, steps], s[0], 0, len(self._names), dtype=tf.int32)
        if self.depth > 0:
            depth = tf.fill([batch_size, self.width], self.depth)
        else:
            depth = seeds_lib.uniform([batch_size, self.width], s[1], 1, MAX_DEPTH + 1,
                                      dtype=tf.int32)
        step = tf.tile(tf.range(MAX_DEPTH)[None, None], [batch_size, self.width, 1])
        active = tf.reshape(step < depth[:, :, None], [batch_size, steps])
        level = seeds_lib.uniform([batch_size, steps], s[2], 0.1, 1.0) * (
            self.severity * 0.1)
        gammas = seeds_lib.gamma([batch_size, self.width + 2], s[3], self.alpha)
        weights = gammas[:, :self.width] / tf.reduce_sum(gammas[:, :self.width], 1,
                                                         keepdims=True)
        skip = gammas[:, self.width] / (gammas[:, self.width] + gammas[:, self.width + 1])
        return {"ops": tf.where(active, ops, -1), "level": level,
                "sign": seeds_lib.bernoulli([batch_size, steps], s[4], 0.5),
                "weights": weights, "skip": skip}

    def transform(self, data, params):
        images = data["images"]
        ops = self.gated(params, params["ops"])
        mixed = tf.zeros(tf.shape(images), tf.float32)
        for i in range(self.width):
            cols = slice(i * MAX_DEPTH, (i + 1) * MAX_DEPTH)
            chain = self.chain({"images": images}, ops[:, cols], params["level"][:, cols],
                               params["sign"][:, cols])["images"]
            mixed += params["weights"][:, i, None, None, None] * chain
        m = params["skip"][:, None, None, None]
        out = m * images + (1.0 - m) * mixed
        out = images + self.strength_tensor() * (out - images)
        if GATE in params:
            out = tf.where(params[GATE][:, None, None, None], out, images)
        return {**data, "images": out}
