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

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.core.base import GATE
from tfaug.core.mixing import soft_labels
from tfaug.image.base import ImageAugmentation
from tfaug.image.keras_args import keras_factor, keras_rows
from tfaug.image.ops import affine
from tfaug.image.ops import mix as mix_ops


class _Mixing(ImageAugmentation):
    """Shared arguments and partner/label plumbing of MixUp and CutMix."""

    changes_labels = True
    strength_scales = "parameters"

    def __init__(self, *, num_classes: int | None = None, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.num_classes = (None if num_classes is None
                            else validation.check_int("num_classes", num_classes, 1))

    def _draw(self, batch_size, seed, alpha):
        lam_seed, key_seed = tf.unstack(seeds_lib.split(seed, 2))
        m = self.strength_tensor()
        lam = mix_ops.sample_beta(lam_seed, batch_size, alpha) * m + (1.0 - m)
        return {"lam": tf.clip_by_value(lam, 0.0, 1.0),
                "keys": seeds_lib.uniform([batch_size], key_seed)}

    def _finish(self, data, out, partner, weight):
        if "labels" in data:
            labels = soft_labels(data["labels"], self.num_classes, type(self).__name__)
            out["labels"] = mix_ops.mix_labels(labels, partner, weight)
        return out

    @staticmethod
    def partner(params):
        """Partner rows ``[B]``: Keras' ``permutation_order`` when read from a
        Keras transformation, else ``argsort(keys)``."""
        if "partner" in params:
            return params["partner"]
        return mix_ops.partners(params["keys"])

    def _keras_partner(self, transformation, batch_size):
        return keras_rows(transformation["permutation_order"], batch_size, tf.int32)

    keras_batches_images = True  # Keras returns a single image as a batch of one

    def transform_labels(self, labels, transformation, training=True):
        """Keras' API: mixes ``labels`` (see the module docstring) as the
        transformation says; a hand-written Keras transformation needs no
        ``input_shape`` (only the rows and the weights count)."""
        if (training and isinstance(transformation, dict)
                and "input_shape" not in transformation):
            rows = tf.shape(tf.convert_to_tensor(labels))[0]
            transformation = dict(transformation, input_shape=tf.stack([rows, 1, 1, 1]))
        return super().transform_labels(labels, transformation, training)


@registry.register
class MixUp(_Mixing):
    """MixUp: ``x = lam * x_i + (1 - lam) * x_j`` with ``lam ~ Beta(alpha, alpha)``
    per sample and a random partner ``j`` from the same batch.

    Labels are mixed with the same ``lam``. Masks are not mixed: each image
    keeps its own mask (a blend of two segmentations has no hard mask), and
    boxes are returned unchanged (the partner's objects are faint ghosts, not
    targets). See the module docstring for label handling.

    Keras' transform API: a transformation carries ``mix_weight`` (each
    sample's own weight ``[B]``) and ``permutation_order`` (its partner row);
    a hand-written one with these keys mixes images and labels as Keras'
    MixUp does. ``transform_bounding_boxes`` gives Keras' result (each row's
    boxes followed by its partner's), unlike the layer's call; a single image
    comes back from ``transform_images`` as a batch of one (Keras' broadcasting).

    Args:
      alpha: Beta concentration (> 0); small values keep ``lam`` near 0 or 1.
      data_format: ``"channels_last"``, ``"channels_first"`` or None.
      seed: Initial seed state.
      num_classes: Keyword-only number of classes, required for integer class labels.
      strength: Keyword-only scale ``>= 0`` (a variable): the drawn own-image
        weight becomes ``lam' = 1 - strength (1 - lam)`` (clamped to ``[0, 1]``);
        1 is as configured, 0 the identity.
      probability: Keyword-only per-sample chance that a sample is mixed (a
        sample not drawn is left untouched, yet may serve as another sample's
        partner).
      value_range: Keyword-only ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict with ``images`` and
      optionally ``labels``, ``masks``, ``boxes``.

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> labels = tf.constant([3, 7])
      >>> mixup = tfaug.image.MixUp(alpha=0.2, num_classes=10, seed=0)
      >>> out = mixup({"images": images, "labels": labels}, training=True)
      >>> out["labels"].shape  # one-hot, mixed with each sample's partner
      TensorShape([2, 10])
      >>> bool(tf.reduce_all(tf.abs(tf.reduce_sum(out["labels"], -1) - 1.0) < 1e-5))
      True
    """

    def __init__(self, alpha: float = 0.2, data_format: str | None = None, seed: int | None = None,
                 *, num_classes: int | None = None, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), **kwargs: Any) -> None:
        super().__init__(num_classes=num_classes, probability=probability,
                         value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.alpha = validation.check_number("alpha", alpha, 0.0, low_inclusive=False)

    def sample_params(self, batch_size, seed):
        return self._draw(batch_size, seed, self.alpha)

    def transform(self, data, params):
        lam = self.weight(params)
        partner = self.partner(params)
        out = dict(data)
        out["images"] = mix_ops.mixup(data["images"], partner, lam)
        return self._finish(data, out, partner, lam)

    @staticmethod
    def weight(params):
        """Each sample's own weight ``[B]`` (1 where the gate is off)."""
        lam = params["lam"]
        if GATE in params:
            lam = tf.where(params[GATE], lam, tf.ones_like(lam))
        return lam

    def keras_transformation(self, params, data):
        """Keras' ``mix_weight`` (the own weight, 1 where the gate is off) and
        ``permutation_order`` (int64 partner rows)."""
        return {"mix_weight": self.weight(params),
                "permutation_order": tf.cast(self.partner(params), tf.int64)}

    def from_keras_transformation(self, transformation, data):
        """tfaug's draws if present, else Keras' ``mix_weight`` (a number or
        ``[B]``) and ``permutation_order``."""
        if "lam" in transformation:
            return transformation
        b = self.batch_size(data)
        return {"lam": keras_rows(transformation["mix_weight"], b),
                "partner": self._keras_partner(transformation, b)}

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        """Keras' API, as Keras' MixUp: each row's boxes followed by its
        partner's (``boxes`` ``[B, N, 4]`` -> ``[B, 2N, 4]``, box ``labels``
        ``[B, N]`` -> ``[B, 2N]``; axis 0 is the batch, whatever the rank, and
        the format does not matter). Where the ``probability`` gate is off the
        partner's boxes are flagged (all ``-1``; dropped from ragged boxes).

        tfaug's own call keeps each image's boxes (``[B, N, 4]``: a composition
        needs a fixed shape); this method gives Keras' result.
        """
        if not training or transformation is None:
            return bounding_boxes
        transformation = dict(transformation)
        boxes = bounding_boxes["boxes"]
        ragged = isinstance(boxes, tf.RaggedTensor)
        if not ragged:
            boxes = tf.convert_to_tensor(boxes)
        rows = boxes.nrows() if ragged else tf.shape(boxes)[0]
        if "lam" in transformation:
            partner = self.partner(transformation)
        else:
            partner = self._keras_partner(transformation, rows)
        gate = transformation.get(GATE)
        out = dict(bounding_boxes)
        for key in ("boxes", "labels"):
            if key not in bounding_boxes:
                continue
            value = bounding_boxes[key]
            if not isinstance(value, tf.RaggedTensor):
                value = tf.convert_to_tensor(value)
            single = value.shape.rank == 1  # [B] labels of [B, 4] boxes
            if single:
                value = value[:, None]
            other = tf.gather(value, partner)
            if gate is not None:
                flag = tf.constant(-1, value.dtype)
                if isinstance(other, tf.RaggedTensor):
                    keep = tf.RaggedTensor.from_row_splits(
                        tf.gather(gate, other.value_rowids()), other.row_splits)
                    other = tf.ragged.boolean_mask(other, keep)
                else:
                    keep = tf.reshape(gate, [-1] + [1] * (other.shape.rank - 1))
                    other = tf.where(keep, other, flag)
            out[key] = tf.concat([value, other], axis=1)
        return out


@registry.register
class CutMix(_Mixing):
    """CutMix: pastes a rectangle of a random partner image into each image.

    Per call ``alpha`` is drawn uniformly from ``factor`` (Keras' rule), then
    per sample ``lam ~ Beta(alpha, alpha)``; the rectangle has sides
    ``sqrt(1 - lam)`` times the image's and a uniform centre, and is clipped to
    the image. The label weight of the partner is the true pasted pixel
    fraction after clipping (not ``1 - lam``). Masks follow the pixels: the
    pasted region takes the partner's mask. Boxes keep their shape: own boxes
    that the patch covers entirely are flagged (all ``-1``), the partner's
    boxes are not added.

    Args:
      factor: The range of the Beta concentration ``alpha`` (Keras' meaning): a
        number ``f`` draws ``alpha`` from ``[0, f]`` per call, a pair between its
        values; in ``[0, 1]``. ``1e-6`` is added (``alpha > 0``); ``(1, 1)``
        draws ``lam`` uniformly.
      seed: Initial seed state.
      data_format: ``"channels_last"``, ``"channels_first"`` or None.
      num_classes: Keyword-only number of classes, required for integer class labels.
      strength: Keyword-only scale ``>= 0`` (a variable): the drawn own-image
        weight becomes ``lam' = 1 - strength (1 - lam)`` (clamped to ``[0, 1]``),
        so the patch area shrinks with it;
        1 is as configured, 0 the identity.
      probability: Keyword-only per-sample chance that a sample receives a patch.
      value_range: Keyword-only ``(low, high)`` of float inputs.

    Keras' transform API: a transformation carries ``batch_masks`` (bool, the
    images' shape in ``data_format``: the pasted pixels), ``mix_weight`` (the
    own pixel fraction ``[B]``, the labels' weight) and ``permutation_order``;
    a hand-written one with these keys pastes exactly those pixels.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict with ``images`` and
      optionally ``labels``, ``masks``, ``boxes``.

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> labels = tf.constant([3, 7])
      >>> cutmix = tfaug.image.CutMix((1.0, 1.0), num_classes=10, seed=0)
      >>> out = cutmix({"images": images, "labels": labels}, training=True)
      >>> out["images"].shape, out["labels"].shape
      (TensorShape([2, 32, 32, 3]), TensorShape([2, 10]))
    """

    def __init__(self, factor: float | tuple[float, float] = 1.0, seed: int | None = None,
                 data_format: str | None = None, *, num_classes: int | None = None,
                 probability: float = 1.0, value_range: tuple[float, float] = (0, 255),
                 **kwargs: Any) -> None:
        super().__init__(num_classes=num_classes, probability=probability,
                         value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.factor, self._alpha = keras_factor("factor", factor, 0, 1)

    def sample_params(self, batch_size, seed):
        draw_seed, centre_seed, alpha_seed = tf.unstack(seeds_lib.split(seed, 3))
        alpha = seeds_lib.uniform([], alpha_seed, *self._alpha) + 1e-6
        params = self._draw(batch_size, draw_seed, alpha)
        cy, cx = tf.unstack(seeds_lib.uniform([2, batch_size], centre_seed))
        params.update(cy=cy, cx=cx)
        return params

    def rectangle(self, params, height, width):
        """The pasted rectangle ``(y0, x0, y1, x1)`` (int32 ``[B]``; empty where
        the gate is off)."""
        y0, x0, y1, x1 = mix_ops.cutmix_boxes(height, width, params["lam"],
                                              params["cy"], params["cx"])
        if GATE in params:  # an empty rectangle leaves the row untouched
            y1 = tf.where(params[GATE], y1, y0)
        return y0, x0, y1, x1

    def transform(self, data, params):
        if "mask" in params:  # Keras' keys (from_keras_transformation)
            return self._transform_keras(data, params)
        images = data["images"]
        shape = tf.shape(images)
        box = self.rectangle(params, shape[1], shape[2])
        partner = self.partner(params)
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

    def _transform_keras(self, data, params):
        """Pastes the partner's pixels where Keras' ``batch_masks`` (``[B, H, W,
        C]``, channels last) is true; labels take ``mix_weight``. Masks paste
        where any channel does; boxes use the mask's bounding rectangle (Keras'
        masks are rectangles; Keras' CutMix does not transform boxes)."""
        mask, partner = params["mask"], params["partner"]
        out = dict(data)
        out["images"] = tf.where(mask, tf.gather(data["images"], partner), data["images"])
        pixels = tf.reduce_any(mask, axis=-1)
        if "masks" in data:
            out["masks"] = mix_ops.paste(data["masks"], partner, pixels)
        if "boxes" in data:
            box = _bounding_rectangle(pixels)
            covered = mix_ops.covered_boxes(data["boxes"], box)
            out["boxes"] = tf.where(covered[..., None], tf.constant(affine.INVALID_BOX),
                                    data["boxes"])
        return self._finish(data, out, partner, params["weight"])

    def keras_transformation(self, params, data):
        """Keras' keys: ``batch_masks`` (bool, the images' shape in
        ``data_format``), ``mix_weight`` (the own pixel fraction ``[B]``) and
        ``permutation_order`` (int32 partner rows)."""
        shape = tf.shape(data["images"])
        box = self.rectangle(params, shape[1], shape[2])
        mask = mix_ops.box_mask(shape[1], shape[2], *box)[..., None]
        return {"batch_masks": self.from_channels_last(tf.broadcast_to(mask, shape)),
                "mix_weight": 1.0 - mix_ops.box_fraction(shape[1], shape[2], box),
                "permutation_order": self.partner(params)}

    def from_keras_transformation(self, transformation, data):
        """tfaug's draws if present, else Keras' ``batch_masks``,
        ``permutation_order`` and ``mix_weight`` (if absent: the unmasked
        fraction)."""
        if "lam" in transformation:
            return transformation
        b = self.batch_size(data)
        mask = tf.cast(tf.convert_to_tensor(transformation["batch_masks"]), tf.bool)
        mask = self.to_channels_last(mask if mask.shape.rank == 4 else mask[None])
        mask = tf.broadcast_to(mask, tf.concat([[b], tf.shape(mask)[1:]], 0))
        if "mix_weight" in transformation:
            weight = keras_rows(transformation["mix_weight"], b)
        else:
            weight = 1.0 - tf.reduce_mean(tf.cast(mask, tf.float32), axis=[1, 2, 3])
        return {"mask": mask, "weight": weight,
                "partner": self._keras_partner(transformation, b)}


def _bounding_rectangle(pixels):
    """``(y0, x0, y1, x1)`` int32 ``[B]``: the smallest rectangle holding the
    true pixels of ``pixels`` (bool ``[B, H, W]``); empty where none is."""
    def span(any_along):
        n = tf.shape(any_along)[1]
        idx = tf.range(n, dtype=tf.int32)[None]
        lo = tf.reduce_min(tf.where(any_along, idx, n), axis=1)
        hi = tf.reduce_max(tf.where(any_along, idx + 1, 0), axis=1)
        return lo, tf.maximum(hi, lo)

    y0, y1 = span(tf.reduce_any(pixels, axis=2))
    x0, x1 = span(tf.reduce_any(pixels, axis=1))
    return y0, x0, y1, x1
