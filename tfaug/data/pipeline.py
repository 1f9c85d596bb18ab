"""``Pipeline``: a small, immutable builder of ``tf.data`` input pipelines.

A pipeline is a source (``Pipeline.from_*``) and a tuple of steps (``.map``,
``.cache``, ``.shuffle``, ``.repeat``, ``.batch``, ``.augment``, ``.prefetch``).
Every method returns a new pipeline; ``build()`` makes the ``tf.data.Dataset``
that ``model.fit`` reads, and ``build(training=False)`` the evaluation one.

Example:
    >>> import os
    >>> for label in ["cats", "dogs"]:  # a folder of PNGs per class
    ...     os.makedirs(f"train/{label}", exist_ok=True)
    ...     for i in range(4):
    ...         pixels = tf.random.uniform([40, 48, 3], 0, 256, tf.int32)
    ...         png = tf.io.encode_png(tf.cast(pixels, tf.uint8))
    ...         tf.io.write_file(f"train/{label}/{i}.png", png)
    >>> pipe = (Pipeline.from_image_directory("train/", image_size=(32, 32))
    ...         .cache().shuffle(1000, seed=0).batch(4)
    ...         .augment("light_image", seed=1))
    >>> images, labels = next(iter(pipe.build()))  # augmented, for model.fit
    >>> images.shape, pipe.class_names
    (TensorShape([4, 32, 32, 3]), ['cats', 'dogs'])
    >>> plain = pipe.build(training=False)  # the same batches, unaugmented
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import os
from typing import Any

import keras
import tensorflow as tf

from tfaug.core import validation
from tfaug.data import pipeline_augment as augment_lib
from tfaug.data import pipeline_sources, sources

AUTOTUNE = tf.data.AUTOTUNE
AUGMENT_ON = ("dataset", "model")
batch_seed = augment_lib.batch_seed

PASS_SEED = augment_lib.PASS_SEED
_ONCE = ("cache", "shuffle", "repeat", "batch", "prefetch")


class Step(tuple):
    """One builder step: ``(name, args)``, ``args`` a tuple of ``(key, value)``."""

    __slots__ = ()

    def __new__(cls, step, **args):
        return super().__new__(cls, (step, tuple(args.items())))

    @property
    def name(self):
        return self[0]

    @property
    def args(self):
        return dict(self[1])

    def __repr__(self):
        shown = {k: v for k, v in self[1] if k != "fn"}
        text = ", ".join(f"{k}={v!r}" if k != "layer" else v for k, v in shown.items())
        return f".{self.name}({text})"


class Pipeline(pipeline_sources.SourceConstructors):
    """An immutable, chainable builder of ``tf.data`` pipelines for ``model.fit``.

    Make one with a ``from_*`` constructor, add steps, then ``build()``::

        pipe = (Pipeline.from_tensors(images, labels)
                .shuffle(1024, seed=0).batch(32)
                .augment(tfaug.image.RandomFlip(), seed=1))
        model.fit(pipe.build(), epochs=5)
        model.evaluate(pipe.build(training=False))

    Every method returns a new ``Pipeline``; the original is unchanged, so one
    base pipeline can branch into several.

    Order of the steps. ``.map`` and ``.cache`` run per element in the order
    they were added (call ``.map`` before ``.batch``). The other steps take
    their fixed places, the order the ``tf.data`` performance guide advises:
    read -> maps/cache -> shuffle -> [epochs: repeat] -> batch -> augment ->
    prefetch. So ``.shuffle`` always shuffles elements (before batching,
    after the cache), batches never straddle epochs, and augmentation always
    runs on whole batches, as a ``map`` with ``num_parallel_calls=AUTOTUNE``
    and ``deterministic=True``. ``build`` adds ``prefetch(AUTOTUNE)`` unless
    ``.prefetch`` says otherwise.

    Seeds. An ``.augment(layer, seed=s)`` step gives each batch the seed
    ``fold_in(fold_in(fold_in(s, pass_key), epoch), batch)``
    (:func:`batch_seed`), so batches are the same run after run and with any
    parallelism. ``batch`` counts batches within an epoch; ``epoch`` counts the
    epochs of ``.repeat(count)`` (``count=None``: endless). The built dataset is
    ``passes.flat_map(epochs.flat_map(batches.enumerate()))``: the batches are
    tagged with their epoch and index, then augmented by a parallel ``map``.
    This works with an endless repeat: the epoch counter is
    ``Dataset.counter()``. ``pass_key`` tells apart the iterations over one
    built dataset (Keras starts one per epoch when the dataset does not
    repeat): it is drawn by ``Dataset.random(PASS_SEED,
    rerandomize_each_iteration=True)``, the same sequence in every build (it
    depends on ``tf.random.set_seed``, like ``shuffle``). Shuffling with a
    ``seed`` is reproducible the same way, a new order each epoch. Without a
    ``seed`` a tfaug layer advances its own seed state (not reproducible under
    a parallel map). Keras layers and callables without a ``seed`` argument
    draw their own randomness: they are not reproducible.

    Labels. A tfaug layer that reads labels (``MixUp``, ``CutMix``,
    ``ClassConditional``) gets ``{"images": x, "labels": y}`` and both come
    back; other layers and callables get the inputs only.

    Where augmentation runs (``augment_on``):

    * ``"dataset"`` (default): inside ``tf.data`` on the host CPU, overlapped
      with the accelerator's training step. Best when the accelerator is the
      bottleneck, for ops without XLA or GPU kernels (codecs, text), and for
      layers that read labels.
    * ``"model"``: ``build()`` leaves it out and :meth:`augmentation_layers`
      returns a Keras layer to put at the front of the model, so the
      accelerator runs it inside the compiled train step (XLA-compatible
      layers only), and it is off at inference (``training=False``). Best when
      the host CPU is the bottleneck. The layer uses its own seed state
      (give it a construction ``seed``).

    ``build(training=False)``: the same reading and preprocessing, batched the
    same way, once through, without shuffle, repeat or augmentation; elements
    are bit-identical to the unaugmented input.
    """

    __slots__ = ("_source", "_steps")

    def __init__(self, source: sources.Source, steps: Sequence[Step] = ()) -> None:
        """Use the ``from_*`` constructors; this takes a :class:`sources.Source`."""
        if not isinstance(source, sources.Source):
            raise ValueError(f"`source` must be a tfaug.data.sources.Source (use the "
                             f"Pipeline.from_* constructors), got {source!r}.")
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_steps", tuple(steps))

    def __setattr__(self, name, value):
        raise AttributeError("Pipeline is immutable: each method returns a new Pipeline.")

    # --------------------------------------------------------------- steps
    def _with(self, step):
        if step.name in _ONCE and self._find(step.name) is not None:
            raise ValueError(f"the pipeline already has {self._find(step.name)!r}; each of "
                             f".{', .'.join(_ONCE)} may be given once.")
        return type(self)(self._source, self._steps + (step,))

    def _find(self, name):
        return next((s for s in self._steps if s.name == name), None)

    def map(self, fn: Callable[..., Any]) -> Pipeline:
        """Per-element preprocessing (parallel, order kept).

        Args:
          fn: Called like ``tf.data.Dataset.map``: ``fn(inputs, labels)`` for
            labelled elements, ``fn(inputs)`` otherwise.

        Returns:
          A new ``Pipeline``.

        Raises:
          ValueError: ``fn`` is not callable, or the pipeline already batches.
        """
        if not callable(fn):
            raise ValueError(f"`fn` must be callable, got {fn!r}.")
        if self._find("batch") is not None:
            raise ValueError("`fn`: .map() runs per element, before batching; call it "
                             "before .batch() (use .augment() for work on batches).")
        return self._with(Step("map", fn=fn, name=getattr(fn, "__name__", repr(fn))))

    def cache(self, filename: str | os.PathLike[str] = "") -> Pipeline:
        """Caches elements after the maps added so far ("" = in memory).

        Args:
          filename: "" for memory, or a file prefix for an on-disk cache.
        """
        if not isinstance(filename, (str, os.PathLike)):
            raise ValueError(f"`filename` must be a str or os.PathLike ('' caches in "
                             f"memory), got {filename!r}.")
        return self._with(Step("cache", filename=os.fspath(filename)))

    def shuffle(self, buffer_size: int, seed: int | None = None) -> Pipeline:
        """Shuffles elements, a new order each epoch.

        Args:
          buffer_size: Elements in the shuffle buffer (>= 1).
          seed: None (a new order every run) or an int (the same orders).
        """
        buffer_size = validation.check_int("buffer_size", buffer_size, 1)
        seed = validation.check_seed("seed", seed)
        return self._with(Step("shuffle", buffer_size=buffer_size, seed=seed))

    def repeat(self, count: int | None = None) -> Pipeline:
        """Repeats the epoch ``count`` times (None: endlessly)."""
        if count is not None:
            count = validation.check_int("count", count, 1)
        return self._with(Step("repeat", count=count))

    def batch(self, batch_size: int, drop_remainder: bool = False) -> Pipeline:
        """Batches elements (within an epoch).

        Args:
          batch_size: Elements per batch (>= 1).
          drop_remainder: Drop an epoch's last, smaller batch.
        """
        batch_size = validation.check_int("batch_size", batch_size, 1)
        if not isinstance(drop_remainder, bool):
            raise ValueError(f"`drop_remainder` must be a bool, got {drop_remainder!r}.")
        return self._with(Step("batch", batch_size=batch_size, drop_remainder=drop_remainder))

    def augment(self,
                layer_or_policy: keras.layers.Layer | str | os.PathLike[str] | Callable[..., Any],
                seed: int | None = None, augment_on: str = "dataset") -> Pipeline:
        """Augments each batch for training (several steps run in order).

        Args:
          layer_or_policy: A tfaug layer, a Keras layer, a policy name or path
            (``tfaug.policies.load``), or a callable ``fn(inputs)`` (given
            ``seed=`` and ``training=`` when it takes them).
          seed: None or an int: each batch's seed is derived from it (see the
            class docstring). Only for ``augment_on="dataset"``.
          augment_on: ``"dataset"`` or ``"model"`` (see the class docstring).

        Returns:
          A new ``Pipeline``.

        Raises:
          ValueError: a bad argument, a model-side layer that reads labels or
            has a ``seed``; or what ``tfaug.policies.load`` raises.

        Example:
          >>> images = tf.cast(tf.random.uniform([8, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
          >>> pipe = Pipeline.from_tensors(images, tf.range(8))
          >>> augmented = pipe.batch(4).augment("light_image", seed=0)
          >>> [x.shape for x in next(iter(augmented.build()))]
          [TensorShape([4, 32, 32, 3]), TensorShape([4])]
        """
        augment_on = validation.check_choice("augment_on", augment_on, AUGMENT_ON)
        seed = validation.check_seed("seed", seed)
        layer, name = augment_lib.resolve(layer_or_policy)
        if augment_on == "model":
            if seed is not None:
                raise ValueError("`seed` is for augment_on='dataset'; a model-side layer "
                                 f"uses its own seed state (construct it with seed=...), "
                                 f"got seed={seed}.")
            if augment_lib.reads_labels(layer):
                raise ValueError(f"`layer_or_policy` {name} reads labels, which a model's "
                                 "layers never see; use augment_on='dataset'.")
        return self._with(Step("augment", layer=name, seed=seed, augment_on=augment_on,
                               fn=layer))

    def prefetch(self, buffer_size: int = AUTOTUNE) -> Pipeline:
        """Prefetches ``buffer_size`` batches (AUTOTUNE by default; 0: none)."""
        if buffer_size != AUTOTUNE or isinstance(buffer_size, bool):
            buffer_size = validation.check_int("buffer_size", buffer_size, 0)
        return self._with(Step("prefetch", buffer_size=buffer_size))

    # --------------------------------------------------------------- views
    @property
    def steps(self):
        """The steps, in the order they were added (a tuple of :class:`Step`)."""
        return self._steps

    @property
    def source(self):
        """The :class:`tfaug.data.sources.Source`."""
        return self._source

    @property
    def class_names(self):
        """Class names in label order (image folders, text labels), else None."""
        return self._source.info.get("class_names")

    @property
    def sample_rate(self):
        """Sample rate of a WAV source, else None."""
        return self._source.info.get("sample_rate")

    @property
    def element_spec(self):
        """``element_spec`` of ``build(training=True)``."""
        return self.build(training=True).element_spec

    def __repr__(self):
        lines = [f"Pipeline.{self._source!r}"]
        for step in self._steps:
            text = repr(step)
            if step.name == "map":
                text = f".map({step.args['name']})"
            lines.append("  " + text)
        return "\n".join(lines)

    def _augments(self, where):
        return [s.args for s in self._steps if s.name == "augment"
                and s.args["augment_on"] == where]

    def augmentation_layers(self) -> keras.layers.Layer | None:
        """The ``augment_on="model"`` steps as one Keras layer, or None.

        Put it at the front of the model: it augments in ``fit`` (training)
        and passes inputs through in ``predict``/``evaluate``. Every call
        returns the same augmentation layers (several are wrapped in a new
        ``keras.Sequential`` each time; build the model once).

        Returns:
          A layer (a ``keras.Sequential`` for several steps), or None.

        Example:
          >>> images = tf.cast(tf.random.uniform([8, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
          >>> pipe = Pipeline.from_tensors(images, tf.range(8)).batch(4).augment(
          ...     tfaug.image.RandomFlip(), augment_on="model")
          >>> backbone = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
          >>> model = keras.Sequential([keras.Input((32, 32, 3)),
          ...     pipe.augmentation_layers(), backbone])
          >>> type(model.layers[0]).__name__
          'RandomFlip'
        """
        steps = self._augments("model")
        if not steps:
            return None
        return augment_lib.model_layer([s["fn"] for s in steps])

    # --------------------------------------------------------------- build
    def build(self, training: bool = True, data_service: str | None = None,
              processing_mode: str = "parallel_epochs", *, batch_size: int | None = None,
              shard: tuple[int, int] | None = None) -> tf.data.Dataset:
        """Makes the ``tf.data.Dataset``.

        Args:
          training: True: the training dataset (shuffle, repeat, augmentation).
            False: the evaluation dataset (same reading, preprocessing and
            batching; no shuffle, repeat or augmentation).
          data_service: Optional tf.data service dispatcher
            (``"grpc://host:port"``): everything before ``prefetch`` runs on
            its workers (:func:`tfaug.data.service.distribute`).
          processing_mode: The service's mode, ``"parallel_epochs"`` or
            ``"distributed_epoch"`` (every element once per epoch across the
            workers). In ``"parallel_epochs"`` every worker runs the whole
            seeded pipeline (one worker gives exactly the local batches). In
            ``"distributed_epoch"`` the source must be split, so augmentation
            layers use their own seed states (one copy per worker; not
            reproducible run to run) and ``.repeat`` runs on the trainer's side.
          batch_size: Overrides the ``.batch`` step's size (per-replica batches).
          shard: ``(num_shards, index)``: read only this shard of the source.

        Returns:
          A dataset of ``(inputs, labels)``, or ``inputs`` without labels.

        Raises:
          ValueError: a dataset-side ``.augment`` without ``.batch``.
        """
        if not isinstance(training, bool):
            raise ValueError(f"`training` must be a bool, got {training!r}.")
        ds = self._source.make()
        if shard is not None:  # (number of input pipelines, this pipeline's id)
            ds = ds.shard(*shard)
        for step in self._steps:
            if step.name == "map":
                ds = ds.map(step.args["fn"], num_parallel_calls=AUTOTUNE, deterministic=True)
            elif step.name == "cache":
                ds = ds.cache(step.args["filename"])
        shuffle, repeat, batch = (self._find(n) for n in ("shuffle", "repeat", "batch"))
        augments = self._augments("dataset") if training else []
        if augments and batch is None:
            raise ValueError("`.augment()` runs on batches: add a .batch() step (or use "
                             "augment_on='model').")
        if training and shuffle is not None:
            ds = ds.shuffle(shuffle.args["buffer_size"], seed=shuffle.args["seed"],
                            reshuffle_each_iteration=True)
        if batch is not None:
            size = batch.args["batch_size"] if batch_size is None else batch_size
            ds = ds.batch(size, drop_remainder=batch.args["drop_remainder"])
        if data_service is not None and processing_mode == "distributed_epoch":
            # The workers split the source among them: one epoch, one source;
            # layers use their own seed states; epochs repeat on this side.
            from tfaug.data import service  # pylint: disable=import-outside-toplevel
            if augments:
                ds = augment_lib.augmented_by_layers(ds, augments)
            ds = service.distribute(ds, data_service, processing_mode)
            if training and repeat is not None:
                ds = ds.repeat(repeat.args["count"])
        elif augments:
            ds = augment_lib.augmented_epochs(ds, repeat.args["count"] if repeat else 1,
                                              augments)
        elif training and repeat is not None:
            ds = ds.repeat(repeat.args["count"])
        if data_service is not None and processing_mode != "distributed_epoch":
            from tfaug.data import service  # pylint: disable=import-outside-toplevel
            ds = service.distribute(ds, data_service, processing_mode)
        prefetch = self._find("prefetch")
        buffer_size = AUTOTUNE if prefetch is None else prefetch.args["buffer_size"]
        return ds.prefetch(buffer_size) if buffer_size else ds

    def distribute(self, strategy: tf.distribute.Strategy,
                   training: bool = True) -> tf.distribute.DistributedDataset:
        """The dataset for ``strategy``: per-replica batches, one shard per input pipeline.

        Uses ``strategy.distribute_datasets_from_function``: each input
        pipeline (one per worker host) reads shard ``input_pipeline_id`` of
        ``num_input_pipelines`` of the source and batches
        ``global_batch // num_replicas_in_sync`` elements (the ``.batch``
        step's size is the global batch). Augmentation seeds are also folded
        with the input pipeline's id, so hosts draw different augmentations.

        Args:
          strategy: A ``tf.distribute.Strategy`` (``MirroredStrategy``,
            ``MultiWorkerMirroredStrategy``, ``TPUStrategy``, ...).
          training: As in :meth:`build`.

        Returns:
          A ``tf.distribute.DistributedDataset`` for ``model.fit`` under
          ``strategy.scope()`` or a custom loop.

        Raises:
          ValueError: no ``.batch`` step, or a global batch the replicas do
            not divide.

        Example:
          >>> images = tf.cast(tf.random.uniform([8, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
          >>> pipe = Pipeline.from_tensors(images, tf.range(8))
          >>> strategy = tf.distribute.MirroredStrategy()
          >>> ds = pipe.batch(4).augment(tfaug.image.RandomFlip(), seed=0).distribute(strategy)
          >>> isinstance(ds, tf.distribute.DistributedDataset)
          True
        """
        if not isinstance(strategy, tf.distribute.Strategy):
            raise ValueError("`strategy` must be a tf.distribute.Strategy, got "
                             f"{type(strategy).__name__}.")
        batch = self._find("batch")
        if batch is None:
            raise ValueError("`distribute` needs a .batch(global_batch_size) step.")
        global_batch = batch.args["batch_size"]
        replicas = strategy.num_replicas_in_sync
        if global_batch % replicas:
            raise ValueError(f"The global batch size {global_batch} (`.batch`) must be a "
                             f"multiple of the {replicas} replicas in sync.")

        def dataset_fn(context):
            pipe = self
            if context.num_input_pipelines > 1:
                pipe = self._reseeded(context.input_pipeline_id)
            shard = (context.num_input_pipelines, context.input_pipeline_id)
            return pipe.build(training, batch_size=context.get_per_replica_batch_size(
                global_batch), shard=shard if shard[0] > 1 else None)

        return strategy.distribute_datasets_from_function(dataset_fn)

    def _reseeded(self, salt):
        """This pipeline with every augment step's seed mixed with ``salt``."""
        steps = []
        for step in self._steps:
            if step.name == "augment" and step.args["seed"] is not None:
                args = dict(step.args, seed=(step.args["seed"] * 1000003 + salt) % (2 ** 31))
                step = Step("augment", **args)
            steps.append(step)
        return type(self)(self._source, tuple(steps))


__all__ = ["AUGMENT_ON", "Pipeline", "Step", "batch_seed"]
