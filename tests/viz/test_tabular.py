"""Tabular previews: synthetic rows counted right, PCA of z-scored features fitted
on the real rows, synthetic rows against real rows of their class, named columns."""

import numpy as np
import pandas as pd
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


NAMES = ["income", "age", "bmi", "glucose", "insulin", "pressure", "skin", "pedigree"]


@pytest.fixture
def skewed():
    """120 rows of 8 features, 20 of them class 1; column 0 ("income") is in
    large units and carries 98 % of the raw variance."""
    rng = np.random.RandomState(3)
    x = rng.randn(120, 8)
    x[:, 0] *= np.sqrt(0.98 / 0.02 * 7)
    y = np.array([0] * 100 + [1] * 20, np.int64)
    x[100:, 1:4] += 2.0  # the minority class differs in age, bmi, glucose
    return x.astype(np.float32), y


def test_features_are_standardized_before_the_pca(skewed):
    x, _ = skewed
    raw = x.astype(np.float64).var(axis=0)
    assert raw[0] / raw.sum() == pytest.approx(0.98, abs=0.01)
    z, (z_again,), mean, scale = viz.standardize(x, x)
    np.testing.assert_allclose(z.var(axis=0), 1.0, atol=1e-9)
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(z_again, z)
    # Unscaled, "income" is the first component; standardized, no column carries half.
    _, _, raw_axes, _ = viz.pca_axes(x, standardized=False)
    _, _, axes, explained = viz.pca_axes(x)
    assert raw_axes[0, 0] ** 2 > 0.95
    assert (axes[0] ** 2).max() < 0.5 and (axes[1] ** 2).max() < 0.5
    np.testing.assert_allclose((axes ** 2).sum(axis=1), 1.0)
    real_2d, _, shares = viz.pca_2d(x)
    np.testing.assert_allclose(shares, explained)
    np.testing.assert_allclose(real_2d[:, 0].var() / z.var(axis=0).sum(), explained[0])


def _scatter_sets(fig):
    """{collection label: offsets} of the PCA scatter (the figure's first axes)."""
    return {c.get_label(): np.asarray(c.get_offsets()) for c in fig.axes[0].collections}


def test_synthetic_rows_are_shown_with_the_real_rows_of_their_class(skewed, tmp_path):
    x, y = skewed
    frame = pd.DataFrame(x, columns=NAMES)
    p = viz.preview(tabular.SMOTE(k_neighbors=5), (frame, y), variants=2, path=None)
    sets = _scatter_sets(p.figure)
    synthetic = sum(int(f.sum()) for f in p.synthetic)
    assert sorted(sets) == ["class 1 real (20)", f"class 1 synthetic ({synthetic})"]
    real_2d, (syn_2d,), explained = viz.pca_2d(x, np.concatenate(
        [o["features"][f] for o, f in zip(p.variants, p.synthetic)]))
    np.testing.assert_allclose(sets["class 1 real (20)"], real_2d[y == 1], atol=1e-6)
    np.testing.assert_allclose(sets[f"class 1 synthetic ({synthetic})"], syn_2d, atol=1e-6)
    # Histograms compare the same rows: class 1 real vs synthetic, named by column.
    hist = p.figure.axes[1]
    real_heights = np.array([b.get_height() for b in hist.containers[0]])
    edges = [b.get_x() for b in hist.containers[0]] + [hist.containers[0][-1].get_x() +
                                                       hist.containers[0][-1].get_width()]
    want, _ = np.histogram(x[y == 1, 0], bins=edges, density=True)
    np.testing.assert_allclose(real_heights, want, rtol=1e-6)
    assert [a.get_title() for a in p.figure.axes[1:]] == NAMES
    xlabel = p.figure.axes[0].get_xlabel()
    assert xlabel.startswith(f"PC1: {explained[0]:.0%} of variance; ")
    assert any(name in xlabel for name in NAMES[1:4]) and "x0" not in xlabel
    assert "100 real rows of other classes not shown" in p.figure._suptitle.get_text()
    # The names of a CSV header come through read_inputs the same way.
    lines = [",".join(NAMES + ["label"])] + [",".join(map(str, list(r) + [c]))
                                              for r, c in zip(x, y)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = viz.read_inputs([tmp_path / "t.csv"], "tabular")
    p = viz.preview(tabular.SMOTE(k_neighbors=5), table, variants=1, path=None,
                    max_features=4)
    assert [a.get_title() for a in p.figure.axes[1:]] == NAMES[:4]
    named = viz.preview(tabular.GaussianNoise(0.1), (x, y), variants=1, path=None,
                        feature_names=[n.upper() for n in NAMES])
    assert named.figure.axes[1].get_title() == "INCOME"
    # A row-preserving layer changes rows of both classes: both are shown.
    assert sorted(_scatter_sets(named.figure))[:2] == ["class 0 real (100)",
                                                       "class 0 synthetic (100)"]
