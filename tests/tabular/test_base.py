"""Tabular input forms: every form comes back in its own structure, shape and dtype."""

import numpy as np
import pytest
import tensorflow as tf

from tfaug import tabular

SEED = tf.constant([5, 6], tf.int64)


def _columns():
    return {"age": tf.constant([31.0, 45.0, 22.0, 60.0], tf.float64),
            "income": tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]),
            "city": tf.constant(["a", "b", "c", "d"]),
            "children": tf.constant([0, 2, 1, 3], tf.int64),
            "owner": tf.constant([True, False, True, False]),
            "labels": tf.constant([0, 1, 0, 1])}


def test_every_form_round_trips_unchanged():
    layer = tabular.GaussianNoise(0.0, seed=0)  # zero noise: the identity in training
    x = tf.constant(np.arange(12, dtype=np.float64).reshape(4, 3))
    y = tf.constant([0, 1, 1, 0])
    for inputs in (x, x[0], (x, y), {"features": x, "labels": y}, {"features": x},
                   _columns()):
        out = layer(inputs, training=True, seed=SEED)
        tf.nest.assert_same_structure(out, inputs)
        for a, b in zip(tf.nest.flatten(out), tf.nest.flatten(inputs)):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_column_roles():
    layer = tabular.GaussianNoise(0.0)
    data, spec = layer.standardize(_columns())
    # Floats numeric (age, income: 3 values), ints and bools categorical, strings carried.
    assert data["features"].shape == (4, 3)
    assert data["categorical"].shape == (4, 2)
    assert data["column/city"].dtype == tf.string
    roles = {name: role for name, role, *_ in spec["columns"]}
    assert roles == {"age": "numeric", "income": "numeric", "city": "extra",
                     "children": "categorical", "owner": "categorical"}
    explicit = tabular.GaussianNoise(0.0, categorical_features=["age"])
    data, _ = explicit.standardize(_columns())
    # Given explicitly, only the named columns are categorical.
    assert data["features"].shape == (4, 4) and data["categorical"].shape == (4, 1)


def test_matrix_categorical_columns_are_untouched_by_noise():
    x = tf.constant(np.random.default_rng(0).normal(size=(50, 4)), tf.float32)
    out = tabular.GaussianNoise(1.0, categorical_features=[1, 3])(x, training=True, seed=SEED)
    np.testing.assert_array_equal(out.numpy()[:, [1, 3]], x.numpy()[:, [1, 3]])
    assert np.all(out.numpy()[:, [0, 2]] != x.numpy()[:, [0, 2]])


def test_integer_columns_come_back_rounded():
    cols = {"n": tf.constant([1, 2, 3, 4]), "v": tf.constant([0.5, 1.5, 2.5, 3.5])}
    out = tabular.GaussianNoise(5.0, categorical_features=[])(cols, training=True, seed=SEED)
    assert out["n"].dtype == tf.int32  # an int column marked numeric: noisy, then rounded


@pytest.mark.parametrize("bad, message", [
    (tf.zeros([2, 3, 4]), "rank"),
    (tf.constant(["a", "b"]), "numeric"),
    ((tf.zeros([2, 3]),), "tuple"),
    ({"features": tf.zeros([2, 3]), "other": tf.zeros([2])}, "besides"),
    ({"labels": tf.zeros([2])}, "no feature columns"),
    ({"a": tf.zeros([2]), "b": tf.zeros([])}, "all columns must be batched"),
])
def test_bad_inputs_name_the_problem(bad, message):
    with pytest.raises(ValueError, match=message):
        tabular.SwapNoise(0.1)(bad, training=True, seed=SEED)


@pytest.mark.parametrize("value", ["a", 3, [1, "a"], [1, 1], [-1], [True]])
def test_bad_categorical_features(value):
    with pytest.raises(ValueError, match="categorical_features"):
        tabular.SwapNoise(0.1, categorical_features=value)


def test_categorical_names_must_exist_and_match_the_form():
    with pytest.raises(ValueError, match="not columns"):
        tabular.SwapNoise(0.1, categorical_features=["zzz"])(_columns(), training=True)
    with pytest.raises(ValueError, match="need a dict"):
        tabular.SwapNoise(0.1, categorical_features=["a"])(tf.zeros([2, 3]), training=True)
    with pytest.raises(ValueError, match="out of range"):
        tabular.SwapNoise(0.1, categorical_features=[5])(tf.zeros([2, 3]), training=True)
