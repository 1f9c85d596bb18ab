"""Offline augmentation: write augmented copies of a dataset to disk, and read them back.

:func:`materialize` runs a policy over a dataset ``copies`` times and writes
the results as TFRecord shards plus a ``manifest.json``;
:func:`load_materialized` reads them back as a ``tf.data.Dataset`` with the
original structure, dtypes and static shapes. Training then reads augmented
data at disk speed, and the data set on disk can be shipped and audited.

Layout: the source's ``N`` elements are cut into ``num_shards`` contiguous
ranges (sizes differ by at most one). Shard ``k`` holds every copy of its
range: for each batch ``b`` of ``batch_size`` elements of the range, copy 0
of the batch, then copy 1, ... Batch ``b`` of copy ``c`` in shard ``k`` is
augmented with the seed ``fold_in(fold_in(fold_in(seed, c), k), b)``
(:func:`tfaug.core.seeds.fold_in`), so every shard is a pure function of
``(source, policy, seed, copies, num_shards, batch_size)`` and its index, and
a rerun regenerates it bit for bit (on the same TensorFlow version, device
kind and :func:`tfaug.core.set_auto_compile` setting).

Crash safety and resume: a shard is written under a hidden temporary name
(``.shard-00003-of-00008.tfrecord.tmp-<pid>``), flushed to disk, recorded in a
sidecar (``.shard-00003-of-00008.tfrecord.done.json``: count, sha256) and only
then renamed to its final name, so every shard under a final name has one.
The manifest comes last, written atomically, and the sidecars are then
removed. A rerun with the same arguments (after a crash, a ``kill -9``, or
the loss of some shards) keeps every shard whose sha256 matches the
manifest or its sidecar, removes the temporary files of dead runs and writes
only what is missing.

Example:
  >>> images = tf.cast(tf.random.uniform([8, 16, 16, 3], 0, 256, tf.int32), tf.uint8)
  >>> labels = tf.range(8)
  >>> ds = tf.data.Dataset.from_tensor_slices((images, labels))
  >>> manifest = materialize(ds, "light_image", "data/aug", copies=2)
  >>> train = load_materialized("data/aug").shuffle(10_000).batch(64)
  >>> [x.shape for x in next(iter(train))]  # 2 augmented copies of 8 images
  [TensorShape([16, 16, 16, 3]), TensorShape([16])]
"""

from __future__ import annotations

from collections.abc import Callable
import inspect
import json
import os
import pathlib
import re
import sys
from typing import Any

import keras
import numpy as np
import tensorflow as tf

import tfaug
from tfaug.core import files, registry
from tfaug.core import seeds as seeds_lib
from tfaug.core.base import Augmentation
from tfaug.data import records
from tfaug.policies import io as policy_io

MAX_SHARDS = 99999


# ------------------------------------------------------------------ arguments
def _check_int(name, value, low, high=None):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or (
            high is not None and value > high):
        allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"`{name}` must be an int {allowed}, got {value!r}.")
    return int(value)


def _strip_names(value):
    """Drops Keras layer names (auto-numbered, they do not change the output)."""
    if isinstance(value, dict):
        return {k: _strip_names(v) for k, v in value.items() if k != "name"}
    if isinstance(value, list):
        return [_strip_names(v) for v in value]
    return value


def _accepts(fn, name):
    target = fn.call if isinstance(fn, tf.keras.layers.Layer) else fn
    try:
        params = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind == p.VAR_KEYWORD for p in params.values())


def _resolve_policy(policy):
    """Returns ``(callable, description, source name)`` for the ``policy`` argument."""
    source = None
    if isinstance(policy, (str, os.PathLike, dict)):
        source = None if isinstance(policy, dict) else str(policy)
        try:
            policy = policy_io.load(policy)
        except ValueError as error:
            raise ValueError(f"`policy`: {error}") from None
    if isinstance(policy, Augmentation):
        try:
            return policy, _strip_names(registry.serialize(policy)), source
        except ValueError:
            pass  # an unregistered subclass: described like any callable
    if not callable(policy):
        raise ValueError("`policy` must be a tfaug layer, a callable taking "
                         "(inputs, training=True, seed=...) or a policy name/path, got "
                         f"{policy!r}.")
    if not _accepts(policy, "seed"):
        raise ValueError(f"`policy` {type(policy).__name__} takes no `seed` argument: "
                         "materialize passes a stateless seed per batch so that every "
                         "shard can be regenerated; wrap it in a function "
                         "`f(inputs, seed)` that draws its randomness from the seed.")
    klass = policy if inspect.isfunction(policy) else type(policy)
    description = {"callable": f"{klass.__module__}.{klass.__qualname__}"}
    if hasattr(policy, "get_config"):
        try:
            config = policy.get_config()
            if isinstance(config, dict):
                description["config"] = _strip_names(json.loads(json.dumps(config)))
        except (TypeError, ValueError, NotImplementedError):
            pass
    return policy, description, source


def _as_dataset(source):
    if isinstance(source, tf.data.Dataset):
        return source
    if hasattr(source, "build"):  # a tfaug.data Pipeline (it must not shuffle)
        ds = source.build(training=False)
        steps = getattr(source, "steps", None)  # a Pipeline without .batch: unbatched
        batched = steps is None or any(getattr(st, "name", None) == "batch" for st in steps)
        return ds.unbatch() if batched else ds
    raise ValueError("`source` must be a tf.data.Dataset of unbatched elements or a "
                     f"tfaug.data Pipeline, got {type(source).__name__}.")


def _count(dataset):
    cardinality = int(dataset.cardinality())
    if cardinality == tf.data.INFINITE_CARDINALITY:
        raise ValueError("`source` is infinite (a `repeat()` without a count?); "
                         "materialize needs a finite dataset.")
    if cardinality == tf.data.UNKNOWN_CARDINALITY:
        cardinality = int(dataset.reduce(tf.constant(0, tf.int64), lambda n, _: n + 1))
    if cardinality == 0:
        raise ValueError("`source` has no elements; there is nothing to materialize.")
    return cardinality


def _ranges(num, num_shards):
    """``[(start, stop)]`` of each shard: contiguous, sizes within one of each other."""
    bounds = [num * k // num_shards for k in range(num_shards + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


# --------------------------------------------------------------- augmentation
def _augmenter(policy):
    """``f(element, seed) -> element``: the policy applied to a batched element.

    Image layers see labels with the images (``{"images", "labels"}``), so
    label-mixing and class-conditional layers work; other layers and
    callables augment ``inputs`` only and leave labels as they are.
    """
    is_image = isinstance(policy, Augmentation) and policy.modality == "image"
    kwargs = {"training": True} if (isinstance(policy, Augmentation)
                                      or _accepts(policy, "training")) else {}

    def run(inputs, seed):
        return policy(inputs, seed=seed, **kwargs)

    def apply(element, seed):
        if not isinstance(element, tuple) or not 1 < len(element) <= 3:
            return run(element, seed)
        inputs, labels, rest = element[0], element[1], tuple(element[2:])
        if is_image and tf.is_tensor(inputs):
            out = run({"images": inputs, "labels": labels}, seed)
            return (out["images"], out["labels"]) + rest
        if is_image and isinstance(inputs, dict) and "labels" not in inputs:
            out = dict(run(dict(inputs, labels=labels), seed))
            labels = out.pop("labels")
            return (out, labels) + rest
        return (run(inputs, seed), labels) + rest

    return apply


def _batches(dataset, ranges, pending, batch_size):
    """Batches of the pending shards' elements, each inside one shard.

    Returns ``(dataset of (global batch id, batch), tables)``: ``tables`` maps
    a global batch id to its shard, its index inside the shard and its size.
    """
    shard_of, local_of, size_of, last_batch = [], [], [], {}
    for k, (start, stop) in enumerate(ranges):
        count = stop - start
        for b in range(-(-count // batch_size)):
            shard_of.append(k)
            local_of.append(b)
            size_of.append(min(batch_size, count - b * batch_size))
        last_batch[k] = len(shard_of) - 1
    offsets = np.cumsum([0] + [-(-(b - a) // batch_size) for a, b in ranges])[:-1]
    starts = tf.constant([a for a, _ in ranges], tf.int64)
    offsets_t = tf.constant(offsets, tf.int64)
    is_pending = tf.constant([k in pending for k in range(len(ranges))])
    sizes = tf.constant(size_of or [1], tf.int64)

    def shard(i):
        return tf.searchsorted(starts, [i], side="right")[0] - 1

    def batch_id(i, _):
        k = shard(i)
        return offsets_t[k] + (i - starts[k]) // batch_size

    first = min(ranges[k][0] for k in pending)
    stop = max(ranges[k][1] for k in pending)
    ds = dataset.enumerate().skip(first).take(stop - first)
    ds = ds.filter(lambda i, _: is_pending[shard(i)])
    ds = ds.group_by_window(
        key_func=batch_id,
        reduce_func=lambda key, window: window.batch(batch_size).map(
            lambda i, x: (key, x)),
        window_size_func=lambda key: sizes[key])
    tables = {"shard": shard_of, "local": local_of, "size": size_of, "last": last_batch}
    return ds, tables


def _augmented(batches, tables, apply, copies, seed):
    """Maps ``(id, batch)`` to ``(id, (copy 0, copy 1, ...))`` with per-batch seeds."""
    shard_t = tf.constant(tables["shard"] or [0], tf.int64)
    local_t = tf.constant(tables["local"] or [0], tf.int64)
    base = seeds_lib.as_seed(seed)

    def augment(gid, element):
        outs = []
        for c in range(copies):
            s = seeds_lib.fold_in(seeds_lib.fold_in(seeds_lib.fold_in(
                base, c), shard_t[gid]), local_t[gid])
            outs.append(apply(element, s))
        return gid, tuple(outs)

    return batches.map(augment, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def _progress_bar(show, total):
    if not show:
        return None
    from tqdm.auto import tqdm  # pylint: disable=import-outside-toplevel
    return tqdm(total=total, unit="el", desc="materialize", file=sys.stderr,
                dynamic_ncols=True)


def _write(directory, serialized, tables, pending, ranges, names, copies, args_sha, bar):
    """Runs the pipeline and writes the pending shards; returns ``{shard: info}``."""
    num_shards = len(ranges)
    infos = {}
    for k in pending:
        if ranges[k][0] == ranges[k][1]:  # more shards than elements
            infos[k] = records.ShardWriter(directory, k, num_shards).finish(args_sha)
    current = None
    try:
        for gid, blobs in serialized.as_numpy_iterator():
            k = tables["shard"][gid]
            if current is not None and current.index != k:
                break  # the previous shard never got its last batch
            if current is None:
                current = records.ShardWriter(directory, k, num_shards)
            for c in range(copies):
                current.write(records.examples(names, blobs[c]))
            if bar is not None:
                bar.update(copies * blobs.shape[-1])
            if gid == tables["last"][k]:
                infos[k] = current.finish(args_sha)
                current = None
    except tf.errors.InvalidArgumentError as error:
        if "cannot batch tensors" not in str(error).lower():
            raise
        said = re.sub(r"\{\{.*?\}\}\s*|\s*\[Op:.*$", "", str(error).splitlines()[0])
        raise ValueError("elements of `source` differ in shape and cannot be augmented "
                         "in batches; resize them to one size first (tfaug materialize: "
                         f"--image-size H W). TensorFlow said: {said}") from None
    finally:
        if current is not None:
            current.abort()
    missing = [k for k in pending if k not in infos]
    if missing:
        raise ValueError(f"`source` yielded fewer elements than it counted (shards {missing} "
                         "incomplete); its elements must come in a deterministic order.")
    return infos


# --------------------------------------------------------------------- public
def materialize(source: tf.data.Dataset,
                policy: keras.layers.Layer | str | os.PathLike[str] | Callable[..., Any],
                output_dir: str | os.PathLike[str], copies: int = 1, num_shards: int = 8,
                seed: int = 0, batch_size: int = 32, overwrite: bool = False,
                progress: bool | None = None) -> dict[str, Any]:
    """Writes ``copies`` augmented copies of every element of ``source`` to disk.

    See the module docstring for the layout, the seeds and crash safety. A
    rerun with the same arguments resumes (or, when complete, only checks
    the shards); other arguments on a non-empty ``output_dir`` raise unless
    ``overwrite``. Only the elements' count and spec are compared, not their
    content: give the same source to resume.

    Args:
      source: A ``tf.data.Dataset`` of *unbatched* elements ``(inputs,
        labels)``, ``(inputs, labels, sample_weights)`` or ``inputs`` (a
        tensor or a dict of tensors), in a deterministic order (no
        ``shuffle`` without a seed, no nondeterministic ``interleave``); or
        a ``tfaug.data`` Pipeline, read as ``build(training=False).unbatch()``
        (it must not shuffle).
      policy: A tfaug layer, a policy name or path (see
        :func:`tfaug.policies.load`), or any callable or Keras layer taking
        ``(inputs, training=True, seed=...)`` with ``seed`` an int64 ``[2]``
        tensor. Image layers get labels with the images
        (``{"images", "labels"}``); others augment ``inputs`` only.
      output_dir: Directory to write (created if missing).
      copies: Augmented copies per element, >= 1.
      num_shards: TFRecord files, >= 1 (a shard is the unit of resume).
      seed: Non-negative int; the root of every batch's seed.
      batch_size: Elements augmented together, >= 1. Part of the result: a
        batch's seed covers the batch.
      overwrite: Replace a materialization made with other arguments (or a
        non-empty folder's shard files); files not made by materialize stay.
      progress: Show a tqdm bar over elements on stderr: None (if stderr is
        a terminal), True or False.

    Returns:
      The manifest written to ``output_dir/manifest.json`` (a dict).

    Raises:
      ValueError: a bad argument (names it), an empty or infinite source,
        a non-empty ``output_dir`` holding something else.
      NotADirectoryError: ``output_dir`` is a file.

    Example:
      >>> images = tf.cast(tf.random.uniform([8, 16, 16, 3], 0, 256, tf.int32), tf.uint8)
      >>> labels = tf.range(8)
      >>> ds = tf.data.Dataset.from_tensor_slices((images, labels))
      >>> flip = tfaug.image.RandomFlip("horizontal")  # or a policy name: "light_image"
      >>> manifest = materialize(ds, flip, "aug/", copies=2, num_shards=4)
      >>> manifest["total"] == 2 * len(images)
      True
    """
    copies = _check_int("copies", copies, 1)
    num_shards = _check_int("num_shards", num_shards, 1, MAX_SHARDS)
    seed = _check_int("seed", seed, 0, 2**63 - 1)
    batch_size = _check_int("batch_size", batch_size, 1)
    for name, value in (("overwrite", overwrite), ("progress", progress)):
        if not isinstance(value, bool) and not (name == "progress" and value is None):
            raise ValueError(f"`{name}` must be True or False{' or None' * (name == 'progress')}"
                             f", got {value!r}.")
    if not isinstance(output_dir, (str, os.PathLike)) or not str(output_dir):
        raise ValueError(f"`output_dir` must be a path, got {output_dir!r}.")
    layer, description, policy_source = _resolve_policy(policy)
    directory = pathlib.Path(output_dir)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"`output_dir` {str(directory)!r} is a file; give a "
                                 "directory (new, empty, or holding a materialization).")
    dataset = _as_dataset(source)
    source_tree, source_features = records.describe(dataset.element_spec)
    num = _count(dataset)
    ranges = _ranges(num, num_shards)
    args = {"format": records.FORMAT, "version": records.VERSION, "policy": description,
            "seed": seed, "copies": copies, "num_shards": num_shards,
            "batch_size": batch_size,
            "source": {"num_elements": num, "structure": source_tree,
                       "features": source_features},
            "tfaug_version": tfaug.__version__, "tensorflow_version": tf.__version__}
    args = json.loads(json.dumps(args))  # tuples -> lists, as read back from disk
    args_sha = records.args_sha256(args)
    known = records.prepare_directory(directory, args, overwrite)
    done = records.complete_shards(directory, known, num_shards)
    pending = [k for k in range(num_shards) if k not in done]

    batches, tables = _batches(dataset, ranges, pending or list(range(num_shards)),
                               batch_size)
    augmented = _augmented(batches, tables, _augmenter(layer), copies, seed)
    tree, features = records.describe(records.unbatched_spec(augmented.element_spec[1][0]))
    serialized = augmented.map(
        lambda gid, outs: (gid, tf.stack([tf.stack(records.serialize_batch(o, features))
                                          for o in outs])),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).prefetch(2)
    if pending:
        show = (getattr(sys.stderr, "isatty", lambda: False)() if progress is None
                else progress)
        bar = _progress_bar(show, copies * sum(ranges[k][1] - ranges[k][0] for k in pending))
        try:
            done.update(_write(directory, serialized, tables, pending, ranges,
                               [f["name"] for f in features], copies, args_sha, bar))
        finally:
            if bar is not None:
                bar.close()
    shards = [done[k] for k in range(num_shards)]
    manifest = dict(args, policy_source=policy_source, structure=tree, features=features,
                    shards=shards, total=sum(s["count"] for s in shards),
                    order="shard > batch > copy > element")
    records.write_json(directory / records.MANIFEST, manifest)
    for k in range(num_shards):
        records.sidecar(directory, records.shard_name(k, num_shards)).unlink(missing_ok=True)
    (directory / records.PLAN).unlink(missing_ok=True)
    files.fsync_path(directory)
    return manifest


def load_materialized(directory: str | os.PathLike[str], verify: bool = True) -> tf.data.Dataset:
    """Reads a materialized dataset back.

    Args:
      directory: A folder written by :func:`materialize`.
      verify: Check first that every shard in the manifest exists and that
        its sha256 matches (reads every file once).

    Returns:
      A ``tf.data.Dataset`` of unbatched elements with the structure, dtypes
      and static shapes ``materialize`` wrote, in shard order, with a known
      cardinality (the manifest's total).

    Raises:
      FileNotFoundError: no manifest (an unfinished run: rerun materialize
        with the same arguments), or a listed shard is missing.
      ValueError: a shard's sha256 differs from the manifest's (the message
        names the shard), or the manifest is not a tfaug materialization.

    Example:
      >>> images = tf.cast(tf.random.uniform([8, 16, 16, 3], 0, 256, tf.int32), tf.uint8)
      >>> source = tf.data.Dataset.from_tensor_slices((images, tf.range(8)))
      >>> manifest = tfaug.data.materialize(source, tfaug.image.RandomFlip(), "aug/", copies=2)
      >>> ds = load_materialized("aug/").shuffle(4096).batch(64)
      >>> ds.element_spec[0]  # the source's dtypes and static shapes
      TensorSpec(shape=(None, 16, 16, 3), dtype=tf.uint8, name=None)
    """
    directory = pathlib.Path(directory)
    path = directory / records.MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"`directory` {str(directory)!r} has no {records.MANIFEST}: "
                                "not a materialized dataset, or materialize did not finish "
                                "(rerun it with the same arguments to complete it).")
    manifest = records.read_json(path)
    if not isinstance(manifest, dict) or manifest.get("format") != records.FORMAT:
        raise ValueError(f"{str(path)!r} is not a tfaug materialization (format "
                         f"{records.FORMAT!r} expected).")
    if manifest.get("version") != records.VERSION:
        raise ValueError(f"{str(path)!r} has version {manifest.get('version')!r}; this "
                         f"tfaug reads version {records.VERSION}.")
    files = []
    for info in manifest.get("shards", []):
        name = info.get("file") if isinstance(info, dict) else None
        if not isinstance(name, str) or not records.SHARD_PATTERN.match(name):
            raise ValueError(f"{str(path)!r} lists a bad shard entry {info!r}.")
        file = directory / name
        if verify:
            if not file.is_file():
                raise FileNotFoundError(f"shard {name!r} listed in {str(path)!r} is missing; "
                                        "rerun materialize with the same arguments to "
                                        "regenerate it.")
            digest = records.sha256(file)
            if digest != info.get("sha256"):
                raise ValueError(f"shard {name!r} in {str(directory)!r} does not match "
                                 f"{records.MANIFEST} (sha256 {digest[:16]}..., expected "
                                 f"{str(info.get('sha256'))[:16]}...): it was modified after "
                                 "it was written; rerun materialize with the same arguments "
                                 "to regenerate it.")
        files.append(str(file))
    decode = records.decoder(manifest["structure"], manifest["features"])
    dataset = tf.data.TFRecordDataset(files).map(
        decode, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.apply(tf.data.experimental.assert_cardinality(int(manifest["total"])))
