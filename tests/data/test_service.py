"""tf.data service helpers: a dispatcher and two workers on loopback.

The cluster runs in a subprocess (started with ``start_dispatcher`` and
``start_worker``) that the fixture kills at the end: stopping in-process
servers waits for every request a client iterator still holds open (Keras' fit
keeps some alive in reference cycles), which took up to two minutes.
"""

import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import load_digits

import tfaug
from tfaug.data import service

ROOT = pathlib.Path(__file__).resolve().parents[2]
_CLUSTER = """
import sys
from tfaug.data import service
dispatcher = service.start_dispatcher()
workers = [service.start_worker(dispatcher.target) for _ in range(2)]
print(dispatcher.target, flush=True)
sys.stdin.read()  # serve until the test process closes stdin or kills us
"""


class _Cluster:
    def __init__(self, target):
        self.target = target


@pytest.fixture(scope="module")
def cluster():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", _CLUSTER], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        target = proc.stdout.readline().strip()
        assert target.startswith("grpc://localhost:"), target
        yield _Cluster(target)
    finally:
        proc.kill()
        proc.wait(timeout=60)


def _digits(n=96):
    d = load_digits()
    x = (d.images[:n] * (255.0 / 16.0)).astype(np.uint8)[..., None]
    return x, d.target[:n].astype(np.int32)


def test_distributed_epoch_sees_every_element_once(cluster):
    x, y = _digits()
    ids = np.arange(len(x), dtype=np.int64)
    aug = tfaug.image.RandomFlip("horizontal", seed=0)
    ds = (tf.data.Dataset.from_tensor_slices((ids, x, y))
          .map(lambda i, img, lab: (i, aug(img[None], training=True)[0], lab)))
    ds = service.distribute(ds, cluster.target, "distributed_epoch")
    seen = [int(i) for i, _, _ in ds.as_numpy_iterator()]
    assert sorted(seen) == ids.tolist()  # every element exactly once, across 2 workers
    # A second epoch (a new job) again covers every element once.
    assert sorted(int(i) for i, _, _ in ds.as_numpy_iterator()) == ids.tolist()


def test_parallel_epochs_gives_each_worker_the_whole_dataset(cluster):
    ds = service.distribute(tf.data.Dataset.range(10), cluster.target, "parallel_epochs")
    counts = np.bincount(list(ds.take(20).as_numpy_iterator()), minlength=10)
    assert counts.sum() == 20 and counts.max() <= 2


def test_fit_one_epoch_through_the_service(cluster):
    x, y = _digits()
    aug = tfaug.image.RandomRotation(0.05, seed=1)

    def augment(images, labels):
        images = aug(images, training=True)
        return tf.cast(images, tf.float32) / 255.0, labels

    ds = (tf.data.Dataset.from_tensor_slices((x, y)).batch(16).map(augment))
    ds = service.distribute(ds, cluster.target, "distributed_epoch")
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(ds, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.parametrize("bad,match", [
    ("", "service"), ("localhost", "service"), ("http://localhost:5050", "protocol"),
    ("localhost:99999", "service"), (5050, "service"),
])
def test_bad_addresses_are_named(bad, match):
    with pytest.raises(ValueError, match=match):
        service.distribute(tf.data.Dataset.range(3), bad)


def test_bad_mode_port_and_dataset():
    ds = tf.data.Dataset.range(3)
    with pytest.raises(ValueError, match="processing_mode"):
        service.distribute(ds, "grpc://localhost:5050", "dynamic")
    with pytest.raises(ValueError, match="dataset"):
        service.distribute([1, 2], "grpc://localhost:5050")
    with pytest.raises(ValueError, match="port"):
        service.start_dispatcher(port=-1)
    with pytest.raises(ValueError, match="work_dir"):
        service.start_dispatcher(fault_tolerant=True)
    with pytest.raises(ValueError, match="dispatcher"):
        service.start_worker("nowhere")


def test_pipeline_through_the_service_sees_every_element_once_and_trains(cluster):
    x, y = _digits()
    pipe = (tfaug.data.Pipeline.from_tensors(x, y).shuffle(32, seed=0).batch(16)
            .augment(tfaug.image.RandomFlip("horizontal"), seed=0))
    ds = pipe.repeat(2).build(data_service=cluster.target, processing_mode="distributed_epoch")
    labels = np.concatenate([lab for _, lab in ds.as_numpy_iterator()])
    # Two epochs, each element exactly once per epoch across the two workers.
    assert np.array_equal(np.bincount(labels, minlength=10), 2 * np.bincount(y, minlength=10))
    images = np.concatenate([img for img, _ in ds.take(6).as_numpy_iterator()])
    flipped = {i for i in range(len(images))
               if not any(np.array_equal(images[i], xi) for xi in x)}
    assert flipped  # augmentation ran on the workers
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Rescaling(1 / 255.0),
                              keras.layers.Flatten(), keras.layers.Dense(10, "softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    one_epoch = pipe.build(data_service=cluster.target, processing_mode="distributed_epoch")
    history = model.fit(one_epoch, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def _free_port():
    import socket  # pylint: disable=import-outside-toplevel
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def test_cli_serve_dispatcher_and_worker_processes():
    import os  # pylint: disable=import-outside-toplevel
    import pathlib  # pylint: disable=import-outside-toplevel
    import subprocess  # pylint: disable=import-outside-toplevel
    import sys  # pylint: disable=import-outside-toplevel
    root = pathlib.Path(__file__).resolve().parents[2]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(root))
    port = _free_port()
    cmd = [sys.executable, "-m", "tfaug.cli", "serve"]
    procs = [subprocess.Popen(cmd + ["--dispatcher-port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)]
    try:
        assert f"localhost:{port}" in procs[0].stdout.readline()
        procs.append(subprocess.Popen(cmd + ["--worker", "--dispatcher", f"localhost:{port}"],
                                      env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, text=True))
        assert "worker" in procs[1].stdout.readline()
        ds = service.distribute(tf.data.Dataset.range(20).map(lambda v: v * 3),
                                f"grpc://localhost:{port}", "distributed_epoch")
        assert sorted(ds.as_numpy_iterator()) == [3 * v for v in range(20)]
    finally:
        for p in procs:
            p.kill()
            p.wait()


def test_cli_serve_bad_arguments():
    import io  # pylint: disable=import-outside-toplevel
    from tfaug import cli  # pylint: disable=import-outside-toplevel
    err = io.StringIO()
    assert cli.main(["serve", "--worker"], out=io.StringIO(), err=err) == 1
    assert "--dispatcher" in err.getvalue()
    err = io.StringIO()
    assert cli.main(["serve", "--dispatcher", "localhost:5050"], out=io.StringIO(),
                    err=err) == 1
    assert "--worker" in err.getvalue()
