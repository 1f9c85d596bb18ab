"""Audio layer bases: input forms, checks and the internal dict.

A waveform layer (:class:`AudioAugmentation`) accepts:

* a float tensor ``[B, T]`` (or one clip ``[T]``), samples in ``[-1, 1]``;
* a tuple ``(audio, labels)`` — what a ``tf.data`` map of ``(x, y)`` gets;
* a dict with an ``"audio"`` key and any other batched keys (``"labels"``,
  ...), carried along unchanged.

Inside, a layer sees ``{"audio": float32 [B, T], ...}``; the output has the
input's dtype (float16/32/64) and shape. Integer PCM is refused (it needs a
scale: ``tf.cast(pcm, tf.float32) / 32768.0`` for int16, or read files with
``tfaug.audio.read_wav``). Every clip must have at least one sample and hold no
NaN or Inf.

A spectrogram layer (:class:`SpectrogramAugmentation`: SpecAugment's masks and
warp) takes ``[B, time, freq]`` (or ``[time, freq]``) the same ways, with the
dict key ``"spectrogram"``.

``sample_rate`` (Hz) is set on every audio layer: layers whose parameters are
in Hz or seconds read it; the others carry it so a pipeline states it once.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfaug.core import validation
from tfaug.core.base import Augmentation

AUDIO = "audio"
SPECTROGRAM = "spectrogram"


def check_sample_rate(name, value):
    """A sample rate in Hz: a finite positive number, returned as an int when whole."""
    allowed = "a finite positive number of samples per second (Hz)"
    if not validation.is_number(value):
        raise validation.ArgumentTypeError(name, value, allowed)
    if not (validation.is_finite_number(value) and value > 0):
        raise validation.ArgumentError(name, value, allowed)
    return int(value) if float(value).is_integer() else float(value)


def with_audio(data, audio):
    """``data`` (the internal dict) with its ``"audio"`` replaced."""
    return {**data, AUDIO: audio}


def _split_inputs(inputs, key):
    """User inputs -> (dict with ``key``, form)."""
    if isinstance(inputs, tuple):
        if len(inputs) != 2:
            raise ValueError(f"tuple `inputs` must be ({key}, labels), got a tuple of "
                             f"{len(inputs)}.")
        return {key: inputs[0], "labels": inputs[1]}, "tuple"
    if isinstance(inputs, dict):
        if key not in inputs:
            raise ValueError(f"dict `inputs` needs an {key!r} key, got keys {sorted(inputs)}.")
        return dict(inputs), "dict"
    return {key: inputs}, "tensor"


class _SignalAugmentation(Augmentation):
    """Shared input handling of waveform and spectrogram layers."""

    modality = "audio"
    data_key = AUDIO
    # Rank of one example (1: a clip [T]; 2: a spectrogram [time, freq]).
    example_rank = 1
    shape_text = "[B, T] (or [T] for one clip)"

    def __init__(self, *, sample_rate: int = 16000, probability: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(probability=probability, seed=seed, **kwargs)
        self.sample_rate = check_sample_rate("sample_rate", sample_rate)

    def _check_tensor(self, x):
        key = self.data_key
        if isinstance(x, (tf.RaggedTensor, tf.SparseTensor)):
            raise ValueError(f"`inputs` {key} must be a dense tensor {self.shape_text}; pad "
                             "ragged clips to one length first.")
        x = tf.convert_to_tensor(x)
        if x.dtype.is_integer or x.dtype == tf.bool:
            raise ValueError(f"`inputs` {key} must be floating point samples in [-1, 1], got "
                             f"{x.dtype.name}: integer PCM needs a scale (e.g. tf.cast(pcm, "
                             "tf.float32) / 32768.0 for int16), or read files with "
                             "tfaug.audio.read_wav.")
        if not x.dtype.is_floating:
            raise ValueError(f"`inputs` {key} must be float16, float32 or float64, got "
                             f"{x.dtype.name}.")
        rank = x.shape.rank
        if rank not in (self.example_rank, self.example_rank + 1):
            raise ValueError(f"`inputs` {key} must have shape {self.shape_text}, got rank "
                             f"{rank} (shape {x.shape}).")
        for axis, size in enumerate(x.shape[rank - self.example_rank:]):
            if size == 0:
                raise ValueError(f"`inputs` {key} has a zero-length axis (shape {x.shape}); "
                                 "every example needs at least one sample.")
        return x

    def _run_checks(self, x):
        """Run-time checks: no NaN/Inf, no empty batch or zero-length axis."""
        checks = [tf.debugging.assert_all_finite(
            x, f"`inputs` {self.data_key} holds NaN or Inf")]
        if not x.shape.is_fully_defined():
            checks.append(tf.debugging.assert_positive(
                tf.size(x), message=f"`inputs` {self.data_key} is empty (an empty batch or "
                "a zero-length clip)"))
        return checks

    def input_checks(self, inputs):
        x = inputs.get(self.data_key) if isinstance(inputs, dict) else (
            inputs[0] if isinstance(inputs, tuple) else inputs)
        if x is None or isinstance(x, (tf.RaggedTensor, tf.SparseTensor)):
            return []
        x = tf.convert_to_tensor(x)
        if not x.dtype.is_floating:
            return []  # standardize raises the clear error
        return self._run_checks(x)

    # ------------------------------------------------------------------ inputs
    def standardize(self, inputs):
        raw, form = _split_inputs(inputs, self.data_key)
        x = self._check_tensor(raw[self.data_key])
        batched = x.shape.rank == self.example_rank + 1
        spec = {"form": form, "batched": batched, "dtype": x.dtype}
        with tf.control_dependencies(self._run_checks(x)):
            x = tf.identity(tf.cast(x, tf.float32))
        data = {}
        for key, value in raw.items():
            if key != self.data_key:
                value = tf.convert_to_tensor(value)
                data[key] = value if batched else value[None]
        data[self.data_key] = x if batched else x[None]
        return data, spec

    def restore(self, data, spec):
        data = dict(data)
        data[self.data_key] = tf.cast(data[self.data_key], self.output_dtype(spec["dtype"]))
        if not spec["batched"]:
            data = {k: v[0] for k, v in data.items()}
        if spec["form"] == "tensor":
            return data[self.data_key]
        if spec["form"] == "tuple":
            return data[self.data_key], data["labels"]
        return data

    def batch_size(self, data):
        return tf.shape(data[self.data_key])[0]


class AudioAugmentation(_SignalAugmentation):
    """Base of waveform layers: float ``[B, T]`` (or ``[T]``) in, same shape out.

    Args:
      sample_rate: Samples per second of the clips (Hz, > 0).
      probability: Per-clip chance that the layer applies.
      seed: Initial seed state.
      **kwargs: Keras layer arguments.
    """


class SpectrogramAugmentation(_SignalAugmentation):
    """Base of spectrogram layers: float ``[B, time, freq]`` (or ``[time, freq]``)
    in, same shape out; dict key ``"spectrogram"``.

    Args:
      sample_rate: Samples per second of the audio the spectrogram came from
        (Hz, > 0); carried for pipelines, the masks count frames and bins.
      probability: Per-example chance that the layer applies.
      seed: Initial seed state.
      **kwargs: Keras layer arguments.
    """

    data_key = SPECTROGRAM
    example_rank = 2
    shape_text = "[B, time, freq] (or [time, freq] for one spectrogram)"
