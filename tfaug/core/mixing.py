"""Row mixing shared by the modalities' MixUp-style layers: partners and labels.

Each row is mixed with a partner row of the same batch. The partner map is
``argsort(keys)`` of per-row random keys: a permutation of whatever rows are
present, so it stays valid when a composition hands a layer a gathered subset.
"""

import tensorflow as tf

from tfaug.core import seeds


def sample_beta(seed, batch_size, alpha):
    """Symmetric Beta(alpha, alpha) draws ``[B]``, the same in and out of XLA."""
    return seeds.beta([batch_size], seed, alpha, alpha)


def partners(keys):
    """Partner row of each row: ``argsort(keys)`` (a permutation of ``[0, B)``)."""
    return tf.argsort(keys, stable=True)


def per_row(v, rank):
    """``[B]`` -> ``[B, 1, ..., 1]`` of rank ``rank`` (broadcasts over a row)."""
    return tf.reshape(v, tf.concat([tf.shape(v)[:1], tf.ones([rank - 1], tf.int32)], 0))


def mix_labels(labels, partner, weight):
    """``weight * labels + (1 - weight) * labels[partner]`` (float32 ``[B, K]``)."""
    labels = tf.cast(labels, tf.float32)
    w = per_row(weight, labels.shape.rank)
    return w * labels + (1.0 - w) * tf.gather(labels, partner)


def soft_labels(labels, num_classes, layer):
    """Float32 labels ready to mix; integer class indices become one-hot.

    Args:
      labels: Integer class indices ``[B]`` / ``[B, 1]`` (one-hot encoded with
        ``num_classes``), or one-hot / soft / multi-hot ``[B, K]`` (cast).
      num_classes: Number of classes (required for integer class indices).
      layer: The calling layer's name, for the error message.
    """
    if not labels.dtype.is_integer:
        return tf.cast(labels, tf.float32)
    rank = labels.shape.rank
    indices = rank == 1 or (rank == 2 and labels.shape[-1] == 1)
    if not indices:
        return tf.cast(labels, tf.float32)
    if num_classes is None:
        raise ValueError(f"{layer} got integer class labels (shape {labels.shape}); pass "
                         "`num_classes` to one-hot encode them, or feed one-hot labels.")
    if rank == 2:
        labels = labels[:, 0]
    return tf.one_hot(labels, num_classes, dtype=tf.float32)
