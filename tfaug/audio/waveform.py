"""Waveform layers: Gain, PolarityInversion, TimeShift, GaussianNoiseSNR, Clip,
TanhDistortion.

Each takes float clips ``[B, T]`` (or ``[T]``, a tuple ``(audio, labels)`` or a
dict with ``"audio"``; see :mod:`tfaug.audio.base`), draws its parameters per
clip and changes only the audio. The work is done by the ops of
:mod:`tfaug.audio.ops.waveform`.

Example:
  >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
  >>> aug = Gain(-6, 6, sample_rate=16000, seed=0)
  >>> louder_or_softer = aug(clips, training=True)
  >>> louder_or_softer.shape
  TensorShape([2, 8000])
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfaug.audio.base import AudioAugmentation, with_audio
from tfaug.audio.ops import waveform as ops
from tfaug.core import keyed
from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation


@registry.register
class Gain(AudioAugmentation):
    """Multiplies each clip by a gain drawn uniformly in decibels.

    The RMS ratio out/in of a clip is exactly the drawn gain (``10 ** (g / 20)``
    in amplitude). Samples are not clipped: a gain above 0 dB may take peaks
    past 1.

    Args:
      min_db: Smallest gain (dB).
      max_db: Largest gain (dB), ``>= min_db``.
      sample_rate: Samples per second (Hz).
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> out = Gain(-12, 12, seed=0)(clips, training=True)
      >>> ratio = out / clips  # one gain per clip, within [-12, 12] dB
      >>> bool(tf.reduce_all(tf.abs(ratio - ratio[:, :1]) < 1e-3 * ratio[:, :1]))
      True
    """

    def __init__(self, min_db: float = -12.0, max_db: float = 12.0, *, sample_rate: int = 16000,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)
        self.min_db, self.max_db = validation.check_bounds("min_db", min_db, "max_db", max_db,
                                                           -120.0, 120.0)

    def sample_params(self, batch_size, seed):
        return {"gain_db": seeds_lib.uniform([batch_size], seed, self.min_db, self.max_db)}

    def transform(self, data, params):
        return with_audio(data, ops.gain_db(data["audio"], params["gain_db"]))


@registry.register
class PolarityInversion(AudioAugmentation):
    """Flips the sign of each clip (``-x``); ``probability`` decides which clips.

    Deterministic at ``probability=1``. Inaudible on its own, but changes what
    a waveform model sees.

    Args:
      sample_rate: Samples per second (Hz).
      probability: Per-clip chance of the flip.
      seed: Initial seed state.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> out = PolarityInversion(probability=1.0, seed=0)(clips, training=True)
      >>> bool(tf.reduce_all(out == -clips))
      True
    """

    def __init__(self, *, sample_rate: int = 16000, probability: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)

    def transform(self, data, params):
        return with_audio(data, ops.invert(data["audio"]))


@registry.register
class TimeShift(AudioAugmentation):
    """Shifts each clip in time by a whole number of samples.

    The shift is drawn uniformly per clip in ``[-max_fraction, max_fraction]``
    of the clip's length and rounded to samples (positive: later).

    Args:
      max_fraction: Largest shift as a fraction of the clip, in ``[0, 1]``.
      rollover: True: a circular roll; False: vacated samples are zeros.
      sample_rate: Samples per second (Hz).
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> out = TimeShift(0.2, rollover=False, seed=0)(clips, training=True)
      >>> out.shape
      TensorShape([2, 8000])
    """

    def __init__(self, max_fraction: float = 0.5, *, rollover: bool = True,
                 sample_rate: int = 16000, probability: float = 1.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)
        self.max_fraction = validation.check_number("max_fraction", max_fraction, 0.0, 1.0)
        self.rollover = validation.check_bool("rollover", rollover)

    def sample_params(self, batch_size, seed):
        return {"fraction": seeds_lib.uniform([batch_size], seed, -self.max_fraction,
                                              self.max_fraction)}

    def transform(self, data, params):
        audio = data["audio"]
        shifts = ops.fraction_to_samples(params["fraction"], tf.shape(audio)[1])
        return with_audio(data, ops.shift(audio, shifts, self.rollover))


@registry.register
class GaussianNoiseSNR(AudioAugmentation):
    """Adds white Gaussian noise at a signal-to-noise ratio drawn per clip.

    The noise is scaled so that ``10 * log10(P_signal / P_noise)`` is exactly the
    drawn SNR (powers are means of squares over the clip). A silent clip is
    returned unchanged.

    Args:
      min_snr_db: Lowest SNR (dB; lower is noisier).
      max_snr_db: Highest SNR (dB), ``>= min_snr_db``.
      sample_rate: Samples per second (Hz).
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> out = GaussianNoiseSNR(5, 40, seed=0)(clips, training=True)
      >>> out.shape
      TensorShape([2, 8000])
    """

    def __init__(self, min_snr_db: float = 5.0, max_snr_db: float = 40.0, *,
                 sample_rate: int = 16000, probability: float = 1.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)
        self.min_snr_db, self.max_snr_db = validation.check_bounds(
            "min_snr_db", min_snr_db, "max_snr_db", max_snr_db, -60.0, 120.0)

    param_words = {"snr_db": ("SNR", 1.0, " dB")}

    def sample_params(self, batch_size, seed):
        snr_seed, key_seed = tf.unstack(seeds_lib.split(seed, 2))
        return {"snr_db": seeds_lib.uniform([batch_size], snr_seed, self.min_snr_db,
                                            self.max_snr_db),
                "keys": keyed.draw_keys(key_seed, batch_size)}

    def transform(self, data, params):
        return with_audio(data, ops.add_noise_at_snr(data["audio"], params["keys"],
                                                         params["snr_db"]))


@registry.register
class Clip(AudioAugmentation):
    """Clipping distortion: flattens a drawn percentage of each clip's samples.

    Per clip a percentage ``p`` is drawn uniformly in ``[min_percentile,
    max_percentile]`` and the clip is limited to its own ``[percentile(p / 2),
    percentile(100 - p / 2)]`` (audiomentations' ClippingDistortion), so about
    ``p`` % of the samples are clipped. ``p = 0`` is the identity.

    Args:
      min_percentile: Smallest percentage of clipped samples, in ``[0, 100]``.
      max_percentile: Largest, ``>= min_percentile``.
      sample_rate: Samples per second (Hz).
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> out = Clip(0, 40, seed=0)(clips, training=True)
      >>> bool(tf.reduce_all(tf.abs(out) <= tf.reduce_max(tf.abs(clips), -1, keepdims=True)))
      True
    """

    def __init__(self, min_percentile: float = 0.0, max_percentile: float = 40.0, *,
                 sample_rate: int = 16000, probability: float = 1.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)
        self.min_percentile, self.max_percentile = validation.check_bounds(
            "min_percentile", min_percentile, "max_percentile", max_percentile, 0.0, 100.0)

    def sample_params(self, batch_size, seed):
        return {"percent": seeds_lib.uniform([batch_size], seed, self.min_percentile,
                                             self.max_percentile)}

    def transform(self, data, params):
        return with_audio(data, ops.clip_percentile(data["audio"], params["percent"]))


@registry.register
class TanhDistortion(AudioAugmentation):
    """Tanh soft-clipping distortion with each clip's RMS kept.

    Per clip an amount ``d`` is drawn uniformly in ``[min_distortion,
    max_distortion]``; the clip is driven into ``tanh`` with a gain that puts
    its ``100 - 99 d`` percentile of ``|x|`` at 0.5, then rescaled to the input
    RMS (audiomentations' TanhDistortion). Higher ``d``: more harmonics.

    Args:
      min_distortion: Smallest amount, in ``[0, 1]``.
      max_distortion: Largest amount, ``>= min_distortion``.
      sample_rate: Samples per second (Hz).
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> out = TanhDistortion(0.1, 0.7, seed=0)(clips, training=True)
      >>> out.shape
      TensorShape([2, 8000])
    """

    def __init__(self, min_distortion: float = 0.01, max_distortion: float = 0.7, *,
                 sample_rate: int = 16000, probability: float = 1.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)
        self.min_distortion, self.max_distortion = validation.check_bounds(
            "min_distortion", min_distortion, "max_distortion", max_distortion, 0.0, 1.0)

    def sample_params(self, batch_size, seed):
        return {"distortion": seeds_lib.uniform([batch_size], seed, self.min_distortion,
                                                self.max_distortion)}

    def transform(self, data, params):
        return with_audio(data, ops.tanh_distortion(data["audio"], params["distortion"]))
