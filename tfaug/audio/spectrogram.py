"""Spectrogram layers: SpecAugment (TimeMask, FrequencyMask, TimeWarp) and the
Spectrogram / MelSpectrogram feature layers.

SpecAugment layers are augmentations (:class:`~tfaug.audio.base.SpectrogramAugmentation`):
they take ``[B, time, freq]`` (or ``[time, freq]``, or a dict with a
``"spectrogram"`` key), draw per-example parameters and are the identity when
not training. Their draws are uniform numbers in ``[0, 1)``; the spans and
points they mean depend on the spectrogram's size and are given by
:meth:`TimeMask.mask_regions` and :meth:`TimeWarp.warp_points`.

:class:`Spectrogram` and :class:`MelSpectrogram` are plain Keras layers (not
augmentations, not in tfaug's registry): they turn waveforms ``[B, T]`` into
``[B, frames, bins]`` whether training or not, inside a model, a ``tf.data``
map, XLA or a SavedModel.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tfaug.audio.base import SPECTROGRAM, SpectrogramAugmentation
from tfaug.audio.ops import specaugment
from tfaug.audio.ops import spectral
from tfaug.core import registry
from tfaug.core import validation
from tfaug.core.xla import in_xla_context


def _check_mask_value(value):
    if isinstance(value, str) and value == "mean":
        return value
    allowed = "a finite number or 'mean' (each example's mean)"
    if not (validation.is_number(value) or isinstance(value, str)):
        raise validation.ArgumentTypeError("mask_value", value, allowed)
    if not validation.is_finite_number(value):
        raise validation.ArgumentError("mask_value", value, allowed)
    return float(value)


class _Mask(SpectrogramAugmentation):
    """Shared body of TimeMask and FrequencyMask (``axis`` 1 or 2)."""

    axis = 1

    def __init__(self, max_width: int = 10, num_masks: int = 1, *, mask_value: float = 0.0,
                 max_fraction: float | None = None, sample_rate: int = 16000,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed,
                         **kwargs)
        self.max_width, self.num_masks, self.max_fraction = specaugment.check_mask_args(
            max_width, num_masks, max_fraction)
        self.mask_value = _check_mask_value(mask_value)

    def sample_params(self, batch_size, seed):
        """``{"width", "start"}``: float32 ``[B, num_masks]`` uniform in ``[0, 1)``
        (see :meth:`mask_regions`)."""
        return specaugment.draw_masks(seed, batch_size, self.num_masks)

    def mask_regions(self, params, size):
        """The masked spans the draws mean on an axis of ``size`` frames/bins.

        Args:
          params: What :meth:`sample` returned.
          size: Length of the masked axis.

        Returns:
          ``(starts, widths)``, int32 ``[B, num_masks]``: span ``k`` of example
          ``b`` covers ``[starts[b, k], starts[b, k] + widths[b, k])``; widths
          are uniform in ``[0, min(max_width, floor(max_fraction * size), size)]``
          and every span lies inside the axis.
        """
        return specaugment.mask_spans(params["width"], params["start"], size, self.max_width,
                                   self.max_fraction)

    def resolve_params(self, params, data):
        # describe_draw: the spans in frames/bins of this input.
        starts, widths = self.mask_regions(params, tf.shape(data[SPECTROGRAM])[self.axis])
        return {**params, "span_start": starts, "span_width": widths}

    def _words(self, params, batch):
        if "span_start" not in params:  # not resolved: the raw draws
            return super()._words(params, batch)
        unit = "frames" if self.axis == 1 else "bins"
        out = []
        for starts, widths in zip(params["span_start"], params["span_width"]):
            spans = [f"{s}-{s + w - 1}" for s, w in zip(starts, widths) if w > 0]
            out.append(f"masked {unit} {', '.join(spans)}" if spans else "empty mask")
        return out

    def transform(self, data, params):
        x = data[SPECTROGRAM]
        starts, widths = self.mask_regions(params, tf.shape(x)[self.axis])
        value = (tf.reduce_mean(x, axis=[1, 2]) if self.mask_value == "mean"
                 else self.mask_value)
        op = specaugment.time_mask if self.axis == 1 else specaugment.frequency_mask
        return {**data, SPECTROGRAM: op(x, starts, widths, value)}


@registry.register
class TimeMask(_Mask):
    """SpecAugment time masking: ``num_masks`` spans of frames set to ``mask_value``.

    Each example draws its own spans: width uniform in ``[0, W]`` frames with
    ``W = min(max_width, floor(max_fraction * time))`` (``max_fraction`` is
    SpecAugment's adaptive bound ``p``; None: ``max_width`` alone), start
    uniform so the span lies inside the spectrogram. A width of 0 masks
    nothing; spans may overlap.

    Args:
      max_width: Largest span in frames (int >= 0).
      num_masks: Spans per example (int in ``[1, 64]``).
      mask_value: Fill (a finite number; 0 for normalized log-mels), or
        ``"mean"``: each example's mean value.
      max_fraction: Optional bound on a span as a fraction of the frames, in
        ``(0, 1]``.
      sample_rate: Hz of the audio (carried for pipelines).
      probability: Per-example chance that the layer applies.
      seed: Initial seed state.

    Input shape:
      ``[B, time, freq]`` or ``[time, freq]`` (or a dict with ``"spectrogram"``).

    Example:
      >>> log_mels = tf.random.normal([2, 100, 80])  # [B, time, mel bins]
      >>> mask = tfaug.audio.TimeMask(max_width=20, num_masks=2, seed=0)
      >>> out = mask(log_mels, training=True)
      >>> out.shape
      TensorShape([2, 100, 80])
    """

    axis = 1


@registry.register
class FrequencyMask(_Mask):
    """SpecAugment frequency masking: ``num_masks`` spans of bins set to ``mask_value``.

    As :class:`TimeMask`, along the frequency axis (``max_width`` and
    ``max_fraction`` count bins).

    Args:
      max_width: Largest span in bins (int >= 0).
      num_masks: Spans per example (int in ``[1, 64]``).
      mask_value: Fill (a finite number) or ``"mean"`` (each example's mean).
      max_fraction: Optional bound on a span as a fraction of the bins, in ``(0, 1]``.
      sample_rate: Hz of the audio (carried for pipelines).
      probability: Per-example chance that the layer applies.
      seed: Initial seed state.

    Input shape:
      ``[B, time, freq]`` or ``[time, freq]`` (or a dict with ``"spectrogram"``).

    Example:
      >>> log_mels = tf.random.normal([2, 100, 80])  # [B, time, mel bins]
      >>> mask = tfaug.audio.FrequencyMask(max_width=8, num_masks=2, seed=0)
      >>> out = mask(log_mels, training=True)
      >>> out.shape
      TensorShape([2, 100, 80])
    """

    axis = 2


@registry.register
class TimeWarp(SpectrogramAugmentation):
    """SpecAugment time warping: a per-example piecewise-linear warp of time.

    Each example draws a distance ``d`` uniform in ``[-W, W]`` frames
    (``W = min(max_distance, (time - 3) // 2)``) and a centre frame ``c``
    uniform in ``[W + 1, time - 2 - W]``; frame ``c`` moves to ``c + d``, the
    first and last frames stay, and the two sides are stretched linearly
    (linear interpolation between frames; see
    :func:`tfaug.audio.ops.specaugment.time_warp`).

    Args:
      max_distance: Largest move in frames (int >= 0; SpecAugment's ``W``).
      sample_rate: Hz of the audio (carried for pipelines).
      probability: Per-example chance that the layer applies.
      seed: Initial seed state.

    Input shape:
      ``[B, time, freq]`` or ``[time, freq]`` (or a dict with ``"spectrogram"``).

    Example:
      >>> log_mels = tf.random.normal([2, 100, 80])  # [B, time, mel bins]
      >>> warp = tfaug.audio.TimeWarp(max_distance=5, seed=0)
      >>> out = warp(log_mels, training=True)
      >>> out.shape
      TensorShape([2, 100, 80])
    """

    def __init__(self, max_distance: int = 5, *, sample_rate: int = 16000,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed,
                         **kwargs)
        self.max_distance = validation.check_int("max_distance", max_distance, 0)

    def sample_params(self, batch_size, seed):
        """``{"center", "distance"}``: float32 ``[B]`` uniform in ``[0, 1)``
        (see :meth:`warp_points`)."""
        return specaugment.draw_warp(seed, batch_size)

    def warp_points(self, params, num_frames):
        """``(centers, distances)``, int32 ``[B]``, the draws mean for
        spectrograms of ``num_frames`` frames."""
        return specaugment.warp_points(params["center"], params["distance"], num_frames,
                                    self.max_distance)

    def resolve_params(self, params, data):
        # describe_draw: the warp in frames of this input.
        centers, distances = self.warp_points(params, tf.shape(data[SPECTROGRAM])[1])
        return {**params, "center_frame": centers, "distance_frames": distances}

    def _words(self, params, batch):
        if "center_frame" not in params:  # not resolved: the raw draws
            return super()._words(params, batch)
        return [f"frame {c} moved to {c + d}" for c, d in
                zip(params["center_frame"], params["distance_frames"])]

    def transform(self, data, params):
        x = data[SPECTROGRAM]
        centers, distances = self.warp_points(params, tf.shape(x)[1])
        return {**data, SPECTROGRAM: specaugment.time_warp(x, centers, distances)}


# ------------------------------------------------------------ feature layers
_SCALES = ("linear", "log", "db")


class _Features(keras.layers.Layer):
    """Shared input checks, scaling and config of the feature layers."""

    def __init__(self, n_fft: int = 512, hop_length: int | None = None, *,
                 win_length: int | None = None, window: str = "hann", power: float = 2.0,
                 center: bool = True, pad_mode: str = "constant", scale: str = "linear",
                 ref: float = 1.0, top_db: float | None = 80.0, log_offset: float = 1e-6,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        spectral.check_stft_args(n_fft, hop_length, win_length, window, center, pad_mode)
        self.n_fft, self.hop_length, self.win_length = n_fft, hop_length, win_length
        self.window, self.center, self.pad_mode = window, center, pad_mode
        self.power = validation.check_number("power", power, 0.0, low_inclusive=False)
        self.scale = validation.check_choice("scale", scale, _SCALES)
        spectral.check_db_args(ref, 1e-10, top_db)
        self.ref = ref if ref == "max" else float(ref)
        self.top_db = None if top_db is None else float(top_db)
        self.log_offset = validation.check_number("log_offset", log_offset, 0.0,
                                                  low_inclusive=False)
        self._convert_input_args = False  # integers must be refused, not cast
        self._allow_non_tensor_positional_args = True  # numpy arrays too
        self.supports_jit = True

    def _config_keys(self):
        return ("n_fft", "hop_length", "win_length", "window", "power", "center", "pad_mode",
                "scale", "ref", "top_db", "log_offset")

    def get_config(self):
        config = super().get_config()
        config.update({k: getattr(self, k) for k in self._config_keys()})
        return config

    def _features(self, waveforms):
        raise NotImplementedError

    def _bins(self):
        raise NotImplementedError

    def _scaled(self, s):
        if self.scale == "log":
            return spectral.log_spectrogram(s, self.log_offset)
        if self.scale == "db":
            if self.power == 2.0:
                return spectral.power_to_db(s, self.ref, 1e-10, self.top_db)
            exponent = 2.0 / self.power  # to power units, then 10 log10
            ref = self.ref if self.ref == "max" else self.ref ** exponent
            return spectral.power_to_db(tf.pow(s, exponent), ref, 1e-10, self.top_db)
        return s

    def call(self, inputs):
        if isinstance(inputs, (tf.RaggedTensor, tf.SparseTensor)):
            raise ValueError("`inputs` must be a dense float tensor [B, T]; pad ragged "
                             "clips to one length first.")
        x = tf.convert_to_tensor(inputs)
        if not x.dtype.is_floating:
            raise ValueError(f"`inputs` must be float samples in [-1, 1], got {x.dtype.name}: "
                             "scale integer PCM first (tf.cast(pcm, tf.float32) / 32768.0).")
        if x.shape.rank not in (1, 2):
            raise ValueError(f"`inputs` must have shape [B, T] (or [T]), got shape {x.shape}.")
        if x.shape[-1] == 0:
            raise ValueError(f"`inputs` has zero-length clips (shape {x.shape}).")
        batched = x.shape.rank == 2
        x = tf.cast(x if batched else x[None], tf.float32)
        if not in_xla_context():
            x = tf.debugging.assert_all_finite(x, "`inputs` waveforms hold NaN or Inf")
        out = tf.cast(self._scaled(self._features(x)), self.compute_dtype)
        return out if batched else out[0]

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        length = input_shape[-1]
        frames = None if length is None else spectral.num_frames(
            length, self.n_fft, self.hop_length, self.win_length, self.center)
        return input_shape[:-1] + (frames, self._bins())


@keras.saving.register_keras_serializable(package="tfaug")
class Spectrogram(_Features):
    """Waveforms ``[B, T]`` -> spectrogram ``[B, frames, n_fft // 2 + 1]`` (always on).

    The STFT follows librosa's defaults (centred frames, zero padding, periodic
    window centred in ``n_fft``; see :mod:`tfaug.audio.ops.spectral`).

    Args:
      n_fft: FFT size (int >= 1).
      hop_length: Samples between frames (default ``win_length // 4``).
      win_length: Window length ``<= n_fft`` (default ``n_fft``).
      window: ``"hann"``, ``"hamming"``, ``"blackman"`` or ``"boxcar"``.
      power: 1 for magnitude, 2 for power (any > 0).
      center: Centre frames on ``t * hop_length`` (pad ``n_fft // 2``).
      pad_mode: ``"constant"`` (zeros) or ``"reflect"``.
      scale: ``"linear"``, ``"log"`` (``log(S + log_offset)``) or ``"db"``
        (``10 log10`` of the power, per-example ``top_db`` floor).
      ref: dB reference in the output's units (> 0) or ``"max"`` (each
        example's maximum); ``"db"`` only.
      top_db: dB range kept below each example's maximum (None: all); ``"db"`` only.
      log_offset: Offset (> 0) of ``"log"``.
      **kwargs: Keras layer arguments.

    Input shape:
      float ``[B, T]`` or ``[T]`` (integer PCM refused).

    Output shape:
      float32 ``[B, frames, n_fft // 2 + 1]`` (``frames = 1 + T // hop_length``
      when centred).

    Example:
      >>> spec = tfaug.audio.Spectrogram(n_fft=512, hop_length=160, scale="db")
      >>> model = keras.Sequential([keras.Input((16000,)), spec, keras.layers.Flatten()])
      >>> spec(tf.zeros([2, 16000])).shape  # 1 + 16000 // 160 frames, 512 // 2 + 1 bins
      TensorShape([2, 101, 257])
    """

    def _features(self, waveforms):
        return spectral.spectrogram(waveforms, self.n_fft, self.hop_length, self.win_length,
                                    self.window, self.power, self.center, self.pad_mode)

    def _bins(self):
        return self.n_fft // 2 + 1


@keras.saving.register_keras_serializable(package="tfaug")
class MelSpectrogram(_Features):
    """Waveforms ``[B, T]`` -> mel spectrogram ``[B, frames, num_mel_bins]`` (always on).

    :class:`Spectrogram` times :func:`~tfaug.audio.ops.spectral.mel_filterbank`
    (Slaney mel scale and area normalization by default, as librosa).

    Args:
      sample_rate: Hz of the clips (> 0).
      n_fft: See
        :class:`Spectrogram`.
      hop_length: See
        :class:`Spectrogram`.
      win_length: See
        :class:`Spectrogram`.
      window: See
        :class:`Spectrogram`.
      power: See
        :class:`Spectrogram`.
      center: See
        :class:`Spectrogram`.
      pad_mode: See
        :class:`Spectrogram`.
      num_mel_bins: Number of mel filters (int >= 1).
      fmin: Lowest filter edge in Hz.
      fmax: Highest filter edge in Hz (default ``sample_rate / 2``).
      htk: HTK's mel formula instead of Slaney's.
      norm: ``"slaney"`` (each filter has unit area in Hz) or None (peak 1).
      scale: See :class:`Spectrogram`.
      ref: See :class:`Spectrogram`.
      top_db: See :class:`Spectrogram`.
      log_offset: See :class:`Spectrogram`.
      **kwargs: Keras layer arguments.

    Input shape:
      float ``[B, T]`` or ``[T]``.

    Output shape:
      float32 ``[B, frames, num_mel_bins]``.

    Example:
      >>> mel = tfaug.audio.MelSpectrogram(sample_rate=16000, n_fft=512, hop_length=160,
      ...                                  num_mel_bins=80, scale="log")
      >>> waveforms = tf.random.normal([2, 16000]) * 0.1
      >>> log_mels = mel(waveforms)
      >>> log_mels.shape
      TensorShape([2, 101, 80])
    """

    def __init__(self, *, sample_rate: int = 16000, n_fft: int = 512,
                 hop_length: int | None = None, win_length: int | None = None,
                 window: str = "hann", num_mel_bins: int = 64, fmin: float = 0.0,
                 fmax: float | None = None, htk: bool = False, norm: str | None = "slaney",
                 power: float = 2.0, center: bool = True, pad_mode: str = "constant",
                 scale: str = "linear", ref: float = 1.0, top_db: float | None = 80.0,
                 log_offset: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                         window=window, power=power, center=center, pad_mode=pad_mode,
                         scale=scale, ref=ref, top_db=top_db, log_offset=log_offset, **kwargs)
        validation.check_number("sample_rate", sample_rate, 0.0, low_inclusive=False)
        fmin_f, fmax_f = spectral.check_mel_args(num_mel_bins, n_fft, sample_rate, fmin, fmax,
                                                 htk, norm)
        self.sample_rate = int(sample_rate) if float(sample_rate).is_integer() else float(
            sample_rate)
        self.num_mel_bins = num_mel_bins
        self.fmin = fmin_f
        self.fmax = None if fmax is None else fmax_f
        self.htk, self.norm = htk, norm

    def _config_keys(self):
        return ("sample_rate",) + super()._config_keys()[:4] + (
            "num_mel_bins", "fmin", "fmax", "htk", "norm") + super()._config_keys()[4:]

    def _features(self, waveforms):
        return spectral.mel_spectrogram(
            waveforms, self.sample_rate, self.n_fft, self.hop_length, self.win_length,
            self.window, self.num_mel_bins, self.fmin, self.fmax, self.power, self.center,
            self.pad_mode, self.htk, self.norm)

    def _bins(self):
        return self.num_mel_bins
