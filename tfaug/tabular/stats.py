"""What tabular layers' ``adapt`` reads: whole data sets gathered into one row dict."""

import tensorflow as tf


def collect(layer, data, batch_size=None, steps=None):
    """Standardizes ``data`` with ``layer`` and concatenates it along the rows.

    Args:
      layer: A :class:`~tfaug.tabular.base.TabularAugmentation` (its
        ``standardize`` decides the columns' roles).
      data: A matrix, ``(features, labels)``, a dict (what the layer accepts),
        NumPy arrays of those, or a ``tf.data.Dataset`` yielding them (batched
        or not).
      batch_size: Rows per step for in-memory data (default: all at once).
      steps: Number of dataset elements to read (default: all).

    Returns:
      The layer's internal dict (``features``, ``categorical``, ``labels``...)
      holding every row.

    Raises:
      ValueError: for no rows, or ``batch_size``/``steps`` that are not
        positive ints.
    """
    for name, value in (("batch_size", batch_size), ("steps", steps)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value < 1):
            raise ValueError(f"`{name}` must be None or an int >= 1, got {value!r}.")
    if isinstance(data, tf.data.Dataset):
        dataset = data if steps is None else data.take(steps)
    else:
        data = _as_tensors(data)
        if batch_size is None:
            dataset = [data]
        else:
            dataset = tf.data.Dataset.from_tensor_slices(data).batch(batch_size)
    parts = [layer.standardize(element)[0] for element in dataset]
    if not parts:
        raise ValueError("`data` holds no rows to adapt on.")
    keys = parts[0].keys()
    merged = {k: tf.concat([p[k] for p in parts], axis=0) for k in keys}
    if int(tf.shape(merged["features"])[0]) == 0:
        raise ValueError("`data` holds no rows to adapt on.")
    return merged


def _as_tensors(data):
    if isinstance(data, tuple):
        return tuple(_as_tensors(d) for d in data)
    if isinstance(data, dict):
        return {k: _as_tensors(v) for k, v in data.items()}
    return tf.convert_to_tensor(data)


def nan_std(x):
    """Population std of each column of ``x`` ``[N, F]``, ignoring NaN (0 for
    a column with fewer than one finite value)."""
    finite = tf.math.is_finite(x)
    count = tf.reduce_sum(tf.cast(finite, tf.float32), axis=0)
    safe = tf.where(finite, x, 0.0)
    mean = tf.math.divide_no_nan(tf.reduce_sum(safe, axis=0), count)
    sq = tf.where(finite, tf.square(x - mean), 0.0)
    return tf.sqrt(tf.math.divide_no_nan(tf.reduce_sum(sq, axis=0), count))
