"""Table and text readers: CSV tables, text lines and labelled text in CSV files.

The :class:`tfaug.data.pipeline.Pipeline` constructors ``from_csv``,
``from_text_lines`` and ``from_text_csv`` call these. Each checks its files and
columns when called and returns a :class:`tfaug.data.sources.Source`.
"""

import csv

import numpy as np
import tensorflow as tf

from tfaug.data.sources import AUTOTUNE, Source, describe_files, expand_files

# Rows read to decide whether a label column holds ints, floats or strings.
_SNIFF_ROWS = 1000


# ---------------------------------------------------------------------- CSV
def _open_text(name):
    return tf.io.gfile.GFile(name, "r")


def _header(name):
    with _open_text(name) as f:
        row = next(csv.reader(f), None)
    if not row:
        raise ValueError(f"`path`: {name!r} has no header row (the first line names the "
                         "columns).")
    return [c.strip() for c in row]


def _column_index(header, column, name):
    if not isinstance(column, str) or column not in header:
        raise ValueError(f"`{name}` must be one of the CSV columns {header}, got {column!r}.")
    return header.index(column)


def _label_values(files, index, limit=None):
    values = []
    for name in files:
        with _open_text(name) as f:
            reader = csv.reader(f)
            next(reader, None)
            for row in reader:
                if not row:
                    continue
                values.append(row[index].strip() if index < len(row) else "")
                if limit is not None and len(values) >= limit:
                    return values
    return values


def _kind(values):
    def ok(cast):
        try:
            for v in values:
                cast(v)
        except ValueError:
            return False
        return True
    if values and ok(int):
        return "int"
    if values and ok(float):
        return "float"
    return "string"


def _label_plan(files, index, column, class_names):
    """(dtype for CsvDataset, class names or None) of the label column."""
    if class_names is not None:
        if (not isinstance(class_names, (list, tuple)) or not class_names
                or not all(isinstance(c, str) for c in class_names)
                or len(set(class_names)) != len(class_names)):
            raise ValueError("`class_names` must be a non-empty list of distinct strings, "
                             f"got {class_names!r}.")
        return tf.string, list(class_names)
    kind = _kind(_label_values(files, index, _SNIFF_ROWS))
    if kind == "int":
        return tf.int64, None
    if kind == "float":
        return tf.float32, None
    names = sorted(set(_label_values(files, index)))
    return tf.string, names


def _lookup(class_names, column):
    table = tf.constant(class_names)

    def encode(value):
        hits = tf.where(tf.equal(table, value))[:, 0]
        check = tf.debugging.Assert(
            tf.equal(tf.size(hits), 1),
            [f"label column {column!r} holds a value not in `class_names` "
             f"{class_names}:", value])
        with tf.control_dependencies([check]):
            return tf.identity(hits[0])
    return encode


def _csv_files(path):
    files = expand_files(path, "path")
    header = _header(files[0])
    for name in files[1:]:
        if _header(name) != header:
            raise ValueError(f"`path`: {name!r} has columns {_header(name)}, but "
                             f"{files[0]!r} has {header}; every file needs the same header.")
    return files, header


def _csv_examples(files, defaults, data, label_index, class_names, label_column):
    """A Source's ``make``: the CSV rows of ``files`` as examples.

    Args:
      files: The CSV files (one header row each).
      defaults: ``{column index: CsvDataset default or dtype}`` of the columns read.
      data: ``{column index: value} -> example inputs``.
      label_index: The label column's index, or None (inputs only).
      class_names: Classes of a text label column (encoded to their index), or None.
      label_column: The label column's name (for the error of an unknown class).
    """
    selected = sorted(defaults)
    encode = None if class_names is None else _lookup(class_names, label_column)

    def to_example(*fields):
        values = dict(zip(selected, fields))
        inputs = data(values)
        if label_index is None:
            return inputs
        label = values[label_index]
        return inputs, (label if encode is None else encode(label))

    def make():
        rows = tf.data.experimental.CsvDataset(
            files, [defaults[i] for i in selected], header=True, select_cols=selected)
        return rows.map(to_example, num_parallel_calls=AUTOTUNE, deterministic=True)

    return make


def csv_table(path, label_column, columns=None, class_names=None):
    """A table in CSV files (a header row, one example a row).

    Features are float32 ``[F]`` in ``columns`` order (empty fields read as
    NaN); labels are int64 when every label is an integer, float32 when they
    are numbers, and class indices (int64) for text labels (``class_names``
    order, or the sorted distinct values).

    Args:
      path: CSV file, glob pattern or list of them (same header in each).
      label_column: Name of the label column, or None for features only.
      columns: Feature column names in order; None: every other column.
      class_names: For text labels: the classes in label order.

    Returns:
      A :class:`Source` of ``(features, label)`` (or ``features``).

    Raises:
      FileNotFoundError: no file matches ``path``.
      ValueError: unknown columns or bad arguments.
    """
    files, header = _csv_files(path)
    label_index = None if label_column is None else _column_index(header, label_column,
                                                                   "label_column")
    if columns is None:
        columns = [c for c in header if c != label_column]
    if (not isinstance(columns, (list, tuple)) or not columns
            or len(set(columns)) != len(columns)):
        raise ValueError(f"`columns` must be a non-empty list of distinct column names, "
                         f"got {columns!r}.")
    for column in columns:
        _column_index(header, column, "columns")
        if column == label_column:
            raise ValueError(f"`columns` must not hold the label column {label_column!r}.")
    feature_index = [header.index(c) for c in columns]
    defaults = {i: tf.constant([np.nan], tf.float32) for i in feature_index}
    label_dtype, names = tf.float32, None
    if label_index is not None:
        label_dtype, names = _label_plan(files, label_index, label_column, class_names)
        defaults[label_index] = label_dtype
    make = _csv_examples(files, defaults, lambda v: tf.stack([v[i] for i in feature_index]),
                         label_index, names, label_column)
    return Source("from_csv", make,
                  f"{describe_files(path)}, label_column={label_column!r}, "
                  f"{len(columns)} feature columns",
                  {"columns": list(columns), "class_names": names, "files": files})


# --------------------------------------------------------------------- text
def text_lines(path_or_paths):
    """One ``tf.string`` scalar per line of text files (line ends removed).

    Args:
      path_or_paths: File, glob pattern or list of them (read in order).

    Returns:
      A :class:`Source` of strings (no labels).

    Raises:
      FileNotFoundError: no file matches.
    """
    files = expand_files(path_or_paths, "path_or_paths")
    return Source("from_text_lines", lambda: tf.data.TextLineDataset(files),
                  f"{describe_files(path_or_paths)}, {len(files)} files", {"files": files})


def text_csv(path, text_column, label_column=None, class_names=None):
    """Text examples in CSV files: a text column and a label column.

    Quoted fields may hold commas, quotes and line breaks (RFC 4180). Labels
    follow :func:`csv_table` (text labels become class indices).

    Args:
      path: CSV file, glob pattern or list of them.
      text_column: Name of the text column.
      label_column: Name of the label column, or None for text only.
      class_names: For text labels: the classes in label order.

    Returns:
      A :class:`Source` of ``(text, label)`` (or ``text``).

    Raises:
      FileNotFoundError: no file matches ``path``.
      ValueError: unknown columns.
    """
    files, header = _csv_files(path)
    text_index = _column_index(header, text_column, "text_column")
    defaults = {text_index: tf.constant([""], tf.string)}
    names, label_index = None, None
    if label_column is not None:
        label_index = _column_index(header, label_column, "label_column")
        if label_index == text_index:
            raise ValueError(f"`label_column` and `text_column` are both {text_column!r}.")
        dtype, names = _label_plan(files, label_index, label_column, class_names)
        defaults[label_index] = dtype
    make = _csv_examples(files, defaults, lambda v: v[text_index], label_index, names,
                         label_column)
    return Source("from_text_csv", make,
                  f"{describe_files(path)}, text_column={text_column!r}, "
                  f"label_column={label_column!r}",
                  {"class_names": names, "files": files})
