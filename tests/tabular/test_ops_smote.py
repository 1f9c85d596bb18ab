"""Properties of the SMOTE family ops against numpy / imbalanced-learn references."""

import warnings

import numpy as np
import pytest
import tensorflow as tf
from sklearn.neighbors import NearestNeighbors

from tfaug.tabular import ops


def _data(seed=0, sizes=(120, 30, 18), f=4):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(loc=c, size=(n, f)) for c, n in enumerate(sizes)])
    y = np.concatenate([np.full(n, c) for c, n in enumerate(sizes)])
    return x.astype(np.float32), y


def _knn(x, k):
    """Stable numpy brute force, each row excluded from its own neighbours."""
    d = ((x[:, None].astype(np.float64) - x[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    return np.argsort(d, axis=1, kind="stable")[:, :k]


def _fits(new, base, pool, nbrs, tol=1e-4):
    """fits[m, i, c]: new[m] = base[i] + t (pool[nbrs[i, c]] - base[i]) to
    ``tol`` for some t in [0, 1); also returns those t."""
    b = base[:, None, :].astype(np.float64)                # [R, 1, F]
    v = pool[nbrs].astype(np.float64) - b                  # [R, k, F]
    w = new[:, None, None, :].astype(np.float64) - b[None]  # [M, R, 1, F]
    t = (w * v[None]).sum(-1) / np.maximum((v * v).sum(-1), 1e-30)[None]
    res = np.abs(w - t[..., None] * v[None]).max(-1)
    return (res <= tol) & (t >= -1e-6) & (t < 1 + 1e-6), t


def _segments(new, base, pool, nbrs, tol=1e-4):
    """One (i, j, t) per new row with new = base[i] + t (pool[j] - base[i]),
    j among nbrs[i] (the best fit); i = j = -1 where none fits."""
    fits, t = _fits(new, base, pool, nbrs, tol)
    flat = fits.reshape(len(new), -1)
    i, c = np.unravel_index(flat.argmax(1), nbrs.shape)
    ok = flat.any(1)
    return (np.where(ok, i, -1), np.where(ok, nbrs[i, c], -1),
            t[np.arange(len(new)), i, c])


# ----------------------------------------------------------------------- smote
@pytest.mark.parametrize("k", [1, 5])
def test_smote_rows_on_segments_to_k_nearest(k):
    x, y = _data()
    xr, yr = ops.smote(x, y, k_neighbors=k, seed=3)
    xr, yr = xr.numpy(), yr.numpy()
    np.testing.assert_array_equal(xr[:len(x)], x)       # originals first, unchanged
    np.testing.assert_array_equal(yr[:len(y)], y)
    for c in (1, 2):
        xc = x[y == c]
        new = xr[len(x):][yr[len(x):] == c]
        i, j, t = _segments(new, xc, xc, _knn(xc, k))
        assert np.all(i >= 0), "a synthetic row is off every row-neighbour segment"
        assert np.all((t >= 0) & (t < 1))
        assert len(np.unique(i)) > len(xc) // 2            # base rows spread


@pytest.mark.parametrize("strategy,expected", [
    ("auto", [120, 120, 120]), ("minority", [120, 30, 120]),
    ("not minority", [120, 120, 18]), ("all", [120, 120, 120]),
    ({1: 50, 2: 18}, [120, 50, 18])])
def test_smote_counts_per_strategy(strategy, expected):
    x, y = _data()
    _, yr = ops.smote(x, y, sampling_strategy=strategy, seed=0)
    np.testing.assert_array_equal(np.bincount(yr.numpy()), expected)
    # New rows come class by class, ascending.
    assert np.all(np.diff(yr.numpy()[len(y):]) >= 0)


def test_smote_seed_determinism_and_dtypes():
    x, y = _data()
    a = ops.smote(x, y, seed=7)[0].numpy()
    b = ops.smote(x, y, seed=7)[0].numpy()
    c = ops.smote(x, y, seed=8)[0].numpy()
    d = ops.smote(x, y, seed=tf.constant([7, 0], tf.int64))[0].numpy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, d)
    assert not np.allclose(a[len(x):], c[len(x):])
    assert ops.smote(x, y)[0].shape == a.shape          # seed=None works
    xr, yr = ops.smote(x.astype(np.float64), (y == 2), seed=1)
    assert xr.dtype == tf.float32 and yr.dtype == tf.bool
    assert int(tf.reduce_sum(tf.cast(yr, tf.int32))) == int((y != 2).sum())
    _, yr = ops.smote(x, y.astype(np.int64), seed=1)
    assert yr.dtype == tf.int64


def test_smote_in_tf_function_and_tf_data():
    x, y = _data()
    eager = ops.smote(x, y, seed=[1, 2])
    fn = tf.function(lambda a, b: ops.smote(a, b, seed=[1, 2], block_size=16),
                     input_signature=[tf.TensorSpec([None, 4]), tf.TensorSpec([None], tf.int64)])
    graph = fn(x, y)
    np.testing.assert_allclose(graph[0].numpy(), eager[0].numpy(), atol=1e-5)
    np.testing.assert_array_equal(graph[1].numpy(), eager[1].numpy())
    ds = tf.data.Dataset.from_tensors((x, y)).map(lambda a, b: ops.smote(a, b, seed=[1, 2]))
    xd, yd = next(iter(ds))
    np.testing.assert_allclose(xd.numpy(), eager[0].numpy(), atol=1e-5)
    np.testing.assert_array_equal(yd.numpy(), eager[1].numpy())


@pytest.mark.parametrize("name", ["smote_nc", "borderline-1", "borderline-2", "adasyn",
                                  "random", "random_shrink"])
def test_every_resampler_in_tf_function_equals_eager(name):
    x, y = _overlap()
    x = np.column_stack([x, (x[:, 0] > 0).astype(np.float32)])  # a categorical column
    fns = {"smote_nc": lambda a, b: ops.smote_nc(a, b, [2], seed=[3, 4]),
           "borderline-1": lambda a, b: ops.borderline_smote(a, b, seed=[3, 4]),
           "borderline-2": lambda a, b: ops.borderline_smote(a, b, "borderline-2",
                                                             seed=[3, 4]),
           "adasyn": lambda a, b: ops.adasyn(a, b, seed=[3, 4]),
           "random": lambda a, b: ops.random_oversample(a, b, seed=[3, 4]),
           "random_shrink": lambda a, b: ops.random_oversample(a, b, shrinkage=1.0,
                                                               seed=[3, 4])}
    eager = fns[name](x, y)
    graph = tf.function(fns[name], input_signature=[
        tf.TensorSpec([None, 3]), tf.TensorSpec([None], tf.int64)])(x, y)
    np.testing.assert_allclose(graph[0].numpy(), eager[0].numpy(), atol=1e-5)
    np.testing.assert_array_equal(graph[1].numpy(), eager[1].numpy())


# ------------------------------------------------------------- table / sampling
def test_sample_table_weights_and_empty_class():
    x, y = _data()
    table = ops.build_table(x, y, classes=[1, 2])
    # Zero weight everywhere in class 2 -> no rows for it, no crash.
    w = tf.where(table["base_class"] == 0, table["weight"], 0.0)
    new_x, new_y = ops.sample_table(5, dict(table, weight=w), [40, 40])
    assert new_y.numpy().tolist() == [1] * 40
    # Only one row with positive weight -> every new row starts from it.
    w = tf.one_hot(3, tf.size(table["weight"]))
    rows, cls = ops.draw_rows([1, 1], table["base_class"], w, [25, 0])
    assert set(rows.numpy().tolist()) == {3} and set(cls.numpy().tolist()) == {0}
    # Uniform weights: each base row drawn about equally often.
    rows, _ = ops.draw_rows([2, 2], table["base_class"], table["weight"], [30000, 0])
    freq = np.bincount(rows.numpy(), minlength=30)[:30] / 30000
    assert np.abs(freq - 1 / 30).max() < 0.01
    empty, labels = ops.sample_table(1, table, [0, 0])
    assert empty.shape == (0, 4) and labels.shape == (0,)


def test_sample_table_from_variables_saved_model(tmp_path):
    x, y, cat = _mixed()
    table = ops.build_table(x, y, variant="smote-nc", categorical_features=cat, classes=[1])

    class Holder(tf.Module):
        def __init__(self):
            super().__init__()
            self.table = {key: tf.Variable(value, trainable=False,
                                           shape=tf.TensorShape([None] * value.shape.rank))
                          for key, value in table.items()}

        @tf.function(input_signature=[tf.TensorSpec([2], tf.int64),
                                      tf.TensorSpec([1], tf.int32)])
        def sample(self, seed, n_new):
            return ops.sample_table(seed, {k: v.read_value() for k, v in self.table.items()},
                                    n_new)

    holder = Holder()
    seed, n_new = tf.constant([5, 6], tf.int64), tf.constant([9])
    expected = ops.sample_table(seed, table, n_new)
    np.testing.assert_allclose(holder.sample(seed, n_new)[0].numpy(), expected[0].numpy())
    tf.saved_model.save(holder, str(tmp_path))
    loaded = tf.saved_model.load(str(tmp_path))
    got = loaded.sample(seed, n_new)
    np.testing.assert_allclose(got[0].numpy(), expected[0].numpy())
    np.testing.assert_array_equal(got[1].numpy(), [1] * 9)
    # Plain tables after categorical ones (the compiled geometry relaxes shapes).
    for n in (50, 80, 120):
        xs, ys = _data(n)
        xr, _ = ops.smote(xs, ys, seed=n)
        assert xr.shape == (360, 4) and np.isfinite(xr.numpy()).all()


# -------------------------------------------------------------------- smote_nc
def _mixed(seed=0):
    rng = np.random.default_rng(seed)
    n_maj, n_min = 90, 30
    n = n_maj + n_min
    cont = rng.normal(size=(n, 3)) + np.r_[np.zeros(n_maj), np.ones(n_min)][:, None]
    cat1 = rng.integers(0, 3, n)
    cat2 = rng.integers(0, 4, n) * 10
    x = np.column_stack([cont[:, 0], cat1, cont[:, 1], cat2, cont[:, 2]])
    y = np.r_[np.zeros(n_maj, int), np.ones(n_min, int)]
    return x.astype(np.float32), y, [1, 3]


def _vote(vals):
    out = []
    for row in vals:
        v, c = np.unique(row, return_counts=True)
        out.append(v[c == c.max()].min())
    return np.array(out)


def test_smote_nc_neighbours_equal_imblearn_and_votes():
    from imblearn.over_sampling import SMOTENC
    x, y, cat = _mixed()
    sm = SMOTENC(categorical_features=cat, k_neighbors=5, random_state=0)
    sm.fit_resample(x.astype(np.float64), y)
    enc = sm.nn_k_._fit_X  # imblearn's encoded minority rows
    enc = enc.toarray() if hasattr(enc, "toarray") else enc
    ref_d, ref = sm.nn_k_.kneighbors(enc, 6)
    table = ops.build_table(x, y, variant="smote-nc", categorical_features=cat, classes=[1])
    got = table["neighbors"].numpy()  # pool of class 1 only: indices into its rows
    for r in range(len(got)):
        if set(got[r]) != set(ref[r, 1:]):  # only exact distance ties may differ
            d = ((enc[got[r]] - enc[r]) ** 2).sum(1)
            np.testing.assert_allclose(np.sort(d), np.sort(ref_d[r, 1:] ** 2), rtol=1e-5)
    xm = x[y == 1]
    for j, col in enumerate(cat):
        np.testing.assert_array_equal(table["categorical"].numpy()[:, j],
                                      _vote(xm[got][:, :, col]))
    xr, yr = ops.smote_nc(x, y, cat, seed=4)
    new = xr.numpy()[len(x):]
    cont = [0, 2, 4]
    fits, _ = _fits(new[:, cont], xm[:, cont], xm[:, cont], got)  # [M, R, k]
    votes_match = np.all(new[:, None, cat] == table["categorical"].numpy()[None], -1)
    # Some (base row, neighbour) segment carries the row, and that base row's
    # votes are its categorical values.
    assert np.all((fits.any(2) & votes_match).any(1))
    np.testing.assert_array_equal(np.bincount(yr.numpy()), [90, 90])


def test_smote_nc_bool_mask_and_errors():
    x, y, _ = _mixed()
    mask = [False, True, False, True, False]
    a = ops.smote_nc(x, y, mask, seed=1)[0].numpy()
    b = ops.smote_nc(x, y, [1, 3], seed=1)[0].numpy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="categorical_features"):
        ops.smote_nc(x, y, [0, 1, 2, 3, 4])
    with pytest.raises(ValueError, match="categorical_features"):
        ops.smote_nc(x, y, [7])
    with pytest.raises(ValueError, match="categorical_features"):
        ops.smote_nc(x, y, [])
    with pytest.raises(ValueError, match="categorical_features"):
        ops.build_table(x, y, variant="smote", categorical_features=[1])


# ----------------------------------------------------------------- borderline
def _overlap(seed=1):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(size=(150, 2)), rng.normal(loc=1.0, size=(40, 2))])
    y = np.r_[np.zeros(150, int), np.ones(40, int)]
    return x.astype(np.float32), y


@pytest.mark.parametrize("kind", ["borderline-1", "borderline-2"])
def test_borderline_base_rows_are_imblearn_danger_rows(kind):
    from imblearn.over_sampling import BorderlineSMOTE
    x, y = _overlap()
    sm = BorderlineSMOTE(kind=kind, k_neighbors=5, m_neighbors=10, random_state=0)
    sm.fit_resample(x.astype(np.float64), y)
    danger = sm.in_danger_indices[1]
    # The same rule from a plain sklearn search.
    nn = NearestNeighbors(n_neighbors=11).fit(x).kneighbors(x[y == 1])[1][:, 1:]
    n_other = (y[nn] != 1).sum(1)
    mask = (n_other >= 5) & (n_other < 10)
    np.testing.assert_array_equal(np.flatnonzero(y == 1)[mask], danger)
    table = ops.build_table(x, y, variant=kind, classes=[1])
    np.testing.assert_array_equal(table["base"].numpy(), x[danger])
    xr, yr = ops.borderline_smote(x, y, kind=kind, seed=2)
    new = xr.numpy()[len(x):]
    assert len(new) == 110 and np.all(yr.numpy()[len(x):] == 1)
    if kind == "borderline-1":
        xm = x[y == 1]
        nbrs = _knn(xm, 5)[mask]
        i, _, _ = _segments(new, x[danger], xm, nbrs)
    else:
        d = ((x[danger][:, None].astype(np.float64) - x[None]) ** 2).sum(-1)
        d[np.arange(len(danger)), danger] = np.inf
        nbrs = np.argsort(d, axis=1, kind="stable")[:, :5]
        i, j, t = _segments(new, x[danger], x, nbrs)
        other = y[j] != 1
        assert other.any() and np.all(t[other] < 0.5)
    assert np.all(i >= 0)


def test_borderline_no_danger_rows_gives_no_rows():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(size=(60, 2)), 50 + rng.normal(size=(20, 2))])
    y = np.r_[np.zeros(60, int), np.ones(20, int)]
    with pytest.warns(UserWarning, match="no 'danger' row"):
        xr, yr = ops.borderline_smote(x, y, seed=0)
    assert xr.shape == (80, 2)
    from imblearn.over_sampling import BorderlineSMOTE
    assert BorderlineSMOTE().fit_resample(x, y)[0].shape == (80, 2)


# ----------------------------------------------------------------------- adasyn
def test_adasyn_per_row_counts_follow_imblearn_rint_rule():
    from imblearn.over_sampling import ADASYN
    x, y = _overlap()
    table = ops.build_table(x, y, variant="adasyn", k_neighbors=5, classes=[1])
    nn = NearestNeighbors(n_neighbors=6).fit(x).kneighbors(x[y == 1])[1][:, 1:]
    ratio = (y[nn] != 1).sum(1) / 5
    ratio /= ratio.sum()
    ref = np.rint(ratio * 110).astype(int)
    np.testing.assert_array_equal(ops.adasyn_counts(table, tf.constant([110]), 5).numpy(), ref)
    xr, yr = ops.adasyn(x, y, n_neighbors=5, seed=3)
    _, y_ref = ADASYN(n_neighbors=5, random_state=0).fit_resample(x.astype(np.float64), y)
    np.testing.assert_array_equal(np.bincount(yr.numpy()), np.bincount(y_ref))
    new = xr.numpy()[len(x):]
    xm = x[y == 1]
    fits, _ = _fits(new, xm, xm, _knn(xm, 5))
    assert np.all(fits.any((1, 2)))
    # New rows come base row by base row: the first ref[0] from row 0, ...
    owner = np.repeat(np.arange(len(xm)), ref)
    assert np.all(fits[np.arange(len(new)), owner].any(1))


def test_adasyn_without_other_class_neighbours_raises():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(size=(60, 2)), 50 + rng.normal(size=(20, 2))])
    y = np.r_[np.zeros(60, int), np.ones(20, int)]
    with pytest.raises(RuntimeError, match="not any neighbour"):
        ops.adasyn(x, y)


# ------------------------------------------------------------ random_oversample
def test_random_oversample_bootstrap_rows_exist():
    x, y = _data()
    xr, yr = ops.random_oversample(x, y, seed=0)
    xr, yr = xr.numpy(), yr.numpy()
    np.testing.assert_array_equal(np.bincount(yr), [120, 120, 120])
    for row, c in zip(xr[len(x):], yr[len(x):]):
        assert np.any(np.all(x[y == c] == row, axis=1))


def test_random_oversample_shrinkage_noise_scale():
    from imblearn.over_sampling import RandomOverSampler
    rng = np.random.default_rng(0)
    scales = np.array([1.0, 5.0, 0.2])
    x = np.concatenate([rng.normal(size=(1500, 3)), rng.normal(size=(60, 3)) * scales])
    y = np.r_[np.zeros(1500, int), np.ones(60, int)]
    plain = ops.random_oversample(x, y, seed=9)[0].numpy()[len(x):]
    smooth = ops.random_oversample(x, y, shrinkage=2.0, seed=9)[0].numpy()[len(x):]
    noise_std = (smooth - plain).std(0)  # same seed -> same bootstrap rows
    n, f = x.shape
    expected = 2.0 * x[y == 1].std(0) * (4 / ((f + 2) * n)) ** (1 / (f + 4))
    np.testing.assert_allclose(noise_std, expected, rtol=0.1)
    ros = RandomOverSampler(shrinkage=2.0, random_state=0)
    xi, _ = ros.fit_resample(x, y)
    ref_std = (xi[len(x):] - x[ros.sample_indices_[len(x):]]).std(0)
    np.testing.assert_allclose(noise_std, ref_std, rtol=0.15)
    with pytest.raises(ValueError, match="shrinkage"):
        ops.random_oversample(x, y, shrinkage=-1.0)
    with pytest.raises(ValueError, match="every class"):
        ops.random_oversample(x, y, shrinkage={0: 1.0})
    assert ops.random_oversample(x, y, shrinkage={1: 1.0}, seed=1)[0].shape == (3000, 3)


# ----------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("fn", [ops.smote, ops.adasyn, ops.random_oversample,
                                ops.borderline_smote])
def test_bad_inputs(fn):
    x, y = _data()
    with pytest.raises(ValueError, match="rank 2"):
        fn(x[:, 0], y)
    with pytest.raises(ValueError, match="rank 1"):
        fn(x, y[:, None])
    with pytest.raises(ValueError, match="same number of rows"):
        fn(x, y[:-1])
    with pytest.raises(ValueError, match="NaN"):
        fn(np.where(np.arange(len(x))[:, None] == 3, np.nan, x), y)
    with pytest.raises(ValueError, match="empty"):
        fn(np.zeros((0, 4), np.float32), np.zeros(0, np.int32))
    with pytest.raises(ValueError, match="more than one class"):
        fn(x, np.zeros(len(x), np.int32))
    with pytest.raises(ValueError, match="integer or bool"):
        fn(x, y.astype(np.float32))
    with pytest.raises(ValueError, match="sampling_strategy"):
        fn(x, y, sampling_strategy="majority")


def test_too_few_rows_names_k_neighbors():
    x, y = _data(sizes=(40, 5, 20))
    with pytest.raises(ValueError, match=r"`k_neighbors`=5.*class 1 has 5"):
        ops.smote(x, y, k_neighbors=5)
    # k_neighbors=4 is enough; and a class that does not grow is not checked.
    assert ops.smote(x, y, k_neighbors=4, seed=0)[0].shape == (120, 4)
    assert ops.smote(x, y, sampling_strategy={2: 30}, seed=0)[0].shape == (75, 4)
    fn = tf.function(lambda a, b: ops.smote(a, b, seed=[0, 0]),
                     input_signature=[tf.TensorSpec([None, 4]), tf.TensorSpec([None], tf.int64)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="k_neighbors"):
        fn(x, y)
    with pytest.raises(ValueError, match="kind"):
        ops.borderline_smote(x, y, kind="borderline-3")
    with pytest.raises(ValueError, match="variant"):
        ops.build_table(x, y, variant="svm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="m_neighbors"):
            ops.borderline_smote(x[:12], np.r_[np.zeros(6, int), np.ones(6, int)],
                                 k_neighbors=2, m_neighbors=12)
