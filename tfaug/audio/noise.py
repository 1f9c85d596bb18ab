"""Layers that mix in recorded sound: BackgroundNoise and ApplyImpulseResponse.

Both hold a *bank* of clips (noise recordings, impulse responses), given as a
float array ``[N, L]`` (one clip ``[L]`` is a bank of one) or as WAV paths
(decoded once at construction with :func:`tfaug.audio.io.read_wav`, channels
averaged, shorter clips zero-padded to the longest). Every clip of a batch
draws its own bank entry.

The bank lives in non-trainable layer weights, so a ``.keras`` file and a
SavedModel carry it. ``get_config`` stays small and JSON-native: the list of
paths when paths were given, else ``{"shape": [N, L]}``, from which
``from_config`` builds a zero bank of that shape that Keras fills on ``.keras``
load (``load_own_variables``). After a JSON-only round trip of an array bank,
copy the weights yourself (``clone.set_weights(layer.get_weights())``).

WAV files whose sample rate differs from the layer's ``sample_rate`` are
refused with a ``ValueError`` naming both rates (no resampling yet).

Example:
  >>> for name in ["cafe.wav", "street.wav"]:  # two noise recordings
  ...     path = tfaug.audio.write_wav(name, tf.random.normal([16000]) * 0.1, 16000)
  >>> noise = BackgroundNoise(["cafe.wav", "street.wav"], 5, 20, sample_rate=16000, seed=0)
  >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
  >>> noisy = noise(clips, training=True)
  >>> noisy.shape
  TensorShape([2, 8000])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import numbers
import os
from typing import Any

import numpy as np
import tensorflow as tf

from tfaug.audio import io
from tfaug.audio.base import AudioAugmentation, with_audio
from tfaug.audio.ops import filters as filter_ops
from tfaug.audio.ops import waveform as ops
from tfaug.core import registry
from tfaug.core import validation
from tfaug.core import seeds as seeds_lib


def _is_path(value):
    return isinstance(value, (str, os.PathLike))


def load_bank(name, bank, sample_rate):
    """Reads a bank argument.

    Args:
      name: The argument's name (for errors).
      bank: A float array ``[N, L]`` or ``[L]``, WAV path(s), or ``{"shape":
        [N, L]}`` (a zero bank, filled later by ``load_own_variables``).
      sample_rate: The layer's rate (Hz); WAV files must have it.

    Returns:
      ``(config_value, array float32 [N, L], lengths int32 [N])``.

    Raises:
      ValueError: an empty or malformed bank, non-finite values, a file that
        cannot be decoded, or a WAV at another sample rate.
    """
    if isinstance(bank, dict):
        shape = bank.get("shape")
        if set(bank) != {"shape"} or not (isinstance(shape, (list, tuple)) and len(shape) == 2
                                          and all(isinstance(v, numbers.Integral) and v > 0
                                                  for v in shape)):
            raise validation.ArgumentError(
                name, bank, "{'shape': [N, L]} with positive ints when given as a dict",
                f"`{name}` given as a dict must be {{'shape': [N, L]}} with "
                f"positive ints (what get_config reports), got {bank!r}.")
        n, length = int(shape[0]), int(shape[1])
        return {"shape": [n, length]}, np.zeros([n, length], np.float32), np.full(
            [n], length, np.int32)
    if _is_path(bank):
        bank = [bank]
    if isinstance(bank, (list, tuple)) and bank and all(_is_path(p) for p in bank):
        clips = []
        for path in bank:
            try:
                audio, rate = io.read_wav(path, mono=True)
            except FileNotFoundError as err:
                raise validation.ArgumentError(name, bank, "existing WAV files",
                                               f"`{name}`: {err}") from None
            if rate != sample_rate:
                raise validation.ArgumentError(
                    name, bank, f"WAV files at the layer's sample_rate ({sample_rate} Hz)",
                    f"`{name}`: {os.fspath(path)!r} has sample rate {rate} Hz "
                    f"but the layer's sample_rate is {sample_rate} Hz; resample "
                    "the file first (no resampling is done here).")
            clips.append(audio.numpy())
        lengths = np.array([len(c) for c in clips], np.int32)
        array = np.zeros([len(clips), int(lengths.max())], np.float32)
        for row, clip in zip(array, clips):
            row[:len(clip)] = clip
        return [os.fspath(p) for p in bank], array, lengths
    try:
        array = np.asarray(bank.numpy() if hasattr(bank, "numpy") else bank, np.float32)
    except (TypeError, ValueError):
        raise validation.ArgumentTypeError(
            name, bank, "a float array [N, L] (or [L]) or a list of WAV paths",
            f"`{name}` must be a float array [N, L] (or [L]) or a list of WAV "
            f"paths, got {type(bank).__name__}.") from None
    if array.ndim == 1:
        array = array[None]
    if array.ndim != 2 or array.size == 0:
        raise validation.ArgumentError(
            name, bank, "a non-empty float array [N, L] (or [L])",
            f"`{name}` must be a non-empty float array [N, L] (or [L]), got shape "
            f"{list(array.shape)}.")
    if not np.all(np.isfinite(array)):
        raise validation.ArgumentError(name, bank, "finite samples",
                                       f"`{name}` holds NaN or Inf; finite samples are "
                                       "required.")
    return {"shape": list(array.shape)}, array, np.full([array.shape[0]], array.shape[1],
                                                        np.int32)


class _BankLayer(AudioAugmentation):
    """An audio layer holding a bank of clips in non-trainable weights."""

    def _make_bank(self, name, bank):
        config, array, lengths = load_bank(name, bank, self.sample_rate)
        self.bank_size, self.bank_length = array.shape
        self._bank = self.add_weight(name=f"{name}_bank", shape=array.shape, dtype="float32",
                                     autocast=False,
                                     trainable=False, initializer="zeros")
        self._bank.assign(array)
        self._lengths = self.add_weight(name=f"{name}_lengths", shape=lengths.shape,
                                        dtype="int32", trainable=False, initializer="zeros")
        self._lengths.assign(lengths)
        return config, array

    def bank(self):
        """The bank as a float32 tensor ``[N, L]`` (shorter clips zero-padded)."""
        return tf.convert_to_tensor(self._bank)

    def bank_lengths(self):
        """Samples of each bank clip: int32 ``[N]``."""
        return tf.convert_to_tensor(self._lengths)

    def _draw_index(self, batch_size, seed):
        return seeds_lib.uniform([batch_size], seed, 0, self.bank_size, dtype=tf.int32)


@registry.register
class BackgroundNoise(_BankLayer):
    """Mixes a noise recording into each clip at an SNR drawn per clip.

    Per clip: a bank entry, an offset into it and an SNR (uniform in dB) are
    drawn. A noise clip longer than the clip contributes a contiguous segment
    starting at the offset (uniform over the valid starts); a shorter one is
    tiled (repeated) from the offset. The segment is scaled so that ``10 *
    log10(P_clip / P_added)`` is exactly the drawn SNR (powers are means of
    squares). A silent clip, or a silent segment, is left unchanged.

    Args:
      noises: The bank: float array ``[N, L]`` (or ``[L]``), a WAV path or a
        list of them, or ``{"shape": [N, L]}`` (from a config: a zero bank that
        ``load_own_variables`` fills).
      min_snr_db: Lowest SNR (dB; lower is noisier).
      max_snr_db: Highest SNR (dB), ``>= min_snr_db``.
      sample_rate: Samples per second (Hz); WAV files must have this rate.
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.

    Raises:
      ValueError: a bad bank (see :func:`load_bank`) or SNR bounds.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> bank = np.random.default_rng(0).normal(size=(8, 16000)).astype("float32")
      >>> out = BackgroundNoise(bank, 3, 30, sample_rate=16000, seed=0)(clips, training=True)
      >>> out.shape
      TensorShape([2, 8000])
    """

    def __init__(self,
                 noises: np.ndarray | str | os.PathLike[str] | Sequence[str] | Mapping[str, Any],
                 min_snr_db: float = 3.0, max_snr_db: float = 30.0, *, sample_rate: int = 16000,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)
        self.min_snr_db, self.max_snr_db = validation.check_bounds(
            "min_snr_db", min_snr_db, "max_snr_db", max_snr_db, -60.0, 120.0)
        self.noises, _ = self._make_bank("noises", noises)

    def sample_params(self, batch_size, seed):
        index_seed, offset_seed, snr_seed = tf.unstack(seeds_lib.split(seed, 3))
        return {"index": self._draw_index(batch_size, index_seed),
                "offset_fraction": seeds_lib.uniform([batch_size], offset_seed),
                "snr_db": seeds_lib.uniform([batch_size], snr_seed, self.min_snr_db,
                                            self.max_snr_db)}

    def noise_segments(self, length, params):
        """The noise each clip gets before scaling: float32 ``[B, length]``."""
        index = params["index"]
        lengths = tf.gather(self.bank_lengths(), index)
        span = tf.where(lengths > length, lengths - length + 1, lengths)
        offset = tf.cast(tf.floor(params["offset_fraction"] * tf.cast(span, tf.float32)),
                         tf.int32)
        offset = tf.minimum(offset, span - 1)
        pos = tf.math.floormod(offset[:, None] + tf.range(length)[None, :], lengths[:, None])
        flat = tf.reshape(self.bank(), [-1])
        return tf.gather(flat, index[:, None] * self.bank_length + pos)

    def transform(self, data, params):
        audio = data["audio"]
        noise = self.noise_segments(tf.shape(audio)[1], params)
        return with_audio(data, ops.mix_at_snr(audio, noise, params["snr_db"]))


@registry.register
class ApplyImpulseResponse(_BankLayer):
    """Convolves each clip with an impulse response drawn from a bank (reverb).

    The convolution is linear (zero-padded FFTs) and the output keeps the
    clip's length ``T``: the reverb tail past the end is cut. With
    ``keep_level`` the output is rescaled to the clip's RMS, so a room
    changes the sound, not the loudness.

    Args:
      irs: The bank: float array ``[N, K]`` (or ``[K]``), a WAV path or a list
        of them (shorter responses zero-padded), or ``{"shape": [N, K]}`` (from
        a config). Responses start at index 0 (their direct path there keeps
        the clip aligned); no row may be all zeros.
      keep_level: Rescale each output to the input clip's RMS.
      sample_rate: Samples per second (Hz); WAV files must have this rate.
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.

    Raises:
      ValueError: a bad bank (see :func:`load_bank`), an all-zero response, or
        a ``keep_level`` that is not a bool.

    Input shape:
      ``[B, T]`` or ``[T]`` float (or a tuple/dict, see :mod:`tfaug.audio.base`).

    Example:
      >>> echo = np.zeros(1600, np.float32)
      >>> echo[0], echo[800] = 1.0, 0.5  # the sound, then an echo 50 ms later
      >>> path = tfaug.audio.write_wav("hall.wav", echo, 16000)
      >>> clips = tf.random.normal([2, 8000]) * 0.1  # two 0.5 s clips at 16 kHz
      >>> out = ApplyImpulseResponse(["hall.wav"], sample_rate=16000, seed=0)(clips, training=True)
      >>> out.shape
      TensorShape([2, 8000])
    """

    def __init__(self,
                 irs: np.ndarray | str | os.PathLike[str] | Sequence[str] | Mapping[str, Any], *,
                 keep_level: bool = True, sample_rate: int = 16000, probability: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(sample_rate=sample_rate, probability=probability, seed=seed, **kwargs)
        self.keep_level = validation.check_bool("keep_level", keep_level)
        self.irs, array = self._make_bank("irs", irs)
        if not isinstance(irs, dict):
            silent = np.flatnonzero(~np.any(array != 0, axis=1))
            if silent.size:
                raise validation.ArgumentError(
                    "irs", irs, "impulse responses with a non-zero sample",
                    f"`irs` entries {silent.tolist()} are all zeros; an impulse "
                    "response needs at least one non-zero sample.")

    def sample_params(self, batch_size, seed):
        return {"index": self._draw_index(batch_size, seed)}

    def transform(self, data, params):
        audio = data["audio"]
        kernels = tf.gather(self.bank(), params["index"])
        out = filter_ops.fft_convolve(audio, kernels)
        if self.keep_level:
            out = out * tf.math.divide_no_nan(ops.rms(audio), ops.rms(out))[:, None]
        return with_audio(data, out)
