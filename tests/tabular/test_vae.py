"""Tests of tfaug.tabular.vae.TabularVAE (conditional VAE over table rows).

One small model is trained once per module on breast_cancer (train split) and
shared; every other model here is tiny and trained for a few steps.
"""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tfaug.tabular.vae import TabularVAE


@pytest.fixture(scope="module")
def cancer():
    x, y = load_breast_cancer(return_X_y=True)
    x = x.astype("float32")
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3, stratify=y,
                                              random_state=0)
    return x_tr, x_te, y_tr, y_te


@pytest.fixture(scope="module")
def trained(cancer):
    x_tr, _, y_tr, _ = cancer
    vae = TabularVAE(30, 2, latent_dim=4, hidden_units=(32, 32), seed=0)
    vae.compile(optimizer=keras.optimizers.Adam(3e-3))
    # shuffle=False: Keras' array shuffling is unseeded; the split is already shuffled.
    history = vae.fit(x_tr, y_tr, epochs=60, batch_size=64, shuffle=False, verbose=0)
    return vae, history.history


def _standardize(x, ref):
    return (x - ref.mean(0)) / ref.std(0)


def _tiny(**kwargs):
    args = dict(num_features=4, num_classes=2, latent_dim=2, hidden_units=(8,), seed=3)
    args.update(kwargs)
    return TabularVAE(**args)


def _mixed_data(n=240, seed=0):
    """Two continuous columns and two categorical ones that depend on the label."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = np.zeros((n, 4), np.float32)
    x[:, 0] = rng.normal(3.0 * y, 1.0)
    x[:, 1] = np.where(y == 1, 2, 0) + rng.integers(0, 2, n)  # codes 0..3
    x[:, 2] = rng.normal(100.0, 10.0, n)
    x[:, 3] = rng.integers(0, 3, n)  # codes 0..2
    return x, y


# ---------------------------------------------------------------- training
def test_fit_reports_metrics_and_loss_decreases(trained):
    _, hist = trained
    assert set(hist) >= {"loss", "reconstruction", "kl"}
    assert hist["loss"][-1] < hist["loss"][0] - 10.0
    # Gaussian NLL + beta * KL, beta = 1: the epoch means add up.
    np.testing.assert_allclose(np.array(hist["reconstruction"]) + np.array(hist["kl"]),
                               hist["loss"], rtol=1e-4, atol=1e-3)
    assert all(k > 0 for k in hist["kl"])


def test_adapt_learns_statistics(trained, cancer):
    vae, _ = trained
    x_tr = cancer[0]
    assert vae.is_adapted
    np.testing.assert_allclose(vae.feature_mean.numpy(), x_tr.mean(0), rtol=1e-4)
    np.testing.assert_allclose(vae.feature_std.numpy(), x_tr.std(0), rtol=1e-3)


def test_samples_follow_their_class(trained, cancer):
    """Per class, the mean of the synthetic rows is near the real class mean and
    far from the other class's (standardized units)."""
    vae, _ = trained
    x_tr, _, y_tr, _ = cancer
    z = _standardize(x_tr, x_tr)
    for label in (0, 1):
        s = _standardize(vae.sample(400, label, seed=label).numpy(), x_tr)
        own = z[y_tr == label].mean(0)
        other = z[y_tr != label].mean(0)
        d_own = np.linalg.norm(s.mean(0) - own)
        d_other = np.linalg.norm(s.mean(0) - other)
        assert d_own < 0.3 * d_other, (label, d_own, d_other)
        closer = np.abs(s.mean(0) - own) < np.abs(s.mean(0) - other)
        assert closer.mean() >= 0.8, (label, closer.mean())


def test_marginal_mean_and_std_match(trained, cancer):
    """Synthetic rows drawn with the real class frequencies match the real
    per-feature mean (within 0.25 std) and std (within a factor 1.5)."""
    vae, _ = trained
    x_tr, _, y_tr, _ = cancer
    labels = tf.constant(y_tr, tf.int32)
    s = np.concatenate([vae.generate(labels, [k, 1]).numpy() for k in range(3)])
    z = _standardize(s, x_tr)
    assert np.all(np.abs(z.mean(0)) < 0.25), np.round(z.mean(0), 2)
    ratio = z.std(0)
    assert np.all((ratio > 1 / 1.5) & (ratio < 1.5)), np.round(ratio, 2)


def test_synthetic_rows_do_not_hurt_a_classifier(trained, cancer):
    """Logistic regression on real + synthetic rows scores within 0.02 of real
    alone on the held-out split (figures in the report)."""
    vae, _ = trained
    x_tr, x_te, y_tr, y_te = cancer

    def accuracy(x, y):
        clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        return clf.fit(x, y).score(x_te, y_te)

    labels = np.repeat([0, 1], 200)
    syn = vae.generate(tf.constant(labels), [5, 5]).numpy()
    real = accuracy(x_tr, y_tr)
    mixed = accuracy(np.concatenate([x_tr, syn]), np.concatenate([y_tr, labels]))
    assert mixed >= real - 0.02, (real, mixed)


def test_fit_on_dataset_and_unconditional(cancer):
    x_tr, _, y_tr, _ = cancer
    ds = tf.data.Dataset.from_tensor_slices((x_tr[:128], y_tr[:128])).batch(32)
    vae = TabularVAE(30, 2, latent_dim=2, hidden_units=(8,), seed=1)
    vae.compile(optimizer="adam")
    hist = vae.fit(ds, epochs=2, shuffle=False, verbose=0).history
    assert np.isfinite(hist["loss"]).all()
    np.testing.assert_allclose(vae.feature_mean.numpy(), x_tr[:128].mean(0), rtol=1e-4)
    # validation data runs test_step
    hist = vae.fit(ds, epochs=1, validation_data=ds, shuffle=False, verbose=0).history
    assert "val_loss" in hist and "val_kl" in hist
    # num_classes=1: no labels needed
    solo = TabularVAE(30, 1, latent_dim=2, hidden_units=(8,), seed=1)
    solo.compile(optimizer="adam")
    solo.fit(x_tr[:64], epochs=1, batch_size=32, verbose=0)
    assert solo.sample(3, 0, seed=0).shape == (3, 30)


def test_training_noise_is_seeded(cancer):
    x_tr, _, y_tr, _ = cancer

    def run():
        vae = TabularVAE(30, 2, latent_dim=2, hidden_units=(8,), seed=11)
        vae.compile(optimizer=keras.optimizers.Adam(1e-2))
        vae.fit(x_tr[:96], y_tr[:96], epochs=2, batch_size=32, shuffle=False, verbose=0)
        return vae.sample(5, 1, seed=0).numpy()

    np.testing.assert_allclose(run(), run(), rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------- categoricals
def test_categorical_columns_are_valid_codes():
    x, y = _mixed_data()
    vae = TabularVAE(4, 2, latent_dim=2, hidden_units=(16,),
                     categorical_features={1: 4, 3: 3}, seed=0)
    vae.compile(optimizer=keras.optimizers.Adam(1e-2))
    vae.fit(x, y, epochs=30, batch_size=48, shuffle=False, verbose=0)
    # standardization is not applied to categorical columns
    assert vae.feature_mean.numpy()[[1, 3]].tolist() == [0.0, 0.0]
    for temperature in (1.0, 0.0, 2.5):
        for label in (0, 1):
            rows = vae.sample(300, label, seed=label, temperature=temperature).numpy()
            assert set(np.unique(rows[:, 1])) <= {0.0, 1.0, 2.0, 3.0}
            assert set(np.unique(rows[:, 3])) <= {0.0, 1.0, 2.0}
    # the label-dependent column: label 0 gives codes {0, 1}, label 1 gives {2, 3}
    for label, allowed in ((0, (0, 1)), (1, (2, 3))):
        rows = vae.sample(300, label, seed=9).numpy()
        assert np.isin(rows[:, 1], allowed).mean() > 0.9
        # continuous columns are back in the original scale
        assert abs(rows[:, 2].mean() - 100.0) < 5.0
    # temperature 0 is deterministic given z: categoricals are the argmax
    a = vae.sample(50, 1, seed=4, temperature=0.0).numpy()
    b = vae.sample(50, 1, seed=4, temperature=0.0).numpy()
    np.testing.assert_array_equal(a, b)


def test_adapt_rejects_bad_codes():
    x, _ = _mixed_data(40)
    x[0, 3] = 5.0
    vae = TabularVAE(4, 2, categorical_features={1: 4, 3: 3}, seed=0)
    with pytest.raises(ValueError, match=r"column 3 .*codes 0\.\.2"):
        vae.adapt(x)
    x[0, 3] = 0.5
    with pytest.raises(ValueError, match="column 3"):
        vae.adapt(x)


# -------------------------------------------------------------- determinism
def test_seed_determinism(trained):
    vae, _ = trained
    a = vae.sample(20, 1, seed=42).numpy()
    np.testing.assert_array_equal(a, vae.sample(20, 1, seed=42).numpy())
    np.testing.assert_array_equal(a, vae.sample(20, 1, seed=[42, 0]).numpy())
    assert not np.allclose(a, vae.sample(20, 1, seed=43).numpy())
    # sample == generate with the same labels and seed
    np.testing.assert_array_equal(
        a, vae.generate(tf.ones([20], tf.int32), tf.constant([42, 0])).numpy())
    # seed=None advances the model's seed state: two calls differ
    assert not np.allclose(vae.sample(20, 1).numpy(), vae.sample(20, 1).numpy())
    # construction seed fixes the initial weights
    w1 = [w.numpy() for w in _tiny(seed=5).weights]
    w2 = [w.numpy() for w in _tiny(seed=5).weights]
    for u, v in zip(w1, w2):
        np.testing.assert_array_equal(u, v)


def test_per_row_labels(trained):
    vae, _ = trained
    labels = tf.constant([0, 1] * 10)
    rows = vae.sample(20, labels, seed=1).numpy()
    zero = vae.sample(20, 0, seed=1).numpy()
    one = vae.sample(20, 1, seed=1).numpy()
    # same seed, same z: each row equals the row of the single-label draw
    np.testing.assert_allclose(rows[0::2], zero[0::2], rtol=1e-5)
    np.testing.assert_allclose(rows[1::2], one[1::2], rtol=1e-5)


def test_generate_in_tf_function_and_tf_data(trained):
    vae, _ = trained
    labels = tf.constant([0, 1, 1, 0, 1])
    seed = tf.constant([7, 8], tf.int64)
    eager = vae.generate(labels, seed).numpy()
    fn = tf.function(vae.generate)
    np.testing.assert_allclose(fn(labels, seed).numpy(), eager, rtol=1e-5, atol=1e-4)
    ds = tf.data.Dataset.from_tensors((labels, seed)).map(vae.generate)
    np.testing.assert_allclose(next(iter(ds)).numpy(), eager, rtol=1e-5, atol=1e-4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="labels"):
        fn(tf.constant([0, 2]), seed)


# ------------------------------------------------------------ serialization
def test_config_round_trip():
    vae = TabularVAE(6, 3, latent_dim=5, hidden_units=[16, 8],
                     categorical_features={4: 3, 0: 2}, beta=0.5, seed=7, name="gen")
    config = vae.get_config()
    assert json.loads(json.dumps(config)) == config
    assert config == {"name": "gen", "num_features": 6, "num_classes": 3, "latent_dim": 5,
                      "hidden_units": [16, 8], "categorical_features": {"0": 2, "4": 3},
                      "beta": 0.5, "seed": 7}
    clone = TabularVAE.from_config(json.loads(json.dumps(config)))
    assert clone.get_config() == config
    assert clone.categorical_features == {0: 2, 4: 3}
    # same seed, same initial weights, same samples
    for u, v in zip(vae.weights, clone.weights):
        np.testing.assert_array_equal(u.numpy(), v.numpy())
    np.testing.assert_array_equal(vae.sample(4, 2, seed=1).numpy(),
                                  clone.sample(4, 2, seed=1).numpy())


def test_keras_file_round_trip(trained, tmp_path):
    vae, _ = trained
    path = os.path.join(tmp_path, "vae.keras")
    vae.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, TabularVAE) and loaded.is_adapted
    np.testing.assert_array_equal(loaded.sample(30, 1, seed=3).numpy(),
                                  vae.sample(30, 1, seed=3).numpy())
    np.testing.assert_array_equal(loaded.feature_std.numpy(), vae.feature_std.numpy())
    # the reloaded model keeps training (compile config restored)
    x = vae.sample(64, 0, seed=0).numpy()
    loaded.fit(x, np.zeros(64, int), epochs=1, batch_size=32, verbose=0)


def test_saved_model_of_generate(trained, tmp_path):
    vae, _ = trained
    module = tf.Module()
    module.vae = vae
    module.generate = tf.function(
        lambda labels, seed: vae.generate(labels, seed),
        input_signature=[tf.TensorSpec([None], tf.int32), tf.TensorSpec([2], tf.int64)])
    path = os.path.join(tmp_path, "generator")
    tf.saved_model.save(module, path)
    restored = tf.saved_model.load(path)
    labels = tf.constant([1, 0, 1], tf.int32)
    seed = tf.constant([2, 3], tf.int64)
    np.testing.assert_allclose(restored.generate(labels, seed).numpy(),
                               vae.generate(labels, seed).numpy(), rtol=1e-5, atol=1e-4)


# ------------------------------------------------------------- bad arguments
@pytest.mark.parametrize("kwargs, match", [
    ({"num_features": 0}, "num_features"),
    ({"num_features": 2.5}, "num_features"),
    ({"num_classes": 0}, "num_classes"),
    ({"latent_dim": 0}, "latent_dim"),
    ({"latent_dim": -3}, "latent_dim"),
    ({"hidden_units": ()}, "hidden_units"),
    ({"hidden_units": (8, 0)}, "hidden_units"),
    ({"beta": -1.0}, "beta"),
    ({"seed": -1}, "seed"),
    ({"categorical_features": [1, 2]}, "categorical_features"),
    ({"categorical_features": {9: 3}}, "categorical_features"),
    ({"categorical_features": {1: 1}}, "categorical_features"),
])
def test_bad_constructor_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _tiny(**kwargs)


def test_bad_sample_and_fit_arguments():
    vae = _tiny()
    with pytest.raises(ValueError, match=r"`label` must be an integer in \[0, 1\], got 2"):
        vae.sample(3, 2)
    with pytest.raises(ValueError, match="label"):
        vae.sample(3, -1)
    with pytest.raises(ValueError, match=r"`label` must be in \[0, 2\)"):
        vae.sample(2, tf.constant([0, 5]))
    with pytest.raises(ValueError, match=r"`label` must be an int or have shape \[n\]"):
        vae.sample(3, tf.constant([0, 1]))
    with pytest.raises(ValueError, match="`n`"):
        vae.sample(0, 1)
    with pytest.raises(ValueError, match="temperature"):
        vae.sample(2, 1, temperature=-1.0)
    with pytest.raises(ValueError, match="`labels` must be an integer tensor"):
        vae.generate(tf.constant([0.0, 1.0]), [1, 2])
    with pytest.raises(ValueError, match="features"):
        vae.adapt(np.zeros((5, 3), np.float32))
    with pytest.raises(ValueError, match="NaN"):
        vae.adapt(np.full((5, 4), np.nan, np.float32))
    vae.compile(optimizer="adam")
    with pytest.raises(ValueError, match="`y`"):
        vae.fit(np.zeros((8, 4), np.float32), epochs=1, verbose=0)
    eager = _tiny()
    eager.compile(optimizer="adam", run_eagerly=True)
    with pytest.raises(ValueError, match=r"`y` must be in \[0, 2\)"):
        eager.fit(np.zeros((8, 4), np.float32), np.full(8, 2), epochs=1, verbose=0)
