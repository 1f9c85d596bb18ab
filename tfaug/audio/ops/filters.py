"""Frequency-domain filters and FFT convolution on batched waveforms.

Filters are zero-phase and applied in the frequency domain: each clip is
zero-padded (so the response cannot wrap around the clip's ends), transformed
with ``rfft``, multiplied by a real per-clip gain ``|H(f)|`` and transformed
back, then cropped to ``T`` samples. The gains are the magnitudes of analog
Butterworth responses of order ``n``:

* low-pass:  ``|H| = 1 / sqrt(1 + (f / fc) ** (2 n))``
* high-pass: ``|H| = 1 / sqrt(1 + (fc / f) ** (2 n))``
* band-pass (edges ``fl < fh``): ``|H| = 1 / sqrt(1 + ((f**2 - fl fh) / (f (fh -
  fl))) ** (2 n))``, the low-pass-to-band-pass transform of the same order.

So the gain is -3.01 dB at every cutoff / band edge and falls by ``6 n`` dB
per octave beyond it (an order-4 low-pass is about -48 dB two octaves above
its cutoff). Unlike a causal IIR filter there is no phase shift or delay.
All ops are batched, with per-clip cutoffs ``[B]`` in Hz, and compile with XLA
when ``T`` is static.

Example:
  >>> audio = tf.random.normal([2, 4000]) * 0.1
  >>> lowpass(audio, 8000, tf.constant([1000.0, 2000.0]), order=4).shape
  TensorShape([2, 4000])
"""

import tensorflow as tf

from tfaug.audio.ops import common


def _audio(audio):
    audio = tf.convert_to_tensor(audio, tf.float32)
    if audio.shape.rank != 2:
        raise ValueError(f"`audio` must be a batch of clips [B, T], got shape {audio.shape}.")
    return audio


def next_pow2(n):
    """Smallest power of two ``>= n`` (a Python int, or an int32 tensor)."""
    if isinstance(n, int):
        return 1 << max(n - 1, 0).bit_length()
    n = tf.cast(n, tf.float32)
    return tf.cast(2.0 ** tf.math.ceil(tf.math.log(tf.maximum(n, 1.0)) / tf.math.log(2.0)),
                   tf.int32)


def _fft_arg(fft_length):
    """``fft_length`` as ``tf.signal.rfft`` takes it: a static list when known."""
    return [fft_length] if isinstance(fft_length, int) else fft_length[None]


def rfft_freqs(fft_length, sample_rate):
    """Bin frequencies (Hz) of an ``rfft`` of ``fft_length``: float32 ``[fft_length//2+1]``."""
    bins = tf.range(fft_length // 2 + 1)
    return tf.cast(bins, tf.float32) * (float(sample_rate) / tf.cast(fft_length, tf.float32))


def _col(x):
    x = tf.convert_to_tensor(x, tf.float32)
    return x if x.shape.rank == 0 else x[:, None]


def butterworth_lowpass(freqs, cutoff, order):
    """Low-pass gain ``[B, F]`` (``[F]`` for a scalar cutoff) at ``freqs`` (Hz)."""
    ratio = tf.convert_to_tensor(freqs, tf.float32) / _col(cutoff)
    return tf.math.rsqrt(1.0 + tf.pow(ratio, 2.0 * order))


def butterworth_highpass(freqs, cutoff, order):
    """High-pass gain ``[B, F]`` at ``freqs`` (Hz); 0 at DC."""
    freqs = tf.convert_to_tensor(freqs, tf.float32)
    ratio = _col(cutoff) / tf.maximum(freqs, 1e-6)
    gain = tf.math.rsqrt(1.0 + tf.pow(ratio, 2.0 * order))
    return tf.where(freqs > 0, gain, 0.0)


def butterworth_bandpass(freqs, low, high, order):
    """Band-pass gain ``[B, F]`` with -3 dB edges ``low < high`` (Hz); 0 at DC."""
    freqs = tf.convert_to_tensor(freqs, tf.float32)
    low, high = _col(low), _col(high)
    safe = tf.maximum(freqs, 1e-6)
    ratio = (tf.square(safe) - low * high) / (safe * (high - low))
    gain = tf.math.rsqrt(1.0 + tf.pow(tf.abs(ratio), 2.0 * order))
    return tf.where(freqs > 0, gain, 0.0)


def apply_gain(audio, gain_fn, sample_rate, pad=None):
    """Multiplies each clip's spectrum by a real zero-phase gain.

    Args:
      audio: float32 ``[B, T]``.
      gain_fn: ``freqs [F] -> gain [B, F]`` (or ``[F]``) for the bins of the
        padded FFT.
      sample_rate: Hz.
      pad: Zeros appended before the FFT; default ``T`` (no circular wrap of
        the response's first ``T`` samples of tail on either side).

    Returns:
      float32 ``[B, T]``.
    """
    audio = _audio(audio)
    length = common.axis_length(audio, 1)
    total = length + (length if pad is None else pad)
    fft_length = next_pow2(total)
    spectrum = tf.signal.rfft(audio, _fft_arg(fft_length))
    gain = gain_fn(rfft_freqs(fft_length, sample_rate))
    filtered = tf.signal.irfft(spectrum * tf.cast(gain, tf.complex64), _fft_arg(fft_length))
    return filtered[:, :length]


def lowpass(audio, sample_rate, cutoff_hz, order=4):
    """Zero-phase Butterworth low-pass; ``cutoff_hz`` ``[B]`` (or a scalar).

    Example:
      >>> audio = tf.random.normal([2, 8000])
      >>> out = lowpass(audio, 16000, [500.0, 4000.0])
      >>> bool(tf.math.reduce_std(out[0]) < tf.math.reduce_std(out[1]))  # lower cutoff
      True
    """
    return apply_gain(audio, lambda f: butterworth_lowpass(f, cutoff_hz, order), sample_rate)


def highpass(audio, sample_rate, cutoff_hz, order=4):
    """Zero-phase Butterworth high-pass; ``cutoff_hz`` ``[B]`` (or a scalar)."""
    return apply_gain(audio, lambda f: butterworth_highpass(f, cutoff_hz, order), sample_rate)


def band_edges(center_hz, bandwidth_fraction):
    """``(low, high)`` edges of a band ``center * (1 -+ fraction / 2)`` (Hz)."""
    center = tf.convert_to_tensor(center_hz, tf.float32)
    half = center * tf.convert_to_tensor(bandwidth_fraction, tf.float32) / 2.0
    return center - half, center + half


def bandpass(audio, sample_rate, center_hz, bandwidth_fraction, order=4):
    """Zero-phase Butterworth band-pass.

    The band is ``center * (1 - fraction / 2)`` to ``center * (1 + fraction /
    2)`` (audiomentations' BandPassFilter convention), -3 dB at both edges.

    Args:
      audio: float32 ``[B, T]``.
      sample_rate: Hz.
      center_hz: ``[B]`` (or a scalar).
      bandwidth_fraction: Bandwidth over center, ``[B]`` (or a scalar) in
        ``(0, 2)``.
      order: Butterworth order.

    Returns:
      float32 ``[B, T]``.
    """
    low, high = band_edges(center_hz, bandwidth_fraction)
    return apply_gain(audio, lambda f: butterworth_bandpass(f, low, high, order), sample_rate)


def fft_convolve(audio, kernels):
    """Linear convolution of each clip with its own kernel, first ``T`` samples.

    ``out[b] = numpy.convolve(audio[b], kernels[b])[:T]``, computed with
    zero-padded FFTs (no circular wrap).

    Args:
      audio: float32 ``[B, T]``.
      kernels: float32 ``[B, K]`` (or ``[K]``, one kernel for every clip).

    Returns:
      float32 ``[B, T]``.
    """
    audio = _audio(audio)
    kernels = tf.convert_to_tensor(kernels, tf.float32)
    if kernels.shape.rank == 1:
        kernels = kernels[None]
    if kernels.shape.rank != 2:
        raise ValueError(f"`kernels` must be [B, K] or [K], got shape {kernels.shape}.")
    length, taps = common.axis_length(audio, 1), common.axis_length(kernels, 1)
    fft_length = _fft_arg(next_pow2(length + taps - 1))
    product = tf.signal.rfft(audio, fft_length) * tf.signal.rfft(kernels, fft_length)
    return tf.signal.irfft(product, fft_length)[:, :length]
