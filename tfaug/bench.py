"""Quick throughput check of tfaug on this machine: ``tfaug bench MODALITY``.

For one modality, a few representative augmentations run where they run in
training (mapped over batches in ``tf.data`` with ``AUTOTUNE`` and prefetch, or
called directly for SMOTE, which resamples a whole table), beside a peer
library doing the same work when that peer is installed:

* image: the ``light_image`` and ``randaugment_default`` policies on 224x224
  uint8 batches; peer: the same light chain of ``keras.layers`` (always there);
* text: RandomSwap(0.3), RandomDelete(0.3), EDA on generated sentences; peer:
  nlpaug's RandomWordAug swap/delete;
* audio: GaussianNoiseSNR, PitchShift, TimeStretch on 1 s 16 kHz clips; peer:
  audiomentations' AddGaussianSNR/PitchShift/TimeStretch;
* tabular: SMOTE (``tfaug.tabular.ops.smote``) of a 100k x 32 table with 10 %
  minority (2k rows with ``quick``; TensorFlow's fixed cost per call
  dominates small tables, where imbalanced-learn is faster); peer:
  imbalanced-learn's SMOTE.

The data is generated (no files needed), so figures show what the machine
does, not what a data set looks like; the ``benchmarks/`` scripts of the
repository measure on real data with more repeats. ``ratio`` is tfaug's rate
over the peer's (> 1: tfaug is faster).

Example:
  Not run as a doctest: it measures for tens of seconds, and the figures depend
  on the machine.
  
  >>> result = tfaug.bench.run("image", quick=True)  # doctest: +SKIP
  >>> print(tfaug.bench.format_table(result))  # doctest: +SKIP
"""

import importlib.util
import os
import platform
import time

import numpy as np

MODALITIES = ("image", "text", "audio", "tabular")

_WORDS = ("the film is a slow and quiet portrait of a family that never quite finds "
          "its voice but the actors are good and the story moves with a strange grace "
          "not every scene works yet few movies this year feel so honest about love "
          "loss money work friends and the small lies we tell").split()


def _case(name, unit, tfaug_fn, peer=None, peer_fn=None):
    return {"case": name, "unit": unit, "tfaug": tfaug_fn, "peer": peer, "peer_fn": peer_fn}


def _has(module):
    return importlib.util.find_spec(module) is not None


def _pipeline_rate(fn, batch, size, steps):
    """Samples/s of ``fn`` mapped over ``steps`` repeats of ``batch`` in tf.data."""
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    ds = (tf.data.Dataset.from_tensors(batch).repeat()
          .map(fn, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE))
    it = iter(ds)
    for _ in range(max(2, steps // 4)):  # warm-up: traces and compiles
        next(it)
    start = time.perf_counter()
    for _ in range(steps):
        next(it)
    return steps * size / (time.perf_counter() - start)


def _loop_rate(fn, items, seconds=1.0):
    """Items/s of a per-item Python loop, over at least ``seconds``."""
    fn(items[0])  # warm-up
    done, start = 0, time.perf_counter()
    while True:
        for item in items:
            fn(item)
        done += len(items)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def _image_cases(quick):
    import keras  # pylint: disable=import-outside-toplevel
    import tfaug  # pylint: disable=import-outside-toplevel
    batch_size, steps = (16, 8) if quick else (64, 30)
    rng = np.random.default_rng(0)
    ramp = np.linspace(0, 200, 224, dtype=np.float32)
    images = (ramp[None, :, None, None] + ramp[None, None, :, None] / 4
              + rng.normal(0, 20, (batch_size, 224, 224, 3)))
    images = np.clip(images, 0, 255).astype(np.uint8)
    light = tfaug.policies.load("light_image")
    rand = tfaug.policies.load("randaugment_default")
    keras_light = keras.Sequential([
        keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.05),
        keras.layers.RandomZoom(0.1), keras.layers.RandomContrast(0.2),
        keras.layers.RandomBrightness(0.1)])

    def rate(layer):
        return lambda: _pipeline_rate(lambda x: layer(x, training=True), images,
                                      batch_size, steps)

    return [_case("light_image", "images", rate(light), "keras.layers", rate(keras_light)),
            _case("randaugment_default", "images", rate(rand))]


def _text_cases(quick):
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    from tfaug import text  # pylint: disable=import-outside-toplevel
    count, batch_size = (256, 128) if quick else (2000, 500)
    rng = np.random.default_rng(0)
    sentences = [" ".join(rng.choice(_WORDS, rng.integers(8, 30))) for _ in range(count)]
    steps = max(1, count // batch_size) * (1 if quick else 4)
    batch = tf.constant(sentences[:batch_size])
    peers = {}
    if _has("nlpaug"):
        import nlpaug.augmenter.word as naw  # pylint: disable=import-outside-toplevel
        peers = {"swap": naw.RandomWordAug(action="swap"),
                 "delete": naw.RandomWordAug(action="delete")}

    def ours(layer):
        return lambda: _pipeline_rate(lambda x: layer(x, training=True), batch,
                                      batch_size, steps)

    def theirs(aug):
        return lambda: _loop_rate(lambda s: aug.augment(s), sentences[:200], 0.5 if quick else 2)

    cases = []
    for name, layer in (("swap", text.RandomSwap(rate=0.3, seed=0)),
                        ("delete", text.RandomDelete(0.3, seed=0))):
        peer = peers.get(name)
        cases.append(_case(f"Random{name.title()}", "sentences", ours(layer),
                           "nlpaug" if peer else None, theirs(peer) if peer else None))
    cases.append(_case("EDA", "sentences", ours(text.EDA(seed=0))))
    return cases


def _audio_cases(quick):
    from tfaug import audio  # pylint: disable=import-outside-toplevel
    rate = 16000
    batch_size, steps = (8, 4) if quick else (64, 8)
    t = np.arange(rate, dtype=np.float32) / rate
    rng = np.random.default_rng(0)
    freqs = rng.uniform(200, 900, (batch_size, 1))
    clips = (0.3 * np.sin(2 * np.pi * freqs * t) + 0.01 * rng.normal(size=(batch_size, rate)))
    clips = clips.astype(np.float32)
    peers = {}
    if _has("audiomentations"):
        import audiomentations as am  # pylint: disable=import-outside-toplevel
        peers = {"noise": am.AddGaussianSNR(5.0, 40.0, p=1.0),
                 "pitch": am.PitchShift(-4, 4, p=1.0),
                 "stretch": am.TimeStretch(0.8, 1.25, leave_length_unchanged=True, p=1.0)}
    ours = {"noise": ("GaussianNoiseSNR", audio.GaussianNoiseSNR(5.0, 40.0, seed=0)),
            "pitch": ("PitchShift", audio.PitchShift(-4.0, 4.0, seed=0)),
            "stretch": ("TimeStretch", audio.TimeStretch(0.8, 1.25, seed=0))}
    cases = []
    for key, (name, layer) in ours.items():
        peer = peers.get(key)
        cases.append(_case(
            name, "clips",
            (lambda l: lambda: _pipeline_rate(lambda x: l(x, training=True), clips,
                                              batch_size, steps))(layer),
            "audiomentations" if peer else None,
            (lambda p: lambda: _loop_rate(lambda c: p(c, sample_rate=rate), list(clips),
                                          0.5 if quick else 2))(peer) if peer else None))
    return cases


def _tabular_cases(quick):
    from tfaug.tabular import ops  # pylint: disable=import-outside-toplevel
    rows = 2000 if quick else 100000
    rng = np.random.default_rng(0)
    y = (rng.uniform(size=rows) < 0.1).astype(np.int32)
    x = (rng.normal(size=(rows, 32)) + 0.5 * y[:, None]).astype(np.float32)

    def timed(fn):
        def run():
            fn()  # warm-up (traces the neighbour search)
            best = float("inf")
            for _ in range(1 if quick else 3):  # best of 3: the machine may be shared
                start = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - start)
            return rows / best
        return run

    peer = peer_fn = None
    if _has("imblearn"):
        from imblearn.over_sampling import SMOTE  # pylint: disable=import-outside-toplevel
        peer = "imbalanced-learn"
        peer_fn = timed(lambda: SMOTE(k_neighbors=5, random_state=0).fit_resample(x, y))
    return [_case("SMOTE", "rows", timed(lambda: ops.smote(x, y, k_neighbors=5, seed=0)),
                  peer, peer_fn)]


_CASES = {"image": _image_cases, "text": _text_cases, "audio": _audio_cases,
          "tabular": _tabular_cases}


def run(modality, quick=False, peers=True, progress=None):
    """Measures tfaug (and its peer, when installed) on one modality.

    Args:
      modality: ``"image"``, ``"text"``, ``"audio"`` or ``"tabular"``.
      quick: Small batches and few steps (seconds; figures are rough).
      peers: Also time the peer library where one is installed.
      progress: Optional callable ``progress(done, total, label)`` called after
        each measurement (the CLI draws a progress bar with it).

    Returns:
      ``{"modality", "quick", "device", "python", "tensorflow", "cpus", "cases":
      [{"case", "unit", "tfaug_per_s", "peer", "peer_per_s", "ratio"}]}``;
      ``peer``, ``peer_per_s`` and ``ratio`` are None where no peer ran.

    Raises:
      ValueError: ``modality`` is not one of :data:`MODALITIES`.

    Example:
      Not run as a doctest (it measures for seconds; the figure depends on the machine):
      
      >>> tfaug.bench.run("tabular", quick=True)["cases"][0]["ratio"]  # doctest: +SKIP
      1.59
    """
    if modality not in _CASES:
        raise ValueError(f"`modality` must be one of {', '.join(MODALITIES)}, "
                         f"got {modality!r}.")
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    cases = _CASES[modality](quick)
    total = sum(1 + bool(peers and c["peer_fn"]) for c in cases)
    done, rows = 0, []
    for case in cases:
        ours = case["tfaug"]()
        done += 1
        if progress:
            progress(done, total, f"tfaug {case['case']}")
        theirs = None
        if peers and case["peer_fn"]:
            theirs = case["peer_fn"]()
            done += 1
            if progress:
                progress(done, total, f"{case['peer']} {case['case']}")
        rows.append({"case": case["case"], "unit": case["unit"],
                     "tfaug_per_s": round(ours, 1),
                     "peer": case["peer"] if theirs else None,
                     "peer_per_s": None if theirs is None else round(theirs, 1),
                     "ratio": None if theirs is None else round(ours / theirs, 2)})
    gpus = tf.config.list_physical_devices("GPU")
    return {"modality": modality, "quick": bool(quick),
            "device": f"{len(gpus)} GPU" if gpus else "CPU",
            "python": platform.python_version(), "tensorflow": tf.__version__,
            "cpus": os.cpu_count(), "cases": rows}


def format_table(result):
    """The rows of :func:`run`'s result as an aligned text table."""
    header = ("case", "tfaug/s", "peer", "peer/s", "ratio")
    lines = [header]
    for r in result["cases"]:
        lines.append((r["case"], f"{r['tfaug_per_s']:.0f} {r['unit']}", r["peer"] or "-",
                      "-" if r["peer_per_s"] is None else f"{r['peer_per_s']:.0f}",
                      "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    text = "\n".join("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip()
                     for line in lines)
    return (f"tfaug bench {result['modality']} ({result['device']}, {result['cpus']} CPUs, "
            f"TF {result['tensorflow']}{', quick' if result['quick'] else ''})\n{text}\n")
