"""Storage of materialized datasets: structure, ``tf.train.Example`` records, files.

:mod:`tfaug.data.offline` (``tfaug.data.materialize``) writes augmented copies of a dataset as TFRecord
shards; this module holds the pieces that do not depend on augmentation:

* the *structure* of an element (``inputs``, ``(inputs, labels)``, nested
  dicts) as JSON, and the flat list of named features inside it;
* encoding a batch of elements as ``tf.train.Example`` records, one bytes
  feature per tensor holding ``tf.io.serialize_tensor`` of it, so any dtype
  and shape round-trips losslessly (uint8 images, strings, float audio or
  tables, int labels), and decoding them back with static shapes;
* atomic file writes (temporary name, ``fsync``, ``os.replace``) and sha256;
* the state of an output folder between runs: the plan (the arguments of the
  run in progress), one sidecar per finished shard (count, sha256), and the
  temporary files of dead runs, which :func:`prepare_directory` removes;
* :func:`image_folder`, a small reader of image trees laid out one folder
  per class (what ``tfaug materialize`` reads).

Example:
  >>> dataset = tf.data.Dataset.from_tensor_slices(
  ...     (tf.zeros([4, 8, 8, 3], tf.uint8), tf.range(4)))
  >>> tree, features = describe(dataset.element_spec)
  >>> [f["name"] for f in features]
  ['inputs', 'labels']
  >>> columns = serialize_batch(next(iter(dataset.batch(4))), features)
  >>> with tf.io.TFRecordWriter("part.tfrecord") as writer:
  ...     for record in examples([f["name"] for f in features],
  ...                            [c.numpy() for c in columns]):
  ...         writer.write(record)
  >>> decode = decoder(tree, features)
  >>> ds = tf.data.TFRecordDataset(["part.tfrecord"]).map(decode)
  >>> ds.element_spec == dataset.element_spec
  True
"""

import hashlib
import json
import os
import pathlib
import re

import tensorflow as tf

from tfaug.core import files

FORMAT = "tfaug.materialized"
VERSION = 1
MANIFEST = "manifest.json"
# Names of the parts of a top-level tuple, in Keras' order.
TUPLE_NAMES = ("inputs", "labels", "sample_weights")
PLAN = ".materialize-plan.json"
DONE_SUFFIX = ".done.json"
# Arguments that decide the content: a rerun resumes only when they all match.
COMPARED = ("format", "version", "policy", "seed", "copies", "num_shards", "batch_size",
            "source", "tfaug_version", "tensorflow_version")
# Temporary files of this module only (a user's own hidden files stay).
_TEMP = re.compile(r"^\.(?:shard-\d{5}-of-\d{5}\.tfrecord|\.shard-\d{5}-of-\d{5}\.tfrecord"
                   r"\.done\.json|manifest\.json|\.materialize-plan\.json)\.tmp-(\d+)$")
SHARD_PATTERN = re.compile(r"^shard-\d{5}-of-\d{5}\.tfrecord$")
_DONE = re.compile(r"^\.shard-\d{5}-of-\d{5}\.tfrecord\.done\.json$")


def shard_name(index, num_shards):
    """File name of shard ``index`` of ``num_shards``: ``shard-00003-of-00008.tfrecord``."""
    return f"shard-{index:05d}-of-{num_shards:05d}.tfrecord"


def temp_name(name):
    """Hidden temporary name of ``name`` for this process: ``.NAME.tmp-<pid>``."""
    return f".{name}.tmp-{os.getpid()}"


# ------------------------------------------------------------------ structure
def describe(element_spec):
    """JSON structure and named features of an (unbatched) element spec.

    A top-level tuple is ``(inputs, labels[, sample_weights])``; anything else
    is ``inputs``. Dict keys extend a feature's name with ``/``.

    Args:
      element_spec: ``dataset.element_spec``: a ``tf.TensorSpec``, or tuples
        and dicts of them.

    Returns:
      ``(tree, features)``: ``tree`` is ``{"feature": name}``,
      ``{"tuple": [trees]}`` or ``{"dict": {key: tree}}``; ``features`` a list
      of ``{"name", "dtype", "shape"}`` (``shape`` with ``None`` for unknown
      sizes), in the order of ``tf.nest.flatten``.

    Raises:
      ValueError: a ragged or sparse component, an empty tuple or dict, a
        non-string dict key, or two features with the same name.
    """
    features = []

    def walk(spec, name):
        if isinstance(spec, dict):
            if not spec:
                raise ValueError(f"`source` elements hold an empty dict at {name!r}.")
            for key in spec:
                if not isinstance(key, str):
                    raise ValueError(f"`source` dict keys must be strings, got {key!r}.")
            return {"dict": {k: walk(spec[k], f"{name}/{k}") for k in sorted(spec)}}
        if isinstance(spec, (tuple, list)):
            if not spec:
                raise ValueError(f"`source` elements hold an empty tuple at {name!r}.")
            return {"tuple": [walk(s, f"{name}/{i}") for i, s in enumerate(spec)]}
        if type(spec) is not tf.TensorSpec:  # pylint: disable=unidiomatic-typecheck
            raise ValueError(f"`source` element {name!r} is a {type(spec).__name__}; only "
                             "dense tensors can be materialized (convert ragged or "
                             "sparse tensors to dense first).")
        if any(f["name"] == name for f in features):
            raise ValueError(f"`source` has two features named {name!r}.")
        features.append({"name": name, "dtype": spec.dtype.name,
                         "shape": None if spec.shape.rank is None else spec.shape.as_list()})
        return {"feature": name}

    if isinstance(element_spec, tuple) and 1 < len(element_spec) <= len(TUPLE_NAMES):
        tree = {"tuple": [walk(s, TUPLE_NAMES[i]) for i, s in enumerate(element_spec)]}
    else:
        tree = walk(element_spec, "inputs")
    return tree, features


def unbatched_spec(batched_spec):
    """The spec of one element of a batch: every leaf loses its first dimension."""
    return tf.nest.map_structure(
        lambda s: tf.TensorSpec(s.shape[1:] if s.shape.rank else None, s.dtype),
        batched_spec)


def pack(tree, values):
    """Rebuilds the structure ``tree`` from ``{feature name: tensor}``."""
    if "feature" in tree:
        return values[tree["feature"]]
    if "dict" in tree:
        return {k: pack(v, values) for k, v in tree["dict"].items()}
    return tuple(pack(v, values) for v in tree["tuple"])


# ------------------------------------------------------------------- encoding
def serialize_batch(element, features):
    """Serializes every row of a batched element (graph op).

    Args:
      element: A batched element (structure of ``[B, ...]`` tensors), in the
        order of ``features``.
      features: From :func:`describe`.

    Returns:
      A list of ``tf.string`` ``[B]`` tensors, one per feature: each row
      ``tf.io.serialize_tensor`` of that row.
    """
    leaves = tf.nest.flatten(element)
    out = []
    for leaf, feature in zip(leaves, features):
        out.append(tf.map_fn(tf.io.serialize_tensor, leaf,
                             fn_output_signature=tf.TensorSpec([], tf.string)))
    return out


def examples(names, columns):
    """Serialized ``tf.train.Example`` records, one per row.

    Args:
      names: Feature names.
      columns: One sequence of ``bytes`` per name (equal lengths).

    Yields:
      ``bytes``: each record, serialized deterministically (sorted keys), so
      the same tensors always give the same bytes.
    """
    for row in zip(*columns):
        example = tf.train.Example()
        for name, value in zip(names, row):
            example.features.feature[name].bytes_list.value.append(value)
        yield example.SerializeToString(deterministic=True)


def decoder(tree, features):
    """A ``tf.data`` map function: serialized ``tf.train.Example`` -> element.

    Args:
      tree: The structure from :func:`describe`.
      features: The features from :func:`describe`.

    Returns:
      A function of a scalar string tensor returning the element with the
      original structure, dtypes and static shapes.
    """
    parse_spec = {f["name"]: tf.io.FixedLenFeature([], tf.string) for f in features}

    def decode(record):
        parsed = tf.io.parse_single_example(record, parse_spec)
        values = {}
        for feature in features:
            value = tf.io.parse_tensor(parsed[feature["name"]],
                                       out_type=tf.as_dtype(feature["dtype"]))
            values[feature["name"]] = tf.ensure_shape(value, feature["shape"])
        return pack(tree, values)

    return decode


# ---------------------------------------------------------------------- files
def sha256(path):
    """Hex sha256 of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_json(path, value):
    """Writes ``value`` as JSON at ``path`` atomically (temporary name, fsync, rename).

    Args:
      path: Target file (``pathlib.Path``).
      value: JSON-native value.
    """
    path = pathlib.Path(path)

    def write(handle):
        json.dump(value, handle, indent=2, sort_keys=True, allow_nan=False)
        handle.write("\n")

    files.write_atomically(path, write, path.parent / temp_name(path.name))


def read_json(path):
    """Parsed JSON of ``path``; a clear ``ValueError`` when it is not JSON."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{str(path)!r} is not valid JSON ({error}).") from None


# ------------------------------------------------------------------ directory
def _pid_alive(pid):
    if pid == os.getpid():
        return False  # a dead run that had this pid: this run has written nothing yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_temps(directory):
    """Removes the temporary files of dead runs; refuses a folder a live run writes."""
    for entry in sorted(os.listdir(directory)):
        match = _TEMP.match(entry)
        if not match:
            continue
        pid = int(match.group(1))
        if _pid_alive(pid):
            raise ValueError(f"`output_dir` {str(directory)!r} is being written by another "
                             f"process (pid {pid}, file {entry!r}); wait for it to finish, "
                             "or remove that file if no materialize is running.")
        (directory / entry).unlink(missing_ok=True)


def _clear(directory):
    """Removes a previous materialization (manifest first); other files stay."""
    for name in (MANIFEST, PLAN):
        (directory / name).unlink(missing_ok=True)
    for entry in sorted(os.listdir(directory)):
        if SHARD_PATTERN.match(entry) or _DONE.match(entry):
            (directory / entry).unlink()
    files.fsync_path(directory)


def _differences(old, new):
    """``"copies: 2 -> 1; source.num_elements: 90 -> 80"``: what changed."""
    parts = []
    for key in COMPARED:
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            pairs = [(f"{key}.{k}", before.get(k), after.get(k))
                     for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
        else:
            pairs = [(key, before, after)]
        parts += [f"{name}: {json.dumps(b)[:60]} -> {json.dumps(a)[:60]}"
                  for name, b, a in pairs]
    return "; ".join(parts)


def sidecar(directory, name):
    """Path of the sidecar that records shard file ``name`` as complete."""
    return directory / f".{name}{DONE_SUFFIX}"


def prepare_directory(directory, args, overwrite):
    """Readies ``directory`` for a run with ``args``; returns the shards already known.

    Creates the folder, removes temporary files of dead runs, compares
    ``args`` with the manifest (or the plan of an interrupted run) and
    writes the plan.

    Args:
      directory: ``pathlib.Path`` of ``output_dir``.
      args: The compared arguments (:data:`COMPARED`), JSON-native.
      overwrite: Clear a materialization made with other arguments (or the
        shard files of a non-empty folder) instead of raising.

    Returns:
      ``{shard index: {"file", "count", "sha256"}}`` from the manifest of a
      finished run and the sidecars of an interrupted one with ``args``; the
      files still have to be checked (:func:`complete_shards`).

    Raises:
      NotADirectoryError: ``directory`` is a file.
      ValueError: other arguments or foreign files without ``overwrite``, or
        a live process writing into the folder.
    """
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"`output_dir` {str(directory)!r} is a file; give a "
                                 "directory (new, empty, or holding a materialization).")
    directory.mkdir(parents=True, exist_ok=True)
    _remove_temps(directory)
    previous = None
    for name in (MANIFEST, PLAN):
        if (directory / name).is_file():
            try:
                previous = read_json(directory / name)
            except ValueError:
                if not overwrite:
                    raise ValueError(f"`output_dir` {str(directory)!r} has an unreadable "
                                     f"{name}; pass overwrite=True to replace it.") from None
                previous = {}
            break
    if previous is None:
        if os.listdir(directory):
            if not overwrite:
                raise ValueError(f"`output_dir` {str(directory)!r} is not empty and holds "
                                 "no tfaug materialization; give an empty or new directory, "
                                 "or pass overwrite=True.")
            _clear(directory)
    elif not isinstance(previous, dict) or {k: previous.get(k) for k in COMPARED} != args:
        # A plan alone (a run that failed before its first shard) holds no work.
        started = any(SHARD_PATTERN.match(e) or _DONE.match(e) or e == MANIFEST
                      for e in os.listdir(directory))
        if started and not overwrite:
            raise ValueError(f"`output_dir` {str(directory)!r} holds a materialization made "
                             "with other arguments ("
                             f"{_differences(previous if isinstance(previous, dict) else {}, args)}"
                             "); pass overwrite=True to replace it, or the same arguments "
                             "to resume it.")
        _clear(directory)
        previous = None
    known = {}
    shards = previous.get("shards") if previous else None
    if isinstance(shards, list):
        known.update((k, s) for k, s in enumerate(shards) if isinstance(s, dict))
    args_sha = args_sha256(args)
    for k in range(args["num_shards"]):
        path = sidecar(directory, shard_name(k, args["num_shards"]))
        if path.is_file():
            try:
                info = read_json(path)
            except ValueError:
                continue
            if isinstance(info, dict) and info.get("args_sha256") == args_sha:
                known[k] = info
    if not (directory / PLAN).is_file():
        write_json(directory / PLAN, args)
    return known


def args_sha256(args):
    """Fingerprint of a run's arguments (sidecars name the run that wrote them)."""
    return hashlib.sha256(json.dumps(args, sort_keys=True).encode()).hexdigest()


def complete_shards(directory, known, num_shards):
    """The known shards whose file exists and matches its recorded sha256."""
    done = {}
    for k, info in known.items():
        name = shard_name(k, num_shards)
        path = directory / name
        if (k < num_shards and info.get("file") == name and path.is_file()
                and isinstance(info.get("count"), int)
                and sha256(path) == info.get("sha256")):
            done[k] = {"file": name, "count": int(info["count"]), "sha256": info["sha256"]}
    return done


# -------------------------------------------------------------------- writing
class ShardWriter:
    """Writes one shard under a temporary name; :meth:`finish` publishes it."""

    def __init__(self, directory, index, num_shards):
        self.index = index
        self.name = shard_name(index, num_shards)
        self.final = directory / self.name
        self.temp = directory / temp_name(self.name)
        self.writer = tf.io.TFRecordWriter(str(self.temp))
        self.count = 0

    def write(self, serialized):
        for record in serialized:
            self.writer.write(record)
            self.count += 1

    def finish(self, args_sha):
        """Flushes, renames to the final name, records the sidecar; returns the info."""
        self.writer.close()
        files.fsync_path(self.temp)
        digest = sha256(self.temp)
        info = {"file": self.name, "count": self.count, "sha256": digest}
        # The sidecar first: a shard under its final name always has one, even
        # when the process dies between the two steps (a sidecar without its
        # shard is ignored by a rerun).
        write_json(sidecar(self.final.parent, self.name), dict(info, args_sha256=args_sha))
        os.replace(self.temp, self.final)
        files.fsync_path(self.final.parent)
        return info

    def abort(self):
        self.writer.close()
        self.temp.unlink(missing_ok=True)
