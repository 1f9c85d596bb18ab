"""Filter layers: LowPass, HighPass, BandPass with per-clip random cutoffs.

Each clip gets its own cutoff (or band), drawn uniformly on a log-frequency
scale (uniform in octaves) between the given bounds in Hz, and is filtered
with a zero-phase Butterworth magnitude response of ``order`` in the frequency
domain (see :mod:`tfaug.audio.ops.filters`): -3 dB at the cutoff, ``6 * order``
dB per octave beyond it, no phase shift or delay. Cutoffs must lie below the
Nyquist frequency ``sample_rate / 2``; that is checked at construction.

Example:
  >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
  >>> muffled = LowPass(300, 3000, sample_rate=16000, seed=0)(clips, training=True)
  >>> muffled.shape
  TensorShape([2, 8000])
"""

from __future__ import annotations

import math
from typing import Any

import tensorflow as tf

from tfaug.audio.base import AudioAugmentation, with_audio
from tfaug.audio.ops import filters as ops
from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation


def _log_uniform(batch_size, seed, low, high):
    """Draws ``[B]`` frequencies uniformly in octaves between ``low`` and ``high``."""
    u = seeds_lib.uniform([batch_size], seed, math.log(low), math.log(high))
    return tf.exp(u)


class _Filter(AudioAugmentation):
    """Shared argument checks of the filter layers."""

    def _check_order(self, order):
        self.order = validation.check_int("order", order, 1, 16)

    def _check_below_nyquist(self, name, value):
        nyquist = self.sample_rate / 2.0
        if not value < nyquist:
            raise validation.ArgumentError(
                name, value, f"below the Nyquist frequency sample_rate / 2 = {nyquist:g} Hz",
                f"`{name}` must be below the Nyquist frequency sample_rate / 2 = "
                f"{nyquist:g} Hz (sample_rate={self.sample_rate!r}), got {value!r} Hz.")

    def _cutoffs(self, min_name, min_hz, max_name, max_hz):
        low, high = validation.check_bounds(min_name, min_hz, max_name, max_hz)
        if not low > 0:
            raise validation.ArgumentError(min_name, min_hz, "> 0 Hz")
        self._check_below_nyquist(max_name, high)
        return low, high


class _CutoffFilter(_Filter):
    """LowPass / HighPass: one log-uniform cutoff per clip, applied by the
    subclass's ``response`` op (``ops.lowpass`` or ``ops.highpass``)."""

    response = None

    def _set_cutoffs(self, min_cutoff_hz, max_cutoff_hz, order):
        self.min_cutoff_hz, self.max_cutoff_hz = self._cutoffs(
            "min_cutoff_hz", min_cutoff_hz, "max_cutoff_hz", max_cutoff_hz)
        self._check_order(order)

    def sample_params(self, batch_size, seed):
        return {"cutoff_hz": _log_uniform(batch_size, seed, self.min_cutoff_hz,
                                          self.max_cutoff_hz)}

    def transform(self, data, params):
        out = self.response(data["audio"], self.sample_rate, params["cutoff_hz"], self.order)
        return with_audio(data, out)


@registry.register
class LowPass(_CutoffFilter):
    """Zero-phase Butterworth low-pass with a per-clip cutoff.

    ``|H(f)| = 1 / sqrt(1 + (f / fc) ** (2 * order))``: -3 dB at ``fc``,
    ``6 * order`` dB per octave above it.

    Args:
      min_cutoff_hz: Lowest cutoff (Hz, > 0).
      max_cutoff_hz: Highest cutoff (Hz), ``>= min_cutoff_hz`` and below
        ``sample_rate / 2``.
      order: Butterworth order in ``[1, 16]``.
      sample_rate: Samples per second (Hz).
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.

    Raises:
      ValueError: a bound is not a positive number, the bounds are reversed, or
        the highest cutoff is not below the Nyquist frequency.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> out = LowPass(150, 7500, sample_rate=16000, seed=0)(clips, training=True)
      >>> bool(tf.reduce_all(tf.math.reduce_std(out, -1) < tf.math.reduce_std(clips, -1)))
      True
    """

    response = staticmethod(ops.lowpass)

    def __init__(self, min_cutoff_hz: float = 150.0, max_cutoff_hz: float = 7500.0, *,
                 order: int = 4, sample_rate: int = 16000, probability: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)
        self._set_cutoffs(min_cutoff_hz, max_cutoff_hz, order)


@registry.register
class HighPass(_CutoffFilter):
    """Zero-phase Butterworth high-pass with a per-clip cutoff.

    ``|H(f)| = 1 / sqrt(1 + (fc / f) ** (2 * order))``: -3 dB at ``fc``,
    ``6 * order`` dB per octave below it; DC is removed.

    Args:
      min_cutoff_hz: Lowest cutoff (Hz, > 0).
      max_cutoff_hz: Highest cutoff (Hz), ``>= min_cutoff_hz`` and below
        ``sample_rate / 2``.
      order: Butterworth order in ``[1, 16]``.
      sample_rate: Samples per second (Hz).
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.

    Raises:
      ValueError: as :class:`LowPass`.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> out = HighPass(20, 2400, sample_rate=16000, seed=0)(clips, training=True)
      >>> out.shape
      TensorShape([2, 8000])
    """

    response = staticmethod(ops.highpass)

    def __init__(self, min_cutoff_hz: float = 20.0, max_cutoff_hz: float = 2400.0, *,
                 order: int = 4, sample_rate: int = 16000, probability: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)
        self._set_cutoffs(min_cutoff_hz, max_cutoff_hz, order)


@registry.register
class BandPass(_Filter):
    """Zero-phase Butterworth band-pass with a per-clip band.

    Per clip a center ``c`` (log-uniform in ``[min_center_hz, max_center_hz]``)
    and a bandwidth fraction ``w`` (uniform) are drawn; the band is ``c * (1 -
    w / 2)`` to ``c * (1 + w / 2)`` (audiomentations' BandPassFilter), with the
    low-pass-to-band-pass transform of an order-``order`` Butterworth: -3 dB at
    both edges, falling ``6 * order`` dB per octave far outside the band.

    Args:
      min_center_hz: Lowest center (Hz, > 0).
      max_center_hz: Highest center (Hz); the highest band edge
        ``max_center_hz * (1 + max_bandwidth_fraction / 2)`` must be below
        ``sample_rate / 2``.
      min_bandwidth_fraction: Smallest bandwidth over center, in ``(0, 2)``.
      max_bandwidth_fraction: Largest, ``>= min_bandwidth_fraction``, ``< 2``.
      order: Butterworth order in ``[1, 16]``.
      sample_rate: Samples per second (Hz).
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.

    Raises:
      ValueError: a bad bound, reversed bounds, a fraction outside ``(0, 2)``, or
        a band edge at or above the Nyquist frequency.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> out = BandPass(200, 4000, min_bandwidth_fraction=0.5, max_bandwidth_fraction=1.5,
      ...                sample_rate=16000, seed=0)(clips, training=True)
      >>> out.shape
      TensorShape([2, 8000])
    """

    def __init__(self, min_center_hz: float = 200.0, max_center_hz: float = 4000.0, *,
                 min_bandwidth_fraction: float = 0.5, max_bandwidth_fraction: float = 1.99,
                 order: int = 4, sample_rate: int = 16000, probability: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)
        self.min_center_hz, self.max_center_hz = validation.check_bounds(
            "min_center_hz", min_center_hz, "max_center_hz", max_center_hz)
        if not self.min_center_hz > 0:
            raise validation.ArgumentError("min_center_hz", min_center_hz, "> 0 Hz")
        self.min_bandwidth_fraction, self.max_bandwidth_fraction = validation.check_bounds(
            "min_bandwidth_fraction", min_bandwidth_fraction, "max_bandwidth_fraction",
            max_bandwidth_fraction)
        for name in ("min_bandwidth_fraction", "max_bandwidth_fraction"):
            value = getattr(self, name)
            if not 0.0 < value < 2.0:
                raise validation.ArgumentError(
                    name, value, "in (0, 2) (bandwidth over center, so the low edge stays "
                    "above 0 Hz)")
        top = self.max_center_hz * (1.0 + self.max_bandwidth_fraction / 2.0)
        nyquist = self.sample_rate / 2.0
        if not top < nyquist:
            raise validation.ArgumentError(
                "max_center_hz", self.max_center_hz, "a band edge below the Nyquist frequency",
                f"`max_center_hz` * (1 + `max_bandwidth_fraction` / 2) = {top:g} Hz must be "
                f"below the Nyquist frequency sample_rate / 2 = {nyquist:g} Hz "
                f"(sample_rate={self.sample_rate!r}, max_center_hz={self.max_center_hz!r}, "
                f"max_bandwidth_fraction={self.max_bandwidth_fraction!r}).")
        self._check_order(order)

    def sample_params(self, batch_size, seed):
        center_seed, width_seed = tf.unstack(seeds_lib.split(seed, 2))
        return {"center_hz": _log_uniform(batch_size, center_seed, self.min_center_hz,
                                          self.max_center_hz),
                "bandwidth_fraction": seeds_lib.uniform(
                    [batch_size], width_seed, self.min_bandwidth_fraction,
                    self.max_bandwidth_fraction)}

    def transform(self, data, params):
        out = ops.bandpass(data["audio"], self.sample_rate, params["center_hz"],
                           params["bandwidth_fraction"], self.order)
        return with_audio(data, out)
