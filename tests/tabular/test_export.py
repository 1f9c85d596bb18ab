"""Tabular augmentation ships in SavedModels that load where tfaug is not installed.

One subprocess (tfaug and keras made unimportable) loads:

* a model trained through ``AugmentedModel`` (SMOTE in the train step,
  ``GaussianNoise`` at the model's front), exported with ``export_model``: its
  serving output equals the model without augmentation;
* SMOTE alone, exported with ``export_augmentation``: for a seed it appends
  the same synthetic rows tfaug does in process.
"""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import tensorflow as tf

import tfaug
from tests.tabular.cases_tabular import imbalanced
from tfaug import export, tabular

_CHILD = textwrap.dedent("""
    import sys
    sys.modules["tfaug"] = None
    sys.modules["keras"] = None
    for name in ("tfaug", "keras"):
        try:
            __import__(name)
        except ImportError:
            pass
        else:
            raise AssertionError(name + " was importable")
    import json
    import numpy as np
    import tensorflow as tf

    job = json.load(open(sys.argv[1]))
    data = np.load(job["inputs"])
    model = tf.saved_model.load(job["model"])
    smote = tf.saved_model.load(job["smote"])
    out = {"serve": model.serve(data["x"]).numpy()}
    res = smote.augment({"features": data["x"], "labels": data["y"]},
                        tf.constant([5, 6], tf.int64))
    out["features"] = res["features"].numpy()
    out["labels"] = res["labels"].numpy()
    np.savez(job["output"], **out)
""")


def test_model_and_smote_run_without_tfaug(tmp_path):
    x, y = imbalanced((80, 16, 10), width=4)
    smote = tabular.SMOTE(k_neighbors=3, seed=0)
    smote.adapt(x, y)
    noise = tabular.GaussianNoise(0.1, seed=1)
    noise.adapt(x)
    inner = keras.Sequential([keras.Input((4,)), noise, keras.layers.Dense(8, "relu"),
                              keras.layers.Dense(3)])
    model = tfaug.data.AugmentedModel(inner, smote)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, batch_size=53, epochs=2, verbose=0)
    model_path = export.export_model(model, tmp_path / "model")
    smote_path = export.export_augmentation(
        smote, tmp_path / "smote", {"features": tf.TensorSpec([None, 4], tf.float32),
                                    "labels": tf.TensorSpec([None], tf.int32)})

    np.savez(tmp_path / "inputs.npz", x=x, y=y)
    job = {"inputs": str(tmp_path / "inputs.npz"), "output": str(tmp_path / "out.npz"),
           "model": str(model_path), "smote": str(smote_path)}
    (tmp_path / "job.json").write_text(json.dumps(job))
    (tmp_path / "child.py").write_text(_CHILD)
    proc = subprocess.run([sys.executable, str(tmp_path / "child.py"),
                           str(tmp_path / "job.json")], cwd=str(tmp_path),
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    served = dict(np.load(tmp_path / "out.npz"))

    # Serving = the model without augmentation (noise off, no SMOTE).
    plain = keras.Sequential([keras.Input((4,))] + inner.layers[1:])
    np.testing.assert_allclose(served["serve"], plain(x).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(served["serve"], inner(x, training=False).numpy(), atol=1e-6)
    # SMOTE from the SavedModel: tfaug's rows for the same seed.
    expected = smote({"features": tf.constant(x), "labels": tf.constant(y)}, training=True,
                     seed=tf.constant([5, 6], tf.int64))
    np.testing.assert_allclose(served["features"], expected["features"].numpy(), atol=1e-6)
    np.testing.assert_array_equal(served["labels"], expected["labels"].numpy())
    assert np.bincount(served["labels"]).tolist() == [80, 80, 80]
