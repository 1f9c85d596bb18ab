"""Benchmark: tfaug RandAugment vs keras.layers.RandAugment vs albumentations.

* tfaug: ``tfaug.RandAugment(num_ops=2, magnitude=9)`` (31 bins: level 0.3):
  two ops drawn per image, each op run only on the images that drew it;
* Keras: ``keras.layers.RandAugment(num_ops=2, factor=0.3)`` (same level): the
  same ops for the whole batch, every candidate computed, one kept;
* albumentations (if it imports): the same 14 ops at the same magnitude
  (NoOp, AutoContrast, Equalize, Affine rotate 9 deg, Solarize 0.7, saturation,
  Posterize 7 bits, contrast, brightness, Sharpen, Affine shear 0.09 x/y,
  Affine translate 30 px x/y), two drawn per image with ``SomeOf(n=2,
  replace=True)``, per image in a single-process loop, uint8 (Equalize and
  Posterize need uint8).

tfaug and Keras run on the same 224x224x3 batches of 64 real photos inside
``tf.data`` (batched ``map`` with ``num_parallel_calls=AUTOTUNE``, prefetch),
uint8 and float32; ``--batches`` batches are timed after ``--warmup``
batches. The warm-up matters: tfaug compiles each op group's program once
per bucketed part size (about 8 sizes per group for batches of 64), and a
rare size first drawn in the timed batches costs a compilation there (in a
training run, once per process).

Prints ONE JSON line on stdout (progress goes to stderr).

Run:  python benchmarks/policies.py [--batches N] [--quick]
"""

import argparse
import json
import os
import pathlib
import platform
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))
sys.path.insert(1, str(HERE))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import tfaug  # noqa: E402
from image_layers import (BATCH, SIZE, log, per_image_rate, photo_batch,  # noqa: E402
                          time_pipeline)

NUM_OPS = 2
MAGNITUDE = 9
LEVEL = MAGNITUDE / 30.0


def albumentations_policy():
    """The RandAugment op list at level ``LEVEL`` in albumentations, or None."""
    try:
        import albumentations as A
    except Exception as err:  # noqa: BLE001 - any import failure means "not available"
        log(f"albumentations not available: {err}")
        return None, None
    rot = 30.0 * LEVEL
    shear = float(np.degrees(np.arctan(0.3 * LEVEL)))
    shift = int(150.0 / 331.0 * LEVEL * SIZE)
    enh = 0.9 * LEVEL
    bits = int(round(8 - 4 * LEVEL))
    ops = [
        A.NoOp(),
        A.AutoContrast(p=1.0),
        A.Equalize(p=1.0),
        A.Affine(rotate=(-rot, rot), p=1.0),
        A.Solarize(threshold_range=(1.0 - LEVEL, 1.0 - LEVEL), p=1.0),
        A.ColorJitter(brightness=0, contrast=0, saturation=(1 - enh, 1 + enh), hue=0, p=1.0),
        A.Posterize(num_bits=bits, p=1.0),
        A.RandomBrightnessContrast(brightness_limit=0, contrast_limit=(-enh, enh), p=1.0),
        A.RandomBrightnessContrast(brightness_limit=(-enh, enh), contrast_limit=0, p=1.0),
        A.Sharpen(alpha=(0.0, enh), lightness=(1.0, 1.0), p=1.0),
        A.Affine(shear={"x": (-shear, shear), "y": (0, 0)}, p=1.0),
        A.Affine(shear={"x": (0, 0), "y": (-shear, shear)}, p=1.0),
        A.Affine(translate_px={"x": (-shift, shift), "y": (0, 0)}, p=1.0),
        A.Affine(translate_px={"x": (0, 0), "y": (-shift, shift)}, p=1.0),
    ]
    return A.Compose([A.SomeOf(ops, n=NUM_OPS, replace=True, p=1.0)], seed=0), A.__version__


def per_sample_outcomes():
    """Distinct outcomes of RandAugment(num_ops=1) on 256 copies of one image."""
    one = tf.constant(photo_batch()[:1])
    batch = tf.repeat(one, 256, axis=0)
    out = tfaug.RandAugment(num_ops=1, magnitude=MAGNITUDE, seed=0)(batch, training=True)
    flat = tf.reshape(out, [256, -1]).numpy()
    return len({row.tobytes() for row in flat})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=60,
                        help="tfaug batches before timing (XLA compiles each group "
                             "program once per bucketed part size)")
    parser.add_argument("--keras-batches", type=int, default=3)
    parser.add_argument("--albumentations-images", type=int, default=640)
    parser.add_argument("--quick", action="store_true", help="few batches (smoke test)")
    args = parser.parse_args()
    if args.quick:
        args.batches, args.keras_batches, args.albumentations_images = 3, 1, 64
        args.warmup = 2
    batch_u8 = photo_batch()
    result = {"benchmark": "policies", "size": SIZE, "batch": BATCH,
              "policy": f"RandAugment(num_ops={NUM_OPS}, magnitude={MAGNITUDE})",
              "tf": tf.__version__, "keras": keras.__version__,
              "cpus": os.cpu_count(), "machine": platform.machine()}
    for name, dtype in (("uint8", tf.uint8), ("float32", tf.float32)):
        batch = tf.cast(tf.constant(batch_u8), dtype)
        ours = tfaug.RandAugment(num_ops=NUM_OPS, magnitude=MAGNITUDE, seed=0)
        log(f"tfaug {name} ...")
        result[f"tfaug_{name}"] = time_pipeline(ours, batch, args.batches,
                                                warmup=args.warmup)
        theirs = keras.layers.RandAugment(value_range=(0, 255), num_ops=NUM_OPS,
                                          factor=LEVEL, seed=0)
        log(f"keras {name} ...")
        result[f"keras_{name}"] = time_pipeline(theirs, batch, args.keras_batches, warmup=1)
        result[f"ratio_keras_{name}"] = result[f"tfaug_{name}"] / result[f"keras_{name}"]
    policy, version = albumentations_policy()
    if policy is not None:
        log("albumentations uint8 ...")
        result["albumentations_version"] = version
        result["albumentations_uint8"] = per_image_rate(policy, batch_u8,
                                                        args.albumentations_images)
        result["ratio_albumentations_uint8"] = (result["tfaug_uint8"]
                                                / result["albumentations_uint8"])
        result["ratio_albumentations_float32"] = (result["tfaug_float32"]
                                                  / result["albumentations_uint8"])
    result["distinct_outcomes_of_256"] = per_sample_outcomes()
    result = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in result.items()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
