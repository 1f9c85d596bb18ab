"""Tabular layer base: input forms and the internal row dict.

A tabular layer accepts:

* a float matrix ``[B, F]`` (or one row ``[F]``);
* a tuple ``(features, labels)`` — what a ``tf.data`` map of ``(x, y)`` gets;
* a dict ``{"features": [B, F], "labels": [B, ...]}``;
* a dict of feature columns ``{name: [B] or [B, k]}``, optionally with ``"labels"``
  (what ``tf.data.experimental.make_csv_dataset`` and Keras ``FeatureSpace`` use).

Inside, every layer sees one flat dict of batched tensors:

* ``features``: float32 ``[B, F_num]``, the numeric columns;
* ``categorical``: float32 ``[B, F_cat]``, categorical columns stored as
  numbers (codes); numeric noise never touches them;
* ``labels``: as given, when present;
* ``column/<name>``: non-numeric columns (strings), carried unchanged (only
  layers that move whole rows, like ``SwapNoise``, touch them).

Which columns are categorical: ``categorical_features`` (column indices of a
matrix, or names of a dict's columns). When it is ``None``, a matrix has none
and a dict's integer and bool columns are categorical, its float columns
numeric. ``restore`` puts every column back in its place, shape and dtype
(integer columns rounded).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from tfaug.core import validation
from tfaug.core.base import Augmentation

LABELS = "labels"
FEATURES = "features"
CATEGORICAL = "categorical"
COLUMN = "column/"


def _check_categorical(value):
    if value is None:
        return None
    name = "categorical_features"
    if isinstance(value, (str, int)) or not isinstance(value, (list, tuple)):
        raise validation.ArgumentTypeError(name, value, "None or a list of column indices "
                                           "(matrix input) or column names (dict input)")
    kinds = {type(v) for v in value}
    if not (kinds <= {int} or kinds <= {str}) or any(isinstance(v, bool) for v in value):
        raise validation.ArgumentTypeError(name, value, "a list of only ints (column indices) "
                                           "or only strings (column names)")
    if any(isinstance(v, int) and v < 0 for v in value):
        raise validation.ArgumentError(name, value, "a list of indices >= 0",
                                       f"`categorical_features` indices must be >= 0, got "
                                       f"{value!r}.")
    if len(set(value)) != len(value):
        raise validation.ArgumentError(name, value, "a list without duplicates",
                                       f"`categorical_features` has duplicates: {value!r}.")
    return list(value)


def _numeric_dtype(dtype):
    return dtype.is_floating or dtype.is_integer or dtype == tf.bool


class TabularAugmentation(Augmentation):
    """Base of tabular layers.

    Args:
      categorical_features: Column indices (matrix input) or names (dict of
        columns) that hold categories; numeric noise leaves them alone. ``None``:
        none for a matrix; integer/bool columns for a dict.
      probability: Per-row chance that the layer applies.
      seed: Initial seed state.
      **kwargs: Keras layer arguments.
    """

    modality = "tabular"

    def __init__(self, *, categorical_features: Sequence[int] | Sequence[str] | None = None,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(probability=probability, seed=seed, **kwargs)
        self.categorical_features = _check_categorical(categorical_features)

    # ------------------------------------------------------------------ inputs
    def standardize(self, inputs):
        if isinstance(inputs, tuple):
            if len(inputs) != 2:
                raise ValueError("tuple `inputs` must be (features, labels), got a tuple of "
                                 f"{len(inputs)}.")
            data, spec = self._standardize_matrix(inputs[0], inputs[1])
            spec["form"] = "tuple"
            return data, spec
        if isinstance(inputs, dict):
            if FEATURES in inputs:
                unknown = sorted(set(inputs) - {FEATURES, LABELS})
                if unknown:
                    raise ValueError(f"`inputs` has keys {unknown} besides 'features' and "
                                     "'labels'; give either a 'features' matrix or a dict "
                                     "of feature columns.")
                data, spec = self._standardize_matrix(inputs[FEATURES], inputs.get(LABELS))
                spec["form"] = "features_dict"
                return data, spec
            return self._standardize_columns(inputs)
        data, spec = self._standardize_matrix(inputs, None)
        spec["form"] = "matrix"
        return data, spec

    def _standardize_matrix(self, features, labels):
        x = tf.convert_to_tensor(features)
        if not _numeric_dtype(x.dtype):
            raise ValueError(f"`features` must be numeric (float, int or bool), got "
                             f"{x.dtype.name}; encode string columns first (e.g. "
                             "keras.layers.StringLookup) or pass a dict of columns.")
        if x.shape.rank not in (1, 2):
            raise ValueError(f"`features` must have shape [B, F] (or [F] for one row), got "
                             f"rank {x.shape.rank} (shape {x.shape}).")
        batched = x.shape.rank == 2
        if not batched:
            x = x[None]
        width = x.shape[1]
        if width is None:
            raise ValueError("`features` must have a static number of columns (shape [B, F] "
                             f"with F known), got {x.shape}.")
        cat = self.categorical_features or []
        if any(isinstance(c, str) for c in cat):
            raise ValueError(f"`categorical_features` names {cat} need a dict of columns; "
                             "for a matrix give column indices.")
        if any(c >= width for c in cat):
            raise ValueError(f"`categorical_features` {cat} out of range for {width} columns.")
        numeric = [i for i in range(width) if i not in cat]
        xf = tf.cast(x, tf.float32)
        data = {FEATURES: _take(xf, numeric, width), CATEGORICAL: _take(xf, cat, width)}
        spec = {"batched": batched, "dtype": x.dtype, "width": width,
                "numeric": numeric, "categorical": list(cat)}
        if labels is not None:
            data[LABELS] = _batched_labels(labels, batched)
            spec["labels"] = True
        return data, spec

    def _standardize_columns(self, inputs):
        if not inputs or set(inputs) == {LABELS}:
            raise ValueError("`inputs` dict holds no feature columns.")
        names = [n for n in inputs if n != LABELS]
        cat_names = self.categorical_features
        if cat_names is not None:
            if any(not isinstance(c, str) for c in cat_names):
                raise ValueError(f"`categorical_features` {cat_names} must be column names "
                                 "for a dict of columns.")
            unknown = sorted(set(cat_names) - set(names))
            if unknown:
                raise ValueError(f"`categorical_features` names {unknown} are not columns of "
                                 f"`inputs` (columns: {sorted(names)}).")
        columns, batched = [], None
        numeric, categorical, extra = [], [], {}
        for name in names:
            t = tf.convert_to_tensor(inputs[name])
            if t.shape.rank is None or t.shape.rank > 2:
                raise ValueError(f"column {name!r} must have shape [B] or [B, k], got {t.shape}.")
            # A dict's rows are batched when its columns have rank >= 1 and
            # every column agrees; a scalar column means one row.
            this = t.shape.rank >= 1
            batched = this if batched is None else batched
            if this != batched:
                raise ValueError(f"column {name!r} has shape {t.shape}; all columns must be "
                                 "batched ([B] or [B, k]) or all unbatched (scalars or [k]).")
            row = t if batched else t[None]
            tail = row.shape[1:]
            flat = row[:, None] if tail.rank == 0 else row
            k = flat.shape[1]
            if k is None:
                raise ValueError(f"column {name!r} needs a static width, got {t.shape}.")
            if not _numeric_dtype(t.dtype):
                role = "extra"
                extra[COLUMN + name] = row
            elif (name in cat_names) if cat_names is not None else not t.dtype.is_floating:
                role = "categorical"
                categorical.append(tf.cast(flat, tf.float32))
            else:
                role = "numeric"
                numeric.append(tf.cast(flat, tf.float32))
            columns.append((name, role, t.dtype, tail.as_list(), k))
        if not batched:
            raise ValueError("a dict of columns must be batched: columns of shape [B] or [B, k].")
        first = numeric[0] if numeric else (categorical[0] if categorical else None)
        rows = tf.shape(first)[0] if first is not None else tf.shape(next(iter(extra.values())))[0]
        data = {FEATURES: _concat(numeric, rows), CATEGORICAL: _concat(categorical, rows)}
        data.update(extra)
        spec = {"form": "columns", "batched": True, "columns": columns}
        if LABELS in inputs:
            data[LABELS] = _batched_labels(inputs[LABELS], True)
            spec["labels"] = True
        return data, spec

    def restore(self, data, spec):
        labels = data.get(LABELS)
        if spec["form"] == "columns":
            out, offsets = {}, {"numeric": 0, "categorical": 0}
            for name, role, dtype, tail, k in spec["columns"]:
                if role == "extra":
                    out[name] = data[COLUMN + name]
                    continue
                source = data[FEATURES if role == "numeric" else CATEGORICAL]
                start = offsets[role]
                offsets[role] = start + k
                col = _cast_back(source[:, start:start + k], self.output_dtype(dtype))
                out[name] = col[:, 0] if len(tail) == 0 else col
            if spec.get("labels"):
                out[LABELS] = labels
            return out
        width = spec["width"]
        order = spec["numeric"] + spec["categorical"]
        merged = tf.concat([data[FEATURES], data[CATEGORICAL]], axis=1)
        if order != list(range(width)):
            merged = tf.gather(merged, _inverse(order), axis=1)
        x = _cast_back(merged, self.output_dtype(spec["dtype"]))
        if not spec["batched"]:
            x = x[0]
            labels = labels[0] if labels is not None else None
        if spec["form"] == "tuple":
            return (x, labels)
        if spec["form"] == "features_dict":
            return {FEATURES: x, LABELS: labels} if spec.get("labels") else {FEATURES: x}
        return x

    def batch_size(self, data):
        return tf.shape(data[FEATURES])[0]


def _take(x, index, width):
    if index == list(range(width)):
        return x
    if not index:
        return tf.zeros([tf.shape(x)[0], 0], tf.float32)
    return tf.gather(x, index, axis=1)


def _concat(parts, rows):
    if not parts:
        return tf.zeros([rows, 0], tf.float32)
    return parts[0] if len(parts) == 1 else tf.concat(parts, axis=1)


def _inverse(order):
    inverse = [0] * len(order)
    for position, column in enumerate(order):
        inverse[column] = position
    return inverse


def _batched_labels(labels, batched):
    labels = tf.convert_to_tensor(labels)
    return labels if batched else labels[None]


def _cast_back(x, dtype):
    if dtype == tf.float32:
        return x
    if dtype.is_floating:
        return tf.cast(x, dtype)
    if dtype == tf.bool:
        return x > 0.5
    return tf.cast(tf.round(x), dtype)
