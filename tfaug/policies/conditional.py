"""ClassConditional: the augmentation a sample gets depends on its label."""

from __future__ import annotations

from collections.abc import Mapping
import numbers
import types
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tfaug.core import registry
from tfaug.core import validation
from tfaug.core.composition import RoutingComposition, as_layer


def _check_label(key):
    """JSON turns int keys into strings; accept both, return the int."""
    if isinstance(key, str) and key.lstrip("-").isdigit():
        key = int(key)
    if isinstance(key, bool) or not isinstance(key, numbers.Integral) or key < 0:
        raise validation.ArgumentError(
            "per_class", key, "a dict whose keys are non-negative integer labels",
            f"`per_class` keys must be non-negative integer labels, got {key!r}.")
    return int(key)


@registry.register
class ClassConditional(RoutingComposition):
    """Routes each sample to the layer chosen for its label (label-aware rules).

    ``per_class`` overrides ``default`` for the labels it lists; ``None``
    (as ``default`` or as a value) leaves those samples untouched. Each layer
    runs only on its own rows. Labels are integer class ids ``[B]`` (or
    ``[B, 1]``) or one-hot/soft ``[B, K]`` (the arg-max class is used).

    Args:
      default: Layer for labels not in ``per_class``, or None.
      per_class: dict ``{label: layer or None}``.
      seed: Initial seed state.

    Input shape:
      A dict with ``labels`` and the modality's data keys (``images``, ...).

    Example:
      >>> x = tf.cast(tf.random.uniform([4, 28, 28, 1], 0, 256, tf.int32), tf.uint8)
      >>> y = tf.constant([1, 6, 9, 3])  # digit labels
      >>> safe = tfaug.image.RandomRotation(0.03)
      >>> aug = tfaug.policies.ClassConditional(
      ...     default=tfaug.Sequence([tfaug.image.RandomFlip(), safe]),
      ...     per_class={6: safe, 9: safe})  # a 6 must not become a 9
      >>> out = aug({"images": x, "labels": y}, training=True)
      >>> out["images"].shape, out["labels"].numpy().tolist()
      (TensorShape([4, 28, 28, 1]), [1, 6, 9, 3])
    """

    def __init__(self, default: keras.layers.Layer | None,
                 per_class: Mapping[Any, keras.layers.Layer | None] | None = None, *,
                 seed: int | None = None, **kwargs: Any) -> None:
        kwargs.pop("probability", None)
        per_class = {} if per_class is None else per_class
        if not isinstance(per_class, dict):
            raise validation.ArgumentTypeError("per_class", per_class,
                                               "a dict {label: layer or None}")
        default = None if default is None else as_layer(default, "default")
        per_class = {_check_label(k): (None if v is None else as_layer(v, "per_class"))
                     for k, v in per_class.items()}
        branches = []
        for layer in [default] + list(per_class.values()):
            if layer is not None and all(layer is not b for b in branches):
                branches.append(layer)
        if not branches:
            raise validation.ArgumentError(
                "default", None, "a layer when every `per_class` value is None",
                "`default` and every `per_class` value are None: "
                "ClassConditional would do nothing; give at least one layer.")
        super().__init__(branches, seed=seed, **kwargs)
        self._check_same_size()
        self.default = default
        # A read-only view: Keras/TF would wrap a plain dict for tracking and
        # refuse its integer keys; the layers are tracked through ``layers``.
        self.per_class = types.MappingProxyType(per_class)

    def _branch_of(self, layer):
        if layer is None:
            return -1
        return next(i for i, b in enumerate(self.layers) if b is layer)

    def get_config(self):
        config = super().get_config()
        config["default"] = None if self.default is None else registry.serialize(self.default)
        config["per_class"] = {str(k): (None if v is None else registry.serialize(v))
                               for k, v in sorted(self.per_class.items())}
        return config

    def class_ids(self, labels):
        """Integer class ids ``[B]`` from integer or one-hot/soft labels."""
        if labels.shape.rank == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if labels.shape.rank == 2:
            return tf.argmax(labels, axis=1, output_type=tf.int32)
        if labels.shape.rank != 1 or labels.dtype.is_floating:
            raise ValueError("ClassConditional needs integer labels [B] (or [B, 1]) or "
                             f"one-hot labels [B, K]; got {labels.dtype.name}{labels.shape}.")
        return tf.cast(labels, tf.int32)

    def routes(self, labels):
        """Branch index per sample (-1 = untouched)."""
        ids = self.class_ids(labels)
        size = max(self.per_class, default=-1) + 1
        default = self._branch_of(self.default)
        table = [self._branch_of(self.per_class[c]) if c in self.per_class else default
                 for c in range(size)]
        table.append(default)
        index = tf.where((ids >= 0) & (ids < size), ids, size)
        return tf.gather(tf.constant(table, tf.int32), index)

    def standardize(self, inputs):
        data, spec = super().standardize(inputs)
        if "labels" not in data:
            raise ValueError("ClassConditional chooses by label: pass a dict with "
                             "'labels' (integer or one-hot).")
        return data, spec

    def sample_params(self, batch_size, seed):
        return {str(i): p for i, p in enumerate(self._child_params(batch_size, seed))}

    def transform(self, data, params):
        route = self.routes(data["labels"])
        for i, layer in enumerate(self.layers):
            data = self._run_on_rows(layer, data, params[str(i)], tf.equal(route, i))
        return data

    def call_with_params(self, inputs, seed):
        """As the base; ``params["route"]`` adds each sample's branch (-1: none)."""
        outputs, params = super().call_with_params(inputs, seed)
        data, _ = self.standardize(inputs)
        return outputs, {**params, "route": self.routes(data["labels"])}

    def _words(self, params, batch):
        route = np.asarray(params["route"]).reshape(-1)
        return self._routed_words(params, batch,
                                  route[:, None] == np.arange(len(self.layers))[None])
