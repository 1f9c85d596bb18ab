"""The SMOTE layer: per-batch rebalancing from the adapted neighbour table."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tests.tabular.cases_tabular import imbalanced
from tfaug import tabular

SEED = tf.constant([3, 4], tf.int64)


def _neighbour_sets(x, y, k):
    """Per class: {row index: set of its k nearest same-class rows} (numpy brute force)."""
    out = {}
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        d = ((x[idx, None, :] - x[None, idx, :]) ** 2).sum(-1)
        np.fill_diagonal(d, np.inf)
        order = np.argsort(d, axis=1, kind="stable")[:, :k]
        out[c] = {int(i): {int(idx[j]) for j in row} for i, row in zip(idx, order)}
    return out


def _on_a_segment(row, x, candidates, tol=1e-4):
    """True when ``row`` = x[i] + t (x[j] - x[i]), t in [0, 1], for some (i, j)."""
    for i, neighbours in candidates.items():
        for j in neighbours:
            d = x[j] - x[i]
            t = float(np.dot(row - x[i], d) / max(np.dot(d, d), 1e-12))
            if -tol <= t <= 1 + tol and np.abs(x[i] + t * d - row).max() < tol:
                return True
    return False


def test_batch_is_rebalanced_with_rows_on_neighbour_segments():
    x, y = imbalanced((60, 15, 8))
    layer = tabular.SMOTE(k_neighbors=4, seed=0)
    layer.adapt(x, y)
    out_x, out_y = layer((tf.constant(x), tf.constant(y)), training=True, seed=SEED)
    out_x, out_y = out_x.numpy(), out_y.numpy()
    # The batch's own rows first, unchanged; then the synthetic ones.
    np.testing.assert_array_equal(out_x[:len(x)], x)
    np.testing.assert_array_equal(out_y[:len(y)], y)
    # "auto" with ratio 1: every class as large as the batch's majority.
    assert np.bincount(out_y).tolist() == [60, 60, 60]
    sets = _neighbour_sets(x, y, 4)
    for row, c in zip(out_x[len(x):], out_y[len(y):]):
        assert c in (1, 2)
        assert _on_a_segment(row, x, sets[c])


def test_ratio_and_dict_strategy():
    x, y = imbalanced((60, 15, 8))
    half = tabular.SMOTE(k_neighbors=3, ratio=0.5, seed=0)
    half.adapt(x, y)
    _, out_y = half((x, y), training=True, seed=SEED)
    assert np.bincount(out_y.numpy()).tolist() == [60, 15 + 22, 8 + 26]  # round(0.5 * deficit)
    # Targets relative to the majority: class 1 to half of it, class 2 untouched.
    some = tabular.SMOTE(k_neighbors=3, sampling_strategy={1: 30}, seed=0)
    some.adapt(x, y)
    _, out_y = some((x, y), training=True, seed=SEED)
    assert np.bincount(out_y.numpy()).tolist() == [60, 30, 8]
    # A batch drawn from the data: targets follow the batch's own majority count.
    _, out_y = some((x[::2], y[::2]), training=True, seed=SEED)
    assert np.bincount(out_y.numpy()).tolist() == [30, 15, 4]


def test_strength_scales_the_added_rows():
    x, y = imbalanced((60, 15, 8))
    layer = tabular.SMOTE(k_neighbors=3, seed=0)
    layer.adapt(x, y)
    assert isinstance(layer, tfaug.core.BatchAugmentation)
    assert layer.changes_batch and layer.reads_labels and layer.changes_labels
    full_x, full_y = layer((x, y), training=True, seed=SEED)
    # Same rows as ratio=0.5: round(ratio * strength * deficit).
    layer.set_strength(0.5)
    _, out_y = layer((x, y), training=True, seed=SEED)
    assert np.bincount(out_y.numpy()).tolist() == [60, 15 + 22, 8 + 26]
    layer.set_strength(0.0)  # no rows added
    out_x, out_y = layer((x, y), training=True, seed=SEED)
    np.testing.assert_array_equal(out_x, x)
    np.testing.assert_array_equal(out_y, y)
    layer.set_strength(1.0)
    again_x, again_y = layer((x, y), training=True, seed=SEED)
    np.testing.assert_array_equal(again_x, full_x)
    np.testing.assert_array_equal(again_y, full_y)
    assert layer.get_config()["ratio"] == 1.0


def test_seeds_inference_and_dataset():
    x, y = imbalanced()
    layer = tabular.SMOTE(k_neighbors=3, seed=0)
    layer.adapt(x, y)
    a = layer((x, y), training=True, seed=SEED)
    b = layer((x, y), training=True, seed=SEED)
    c = layer((x, y), training=True, seed=[9, 9])
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    # Off at inference, with or without labels.
    np.testing.assert_array_equal(layer(x, training=False), x)
    np.testing.assert_array_equal(layer((x, y), training=False)[0], x)
    every = tabular.SMOTE(k_neighbors=3, sampling_strategy="all", seed=0)
    every.adapt(x, y)  # "all": each class, the majority too, to the batch's largest
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64, seed=1).batch(16)
    ds = ds.map(lambda f, l: every((f, l), training=True))
    for f, l in ds:
        counts = np.bincount(l.numpy(), minlength=3)
        assert f.shape[0] == l.shape[0] and counts.min() == counts.max()


def test_dict_of_columns_with_a_categorical_column():
    rng = np.random.default_rng(0)
    x, y = imbalanced((50, 12, 8), width=3)
    colour = np.where(y == 0, rng.integers(0, 3, len(y)), 5).astype(np.int64)
    layer = tabular.SMOTE(k_neighbors=3, seed=0)  # an int column: SMOTE-NC
    cols = {"a": x[:, 0], "b": x[:, 1:], "colour": colour, "labels": y}
    layer.adapt(cols)
    out = layer({k: tf.constant(v) for k, v in cols.items()}, training=True, seed=SEED)
    new = slice(len(y), None)
    assert out["colour"].dtype == tf.int64 and out["b"].shape[1] == 2
    # Minority rows all have colour 5: their synthetic rows too.
    assert set(out["colour"].numpy()[new]) == {5}
    assert np.bincount(out["labels"].numpy()).tolist() == [50, 50, 50]


@pytest.mark.parametrize("variant", ["borderline-1", "borderline-2", "adasyn"])
def test_variants_rebalance(variant):
    x, y = imbalanced((60, 20, 12), seed=1)
    x[y == 1] -= 3.0  # overlap with class 0: 5 borderline ("danger") rows
    layer = tabular.SMOTE(k_neighbors=3, m_neighbors=6, variant=variant, seed=0)
    layer.adapt(x, y)
    out_x, out_y = layer((x, y), training=True, seed=SEED)
    counts = np.bincount(out_y.numpy(), minlength=3)
    assert counts[0] == 60 and counts[1] > 20
    assert np.all(np.isfinite(out_x.numpy()))


def test_errors():
    x, y = imbalanced()
    layer = tabular.SMOTE(seed=0)
    assert not layer.is_adapted
    with pytest.raises(ValueError, match="not adapted"):
        layer((x, y), training=True)
    layer.adapt(x, y)
    assert layer.is_adapted
    with pytest.raises(ValueError, match="needs labels"):
        layer(x, training=True)
    with pytest.raises(ValueError, match="integer class ids"):
        layer((tf.constant(x), tf.one_hot(y, 3)), training=True)
    with pytest.raises(ValueError, match="needs labels"):
        tabular.SMOTE().adapt(x)
    with pytest.raises(ValueError, match="string columns"):
        tabular.SMOTE().adapt({"s": tf.constant(["a"] * len(y)), "v": x[:, 0], "labels": y})
    with pytest.raises(ValueError, match="sampling_strategy"):
        tabular.SMOTE(sampling_strategy="most")
    with pytest.raises(ValueError, match="sampling_strategy"):
        tabular.SMOTE(sampling_strategy={"a": 3})
    with pytest.raises(ValueError, match="variant"):
        tabular.SMOTE(variant="smote-xl")
    with pytest.raises(ValueError, match="k_neighbors"):
        tabular.SMOTE(k_neighbors=0)


def test_augmented_model_trains_on_rebalanced_batches():
    x, y = imbalanced((120, 20, 10), width=4)
    smote = tabular.SMOTE(k_neighbors=3, seed=0)
    smote.adapt(x, y)
    seen = []

    class Spy(keras.layers.Layer):
        def call(self, inputs):
            seen.append(inputs.shape[0])
            return inputs

    inner = keras.Sequential([keras.Input((4,)), Spy(), keras.layers.Dense(3)])
    model = tfaug.data.AugmentedModel(inner, smote)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  run_eagerly=True)
    model.fit(x, y, batch_size=150, epochs=1, verbose=0)
    assert seen[-1] == 360  # 120 + 2 x 120: rebalanced inside the train step
    np.testing.assert_allclose(model.predict(x, verbose=0), inner.predict(x, verbose=0))


def test_generative_oversampler_with_a_trained_vae():
    x, y = imbalanced((120, 30, 20), width=4)
    vae = tabular.TabularVAE(num_features=4, num_classes=3, latent_dim=2,
                             hidden_units=(16,), seed=0)
    vae.compile(keras.optimizers.Adam(0.02))
    vae.fit(x, y, epochs=40, batch_size=64, verbose=0, shuffle=False)
    over = tabular.GenerativeOversampler(vae, seed=0)
    over.adapt(x, y)
    out_x, out_y = over((x, y), training=True, seed=SEED)
    out_x, out_y = out_x.numpy(), out_y.numpy()
    assert np.bincount(out_y).tolist() == [120, 120, 120]
    np.testing.assert_array_equal(out_x[:len(x)], x)
    means = np.stack([x[y == c].mean(0) for c in range(3)])
    new_x, new_y = out_x[len(x):], out_y[len(y):]
    # Each synthetic row is nearest to its own class's mean.
    nearest = np.argmin(((new_x[:, None] - means[None]) ** 2).sum(-1), axis=1)
    assert (nearest == new_y).mean() > 0.95
