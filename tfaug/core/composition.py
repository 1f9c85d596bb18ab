"""Composition layers: ``Sequence``, ``OneOf``, ``SomeOf``, ``RandomApply``.

Every choice is drawn per sample. Outside XLA each child runs only on the rows
that drew it (gather, apply, scatter back), so the cost of a ``OneOf`` is about
the cost of one child. Inside ``jit_compile=True`` (where shapes must be static)
each child runs on the whole batch and the drawn rows are kept.

``Sequence`` fuses runs of consecutive geometric layers that share resampling
settings into one projective matrix per sample, resampled once.
"""

from __future__ import annotations

import collections.abc
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tfaug.core import base as base_lib
from tfaug.core import describe as describe_lib
from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.core.base import Augmentation
from tfaug.core.batch import apply_on_rows, blend_rows, rows_where
from tfaug.core.xla import in_xla_context


def as_layer(layer, name):
    """``layer`` itself, or the layer its serialized dict describes.

    Raises:
      ValueError: ``layer`` is neither a tfaug augmentation nor its dict
        (the message names the argument ``name``).
    """
    if isinstance(layer, dict):
        layer = registry.deserialize(layer)
    if not isinstance(layer, Augmentation):
        raise validation.ArgumentTypeError(
            name, layer, "tfaug augmentation layers (or their serialized dicts)",
            f"`{name}` must hold tfaug augmentation layers (or their serialized dicts), "
            f"got {layer!r}.")
    return layer


# The settings by which a layer reads its inputs and writes its outputs: a
# composition standardizes and restores once, so its children must agree.
READ_SETTINGS = ("value_range", "data_format", "bounding_box_format")


def _setting(layer, name):
    value = getattr(layer, name)
    if name == "bounding_box_format" and value is None:
        return "xyxy"  # None is Keras' and tfaug's default pixel xyxy
    return tuple(value) if isinstance(value, (list, tuple)) else value


class Composition(Augmentation):
    """Shared plumbing of compositions: children, the modality's internal form,
    (de)serialization, strength.

    A composition standardizes its inputs once, its children transform that
    internal form (their ``apply``), and it restores once. Its ``strength`` is
    forwarded to the children (given at construction or with
    :meth:`set_strength`); they carry it.
    """

    strength_scales = "children"

    def __init__(self, layers: collections.abc.Sequence[keras.layers.Layer], *,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(probability=probability, seed=seed, **kwargs)
        if not isinstance(layers, (list, tuple)) or not layers:
            raise validation.ArgumentError("layers", layers, "a non-empty list of layers")
        self.layers = [as_layer(l, "layers") for l in layers]
        modalities = {l.modality for l in self.layers}
        if len(modalities) > 1:
            raise validation.ArgumentError(
                "layers", layers, "layers of one modality",
                f"`layers` mixes modalities {sorted(map(str, modalities))}; "
                "a composition holds layers of one modality.")
        self.modality = self.layers[0].modality
        for name in READ_SETTINGS:
            values = {_setting(l, name) for l in self.layers if hasattr(l, name)}
            if len(values) > 1:
                raise validation.ArgumentError(
                    "layers", layers, f"layers with one {name}",
                    f"`layers` disagree on `{name}` ({sorted(map(repr, values))}); "
                    "the composition reads its inputs once and writes its outputs "
                    f"once, so give every layer the same {name}.")
        if self.get_strength() != 1.0:
            for layer in self.layers:
                layer.set_strength(self.get_strength())
        batch_changing = [type(l).__name__ for l in self.layers
                          if getattr(l, "changes_batch", False)]
        if batch_changing and not isinstance(self, Sequence):
            raise validation.ArgumentError(
                "layers", layers, "layers that keep the rows",
                f"{type(self).__name__} draws per sample, so its layers must "
                f"keep the number of rows; {batch_changing} add rows (put "
                "them in a Sequence or apply them on their own).")
        if self.probability < 1.0 and self.handles_gate:
            raise validation.ArgumentError(
                "probability", probability, "1",
                f"`probability` must be 1 for a {type(self).__name__} "
                "whose layers change the output size or the labels, got "
                f"{self.probability}; wrap the size-preserving part instead.")

    # The children's common reading settings (None for modalities without
    # them; checked equal at construction), so a composition nests inside
    # another next to leaf layers.
    @property
    def value_range(self):
        return getattr(self.layers[0], "value_range", None)

    @property
    def data_format(self):
        return getattr(self.layers[0], "data_format", None)

    @property
    def bounding_box_format(self):
        return getattr(self.layers[0], "bounding_box_format", None)

    @property
    def changes_size(self):
        return any(l.changes_size for l in self.layers)

    @property
    def changes_labels(self):
        return any(l.changes_labels for l in self.layers)

    @property
    def xla_exempt(self):
        return any(l.xla_exempt for l in self.layers)

    @property
    def accepts_levels(self):
        return all(getattr(l, "accepts_levels", False) for l in self.layers)

    def accept_form(self, data):
        # A Sequence's children each convert what they need (a policy first keeps
        # the cheaper encoding); routing compositions, and a gated Sequence,
        # convert once first, so every branch (or the blend) sees one encoding.
        if self.accepts_levels or (isinstance(self, Sequence) and self.probability >= 1.0):
            return data
        return self.float_form(data)

    def float_form(self, data):
        return self.layers[0].float_form(data)

    def _check_same_size(self):
        for l in self.layers:
            if l.changes_size:
                raise validation.ArgumentError(
                    "layers", self.layers, "size-keeping layers",
                    f"{type(self).__name__} draws per sample, so its layers "
                    f"must keep the output size; {type(l).__name__} changes it.")

    def get_config(self):
        config = super().get_config()
        if "layers" in config:
            config["layers"] = [registry.serialize(l) for l in self.layers]
        return config

    def standardize(self, inputs):
        return self.layers[0].standardize(inputs)

    def restore(self, data, spec):
        return self.layers[0].restore(data, spec)

    def batch_size(self, data):
        return self.layers[0].batch_size(data)

    def _child_seeds(self, seed):
        """The call seed of each child, from the composition's param seed."""
        return tf.unstack(seeds_lib.split(seed, len(self.layers)))

    def _child_params(self, batch_size, seed):
        child_seeds = self._child_seeds(seed)
        return [l.sample(batch_size, s) for l, s in zip(self.layers, child_seeds)]

    def resolve_params(self, params, data):
        # Each child against the composition's input (children of a routing
        # composition keep the size; so do the spectrogram layers that resolve).
        return {**params, **{str(i): layer.resolve_params(params[str(i)], data)
                             for i, layer in enumerate(self.layers) if str(i) in params}}

    def _child_words(self, params, batch):
        """Each child's per-sample words, ``"Name: words"`` (from its own params)."""
        return [[describe_lib.named(layer, w) for w in
                 layer.describe_draw(params[str(i)], batch)]
                for i, layer in enumerate(self.layers)]

    def _routed_words(self, params, batch, picked):
        """Per sample, the words of the children ``picked[b, i]`` is true for."""
        children = self._child_words(params, batch)
        return [describe_lib.STEP.join(children[i][b] for i in range(len(self.layers))
                                       if picked[b, i]) or "no layer"
                for b in range(batch)]

    def _run_on_rows(self, layer, data, params, mask):
        """Applies ``layer`` where ``mask`` (bool ``[B]``) is true."""
        if in_xla_context():
            return blend_rows(mask, layer.apply(data, params), data)
        return apply_on_rows(layer, data, params, rows_where(mask))


class RoutingComposition(Composition):
    """A composition that sends each row to the branch it drew. It never runs
    as one XLA program (see ``Augmentation.compiles``): under XLA every branch
    would run on every row."""

    auto_compile = False


def _merge_keys(a, b):
    """Elementwise merge of two fusion keys (``None`` = any); None if they clash."""
    if a is None or b is None or len(a) != len(b):
        return None
    merged = []
    for x, y in zip(a, b):
        if x is not None and y is not None and x != y:
            return None
        merged.append(x if x is not None else y)
    return tuple(merged)


@registry.register
class Sequence(Composition):
    """Applies layers in order; consecutive geometric layers are fused.

    A run of geometric layers with the same interpolation, fill mode and fill
    value is composed into one matrix per sample and resampled once: one
    interpolation and one pass over memory instead of one per layer.

    Args:
      layers: List of augmentation layers (or serialized dicts).
      probability: Per-sample chance that the whole sequence applies.
      seed: Initial seed state.

    Input shape:
      What its layers take, in any modality: a tensor, an ``(inputs, labels)``
      tuple or a dict; the output has the input's structure.

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> aug = tfaug.Sequence([tfaug.image.RandomFlip(),
      ...                       tfaug.image.RandomRotation(0.1),
      ...                       tfaug.image.RandomContrast(0.2)])
      >>> out = aug(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    def sample_params(self, batch_size, seed):
        return {str(i): p for i, p in enumerate(self._child_params(batch_size, seed))}

    def _words(self, params, batch):
        # Every child runs on every sample, in order.
        return self._routed_words(params, batch, np.ones([batch, len(self.layers)], bool))

    def _groups(self):
        """Splits the layers into runs to fuse: a list of index lists.

        Keys are tuples; ``None`` in a key is a wildcard (a flip resamples
        exactly under any interpolation or fill), so such a layer joins any run.
        """
        groups, run, run_key = [], [], None
        for i, layer in enumerate(self.layers):
            key = layer.fusion_key() if getattr(layer, "fusible", False) else None
            merged = _merge_keys(run_key, key) if (run and key is not None) else None
            if merged is not None:
                run.append(i)
                run_key = merged
                continue
            if run:
                groups.append(run)
            run, run_key = ([i], key) if key is not None else ([], None)
            if key is None:
                groups.append([i])
        if run:
            groups.append(run)
        return groups

    def _leader(self, group):
        """The member of a fused run whose resampling settings the run uses."""
        for i in group:
            layer = self.layers[i]
            if getattr(layer, "fusible", False) and None not in layer.fusion_key():
                return i
        return group[0]

    def transform(self, data, params):
        return self._run_groups(data, params, self._groups())

    def _run_groups(self, data, params, groups):
        for group in groups:
            leader = self._leader(group)
            if len(group) == 1:
                data = self.layers[leader].apply(data, params[str(leader)])
            else:
                pairs = [(self.layers[i], params[str(i)]) for i in group]
                data = self.layers[leader].apply_fused(data, pairs)
        return data

    def inference(self, data):
        for layer in self.layers:
            data = layer.inference(data)
        return data

    # ------------------------------------------------------------ compilation
    def _resamples(self, group):
        layer = self.layers[self._leader(group)]
        return getattr(layer, "fusible", False) and None not in layer.fusion_key()

    def _segments(self):
        """The runs compiled as separate XLA programs: each resampling group on
        its own, the layers between them together.

        Inside one program XLA on CPU fuses the resampler's gathers into every
        consumer of its output; when a later layer also reduces over the image
        (contrast's mean) the four neighbour gathers are materialized one by one
        and the image is read several times: resample + contrast ran at half
        the speed of the two programs run one after the other.
        """
        segments = []
        for group in self._groups():
            if self._resamples(group) or not segments or self._resamples(segments[-1][-1]):
                segments.append([group])
            else:
                segments[-1].append(group)
        return segments

    @property
    def changes_batch(self):
        return any(getattr(l, "changes_batch", False) for l in self.layers)

    @property
    def reads_labels(self):
        return any(getattr(l, "reads_labels", False) for l in self.layers)

    def compiled_call(self, inputs, seed):
        segments = self._segments()
        if len(segments) < 2 or self.probability < 1.0:
            return super().compiled_call(inputs, seed)
        # The first program takes the user's inputs (an integer image is
        # converted inside it, fused with the first reads); the last one also
        # gets them, only to learn their structure (XLA drops the unused
        # conversion), and returns that structure.
        data, last = None, len(segments) - 1
        for k, groups in enumerate(segments):
            program = base_lib.compiled(
                self, ("segment", k),
                lambda lay, x, d, s, k=k, groups=groups: lay._run_segment(
                    x, d, s, groups, first=k == 0, last=k == last))
            data = program(inputs if k in (0, last) else None, data, seed)
        return data

    def _run_segment(self, inputs, data, seed, groups, first, last):
        """The layers of ``groups`` with the parameters the whole call would draw."""
        if first:
            data, _ = self.standardize(inputs)
        # The seeds the whole call would give these children (sample + _child_params).
        child_seeds = self._child_seeds(self.split_seed(seed)[1])
        batch_size = self.batch_size(data)
        params = {str(i): self.layers[i].sample(batch_size, child_seeds[i])
                  for group in groups for i in group}
        data = self._run_groups(data, params, groups)
        return self.restore(data, self.standardize(inputs)[1]) if last else data


@registry.register
class OneOf(RoutingComposition):
    """Applies exactly one of ``layers`` to each sample, drawn per sample.

    Args:
      layers: Candidate layers; each must keep the output size.
      weights: Optional relative weights (non-negative, not all zero); uniform
        by default.
      probability: Per-sample chance that any layer applies.
      seed: Initial seed state.

    Input shape:
      What its layers take, in any modality: a tensor, an ``(inputs, labels)``
      tuple or a dict; the output has the input's structure.

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> aug = tfaug.OneOf([tfaug.image.GaussianBlur(3),
      ...                    tfaug.image.GaussianNoise(0.05)], weights=[1, 2])
      >>> out = aug(images, training=True)  # each sample: blur or noise
      >>> out.shape
      TensorShape([2, 32, 32, 3])
    """

    def __init__(self, layers: collections.abc.Sequence[keras.layers.Layer], *,
                 weights: collections.abc.Sequence[float] | None = None,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(layers, probability=probability, seed=seed, **kwargs)
        self._check_same_size()
        if weights is not None:
            if (not isinstance(weights, (list, tuple)) or len(weights) != len(self.layers)):
                raise validation.ArgumentError(
                    "weights", weights, "a list of numbers",
                    f"`weights` must be a list of {len(self.layers)} "
                    f"non-negative numbers, got {weights!r}.")
            weights = [validation.check_number("weights", w, 0.0) for w in weights]
            if sum(weights) <= 0:
                raise validation.ArgumentError(
                    "weights", weights, "not all zero",
                    f"`weights` must not all be zero, got {weights!r}.")
        self.weights_ = weights

    def get_config(self):
        config = super().get_config()
        config["weights"] = self.weights_
        return config

    def sample_params(self, batch_size, seed):
        choice_seed, child_seed = tf.unstack(seeds_lib.split(seed, 2))
        n = len(self.layers)
        choice = seeds_lib.categorical(batch_size, choice_seed, self.weights_ or [1.0] * n)
        params = {str(i): p for i, p in enumerate(self._child_params(batch_size, child_seed))}
        params["choice"] = choice
        return params

    def transform(self, data, params):
        for i, layer in enumerate(self.layers):
            data = self._run_on_rows(layer, data, params[str(i)],
                                     tf.equal(params["choice"], i))
        return data

    def _words(self, params, batch):
        choice = np.asarray(params["choice"]).reshape(-1)
        return self._routed_words(params, batch,
                                  choice[:, None] == np.arange(len(self.layers))[None])


@registry.register
class SomeOf(RoutingComposition):
    """Applies ``n`` distinct layers, drawn per sample, in list order.

    Args:
      layers: Candidate layers; each must keep the output size.
      n: How many layers each sample gets, ``0 <= n <= len(layers)``.
      probability: Per-sample chance that the selection applies.
      seed: Initial seed state.

    Input shape:
      What its layers take, in any modality: a tensor, an ``(inputs, labels)``
      tuple or a dict; the output has the input's structure.

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> aug = tfaug.SomeOf([tfaug.image.RandomBrightness(0.2),
      ...                     tfaug.image.RandomContrast(0.2),
      ...                     tfaug.image.RandomSaturation((0.3, 0.7))], n=2)
      >>> out = aug(images, training=True)  # each sample: two of the three
      >>> out.shape
      TensorShape([2, 32, 32, 3])
    """

    def __init__(self, layers: collections.abc.Sequence[keras.layers.Layer], n: int = 1, *,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(layers, probability=probability, seed=seed, **kwargs)
        self._check_same_size()
        self.n = validation.check_int("n", n, 0, len(self.layers))

    def sample_params(self, batch_size, seed):
        pick_seed, child_seed = tf.unstack(seeds_lib.split(seed, 2))
        k = len(self.layers)
        keys = seeds_lib.uniform([batch_size, k], pick_seed)
        _, top = tf.math.top_k(keys, self.n)
        chosen = tf.reduce_any(
            tf.equal(top[:, :, None], tf.range(k, dtype=top.dtype)[None, None]), axis=1)
        params = {str(i): p for i, p in enumerate(self._child_params(batch_size, child_seed))}
        params["chosen"] = chosen
        return params

    def transform(self, data, params):
        for i, layer in enumerate(self.layers):
            data = self._run_on_rows(layer, data, params[str(i)], params["chosen"][:, i])
        return data

    def _words(self, params, batch):
        return self._routed_words(params, batch, np.asarray(params["chosen"], bool))


@registry.register
class RandomApply(RoutingComposition):
    """Applies ``layer`` to each sample with probability ``rate``.

    Unlike a layer's own ``probability`` (computed on every row, then blended),
    the layer runs only on the rows that drew it.

    Args:
      layer: The layer to apply (must keep the output size).
      rate: Per-sample chance in ``[0, 1]``.
      seed: Initial seed state.

    Input shape:
      What its layers take, in any modality: a tensor, an ``(inputs, labels)``
      tuple or a dict; the output has the input's structure.

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> aug = tfaug.RandomApply(tfaug.image.GaussianBlur(5), rate=0.3)
      >>> out = aug(images, training=True)  # about 30 % of the samples blurred
      >>> out.shape
      TensorShape([2, 32, 32, 3])
    """

    def __init__(self, layer: keras.layers.Layer, rate: float = 0.5, *, seed: int | None = None,
                 **kwargs: Any) -> None:
        kwargs.pop("probability", None)
        super().__init__([layer], seed=seed, **kwargs)
        self._check_same_size()
        self.layer = self.layers[0]
        self.rate = validation.check_probability("rate", rate)

    def get_config(self):
        config = super().get_config()
        config["layer"] = registry.serialize(self.layer)
        return config

    def sample_params(self, batch_size, seed):
        pick_seed, child_seed = tf.unstack(seeds_lib.split(seed, 2))
        return {"picked": seeds_lib.uniform([batch_size], pick_seed) < self.rate,
                "0": self.layer.sample(batch_size, child_seed)}

    def transform(self, data, params):
        return self._run_on_rows(self.layer, data, params["0"], params["picked"])

    def _words(self, params, batch):
        picked = np.asarray(params["picked"], bool)
        return [w if p else describe_lib.NOT_APPLIED
                for w, p in zip(self._routed_words(params, batch, picked[:, None]), picked)]
