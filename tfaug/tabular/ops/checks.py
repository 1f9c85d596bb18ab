"""Shared argument and tensor checks for the tabular ops (private).

A check whose outcome is known when the op is built raises ``ValueError`` at
once. A check on values only known at run time raises ``ValueError`` (or the
error class asked for) when running eagerly, and otherwise adds a
``tf.debugging`` assertion whose message says the same thing.
"""

import tensorflow as tf


def require(condition, message, error=ValueError, data=()):
    """Checks a boolean scalar tensor (or Python bool).

    Args:
      condition: Python bool or boolean scalar tensor.
      message: What went wrong and what is allowed.
      error: Exception class raised when the value is known (eager).
      data: Extra tensors printed by the graph assertion.

    Returns:
      A list of ops to use as control dependencies (empty when eager).
    """
    if isinstance(condition, bool):
        if not condition:
            raise error(message)
        return []
    if tf.executing_eagerly():
        if not bool(condition):
            raise error(message)
        return []
    return [tf.debugging.Assert(condition, [message, *data], summarize=8)]


def with_deps(deps, tensor):
    """``tensor`` behind the control dependencies ``deps`` (no-op without any)."""
    if not deps:
        return tensor
    with tf.control_dependencies(deps):
        return tf.identity(tensor)


def features_matrix(features, name="features"):
    """Converts to float32 and checks rank 2 (statically where known)."""
    features = tf.convert_to_tensor(features)
    if not (features.dtype.is_floating or features.dtype.is_integer):
        raise ValueError(f"`{name}` must be a float or integer tensor, "
                         f"got dtype {features.dtype.name}.")
    if features.shape.rank is not None and features.shape.rank != 2:
        raise ValueError(f"`{name}` must have rank 2 ([rows, features]), "
                         f"got shape {features.shape}.")
    features = tf.cast(features, tf.float32)
    if features.shape.rank is None:
        features = with_deps(require(tf.equal(tf.rank(features), 2),
                                     f"`{name}` must have rank 2 ([rows, features])."),
                             features)
        features = tf.ensure_shape(features, [None, None])
    return features


def label_vector(labels, name="labels"):
    """Checks an int or bool rank-1 tensor; returns (labels as int32/int64, dtype)."""
    labels = tf.convert_to_tensor(labels)
    dtype = labels.dtype
    if not (dtype.is_integer or dtype == tf.bool):
        raise ValueError(f"`{name}` must be an integer or bool tensor of class ids, "
                         f"got dtype {dtype.name}.")
    if labels.shape.rank is not None and labels.shape.rank != 1:
        raise ValueError(f"`{name}` must have rank 1 ([rows]), got shape {labels.shape}.")
    if labels.shape.rank is None:
        labels = with_deps(require(tf.equal(tf.rank(labels), 1),
                                   f"`{name}` must have rank 1 ([rows])."), labels)
        labels = tf.ensure_shape(labels, [None])
    work = tf.int64 if dtype == tf.int64 else tf.int32
    return tf.cast(labels, work), dtype


def check_inputs(features, labels):
    """The checks every resampler makes on ``(features, labels)``.

    Returns:
      ``(features float32 [N, F], labels int32/int64 [N], labels' input dtype)``.
    """
    features = features_matrix(features)
    labels, dtype = label_vector(labels)
    n_f, n_l = features.shape[0], labels.shape[0]
    if n_f is not None and n_l is not None and n_f != n_l:
        raise ValueError(f"`features` and `labels` must have the same number of rows, "
                         f"got {n_f} and {n_l}.")
    if n_f == 0:
        raise ValueError("`features` is empty (0 rows); at least one row per class "
                         "is required.")
    deps = []
    if n_f is None or n_l is None:
        deps += require(tf.equal(tf.shape(features)[0], tf.shape(labels)[0]),
                        "`features` and `labels` must have the same number of rows.")
    if n_f is None:
        deps += require(tf.shape(features)[0] > 0, "`features` is empty (0 rows).")
    deps += require(tf.reduce_all(tf.math.is_finite(features)),
                    "`features` contains NaN or infinite values; impute or drop "
                    "them before resampling.")
    return with_deps(deps, features), labels, dtype
