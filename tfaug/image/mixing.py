"""Sample-mixing layers: MixUp and CutMix.

Both mix each sample with a partner row of the same batch and rewrite the
labels (``changes_labels = True``): they honour ``params["gate"]`` themselves,
leaving a gated-off row untouched (its own weight is 1).

Labels:
  * integer class indices (``[B]`` or ``[B, 1]``) are one-hot encoded with
    ``num_classes`` (required then);
  * other labels (one-hot, soft, multi-hot ``[B, K]``; integer multi-hot is
    cast) are mixed as given;
  * output labels are always float32.

The partner of each row is ``argsort(keys)`` of per-sample random keys, a
permutation of the rows present, so the layers also work on the gathered
subsets a ``OneOf``/``SomeOf``/``RandomApply`` hands them (there, pass one-hot
labels: a branch may not change the labels' dtype).

Strength: both take the keyword-only ``strength`` of the base class, a scale
``>= 0`` held in a variable (``set_strength`` changes the next batch without a
retrace), and scale their parameter by it (``strength_scales = "parameters"``).
The drawn weight of each sample's own image moves toward 1 ("keep own image"):
``lam' = 1 - m (1 - lam)`` at strength ``m``, clamped to ``[0, 1]``. 1 is the layer as configured
(bitwise), 0 leaves images and labels untouched (labels still come back as
float32); images and labels always use the same scaled weight.
"""

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.core.base import GATE
from tfaug.core.mixing import soft_labels
from tfaug.image.base import ImageAugmentation
from tfaug.image.ops import affine
from tfaug.image.ops import mix as mix_ops


class _Mixing(ImageAugmentation):
    """Shared arguments and partner/label plumbing of MixUp and CutMix."""

    changes_labels = True
    strength_scales = "parameters"

    def __init__(self, alpha, num_classes=None, probability=1.0,
                 value_range=(0, 255), seed=None, **kwargs):
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.alpha = validation.check_number("alpha", alpha, 0.0, low_inclusive=False)
        self.num_classes = (None if num_classes is None
                            else validation.check_int("num_classes", num_classes, 1))

    def _draw(self, batch_size, seed):
        lam_seed, key_seed = tf.unstack(seeds_lib.split(seed, 2))
        m = self.strength_tensor()
        lam = mix_ops.sample_beta(lam_seed, batch_size, self.alpha) * m + (1.0 - m)
        return {"lam": tf.clip_by_value(lam, 0.0, 1.0),
                "keys": seeds_lib.uniform([batch_size], key_seed)}

    def _finish(self, data, out, partner, weight):
        if "labels" in data:
            labels = soft_labels(data["labels"], self.num_classes, type(self).__name__)
            out["labels"] = mix_ops.mix_labels(labels, partner, weight)
        return out


@registry.register
class MixUp(_Mixing):
    """MixUp: ``x = lam * x_i + (1 - lam) * x_j`` with ``lam ~ Beta(alpha, alpha)``
    per sample and a random partner ``j`` from the same batch.

    Labels are mixed with the same ``lam``. Masks are not mixed: each image
    keeps its own mask (a blend of two segmentations has no hard mask), and
    boxes are returned unchanged (the partner's objects are faint ghosts, not
    targets). See the module docstring for label handling.

    Args:
      alpha: Beta concentration (> 0); small values keep ``lam`` near 0 or 1.
      num_classes: Number of classes, required for integer class labels.
      strength: Keyword-only scale ``>= 0`` (a variable): the drawn own-image
        weight becomes ``lam' = 1 - strength (1 - lam)`` (clamped to ``[0, 1]``);
        1 is as configured, 0 the identity.
      probability: Per-sample chance that a sample is mixed (a sample not
        drawn is left untouched, yet may serve as another sample's partner).
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict with ``images`` and
      optionally ``labels``, ``masks``, ``boxes``.

    Example:
      >>> mixup = tfaug.image.MixUp(alpha=0.2, num_classes=10, seed=0)
      >>> out = mixup({"images": images, "labels": labels}, training=True)
    """

    def __init__(self, alpha=0.2, num_classes=None, probability=1.0,
                 value_range=(0, 255), seed=None, **kwargs):
        super().__init__(alpha, num_classes=num_classes,
                         probability=probability, value_range=value_range, seed=seed,
                         **kwargs)

    def sample_params(self, batch_size, seed):
        return self._draw(batch_size, seed)

    def transform(self, data, params):
        lam = params["lam"]
        if GATE in params:
            lam = tf.where(params[GATE], lam, tf.ones_like(lam))
        partner = mix_ops.partners(params["keys"])
        out = dict(data)
        out["images"] = mix_ops.mixup(data["images"], partner, lam)
        return self._finish(data, out, partner, lam)


@registry.register
class CutMix(_Mixing):
    """CutMix: pastes a rectangle of a random partner image into each image.

    Per sample ``lam ~ Beta(alpha, alpha)``; the rectangle has sides
    ``sqrt(1 - lam)`` times the image's and a uniform centre, and is clipped to
    the image. The label weight of the partner is the true pasted pixel
    fraction after clipping (not ``1 - lam``). Masks follow the pixels: the
    pasted region takes the partner's mask. Boxes keep their shape: own boxes
    that the patch covers entirely are flagged (all ``-1``), the partner's
    boxes are not added.

    Args:
      alpha: Beta concentration (> 0); 1 draws ``lam`` uniformly.
      num_classes: Number of classes, required for integer class labels.
      strength: Keyword-only scale ``>= 0`` (a variable): the drawn own-image
        weight becomes ``lam' = 1 - strength (1 - lam)`` (clamped to ``[0, 1]``),
        so the patch area shrinks with it;
        1 is as configured, 0 the identity.
      probability: Per-sample chance that a sample receives a patch.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict with ``images`` and
      optionally ``labels``, ``masks``, ``boxes``.

    Example:
      >>> cutmix = tfaug.image.CutMix(alpha=1.0, num_classes=10, seed=0)
      >>> out = cutmix({"images": images, "labels": labels}, training=True)
    """

    def __init__(self, alpha=1.0, num_classes=None, probability=1.0,
                 value_range=(0, 255), seed=None, **kwargs):
        super().__init__(alpha, num_classes=num_classes,
                         probability=probability, value_range=value_range, seed=seed,
                         **kwargs)

    def sample_params(self, batch_size, seed):
        draw_seed, centre_seed = tf.unstack(seeds_lib.split(seed, 2))
        params = self._draw(batch_size, draw_seed)
        cy, cx = tf.unstack(seeds_lib.uniform([2, batch_size], centre_seed))
        params.update(cy=cy, cx=cx)
        return params

    def transform(self, data, params):
        images = data["images"]
        shape = tf.shape(images)
        y0, x0, y1, x1 = mix_ops.cutmix_boxes(shape[1], shape[2], params["lam"],
                                              params["cy"], params["cx"])
        if GATE in params:  # an empty rectangle leaves the row untouched
            y1 = tf.where(params[GATE], y1, y0)
        box = (y0, x0, y1, x1)
        partner = mix_ops.partners(params["keys"])
        out = dict(data)
        out["images"], weight = mix_ops.cutmix(images, partner, box)
        if "masks" in data:
            mask = mix_ops.box_mask(shape[1], shape[2], *box)
            out["masks"] = mix_ops.paste(data["masks"], partner, mask)
        if "boxes" in data:
            covered = mix_ops.covered_boxes(data["boxes"], box)
            out["boxes"] = tf.where(covered[..., None], tf.constant(affine.INVALID_BOX),
                                    data["boxes"])
        return self._finish(data, out, partner, weight)
