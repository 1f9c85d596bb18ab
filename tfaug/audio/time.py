"""Time and pitch layers: SpeedPerturb, TimeStretch, PitchShift.

Each draws one parameter per clip and changes only the audio (other keys of a
dict, and the labels of a tuple, pass through). The work is done by
:mod:`tfaug.audio.ops.resampling` and :mod:`tfaug.audio.ops.vocoder`.

Output length policy (all three): the output has the input's length ``T``. A
result that is longer (slower speed, stretch rate < 1) is cropped at the end;
a shorter one (faster) is zero-padded at the end.

Example:
  >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
  >>> aug = PitchShift(-4, 4, sample_rate=16000, seed=0)
  >>> shifted = aug(clips, training=True)
  >>> shifted.shape  # the input length
  TensorShape([2, 8000])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from tfaug.audio.base import AudioAugmentation, with_audio
from tfaug.audio.ops import common
from tfaug.audio.ops import resampling as resample_ops
from tfaug.audio.ops import vocoder as vocoder_ops
from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation


def _stft_args(n_fft, hop_length, sample_rate):
    """Validated ``(n_fft, hop_length)`` as stored and as used."""
    if n_fft is not None:
        validation.check_int("n_fft", n_fft, 16, 1 << 16)
    used = vocoder_ops.default_n_fft(sample_rate) if n_fft is None else n_fft
    if hop_length is not None:
        validation.check_int("hop_length", hop_length, 1, used)
    vocoder_ops.check_stft(used, hop_length)
    return used, used // 4 if hop_length is None else hop_length


@registry.register
class SpeedPerturb(AudioAugmentation):
    """Kaldi-style speed perturbation: tempo and pitch change together.

    Each clip is played ``factor`` times as fast (band-limited resampling):
    factor 1.1 lasts ``1 / 1.1`` as long and every frequency is 1.1x higher.
    Give either ``factors`` (a discrete choice per clip, uniform over the
    list: Kaldi's ``(0.9, 1.0, 1.1)``) or ``factor_range=(lo, hi)`` (uniform
    per clip), not both.

    Output length: the input's ``T``; a longer result (factor < 1) is cropped
    at the end, a shorter one (factor > 1) zero-padded at the end.

    Args:
      factors: Sequence of speed factors (> 0) to choose from, or None.
      factor_range: ``(lo, hi)`` with ``0 < lo <= hi``, or None. With neither
        given, ``factors=(0.9, 1.0, 1.1)``.
      lowpass_width: Zero crossings of the resampling sinc on each side.
      sample_rate: Samples per second (Hz).
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> out = SpeedPerturb(factors=(0.9, 1.0, 1.1), seed=0)(clips, training=True)
      >>> out = SpeedPerturb(factor_range=(0.85, 1.15), seed=0)(clips, training=True)
      >>> out.shape
      TensorShape([2, 8000])
    """

    def __init__(self, factors: Sequence[float] | None = None,
                 factor_range: tuple[float, float] | None = None, *, lowpass_width: int = 6,
                 sample_rate: int = 16000, probability: float = 1.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)
        if factors is not None and factor_range is not None:
            raise validation.ArgumentError(
                "factors", factors, "None when `factor_range` is given",
                "give either `factors` or `factor_range`, not both, got "
                f"factors={factors!r} and factor_range={factor_range!r}.")
        if factors is None and factor_range is None:
            factors = (0.9, 1.0, 1.1)
        if factors is not None:
            self.factors = validation.check_numbers("factors", factors, None, 0.0, 8.0,
                                                    low_inclusive=False)
            if not self.factors:
                raise validation.ArgumentError("factors", factors, "a non-empty list of "
                                               "speed factors in (0.0, 8.0]")
            self.factor_range = None
            top = max(self.factors)
        else:
            lo, hi = validation.check_numbers("factor_range", factor_range, 2, 0.0, 8.0,
                                              low_inclusive=False)
            if lo > hi:
                raise validation.ArgumentError("factor_range", factor_range,
                                               "a pair (lo, hi) with 0 < lo <= hi <= 8.0")
            self.factors = None
            self.factor_range = [lo, hi]
            top = hi
        self.lowpass_width = validation.check_int("lowpass_width", lowpass_width, 1, 64)
        self._max_factor = top

    def sample_params(self, batch_size, seed):
        if self.factors is not None:
            idx = seeds_lib.uniform([batch_size], seed, 0, len(self.factors), dtype=tf.int32)
            return {"factor": tf.gather(tf.constant(self.factors, tf.float32), idx)}
        lo, hi = self.factor_range
        return {"factor": seeds_lib.uniform([batch_size], seed, lo, hi)}

    def transform(self, data, params):
        audio = data["audio"]
        length = common.axis_length(audio, 1)
        out = resample_ops.speed_perturb(audio, params["factor"], length,
                                         lowpass_width=self.lowpass_width,
                                         max_factor=self._max_factor)
        return with_audio(data, out)


@registry.register
class TimeStretch(AudioAugmentation):
    """Changes each clip's tempo, keeping its pitch (phase vocoder).

    The rate is drawn uniformly per clip in ``[min_rate, max_rate]``; rate 2
    plays twice as fast (half as long), rate 0.5 half as fast. librosa's
    phase vocoder, vectorized over clips (see
    :func:`tfaug.audio.ops.vocoder.time_stretch`); like librosa's it has no
    phase locking, so slow rates sound a little "phasey" and on/offsets
    smear by about one frame.

    Output length: the input's ``T``; a longer result (rate < 1) is cropped
    at the end, a shorter one (rate > 1) zero-padded at the end.

    Args:
      min_rate: Smallest rate (> 0).
      max_rate: Largest rate, ``>= min_rate``.
      n_fft: Vocoder FFT size; None: the power of two nearest 32 ms at
        ``sample_rate`` (512 at 16 kHz).
      hop_length: Hop between frames (divides ``n_fft``); None: ``n_fft // 4``.
      sample_rate: Samples per second (Hz).
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> out = TimeStretch(0.8, 1.25, sample_rate=16000, seed=0)(clips, training=True)
      >>> out.shape
      TensorShape([2, 8000])
    """

    def __init__(self, min_rate: float = 0.8, max_rate: float = 1.25, *, n_fft: int | None = None,
                 hop_length: int | None = None, sample_rate: int = 16000, probability: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)
        self.min_rate, self.max_rate = validation.check_bounds(
            "min_rate", min_rate, "max_rate", max_rate, 0.0, 16.0, positive=True)
        self.n_fft, self.hop_length = n_fft, hop_length
        self._stft = _stft_args(n_fft, hop_length, self.sample_rate)

    param_words = {"rate": ("stretch rate", 1.0, "x")}

    def sample_params(self, batch_size, seed):
        # Uniform in log-rate would favour neither direction; uniform in rate
        # is what audiomentations and torch-audiomentations draw.
        return {"rate": seeds_lib.uniform([batch_size], seed, self.min_rate, self.max_rate)}

    def transform(self, data, params):
        audio = data["audio"]
        length = common.axis_length(audio, 1)
        n_fft, hop = self._stft
        out = vocoder_ops.time_stretch(audio, params["rate"], n_fft, hop, length)
        return with_audio(data, out)


@registry.register
class PitchShift(AudioAugmentation):
    """Shifts each clip's pitch by a number of semitones, keeping its duration.

    The shift is drawn uniformly per clip in ``[min_semitones,
    max_semitones]`` (fractions of a semitone included): a phase-vocoder
    stretch by ``2 ** (-s / 12)`` then a band-limited read at ``2 ** (s / 12)``
    (see :func:`tfaug.audio.ops.vocoder.pitch_shift`). +12 is one octave up.

    Output length: the input's ``T`` (the method keeps the duration; the
    last few milliseconds of an upward shift fade to zero).

    Args:
      min_semitones: Smallest shift (negative: lower), in ``[-24, 24]``.
      max_semitones: Largest shift, ``>= min_semitones``, in ``[-24, 24]``.
      n_fft: Vocoder FFT size; None: the power of two nearest 32 ms at
        ``sample_rate`` (512 at 16 kHz).
      hop_length: Hop between frames (divides ``n_fft``); None: ``n_fft // 4``.
      sample_rate: Samples per second (Hz).
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> out = PitchShift(-4, 4, sample_rate=16000, seed=0)(clips, training=True)
      >>> out.shape
      TensorShape([2, 8000])
    """

    def __init__(self, min_semitones: float = -4.0, max_semitones: float = 4.0, *,
                 n_fft: int | None = None, hop_length: int | None = None, sample_rate: int = 16000,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)
        self.min_semitones, self.max_semitones = validation.check_bounds(
            "min_semitones", min_semitones, "max_semitones", max_semitones, -24.0, 24.0)
        self.n_fft, self.hop_length = n_fft, hop_length
        self._stft = _stft_args(n_fft, hop_length, self.sample_rate)

    param_words = {"semitones": ("pitch", 1.0, " semitones")}

    def sample_params(self, batch_size, seed):
        return {"semitones": seeds_lib.uniform([batch_size], seed, self.min_semitones,
                                               self.max_semitones)}

    def transform(self, data, params):
        n_fft, hop = self._stft
        out = vocoder_ops.pitch_shift(data["audio"], params["semitones"], n_fft, hop,
                                      max_semitones=self.max_semitones)
        return with_audio(data, out)

