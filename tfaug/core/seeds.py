"""Stateless seed helpers.

Every random draw in tfaug is a ``tf.random.stateless_*`` call on a seed of
shape ``[2]``. A layer splits its call seed into independent sub-seeds, one per
decision, with :func:`split`.
"""

import random

import tensorflow as tf


def as_seed(seed):
    """Converts ``seed`` (int, pair or tensor of shape ``[2]``) to an int64 tensor.

    Raises:
      ValueError: if the seed is not an integer scalar or pair.
    """
    if isinstance(seed, bool):
        raise ValueError(f"`seed` must be an int or a shape-[2] integer tensor, got {seed!r}.")
    if isinstance(seed, int):
        return tf.constant([seed, 0], tf.int64)
    seed = tf.convert_to_tensor(seed)
    if not seed.dtype.is_integer:
        raise ValueError(f"`seed` must have an integer dtype, got {seed.dtype.name}.")
    if seed.shape.rank == 0:
        seed = tf.stack([seed, tf.zeros_like(seed)])
    if seed.shape.rank != 1 or (seed.shape[0] is not None and seed.shape[0] != 2):
        raise ValueError(f"`seed` must have shape [2], got {seed.shape}.")
    return tf.cast(seed, tf.int64)


# One algorithm everywhere: XLA's default ("auto_select") differs from the CPU
# kernels', so a jit-compiled call would draw different numbers.
ALG = "philox"


def split(seed, num=2):
    """Splits a seed into ``num`` independent seeds (a ``[num, 2]`` int64 tensor)."""
    return tf.random.stateless_uniform([num, 2], as_seed(seed), minval=None, maxval=None,
                                       dtype=tf.int64, alg=ALG)


def fold_in(seed, data):
    """Derives a new seed from ``seed`` and an integer ``data`` (e.g. a batch index)."""
    seed = as_seed(seed)
    key = tf.random.stateless_uniform([2], seed, minval=None, maxval=None,
                                      dtype=tf.int64, alg=ALG)
    return key + tf.stack([tf.cast(data, tf.int64), tf.constant(0, tf.int64)])


def _bits(shape, seed):
    """Uniform int64 bits; identical in eager, graph and XLA (float conversion in
    the stateless kernels is not, so floats are derived here)."""
    return tf.random.stateless_uniform(shape, as_seed(seed), minval=None, maxval=None,
                                       dtype=tf.int64, alg=ALG)


def _unit(shape, seed):
    """Uniform float32 in [0, 1) from 24 random bits."""
    bits = tf.bitwise.bitwise_and(_bits(shape, seed), (1 << 24) - 1)
    return tf.cast(bits, tf.float32) * (1.0 / (1 << 24))


def uniform(shape, seed, minval=0.0, maxval=1.0, dtype=tf.float32):
    """Uniform draws in ``[minval, maxval)``, the same in eager, graph, tf.data and XLA.

    Integer dtypes draw from ``[minval, maxval)`` (both required).
    """
    dtype = tf.as_dtype(dtype)
    if dtype.is_integer:
        if minval is None or maxval is None:
            raise ValueError("integer uniform draws need `minval` and `maxval`.")
        lo = tf.cast(minval, tf.int64)
        span = tf.maximum(tf.cast(maxval, tf.int64) - lo, 1)
        bits = tf.bitwise.bitwise_and(_bits(shape, seed), (1 << 62) - 1)
        return tf.cast(lo + tf.math.floormod(bits, span), dtype)
    u = _unit(shape, seed)
    minval = tf.cast(minval, tf.float32)
    maxval = tf.cast(maxval, tf.float32)
    return tf.cast(minval + (maxval - minval) * u, dtype)


def normal(shape, seed, mean=0.0, stddev=1.0, dtype=tf.float32):
    """Normal draws (Box-Muller over :func:`uniform`), the same under XLA."""
    s1, s2 = tf.unstack(split(seed, 2))
    u1 = 1.0 - _unit(shape, s1)  # (0, 1]
    u2 = _unit(shape, s2)
    z = tf.sqrt(-2.0 * tf.math.log(u1)) * tf.cos(2.0 * 3.141592653589793 * u2)
    return tf.cast(mean + stddev * z, dtype)


def bernoulli(shape, seed, rate):
    """Bool tensor, true with probability ``rate`` (scalar or broadcastable)."""
    return uniform(shape, seed) < rate


def categorical(batch_size, seed, weights):
    """Draws ``batch_size`` indices in ``[0, len(weights))`` with relative ``weights``.

    Made of a uniform draw and a cumulative sum, so it compiles with XLA (the
    stateless multinomial kernel does not on CPU).
    """
    w = tf.constant(weights, tf.float32)
    cdf = tf.cumsum(w / tf.reduce_sum(w))
    u = uniform([batch_size], seed)
    idx = tf.reduce_sum(tf.cast(u[:, None] >= cdf[None, :-1], tf.int32), axis=1)
    return idx


def beta(shape, seed, alpha, beta_):
    """Beta(alpha, beta) draws, the same in eager, graph, tf.data and XLA.

    Built from two :func:`gamma` draws (XLA on CPU has no gamma kernel, and
    TensorFlow's kernel would draw other numbers than a compiled call).
    """
    s1, s2 = tf.unstack(split(seed, 2))
    # x / (x + y) = sigmoid(log x - log y): in logs, so that a small alpha (whose
    # gamma draws underflow to 0 in float32) still gives 0 or 1 with the right odds.
    return tf.sigmoid(log_gamma(shape, s1, alpha) - log_gamma(shape, s2, beta_))


def gamma(shape, seed, alpha, proposals=16):
    """Gamma(alpha, 1) draws; see :func:`log_gamma` for the method."""
    sample, boost, ub, alpha = _gamma_parts(shape, seed, alpha, proposals)
    return tf.where(boost, sample * tf.pow(tf.maximum(ub, 1e-30), 1.0 / alpha), sample)


def log_gamma(shape, seed, alpha, proposals=16):
    """The logarithm of :func:`gamma`'s draws, finite for any ``alpha`` > 0.

    Example:
      >>> draws = log_gamma([4], tf.constant([1, 2], tf.int64), 1e-6)
      >>> bool(tf.reduce_all(tf.math.is_finite(draws)) and tf.reduce_all(draws < -1000.0))
      True
    """
    sample, boost, ub, alpha = _gamma_parts(shape, seed, alpha, proposals)
    boost_log = tf.math.log(tf.maximum(ub, 1e-30)) / alpha
    return tf.math.log(sample) + tf.where(boost, boost_log, 0.0)


def _gamma_parts(shape, seed, alpha, proposals):
    """Gamma(alpha, 1) draws for a scalar ``alpha`` > 0 (Marsaglia-Tsang).

    Each sample tries ``proposals`` candidates and keeps the first accepted one
    (acceptance is >= 95% per try for alpha >= 1, so a miss has probability
    < 1e-20; it falls back to the mode to stay finite). ``alpha < 1`` uses the
    boost Gamma(a) = Gamma(a + 1) * U^(1/a). Same draws under XLA.
    """
    alpha = tf.convert_to_tensor(alpha, tf.float32)
    if alpha.shape.rank:
        raise ValueError(f"`alpha` must be a scalar, got shape {alpha.shape}.")
    boost = alpha < 1.0
    a = tf.where(boost, alpha + 1.0, alpha)
    d = a - 1.0 / 3.0
    c = 1.0 / tf.sqrt(9.0 * d)
    s_norm, s_unif, s_boost = tf.unstack(split(seed, 3))
    shape = tf.reshape(tf.convert_to_tensor(shape, tf.int32), [-1])
    full = tf.concat([shape, [proposals]], 0)
    z = normal(full, s_norm)
    u = uniform(full, s_unif)
    v = (1.0 + c * z) ** 3
    ok = (v > 0) & (tf.math.log(tf.maximum(u, 1e-30)) <
                    0.5 * z * z + d - d * v + d * tf.math.log(tf.maximum(v, 1e-30)))
    first = tf.argmax(tf.cast(ok, tf.int32), axis=-1, output_type=tf.int32)
    sample = tf.gather(d * v, first[..., None], batch_dims=ok.shape.rank - 1)[..., 0]
    sample = tf.where(tf.reduce_any(ok, -1), sample, d)
    return sample, boost, uniform(shape, s_boost), alpha


def initial_state(seed):
    """The starting value of a layer's seed state for construction seed ``seed``.

    ``None`` draws a fresh seed from the operating system (at construction only,
    never on a transform path).
    """
    if seed is None:
        seed = random.SystemRandom().randrange(2**31 - 1)
    # Philox state as RngReadAndSkip expects it: [counter_lo, counter_hi, key].
    return [0, 0, int(seed)]
