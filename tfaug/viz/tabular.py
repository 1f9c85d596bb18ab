"""Tabular previews: where the synthetic rows fall next to the real rows of
their own class.

The figure has a 2-D PCA scatter and per-feature histograms:

* Every feature is standardized (z-score: the real rows' mean and standard
  deviation per column) before the PCA, so a column in large units cannot
  take the first component alone; the PCA (numpy SVD) is fitted on all the
  real rows, and each axis says its share of the variance and the columns
  that weigh most in it, by name.
* Synthetic rows are compared with the real rows *of the same class*: the
  scatter and histograms show the real rows of the classes the synthetic
  rows belong to (the minority class for ``SMOTE``) and leave the others out
  (the title counts them).
* Columns are named from the input: a ``feature_names`` option, a
  ``"feature_names"`` entry of a dict input, a pandas DataFrame's columns,
  or a CSV header (:func:`tfaug.viz.read_inputs`); ``x0``, ``x1``... only
  when the input has no names.

Which rows are synthetic: rows an oversampler (``SMOTE``,
``GenerativeOversampler``) appended after the input's rows, and, for
row-preserving layers (``GaussianNoise``, ``FeatureMask``, ``SwapNoise``,
``TabularMixUp``), the rows the layer changed (a NaN that stays NaN is
unchanged). Every row given is shown: ``n`` does not cut tabular inputs, as
oversampling depends on the class balance of the whole input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import tensorflow as tf

from tfaug import tabular as tabular_lib
from tfaug.viz import base

if TYPE_CHECKING:  # matplotlib (the [viz] extra) is imported on first use
    from matplotlib.figure import Figure

OPTIONS = ("feature_names", "max_features", "title")
_OVERSAMPLERS = (tabular_lib.SMOTE, tabular_lib.GenerativeOversampler)


def _impute(matrix, means):
    matrix = np.array(matrix, np.float64, copy=True)
    rows, cols = np.nonzero(~np.isfinite(matrix))
    matrix[rows, cols] = means[cols]
    return matrix


def _check_real(real):
    real = np.asarray(real, np.float64)
    if real.ndim != 2 or real.shape[0] == 0 or real.shape[1] == 0:
        raise ValueError(f"`real` must be a non-empty matrix [N, F], got shape {real.shape}.")
    return real


def standardize(
        real: np.ndarray,
        *others: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, np.ndarray]:
    """Z-scores every column with the real rows' mean and standard deviation.

    NaN/Inf entries are replaced by the real column mean first (z = 0); a
    constant column (standard deviation 0) is only centred.

    Args:
      real: ``[N, F]`` rows the statistics come from.
      *others: More ``[M, F]`` matrices scaled with the same statistics.

    Returns:
      ``(real_z [N, F], [other_z [M, F], ...], mean [F], scale [F])``: each
      column of ``real_z`` has mean 0 and variance 1 (0 if constant).

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x = rng.normal(size=(50, 2)) * [10.0, 1000.0]  # columns in very different units
      >>> x_new = x[:10] + rng.normal(size=(10, 2))
      >>> z, (z_new,), mean, scale = standardize(x, x_new)
      >>> np.allclose(z.mean(axis=0), 0), np.allclose(z.std(axis=0), 1)
      (True, True)
    """
    real = _check_real(real)
    finite = np.where(np.isfinite(real), real, np.nan)
    with np.errstate(all="ignore"):
        mean = np.nan_to_num(np.nanmean(finite, axis=0)) if np.isfinite(real).any() else \
            np.zeros(real.shape[1])
        filled = _impute(real, mean)
        scale = filled.std(axis=0)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    scaled = [(_impute(np.asarray(o, np.float64).reshape(-1, real.shape[1]), mean) - mean) /
              scale for o in others]
    return (filled - mean) / scale, scaled, mean, scale


def pca_axes(real: np.ndarray,
             standardized: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The first two principal axes of ``real``.

    Args:
      real: ``[N, F]`` rows.
      standardized: Z-score each column first (:func:`standardize`); False
        only centres (a column in large units then dominates).

    Returns:
      ``(mean [F], scale [F], axes [2, F], explained [2])``: rows are mapped
      by ``((x - mean) / scale) @ axes.T``; ``axes`` has unit rows (the
      squared entries of a row are each column's share of that axis);
      ``explained`` is each axis's share of the total variance. With one
      feature the second axis is 0.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x = rng.normal(size=(50, 2)) * [10.0, 1000.0]  # columns in very different units
      >>> x_new = x[:10] + rng.normal(size=(10, 2))
      >>> mean, scale, axes, explained = pca_axes(x)
      >>> axes.shape, bool(np.isclose(explained.sum(), 1.0))  # two features: all of it
      ((2, 2), True)
    """
    z, _, mean, scale = standardize(real)
    if not standardized:
        scale = np.ones_like(scale)
        z = _impute(_check_real(real), mean) - mean
    _, singular, vt = np.linalg.svd(z, full_matrices=False)
    axes = np.zeros([2, z.shape[1]])
    k = min(2, vt.shape[0])
    axes[:k] = vt[:k]
    variance = singular ** 2
    explained = np.zeros(2)
    if variance.sum() > 0:
        explained[:k] = variance[:k] / variance.sum()
    return mean, scale, axes, explained


def pca_2d(real: np.ndarray, *others: np.ndarray,
           standardized: bool = True) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Projects rows on the first two principal axes of the z-scored ``real`` rows.

    The PCA is fitted on ``real`` only (:func:`pca_axes`); ``others`` are
    standardized with the real rows' statistics and projected on the same
    axes.

    Args:
      real: ``[N, F]`` rows the axes are fitted on.
      *others: More ``[M, F]`` matrices projected on the same axes.
      standardized: Z-score the columns first (default); False only centres.

    Returns:
      ``(real_2d [N, 2], [other_2d [M, 2], ...], explained [2])``: the
      projections and the share of the real variance on each axis.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x = rng.normal(size=(50, 2)) * [10.0, 1000.0]  # columns in very different units
      >>> x_new = x[:10] + rng.normal(size=(10, 2))
      >>> real_2d, (synthetic_2d,), explained = pca_2d(x, x_new)
      >>> real_2d.shape, synthetic_2d.shape
      ((50, 2), (10, 2))
    """
    real = _check_real(real)
    mean, scale, axes, explained = pca_axes(real, standardized)

    def project(matrix):
        matrix = np.asarray(matrix, np.float64).reshape(-1, real.shape[1])
        return ((_impute(matrix, mean) - mean) / scale) @ axes.T

    return project(real), [project(o) for o in others], explained


def _class_ids(labels, rows):
    if labels is None:
        return np.zeros(rows, np.int64)
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] > 1:  # one-hot or mixed labels
        return np.argmax(labels, axis=1)
    return labels.reshape(rows).astype(np.int64)


def _axis_label(k, explained, axis, names, top=3):
    """``"PC1: 41% of variance; glucose +0.52, bmi +0.47, age +0.40"``."""
    order = np.argsort(-np.abs(axis))[:top]
    weights = ", ".join(f"{names[f]} {axis[f]:+.2f}" for f in order if axis[f] != 0)
    return f"PC{k + 1}: {explained:.0%} of variance; {weights}"


def tabular_figure(real: np.ndarray, synthetic: np.ndarray, real_labels: np.ndarray | None = None,
                   synthetic_labels: np.ndarray | None = None,
                   feature_names: Sequence[str] | None = None, max_features: int = 8,
                   title: str | None = None, classes: Sequence[int] | None = None) -> Figure:
    """PCA scatter and per-feature histograms of synthetic rows vs the real
    rows of the same class.

    Args:
      real: ``[N, F]`` real rows (the PCA is fitted on all of them, after a
        z-score per column).
      synthetic: ``[M, F]`` synthetic rows (``M`` may be 0).
      real_labels: Class ids ``[N]`` (or one-hot ``[N, K]``), or None.
      synthetic_labels: Class ids of the synthetic rows, or None.
      feature_names: Names of the ``F`` columns (default ``x0``, ``x1``...).
      max_features: Histograms for the first this many features.
      title: Optional figure title.
      classes: The classes shown; default: those of the synthetic rows (all
        classes when there are no synthetic rows or no labels). Real rows of
        other classes are left out of the scatter and the histograms.

    Returns:
      A matplotlib ``Figure`` (Agg canvas); its first axes is the scatter
      (one collection per class and kind, labelled ``class K real (n)`` /
      ``class K synthetic (n)``).

    Raises:
      ValueError: bad shapes, names or ``max_features``.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x = rng.normal(size=(50, 2)) * [10.0, 1000.0]  # columns in very different units
      >>> x_new = x[:10] + rng.normal(size=(10, 2))
      >>> y, y_new = np.arange(50) % 2, np.ones(10, int)
      >>> fig = tabular_figure(x, x_new, y, y_new, feature_names=["age", "bmi"])
      >>> type(fig).__name__
      'Figure'
    """
    real = _check_real(real)
    synthetic = np.asarray(synthetic, np.float64).reshape(-1, real.shape[-1])
    if isinstance(max_features, bool) or not isinstance(max_features, int) or max_features < 1:
        raise ValueError(f"`max_features` must be an int >= 1, got {max_features!r}.")
    width = real.shape[1]
    names = [str(n) for n in feature_names] if feature_names is not None else [
        f"x{k}" for k in range(width)]
    if len(names) != width:
        raise ValueError(f"`feature_names` must name the {width} features, got {len(names)}.")
    real_y = _class_ids(real_labels, real.shape[0])
    syn_y = _class_ids(synthetic_labels, synthetic.shape[0])
    if classes is None:
        classes = np.unique(syn_y) if synthetic.shape[0] and synthetic_labels is not None \
            else np.unique(real_y)
    classes = [int(c) for c in classes]
    shown_real = np.isin(real_y, classes)
    mean, scale, axes, explained = pca_axes(real)
    project = lambda m: ((_impute(m, mean) - mean) / scale) @ axes.T  # noqa: E731
    real_2d, syn_2d = project(real), project(synthetic)
    shown = min(width, max_features)
    fig = base.new_figure(1500, 620)
    grid = fig.add_gridspec(2, 6)
    scatter = fig.add_subplot(grid[:, :2])
    from matplotlib import colormaps
    cmap = colormaps["tab10"]
    for k, cls in enumerate(classes):
        # One class: real blue, synthetic red (as in the histograms); several:
        # a colour per class, dots real and crosses synthetic.
        color = "#1f77b4" if len(classes) == 1 else cmap(k % 10)
        pick = real_y == cls
        scatter.scatter(real_2d[pick, 0], real_2d[pick, 1], s=14, color=color, marker="o",
                        alpha=0.45, label=f"class {cls} real ({int(pick.sum())})")
        pick = syn_y == cls
        if pick.any():
            scatter.scatter(syn_2d[pick, 0], syn_2d[pick, 1], s=22, marker="x",
                            color="#d62728" if len(classes) == 1 else color,
                            label=f"class {cls} synthetic ({int(pick.sum())})")
    scatter.set_xlabel(_axis_label(0, explained[0], axes[0], names), fontsize=7)
    scatter.set_ylabel(_axis_label(1, explained[1], axes[1], names), fontsize=7)
    scatter.set_title(f"PCA of z-scored features, fitted on all {real.shape[0]} real rows",
                      fontsize=8)
    scatter.legend(fontsize=7, loc="best")
    scatter.tick_params(labelsize=6)
    target = real[shown_real]
    for f in range(shown):
        axis = fig.add_subplot(grid[f // 4, 2 + f % 4])
        r = target[:, f][np.isfinite(target[:, f])]
        s = synthetic[:, f][np.isfinite(synthetic[:, f])]
        both = np.concatenate([r, s])
        bins = np.histogram_bin_edges(both, bins=15) if both.size else 15
        axis.hist(r, bins=bins, density=True, alpha=0.55, color="#1f77b4", label="real")
        if s.size:
            axis.hist(s, bins=bins, density=True, alpha=0.55, color="#d62728",
                      label="synthetic")
        axis.set_title(names[f], fontsize=8)
        axis.tick_params(labelsize=6)
        if f == 0:
            axis.legend(fontsize=6)
    head = title or "tabular preview"
    which = ", ".join(str(c) for c in classes)
    others = int((~shown_real).sum())
    fig.suptitle(f"{head}\n{synthetic.shape[0]} synthetic rows vs the {int(shown_real.sum())} "
                 f"real rows of class {which}" +
                 (f" ({others} real rows of other classes not shown)" if others else "") +
                 f"; histograms of the first {shown} of {width} features", fontsize=9)
    fig.set_layout_engine("constrained")
    return fig


# ------------------------------------------------------------------- preview
def prepare(inputs):
    """User inputs -> ``(features [N, F] float array, labels [N] or None,
    feature names or None)``; names come from a dict's ``"feature_names"``
    or a DataFrame's columns."""
    names = None
    if isinstance(inputs, dict):
        if "features" not in inputs or set(inputs) - {"features", "labels", "feature_names"}:
            raise TypeError("tabular `inputs` dict must be {'features': [N, F], 'labels': "
                            f"[N], 'feature_names': [F] (optional)}}, got keys "
                            f"{sorted(inputs)}.")
        features, labels = inputs["features"], inputs.get("labels")
        names = inputs.get("feature_names")
    elif isinstance(inputs, tuple):
        if len(inputs) != 2:
            raise TypeError(f"tabular `inputs` tuple must be (features, labels), got "
                            f"{len(inputs)} items.")
        features, labels = inputs
    else:
        features, labels = inputs, None
    if isinstance(features, (str, bytes)):
        raise TypeError(f"tabular `features` must be a numeric matrix [N, F], got "
                        f"{type(features).__name__}.")
    if names is None and hasattr(features, "columns") and hasattr(features, "to_numpy"):
        names = [str(c) for c in features.columns]  # a pandas DataFrame
        features = features.to_numpy()
    x = np.asarray(base.to_numpy(features))
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise TypeError(f"tabular `features` must be a numeric matrix [N, F], got dtype "
                        f"{x.dtype}.")
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"tabular `features` must have shape [N, F] with N, F >= 1, got "
                         f"{x.shape}.")
    y = None if labels is None else np.asarray(base.to_numpy(labels))
    if y is not None and y.shape[0] != x.shape[0]:
        raise ValueError(f"tabular `labels` must have one entry per row ({x.shape[0]}), got "
                         f"shape {y.shape}.")
    if names is not None and len(names) != x.shape[1]:
        raise ValueError(f"tabular `feature_names` must name the {x.shape[1]} features, got "
                         f"{len(names)}.")
    return x.astype(np.float32), y, None if names is None else [str(n) for n in names]


def adapt_if_needed(layer, x, y):
    """Adapts every oversampler in ``layer`` that is not adapted yet on
    ``(x, y)`` (in place); returns the layers adapted."""
    adapted = []
    for leaf in base.leaves(layer):
        if isinstance(leaf, _OVERSAMPLERS) and y is not None and not leaf.is_adapted:
            leaf.adapt(x, y)
            adapted.append(leaf)
    return adapted


def changed_rows(original, output):
    """Bool ``[M]``: rows of ``output`` that are synthetic - appended beyond the
    ``N`` original rows, or differing from the original row (NaN == NaN)."""
    original = np.asarray(original)
    output = np.asarray(output)
    n = min(original.shape[0], output.shape[0])
    same = (output[:n] == original[:n]) | (np.isnan(output[:n]) & np.isnan(original[:n]))
    flags = np.ones(output.shape[0], bool)
    flags[:n] = ~np.all(same, axis=1)
    return flags


def build(layer, inputs, n, seed, variants, feature_names=None, max_features=8, title=None):
    """Runs ``layer`` and builds the tabular :class:`~tfaug.viz.base.Preview`;
    ``n`` is ignored (every row is shown). ``feature_names`` (the option)
    wins over names the inputs carry."""
    del n
    x, y, names = prepare(inputs)
    adapt_if_needed(layer, x, y)
    batch = tf.constant(x) if y is None else (tf.constant(x), tf.constant(y))
    outs, flags = [], []
    for j in range(variants):
        out = layer(batch, training=True, seed=base.variant_seed(seed, j))
        features, labels = (out if y is not None else (out, None))
        features = np.asarray(base.to_numpy(features), np.float32)
        labels = None if labels is None else np.asarray(base.to_numpy(labels))
        outs.append({"features": features, "labels": labels})
        flags.append(changed_rows(x, features))
    synthetic = np.concatenate([o["features"][f] for o, f in zip(outs, flags)])
    syn_labels = None
    if y is not None:
        syn_labels = np.concatenate([_class_ids(o["labels"], len(f))[f]
                                     for o, f in zip(outs, flags)])
    counts = ", ".join(str(int(f.sum())) for f in flags)
    head = title or (f"{type(layer).__name__} (seed {seed}): {variants} variants pooled, "
                     f"synthetic rows per variant: {counts}")
    figure = tabular_figure(x, synthetic, y, syn_labels,
                            feature_names=feature_names if feature_names is not None else names,
                            max_features=max_features, title=head)
    return base.Preview("tabular", {"features": x, "labels": y}, outs, figure=figure,
                        synthetic=flags, seed=seed, writer=base.write_figure)
