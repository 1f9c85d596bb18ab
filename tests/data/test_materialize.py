"""Offline augmentation: tfaug.data.materialize and `tfaug materialize`.

Real data: sklearn's digits (8x8 uint8 images with labels) and breast_cancer
rows. Properties checked: counts and layout, round trip of structure, dtypes,
shapes and labels, copies that differ, bit-for-bit reruns, resume after a lost
shard and after `kill -9`, tamper detection, the CLI on a PNG tree, and clear
errors for bad input.
"""

import io
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import load_breast_cancer, load_digits

import tfaug
from tfaug import cli
from tfaug.core import seeds
from tfaug.data import records


from tfaug.data import offline as mat

ROOT = pathlib.Path(__file__).resolve().parents[2]
N, COPIES, SHARDS, BATCH = 90, 2, 3, 16


def _digits(n=N):
    data = load_digits()
    images = np.clip(data.images[:n] * 16, 0, 255).astype(np.uint8)[..., None]
    return images, data.target[:n].astype(np.int64)


def _shards(directory):
    return sorted(p.name for p in pathlib.Path(directory).glob("shard-*.tfrecord"))


def _shas(directory):
    return {name: records.sha256(pathlib.Path(directory) / name) for name in _shards(directory)}


def _order(n=N, shards=SHARDS, copies=COPIES, batch=BATCH):
    """(source index, copy) of every stored element: shard > batch > copy > element."""
    order = []
    for a, b in mat._ranges(n, shards):  # pylint: disable=protected-access
        for start in range(a, b, batch):
            for c in range(copies):
                order += [(i, c) for i in range(start, min(start + batch, b))]
    return order


@pytest.fixture(scope="module")
def digits():
    return _digits()


@pytest.fixture(scope="module")
def policy():
    return tfaug.policies.load("light_image")


@pytest.fixture(scope="module")
def reference(tmp_path_factory, digits, policy):
    out = tmp_path_factory.mktemp("reference")
    source = tf.data.Dataset.from_tensor_slices(digits)
    manifest = mat.materialize(source, policy, out, copies=COPIES, num_shards=SHARDS,
                               batch_size=BATCH, progress=False)
    return out, manifest


def _run(source, policy, out, **kwargs):
    kwargs = dict(dict(copies=COPIES, num_shards=SHARDS, batch_size=BATCH, progress=False),
                  **kwargs)
    return mat.materialize(source, policy, out, **kwargs)


def test_layout_round_trip_and_copies_differ(reference, digits, policy):
    out, manifest = reference
    x, y = digits
    assert [s["count"] for s in manifest["shards"]] == [COPIES * N // SHARDS] * SHARDS
    assert manifest["total"] == COPIES * N == sum(s["count"] for s in manifest["shards"])
    assert _shards(out) == [records.shard_name(k, SHARDS) for k in range(SHARDS)]
    # Only the shards and the manifest remain: no plan, sidecars or temp files.
    assert sorted(os.listdir(out)) == sorted(_shards(out) + ["manifest.json"])
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk == json.loads(json.dumps(manifest))
    assert on_disk["policy"]["class"] == "Sequence"
    assert on_disk["policy_source"] is None and on_disk["seed"] == 0
    assert (on_disk["copies"], on_disk["num_shards"], on_disk["batch_size"]) == (
        COPIES, SHARDS, BATCH)
    assert on_disk["tfaug_version"] == tfaug.__version__
    assert on_disk["tensorflow_version"] == tf.__version__
    assert on_disk["features"] == [{"name": "inputs", "dtype": "uint8", "shape": [8, 8, 1]},
                                   {"name": "labels", "dtype": "int64", "shape": []}]
    for shard in on_disk["shards"]:
        assert records.sha256(out / shard["file"]) == shard["sha256"]

    ds = mat.load_materialized(out)
    assert ds.element_spec == (tf.TensorSpec([8, 8, 1], tf.uint8), tf.TensorSpec([], tf.int64))
    assert int(ds.cardinality()) == COPIES * N
    images, labels = map(np.stack, zip(*ds.as_numpy_iterator()))
    order = _order()
    index = np.array([i for i, _ in order])
    copy = np.array([c for _, c in order])
    np.testing.assert_array_equal(labels, y[index])  # labels travel with their images
    # Every element is present COPIES times; copies differ from the original and
    # from each other, and stay images of the same digit (mean intensity close).
    per_copy = [np.zeros_like(x) for _ in range(COPIES)]
    for img, i, c in zip(images, index, copy):
        per_copy[c][i] = img
    for c in range(COPIES):
        assert np.mean(np.any(per_copy[c] != x, axis=(1, 2, 3))) > 0.9
    assert np.mean(np.any(per_copy[0] != per_copy[1], axis=(1, 2, 3))) > 0.9
    assert abs(float(np.mean(per_copy[0])) - float(np.mean(x))) < 0.2 * float(np.mean(x))


def test_rerun_in_another_dir_is_bit_identical(reference, digits, policy, tmp_path):
    out, _ = reference
    source = tf.data.Dataset.from_tensor_slices(digits)
    again = _run(source, tfaug.policies.load("light_image"), tmp_path / "again")
    assert _shas(tmp_path / "again") == _shas(out)
    assert again["shards"] == json.loads((out / "manifest.json").read_text())["shards"]
    # A rerun on a finished folder checks and keeps everything.
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "again").iterdir()}
    _run(source, policy, tmp_path / "again")
    assert {n: t for n, t in before.items() if n != "manifest.json"} == {
        p.name: p.stat().st_mtime_ns for p in (tmp_path / "again").iterdir()
        if p.name != "manifest.json"}


def test_other_seed_gives_other_shards(reference, digits, policy, tmp_path):
    out, _ = reference
    source = tf.data.Dataset.from_tensor_slices(digits)
    _run(source, policy, tmp_path, seed=1, num_shards=1, copies=1)
    (shard,) = _shards(tmp_path)
    first = np.stack([a for a, _ in mat.load_materialized(tmp_path).as_numpy_iterator()])
    ref = np.stack([a for a, _ in mat.load_materialized(out).as_numpy_iterator()])
    assert records.sha256(tmp_path / shard) not in _shas(out).values()
    assert not np.array_equal(first[:BATCH], ref[:BATCH])


def test_resume_rewrites_only_the_lost_shard(reference, digits, policy, tmp_path):
    out, _ = reference
    work = tmp_path / "work"
    shutil.copytree(out, work)
    lost = records.shard_name(1, SHARDS)
    (work / lost).unlink()
    kept = {n: (work / n).stat().st_mtime_ns for n in _shards(work)}
    _run(tf.data.Dataset.from_tensor_slices(digits), policy, work)
    assert {n: (work / n).stat().st_mtime_ns for n in kept} == kept
    assert _shas(work) == _shas(out)
    assert (work / "manifest.json").read_text() == (out / "manifest.json").read_text()


_KILLED_RUN = textwrap.dedent("""
    import sys, time
    import numpy as np, tensorflow as tf
    from sklearn.datasets import load_digits
    import tfaug
    from tfaug.core import set_auto_compile
    from tfaug.data import offline as mat
    set_auto_compile(False)  # as in the test process (tests/conftest.py)
    data = load_digits()
    x = np.clip(data.images[:{n}] * 16, 0, 255).astype(np.uint8)[..., None]
    y = data.target[:{n}].astype(np.int64)

    def slow(a, b):  # a slow source: 30 ms an element
        t = tf.py_function(lambda: time.sleep(0.03) or 0, [], tf.int32)
        with tf.control_dependencies([t]):
            return tf.identity(a), tf.identity(b)

    source = tf.data.Dataset.from_tensor_slices((x, y)).map(slow)
    mat.materialize(source, "light_image", sys.argv[1], copies={copies},
                    num_shards={shards}, batch_size={batch}, progress=False)
    print("finished")
""")


def test_kill_9_then_resume_equals_uninterrupted_run(reference, digits, policy, tmp_path):
    out, _ = reference
    work = tmp_path / "killed"
    script = _KILLED_RUN.format(n=N, copies=COPIES, shards=SHARDS, batch=BATCH)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-c", script, str(work)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = work / records.shard_name(0, SHARDS)
    deadline = time.monotonic() + 120
    try:
        while not first.exists():
            assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "the first shard never appeared"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    names = os.listdir(work)
    assert "manifest.json" not in names
    finals = _shards(work)
    assert 1 <= len(finals) < SHARDS
    reference_shas = _shas(out)
    for name in finals:  # everything under a final name is complete and intact
        assert records.sha256(work / name) == reference_shas[name]
    kept = {name: (work / name).stat().st_mtime_ns for name in finals}
    _run(tf.data.Dataset.from_tensor_slices(digits), policy, work)
    assert {name: (work / name).stat().st_mtime_ns for name in finals} == kept
    assert _shas(work) == reference_shas
    assert sorted(os.listdir(work)) == sorted([*reference_shas, "manifest.json"])
    assert (work / "manifest.json").read_text() == (out / "manifest.json").read_text()


def test_tampering_is_detected_naming_the_shard(reference, tmp_path):
    out, _ = reference
    shutil.copytree(out, tmp_path / "a")
    shard = tmp_path / "a" / records.shard_name(1, SHARDS)
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 1
    shard.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"shard-00001-of-00003.*modified"):
        mat.load_materialized(tmp_path / "a")

    shutil.copytree(out, tmp_path / "b")
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    manifest["shards"][2]["sha256"] = "0" * 64
    (tmp_path / "b" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="shard-00002-of-00003"):
        mat.load_materialized(tmp_path / "b")
    assert int(mat.load_materialized(tmp_path / "b", verify=False).cardinality()) == COPIES * N

    shutil.copytree(out, tmp_path / "c")
    (tmp_path / "c" / records.shard_name(0, SHARDS)).unlink()
    with pytest.raises(FileNotFoundError, match="shard-00000-of-00003.*missing"):
        mat.load_materialized(tmp_path / "c")
    with pytest.raises(FileNotFoundError, match="no manifest.json"):
        mat.load_materialized(tmp_path)


def test_dict_of_floats_and_strings_with_a_callable(tmp_path):
    rows = load_breast_cancer().data[:40].astype(np.float32)
    ids = np.array([f"patient-{i}".encode() for i in range(40)])
    source = tf.data.Dataset.from_tensor_slices({"features": rows, "id": ids})

    def jitter(inputs, seed):
        noise = seeds.normal(tf.shape(inputs["features"]), seed, stddev=0.01)
        return {"features": inputs["features"] * (1.0 + noise), "id": inputs["id"]}

    manifest = _run(source, jitter, tmp_path, copies=1, num_shards=2, batch_size=8)
    assert manifest["policy"] == {"callable": f"{__name__}.{jitter.__qualname__}"}
    ds = mat.load_materialized(tmp_path)
    assert ds.element_spec == {"features": tf.TensorSpec([30], tf.float32),
                               "id": tf.TensorSpec([], tf.string)}
    got = list(ds.as_numpy_iterator())
    assert [g["id"] for g in got] == list(ids)  # copies=1: the source order
    features = np.stack([g["features"] for g in got])
    assert not np.array_equal(features, rows)
    np.testing.assert_allclose(features, rows, rtol=0.06)


class _FakePipeline:
    """Duck-typed tfaug.data Pipeline: ``build(training=False)`` gives batches."""

    def __init__(self, dataset):
        self.dataset = dataset

    def build(self, training=True):
        assert training is False
        return self.dataset.batch(2)


def test_pipeline_source_and_more_shards_than_elements(digits, policy, tmp_path):
    x, y = digits
    pipeline = _FakePipeline(tf.data.Dataset.from_tensor_slices((x[:5], y[:5])))
    manifest = _run(pipeline, policy, tmp_path, copies=1, num_shards=8)
    assert [s["count"] for s in manifest["shards"]] == [0, 1, 0, 1, 1, 0, 1, 1]
    assert manifest["source"]["num_elements"] == 5 and len(_shards(tmp_path)) == 8
    ds = mat.load_materialized(tmp_path)
    assert [int(label) for _, label in ds.as_numpy_iterator()] == list(y[:5])


def _write_png_tree(root, counts):
    images, _ = _digits(sum(counts.values()))
    i = 0
    for name, count in counts.items():
        (root / name).mkdir(parents=True)
        for j in range(count):
            png = tf.io.encode_png(tf.constant(images[i]))
            (root / name / f"{j:03d}.png").write_bytes(png.numpy())
            i += 1


def test_cli_materializes_a_png_tree(tmp_path, capsys):
    # Folders created out of order, each with its own count: labels are the
    # sorted folder indices.
    counts = {"c_two": 4, "a_zero": 2, "b_one": 3}
    _write_png_tree(tmp_path / "in", counts)
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(["materialize", "--policy", "digits_safe", "--output",
                       str(tmp_path / "out"), "--copies", "2", "--shards", "2",
                       "--image-size", "16", "16", "--batch-size", "4",
                       str(tmp_path / "in")], out=out, err=err)
    assert status == 0, err.getvalue()
    assert "wrote 18 elements" in out.getvalue() and "a_zero, b_one, c_two" in out.getvalue()
    ds = mat.load_materialized(tmp_path / "out")
    assert ds.element_spec == (tf.TensorSpec([16, 16, 3], tf.uint8),
                               tf.TensorSpec([], tf.int32))
    labels = [int(label) for _, label in ds.as_numpy_iterator()]
    assert {k: labels.count(k) for k in set(labels)} == {0: 4, 1: 6, 2: 8}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["policy_source"] == "digits_safe"

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["materialize", "--help"])
    assert exit_info.value.code == 0
    assert "--image-size" in capsys.readouterr().out

    out, err = io.StringIO(), io.StringIO()
    status = cli.main(["materialize", "--policy", "no_such_policy", "--output",
                       str(tmp_path / "bad"), str(tmp_path / "in")], out=out, err=err)
    assert status == 1
    assert err.getvalue().count("\n") == 1 and "no_such_policy" in err.getvalue()
    status = cli.main(["materialize", "--policy", "light_image", "--output",
                       str(tmp_path / "bad"), str(tmp_path / "missing")], out=out, err=err)
    assert status == 1 and "no folder" in err.getvalue()


def test_cli_mixed_sizes_need_image_size(tmp_path):
    (tmp_path / "in" / "a").mkdir(parents=True)
    for size in (8, 10):
        png = tf.io.encode_png(tf.zeros([size, size, 3], tf.uint8)).numpy()
        (tmp_path / "in" / "a" / f"{size}.png").write_bytes(png)
    err = io.StringIO()
    status = cli.main(["materialize", "--policy", "light_image", "--output",
                       str(tmp_path / "out"), "--shards", "1", str(tmp_path / "in")],
                      out=io.StringIO(), err=err)
    assert status == 1 and "--image-size" in err.getvalue()
    assert err.getvalue().count("\n") == 1
    assert not _shards(tmp_path / "out")


def test_bad_input_gives_clear_errors(reference, digits, policy, tmp_path):
    source = tf.data.Dataset.from_tensor_slices(digits)
    with pytest.raises(ValueError, match="`policy`.*no_such_policy"):
        _run(source, "no_such_policy", tmp_path / "x")
    for name, value in (("copies", 0), ("num_shards", 0), ("batch_size", 0), ("seed", -1),
                        ("copies", 1.5)):
        with pytest.raises(ValueError, match=f"`{name}`"):
            _run(source, policy, tmp_path / "x", **{name: value})
    with pytest.raises(ValueError, match="no elements"):
        _run(source.take(0), policy, tmp_path / "x")
    with pytest.raises(ValueError, match="infinite"):
        _run(source.repeat(), policy, tmp_path / "x")
    with pytest.raises(ValueError, match="`seed`"):
        _run(source, lambda inputs: inputs, tmp_path / "x")
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(NotADirectoryError, match="`output_dir`"):
        _run(source, policy, tmp_path / "file")
    assert (tmp_path / "file").read_text() == "not a folder"
    assert not (tmp_path / "x").exists()  # no bad call created the folder

    # A folder with other files, and a materialization made with other arguments.
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not empty"):
        _run(source, policy, tmp_path / "other")
    out, _ = reference
    work = tmp_path / "work"
    shutil.copytree(out, work)
    shas = _shas(work)
    with pytest.raises(ValueError, match=r"other arguments \(copies: 2 -> 1"):
        _run(source, policy, work, copies=1)
    assert _shas(work) == shas  # nothing was touched
    (work / "notes.txt").write_text("keep me")
    manifest = _run(source, policy, work, copies=1, num_shards=2, overwrite=True)
    assert manifest["total"] == N
    assert sorted(os.listdir(work)) == sorted(
        [records.shard_name(k, 2) for k in range(2)] + ["manifest.json", "notes.txt"])


def test_pipeline_reads_materialized_shards(reference):
    out, manifest = reference
    pipe = tfaug.data.Pipeline.from_materialized(out).batch(BATCH)
    images = np.concatenate([x for x, _ in pipe.build(training=False).as_numpy_iterator()])
    direct = np.stack([x for x, _ in mat.load_materialized(out).as_numpy_iterator()])
    assert images.shape[0] == manifest["total"]
    np.testing.assert_array_equal(images, direct)
