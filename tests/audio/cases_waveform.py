"""Harness cases for the waveform, noise, reverb and filter layers (see tests/harness.py)."""

import numpy as np

from tests.harness import Case
from tfaug.audio import filters, noise, waveform

RATE = 8000


def _noise_bank():
    # Shorter than the harness clips (800 samples): exercises tiling.
    return np.random.default_rng(1).normal(0.0, 0.3, size=(3, 500)).astype(np.float32)


def _ir_bank():
    rng = np.random.default_rng(2)
    decay = np.exp(-np.arange(64) / 12.0)
    irs = rng.normal(size=(2, 64)) * decay
    irs[:, 0] = 1.0
    return irs.astype(np.float32)


CASES = [
    Case("Gain", lambda: waveform.Gain(sample_rate=RATE, seed=1), modality="audio"),
    Case("PolarityInversion", lambda: waveform.PolarityInversion(sample_rate=RATE, seed=2),
         modality="audio", random=False),
    Case("TimeShift", lambda: waveform.TimeShift(0.3, sample_rate=RATE, seed=3),
         modality="audio"),
    Case("GaussianNoiseSNR", lambda: waveform.GaussianNoiseSNR(sample_rate=RATE, seed=4),
         modality="audio"),
    Case("Clip", lambda: waveform.Clip(5, 40, sample_rate=RATE, probability=0.8, seed=5),
         modality="audio"),
    Case("TanhDistortion", lambda: waveform.TanhDistortion(sample_rate=RATE, seed=6),
         modality="audio"),
    Case("LowPass", lambda: filters.LowPass(300, 3000, sample_rate=RATE, seed=7),
         modality="audio"),
    Case("HighPass", lambda: filters.HighPass(100, 2000, sample_rate=RATE, seed=8),
         modality="audio"),
    Case("BandPass", lambda: filters.BandPass(200, 1500, min_bandwidth_fraction=0.5,
                                              max_bandwidth_fraction=1.5, sample_rate=RATE,
                                              seed=9),
         modality="audio"),
    Case("BackgroundNoise", lambda: noise.BackgroundNoise(_noise_bank(), 3, 20,
                                                          sample_rate=RATE, seed=10),
         modality="audio", stateful=True),
    Case("ApplyImpulseResponse", lambda: noise.ApplyImpulseResponse(
        _ir_bank(), sample_rate=RATE, probability=0.7, seed=11), modality="audio",
         stateful=True),
]
