"""Audio augmentation as TF graph ops (``tf.signal``), batched and per clip.

Waveform layers take float ``[B, T]`` (or one clip ``[T]``, ``(audio, labels)``,
or a dict with ``"audio"``) with ``sample_rate`` set on the layer, and return
the same shape: :class:`Gain`, :class:`PolarityInversion`, :class:`TimeShift`,
:class:`GaussianNoiseSNR`, :class:`BackgroundNoise`,
:class:`ApplyImpulseResponse`, :class:`LowPass`, :class:`HighPass`,
:class:`BandPass`, :class:`Clip`, :class:`TanhDistortion`,
:class:`SpeedPerturb`, :class:`TimeStretch`, :class:`PitchShift`.
Spectrogram layers (SpecAugment) take ``[B, time, freq]``:
:class:`TimeMask`, :class:`FrequencyMask`, :class:`TimeWarp`; the feature
layers :class:`Spectrogram` and :class:`MelSpectrogram` make them. WAV files:
:func:`read_wav`, :func:`write_wav`, and the graph ops :func:`decode_wav` /
:func:`encode_wav` for ``tf.data``. The ops behind the layers are in
:mod:`tfaug.audio.ops` (``ops.resample`` is a band-limited resampler).
"""

from tfaug.audio import ops
from tfaug.audio.base import AudioAugmentation, SpectrogramAugmentation
from tfaug.audio.filters import BandPass, HighPass, LowPass
from tfaug.audio.io import decode_wav, encode_wav, read_wav, wav_sample_rate, write_wav
from tfaug.audio.noise import ApplyImpulseResponse, BackgroundNoise
from tfaug.audio.spectrogram import (FrequencyMask, MelSpectrogram, Spectrogram, TimeMask,
                                     TimeWarp)
from tfaug.audio.time import PitchShift, SpeedPerturb, TimeStretch
from tfaug.audio.waveform import (Clip, Gain, GaussianNoiseSNR, PolarityInversion,
                                  TanhDistortion, TimeShift)

__all__ = ["ApplyImpulseResponse", "AudioAugmentation", "BackgroundNoise", "BandPass", "Clip",
           "FrequencyMask", "Gain", "GaussianNoiseSNR", "HighPass", "LowPass", "MelSpectrogram",
           "PitchShift", "PolarityInversion", "SpectrogramAugmentation", "Spectrogram",
           "SpeedPerturb", "TanhDistortion", "TimeMask", "TimeShift", "TimeStretch", "TimeWarp",
           "decode_wav", "encode_wav", "ops", "read_wav", "wav_sample_rate", "write_wav"]
