"""Tests of tfaug/export/saved_model.py: served models run with augmentation off,
exported augmentations reproduce tfaug's draws where tfaug (and keras) is not
importable (checked in one subprocess), XLA-compiled parts survive export, files are
written atomically, and bad arguments raise clear errors."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2

import tfaug
from tfaug.export import saved_model as export

IMAGE_SPEC = tf.TensorSpec([None, 32, 32, 3], tf.uint8)
DICT_SPEC = {"images": tf.TensorSpec([None, 32, 32, 3], tf.uint8),
             "labels": tf.TensorSpec([None], tf.int32)}
SEEDS = ([3, 4], [3, 4], [5, 6])  # the same seed twice, then another one


def _images(dtype=np.uint8, seed=0):
    """4 real 32x32 photos (sklearn's sample images, downscaled)."""
    from sklearn.datasets import load_sample_images
    photos = [tf.image.resize(img, (32, 32), antialias=True)
              for img in load_sample_images().images]
    batch = tf.stack([photos[0], photos[1], tf.reverse(photos[0], [1]),
                      tf.reverse(photos[1], [0])])
    batch = tf.roll(batch, shift=seed, axis=0)
    return tf.cast(tf.round(batch), dtype)


def _xla_calls(path):
    """How many functions or calls in the SavedModel carry ``_XlaMustCompile=True``."""
    proto = saved_model_pb2.SavedModel()
    with open(os.path.join(path, "saved_model.pb"), "rb") as f:
        proto.ParseFromString(f.read())
    count = 0
    for fn in proto.meta_graphs[0].graph_def.library.function:
        count += fn.attr["_XlaMustCompile"].b
        count += sum(node.attr["_XlaMustCompile"].b for node in fn.node_def)
    return count


def _model():
    """A tiny classifier with Keras' and tfaug's augmentation layers in front."""
    inputs = keras.Input((32, 32, 3), name="images")
    x = keras.layers.RandomFlip(seed=1)(inputs)
    x = keras.layers.RandomRotation(0.3, seed=2)(x)
    x = tfaug.image.RandomFlip(mode="horizontal_and_vertical", seed=3)(x)
    x = tfaug.image.RandomRotation(0.25, seed=4)(x)
    x = tfaug.RandAugment(num_ops=2, magnitude=12, seed=5)(x)
    x = keras.layers.Rescaling(1 / 255.0)(x)
    x = keras.layers.Conv2D(4, 3, strides=2, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(3)(x))


_CHILD = textwrap.dedent("""
    import sys
    sys.modules["tfaug"] = None  # as if tfaug were not installed
    sys.modules["keras"] = None  # a SavedModel needs no Keras either
    try:
        import tfaug
    except ImportError:
        pass
    else:
        raise AssertionError("tfaug was importable")
    try:
        import keras
    except ImportError:
        pass
    else:
        raise AssertionError("keras was importable")
    import json
    import numpy as np
    import tensorflow as tf

    job = json.load(open(sys.argv[1]))
    inputs = dict(np.load(job["inputs"]))
    out = {}
    for name, path in job["augmentations"].items():
        aug = tf.saved_model.load(path)
        sig = aug.signatures["serving_default"]
        dtype = sig.structured_input_signature[1]["seed"].dtype
        for i, seed in enumerate(job["seeds"]):
            seed = tf.constant(seed, dtype)
            if name.startswith("dict"):
                res = sig(images=inputs["images"], labels=inputs["labels"], seed=seed)
                for key, value in res.items():
                    out[f"{name}/sig/{i}/{key}"] = value.numpy()
                res = aug.augment({"images": inputs["images"],
                                   "labels": inputs["labels"]}, seed)
                out[f"{name}/fn/{i}/images"] = res["images"].numpy()
            else:
                out[f"{name}/sig/{i}/outputs"] = sig(inputs=inputs["images"],
                                                     seed=seed)["outputs"].numpy()
                out[f"{name}/fn/{i}"] = aug.augment(inputs["images"], seed).numpy()
    model = tf.saved_model.load(job["model"])
    floats = inputs["images"].astype(np.float32)
    out["model/serve/0"] = model.serve(floats).numpy()
    out["model/serve/1"] = model.serve(floats).numpy()
    out["model/sig"] = model.signatures["serving_default"](
        images=tf.constant(floats))["output_0"].numpy()
    np.savez(job["output"], **out)
""")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Exports three augmentations and a model, loads them all in one subprocess
    without tfaug, and returns what it computed beside tfaug's own outputs."""
    root = tmp_path_factory.mktemp("export")
    images = _images()
    labels = tf.constant([0, 1, 2, 3], tf.int32)
    previous = tfaug.core.set_auto_compile(True)  # the default outside the suite
    try:
        seq = tfaug.Sequence([tfaug.image.RandomFlip(mode="horizontal_and_vertical"),
                              tfaug.image.RandomRotation(0.2)], seed=7)
        ra = tfaug.RandAugment(num_ops=2, magnitude=14, seed=8)
        ra.set_strength(0.5)  # saved from the variable, not from the config
        paths = {
            "seq": export.export_augmentation(seq, root / "seq", IMAGE_SPEC),
            "ra": export.export_augmentation(ra, root / "ra", IMAGE_SPEC),
        }
        expected = {}
        for i, seed in enumerate(SEEDS):
            seed = tf.constant(seed, tf.int64)
            expected[f"seq/{i}"] = seq(images, training=True, seed=seed).numpy()
            expected[f"ra/{i}"] = ra(images, training=True, seed=seed).numpy()
        # The policy file by name, with the switch off (a second compiled
        # RandAugment would test nothing the first does not, at twice the compiles).
        with tfaug.core.auto_compile_scope(False):
            paths["dict_policy"] = export.export_augmentation(
                "randaugment_default", str(root / "dict_policy"), DICT_SPEC,
                seed_dtype=tf.int32)
            policy = tfaug.policies.load("randaugment_default")
            for i, seed in enumerate(SEEDS):
                seed = tf.constant(seed, tf.int64)
                out = policy({"images": images, "labels": labels}, training=True,
                             seed=seed)
                expected[f"dict_policy/{i}/images"] = out["images"].numpy()
                expected[f"dict_policy/{i}/labels"] = out["labels"].numpy()
    finally:
        tfaug.core.set_auto_compile(previous)
    model = _model()
    model_path = export.export_model(model, root / "model")
    expected["model"] = model(tf.cast(images, tf.float32), training=False).numpy()

    np.savez(root / "inputs.npz", images=images.numpy(), labels=labels.numpy())
    job = {"inputs": str(root / "inputs.npz"), "output": str(root / "out.npz"),
           "augmentations": {k: str(v) for k, v in paths.items()},
           "model": str(model_path), "seeds": SEEDS}
    (root / "job.json").write_text(json.dumps(job))
    (root / "child.py").write_text(_CHILD)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, str(root / "child.py"), str(root / "job.json")],
                          cwd=str(root), env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    served = dict(np.load(root / "out.npz"))
    return dict(root=root, paths=paths, model=model, model_path=model_path,
                images=images, expected=expected, served=served)


# ------------------------------------------------------ export_augmentation
@pytest.mark.parametrize("name", ["seq", "ra"])
def test_augmentation_matches_tfaug_without_tfaug(exported, name):
    served, expected = exported["served"], exported["expected"]
    images = exported["images"].numpy()
    for i in range(len(SEEDS)):
        np.testing.assert_array_equal(served[f"{name}/sig/{i}/outputs"], expected[f"{name}/{i}"])
        np.testing.assert_array_equal(served[f"{name}/fn/{i}"], expected[f"{name}/{i}"])
    assert served[f"{name}/sig/0/outputs"].dtype == np.uint8
    # Same seed -> same output; another seed -> another output; really augmented.
    np.testing.assert_array_equal(served[f"{name}/sig/0/outputs"], served[f"{name}/sig/1/outputs"])
    assert np.mean(served[f"{name}/sig/0/outputs"] != served[f"{name}/sig/2/outputs"]) > 0.05
    assert np.mean(served[f"{name}/sig/0/outputs"] != images) > 0.05


def test_dict_policy_by_name_matches_tfaug_without_tfaug(exported):
    served, expected = exported["served"], exported["expected"]
    for i in range(len(SEEDS)):
        for key in ("images", "labels"):
            np.testing.assert_array_equal(served[f"dict_policy/sig/{i}/{key}"],
                                          expected[f"dict_policy/{i}/{key}"])
        np.testing.assert_array_equal(served[f"dict_policy/fn/{i}/images"],
                                      expected[f"dict_policy/{i}/images"])
    np.testing.assert_array_equal(served["dict_policy/sig/0/labels"], [0, 1, 2, 3])
    np.testing.assert_array_equal(served["dict_policy/sig/0/images"],
                                  served["dict_policy/sig/1/images"])
    assert np.any(served["dict_policy/sig/0/images"] != served["dict_policy/sig/2/images"])


def test_signature_keys_and_saved_state(exported):
    seq = tf.saved_model.load(str(exported["paths"]["seq"]))
    sig = seq.signatures["serving_default"]
    assert set(sig.structured_input_signature[1]) == {"inputs", "seed"}
    assert sig.structured_input_signature[1]["seed"].dtype == tf.int64
    assert set(sig.structured_outputs) == {"outputs"}
    policy = tf.saved_model.load(str(exported["paths"]["dict_policy"]))
    sig = policy.signatures["serving_default"]
    assert set(sig.structured_input_signature[1]) == {"images", "labels", "seed"}
    assert sig.structured_input_signature[1]["seed"].dtype == tf.int32
    assert set(sig.structured_outputs) == {"images", "labels"}
    # The layer and its variables (seed state, strength) are saved.
    ra = tf.saved_model.load(str(exported["paths"]["ra"]))
    assert float(ra.layer.strength_variable.numpy()) == 0.5
    assert ra.layer._seed_state.shape == (3,)


def test_xla_compiled_parts_survive_export(exported):
    # The Sequence's whole training call (auto-compiled) and RandAugment's
    # per-op jit-compiled functions are in the SavedModel as XLA functions,
    # and the subprocess ran them (the outputs above match).
    assert _xla_calls(str(exported["paths"]["seq"])) > 0
    assert _xla_calls(str(exported["paths"]["ra"])) > 0


# ------------------------------------------------------------- export_model
def test_keras_export_leaves_augmentation_on(tmp_path):
    """The bug export_model exists for: Keras 3.15's model.export serves with
    RandomFlip/RandomRotation active."""
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.RandomFlip(seed=1)(inputs)
    x = keras.layers.RandomRotation(0.3, seed=2)(x)
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(x)))
    images = tf.cast(_images(), tf.float32)
    model.export(str(tmp_path / "keras"), verbose=False)
    served = tf.saved_model.load(str(tmp_path / "keras"))
    first, second = served.serve(images).numpy(), served.serve(images).numpy()
    reference = model(images, training=False).numpy()
    assert np.abs(first - second).max() > 1e-3
    assert np.abs(first - reference).max() > 1e-3
    # export_model of the same model serves the inference output.
    export.export_model(model, tmp_path / "tfaug")
    served = tf.saved_model.load(str(tmp_path / "tfaug"))
    np.testing.assert_array_equal(served.serve(images).numpy(), reference)


def test_export_model_serves_with_augmentation_off(exported):
    expected, served = exported["expected"]["model"], exported["served"]
    for key in ("model/serve/0", "model/serve/1", "model/sig"):
        np.testing.assert_array_equal(served[key], expected)  # loaded without tfaug
    loaded = tf.saved_model.load(str(exported["model_path"]))
    images = tf.cast(exported["images"], tf.float32)
    np.testing.assert_array_equal(loaded.serve(images).numpy(), expected)
    # The model's training call does augment (the layers are really there).
    model = exported["model"]
    trained = model(images, training=True).numpy()
    assert np.abs(trained - expected).max() > 1e-4


def test_export_model_signature_endpoint_and_dict_inputs(tmp_path):
    a, b = keras.Input((4,), name="a"), keras.Input((2,), name="b")
    model = keras.Model({"a": a, "b": b},
                        keras.layers.Dense(1)(keras.layers.Concatenate()([a, b])))
    x = {"a": tf.ones([3, 4]), "b": tf.fill([3, 2], 2.0)}
    export.export_model(model, tmp_path / "m", endpoint="predict")
    loaded = tf.saved_model.load(str(tmp_path / "m"))
    np.testing.assert_allclose(loaded.predict(x).numpy(), model(x).numpy())
    # An explicit signature: a fixed batch size.
    seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    export.export_model(seq, tmp_path / "s",
                        input_signature=tf.TensorSpec([5, 3], tf.float32))
    loaded = tf.saved_model.load(str(tmp_path / "s"))
    assert loaded.signatures["serving_default"].structured_input_signature[1]
    np.testing.assert_allclose(loaded.serve(tf.ones([5, 3])).numpy(),
                               seq(tf.ones([5, 3])).numpy())


# ------------------------------------------------------- files and errors
def test_existing_path_is_an_error_unless_overwrite(tmp_path):
    layer = tfaug.image.RandomFlip(seed=1)
    path = tmp_path / "aug"
    path.mkdir()
    (path / "keep.txt").write_text("old")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export.export_augmentation(layer, path, IMAGE_SPEC)
    assert (path / "keep.txt").read_text() == "old"  # untouched
    export.export_augmentation(layer, path, IMAGE_SPEC, overwrite=True)
    assert not (path / "keep.txt").exists()
    assert (path / "saved_model.pb").exists()
    assert sorted(os.listdir(tmp_path)) == ["aug"]  # no temporary leftovers
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(FileExistsError, match="`path`"):
        export.export_model(model, path)
    with pytest.raises(FileNotFoundError, match="parent"):
        export.export_model(model, tmp_path / "missing" / "m")


def test_failed_export_leaves_nothing_behind(tmp_path):
    # An input the layer rejects at trace time (text into an image layer).
    with pytest.raises(ValueError):
        export.export_augmentation(tfaug.image.RandomFlip(seed=1), tmp_path / "bad",
                                   tf.TensorSpec([None], tf.string))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("bad", [object(), keras.layers.Dense(2), "no_such_policy"],
                         ids=["object", "keras_layer", "unknown_policy"])
def test_export_augmentation_rejects_non_layers(tmp_path, bad):
    with pytest.raises(ValueError, match="layer_or_policy|no_such_policy"):
        export.export_augmentation(bad, tmp_path / "x", IMAGE_SPEC)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("signature,pattern", [
    (None, "`input_signature` is required"),
    ([IMAGE_SPEC], "`input_signature` must be a tf.TensorSpec or a dict"),
    (np.zeros([4, 32, 32, 3]), "`input_signature` must be"),
    ({"images": "uint8"}, r"`input_signature\['images'\]`"),
    ({"seed": IMAGE_SPEC}, "keys must be identifiers"),
    ({}, "empty"),
])
def test_export_augmentation_rejects_bad_signatures(tmp_path, signature, pattern):
    with pytest.raises(ValueError, match=pattern):
        export.export_augmentation(tfaug.image.RandomFlip(seed=1), tmp_path / "x",
                                   signature)


def test_export_augmentation_rejects_bad_seed_dtype(tmp_path):
    with pytest.raises(ValueError, match="`seed_dtype`"):
        export.export_augmentation(tfaug.image.RandomFlip(seed=1), tmp_path / "x",
                                   IMAGE_SPEC, seed_dtype=tf.float32)


def test_export_model_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="`model`"):
        export.export_model("model", tmp_path / "m")

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    sub = Sub()
    sub.build((None, 3))
    with pytest.raises(ValueError, match="`input_signature` is required"):
        export.export_model(sub, tmp_path / "m")
    export.export_model(sub, tmp_path / "m", input_signature=tf.TensorSpec([None, 3]))
    loaded = tf.saved_model.load(str(tmp_path / "m"))
    np.testing.assert_allclose(loaded.serve(tf.ones([2, 3])).numpy(),
                               sub(tf.ones([2, 3])).numpy())
    seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="`input_signature` must be"):
        export.export_model(seq, tmp_path / "n", input_signature="float32")
    with pytest.raises(ValueError, match="`endpoint`"):
        export.export_model(seq, tmp_path / "n", endpoint="not valid")
    assert sorted(os.listdir(tmp_path)) == ["m"]
