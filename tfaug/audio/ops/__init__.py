"""Pure audio ops: batched float32 ``[B, T]`` waveforms (or ``[B, time, freq]``
spectrograms) with per-clip parameters ``[B]``; random variants take the seed
first. Nothing here imports a tfaug layer; everything is TF graph ops.

Modules: :mod:`~tfaug.audio.ops.waveform` (gain, shift, noise at an SNR,
distortion), :mod:`~tfaug.audio.ops.filters` (Butterworth-response filters,
FFT convolution), :mod:`~tfaug.audio.ops.resampling` (windowed-sinc :func:`resample`,
speed perturbation), :mod:`~tfaug.audio.ops.vocoder` (phase-vocoder time
stretch and pitch shift), :mod:`~tfaug.audio.ops.spectral` (STFT, mel
spectrograms, decibels) and :mod:`~tfaug.audio.ops.specaugment` (time and
frequency masks, time warp).
"""

from tfaug.audio.ops import filters, resampling, spectral, specaugment, vocoder, waveform
from tfaug.audio.ops.filters import bandpass, fft_convolve, highpass, lowpass
from tfaug.audio.ops.resampling import resample, resample_by, speed_perturb
from tfaug.audio.ops.specaugment import frequency_mask, time_mask, time_warp
from tfaug.audio.ops.spectral import (amplitude_to_db, mel_filterbank, mel_spectrogram,
                                      power_to_db, spectrogram, stft)
from tfaug.audio.ops.vocoder import pitch_shift, time_stretch
from tfaug.audio.ops.waveform import (add_noise_at_snr, clip, gain_db, invert, mix_at_snr,
                                      shift, tanh_distortion)

__all__ = ["add_noise_at_snr", "amplitude_to_db", "bandpass", "clip", "fft_convolve", "filters",
           "frequency_mask", "gain_db", "highpass", "invert", "lowpass", "mel_filterbank",
           "mel_spectrogram", "mix_at_snr", "pitch_shift", "power_to_db", "resample",
           "resample_by", "resampling", "shift", "specaugment", "spectral", "spectrogram",
           "speed_perturb", "stft", "tanh_distortion", "time_mask", "time_stretch", "time_warp",
           "vocoder", "waveform"]
