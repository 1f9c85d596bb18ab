"""Pipeline.distribute: MirroredStrategy over two logical CPU devices (subprocess:
logical devices must be set before TensorFlow starts)."""

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest
import tensorflow as tf

import tfaug

ROOT = pathlib.Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    from sklearn.datasets import load_digits
    import tfaug

    d = load_digits()
    x = (d.images[:256] * (255.0 / 16.0)).astype(np.uint8)[..., None]
    y = d.target[:256].astype(np.int32)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    pipe = (tfaug.data.Pipeline.from_tensors(x, y).shuffle(256, seed=0).batch(32)
            .augment(tfaug.image.RandomRotation(0.05), seed=1))
    ds = pipe.distribute(strategy)
    # Per-replica batches of 16 on each of the two replicas.
    first = next(iter(ds))
    shapes = [tuple(t.shape) for t in strategy.experimental_local_results(first[0])]
    with strategy.scope():
        model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Rescaling(1 / 255.0),
                                  keras.layers.Flatten(),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(ds, epochs=3, verbose=0)
    json.dump({"replicas": strategy.num_replicas_in_sync, "shapes": shapes,
               "loss": history.history["loss"]}, sys.stdout)
""")


def test_mirrored_strategy_over_two_logical_cpus():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         env=env, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["replicas"] == 2
    assert result["shapes"] == [[16, 8, 8, 1], [16, 8, 8, 1]]
    assert result["loss"][-1] < result["loss"][0]  # it trains


def test_distribute_bad_arguments():
    pipe = tfaug.data.Pipeline.from_tensors(tf.zeros([8, 4, 4, 1], tf.uint8))
    strategy = tf.distribute.get_strategy()
    with pytest.raises(ValueError, match="strategy"):
        pipe.batch(4).distribute("mirrored")
    with pytest.raises(ValueError, match="batch"):
        pipe.distribute(strategy)
