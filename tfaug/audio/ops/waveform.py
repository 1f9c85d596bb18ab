"""Waveform ops: gain, polarity, shift, noise at an SNR, clipping, tanh distortion.

Pure, deterministic, batched functions on float32 waveforms ``[B, T]`` with
per-clip parameters shaped ``[B]``; the random variants take the seed first and
draw one parameter per clip with :mod:`tfaug.core.seeds` (stateless: the same
numbers in eager, graph, ``tf.data`` and XLA). Graph ops only, so everything
here compiles with XLA when ``T`` is static.

Example:
  >>> audio = tf.random.normal([2, 8000]) * 0.1
  >>> louder = gain_db(audio, tf.fill([tf.shape(audio)[0]], 6.0))  # +6 dB
  >>> seed = tf.constant([1, 2], tf.int64)
  >>> noisy = random_gaussian_noise_snr(seed, audio, 10.0, 20.0)
  >>> noisy.shape
  TensorShape([2, 8000])
"""

import tensorflow as tf

from tfaug.core import keyed
from tfaug.core import seeds as seeds_lib


def _audio(audio):
    audio = tf.convert_to_tensor(audio, tf.float32)
    if audio.shape.rank != 2:
        raise ValueError(f"`audio` must be a batch of clips [B, T], got shape {audio.shape}.")
    return audio


def _per_clip(value, dtype=tf.float32):
    """A per-clip parameter ``[B]`` (a scalar broadcasts) as a column ``[B, 1]``."""
    value = tf.convert_to_tensor(value, dtype)
    if value.shape.rank == 0:
        return value
    return value[:, None]


def power(audio):
    """Mean power per clip, ``mean(x**2)``: float32 ``[B]``."""
    return tf.reduce_mean(tf.square(_audio(audio)), axis=1)


def rms(audio):
    """Root mean square per clip: float32 ``[B]``."""
    return tf.sqrt(power(audio))


# ------------------------------------------------------------------- gain
def gain_db(audio, gain):
    """Multiplies each clip by ``10 ** (gain / 20)``.

    Args:
      audio: float32 ``[B, T]``.
      gain: Gain in decibels, ``[B]`` (or a scalar).

    Returns:
      float32 ``[B, T]``; the RMS ratio out/in is exactly ``gain`` dB.

    Example:
      >>> out = gain_db(tf.ones([2, 4]), [6.0, -6.0])  # first clip twice as loud
      >>> [round(float(v), 3) for v in out[:, 0]]
      [1.995, 0.501]
    """
    return _audio(audio) * tf.pow(10.0, _per_clip(gain) / 20.0)


def random_gain_db(seed, audio, min_db, max_db):
    """:func:`gain_db` with a gain drawn uniformly in ``[min_db, max_db)`` per clip."""
    audio = _audio(audio)
    return gain_db(audio, seeds_lib.uniform([tf.shape(audio)[0]], seed, min_db, max_db))


def invert(audio, flip=None):
    """Polarity inversion: ``-audio`` where ``flip`` (bool ``[B]``) is true, or
    every clip when ``flip`` is None."""
    audio = _audio(audio)
    if flip is None:
        return -audio
    return tf.where(_per_clip(flip, tf.bool), -audio, audio)


# ------------------------------------------------------------------ shift
def shift(audio, shifts, rollover=True):
    """Shifts each clip in time by ``shifts`` samples (positive: later).

    Args:
      audio: float32 ``[B, T]``.
      shifts: int ``[B]``; sample ``t`` of the output is sample ``t - shift``
        of the input.
      rollover: True: a circular roll (what leaves one end enters the other);
        False: the vacated samples are zeros.

    Returns:
      float32 ``[B, T]``.

    Example:
      >>> shift(tf.ones([2, 6]), [2, -2], rollover=False).numpy().tolist()
      [[0.0, 0.0, 1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]]
    """
    audio = _audio(audio)
    length = tf.shape(audio)[1]
    source = tf.range(length)[None, :] - tf.cast(_per_clip(shifts, tf.int32), tf.int32)
    inside = (source >= 0) & (source < length)
    source = tf.math.floormod(source, length)
    out = tf.gather(audio, source, batch_dims=1)
    if rollover:
        return out
    return tf.where(inside, out, tf.zeros_like(out))


def random_shift(seed, audio, max_fraction, rollover=True):
    """:func:`shift` by a whole number of samples drawn uniformly per clip in
    ``[-max_fraction * T, max_fraction * T]``."""
    audio = _audio(audio)
    fraction = seeds_lib.uniform([tf.shape(audio)[0]], seed, -max_fraction, max_fraction)
    return shift(audio, fraction_to_samples(fraction, tf.shape(audio)[1]), rollover)


def fraction_to_samples(fraction, length):
    """A shift as a fraction of the clip (``[B]``) -> whole samples (int32 ``[B]``)."""
    return tf.cast(tf.round(fraction * tf.cast(length, tf.float32)), tf.int32)


# ------------------------------------------------------------------ noise
def mix_at_snr(audio, noise, snr_db):
    """Adds ``noise`` scaled so that each clip's SNR is exactly ``snr_db``.

    The noise is scaled by ``sqrt(P_signal / (P_noise * 10 ** (snr_db / 10)))``
    with ``P = mean(x ** 2)`` over the clip, so ``10 * log10(P_signal /
    P_added) == snr_db``. A silent clip, or a silent noise, gets nothing added
    (no NaN).

    Args:
      audio: float32 ``[B, T]``.
      noise: float32 ``[B, T]``.
      snr_db: Signal-to-noise ratio in dB, ``[B]`` (or a scalar).

    Returns:
      float32 ``[B, T]``.

    Example:
      >>> speech, babble = tf.random.normal([2, 8000]), tf.random.normal([2, 8000])
      >>> mix_at_snr(speech, babble, [10.0, 20.0]).shape
      TensorShape([2, 8000])
    """
    audio, noise = _audio(audio), _audio(noise)
    p_signal = tf.reduce_mean(tf.square(audio), axis=1, keepdims=True)
    p_noise = tf.reduce_mean(tf.square(noise), axis=1, keepdims=True)
    target = p_signal * tf.pow(10.0, -_per_clip(snr_db) / 10.0)
    scale = tf.where(p_noise > 0, tf.sqrt(tf.math.divide_no_nan(target, p_noise)), 0.0)
    return audio + scale * noise


def add_noise_at_snr(audio, keys, snr_db):
    """Adds white Gaussian noise at exactly ``snr_db`` per clip.

    The noise of clip ``b`` is a function of ``keys[b]`` only
    (:func:`tfaug.core.keyed.keyed_normal`), then scaled by :func:`mix_at_snr`.

    Args:
      audio: float32 ``[B, T]``.
      keys: int64 ``[B]`` per-clip keys (:func:`tfaug.core.keyed.draw_keys`).
      snr_db: ``[B]`` (or a scalar) in dB.

    Returns:
      float32 ``[B, T]``.
    """
    audio = _audio(audio)
    noise = keyed.keyed_normal(keys, tf.shape(audio)[1:])
    return mix_at_snr(audio, noise, snr_db)


def random_gaussian_noise_snr(seed, audio, min_snr_db, max_snr_db):
    """:func:`add_noise_at_snr` with the SNR drawn uniformly per clip."""
    audio = _audio(audio)
    key_seed, snr_seed = tf.unstack(seeds_lib.split(seed, 2))
    batch = tf.shape(audio)[0]
    return add_noise_at_snr(audio, keyed.draw_keys(key_seed, batch),
                            seeds_lib.uniform([batch], snr_seed, min_snr_db, max_snr_db))


# ------------------------------------------------------------- distortion
def _sort_keys(x):
    """float32 -> int64 keys with the same order (IEEE bits, negatives flipped)."""
    bits = tf.cast(tf.bitcast(x, tf.int32), tf.int64)
    return tf.where(bits < 0, tf.bitwise.bitwise_xor(bits, 0x7FFFFFFF), bits)


def _from_key(key):
    bits = tf.where(key < 0, tf.bitwise.bitwise_xor(key, 0x7FFFFFFF), key)
    return tf.bitcast(tf.cast(bits, tf.int32), tf.float32)


def order_statistic(x, k):
    """The ``k``-th smallest value of each row (0-based), exactly.

    A bisection over the 32-bit keys of the values: 33 counting passes over
    ``x`` (no sort), a few times faster than ``tf.sort`` under XLA on CPU.

    Args:
      x: float32 ``[B, T]`` (finite).
      k: int ``[B]`` in ``[0, T)``.

    Returns:
      float32 ``[B]``.
    """
    keys = _sort_keys(_audio(x))
    need = tf.cast(k, tf.int64)[:, None] + 1
    lo = tf.fill(tf.shape(need), tf.constant(-(2**31) - 1, tf.int64))  # count(<= lo) < need
    hi = tf.fill(tf.shape(need), tf.constant(2**31 - 1, tf.int64))  # count(<= hi) >= need
    for _ in range(33):
        mid = lo + (hi - lo) // 2
        enough = tf.reduce_sum(tf.cast(keys <= mid, tf.int64), axis=1, keepdims=True) >= need
        lo = tf.where(enough, lo, mid)
        hi = tf.where(enough, mid, hi)
    return _from_key(hi[:, 0])


def percentile(x, q):
    """Per-row percentile with linear interpolation (NumPy's default).

    Args:
      x: float32 ``[B, T]`` (finite).
      q: Percentile in ``[0, 100]``, ``[B]`` (or a scalar).

    Returns:
      float32 ``[B]``, ``numpy.percentile(x[b], q[b])`` for each row.

    Example:
      >>> percentile(tf.constant([[1.0, 2.0, 3.0, 4.0, 5.0]]), [50.0]).numpy().tolist()
      [3.0]
    """
    x = _audio(x)
    length = tf.shape(x)[1]
    q = tf.broadcast_to(tf.convert_to_tensor(q, tf.float32), tf.shape(x)[:1])
    pos = tf.clip_by_value(q, 0.0, 100.0) / 100.0 * tf.cast(length - 1, tf.float32)
    lo = tf.minimum(tf.cast(tf.floor(pos), tf.int32), length - 1)
    frac = pos - tf.cast(lo, tf.float32)
    below = order_statistic(x, lo)
    # The next order statistic: ``below`` again when it repeats, else the
    # smallest value above it.
    at_most = tf.reduce_sum(tf.cast(x <= below[:, None], tf.int32), axis=1)
    bigger = tf.reduce_min(tf.where(x > below[:, None], x, float("inf")), axis=1)
    above = tf.where((at_most >= lo + 2) | (lo + 1 >= length), below, bigger)
    return below + frac * (above - below)


def clip(audio, threshold):
    """Hard clipping at ``+-threshold`` (``[B]`` or a scalar, >= 0) per clip."""
    threshold = _per_clip(threshold)
    return tf.clip_by_value(_audio(audio), -threshold, threshold)


def clip_percentile(audio, percent):
    """Clipping distortion: clips ``percent`` % of each clip's samples.

    The clip is limited to ``[percentile(percent / 2), percentile(100 -
    percent / 2)]`` of its own samples (audiomentations' ClippingDistortion),
    so about ``percent`` % of the samples end up flat.

    Args:
      audio: float32 ``[B, T]``.
      percent: ``[B]`` (or a scalar) in ``[0, 100]``.

    Returns:
      float32 ``[B, T]``.
    """
    audio = _audio(audio)
    percent = tf.broadcast_to(tf.convert_to_tensor(percent, tf.float32), tf.shape(audio)[:1])
    low = percentile(audio, percent / 2.0)
    high = percentile(audio, 100.0 - percent / 2.0)
    return tf.clip_by_value(audio, low[:, None], high[:, None])


def tanh_distortion(audio, distortion):
    """Tanh soft clipping with the RMS kept (audiomentations' TanhDistortion).

    ``threshold = percentile(|x|, 100 - 99 * distortion)``; ``y = tanh(x * 0.5 /
    (threshold + 1e-6))``, rescaled to the input's RMS. Distortion 0 is a
    gentle saturation, 1 heavy clipping. A silent clip stays silent.

    Args:
      audio: float32 ``[B, T]``.
      distortion: ``[B]`` (or a scalar) in ``[0, 1]``.

    Returns:
      float32 ``[B, T]``.
    """
    audio = _audio(audio)
    distortion = tf.broadcast_to(tf.convert_to_tensor(distortion, tf.float32),
                                 tf.shape(audio)[:1])
    threshold = percentile(tf.abs(audio), 100.0 - 99.0 * distortion)
    out = tf.tanh(audio * (0.5 / (threshold + 1e-6))[:, None])
    scale = tf.math.divide_no_nan(rms(audio), rms(out))
    return out * scale[:, None]
