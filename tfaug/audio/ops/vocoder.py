"""Phase-vocoder time stretch and pitch shift, per-clip rates, batched.

:func:`time_stretch` is librosa's phase vocoder (``librosa.effects.time_stretch``)
vectorized over a batch whose clips have different rates: output frame ``j``
of clip ``b`` reads the analysis frames around ``t = j * rates[b]`` (one
``gather`` with ``batch_dims``), interpolates their magnitudes, and advances
each bin's phase by the measured phase difference of the two frames. The
phase accumulation is a running product of unit phasors (``D1 conj(D0) /
|D1 D0|``, a ``tf.scan`` over frames), so no ``atan2``, ``cos`` or ``sin`` is
needed and XLA compiles it.

:func:`pitch_shift` stretches by ``2 ** (-semitones / 12)`` and reads the result
back at ``2 ** (semitones / 12)`` with :func:`tfaug.audio.ops.resampling.resample_by`
(librosa's ``pitch_shift``): the pitch moves, the duration stays.

Output length policy: ``output_length`` samples per clip; a longer result is
cut at the end, a shorter one ends in zeros.
"""

import math

import tensorflow as tf

from tfaug.audio.ops import common
from tfaug.audio.ops import resampling as resample_ops
from tfaug.core import validation


def check_stft(n_fft, hop_length):
    n_fft = validation.check_int("n_fft", n_fft, 16, 1 << 16)
    hop = n_fft // 4 if hop_length is None else validation.check_int(
        "hop_length", hop_length, 1, n_fft)
    if n_fft % hop:
        raise ValueError(f"`hop_length` must divide `n_fft` (overlap-add needs a whole "
                         f"number of frames per window), got n_fft={n_fft}, "
                         f"hop_length={hop}.")
    return n_fft, hop


def default_n_fft(sample_rate):
    """The power of two nearest to 32 ms at ``sample_rate`` (512 at 16 kHz)."""
    return int(2 ** max(4, round(math.log2(0.032 * sample_rate))))


def _check_rates(rates, batch, name="rates"):
    r = tf.convert_to_tensor(rates, tf.float32)
    if r.shape.rank == 0:
        r = tf.fill([batch], r)
    if r.shape.rank != 1:
        raise ValueError(f"`{name}` must be a scalar or have shape [B], got {r.shape}.")
    static = tf.get_static_value(r)
    if static is not None and not (static > 0).all():
        raise ValueError(f"`{name}` must all be > 0, got {static.tolist()}.")
    with tf.control_dependencies([tf.debugging.assert_positive(
            r, message=f"`{name}` must all be > 0")]):
        return tf.identity(r), static


def _exclusive_cumprod(z):
    """Exclusive cumulative product along axis 1 of a complex ``[B, J, K]``.

    A sequential ``tf.scan`` over frames: under XLA one loop over ``J`` small
    multiplies (~free next to the FFTs); a doubling scan would stream the whole
    tensor ``log2(J)`` times.
    """
    ones = tf.ones_like(z[:, :1])
    shifted = tf.transpose(tf.concat([ones, z[:, :-1]], axis=1), [1, 0, 2])
    prods = tf.scan(lambda acc, step: acc * step, shifted, initializer=ones[:, 0])
    return tf.transpose(prods, [1, 0, 2])


def _hann(n_fft):
    return lambda length, dtype: tf.signal.hann_window(length, periodic=True, dtype=dtype)


def time_stretch(waveforms, rates, n_fft=512, hop_length=None, output_length=None):
    """Changes the tempo of each clip by ``rates[b]``, keeping its pitch.

    ``rate > 1`` plays faster (the result lasts ``T / rate``), ``rate < 1``
    slower. Each clip's result (``round(T / rate)`` samples) is cut or
    zero-padded at the end to ``output_length``.

    Args:
      waveforms: Float ``[B, T]`` or ``[T]``.
      rates: Stretch rates, float ``[B]`` (or a scalar), all > 0.
      n_fft: FFT size (frame length) of the vocoder.
      hop_length: Hop between frames, dividing ``n_fft``; None: ``n_fft // 4``.
      output_length: Samples per output clip (int, or a scalar tensor outside
        XLA); None: ``T``.

    Returns:
      float32 ``[B, output_length]`` (``[output_length]`` for one clip).

    Raises:
      ValueError: bad rates, STFT arguments, or clips of the wrong rank or
        zero length.

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> faster = time_stretch(clips, [1.25, 0.8], output_length=8000)
      >>> faster.shape
      TensorShape([2, 8000])
    """
    n_fft, hop = check_stft(n_fft, hop_length)
    x, single = common.as_batch(waveforms)
    batch = tf.shape(x)[0]
    rates, _ = _check_rates(rates, batch)
    length = common.axis_length(x)
    out_len = length if output_length is None else output_length
    if isinstance(out_len, int):
        validation.check_int("output_length", out_len, 1)
    pad = n_fft // 2
    padded = tf.pad(x, [[0, 0], [pad, pad]])
    spec = tf.signal.stft(padded, n_fft, hop, n_fft, window_fn=_hann(n_fft))  # [B, F, K]
    frames = tf.shape(spec)[1]
    # Two zero frames at the end (librosa's): reads past the clip give silence.
    spec = tf.pad(spec, [[0, 0], [0, 2], [0, 0]])
    mag = tf.abs(spec)
    unit = tf.where(mag > 0, spec / tf.cast(tf.where(mag > 0, mag, 1.0), spec.dtype),
                    tf.ones_like(spec))
    if isinstance(out_len, int):
        n_out = -(-(out_len + pad) // hop) + 1
    else:
        n_out = (out_len + pad + hop - 1) // hop + 1
    steps = tf.range(n_out, dtype=tf.float32)[None, :] * rates[:, None]  # [B, J]
    i0 = tf.minimum(tf.floor(steps), tf.cast(frames, tf.float32))
    alpha = (steps - i0)[:, :, None]
    i0 = tf.cast(i0, tf.int32)
    m0 = tf.gather(mag, i0, batch_dims=1)
    m1 = tf.gather(mag, i0 + 1, batch_dims=1)
    u0 = tf.gather(unit, i0, batch_dims=1)
    u1 = tf.gather(unit, i0 + 1, batch_dims=1)
    # Phase of frame j: angle(D[0]) + sum_{i<j} (angle(D1_i) - angle(D0_i)).
    phase = unit[:, :1] * _exclusive_cumprod(u1 * tf.math.conj(u0))
    out = tf.cast((1.0 - alpha) * m0 + alpha * m1, phase.dtype) * phase
    y = tf.signal.inverse_stft(out, n_fft, hop, n_fft, window_fn=(
        tf.signal.inverse_stft_window_fn(hop, forward_window_fn=_hann(n_fft))))
    y = y[:, pad:pad + out_len]
    # Each clip lasts round(T / rate): zeros after it.
    valid = tf.round(tf.cast(length, tf.float32) / rates)[:, None]
    y = tf.where(tf.range(out_len, dtype=tf.float32)[None, :] < valid, y, 0.0)
    return y[0] if single else y


def pitch_shift(waveforms, semitones, n_fft=512, hop_length=None, max_semitones=None,
                lowpass_width=6, rolloff=0.99):
    """Shifts the pitch of each clip by ``semitones[b]``, keeping its duration.

    A time stretch by ``2 ** (-s / 12)`` followed by a band-limited read at
    ``2 ** (s / 12)`` (librosa's ``pitch_shift``): +12 turns a 440 Hz tone into
    880 Hz of the same length. Output has the input's length ``T``.

    Args:
      waveforms: Float ``[B, T]`` or ``[T]``.
      semitones: Shifts, float ``[B]`` (or a scalar); positive is higher.
      n_fft: FFT size of the vocoder.
      hop_length: Hop between frames, dividing ``n_fft``; None: ``n_fft // 4``.
      max_semitones: Largest upward shift expected (a Python number; sets the
        length of the intermediate stretch: ``T * 2 ** (max / 12)``). None:
        the largest of ``semitones`` when they are constant, else 12. A clip
        shifted further up ends early (in zeros).
      lowpass_width: Zero crossings of the resampling sinc on each side.
      rolloff: Resampling cutoff as a fraction of the Nyquist, in ``(0, 1]``.

    Returns:
      float32 ``[B, T]`` (``[T]`` for one clip).

    Raises:
      ValueError: bad semitones or STFT/filter arguments, or bad clips.

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> octave_up = pitch_shift(clips, 12.0)
      >>> octave_up.shape
      TensorShape([2, 8000])
    """
    check_stft(n_fft, hop_length)
    x, single = common.as_batch(waveforms)
    batch = tf.shape(x)[0]
    s = tf.convert_to_tensor(semitones, tf.float32)
    if s.shape.rank == 0:
        s = tf.fill([batch], s)
    if s.shape.rank != 1:
        raise ValueError(f"`semitones` must be a scalar or have shape [B], got {s.shape}.")
    static = tf.get_static_value(s)
    if static is not None and not abs(static).max(initial=0) <= 96:
        raise ValueError(f"`semitones` must lie in [-96, 96], got {static.tolist()}.")
    if max_semitones is None:
        max_semitones = float(static.max()) if static is not None and static.size else 12.0
    max_semitones = validation.check_number("max_semitones", max_semitones, -96.0, 96.0)
    max_factor = 2.0 ** (max(max_semitones, 0.0) / 12.0)
    factors = tf.pow(2.0, s / 12.0)
    length = common.axis_length(x)
    if isinstance(length, int):
        stretched_len = int(math.ceil(length * max_factor)) + 1
    else:
        stretched_len = tf.cast(tf.math.ceil(tf.cast(length, tf.float32) * max_factor),
                                tf.int32) + 1
    stretched = time_stretch(x, 1.0 / factors, n_fft, hop_length, stretched_len)
    y = resample_ops.resample_by(stretched, factors, length, lowpass_width, rolloff,
                                 max_factor=max_factor)
    return y[0] if single else y
