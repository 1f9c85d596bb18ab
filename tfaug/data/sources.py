"""Sources of :class:`tfaug.data.pipeline.Pipeline`: arrays, datasets and TFRecord files.

Each reader checks its arguments and its files when it is called (a missing
file is a ``FileNotFoundError`` naming the pattern, before any dataset exists)
and returns a :class:`Source`: a recipe that makes a fresh ``tf.data.Dataset``
of *unbatched* elements, ``inputs`` or ``(inputs, labels)``, each time the
pipeline is built. Tables and text are read by :mod:`tfaug.data.readers_table`,
images and audio by :mod:`tfaug.data.readers_media`.

Every reader is deterministic: files are read in sorted order (or the order
given), and parallel steps keep their input order.
"""

import os

import numpy as np
import tensorflow as tf

AUTOTUNE = tf.data.AUTOTUNE


class Source:
    """How a pipeline reads its elements (what a ``Pipeline.from_*`` made).

    Attributes:
      kind: The constructor's name (``"from_tensors"``, ...).
      description: Its arguments, short, for ``repr``.
      info: Read-only facts found while checking (``class_names``,
        ``sample_rate``, ``columns``, ``files``).
    """

    def __init__(self, kind, make, description, info=None):
        self.kind = kind
        self._make = make
        self.description = description
        self.info = dict(info or {})

    def make(self):
        """A fresh ``tf.data.Dataset`` of unbatched elements."""
        return self._make()

    def __repr__(self):
        return f"{self.kind}({self.description})"


# ----------------------------------------------------------------- helpers
def _describe_leaf(value):
    dtype = getattr(value, "dtype", None)
    shape = getattr(value, "shape", None)
    if dtype is None or shape is None:
        return type(value).__name__
    shape = tf.TensorShape(shape)
    dims = "?" if shape.rank is None else ", ".join(
        "None" if d is None else str(d) for d in shape.as_list())
    return f"{tf.as_dtype(dtype).name}[{dims}]"


def describe_structure(value):
    """``uint8[100, 8, 8]`` / ``{'a': float32[10]}``: a short text for ``repr``.

    Works on arrays, tensors and ``tf.TypeSpec`` leaves (an ``element_spec``).
    """
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {describe_structure(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(describe_structure(v) for v in value) + ")"
    return _describe_leaf(value)


def _is_path(value):
    return isinstance(value, (str, os.PathLike))


def expand_files(paths_or_pattern, name):
    """Files matched by a path, a glob pattern, or a list of them.

    Args:
      paths_or_pattern: A path or glob pattern (str or ``os.PathLike``), or a
        non-empty list/tuple of them. A pattern's matches are sorted; a list
        keeps its order.
      name: The argument's name, for errors.

    Returns:
      A list of file names (str).

    Raises:
      ValueError: not a path, pattern or list of them.
      FileNotFoundError: a pattern (or path) that matches no file.
    """
    if _is_path(paths_or_pattern):
        patterns = [paths_or_pattern]
    elif isinstance(paths_or_pattern, (list, tuple)) and paths_or_pattern and all(
            _is_path(p) for p in paths_or_pattern):
        patterns = list(paths_or_pattern)
    else:
        raise ValueError(f"`{name}` must be a file path or glob pattern (str or "
                         f"os.PathLike) or a non-empty list of them, got {paths_or_pattern!r}.")
    files = []
    for pattern in patterns:
        pattern = os.fspath(pattern)
        if not pattern:
            raise ValueError(f"`{name}` holds an empty path.")
        matched = sorted(f for f in tf.io.gfile.glob(pattern) if not tf.io.gfile.isdir(f))
        if not matched:
            raise FileNotFoundError(f"`{name}`: no file matches {pattern!r}.")
        files.extend(matched)
    return files


def check_optional_int(name, value, low, allow_autotune=False):
    """``None``, an int ``>= low``, or (when allowed) ``tf.data.AUTOTUNE``."""
    if value is None or (allow_autotune and value == AUTOTUNE and not isinstance(value, bool)):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        allowed = f"an int >= {low}" + (", tf.data.AUTOTUNE" if allow_autotune else "")
        raise ValueError(f"`{name}` must be {allowed} or None, got {value!r}.")
    return int(value)


def _first_dim(structure, name):
    """The common leading size of every leaf of ``structure`` (arrays, tensors)."""
    leaves = tf.nest.flatten(structure)
    if not leaves:
        raise ValueError(f"`{name}` is empty; give an array, a tensor or a dict of them.")
    sizes = set()
    for leaf in leaves:
        shape = getattr(leaf, "shape", None)
        if shape is None:
            shape = np.shape(leaf)
        shape = tf.TensorShape(shape)
        if shape.rank in (None, 0):
            raise ValueError(f"`{name}` leaves must have a leading (example) dimension, "
                             f"got shape {shape}.")
        sizes.add(shape[0])
    if len(sizes) != 1:
        raise ValueError(f"`{name}` leaves disagree on the number of examples: "
                         f"{sorted(map(str, sizes))}.")
    size = sizes.pop()
    if size == 0:
        raise ValueError(f"`{name}` holds no examples (leading dimension 0).")
    return size


def _lists_as_arrays(value):
    """Python lists become arrays (``tf.data`` reads a list as one tensor); so do
    pandas columns (``Series``, extension arrays such as pandas 3's strings)."""
    if isinstance(value, dict):
        return {k: _lists_as_arrays(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_lists_as_arrays(v) for v in value)
    if isinstance(value, list):
        return np.asarray(value)
    if not isinstance(value, (np.ndarray, tf.Tensor, tf.Variable)) and \
            callable(getattr(value, "to_numpy", None)):  # pandas, without importing it
        return np.asarray(value.to_numpy())
    return value


# ------------------------------------------------------------ in memory
def tensors(inputs, labels=None):
    """Arrays, tensors or dicts of them, sliced along the first dimension.

    Args:
      inputs: An array/tensor or a (nested) dict of them, ``N`` examples each.
      labels: Optional array/tensor (or dict) with ``N`` examples.

    Returns:
      A :class:`Source` of ``inputs`` or ``(inputs, labels)`` elements.

    Raises:
      ValueError: empty data, or leading sizes that disagree.
    """
    inputs, labels = _lists_as_arrays(inputs), _lists_as_arrays(labels)
    if inputs is None:
        raise ValueError("`inputs` must be an array, a tensor or a dict of them, got None.")
    n = _first_dim(inputs, "inputs")
    if labels is not None:
        m = _first_dim(labels, "labels")
        if m != n:
            raise ValueError(f"`labels` has {m} examples but `inputs` has {n}.")
    element = inputs if labels is None else (inputs, labels)
    description = f"inputs={describe_structure(inputs)}"
    if labels is not None:
        description += f", labels={describe_structure(labels)}"
    return Source("from_tensors", lambda: tf.data.Dataset.from_tensor_slices(element),
                  description, {"num_examples": n})


def dataset(ds):
    """An existing ``tf.data.Dataset`` of unbatched ``inputs`` or ``(inputs, labels)``."""
    if not isinstance(ds, tf.data.Dataset):
        raise ValueError(f"`ds` must be a tf.data.Dataset, got {type(ds).__name__}.")
    return Source("from_dataset", lambda: ds, describe_structure(ds.element_spec))


def describe_files(value):
    """Short text of a path argument, for ``repr``."""
    if _is_path(value):
        return repr(os.fspath(value))
    return repr([os.fspath(v) for v in value]) if len(value) <= 3 else \
        f"[{os.fspath(value[0])!r}, ... {len(value)} paths]"


# ----------------------------------------------------------------- TFRecord
def _check_features(features):
    if not isinstance(features, dict) or not features:
        raise ValueError("`features` must be a non-empty dict {name: tf.io feature} for "
                         "tf.io.parse_single_example, or a parse function; got "
                         f"{features!r}.")
    kinds = (tf.io.FixedLenFeature, tf.io.VarLenFeature, tf.io.FixedLenSequenceFeature,
             tf.io.RaggedFeature, tf.io.SparseFeature)
    for key, value in features.items():
        if not isinstance(key, str) or not isinstance(value, kinds):
            raise ValueError(f"`features` maps names to tf.io feature specs "
                             f"(FixedLenFeature, VarLenFeature, ...); got {key!r}: {value!r}.")


def verify_tfrecords(files):
    """Reads every record of ``files``; a damaged file raises naming that file.

    Args:
      files: List of TFRecord file names.

    Returns:
      Number of records per file (a list).

    Raises:
      tf.errors.DataLossError: a truncated or corrupt file; the message starts
        with the file name.
    """
    counts = []
    for name in files:
        try:
            counts.append(int(tf.data.TFRecordDataset(name).reduce(
                tf.constant(0, tf.int64), lambda n, _: n + 1)))
        except tf.errors.DataLossError as err:
            raise tf.errors.DataLossError(None, None, f"{name}: {err.message}") from err
    return counts


def tfrecord(file_pattern, features=None, parse_fn=None, label_key=None, cycle_length=None,
             num_parallel_reads=AUTOTUNE, deterministic=True, verify=False):
    """TFRecord shards of ``tf.train.Example`` (or any records ``parse_fn`` reads).

    Shards are listed with ``tf.data.Dataset.list_files(shuffle=False)`` (sorted)
    and read with ``interleave(TFRecordDataset, cycle_length, num_parallel_calls,
    deterministic)``.

    Args:
      file_pattern: Path, glob pattern or list of them.
      features: dict ``{name: tf.io.FixedLenFeature(...)}`` for
        ``tf.io.parse_single_example`` (elements are dicts), or a parse function.
      parse_fn: Function ``serialized -> element`` (``inputs`` or
        ``(inputs, labels)``); use it or ``features``, not both.
      label_key: With a ``features`` dict: the feature that holds the labels;
        elements become ``(dict of the other features, labels)``.
      cycle_length: Shards read at once (None: TensorFlow's default, the number
        of CPU cores).
      num_parallel_reads: Parallel calls of the interleave (None: sequential).
      deterministic: Keep a fixed element order when reading in parallel.
      verify: Read every record once now, so a damaged shard fails here with
        its file name (otherwise the error comes at iteration time, without it).

    Returns:
      A :class:`Source`.

    Raises:
      FileNotFoundError: the pattern matches no file.
      ValueError: bad arguments.
      tf.errors.DataLossError: ``verify`` found a damaged file.
    """
    files = expand_files(file_pattern, "file_pattern")
    if callable(features) and parse_fn is None:
        features, parse_fn = None, features
    if (features is None) == (parse_fn is None):
        raise ValueError("give exactly one of `features` (a dict of tf.io feature specs) "
                         f"and `parse_fn` (a function); got features={features!r}, "
                         f"parse_fn={parse_fn!r}.")
    if parse_fn is not None and not callable(parse_fn):
        raise ValueError(f"`parse_fn` must be callable, got {parse_fn!r}.")
    if features is not None:
        _check_features(features)
    if label_key is not None:
        if features is None or label_key not in features:
            raise ValueError(f"`label_key` must name one of `features` "
                             f"({sorted(features or {})}), got {label_key!r}.")
        if len(features) < 2:
            raise ValueError("`label_key` leaves no input features; `features` needs "
                             "at least one more entry.")
    cycle_length = check_optional_int("cycle_length", cycle_length, 1, allow_autotune=True)
    num_parallel_reads = check_optional_int("num_parallel_reads", num_parallel_reads, 1,
                                            allow_autotune=True)
    if not isinstance(deterministic, bool):
        raise ValueError(f"`deterministic` must be a bool, got {deterministic!r}.")
    if verify:
        verify_tfrecords(files)

    def parse(serialized):
        if parse_fn is not None:
            return parse_fn(serialized)
        parsed = tf.io.parse_single_example(serialized, features)
        if label_key is None:
            return parsed
        label = parsed.pop(label_key)
        return parsed, label

    def make():
        names = tf.data.Dataset.list_files(files, shuffle=False)
        records = names.interleave(tf.data.TFRecordDataset, cycle_length=cycle_length,
                                   num_parallel_calls=num_parallel_reads,
                                   deterministic=deterministic)
        return records.map(parse, num_parallel_calls=AUTOTUNE, deterministic=deterministic)

    return Source("from_tfrecord", make, f"{describe_files(file_pattern)}, {len(files)} files",
                  {"files": files})
