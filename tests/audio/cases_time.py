"""Harness cases for the time/pitch audio layers (see tests/harness.py)."""

from tests.harness import Case
from tfaug.audio import time as audio_time

CASES = [
    Case("SpeedPerturb", lambda: audio_time.SpeedPerturb(sample_rate=8000, seed=1),
         modality="audio"),
    Case("TimeStretch", lambda: audio_time.TimeStretch(0.8, 1.25, sample_rate=8000, seed=2),
         modality="audio"),
    Case("PitchShift", lambda: audio_time.PitchShift(-4, 4, sample_rate=8000, seed=3),
         modality="audio"),
]
