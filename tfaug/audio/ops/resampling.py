"""Band-limited resampling of waveforms: fixed rates and per-clip factors.

* :func:`resample`: between two sample rates (one pair for the batch), a
  polyphase windowed-sinc filter: the ratio is reduced to ``L/M`` by the
  greatest common divisor and the ``L`` phase filters are built once.
  The anti-aliasing cutoff is ``min(rate_in, rate_out) / 2 * rolloff`` (the
  kernel of torchaudio's ``sinc_interp_hann`` / ``sinc_interp_kaiser``); the
  phase filters are the output channels of one strided ``conv1d``.
* :func:`resample_by`: clip ``b`` read at positions ``n * factors[b]`` (a
  per-clip rate change, for augmentation), with a windowed sinc whose cutoff is
  ``min(1, 1 / factor)`` of the input Nyquist: it anti-aliases when reading
  faster. The kernel is evaluated exactly at each fractional position with
  four sines per output sample (taps by angle addition).
* :func:`speed_perturb`: Kaldi-style speed perturbation (tempo and pitch change
  together) by :func:`resample_by`.

All ops take float32 ``[B, T]`` (or ``[T]``), run in eager, ``tf.function``,
``tf.data`` and XLA (with static lengths) and import nothing of tfaug but core.
"""

import fractions
import math

import tensorflow as tf

from tfaug.audio.ops import common
from tfaug.core import validation

WINDOWS = ("hann", "kaiser")


def _check_rate(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            math.isfinite(value) and value > 0):
        raise ValueError(f"`{name}` must be a positive, finite sample rate (Hz), got "
                         f"{value!r}.")
    return value


def rational_ratio(rate_in, rate_out, max_denominator=1000):
    """``rate_out / rate_in`` as a reduced fraction ``(up, down)``.

    Whole rates are reduced exactly by their gcd (``48000 -> 16000``:
    ``(1, 3)``; ``44100 -> 16000``: ``(160, 441)``); other rates are
    approximated with a denominator of at most ``max_denominator``.

    Raises:
      ValueError: a rate is not a positive finite number.
    """
    _check_rate("rate_in", rate_in)
    _check_rate("rate_out", rate_out)
    if float(rate_in).is_integer() and float(rate_out).is_integer():
        a, b = int(rate_in), int(rate_out)
        g = math.gcd(a, b)
        return b // g, a // g
    ratio = (fractions.Fraction(rate_out) / fractions.Fraction(rate_in)).limit_denominator(
        max_denominator)
    if ratio.numerator == 0:
        raise ValueError(f"rate ratio {rate_out!r}/{rate_in!r} is too small to resample.")
    return ratio.numerator, ratio.denominator


def _check_filter(lowpass_width, rolloff, window, beta):
    validation.check_int("lowpass_width", lowpass_width, 1, 256)
    validation.check_number("rolloff", rolloff, 0.0, 1.0, low_inclusive=False)
    validation.check_choice("window", window, WINDOWS)
    validation.check_number("beta", beta, 0.0)


def _window(u, window, beta):
    """Window at ``u = d / half_width`` (zero outside ``|u| <= 1``)."""
    u = tf.clip_by_value(u, -1.0, 1.0)
    if window == "hann":
        return tf.square(tf.cos(u * (0.5 * math.pi)))
    return tf.math.bessel_i0(beta * tf.sqrt(tf.maximum(1.0 - u * u, 0.0))) / tf.math.bessel_i0(
        tf.constant(beta, u.dtype))


def sinc_kernel(d, cutoff, half_width, window="hann", beta=14.769656459379492):
    """Windowed-sinc interpolation kernel at offsets ``d`` (input samples).

    ``cutoff * sinc(cutoff * d) * w(d / half_width)``: a low-pass at
    ``cutoff`` times the input Nyquist (``cutoff`` ``<= 1``) whose taps sum to
    about 1 (unit DC gain).

    Args:
      d: Float tensor of offsets (output position minus input index).
      cutoff: Cutoff, broadcastable with ``d``.
      half_width: Window half-width in input samples, broadcastable with ``d``.
      window: "hann" (``cos^2``) or "kaiser".
      beta: Kaiser window shape (``window="kaiser"``).

    Returns:
      The kernel values, shaped like ``d``.
    """
    x = math.pi * cutoff * d
    safe = tf.where(tf.abs(x) < 1e-12, tf.ones_like(x), x)
    sinc = tf.where(tf.abs(x) < 1e-12, tf.ones_like(x), tf.sin(safe) / safe)
    w = _window(d / half_width, window, beta)
    return tf.where(tf.abs(d) < half_width, cutoff * sinc * w, tf.zeros_like(d))


def resample(waveforms, rate_in, rate_out, lowpass_width=6, rolloff=0.99, window="hann",
             beta=14.769656459379492):
    """Resamples clips from ``rate_in`` to ``rate_out`` (band-limited, polyphase).

    Output length is ``ceil(T * rate_out / rate_in)`` (for whole rates; other
    rates use the reduced ratio of :func:`rational_ratio`). Frequencies above
    ``min(rate_in, rate_out) / 2 * rolloff`` are removed before they can alias.
    Equal rates return the input (as float32).

    Args:
      waveforms: Float ``[B, T]`` or ``[T]``.
      rate_in: Sample rate of ``waveforms`` (Hz, > 0; Python number).
      rate_out: Wanted sample rate (Hz, > 0; Python number).
      lowpass_width: Zero crossings of the sinc on each side (sharper
        transition and more taps when larger); the filter has
        ``2 * ceil(lowpass_width / cutoff)`` taps per phase.
      rolloff: Cutoff as a fraction of the lower Nyquist, in ``(0, 1]``.
      window: "hann" (torchaudio's default ``sinc_interp_hann``) or "kaiser".
      beta: Kaiser window shape.

    Returns:
      float32 ``[B, ceil(T * rate_out / rate_in)]`` (``[T']`` for one clip).

    Raises:
      ValueError: a rate is not positive, a filter argument is out of range,
        or the clips have the wrong rank or zero length.

    Example:
      >>> x48k = tf.random.normal([2, 4800])
      >>> y = resample(x48k, 48000, 16000)
      >>> y.shape  # [B, T // 3]
      TensorShape([2, 1600])
    """
    up, down = rational_ratio(rate_in, rate_out)
    _check_filter(lowpass_width, rolloff, window, beta)
    x, single = common.as_batch(waveforms)
    if up == down:
        return x[0] if single else x
    cutoff = rolloff * min(1.0, up / down)
    half = lowpass_width / cutoff
    width = int(math.ceil(half))
    # Output n = k * up + j sits at input position k * down + j * down / up: a
    # strided convolution whose `up` output channels are the phase filters,
    # over input offsets i in [-W, W + down) (torchaudio's layout).
    shift = tf.range(up, dtype=tf.float64)[:, None] * (down / up)
    offsets = tf.range(-width, width + down, dtype=tf.float64)[None, :]
    filters = sinc_kernel(shift - offsets, tf.constant(cutoff, tf.float64),
                          tf.constant(half, tf.float64), window, beta)
    filters = tf.cast(tf.transpose(filters)[:, None, :], tf.float32)  # [2W + down, 1, up]
    length = common.axis_length(x)
    out_len = (length * up + down - 1) // down  # ceil(T * up / down)
    padded = tf.pad(x, [[0, 0], [width, width + down]])[:, :, None]
    y = tf.nn.conv1d(padded, filters, stride=down, padding="VALID")  # [B, K, up]
    y = tf.reshape(y, [tf.shape(x)[0], -1])[:, :out_len]
    return y[0] if single else y


def _check_factors(factors, batch):
    f = tf.convert_to_tensor(factors, tf.float32)
    if f.shape.rank == 0:
        f = tf.fill([batch], f)
    if f.shape.rank != 1:
        raise ValueError(f"`factors` must be a scalar or have shape [B], got {f.shape}.")
    static = tf.get_static_value(f)
    if static is not None and not (static > 0).all():
        raise ValueError(f"`factors` must all be > 0, got {static.tolist()}.")
    with tf.control_dependencies([tf.debugging.assert_positive(
            f, message="`factors` must all be > 0")]):
        return tf.identity(f), static


def resample_by(waveforms, factors, output_length=None, lowpass_width=6, rolloff=0.99,
                max_factor=None):
    """Reads clip ``b`` at positions ``n * factors[b]`` (band-limited).

    A factor above 1 reads faster (the clip gets shorter and higher, with an
    anti-aliasing cutoff of ``rolloff / factor`` of the input Nyquist); below
    1 it reads slower (longer, lower; cutoff ``rolloff``). Reads past the end of
    a clip see zeros, so a result shorter than ``output_length`` ends in
    silence.

    Each output sample is a ``2W``-tap dot product with a Hann-windowed sinc,
    ``W = ceil(lowpass_width * max(1, max_factor) / rolloff)``, evaluated
    exactly at the sample's fractional position: four sines/cosines per output
    sample, the taps by angle-addition (no trigonometry per tap, no table, one
    fused loop under XLA). A clip whose factor exceeds ``max_factor`` keeps
    its cutoff with the window cut to ``W`` samples (fewer zero crossings,
    still anti-aliased).

    Args:
      waveforms: Float ``[B, T]`` or ``[T]``.
      factors: Reading rates, float ``[B]`` (or a scalar), all > 0.
      output_length: Samples per output clip (int, or a scalar tensor outside
        XLA); None: ``T``.
      lowpass_width: Zero crossings of the sinc on each side.
      rolloff: Cutoff as a fraction of the (lower) Nyquist, in ``(0, 1]``.
      max_factor: Largest factor expected (sets the number of taps; a Python
        number). None: the factors' largest value when they are constant,
        else 2.

    Returns:
      float32 ``[B, output_length]`` (``[output_length]`` for one clip).

    Raises:
      ValueError: bad factors, filter arguments or clips.

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> faster = resample_by(clips, [1.1, 0.9], output_length=8000)
      >>> faster.shape
      TensorShape([2, 8000])
    """
    _check_filter(lowpass_width, rolloff, "hann", 0.0)
    x, single = common.as_batch(waveforms)
    batch = tf.shape(x)[0]
    f, static = _check_factors(factors, batch)
    if max_factor is None:
        max_factor = float(static.max()) if static is not None and static.size else 2.0
    max_factor = validation.check_number("max_factor", max_factor, 0.0, 64.0,
                                         low_inclusive=False)
    length = common.axis_length(x)
    out_len = length if output_length is None else output_length
    if isinstance(out_len, int):
        validation.check_int("output_length", out_len, 1)
    width = int(math.ceil(lowpass_width * max(1.0, max_factor) / rolloff))
    cutoff = (rolloff * tf.minimum(1.0, 1.0 / f))[:, None]  # [B, 1]
    half = tf.minimum(lowpass_width / cutoff, float(width))  # window half-width
    # Positions in float64: n * f stays exact to well below a sample for long clips.
    pos = tf.range(out_len, dtype=tf.float64)[None, :] * tf.cast(f, tf.float64)[:, None]
    base = tf.floor(pos)
    frac = tf.cast(pos - base, tf.float32)  # [B, N] in [0, 1)
    base = tf.cast(tf.minimum(base, tf.cast(length, tf.float64) + width), tf.int32)
    # Tap m sits at d = frac - m: sin(pi c d) and cos(pi d / h) by angle addition.
    sin_c, cos_c = tf.sin(math.pi * cutoff * frac), tf.cos(math.pi * cutoff * frac)
    sin_h, cos_h = tf.sin(math.pi * frac / half), tf.cos(math.pi * frac / half)
    padded = tf.pad(x, [[0, 0], [width - 1, 2 * width + 1]])
    y = tf.zeros_like(frac)
    for k in range(2 * width):
        m = float(k - width + 1)
        d = frac - m
        num = sin_c * tf.cos(math.pi * m * cutoff) - cos_c * tf.sin(math.pi * m * cutoff)
        win = 0.5 + 0.5 * (cos_h * tf.cos(math.pi * m / half)
                           + sin_h * tf.sin(math.pi * m / half))
        safe = tf.where(tf.abs(d) < 1e-6, tf.ones_like(d), d)
        kern = tf.where(tf.abs(d) < 1e-6, cutoff + 0.0 * d, num / (math.pi * safe)) * win
        kern = tf.where(tf.abs(d) < half, kern, 0.0)
        y += tf.gather(padded, base + k, batch_dims=1) * kern
    return y[0] if single else y


def speed_perturb(waveforms, factors, output_length=None, lowpass_width=6, rolloff=0.99,
                  max_factor=None):
    """Kaldi-style speed perturbation: tempo and pitch change together.

    Factor 1.1 plays the clip 1.1x as fast: it lasts ``1 / 1.1`` as long and
    every frequency is 1.1x higher (a 440 Hz tone comes out at 484 Hz). This is
    :func:`resample_by` with the same factors; the result is cropped or
    zero-padded at the end to ``output_length`` (default: ``T``).

    Args:
      waveforms: Float ``[B, T]`` or ``[T]``.
      factors: Speed factors, float ``[B]`` (or a scalar), all > 0.
      output_length: Samples per output clip; None: ``T``.
      lowpass_width: Zero crossings of the sinc on each side.
      rolloff: Cutoff as a fraction of the Nyquist, in ``(0, 1]``.
      max_factor: Largest factor expected (see :func:`resample_by`).

    Returns:
      float32 ``[B, output_length]`` (``[output_length]`` for one clip).

    Example:
      >>> clips = tf.random.normal([3, 8000]) * 0.1
      >>> y = speed_perturb(clips, [0.9, 1.0, 1.1])
      >>> y.shape
      TensorShape([3, 8000])
    """
    return resample_by(waveforms, factors, output_length, lowpass_width, rolloff, max_factor)
