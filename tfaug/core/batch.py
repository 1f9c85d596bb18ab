"""Per-sample row helpers: gather a subset of a batch, run on it, scatter back.

Compositions and policies use these so that each op runs only on the samples
that drew it (a RandAugment step costs about one op, not all of them).
"""

import tensorflow as tf


def _rows_mask(gate, value):
    gate = tf.convert_to_tensor(gate)
    shape = tf.concat([tf.shape(gate), tf.ones([tf.rank(value) - 1], tf.int32)], 0)
    return tf.reshape(gate, shape)


def blend_rows(gate, new, old):
    """Per key, takes ``new`` rows where ``gate`` is true and ``old`` rows elsewhere.

    Args:
      gate: bool ``[B]``.
      new: dict of batched tensors (the transformed data).
      old: dict of batched tensors with the same keys, shapes and dtypes.

    Returns:
      A dict like ``new``.
    """
    out = dict(new)
    for key, value in new.items():
        if key not in old:
            continue
        before = old[key]
        if value.dtype != before.dtype or (
                value.shape.rank is not None and before.shape.rank is not None
                and value.shape.rank != before.shape.rank):
            raise ValueError(f"cannot blend {key!r}: the transform changed its "
                             f"dtype or rank ({before.dtype.name}{before.shape} -> "
                             f"{value.dtype.name}{value.shape}).")
        out[key] = tf.where(_rows_mask(gate, value), value, before)
    return out


def gather_rows(structure, rows):
    """Gathers ``rows`` (int ``[N]``) along axis 0 of every tensor in ``structure``."""
    return tf.nest.map_structure(lambda t: tf.gather(t, rows), structure)


def scatter_rows(full, rows, part):
    """Writes ``part`` (a gathered subset) back into ``full`` at ``rows``.

    Every key of ``full`` must be in ``part`` with the same dtype and trailing
    shape; the transform applied to the subset may not change either.
    """
    out = {}
    for key, value in full.items():
        if key not in part:
            out[key] = value
            continue
        new = part[key]
        if new.dtype != value.dtype:
            raise ValueError(f"a per-sample branch changed the dtype of {key!r} "
                             f"({value.dtype.name} -> {new.dtype.name}); every branch "
                             "of a OneOf/SomeOf/RandomApply must keep dtypes (for "
                             "mixing layers pass one-hot labels).")
        if (value.shape.rank is not None and new.shape.rank is not None and
                value.shape[1:].is_fully_defined() and new.shape[1:].is_fully_defined()
                and value.shape[1:] != new.shape[1:]):
            raise ValueError(f"a per-sample branch changed the shape of {key!r} "
                             f"({value.shape[1:]} -> {new.shape[1:]}); branches of a "
                             "OneOf/SomeOf/RandomApply must keep shapes.")
        if value.shape[1:].is_fully_defined() and value.shape[1:].num_elements() == 0:
            out[key] = value  # no entries per row (e.g. no categorical columns)
            continue
        out[key] = tf.tensor_scatter_nd_update(value, rows[:, None], new)
    return out


def apply_on_rows(layer, data, params, rows):
    """Runs ``layer.apply`` on the rows ``rows`` of ``data`` only; returns full data."""
    part = layer.apply(gather_rows(data, rows), gather_rows(params, rows))
    return scatter_rows(data, rows, part)


def rows_where(mask):
    """Indices (int32 ``[N]``) where the bool vector ``mask`` is true."""
    return tf.cast(tf.reshape(tf.where(mask), [-1]), tf.int32)
