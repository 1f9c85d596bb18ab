"""Benchmark: tfaug.data.Pipeline vs a hand-written tf.data pipeline, end to end.

Both read the same TFRecord shards of 224x224 JPEGs (real photos: random crops
of scikit-learn's sample images), decode, batch 64, augment with the
``light_image`` ops (flip, rotation 0.05 turn, zoom 0.1, contrast 0.2,
brightness 0.1) and feed ``model.fit`` of a small model (so the input is the
bottleneck):

* hand-written: ``list_files`` -> ``interleave(TFRecordDataset)`` -> parse,
  ``decode_jpeg`` -> ``batch`` -> ``map`` of a ``keras.Sequential`` of
  ``keras.layers.RandomFlip/RandomRotation/RandomZoom/RandomContrast/
  RandomBrightness`` (``num_parallel_calls=AUTOTUNE``) -> ``prefetch``: what the
  tf.data and Keras guides show;
* tfaug, ``augment_on="dataset"``: ``Pipeline.from_tfrecord(...).batch(64)
  .augment("light_image", seed=0)``;
* tfaug, ``augment_on="model"``: the same policy at the front of the model,
  inside the compiled train step.

Then the augmentation-bound case: the decoded images cached in memory, so
reading costs nothing and augmentation is all the input work (hand-written
Keras layers vs the builder).

Prints ONE JSON line on stdout (images/s per case and the ratios).

Run:  python benchmarks/pipeline.py [--images N] [--steps S] [--quick]
"""

import argparse
import json
import os
import pathlib
import platform
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import tfaug  # noqa: E402

SIZE, BATCH, SHARDS = 224, 64, 8
FEATURES = {"image": tf.io.FixedLenFeature([], tf.string),
            "label": tf.io.FixedLenFeature([], tf.int64)}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def write_shards(directory, images):
    """``images`` random 224x224 crops of the sample photos as JPEG TFRecord shards."""
    from sklearn.datasets import load_sample_images  # pylint: disable=import-outside-toplevel
    photos = load_sample_images().images
    rng = np.random.default_rng(0)
    writers = [tf.io.TFRecordWriter(str(directory / f"train-{i:02d}.tfrecord"))
               for i in range(SHARDS)]
    for i in range(images):
        photo = photos[i % len(photos)]
        y = rng.integers(0, photo.shape[0] - SIZE)
        x = rng.integers(0, photo.shape[1] - SIZE)
        jpeg = tf.io.encode_jpeg(photo[y:y + SIZE, x:x + SIZE], quality=90).numpy()
        example = tf.train.Example(features=tf.train.Features(feature={
            "image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[jpeg])),
            "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[i % 10]))}))
        writers[i % SHARDS].write(example.SerializeToString())
    for w in writers:
        w.close()
    return str(directory / "train-*.tfrecord")


def parse(serialized):
    ex = tf.io.parse_single_example(serialized, FEATURES)
    image = tf.io.decode_jpeg(ex["image"], channels=3)
    return tf.ensure_shape(image, [SIZE, SIZE, 3]), tf.cast(ex["label"], tf.int32)


def keras_augmentation():
    return keras.Sequential([
        keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.05),
        keras.layers.RandomZoom(0.1), keras.layers.RandomContrast(0.2),
        keras.layers.RandomBrightness(0.1)])


def hand_written(pattern, cached=None):
    if cached is None:
        files = tf.data.Dataset.list_files(pattern, shuffle=False)
        ds = files.interleave(tf.data.TFRecordDataset, cycle_length=SHARDS,
                              num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        ds = ds.map(parse, num_parallel_calls=tf.data.AUTOTUNE)
    else:
        ds = tf.data.Dataset.from_tensor_slices(cached)
    aug = keras_augmentation()
    ds = ds.repeat().batch(BATCH).map(lambda x, y: (aug(x, training=True), y),
                                      num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def builder(pattern, augment_on="dataset", cached=None):
    if cached is None:
        pipe = tfaug.data.Pipeline.from_tfrecord(pattern, parse_fn=parse,
                                                 cycle_length=SHARDS)
    else:
        pipe = tfaug.data.Pipeline.from_tensors(*cached)
    seed = 0 if augment_on == "dataset" else None
    pipe = pipe.repeat().batch(BATCH).augment("light_image", seed=seed, augment_on=augment_on)
    return pipe


def small_model(front=None):
    layers = [keras.Input((SIZE, SIZE, 3))]
    if front is not None:
        layers.append(front)
    layers += [keras.layers.Rescaling(1 / 255.0), keras.layers.AveragePooling2D(8),
               keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    model = keras.Sequential(layers)
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model


def fit_rate(ds, steps, front=None):
    """images/s of ``model.fit`` over ``steps`` batches after one warm-up epoch."""
    model = small_model(front)
    model.fit(ds, epochs=1, steps_per_epoch=max(steps // 3, 4), verbose=0)  # warm-up
    start = time.perf_counter()
    model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
    return steps * BATCH / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=1024, help="JPEGs written to shards")
    parser.add_argument("--steps", type=int, default=30, help="timed batches per case")
    parser.add_argument("--quick", action="store_true", help="few images and steps")
    args = parser.parse_args()
    if args.quick:
        args.images, args.steps = 128, 4
    result = {"benchmark": "pipeline", "size": SIZE, "batch": BATCH, "policy": "light_image",
              "tf": tf.__version__, "keras": keras.__version__, "cpus": os.cpu_count(),
              "machine": platform.machine()}
    with tempfile.TemporaryDirectory() as tmp:
        log(f"writing {args.images} JPEGs to {SHARDS} shards ...")
        pattern = write_shards(pathlib.Path(tmp), args.images)
        log("hand-written tf.data + keras.layers ...")
        result["hand_written"] = fit_rate(hand_written(pattern), args.steps)
        log("tfaug builder, augment_on='dataset' ...")
        result["tfaug_dataset"] = fit_rate(builder(pattern).build(), args.steps)
        log("tfaug builder, augment_on='model' ...")
        pipe = builder(pattern, augment_on="model")
        result["tfaug_model"] = fit_rate(pipe.build(), args.steps,
                                         front=pipe.augmentation_layers())
        cached = tuple(np.stack(v) for v in zip(*parse_all(pattern)))
        log("augmentation-bound (decoded images in memory): hand-written ...")
        result["hand_written_in_memory"] = fit_rate(hand_written(None, cached), args.steps)
        log("augmentation-bound: tfaug builder ...")
        result["tfaug_in_memory"] = fit_rate(builder(None, cached=cached).build(), args.steps)
    result["ratio_dataset_vs_hand_written"] = result["tfaug_dataset"] / result["hand_written"]
    result["ratio_model_vs_hand_written"] = result["tfaug_model"] / result["hand_written"]
    result["ratio_in_memory"] = result["tfaug_in_memory"] / result["hand_written_in_memory"]
    result = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in result.items()}
    print(json.dumps(result))


def parse_all(pattern):
    ds = tf.data.TFRecordDataset(tf.io.gfile.glob(pattern)).map(parse)
    return list(ds.as_numpy_iterator())


if __name__ == "__main__":
    main()
