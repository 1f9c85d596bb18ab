"""Tabular previews: synthetic rows counted right, PCA on the real rows."""

import numpy as np
import pytest
import tensorflow as tf

from tfaug import tabular
from tfaug import viz
from tests.viz.conftest import listing


@pytest.fixture
def table():
    """20 rows, 4 features, 15 of class 0 and 5 of class 1."""
    rng = np.random.RandomState(0)
    x = rng.randn(20, 4).astype(np.float32)
    x[15:] += 3.0
    y = np.array([0] * 15 + [1] * 5, np.int64)
    return x, y


def test_smote_is_adapted_and_synthetic_rows_counted(table, in_tmp):
    x, y = table
    layer = tabular.SMOTE(k_neighbors=3)
    p = viz.preview(layer, (x, y), n=1, variants=2, path="smote.png")
    assert listing(in_tmp) == ["smote.png"]
    np.testing.assert_array_equal(p.originals["features"], x)  # every row, n ignored
    for out, flags in zip(p.variants, p.synthetic):
        assert out["features"].shape == (30, 4)
        np.testing.assert_array_equal(flags, np.arange(30) >= 20)   # 15 - 5 appended
        np.testing.assert_array_equal(out["labels"][20:], 1)
        np.testing.assert_array_equal(out["features"][:20], x)
    # Adapted in place: the same call now works directly, with the same result.
    again = layer((tf.constant(x), tf.constant(y)), training=True, seed=viz.variant_seed(0, 1))
    np.testing.assert_array_equal(again[0].numpy(), p.variants[1]["features"])


def test_row_preserving_layer_marks_the_changed_rows(table):
    x, y = table
    p = viz.preview(tabular.GaussianNoise(0.5, probability=0.5), (x, y), variants=2,
                    seed=3, path=None)
    for out, flags in zip(p.variants, p.synthetic):
        assert out["features"].shape == (20, 4) and flags.shape == (20,)
        changed = np.any(out["features"] != x, axis=1)
        np.testing.assert_array_equal(flags, changed)
        assert 0 < flags.sum() < 20


def test_feature_mask_nan_rows_are_synthetic(table):
    x, y = table
    p = viz.preview(tabular.FeatureMask(0.3), {"features": x, "labels": y}, variants=1,
                    path=None)
    out, flags = p.variants[0]["features"], p.synthetic[0]
    np.testing.assert_array_equal(flags, np.isnan(out).any(axis=1))
    assert p.to_image().shape[2] == 3


def test_same_seed_same_preview(table):
    x, y = table
    a = viz.preview(tabular.SwapNoise(0.3), (x, y), seed=1, path=None)
    b = viz.preview(tabular.SwapNoise(0.3), (x, y), seed=1, path=None)
    c = viz.preview(tabular.SwapNoise(0.3), (x, y), seed=2, path=None)
    for u, v in zip(a.variants, b.variants):
        np.testing.assert_array_equal(u["features"], v["features"])
    assert any(not np.array_equal(u["features"], v["features"])
               for u, v in zip(a.variants, c.variants))


def test_pca_2d_shapes_and_fit_on_real_rows(table):
    x, _ = table
    extra = np.vstack([x[:3] + 0.1, np.full([1, 4], np.nan)])
    real_2d, (extra_2d,), explained = viz.pca_2d(x, extra)
    assert real_2d.shape == (20, 2) and extra_2d.shape == (4, 2)
    np.testing.assert_allclose(real_2d.mean(axis=0), 0.0, atol=1e-9)
    assert real_2d[:, 0].var() >= real_2d[:, 1].var()
    assert 0 < explained.sum() <= 1 + 1e-9 and explained[0] >= explained[1]
    np.testing.assert_allclose(extra_2d[3], 0.0, atol=1e-9)  # NaN -> the real means
    one_2d, _, _ = viz.pca_2d(x[:, :1])
    np.testing.assert_array_equal(one_2d[:, 1], 0.0)


def test_tabular_figure_alone(table):
    x, y = table
    fig = viz.tabular_figure(x, x[:5] + 0.5, y, y[:5], feature_names=list("abcd"),
                             max_features=2)
    assert len(fig.axes) == 3  # PCA + two histograms
    assert "first 2 of 4 features" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match="feature_names"):
        viz.tabular_figure(x, x, feature_names=["a"])


def test_wrong_inputs_for_tabular(table):
    x, y = table
    with pytest.raises(TypeError, match="numeric matrix"):
        viz.preview(tabular.GaussianNoise(), ["a", "b"], path=None)
    with pytest.raises(ValueError, match=r"\[N, F\]"):
        viz.preview(tabular.GaussianNoise(), x[0], path=None)
    with pytest.raises(ValueError, match="one entry per row"):
        viz.preview(tabular.GaussianNoise(), (x, y[:3]), path=None)
    with pytest.raises(TypeError, match="'features'"):
        viz.preview(tabular.GaussianNoise(), {"x": x}, path=None)
