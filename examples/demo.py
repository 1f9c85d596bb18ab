"""tfaug demo: on-the-fly augmentation in a tf.data pipeline feeding a small CNN.

Real data that ships with scikit-learn: the 1797 handwritten digits of
``load_digits`` (8x8, 16 grey levels), upscaled to 32x32 RGB uint8. The
training pipeline augments each batch with a ``tfaug.Sequence`` (geometric
layers fused into one resample, then colour layers); the validation data is
left untouched. One epoch of training, then train/val accuracy, and a preview
grid (originals in the first column, augmented variants beside them) written to
``demo_out/preview.png``.

Run:  make demo     (or: python examples/demo.py [--epochs N] [--out DIR])
"""

import argparse
import os
import pathlib
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Run from a checkout without installing: make the repository root importable.
sys.path.insert(1, str(pathlib.Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

import tfaug  # noqa: E402
from tfaug import image  # noqa: E402

SIZE = 32
BATCH = 16


def load_data(seed=0):
    """Digits as uint8 [N, 32, 32, 3] (white strokes on black) and int labels."""
    digits = load_digits()
    x = digits.images.astype(np.float32) * (255.0 / 16.0)  # 0..16 -> 0..255
    x = tf.image.resize(x[..., None], (SIZE, SIZE), method="bilinear")
    x = tf.image.grayscale_to_rgb(tf.cast(tf.round(x), tf.uint8)).numpy()
    y = digits.target.astype(np.int32)
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_val = len(x) // 5
    return (x[n_val:], y[n_val:]), (x[:n_val], y[:n_val])


def make_augmentation(seed=0):
    """The training-time augmentation.

    Digits are not mirror-symmetric (a flipped 2 is not a 2), so no RandomFlip
    here: small rotations, zooms and shifts (fused into one resample per
    image), then per-sample contrast and brightness.
    """
    return tfaug.Sequence([
        # Black background outside the digit: fill with 0, not reflections.
        image.RandomRotation(0.04, fill_mode="constant"),
        image.RandomZoom(0.12, fill_mode="constant"),
        image.RandomTranslation(0.08, 0.08, fill_mode="constant"),
        image.RandomContrast(0.4),
        image.RandomBrightness(0.2),
    ], seed=seed)


def make_datasets(train, val, augment, seed=2024):
    """tf.data pipelines; the training one augments batches on the fly.

    Each batch gets its own stateless seed ``[seed, batch index]``, so the
    augmented epoch is the same run after run even with a parallel map.
    """
    def aug(index, batch):
        images, labels = batch
        out = augment({"images": images, "labels": labels}, training=True,
                      seed=tf.stack([tf.constant(seed, tf.int64), index]))
        return out["images"], out["labels"]

    train_ds = (tf.data.Dataset.from_tensor_slices(train)
                .shuffle(len(train[0]), seed=seed)
                .batch(BATCH)
                .enumerate()
                .map(aug, num_parallel_calls=tf.data.AUTOTUNE)
                .prefetch(tf.data.AUTOTUNE))
    val_ds = tf.data.Dataset.from_tensor_slices(val).batch(256).prefetch(tf.data.AUTOTUNE)
    return train_ds, val_ds


def make_model():
    return keras.Sequential([
        keras.Input((SIZE, SIZE, 3), dtype="uint8"),
        keras.layers.Rescaling(1.0 / 255.0),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--out", default="demo_out", help="folder for preview.png")
    args = parser.parse_args(argv)

    start = time.time()
    keras.utils.set_random_seed(0)
    train, val = load_data()
    augment = make_augmentation()
    print(f"tfaug {tfaug.__version__}: {len(train[0])} training and {len(val[0])} "
          f"validation digits, {SIZE}x{SIZE} RGB")
    print("augmentation:", " -> ".join(type(l).__name__ for l in augment.layers))

    train_ds, val_ds = make_datasets(train, val, augment)
    model = make_model()
    model.compile(optimizer=keras.optimizers.Adam(2e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train_ds, epochs=args.epochs, validation_data=val_ds,
                        shuffle=False, verbose=2)  # the dataset shuffles
    # Clean (un-augmented) training accuracy as well, for comparison with val.
    clean_train = tf.data.Dataset.from_tensor_slices(train).batch(256)
    _, train_acc = model.evaluate(clean_train, verbose=0)
    _, val_acc = model.evaluate(val_ds, verbose=0)
    print(f"train accuracy (augmented batches, during the epoch): "
          f"{history.history['accuracy'][-1]:.3f}")
    print(f"train accuracy (clean): {train_acc:.3f}")
    print(f"val accuracy:           {val_acc:.3f}")

    preview = pathlib.Path(args.out) / "preview.png"
    rows = [int(np.argmax(val[1] == digit)) for digit in range(6)]  # one of each 0..5
    # Originals in the first column, 7 augmented variants beside them.
    tfaug.viz.preview(augment, val[0][rows], n=len(rows), variants=7, seed=7, path=preview)
    print(f"wrote {preview}  ({time.time() - start:.1f} s in all)")


if __name__ == "__main__":
    main()
