"""AugMix (Hendrycks et al., 2020) with chains and weights drawn per sample in-graph."""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from tfaug.core import describe as describe_lib
from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.core.base import GATE
from tfaug.policies import ops as policy_ops
from tfaug.policies.base import ImagePolicy

AUGMIX_OPS = ("autocontrast", "equalize", "posterize", "rotate", "solarize", "shear_x",
              "shear_y", "translate_x", "translate_y")
AUGMIX_ALL_OPS = AUGMIX_OPS + ("color", "contrast", "brightness", "sharpness")
MAX_DEPTH = 8


@registry.register
class AugMix(ImagePolicy):
    """AugMix: a convex mix of ``num_chains`` augmentation chains and the image.

    ``keras.layers.AugMix``'s arguments, order and defaults, drawn per sample
    in the graph: for each sample, ``num_chains`` chains of 1 to
    ``chain_depth`` ops (the depth drawn per chain, as in the paper), an op and
    a level per step; chain weights ``w ~ Dirichlet(alpha)`` and a skip
    weight ``m ~ Beta(alpha, alpha)``; the output is ``m * image + (1 - m) *
    sum_i w_i * chain_i(image)``. Levels are uniform in ``[0.1 f, f]`` for a
    ``factor`` ``f`` (the paper's ``[0.1, 1] * severity / 10``), or in
    ``[lower, upper]`` for a pair, of the ranges in :mod:`tfaug.policies.ops`
    (AUGMIX space: rotate 30 degrees, shear 0.3, translate a third of the
    size, posterize 4 -> 1 bits, solarize threshold 1 -> 0, enhance 1 +- 0.9).

    Chains move pixels differently, so masks and boxes cannot follow: AugMix
    takes images (and labels, passed through) only.

    ``strength`` (keyword-only, from the base) blends the result with the
    image: ``image + strength * (augmix(image) - image)``; 0 is the identity, 1
    the paper's AugMix.

    Args:
      value_range: ``(low, high)`` of float inputs.
      num_chains: Number of chains (1-16; the paper's width).
      chain_depth: Largest number of ops in a chain (1-8; each chain draws its
        depth uniformly in ``[1, chain_depth]``).
      factor: Normalized severity: a number in ``[0, 1]`` (``severity / 10``)
        or a pair ``(lower, upper)`` of levels.
      alpha: Dirichlet and Beta concentration (> 0).
      all_ops: Include brightness, color, contrast and sharpness (torchvision's
        default); False keeps the paper's ops, which avoid overlap with the
        ImageNet-C corruptions.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      seed: Initial seed state.
      data_format: ``"channels_last"`` or ``"channels_first"``.
      severity: Keyword-only. The paper's severity in ``[0, 10]``; replaces
        ``factor`` (``severity=3`` is ``factor=0.3``).
      fill_value: Keyword-only. Fill of uncovered areas, in ``value_range`` units.
      probability: Keyword-only. Per-sample chance that the policy applies.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (``[B, C, H, W]`` in ``channels_first``),
      any integer or float dtype, or a dict with ``images`` and optional
      ``labels`` (passed through); masks and boxes are refused.

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> aug = tfaug.policies.AugMix(num_chains=3, severity=3, seed=0)
      >>> out = aug(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    def __init__(self, value_range: tuple[float, float] = (0, 255), num_chains: int = 3,
                 chain_depth: int = 3, factor: float | tuple[float, float] = 0.3,
                 alpha: float = 1.0, all_ops: bool = True, interpolation: str = "bilinear",
                 seed: int | None = None, data_format: str | None = None, *,
                 severity: float | None = None, fill_value: float = 0.0, probability: float = 1.0,
                 **kwargs: Any) -> None:
        super().__init__(interpolation=interpolation, fill_value=fill_value,
                         probability=probability, value_range=value_range, seed=seed,
                         data_format=data_format, **kwargs)
        self.num_chains = validation.check_int("num_chains", num_chains, 1, 16)
        self.chain_depth = validation.check_int("chain_depth", chain_depth, 1, MAX_DEPTH)
        pair = validation.check_keras_factor("factor", factor)
        self.factor = float(factor) if validation.is_number(factor) else pair
        self.severity = None if severity is None else validation.check_number(
            "severity", severity, 0.0, 10.0)
        if self.severity is not None:
            pair = [0.0, self.severity * 0.1]
        if validation.is_number(factor) or self.severity is not None:
            pair = [0.1 * pair[1], pair[1]]  # the paper's [0.1, 1] * severity / 10
        self._levels = pair
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
        chains, most = self.num_chains, self.chain_depth
        steps = chains * most
        ops = seeds_lib.uniform([batch_size, steps], s[0], 0, len(self._names), dtype=tf.int32)
        depth = seeds_lib.uniform([batch_size, chains], s[1], 1, most + 1, dtype=tf.int32)
        step = tf.tile(tf.range(most)[None, None], [batch_size, chains, 1])
        active = tf.reshape(step < depth[:, :, None], [batch_size, steps])
        level = seeds_lib.uniform([batch_size, steps], s[2], *self._levels)
        gammas = seeds_lib.gamma([batch_size, chains + 2], s[3], self.alpha)
        weights = gammas[:, :chains] / tf.reduce_sum(gammas[:, :chains], 1, keepdims=True)
        skip = gammas[:, chains] / (gammas[:, chains] + gammas[:, chains + 1])
        return {"ops": tf.where(active, ops, -1), "level": level,
                "sign": seeds_lib.bernoulli([batch_size, steps], s[4], 0.5),
                "weights": weights, "skip": skip}

    def _words(self, params, batch):
        ops, level = np.asarray(params["ops"]), np.asarray(params["level"])
        sign, weights = np.asarray(params["sign"], bool), np.asarray(params["weights"])
        skip, depth = np.asarray(params["skip"]), self.chain_depth
        out = []
        for b in range(batch):
            chains = []
            for i in range(self.num_chains):
                steps = [policy_ops.describe_op(self._names[ops[b, k]], level[b, k],
                                                sign[b, k], policy_ops.AUGMIX)
                         for k in range(i * depth, (i + 1) * depth) if ops[b, k] >= 0]
                chains.append(f"chain {i} (w={weights[b, i]:.2f}): " + ", ".join(steps))
            chains.append(f"original weight {skip[b]:.2f}")
            if self.get_strength() != 1.0:  # the result is blended with the image
                chains.append(f"strength {self.get_strength():.2f}")
            out.append(describe_lib.STEP.join(chains))
        return out

    def transform(self, data, params):
        images = data["images"]
        ops = self.gated(params, params["ops"])
        mixed = tf.zeros(tf.shape(images), tf.float32)
        for i in range(self.num_chains):
            cols = slice(i * self.chain_depth, (i + 1) * self.chain_depth)
            chain = self.chain({"images": images}, ops[:, cols], params["level"][:, cols],
                               params["sign"][:, cols])["images"]
            mixed += params["weights"][:, i, None, None, None] * chain
        m = params["skip"][:, None, None, None]
        out = m * images + (1.0 - m) * mixed
        out = images + self.strength_tensor() * (out - images)
        if GATE in params:
            out = tf.where(params[GATE][:, None, None, None], out, images)
        return {**data, "images": out}
