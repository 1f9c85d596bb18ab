"""Properties of GaussianNoise, FeatureMask, SwapNoise and TabularMixUp."""

import json

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug import tabular

SEED = tf.constant([1, 2], tf.int64)


def _data(rows=4000, scales=(1.0, 10.0, 0.1)):
    rng = np.random.default_rng(0)
    return (rng.normal(size=(rows, len(scales))) * scales + 3.0).astype(np.float32)


# ------------------------------------------------------------------ GaussianNoise
def test_adapt_learns_nan_aware_population_std():
    x = _data()
    x[::7, 1] = np.nan
    layer = tabular.GaussianNoise(0.1)
    layer.adapt(x)
    np.testing.assert_allclose(layer.feature_std, np.nanstd(x, axis=0), rtol=1e-4)
    # A dataset of (features, labels) batches gives the same statistics.
    ds = tf.data.Dataset.from_tensor_slices((x, np.zeros(len(x), np.int32))).batch(333)
    other = tabular.GaussianNoise(0.1)
    other.adapt(ds)
    np.testing.assert_allclose(other.feature_std, layer.feature_std, rtol=1e-4)


def test_noise_is_scaled_per_feature():
    x = _data()
    layer = tabular.GaussianNoise(0.2, seed=0)
    layer.adapt(x)
    noise = layer(x, training=True, seed=SEED).numpy() - x
    np.testing.assert_allclose(noise.std(axis=0), 0.2 * np.std(x, axis=0), rtol=0.06)
    np.testing.assert_allclose(noise.mean(axis=0), 0.0, atol=0.01 * np.std(x, axis=0).max())
    # Independent across features and rows.
    assert abs(np.corrcoef(noise.T)[0, 1]) < 0.06


def test_strength_and_probability():
    x = _data(1000)
    layer = tabular.GaussianNoise(0.5, probability=0.3, seed=0)
    out = layer(x, training=True, seed=SEED).numpy()
    changed = np.any(out != x, axis=1)
    assert 0.24 < changed.mean() < 0.36
    layer.set_strength(0.0)
    np.testing.assert_array_equal(layer(x, training=True, seed=SEED).numpy(), x)
    # In between, the noise's standard deviation is scaled (same draws).
    layer.set_strength(0.5)
    half = layer(x, training=True, seed=SEED).numpy()
    np.testing.assert_allclose(half - x, 0.5 * (out - x), rtol=1e-4, atol=1e-4)


def test_config_keeps_the_adapted_scale():
    layer = tabular.GaussianNoise(0.1, seed=3)
    layer.adapt(_data(100))
    clone = tfaug.deserialize(json.loads(json.dumps(tfaug.serialize(layer))))
    assert clone.feature_std == layer.feature_std
    x = _data(10)
    np.testing.assert_array_equal(clone(x, training=True, seed=SEED),
                                  layer(x, training=True, seed=SEED))


def test_width_mismatch_and_bad_arguments():
    layer = tabular.GaussianNoise(0.1, feature_std=[1.0, 2.0])
    with pytest.raises(ValueError, match="feature_std"):
        layer(_data(5), training=True)
    with pytest.raises(ValueError, match="stddev"):
        tabular.GaussianNoise(-1.0)
    with pytest.raises(ValueError, match="feature_std"):
        tabular.GaussianNoise(0.1, feature_std=[1.0, float("nan")])
    with pytest.raises(ValueError, match="no rows"):
        tabular.GaussianNoise(0.1).adapt(np.zeros((0, 3), np.float32))


# -------------------------------------------------------------------- FeatureMask
def test_mask_rate_and_values():
    x = _data(3000)
    out = tabular.FeatureMask(0.2, seed=0)(x, training=True, seed=SEED).numpy()
    masked = np.isnan(out)
    assert abs(masked.mean() - 0.2) < 0.015
    np.testing.assert_array_equal(out[~masked], x[~masked])


@pytest.mark.parametrize("make", [lambda **kw: tabular.FeatureMask(0.4, **kw),
                                  lambda **kw: tabular.SwapNoise(0.4, **kw)])
def test_strength_scales_the_rate(make):
    x = _data(3000)
    full = make(seed=0)(x, training=True, seed=SEED).numpy()
    layer = make(seed=0, strength=0.5)  # rate 0.2, the same draws: a subset
    half = layer(x, training=True, seed=SEED).numpy()
    changed_full = ~np.isclose(full, x, equal_nan=False)
    changed_half = ~np.isclose(half, x, equal_nan=False)
    assert abs(changed_half.mean() - 0.5 * changed_full.mean()) < 0.02
    assert not np.any(changed_half & ~changed_full)
    assert layer.rate == 0.4 and layer.get_config()["strength"] == 0.5


def test_mixup_strength_moves_lam_toward_the_own_row():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)).astype(np.float32)
    y = np.arange(8)
    layer = tabular.TabularMixUp(alpha=0.5, num_classes=8, seed=0)
    full = layer((tf.constant(x), tf.constant(y)), training=True, seed=SEED)[1].numpy()
    layer.set_strength(0.5)
    half = layer((tf.constant(x), tf.constant(y)), training=True, seed=SEED)[1].numpy()
    # The own-row weight: lam' = 1 - 0.5 (1 - lam).
    np.testing.assert_allclose(np.diag(half), 1.0 - 0.5 * (1.0 - np.diag(full)), atol=1e-6)


def test_mask_leaves_categorical_alone_unless_asked():
    cols = {"v": tf.constant(_data(500)[:, 0]), "c": tf.constant(np.arange(500) % 4)}
    out = tabular.FeatureMask(0.5, seed=0)(cols, training=True, seed=SEED)
    np.testing.assert_array_equal(out["c"], cols["c"])
    assert np.isnan(out["v"].numpy()).any()
    out = tabular.FeatureMask(0.5, categorical_mask_value=-1, seed=0)(cols, training=True,
                                                                        seed=SEED)
    c = out["c"].numpy()
    assert set(np.unique(c)) <= {-1, 0, 1, 2, 3} and (c == -1).mean() > 0.4


def test_mask_nan_default_survives_json():
    layer = tabular.FeatureMask(0.1)
    text = json.dumps(tfaug.serialize(layer))  # strict JSON: no bare NaN
    assert "NaN" not in text
    assert np.isnan(tfaug.deserialize(json.loads(text)).mask_value)


# ---------------------------------------------------------------------- SwapNoise
def test_swapped_entries_come_from_other_rows_of_the_same_column():
    x = np.arange(600, dtype=np.float32).reshape(200, 3)  # every value distinct
    out = tabular.SwapNoise(0.3, seed=0)(x, training=True, seed=SEED).numpy()
    changed = out != x
    assert abs(changed.mean() - 0.3) < 0.03
    for c in range(3):  # a swapped value is another row's value of the same column
        assert set(out[:, c]) <= set(x[:, c])


def test_swap_strings_and_categories_and_single_row():
    cols = {"s": tf.constant([f"v{i}" for i in range(50)]),
            "k": tf.constant(np.arange(50) % 5), "f": tf.constant(np.arange(50.0))}
    out = tabular.SwapNoise(0.5, seed=0)(cols, training=True, seed=SEED)
    assert set(out["s"].numpy()) <= set(cols["s"].numpy())
    assert (out["s"].numpy() != cols["s"].numpy()).mean() > 0.3
    one = tf.constant([[1.0, 2.0]])
    np.testing.assert_array_equal(tabular.SwapNoise(1.0)(one, training=True), one)


# ------------------------------------------------------------------- TabularMixUp
def test_mixup_rows_are_the_label_weighted_blend_of_two_rows():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)).astype(np.float32)
    y = np.arange(8)  # one class per row: the mixed label tells the partner and lam
    cat = (np.arange(8) % 3).astype(np.int32)
    layer = tabular.TabularMixUp(alpha=0.5, num_classes=8, seed=0)
    out = layer({"a": tf.constant(x[:, 0]), "b": tf.constant(x[:, 1:]),
                 "cat": tf.constant(cat), "labels": tf.constant(y)}, training=True, seed=SEED)
    labels = out["labels"].numpy()
    np.testing.assert_allclose(labels.sum(axis=1), 1.0, rtol=1e-6)
    mixed = np.concatenate([out["a"].numpy()[:, None], out["b"].numpy()], axis=1)
    for i in range(8):
        lam = labels[i, i]
        j = int(np.argmax(np.where(np.arange(8) == i, -1, labels[i]))) if lam < 1 else i
        np.testing.assert_allclose(mixed[i], lam * x[i] + (1 - lam) * x[j], atol=1e-5)
        assert out["cat"].numpy()[i] == (cat[i] if lam >= 0.5 else cat[j])


def test_mixup_needs_num_classes_for_integer_labels():
    with pytest.raises(ValueError, match="num_classes"):
        tabular.TabularMixUp(0.2)((tf.zeros([4, 2]), tf.constant([0, 1, 0, 1])),
                                  training=True)
