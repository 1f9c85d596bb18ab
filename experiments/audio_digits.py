"""Does audio augmentation help a spoken-digit classifier generalize to new voices?

Spoken digits "zero" .. "nine" are synthesized offline with espeak-ng (several
accents, voice variants, speeds and pitches) and flite (its voices), resampled
to 16 kHz with ``tfaug.audio.ops.resample``, trimmed, peak-normalized and
centred in 1 s clips. A small CNN on log-mel features (``tfaug.audio.MelSpectrogram``)
is trained on some espeak-ng voices and tested on held-out voices:

* test A, held-out espeak-ng voices: voice variants never heard in training, at
  speeds and pitches outside the training range, partly in an unseen accent;
* test B, flite: a different synthesizer altogether (if flite is installed).

Three conditions, same model and steps: no augmentation; waveform augmentation
(``SpeedPerturb``, ``PitchShift``, ``TimeShift``, ``Gain``, ``GaussianNoiseSNR``)
on the fly in ``tf.data``; and the same plus SpecAugment (``TimeMask``,
``FrequencyMask``) on the features. Synthesized clips are cached under the
system temp folder (``$TMPDIR/tfaug_audio_digits``), never in the repository.

Needs Debian's ``espeak-ng`` (and ``flite`` for test B).

Run:  python experiments/audio_digits.py [--seeds 5]
      python experiments/audio_digits.py --smoke --out /tmp/res     (seconds)
"""

import hashlib
import itertools
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import _common  # noqa: E402  (puts the repository root on sys.path)

NAME = "audio_digits"
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
RATE = 16000
CACHE = pathlib.Path(tempfile.gettempdir()) / "tfaug_audio_digits"
BATCH = 32
CONDITIONS = ("none", "waveform", "waveform+specaugment")
CLIP_VERSION = 1  # of to_clip(): part of the cache key of the processed clips

# (accents, variants, speeds (wpm), pitches (0-99)) of each espeak-ng split.
FULL = {
    "train": (("en-us", "en-gb"), ("", "m1", "m2", "m3", "m4", "f1", "f2"), (150, 190),
              (40, 60)),
    "test_a": (("en-us", "en-gb-scotland"), ("m5", "m6", "m7", "f3", "f4"), (125, 215),
               (25, 80)),
}
SMOKE = {
    "train": (("en-us", "en-gb"), ("", "f1"), (160,), (50,)),
    "test_a": (("en-gb",), ("m5",), (140,), (40,)),
}
FLITE = {"full": (("kal", "kal16", "awb", "rms", "slt"), (0.85, 1.0, 1.2)),
         "smoke": (("slt",), (1.0,))}


def _synth(cmd, path):
    """Runs a synthesizer command that writes ``path`` (atomically, cached)."""
    if path.is_file():
        return
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}.wav")
    cmd = [str(tmp) if c == "{out}" else c for c in cmd]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.replace(tmp, path)


def espeak_specs(split):
    """``[(label, command, file name)]`` of an espeak-ng split (see ``FULL``)."""
    accents, variants, speeds, pitches = split
    specs = []
    for accent, variant, speed, pitch in itertools.product(accents, variants, speeds, pitches):
        voice = accent + (f"+{variant}" if variant else "")
        for label, word in enumerate(WORDS):
            cmd = ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", "{out}",
                   word]
            specs.append((label, cmd, f"espeak_{voice}_{speed}_{pitch}_{word}.wav"))
    return specs


def flite_specs(split):
    """``[(label, command, file name)]`` of flite voices x duration stretches."""
    voices, stretches = split
    specs = []
    for voice, stretch in itertools.product(voices, stretches):
        for label, word in enumerate(WORDS):
            cmd = ["flite", "-voice", voice, "--setf", f"duration_stretch={stretch}", "-t",
                   word, "-o", "{out}"]
            specs.append((label, cmd, f"flite_{voice}_{stretch}_{word}.wav"))
    return specs


def to_clip(audio, rate, length=RATE, peak=0.4, threshold=0.05):
    """A 1 s, 16 kHz clip: resampled, silence trimmed, peak-normalized, centred."""
    import numpy as np  # pylint: disable=import-outside-toplevel
    import tfaug  # pylint: disable=import-outside-toplevel
    x = tfaug.audio.ops.resample(audio, rate, RATE).numpy() if rate != RATE else audio.numpy()
    loud = np.flatnonzero(np.abs(x) > threshold * np.abs(x).max())
    x = x[loud[0]: loud[-1] + 1] if len(loud) else x
    x = x[:length] * (peak / max(np.abs(x).max(), 1e-9))
    out = np.zeros(length, np.float32)
    start = (length - len(x)) // 2
    out[start: start + len(x)] = x
    return out


def load_split(specs, cache):
    """Synthesizes (or reads from ``cache``) a split: ``(clips [N, 16000], labels [N])``."""
    import numpy as np  # pylint: disable=import-outside-toplevel
    import tfaug  # pylint: disable=import-outside-toplevel
    # The key covers the commands and the clip processing (bump CLIP_VERSION on changes).
    key = hashlib.sha256(repr((CLIP_VERSION, [s[1] for s in specs])).encode()).hexdigest()[:16]
    packed = cache / f"split_{key}.npz"
    if packed.is_file():
        with np.load(packed) as f:
            return f["x"], f["y"]
    clips, labels = [], []
    for label, cmd, name in specs:
        path = cache / name
        _synth(cmd, path)
        audio, rate = tfaug.audio.read_wav(path, mono=True)
        clips.append(to_clip(audio, rate))
        labels.append(label)
    x, y = np.stack(clips), np.asarray(labels, np.int32)
    tmp = packed.with_name(f".{packed.name}.tmp{os.getpid()}.npz")
    np.savez(tmp, x=x, y=y)
    os.replace(tmp, packed)
    return x, y


def make_augmentations():
    """``(waveform augmentation, SpecAugment)`` as tfaug layers."""
    import tfaug  # pylint: disable=import-outside-toplevel
    from tfaug import audio  # pylint: disable=import-outside-toplevel
    wave = tfaug.Sequence([
        audio.SpeedPerturb(factor_range=(0.85, 1.15), sample_rate=RATE),
        audio.PitchShift(-3.0, 3.0, sample_rate=RATE, probability=0.5),
        audio.TimeShift(0.1, rollover=False, sample_rate=RATE),
        audio.Gain(-6.0, 6.0, sample_rate=RATE),
        audio.GaussianNoiseSNR(10.0, 40.0, sample_rate=RATE, probability=0.5),
    ])
    spec = tfaug.Sequence([
        audio.TimeMask(max_width=10, num_masks=2, sample_rate=RATE),
        audio.FrequencyMask(max_width=6, num_masks=2, sample_rate=RATE),
    ])
    return wave, spec


def make_features():
    """Waveforms [B, T] -> per-example standardized log-mels [B, 101, 40]."""
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    import tfaug  # pylint: disable=import-outside-toplevel
    mel = tfaug.audio.MelSpectrogram(sample_rate=RATE, n_fft=512, hop_length=160,
                                     win_length=400, num_mel_bins=40, scale="log")

    def features(waveforms):
        m = mel(waveforms)
        mean, var = tf.nn.moments(m, axes=[1, 2], keepdims=True)
        return (m - mean) / tf.sqrt(var + 1e-6)
    return features


def make_model(frames, bins, width):
    """A small CNN on ``[frames, bins]`` log-mels."""
    import keras  # pylint: disable=import-outside-toplevel
    return keras.Sequential([
        keras.Input((frames, bins)),
        keras.layers.Reshape((frames, bins, 1)),
        keras.layers.Conv2D(width, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(2 * width, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(4 * width, 3, padding="same", activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(10, activation="softmax"),
    ])


def train_eval(train, tests, features, condition, augs, epochs, width, seed):
    """Trains a fresh model under ``condition``; returns ``{test name: accuracy}``.

    Args:
      train: ``(clips [N, 16000], labels [N])``.
      tests: ``{name: (clips, labels)}``, never augmented.
      features: Waveforms -> standardized log-mels (``make_features()``).
      condition: One of ``CONDITIONS``.
      augs: ``(waveform augmentation, SpecAugment)`` (``make_augmentations()``).
      epochs, width, seed: Passes over ``train``, first conv's filters, run seed.
    """
    import keras  # pylint: disable=import-outside-toplevel
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    keras.utils.set_random_seed(seed)
    x, y = train
    wave, spec = augs
    batch = min(BATCH, len(x))
    steps = epochs * (len(x) // batch)
    ds = (tf.data.Dataset.from_tensor_slices((x, y))
          .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
          .repeat().batch(batch, drop_remainder=True).take(steps).enumerate())

    def prepare(index, batch):
        audio, labels = batch
        s = tf.stack([tf.constant(seed, tf.int64), index])
        if condition != "none":
            audio = wave(audio, training=True, seed=s)
        feats = features(audio)
        if condition == "waveform+specaugment":
            feats = spec(feats, training=True, seed=s + tf.constant([0, 1 << 40], tf.int64))
        return feats, labels
    ds = ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
    model = make_model(101, 40, width)
    model.compile(optimizer=keras.optimizers.Adam(2e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    out = {}
    for name, (xt, yt) in tests.items():
        probs = model.predict(features(tf.constant(xt)), batch_size=256, verbose=0)
        out[name] = float((probs.argmax(axis=1) == yt).mean())
    return out


def _figure(conditions, accs, test_names, labels):
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    import numpy as np  # pylint: disable=import-outside-toplevel
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(conditions)
    pos = np.arange(len(test_names))
    for i, c in enumerate(conditions):
        ms = [_common.mean_std(accs[c][t]) for t in test_names]
        ax.bar(pos + i * width, [100 * m for m, _ in ms], width,
               yerr=[100 * s for _, s in ms], capsize=3, label=c)
        for j, (m, sd) in enumerate(ms):
            ax.text(pos[j] + i * width, 100 * (m + sd) + 1, f"{100 * m:.1f}", ha="center",
                    fontsize=8)
    ax.set_xticks(pos + width * (len(conditions) - 1) / 2, [labels[t] for t in test_names])
    ax.set_ylabel("test accuracy % (mean ± std over seeds)")
    ax.set_ylim(0, 118)
    ax.set_title("spoken digits, trained on espeak-ng voices, tested on held-out voices")
    ax.legend(loc="upper right", ncol=len(conditions), fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def _findings(conditions, accs, test_names, labels):
    lines = []
    for t in test_names:
        base_m, base_s = _common.mean_std(accs["none"][t])
        for c in conditions[1:]:
            m, s = _common.mean_std(accs[c][t])
            d = m - base_m
            verdict = ("helps" if d > base_s + s else "hurts" if d < -(base_s + s)
                       else "is within the seed-to-seed spread")
            lines.append(f"- {labels[t]}: `{c}` {100 * m:.1f}% vs {100 * base_m:.1f}% without "
                         f"augmentation ({100 * d:+.1f} pts): it {verdict}.")
        if "waveform" in conditions and "waveform+specaugment" in conditions:
            w_m, w_s = _common.mean_std(accs["waveform"][t])
            s_m, s_s = _common.mean_std(accs["waveform+specaugment"][t])
            d = s_m - w_m
            verdict = ("helps" if d > w_s + s_s else "hurts" if d < -(w_s + s_s)
                       else "makes no difference beyond the seed-to-seed spread")
            lines.append(f"- {labels[t]}: adding SpecAugment to the waveform augmentation "
                         f"({100 * d:+.1f} pts) {verdict}.")
    if "test_b" in test_names:
        lines.append("- Test B is much harder than test A for every condition: flite's voices "
                     "differ from espeak-ng's formant synthesis in timbre and prosody, not "
                     "just in the speed, pitch and level the augmentation varies.")
    lines.append("- \"Helps\"/\"hurts\" need a difference larger than the two stds together; "
                 "with few seeds the spread is a few points, so smaller differences are not "
                 "evidence either way.")
    return "\n".join(lines)


def report(data, out):
    """Writes ``audio_digits.md/.png/.json`` from the results dict ``data``.

    Args:
      data: The raw results (the JSON's fields).
      out: Output folder.

    Returns:
      The written paths.
    """
    conditions, accs, seeds = data["conditions"], data["accuracy"], data["seeds"]
    tests, test_names = data["tests"], list(data["tests"])
    labels = {t: tests[t]["label"] for t in test_names}
    tr_acc, tr_var, tr_sp, tr_pi = data["splits"]["train"]
    ta_acc, ta_var, ta_sp, ta_pi = data["splits"]["test_a"]
    fl_voices, fl_stretch = data["splits"]["flite"]
    batch, epochs, width = data["batch_size"], data["epochs"], data["width"]
    headers = ["augmentation"] + [f"{labels[t]} ({tests[t]['size']} clips)" for t in test_names]
    rows = [[c] + [_common.format_mean_std(accs[c][t], percent=True) for t in test_names]
            for c in conditions]
    flite_line = (f"- **Test B** (flite, a different synthesizer): voices {', '.join(fl_voices)}"
                  f" x duration stretch {', '.join(map(str, fl_stretch))}: "
                  f"{tests['test_b']['size']} clips." if "test_b" in tests else
                  "- Test B skipped: flite is not installed.")
    outside = (" (outside the training ranges)" if all(
        v < min(tr) or v > max(tr) for tr, te in ((tr_sp, ta_sp), (tr_pi, ta_pi)) for v in te)
        else "")

    def _v(variants):
        return ", ".join(v or "default" for v in variants)
    md = f"""# Spoken digits: augmentation vs held-out voices

**Setup.** The words "zero" .. "nine" synthesized offline, resampled to 16 kHz
(`tfaug.audio.ops.resample`), trimmed of silence, peak-normalized to 0.4 and centred in
1 s clips.
- **Train**: espeak-ng accents {', '.join(tr_acc)} x variants {_v(tr_var)} x speeds
  {', '.join(map(str, tr_sp))} wpm x pitches {', '.join(map(str, tr_pi))}:
  {data["train_size"]} clips.
- **Test A** (held-out espeak-ng voices): accents {', '.join(ta_acc)} x variants
  {_v(ta_var)} (none of them in training) x speeds {', '.join(map(str, ta_sp))} wpm x
  pitches {', '.join(map(str, ta_pi))}{outside}: {tests["test_a"]["size"]} clips.
{flite_line}

Model: per-example standardized log-mels (`tfaug.audio.MelSpectrogram`, 512-point FFT,
25 ms windows, 10 ms hop, 40 bins: 101 x 40) into a CNN (Conv {width}/{2 * width}/{4 * width},
global average pooling, dropout 0.3), Adam 2e-3, batch {batch}, {epochs} epochs
({data["steps"]} steps) for every condition; the model after the last step is evaluated.
Seeds: {seeds} (initialisation, batch order, augmentation draws).
Augmentation runs on the fly in `tf.data` on training batches only:
- `waveform`: `SpeedPerturb(factor_range=(0.85, 1.15))`, `PitchShift(-3, 3 semitones,
  probability=0.5)`, `TimeShift(0.1, rollover=False)`, `Gain(-6, 6 dB)`,
  `GaussianNoiseSNR(10, 40 dB, probability=0.5)`;
- `waveform+specaugment`: the same, then `TimeMask(10 frames, 2 masks)` and
  `FrequencyMask(6 bins, 2 masks)` on the standardized log-mels.

Wall time: {data["seconds"] / 60:.1f} min of training for all {len(conditions) * seeds} runs
on this machine (2 shared CPU cores), + {data["synthesis_seconds"]:.0f} s synthesis (clips
cached in the system temp folder, `tfaug_audio_digits/`).

**Test accuracy (%, mean ± std over {seeds} seed{'s' if seeds > 1 else ''})**

{_common.markdown_table(headers, rows)}

![accuracy]({NAME}.png)

**Findings**

{_findings(conditions, accs, test_names, labels)}

Reproduce: `python experiments/audio_digits.py{' --smoke' if data["smoke"] else ''}`
(`--render {NAME}.json` rewrites this page and the plot from the saved numbers).
"""
    fig = _figure(conditions, accs, test_names, labels)
    return _common.write_results(out, NAME, md, fig, data)


def main(argv=None):
    """Runs the experiment; returns the results dict (also written as JSON).

    Args:
      argv: Command-line arguments (None: ``sys.argv[1:]``).

    Returns:
      dict with ``conditions``, ``tests`` (labels and sizes), ``accuracy``
      (``{condition: {test: [per seed]}}``), ``seeds``, ``epochs``, ``seconds``, ``files``.

    Raises:
      RuntimeError: espeak-ng is not installed (Debian package ``espeak-ng``).
      ValueError: bad ``--seeds``, ``--epochs`` or ``--width``.
    """
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=None, help="passes over the training clips")
    p.add_argument("--width", type=int, default=None, help="filters of the first conv")
    p.add_argument("--cache", default=str(CACHE), help=f"clip cache folder (default {CACHE})")
    p.add_argument("--render", metavar="JSON", default=None,
                   help="rewrite the report from a saved audio_digits.json (no training)")
    args = p.parse_args(argv)
    if args.render:
        data = json.loads(pathlib.Path(args.render).read_text(encoding="utf-8"))
        data.pop("files", None)
        data["files"] = [str(f) for f in report(data, args.out)]
        return data
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("audio_digits needs the espeak-ng speech synthesizer: install the "
                           "Debian packages espeak-ng (and flite for the second test set), "
                           "e.g. `apt-get install espeak-ng flite`.")
    smoke = args.smoke
    seeds = args.seeds or (1 if smoke else 5)
    epochs = args.epochs or (2 if smoke else 30)
    width = args.width or (8 if smoke else 16)
    if seeds < 1 or epochs < 1 or width < 1:
        raise ValueError(f"`--seeds`, `--epochs` and `--width` must be >= 1, got {seeds}, "
                         f"{epochs}, {width}.")
    cache = pathlib.Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    splits = SMOKE if smoke else FULL
    flite = FLITE["smoke" if smoke else "full"]
    with _common.Timer() as synth:
        train = load_split(espeak_specs(splits["train"]), cache)
        tests = {"test_a": load_split(espeak_specs(splits["test_a"]), cache)}
        if shutil.which("flite") is not None:
            tests["test_b"] = load_split(flite_specs(flite), cache)
    _common.log(f"[{NAME}] clips ready in {synth.seconds:.1f}s: train {len(train[1])}, "
                + ", ".join(f"{k} {len(v[1])}" for k, v in tests.items()))
    labels = {"test_a": "A: held-out espeak-ng voices", "test_b": "B: flite voices"}
    features = make_features()
    augs = make_augmentations()
    accs = {c: {t: [] for t in tests} for c in CONDITIONS}
    with _common.Timer() as timer:
        for seed in range(seeds):
            for c in CONDITIONS:
                res = train_eval(train, tests, features, c, augs, epochs, width, seed)
                for t in tests:
                    accs[c][t].append(res[t])
                _common.log(f"[{NAME} {time.perf_counter() - timer.start:6.0f}s] seed={seed} "
                            f"{c}: " + " ".join(f"{t}={v:.3f}" for t, v in res.items()))
    batch = min(BATCH, len(train[1]))
    data = {"conditions": list(CONDITIONS), "seeds": seeds, "epochs": epochs, "width": width,
            "batch_size": batch, "steps": epochs * (len(train[1]) // batch), "smoke": smoke,
            "accuracy": accs, "seconds": timer.seconds, "synthesis_seconds": synth.seconds,
            "train_size": int(len(train[1])),
            "splits": {"train": splits["train"], "test_a": splits["test_a"], "flite": flite},
            "tests": {t: {"label": labels[t], "size": int(len(tests[t][1]))} for t in tests}}
    data["files"] = [str(f) for f in report(data, args.out)]
    print(f"{NAME}: " + "; ".join(
        f"{c} " + " ".join(f"{t}:{100 * _common.mean_std(accs[c][t])[0]:.1f}" for t in tests)
        for c in CONDITIONS))
    return data


if __name__ == "__main__":
    main()
