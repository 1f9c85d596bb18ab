"""Benchmark: tfaug audio layers in a tf.data pipeline vs audiomentations, side by side.

Data: ``--clips`` one-second 16 kHz clips (a chord of two random tones, a
little noise and a random gain: the same clips for both libraries).

Cases (same parameter ranges on both sides, every clip augmented, p=1):

* noise: audiomentations ``AddGaussianSNR(5, 40)`` vs
  ``tfaug.audio.waveform.GaussianNoiseSNR(5, 40)``;
* stretch: ``TimeStretch(0.8, 1.25, leave_length_unchanged=True)`` (its
  default method, signalsmith-stretch) vs ``tfaug.audio.time.TimeStretch(0.8, 1.25)``;
* pitch: ``PitchShift(-4, 4)`` (signalsmith-stretch) vs
  ``tfaug.audio.time.PitchShift(-4, 4)``; the librosa phase-vocoder method of
  audiomentations (what tfaug's algorithm is) is timed too;
* shift: ``Shift(-0.5, 0.5)`` vs ``tfaug.audio.waveform.TimeShift(0.5)``.

audiomentations runs clip by clip (its API) in this process; tfaug runs in
``Dataset.from_tensor_slices(clips).batch(B).cache().map(layer, AUTOTUNE)
.prefetch``, timed over ``--epochs`` passes from one iterator started (and
advanced one pass) before the clock. Best of ``--repeats``, the two libraries
interleaved. ``ratio`` = tfaug clips/s / audiomentations'.

Prints ONE JSON line on stdout.

Run:  python benchmarks/audio.py [--batch 64] [--clips 256] [--epochs 5] [--repeats 3]
"""

import argparse
import json
import os
import platform
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfaug.audio import time as audio_time  # noqa: E402
from tfaug.audio import waveform  # noqa: E402

RATE = 16000


def make_clips(n, seconds=1.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(RATE * seconds)) / RATE
    f = rng.uniform(100, 2000, size=(n, 2, 1))
    x = np.sin(2 * np.pi * f * t).sum(1) * 0.25 + 0.01 * rng.normal(size=(n, len(t)))
    return (x * rng.uniform(0.3, 1.0, size=(n, 1))).astype(np.float32)


def tfaug_rate(layer, clips, batch, epochs):
    """Clips/s of ``layer`` in a batched, parallel tf.data map."""
    ds = tf.data.Dataset.from_tensor_slices(clips).batch(batch).cache()
    ds = ds.map(lambda x: layer(x, training=True), num_parallel_calls=tf.data.AUTOTUNE)
    for _ in ds:  # warm-up: traces and compiles the map function, fills the cache
        pass
    iterator = iter(ds.repeat(epochs + 1).prefetch(tf.data.AUTOTUNE))
    for _ in range(-(-len(clips) // batch)):
        next(iterator)
    start = time.perf_counter()
    count = sum(int(b.shape[0]) for b in iterator)
    return count / (time.perf_counter() - start)


def peer_rate(aug, clips):
    aug(clips[0], sample_rate=RATE)  # warm-up
    start = time.perf_counter()
    for clip in clips:
        aug(clip, sample_rate=RATE)
    return len(clips) / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--clips", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import audiomentations as am  # pylint: disable=import-outside-toplevel
    warnings.filterwarnings("ignore")

    clips = make_clips(args.clips)
    peers = {
        "noise": am.AddGaussianSNR(min_snr_db=5.0, max_snr_db=40.0, p=1.0),
        "stretch": am.TimeStretch(0.8, 1.25, leave_length_unchanged=True, p=1.0),
        "pitch": am.PitchShift(-4, 4, p=1.0),
        "pitch_librosa": am.PitchShift(-4, 4, method="librosa_phase_vocoder", p=1.0),
        "stretch_librosa": am.TimeStretch(0.8, 1.25, leave_length_unchanged=True,
                                          method="librosa_phase_vocoder", p=1.0),
        "shift": am.Shift(-0.5, 0.5, p=1.0),
    }
    ours = {
        "noise": waveform.GaussianNoiseSNR(5.0, 40.0, sample_rate=RATE, seed=0),
        "stretch": audio_time.TimeStretch(0.8, 1.25, sample_rate=RATE, seed=0),
        "pitch": audio_time.PitchShift(-4, 4, sample_rate=RATE, seed=0),
        "shift": waveform.TimeShift(0.5, sample_rate=RATE, seed=0),
    }
    best = {}
    for _ in range(args.repeats):
        for name, aug in peers.items():
            rate = peer_rate(aug, clips[:64])
            best["audiomentations_" + name] = max(best.get("audiomentations_" + name, 0), rate)
        for name, layer in ours.items():
            rate = tfaug_rate(layer, clips, args.batch, args.epochs)
            best["tfaug_" + name] = max(best.get("tfaug_" + name, 0), rate)
    result = {
        "benchmark": "audio", "clips": args.clips, "seconds": 1.0, "sample_rate": RATE,
        "batch": args.batch, "cpus": os.cpu_count(), "python": platform.python_version(),
        "tf": tf.__version__, "audiomentations": am.__version__,
        **{k: round(v) for k, v in best.items()},
        **{f"ratio_{n}": round(best["tfaug_" + n] / best["audiomentations_" + n], 2)
           for n in ours},
        "ratio_pitch_vs_librosa_method": round(
            best["tfaug_pitch"] / best["audiomentations_pitch_librosa"], 2),
        "ratio_stretch_vs_librosa_method": round(
            best["tfaug_stretch"] / best["audiomentations_stretch_librosa"], 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
