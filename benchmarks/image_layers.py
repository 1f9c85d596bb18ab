"""Benchmark: tfaug vs keras.layers vs albumentations on one augmentation chain.

The chain: horizontal flip, rotation of up to 0.1 turn (36 degrees), zoom of up
to 10 %, contrast factor 0.2.

* tfaug: ``tfaug.Sequence([RandomFlip("horizontal"), RandomRotation(0.1),
  RandomZoom(0.1), RandomContrast(0.2)])`` (flip, rotation and zoom fused into one
  resample per image);
* Keras: ``keras.layers.RandomFlip("horizontal")``, ``RandomRotation(0.1)``,
  ``RandomZoom(0.1)``, ``RandomContrast(0.2)`` in a ``keras.Sequential``;
* albumentations (if it imports): ``HorizontalFlip``, ``Affine(rotate=(-36, 36),
  scale=(0.9, 1.1))``, ``RandomBrightnessContrast(brightness_limit=0,
  contrast_limit=0.2)``, per image in a single-process loop (float32 in [0, 1]).

tfaug and Keras run on the same 224x224x3 batches of 64 real photos (crops of
scikit-learn's sample images), uint8 and float32, inside ``tf.data``: ``.map`` on
batches with ``num_parallel_calls=AUTOTUNE`` and ``prefetch``; ``--batches``
batches are timed after a warm-up. It also checks that every registered tfaug
image layer compiles under ``tf.function(jit_compile=True)``.

Prints ONE JSON line on stdout (progress goes to stderr).

Run:  make bench   (or: python benchmarks/image_layers.py [--batches N] [--quick])
"""

import argparse
import json
import os
import pathlib
import platform
import re
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Run from a checkout without installing: make the repository root importable.
sys.path.insert(1, str(pathlib.Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import tfaug  # noqa: E402
from tfaug import image  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
SIZE = 224
BATCH = 64


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def photo_batch(seed=0):
    """64 distinct uint8 224x224x3 crops of real photos (sklearn sample images)."""
    from sklearn.datasets import load_sample_images
    photos = load_sample_images().images  # china.jpg, flower.jpg: 427x640x3 uint8
    rng = np.random.default_rng(seed)
    crops = []
    for i in range(BATCH):
        photo = photos[i % len(photos)]
        y = rng.integers(0, photo.shape[0] - SIZE + 1)
        x = rng.integers(0, photo.shape[1] - SIZE + 1)
        crop = photo[y:y + SIZE, x:x + SIZE]
        crops.append(crop[:, ::-1] if rng.random() < 0.5 else crop)
    return np.ascontiguousarray(np.stack(crops))


def tfaug_chain():
    return tfaug.Sequence([
        image.RandomFlip("horizontal"),
        image.RandomRotation(0.1),
        image.RandomZoom(0.1),
        image.RandomContrast(0.2),
    ], seed=0)


def keras_chain():
    return keras.Sequential([
        keras.layers.RandomFlip("horizontal", seed=0),
        keras.layers.RandomRotation(0.1, seed=1),
        keras.layers.RandomZoom(0.1, seed=2),
        keras.layers.RandomContrast(0.2, seed=3),
    ])


def time_pipeline(layer, batch, batches, warmup, jit_compile=False):
    """images/s of ``layer`` mapped over repeated ``batch`` in tf.data.

    ``jit_compile=True`` maps a ``tf.function(jit_compile=True)`` of the layer
    call: the whole chain (casts, resample, contrast) becomes one XLA program.
    """
    fn = lambda x: layer(x, training=True)  # noqa: E731
    if jit_compile:
        fn = tf.function(fn, jit_compile=True)
    ds = (tf.data.Dataset.from_tensors(batch).repeat()
          .map(fn, num_parallel_calls=tf.data.AUTOTUNE)
          .prefetch(tf.data.AUTOTUNE))
    it = iter(ds)
    for _ in range(warmup):
        out = next(it)
    start = time.perf_counter()
    for _ in range(batches):
        out = next(it)
    elapsed = time.perf_counter() - start
    assert out.shape[0] == BATCH
    return batches * BATCH / elapsed


def time_albumentations(batch_u8, images):
    """images/s of the albumentations chain over ``images`` images (float32, one process)."""
    try:
        import albumentations as A
    except Exception as err:  # noqa: BLE001 - any import failure means "not available"
        log(f"albumentations not available: {err}")
        return None, None
    chain = A.Compose([
        A.HorizontalFlip(p=0.5),
        A.Affine(rotate=(-36, 36), scale=(0.9, 1.1), p=1.0),
        A.RandomBrightnessContrast(brightness_limit=0, contrast_limit=0.2, p=1.0),
    ], seed=0)
    return per_image_rate(chain, batch_u8.astype(np.float32) / 255.0, images), A.__version__


def per_image_rate(transform, batch, images):
    """images/s of an albumentations-style ``transform(image=...)`` looped over
    ``images`` images taken in turn from ``batch`` (after an 8-image warm-up)."""
    for i in range(min(8, images)):
        transform(image=batch[i % BATCH])
    start = time.perf_counter()
    for i in range(images):
        out = transform(image=batch[i % BATCH])["image"]
    elapsed = time.perf_counter() - start
    assert out.shape == (SIZE, SIZE, 3)
    return images / elapsed


def _layer_instances():
    """``{name: layer}`` for every registered tfaug image layer.

    Uses the test harness's configured cases when the repository's tests are
    importable, else the layer's default constructor.
    """
    cases, harness = {}, None
    try:
        sys.path.insert(0, str(ROOT))
        from tests import harness
        cases = harness.discover_cases()
    except Exception as err:  # noqa: BLE001 - fall back to default constructors
        log(f"harness cases unavailable ({err}); using default constructors")
    compositions = {"Sequence", "OneOf", "SomeOf", "RandomApply"}
    layers = {}
    for name, klass in sorted(tfaug.registered().items()):
        if name in compositions or getattr(klass, "modality", None) != "image":
            continue
        try:
            layers[name] = cases[name].make() if name in cases else klass()
        except Exception as err:  # noqa: BLE001
            layers[name] = err
    return layers, cases, harness


def _error_summary(err):
    """The most telling line of a (long, multi-line) TF error."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(err))
    lines = [l.strip() for l in text.strip().splitlines() if l.strip()]
    # TF re-raises with the traceback in the message and Keras wraps it again; the
    # line after the last "XxxError: ..." line (or that line itself) says what broke.
    raised = [i for i, l in enumerate(lines) if re.match(r"^[\w.]*(Error|Exception): ", l)]
    if raised:
        i = raised[-1]
        line = lines[i]
        if "Exception encountered when calling" in line and i + 1 < len(lines):
            line = f"{line.split(':')[0]}: {lines[i + 1]}"
        return line[:300]
    return f"{type(err).__name__}: {lines[-1] if lines else ''}"[:300]


def jit_report():
    """Which tfaug image layers compile with ``jit_compile=True`` (dict inputs)."""
    layers, cases, harness = _layer_instances()
    ok, failed, exempt = [], {}, []
    for name, layer in layers.items():
        if isinstance(layer, Exception):
            failed[name] = f"construction: {type(layer).__name__}: {layer}"[:300]
            continue
        if name in cases:
            inputs = harness.make_inputs(cases[name], tf.float32, dict_inputs=True)
        else:
            inputs = tf.random.stateless_uniform([4, 32, 32, 3], [1, 2], 0, 255)
        fn = tf.function(lambda x, s, l=layer: l(x, training=True, seed=s), jit_compile=True)
        try:
            fn(inputs, tf.constant([1, 2], tf.int64))
            ok.append(name)
        except Exception as err:  # noqa: BLE001 - report, don't stop
            failed[name] = _error_summary(err)
            if getattr(layer, "xla_exempt", False):
                exempt.append(name)
    return {"compiled": ok, "failed": failed, "xla_exempt_failed": exempt,
            "layers": len(layers), "keras_chain": keras_jit_report()}


def keras_jit_report():
    """Whether the same keras.layers chain compiles with ``jit_compile=True``."""
    chain = keras_chain()
    fn = tf.function(lambda x: chain(x, training=True), jit_compile=True)
    try:
        fn(tf.random.stateless_uniform([4, 32, 32, 3], [1, 2], 0, 255))
        return "compiled"
    except Exception as err:  # noqa: BLE001 - report, don't stop
        ops = sorted(set(re.findall(r"No registered '(\w+)' OpKernel", str(err))))
        if ops:
            return f"failed: no XLA kernel for {', '.join(ops)}"
        return "failed: " + _error_summary(err)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=20, help="timed batches per run")
    parser.add_argument("--warmup", type=int, default=4, help="untimed batches first")
    parser.add_argument("--repeats", type=int, default=2,
                        help="runs per pipeline, interleaved; the best is reported")
    parser.add_argument("--quick", action="store_true",
                        help="6 timed batches, 3 warm-up, one run (a smoke test: noisy)")
    parser.add_argument("--no-jit-check", action="store_true")
    args = parser.parse_args(argv)
    batches, warmup, repeats = ((6, 3, 1) if args.quick
                                else (args.batches, args.warmup, args.repeats))

    tf.get_logger().setLevel("ERROR")  # one trace per layer is expected in the jit check
    batch_u8 = photo_batch()
    inputs = {"uint8": tf.constant(batch_u8),
              "float32": tf.constant(batch_u8.astype(np.float32))}
    rates = {}
    # Interleaved repeats, best of: the machine is shared, so drift hits every
    # pipeline alike and a slow outlier does not decide the ratio.
    for run in range(repeats):
        for dtype, batch in inputs.items():
            for lib, make, jit in (("tfaug", tfaug_chain, False),
                                   ("tfaug_xla", tfaug_chain, True),
                                   ("keras", keras_chain, False)):
                rate = time_pipeline(make(), batch, batches, warmup, jit)
                key = f"{lib}_{dtype}"
                rates[key] = round(max(rate, rates.get(key, 0.0)), 1)
                log(f"run {run + 1}/{repeats} {key}: {rate:.1f} images/s "
                    f"({batches} batches of {BATCH})")
    log("timing albumentations float32")
    alb_rate, alb_version = None, None
    for _ in range(repeats):
        rate, alb_version = time_albumentations(batch_u8, batches * BATCH)
        if rate is None:
            break
        alb_rate = max(rate, alb_rate or 0.0)
    if alb_rate is not None:
        rates["albumentations_float32"] = round(alb_rate, 1)
        log(f"  {rates['albumentations_float32']} images/s")

    ratios = {}
    for variant in ("tfaug", "tfaug_xla"):
        for d in inputs:
            ratios[f"{variant}/keras_{d}"] = round(
                rates[f"{variant}_{d}"] / rates[f"keras_{d}"], 3)
        if alb_rate is not None:
            ratios[f"{variant}/albumentations_float32"] = round(
                rates[f"{variant}_float32"] / alb_rate, 3)
    result = {
        "benchmark": "image_layers",
        "chain": "flip_h + rotation 0.1 + zoom 0.1 + contrast 0.2",
        "images_per_s": rates,
        "ratios": ratios,
        "batch": BATCH, "size": SIZE, "timed_batches": batches, "warmup": warmup,
        "repeats": repeats,
        "versions": {"tfaug": tfaug.__version__, "tensorflow": tf.__version__,
                     "keras": keras.__version__, "albumentations": alb_version},
        "cpus": os.cpu_count(), "machine": platform.machine(),
    }
    if not args.no_jit_check:
        log("checking jit_compile=True for every tfaug image layer")
        result["jit_compile"] = jit_report()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
