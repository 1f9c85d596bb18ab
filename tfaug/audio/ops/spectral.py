"""Spectral ops: STFT, (mel) spectrograms and decibels (SpecAugment: ``specaugment.py``).

Conventions (those of librosa's defaults, so numbers can be compared):

* ``win_length`` defaults to ``n_fft`` and ``hop_length`` to ``win_length // 4``.
* The window (periodic, as ``scipy.signal.get_window(..., fftbins=True)``) is
  zero-padded to ``n_fft`` *centred* (``librosa.util.pad_center``).
* ``center=True`` pads ``n_fft // 2`` samples on both sides of each clip
  (``pad_mode="constant"``: zeros, librosa >= 0.10's default; or
  ``"reflect"``), so frame ``t`` is centred on sample ``t * hop_length``; a clip of
  ``T`` samples gives ``1 + T // hop_length`` frames (even ``n_fft``). With
  ``center=False`` frames start at ``t * hop_length`` and there are
  ``1 + (T - n_fft) // hop_length`` of them (none when ``T < n_fft``).
* Outputs are time-major: ``[..., frames, n_fft // 2 + 1]`` (librosa's
  transpose), and :func:`mel_filterbank` is ``[bins, mels]`` as in
  ``tf.signal.linear_to_mel_weight_matrix`` (librosa's transpose).

"""

import math

import tensorflow as tf

from tfaug.core import validation

WINDOWS = ("hann", "hamming", "blackman", "boxcar")
PAD_MODES = ("constant", "reflect")


# ---------------------------------------------------------------- arguments
def check_stft_args(n_fft, hop_length=None, win_length=None, window="hann", center=True,
                    pad_mode="constant"):
    """Checks STFT arguments; returns ``(n_fft, hop_length, win_length)`` resolved.

    Raises:
      ValueError: an argument is out of range (named in the message).
    """
    n_fft = validation.check_int("n_fft", n_fft, 1)
    win_length = n_fft if win_length is None else validation.check_int(
        "win_length", win_length, 1, n_fft)
    hop_length = max(win_length // 4, 1) if hop_length is None else validation.check_int(
        "hop_length", hop_length, 1)
    validation.check_choice("window", window, WINDOWS)
    validation.check_bool("center", center)
    validation.check_choice("pad_mode", pad_mode, PAD_MODES)
    return n_fft, hop_length, win_length


def check_mel_args(num_mel_bins, n_fft, sample_rate, fmin, fmax, htk, norm):
    """Checks mel filterbank arguments; returns ``(fmin, fmax)`` as floats."""
    validation.check_int("num_mel_bins", num_mel_bins, 1)
    validation.check_int("n_fft", n_fft, 1)
    sample_rate = validation.check_number("sample_rate", sample_rate, 0.0,
                                          low_inclusive=False)
    nyquist = sample_rate / 2.0
    fmin = validation.check_number("fmin", fmin, 0.0, nyquist)
    fmax = nyquist if fmax is None else validation.check_number("fmax", fmax, 0.0, nyquist)
    if not fmin < fmax:
        raise validation.ArgumentError(
            "fmin", fmin, "below `fmax`",
            f"`fmin` must be below `fmax`, got fmin={fmin} and fmax={fmax} "
            f"(fmax must lie in (fmin, sample_rate / 2 = {nyquist}]).")
    validation.check_bool("htk", htk)
    validation.check_choice("norm", norm, ("slaney", None))
    return fmin, fmax


def _waveforms(waveforms, name="waveforms"):
    x = tf.convert_to_tensor(waveforms)
    if not x.dtype.is_floating:
        raise ValueError(f"`{name}` must be float samples in [-1, 1], got {x.dtype.name} "
                         "(scale integer PCM first, e.g. tf.cast(pcm, tf.float32) / 32768.0).")
    if x.shape.rank is not None and x.shape.rank < 1:
        raise ValueError(f"`{name}` must have shape [..., T], got a scalar.")
    return tf.cast(x, tf.float32)



# --------------------------------------------------------------------- STFT
def window_function(window, win_length, n_fft=None):
    """The periodic analysis window, zero-padded to ``n_fft`` centred (float32).

    Args:
      window: One of ``"hann"``, ``"hamming"``, ``"blackman"``, ``"boxcar"``.
      win_length: Window length in samples.
      n_fft: Padded length (default ``win_length``).

    Returns:
      float32 ``[n_fft]``.

    Example:
      >>> w = window_function("hann", 400, 512)  # centred, zero-padded to 512
      >>> w.shape, float(w[0]), float(w[-1])
      (TensorShape([512]), 0.0, 0.0)
    """
    n_fft = win_length if n_fft is None else n_fft
    validation.check_choice("window", window, WINDOWS)
    phase = 2.0 * math.pi * tf.range(win_length, dtype=tf.float64) / win_length
    coeffs = {"hann": (0.5, 0.5, 0.0), "hamming": (0.54, 0.46, 0.0),
              "blackman": (0.42, 0.5, 0.08), "boxcar": (1.0, 0.0, 0.0)}[window]
    w = coeffs[0] - coeffs[1] * tf.cos(phase) + coeffs[2] * tf.cos(2.0 * phase)
    if win_length == 1:
        w = tf.ones([1], tf.float64)
    left = (n_fft - win_length) // 2
    w = tf.pad(w, [[left, n_fft - win_length - left]])
    return tf.cast(w, tf.float32)


def num_frames(length, n_fft=512, hop_length=None, win_length=None, center=True):
    """Frames an STFT of a ``length``-sample clip has (Python ints).

    Example:
      >>> num_frames(16000, 512, 128)
      126
    """
    n_fft, hop_length, _ = check_stft_args(n_fft, hop_length, win_length)
    padded = length + 2 * (n_fft // 2) if center else length
    return max(0, 1 + (padded - n_fft) // hop_length) if padded >= n_fft else 0


def stft(waveforms, n_fft=512, hop_length=None, win_length=None, window="hann", center=True,
         pad_mode="constant"):
    """Short-time Fourier transform (librosa's framing, time-major output).

    Args:
      waveforms: float ``[..., T]`` (e.g. ``[B, T]``).
      n_fft: FFT size (>= 1); ``n_fft // 2 + 1`` frequency bins.
      hop_length: Samples between frames (default ``win_length // 4``).
      win_length: Window length ``<= n_fft`` (default ``n_fft``), centred in the
        ``n_fft`` frame.
      window: ``"hann"`` (default), ``"hamming"``, ``"blackman"`` or ``"boxcar"``.
      center: Pad ``n_fft // 2`` samples each side so frame ``t`` is centred on
        sample ``t * hop_length``.
      pad_mode: ``"constant"`` (zeros) or ``"reflect"`` (needs clips longer
        than ``n_fft // 2`` samples).

    Returns:
      complex64 ``[..., frames, n_fft // 2 + 1]``.

    Raises:
      ValueError: bad arguments, integer input, or (static lengths) a clip too
        short for ``reflect`` padding.

    Example:
      >>> z = stft(tf.zeros([2, 8000]), n_fft=256, hop_length=64)
      >>> z.shape, z.dtype
      (TensorShape([2, 126, 129]), tf.complex64)
    """
    n_fft, hop_length, win_length = check_stft_args(n_fft, hop_length, win_length, window,
                                                    center, pad_mode)
    x = _waveforms(waveforms)
    length = x.shape[-1]
    if center:
        pad = n_fft // 2
        if pad_mode == "reflect" and length is not None and length <= pad:
            raise ValueError(f"`pad_mode='reflect'` needs clips longer than n_fft // 2 = "
                             f"{pad} samples, got {length}; use pad_mode='constant'.")
        paddings = [[0, 0]] * (x.shape.rank - 1) + [[pad, pad]]
        x = tf.pad(x, paddings, mode=pad_mode.upper())
    frames = tf.signal.frame(x, n_fft, hop_length, pad_end=False)
    frames = frames * window_function(window, win_length, n_fft)
    return tf.signal.rfft(frames, [n_fft])


def spectrogram(waveforms, n_fft=512, hop_length=None, win_length=None, window="hann",
                power=2.0, center=True, pad_mode="constant"):
    """Magnitude (``power=1``) or power (``power=2``) spectrogram: ``|stft| ** power``.

    Args:
      waveforms: float ``[..., T]``.
      n_fft: See :func:`stft`.
      hop_length: See :func:`stft`.
      win_length: See :func:`stft`.
      window: See :func:`stft`.
      center: See :func:`stft`.
      pad_mode: See :func:`stft`.
      power: Exponent ``> 0`` of the magnitude.

    Returns:
      float32 ``[..., frames, n_fft // 2 + 1]``.

    Example:
      >>> waveforms = tf.random.normal([2, 16000]) * 0.1  # 1 s at 16 kHz
      >>> s = spectrogram(waveforms, n_fft=512, hop_length=160)
      >>> s.shape
      TensorShape([2, 101, 257])
    """
    power = validation.check_number("power", power, 0.0, low_inclusive=False)
    magnitude = tf.abs(stft(waveforms, n_fft, hop_length, win_length, window, center,
                            pad_mode))
    if power == 1.0:
        return magnitude
    if power == 2.0:
        return tf.square(magnitude)
    return tf.pow(magnitude, power)


# ---------------------------------------------------------------------- mel
def hz_to_mel(frequencies, htk=False):
    """Hz -> mel: Slaney's scale (linear below 1 kHz, log above) or HTK's.

    Works on Python numbers and tensors (float64 recommended).
    """
    f = tf.convert_to_tensor(frequencies, tf.float64)
    if htk:
        return 2595.0 * tf.math.log(1.0 + f / 700.0) / math.log(10.0)
    logstep = math.log(6.4) / 27.0
    linear = f / (200.0 / 3.0)
    log = 15.0 + tf.math.log(tf.maximum(f, 1e-10) / 1000.0) / logstep
    return tf.where(f >= 1000.0, log, linear)


def mel_to_hz(mels, htk=False):
    """Mel -> Hz, the inverse of :func:`hz_to_mel`."""
    m = tf.convert_to_tensor(mels, tf.float64)
    if htk:
        return 700.0 * (tf.pow(tf.constant(10.0, tf.float64), m / 2595.0) - 1.0)
    logstep = math.log(6.4) / 27.0
    return tf.where(m >= 15.0, 1000.0 * tf.exp(logstep * (m - 15.0)), (200.0 / 3.0) * m)


def mel_filterbank(num_mel_bins=64, n_fft=512, sample_rate=16000, fmin=0.0, fmax=None,
                   htk=False, norm="slaney"):
    """Triangular mel filters (librosa's ``filters.mel``, transposed).

    Filter ``m`` rises from mel point ``m`` to ``m + 1`` and falls to ``m + 2``
    of ``num_mel_bins + 2`` points evenly spaced in mel between ``fmin`` and
    ``fmax``. ``norm="slaney"`` scales each triangle to height
    ``2 / (f[m + 2] - f[m])`` so its area in Hz is 1 (equal energy per filter);
    ``norm=None`` leaves peaks at 1.

    Args:
      num_mel_bins: Number of filters (>= 1).
      n_fft: FFT size of the spectrogram (``n_fft // 2 + 1`` bins).
      sample_rate: Hz.
      fmin: Lowest edge in Hz.
      fmax: Highest edge in Hz (default ``sample_rate / 2``).
      htk: HTK's mel formula instead of Slaney's.
      norm: ``"slaney"`` or None.

    Returns:
      float32 ``[n_fft // 2 + 1, num_mel_bins]``: ``spectrogram @ filterbank``.

    Raises:
      ValueError: bad arguments.

    Example:
      >>> fb = mel_filterbank(40, 512, 16000)
      >>> fb.shape
      TensorShape([257, 40])
    """
    fmin, fmax = check_mel_args(num_mel_bins, n_fft, sample_rate, fmin, fmax, htk, norm)
    bins = n_fft // 2 + 1
    fft_freqs = tf.linspace(tf.constant(0.0, tf.float64), sample_rate / 2.0, bins)
    mel_points = tf.linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), num_mel_bins + 2)
    hz_points = mel_to_hz(mel_points, htk)
    fdiff = hz_points[1:] - hz_points[:-1]
    ramps = hz_points[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = tf.maximum(tf.minimum(lower, upper), 0.0)
    if norm == "slaney":
        weights *= (2.0 / (hz_points[2:] - hz_points[:-2]))[:, None]
    return tf.cast(tf.transpose(weights), tf.float32)


def mel_spectrogram(waveforms, sample_rate=16000, n_fft=512, hop_length=None,
                    win_length=None, window="hann", num_mel_bins=64, fmin=0.0, fmax=None,
                    power=2.0, center=True, pad_mode="constant", htk=False, norm="slaney"):
    """Mel spectrogram: :func:`spectrogram` times :func:`mel_filterbank`.

    Args:
      waveforms: float ``[..., T]``.
      sample_rate: Hz of the clips.
      n_fft: See :func:`stft`.
      hop_length: See :func:`stft`.
      win_length: See :func:`stft`.
      window: See :func:`stft`.
      center: See :func:`stft`.
      pad_mode: See :func:`stft`.
      num_mel_bins: See :func:`mel_filterbank`.
      fmin: See :func:`mel_filterbank`.
      fmax: See :func:`mel_filterbank`.
      htk: See :func:`mel_filterbank`.
      norm: See :func:`mel_filterbank`.
      power: See :func:`spectrogram`.

    Returns:
      float32 ``[..., frames, num_mel_bins]``.

    Example:
      >>> waveforms = tf.random.normal([2, 16000]) * 0.1  # 1 s at 16 kHz
      >>> m = mel_spectrogram(waveforms, 16000, n_fft=512, hop_length=160, num_mel_bins=80)
      >>> m.shape
      TensorShape([2, 101, 80])
    """
    fb = mel_filterbank(num_mel_bins, n_fft, sample_rate, fmin, fmax, htk, norm)
    s = spectrogram(waveforms, n_fft, hop_length, win_length, window, power, center, pad_mode)
    return tf.tensordot(s, fb, [[-1], [0]])


# ------------------------------------------------------------------ decibels
def check_db_args(ref, amin, top_db):
    if not (ref == "max" or (validation.is_finite_number(ref) and ref > 0)):
        error = (validation.ArgumentError if validation.is_number(ref) or isinstance(ref, str)
                 else validation.ArgumentTypeError)
        raise error("ref", ref, "a finite positive number or 'max'")
    validation.check_number("amin", amin, 0.0, low_inclusive=False)
    if top_db is not None:
        validation.check_number("top_db", top_db, 0.0)


def power_to_db(spectrograms, ref=1.0, amin=1e-10, top_db=80.0):
    """Power -> decibels: ``10 log10(max(S, amin) / ref)`` (librosa's ``power_to_db``).

    Args:
      spectrograms: float ``[B, ...]`` power values (>= 0).
      ref: Reference power (> 0), or ``"max"``: each example's maximum.
      amin: Floor (> 0) before the log.
      top_db: If not None, values below each example's maximum minus
        ``top_db`` dB are raised to it (per example: librosa's ``top_db`` over
        each ``[...]`` slice, not over the batch).

    Returns:
      float32 tensor like ``spectrograms``.

    Example:
      >>> waveforms = tf.random.normal([2, 16000]) * 0.1  # 1 s at 16 kHz
      >>> db = power_to_db(mel_spectrogram(waveforms, 16000), top_db=80.0)
      >>> bool(tf.reduce_all(tf.reduce_max(db, [1, 2]) - tf.reduce_min(db, [1, 2]) <= 80.0))
      True
    """
    check_db_args(ref, amin, top_db)
    s = tf.cast(tf.convert_to_tensor(spectrograms), tf.float32)
    axes = list(range(1, s.shape.rank)) if s.shape.rank and s.shape.rank > 1 else None
    scale = 10.0 / math.log(10.0)
    db = scale * tf.math.log(tf.maximum(s, amin))
    if ref == "max":
        db -= scale * tf.math.log(tf.maximum(tf.reduce_max(s, axes, keepdims=True), amin))
    else:
        db -= scale * math.log(max(float(ref), amin))
    if top_db is not None:
        db = tf.maximum(db, tf.reduce_max(db, axes, keepdims=True) - float(top_db))
    return db


def amplitude_to_db(spectrograms, ref=1.0, amin=1e-5, top_db=80.0):
    """Magnitude -> decibels: ``20 log10(max(S, amin) / ref)`` (see :func:`power_to_db`).

    Example:
      >>> waveforms = tf.random.normal([2, 16000]) * 0.1  # 1 s at 16 kHz
      >>> db = amplitude_to_db(spectrogram(waveforms, power=1.0), ref="max")
      >>> round(float(tf.reduce_max(db[0])), 3)  # the loudest bin is the reference
      0.0
    """
    check_db_args(ref, amin, top_db)
    s = tf.cast(tf.convert_to_tensor(spectrograms), tf.float32)
    ref2 = ref if ref == "max" else float(ref) ** 2
    return power_to_db(tf.square(s), ref2, float(amin) ** 2, top_db)


def log_spectrogram(spectrograms, offset=1e-6):
    """Natural log with an offset: ``log(S + offset)`` (the usual "log-mel").

    Example:
      >>> waveforms = tf.random.normal([2, 16000]) * 0.1  # 1 s at 16 kHz
      >>> log_mel = log_spectrogram(mel_spectrogram(waveforms, 16000))
      >>> log_mel.shape  # the defaults: 64 mel bins, hop 128
      TensorShape([2, 126, 64])
    """
    offset = validation.check_number("offset", offset, 0.0, low_inclusive=False)
    return tf.math.log(tf.cast(spectrograms, tf.float32) + offset)
