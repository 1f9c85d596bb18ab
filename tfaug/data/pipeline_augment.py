"""How :class:`tfaug.data.pipeline.Pipeline` runs an ``.augment`` step.

* :func:`resolve` turns what the user gave (a tfaug layer, a Keras layer, a
  policy name or path, a callable) into something callable.
* :func:`batch_seed` derives one batch's seed from ``(seed, pass, epoch, batch)``,
  and :func:`augmented_epochs` lays out the epochs so every batch knows them.
* :func:`apply` calls the augmentation on one batch, packing labels in a dict
  when the layer reads them (``MixUp``, ``CutMix``, ``ClassConditional``).
* :class:`CallableAugmentation` wraps a plain function as a Keras layer that
  runs only in training, for ``augment_on="model"``.
"""

from __future__ import annotations

import inspect
import os

import keras
import tensorflow as tf

from tfaug.core import seeds as seeds_lib
from tfaug.core.base import Augmentation, augmentations

# The dict key a modality's layers read their data from, when labels ride along
# (a layer's own ``data_key`` attribute wins: spectrogram layers read
# "spectrogram").
DATA_KEYS = {"image": "images", "tabular": "features", "text": "text", "audio": "audio"}
# Seed of the pass key: ``Dataset.random(seed, rerandomize_each_iteration=True)``
# gives every iteration over a built dataset its own key, the same sequence in
# every build and every run.
PASS_SEED = 0x7FA0


def resolve(layer_or_policy):
    """The augmentation to call, and a short name for ``repr``.

    Args:
      layer_or_policy: A tfaug or Keras layer, a policy name or file path
        (loaded with ``tfaug.policies.load``), or a callable.

    Returns:
      ``(augmentation, name)``.

    Raises:
      ValueError: anything else (and whatever ``tfaug.policies.load`` raises
        for an unknown name or a bad file).
    """
    if isinstance(layer_or_policy, (str, os.PathLike)):
        from tfaug import policies  # pylint: disable=import-outside-toplevel
        return policies.load(layer_or_policy), repr(os.fspath(layer_or_policy))
    if isinstance(layer_or_policy, keras.layers.Layer):
        return layer_or_policy, type(layer_or_policy).__name__
    if callable(layer_or_policy):
        return layer_or_policy, getattr(layer_or_policy, "__name__", type(layer_or_policy).__name__)
    raise ValueError("`layer_or_policy` must be a tfaug or Keras layer, a policy name or "
                     f"path (see tfaug.policies.list()), or a callable; got {layer_or_policy!r}.")


def _parameters(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}


def takes_seed(augmentation):
    """True when calls get the derived per-batch seed (reproducible)."""
    if isinstance(augmentation, Augmentation):
        return True
    if isinstance(augmentation, keras.layers.Layer):
        return False
    return "seed" in _parameters(augmentation)


def reads_labels(augmentation):
    """True for tfaug layers that mix, add rows with, or route by labels
    (``MixUp``, ``SMOTE``, ``EDA(num_aug=4)``, ``ClassConditional``, or a
    composition holding one): a layer's ``reads_labels`` where it has one
    (:class:`~tfaug.core.BatchAugmentation`), else its ``changes_labels``."""
    if not isinstance(augmentation, Augmentation):
        return False
    from tfaug.policies.conditional import ClassConditional  # pylint: disable=import-outside-toplevel

    def reads(layer):
        if isinstance(layer, ClassConditional):
            return True
        own = getattr(layer, "reads_labels", None)
        return bool(layer.changes_labels if own is None else own)

    return any(reads(layer) for layer in augmentations(augmentation))


def batch_seed(seed: int | tf.Tensor, epoch: int | tf.Tensor, batch_index: int | tf.Tensor,
               pass_key: int | tf.Tensor = 0) -> tf.Tensor:
    """The augmentation seed of one batch: ``fold_in`` of each index in turn.

    ``fold_in(fold_in(fold_in(seed, pass_key), epoch), batch_index)`` with
    :func:`tfaug.core.seeds.fold_in`.

    Args:
      seed: The step's seed (int or ``[2]`` tensor).
      epoch: Epoch index within one pass over the built dataset.
      batch_index: Batch index within the epoch.
      pass_key: The pass's key (see ``Pipeline``'s "Seeds" section).

    Returns:
      An int64 ``[2]`` seed.

    Example:
      >>> seed = batch_seed(7, epoch=1, batch_index=3)
      >>> seed.shape, seed.dtype
      (TensorShape([2]), tf.int64)
      >>> bool(tf.reduce_all(seed == batch_seed(7, epoch=1, batch_index=3)))  # a pure function
      True
    """
    seed = seeds_lib.fold_in(seed, pass_key)
    return seeds_lib.fold_in(seeds_lib.fold_in(seed, epoch), batch_index)


def apply(augmentation, inputs, labels, seed):
    """Runs ``augmentation`` for training on one batch.

    Args:
      augmentation: What :func:`resolve` returned.
      inputs: The batch's inputs (a tensor or a dict).
      labels: The batch's labels, or None.
      seed: ``[2]`` seed, or None to let the layer use its own seed state.

    Returns:
      ``(inputs, labels)``; labels are rewritten only by layers that read them.
    """
    if isinstance(augmentation, Augmentation):
        kwargs = {"training": True}
        if seed is not None:
            kwargs["seed"] = seed
        if labels is None or not reads_labels(augmentation):
            return augmentation(inputs, **kwargs), labels
        key = getattr(augmentation, "data_key", None) or DATA_KEYS.get(augmentation.modality)
        if isinstance(inputs, dict):
            out = dict(augmentation(dict(inputs, labels=labels), **kwargs))
            return out, out.pop("labels")
        if key is None:  # no known dict form for this modality: data only
            return augmentation(inputs, **kwargs), labels
        out = dict(augmentation({key: inputs, "labels": labels}, **kwargs))
        return out[key], out["labels"]
    if isinstance(augmentation, keras.layers.Layer):
        return augmentation(inputs, training=True), labels
    params = _parameters(augmentation)
    kwargs = {}
    if "training" in params:
        kwargs["training"] = True
    if "seed" in params and seed is not None:
        kwargs["seed"] = seed
    return augmentation(inputs, **kwargs), labels


class CallableAugmentation(keras.layers.Layer):
    """A function as a Keras layer that runs in training only (model side).

    Args:
      fn: ``fn(inputs)`` (or ``fn(inputs, training=...)``) returning the
        augmented inputs; called only when ``training`` is true.
      **kwargs: Keras layer arguments.
    """

    def __init__(self, fn, **kwargs):
        super().__init__(**kwargs)
        self.fn = fn

    def call(self, inputs, training=None):
        if not training:
            return inputs
        if "training" in _parameters(self.fn):
            return self.fn(inputs, training=True)
        return self.fn(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape


def model_layer(augmentations_):
    """One Keras layer running ``augmentations_`` (resolved) in order.

    Returns the layer itself when there is one, else a ``keras.Sequential``.
    """
    layers = [a if isinstance(a, keras.layers.Layer) else CallableAugmentation(a)
              for a in augmentations_]
    if len(layers) == 1:
        return layers[0]
    return keras.Sequential(layers, name="augmentation")


def _split(element):
    """``(inputs, labels, rest)`` of an element (a Keras-style tuple or inputs)."""
    if isinstance(element, tuple) and len(element) in (2, 3):
        return element[0], element[1], tuple(element[2:])
    return element, None, ()


def _join(inputs, labels, rest):
    return inputs if labels is None else (inputs, labels) + tuple(rest)


def augmented_epochs(batches, count, steps):
    """Repeats ``batches`` for ``count`` epochs and augments every batch.

    The result is ``passes.flat_map(epochs.flat_map(batches.enumerate()))``
    followed by one parallel, deterministic ``map``: ``passes`` holds one
    pass key (a new one each time the result is iterated), ``epochs`` is
    ``range(count)`` (or ``Dataset.counter()`` for ``count=None``), and every
    batch is tagged ``(pass_key, epoch, index)`` before the map derives its
    seeds with :func:`batch_seed`. ``batches`` is made once, outside the
    functions, so its cache and its shuffle's seed generator are shared by all
    epochs (a new order each epoch, as with ``shuffle().repeat()``).

    Args:
      batches: The dataset of one epoch's batches.
      count: Number of epochs, or None for endless.
      steps: The ``augment`` steps' args (dicts with ``fn`` and ``seed``).

    Returns:
      The augmented dataset; its cardinality is set when ``batches``'s is known.
    """
    epochs = tf.data.Dataset.counter() if count is None else tf.data.Dataset.range(count)
    keys = tf.data.Dataset.random(seed=PASS_SEED, rerandomize_each_iteration=True).take(1)
    plan = keys.flat_map(lambda key: epochs.map(lambda epoch: (key, epoch)))

    def one_epoch(key, epoch):
        return batches.enumerate().map(lambda index, element: ((key, epoch, index), element))

    def augment(tags, element):
        key, epoch, index = tags
        inputs, labels, rest = _split(element)
        for step in steps:
            fn, seed = step["fn"], step["seed"]
            if seed is not None and takes_seed(fn):
                seed = batch_seed(seed, epoch, index, key)
            else:
                seed = None
            inputs, labels = apply(fn, inputs, labels, seed)
        return _join(inputs, labels, rest)

    ds = plan.flat_map(one_epoch)
    ds = ds.map(augment, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    per_epoch = int(batches.cardinality())
    if per_epoch >= 0:
        total = tf.data.INFINITE_CARDINALITY if count is None else per_epoch * count
        ds = ds.apply(tf.data.experimental.assert_cardinality(total))
    return ds


def augmented_by_layers(batches, steps):
    """Augments every batch with the layers' own seed states (no per-batch seeds).

    For datasets that run on tf.data service workers in
    ``"distributed_epoch"`` mode: the service splits the *source* among the
    workers, which needs a dataset with a single source, so the epoch and
    pass counters of :func:`augmented_epochs` cannot be used. Each worker
    advances its own copy of each layer's seed state instead (every worker's
    copy starts from the same state), so results are not reproducible run to
    run; repeat on the trainer side, after the service (one job per epoch).

    Args:
      batches: The dataset of one epoch's batches.
      steps: The ``augment`` steps' args (dicts with ``fn``).

    Returns:
      The augmented dataset.
    """
    def augment(*element):
        inputs, labels, rest = _split(element if len(element) > 1 else element[0])
        for step in steps:
            inputs, labels = apply(step["fn"], inputs, labels, None)
        return _join(inputs, labels, rest)

    return batches.map(augment, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

