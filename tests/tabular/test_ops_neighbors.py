"""tfaug.tabular.ops.nearest_neighbors and class_targets against numpy references."""

import numpy as np
import pytest
import tensorflow as tf

from tfaug.tabular import ops


def _reference(points, queries, k, exclude_self):
    """Stable argsort of the full float64 distance matrix."""
    p = points.astype(np.float64)
    q = queries.astype(np.float64)
    d = ((q[:, None, :] - p[None, :, :]) ** 2).sum(-1)
    if exclude_self:
        d[np.arange(len(q)), np.arange(len(q))] = np.inf
    idx = np.argsort(d, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(d, idx, 1), idx


@pytest.mark.parametrize("n,m,f,k,block", [
    (60, None, 3, 4, 7),       # many tiles along both axes, padding in the last
    (200, None, 5, 10, 16),    # k larger than a tile's width in groups
    (150, 41, 4, 40, 9),       # separate queries, k much larger than a block
    (90, 90, 2, 5, 4096),      # one tile
    (33, 12, 6, 33, 5),        # k = every point
])
def test_matches_numpy_brute_force(n, m, f, k, block):
    rng = np.random.default_rng(n + k)
    points = rng.normal(size=(n, f)).astype(np.float32)
    queries = None if m is None else rng.normal(size=(m, f)).astype(np.float32)
    d2, idx = ops.nearest_neighbors(points, k, queries, block_size=block)
    ref_d, ref_i = _reference(points, points if queries is None else queries, k,
                              queries is None)
    np.testing.assert_array_equal(idx.numpy(), ref_i)
    np.testing.assert_allclose(d2.numpy(), ref_d, rtol=1e-5, atol=1e-5)
    assert idx.dtype == tf.int32 and d2.dtype == tf.float32
    assert np.all(np.diff(d2.numpy(), axis=1) >= 0)  # ascending


def test_exclude_self_and_query_indices():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(70, 3)).astype(np.float32)
    # exclude_self=False on the points themselves: each row is its own nearest.
    d2, idx = ops.nearest_neighbors(x, 3, x, block_size=8)
    np.testing.assert_array_equal(idx.numpy()[:, 0], np.arange(70))
    assert np.all(d2.numpy()[:, 0] == 0)
    # Explicit exclusion equals the default (queries=None) search.
    _, default = ops.nearest_neighbors(x, 3, block_size=8)
    _, flagged = ops.nearest_neighbors(x, 3, x, exclude_self=True, block_size=8)
    np.testing.assert_array_equal(default.numpy(), flagged.numpy())
    # query_indices: a subset of rows, each excluding its own position.
    sub = np.array([3, 17, 40, 69])
    _, idx = ops.nearest_neighbors(x, 4, x[sub], query_indices=sub, block_size=8)
    ref = _reference(x, x, 4, True)[1][sub]
    np.testing.assert_array_equal(idx.numpy(), ref)


def test_large_offsets_keep_exact_order():
    # ||x||^2 >> distances: the expanded form alone would lose the order.
    rng = np.random.default_rng(2)
    x = (1e4 + rng.normal(size=(300, 4))).astype(np.float32)
    _, idx = ops.nearest_neighbors(x, 5, block_size=64)
    np.testing.assert_array_equal(idx.numpy(), _reference(x, x, 5, True)[1])


def test_ill_conditioned_rows_fall_back_to_float64():
    # Tight clusters far apart along one column: the distances that matter
    # (~10) are tiny next to the squared norms (~1e9), beyond float32's reach.
    from tfaug.tabular.ops import neighbors
    rng = np.random.default_rng(5)
    centers = np.array([[0.0], [5e4], [1e5]]) * np.eye(1, 4)
    x = (centers[rng.integers(0, 3, 240)] + rng.normal(size=(240, 4))).astype(np.float32)
    n = len(x)
    _, _, certified = neighbors._search(tf.constant(x), tf.constant(x), tf.range(n), 5, 64,
                                        tf.float32)
    assert certified.numpy().mean() < 0.5  # the float32 pass knows it may be wrong
    d2, idx = ops.nearest_neighbors(x, 5, block_size=64)
    ref_d, ref_i = _reference(x, x, 5, True)
    np.testing.assert_array_equal(idx.numpy(), ref_i)
    np.testing.assert_allclose(d2.numpy(), ref_d, rtol=1e-5)


def test_graph_unknown_sizes_and_tf_data():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, 3)).astype(np.float32)
    fn = tf.function(lambda p: ops.nearest_neighbors(p, 4, block_size=16)[1],
                     input_signature=[tf.TensorSpec([None, None], tf.float32)])
    np.testing.assert_array_equal(fn(x).numpy(), _reference(x, x, 4, True)[1])
    ds = tf.data.Dataset.from_tensors(x).map(
        lambda p: ops.nearest_neighbors(p, 4, block_size=16)[1])
    np.testing.assert_array_equal(next(iter(ds)).numpy(), _reference(x, x, 4, True)[1])


def test_empty_queries():
    x = np.ones((5, 2), np.float32)
    d2, idx = ops.nearest_neighbors(x, 2, np.zeros((0, 2), np.float32))
    assert d2.shape == (0, 2) and idx.shape == (0, 2)


def test_errors():
    x = np.zeros((6, 2), np.float32)
    with pytest.raises(ValueError, match="`k`"):
        ops.nearest_neighbors(x, 6)  # only 5 other rows
    with pytest.raises(ValueError, match="`k`"):
        ops.nearest_neighbors(x, 0)
    with pytest.raises(ValueError, match="rank 2"):
        ops.nearest_neighbors(np.zeros(6, np.float32), 2)
    with pytest.raises(ValueError, match="same number of features"):
        ops.nearest_neighbors(x, 2, np.zeros((3, 3), np.float32))
    with pytest.raises(ValueError, match="NaN"):
        ops.nearest_neighbors(np.full((6, 2), np.nan, np.float32), 2)
    with pytest.raises(ValueError, match="NaN"):
        ops.nearest_neighbors(x, 2, np.full((2, 2), np.inf, np.float32))
    with pytest.raises(ValueError, match="query_indices"):
        ops.nearest_neighbors(x, 2, x[:3], query_indices=[0, 1])
    fn = tf.function(lambda p: ops.nearest_neighbors(p, 6)[1],
                     input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="`k`"):
        fn(x)


# ----------------------------------------------------------------- class_targets
LABELS = np.array([2] * 3 + [0] * 9 + [5] * 6 + [7] * 3)  # counts 0:9 2:3 5:6 7:3


@pytest.mark.parametrize("strategy,expected", [
    ("auto", [0, 6, 3, 6]),
    ("not majority", [0, 6, 3, 6]),
    ("minority", [0, 6, 0, 0]),        # tie 2/7 -> smallest class id (as imblearn)
    ("not minority", [0, 0, 3, 6]),
    ("all", [0, 6, 3, 6]),
    ({2: 10, 7: 3}, [0, 7, 0, 0]),
])
def test_class_targets_forms(strategy, expected):
    classes, counts, n_new = ops.class_targets(LABELS, strategy)
    np.testing.assert_array_equal(classes.numpy(), [0, 2, 5, 7])
    np.testing.assert_array_equal(counts.numpy(), [9, 3, 6, 3])
    np.testing.assert_array_equal(n_new.numpy(), expected)


@pytest.mark.parametrize("strategy", ["auto", "minority", "not minority", "all", 0.5,
                                      0.8, 1.0, {0: 40, 1: 30}])
def test_class_targets_matches_imblearn(strategy):
    from imblearn.utils import check_sampling_strategy
    y = np.array([0] * 30 + [1] * 12)
    ref = check_sampling_strategy(strategy, y, "over-sampling")
    classes, _, n_new = ops.class_targets(y, strategy)
    got = {c: n for c, n in zip(classes.numpy().tolist(), n_new.numpy().tolist())}
    assert {c: got[c] for c in ref} == dict(ref)
    assert all(got[c] == 0 for c in got if c not in ref)


def test_class_targets_bool_and_graph():
    y = np.array([True] * 2 + [False] * 5)
    classes, _, n_new = ops.class_targets(y, 0.8)
    assert classes.numpy().tolist() == [0, 1] and n_new.numpy().tolist() == [0, 2]
    fn = tf.function(lambda t: ops.class_targets(t, "auto")[2],
                     input_signature=[tf.TensorSpec([None], tf.int64)])
    np.testing.assert_array_equal(fn(LABELS).numpy(), [0, 6, 3, 6])


@pytest.mark.parametrize("strategy,match", [
    ("majority", "sampling_strategy"), ("bogus", "sampling_strategy"),
    (0.0, r"\(0, 1\]"), (1.5, r"\(0, 1\]"), ({}, "at least one"),
    ({0: -1}, "non-negative"), ({"a": 3}, "integer"), ([0, 1], "sampling_strategy"),
    (True, "sampling_strategy")])
def test_class_targets_bad_forms(strategy, match):
    with pytest.raises(ValueError, match=match):
        ops.class_targets(LABELS, strategy)


def test_class_targets_bad_values():
    with pytest.raises(ValueError, match="float only for binary"):
        ops.class_targets(LABELS, 0.5)
    with pytest.raises(ValueError, match="remove rows"):
        ops.class_targets(np.array([0] * 10 + [1] * 6), 0.5)
    with pytest.raises(ValueError, match=r"absent from `labels`: \[9\]"):
        ops.class_targets(LABELS, {9: 20})
    with pytest.raises(ValueError, match="fewer rows"):
        ops.class_targets(LABELS, {0: 4})
    with pytest.raises(ValueError, match="more than one class"):
        ops.class_targets(np.zeros(5, np.int32))
    with pytest.raises(ValueError, match="integer or bool"):
        ops.class_targets(np.zeros(5, np.float32))
    fn = tf.function(lambda t: ops.class_targets(t, {9: 20})[2],
                     input_signature=[tf.TensorSpec([None], tf.int64)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="absent"):
        fn(LABELS)
