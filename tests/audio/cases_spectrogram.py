"""Harness cases for the SpecAugment layers (see tests/harness.py)."""

from tests.harness import Case
from tfaug.audio import spectrogram

CASES = [
    Case("TimeMask", lambda: spectrogram.TimeMask(max_width=6, num_masks=2, sample_rate=8000,
                                                  seed=1), modality="spectrogram"),
    Case("FrequencyMask", lambda: spectrogram.FrequencyMask(
        max_width=4, num_masks=2, mask_value="mean", probability=0.8, sample_rate=8000,
        seed=2), modality="spectrogram"),
    Case("TimeWarp", lambda: spectrogram.TimeWarp(max_distance=4, sample_rate=8000, seed=3),
         modality="spectrogram"),
]
