"""Per-row keyed random draws: row ``b``'s numbers depend only on ``keys[b]``.

A layer draws one int64 key per row (:func:`draw_keys`, from the call's
stateless seed); per-element randomness (pixel noise, feature noise) is then a
counter-based hash of the key. A row gets the same numbers whether it is
processed in the full batch or in a gathered subset, in eager, graph and XLA,
and the number of draws per row can be a run-time value.
"""

import tensorflow as tf

from tfaug.core import seeds

KEY_MAX = 2**62


# ------------------------------------------------------------- keyed noise
def _lowbias32(x):
    """A 32-bit integer hash with good avalanche (C. Wellons' ``lowbias32``)."""
    x = tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, tf.constant(16, tf.uint32)))
    x = x * tf.constant(0x7FEB352D, tf.uint32)
    x = tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, tf.constant(15, tf.uint32)))
    x = x * tf.constant(0x846CA68B, tf.uint32)
    return tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, tf.constant(16, tf.uint32)))


def _row_bits(keys, n, stream):
    """Hashed uint32 bits ``[B, n]``; row ``b`` depends only on ``keys[b]``."""
    return element_bits(tf.cast(keys, tf.int64)[:, None], tf.range(n)[None, :], stream)


def element_bits(keys, counters, stream=0):
    """Hashed uint32 bits of ``(key, counter)`` pairs (broadcast against each other).

    Element ``i`` depends only on ``keys[i]``, ``counters[i]`` and ``stream``:
    the per-row draws of :func:`keyed_uniform` are ``element_bits(keys[:, None],
    range(n)[None, :])``. Ops on flat (ragged) values use it with each element's
    row key and its position in the row.
    """
    keys = tf.cast(keys, tf.int64)
    lo = tf.cast(tf.bitwise.bitwise_and(keys, 0xFFFFFFFF), tf.uint32)
    hi = tf.cast(tf.bitwise.right_shift(keys, 32), tf.uint32)
    salt = tf.constant((0x9E3779B9 * (stream + 1)) & 0xFFFFFFFF, tf.uint32)
    base1 = _lowbias32(tf.bitwise.bitwise_xor(lo, salt))
    base2 = _lowbias32(tf.bitwise.bitwise_xor(hi, _lowbias32(salt)))
    counter = tf.cast(counters, tf.uint32)
    # Two rounds keyed by independent halves: rows whose first round collides
    # are still scrambled apart by the second.
    return _lowbias32(tf.bitwise.bitwise_xor(_lowbias32(tf.bitwise.bitwise_xor(counter, base1)),
                                             base2))


def element_uniform(keys, counters, stream=0):
    """Uniform ``[0, 1)`` floats of :func:`element_bits`."""
    return _unit(element_bits(keys, counters, stream))


def _unit(bits):
    """uint32 bits -> float32 in ``[0, 1)`` (24 bits)."""
    return tf.cast(tf.bitwise.right_shift(bits, tf.constant(8, tf.uint32)),
                   tf.float32) * (1.0 / (1 << 24))


def _row_shape(shape):
    shape = tf.reshape(tf.cast(tf.convert_to_tensor(shape), tf.int32), [-1])
    return shape, tf.reduce_prod(shape)


def keyed_uniform(keys, shape):
    """Uniform ``[0, 1)`` draws of shape ``[B, *shape]``, one stream per key.

    Args:
      keys: int64 ``[B]`` per-sample keys (e.g. from :func:`draw_keys`).
      shape: Per-sample shape (list or 1-D int tensor).

    Returns:
      float32 ``[B, *shape]``.
    """
    shape, n = _row_shape(shape)
    u = _unit(_row_bits(keys, n, stream=0))
    return tf.reshape(u, tf.concat([tf.shape(keys)[:1], shape], 0))


def keyed_normal(keys, shape):
    """Standard normal draws ``[B, *shape]`` (Box-Muller over keyed bits)."""
    shape, n = _row_shape(shape)
    m = (n + 1) // 2
    u1 = 1.0 - _unit(_row_bits(keys, m, stream=1))  # (0, 1]
    u2 = _unit(_row_bits(keys, m, stream=2))
    r = tf.sqrt(-2.0 * tf.math.log(u1))
    theta = 2.0 * 3.141592653589793 * u2
    z = tf.concat([r * tf.cos(theta), r * tf.sin(theta)], axis=1)[:, :n]
    return tf.reshape(z, tf.concat([tf.shape(keys)[:1], shape], 0))


def draw_keys(seed, batch_size):
    """Per-sample int64 keys ``[B]`` for :func:`keyed_uniform` / :func:`keyed_normal`."""
    return seeds.uniform([batch_size], seed, 0, KEY_MAX, dtype=tf.int64)
