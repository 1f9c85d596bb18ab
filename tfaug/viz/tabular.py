"""Tabular previews: where the synthetic rows fall next to the real ones.

A 2-D PCA (numpy SVD, fitted on the real rows only) scatter per class, real
rows as dots and synthetic rows as crosses, and per-feature histograms of real
vs synthetic values (the first ``max_features`` features, 8 by default; the
title says how many are shown).

Which rows are synthetic: rows an oversampler (``SMOTE``,
``GenerativeOversampler``) appended after the input's rows, and, for
row-preserving layers (``GaussianNoise``, ``FeatureMask``, ``SwapNoise``,
``TabularMixUp``), the rows the layer changed (a NaN that stays NaN is
unchanged). Every row given is shown: ``n`` does not cut tabular inputs, as
oversampling depends on the class balance of the whole input.
"""

import numpy as np
import tensorflow as tf

from tfaug import tabular as tabular_lib
from tfaug.viz import base

OPTIONS = ("feature_names", "max_features", "title")
_OVERSAMPLERS = (tabular_lib.SMOTE, tabular_lib.GenerativeOversampler)


def _impute(matrix, means):
    matrix = np.array(matrix, np.float64, copy=True)
    rows, cols = np.nonzero(~np.isfinite(matrix))
    matrix[rows, cols] = means[cols]
    return matrix


def pca_2d(real, *others):
    """Projects rows on the first two principal axes of ``real``.

    The PCA is fitted on ``real`` only (centered, numpy SVD); NaN/Inf entries
    are replaced by the real column means first. With one feature the second
    coordinate is 0.

    Args:
      real: ``[N, F]`` rows the axes are fitted on.
      *others: More ``[M, F]`` matrices projected on the same axes.

    Returns:
      ``(real_2d [N, 2], [other_2d [M, 2], ...], explained [2])``: the
      projections and the share of the real variance on each axis.

    Example:
      >>> real_2d, (synthetic_2d,), explained = pca_2d(x, x_new)
    """
    real = np.asarray(real, np.float64)
    if real.ndim != 2 or real.shape[0] == 0 or real.shape[1] == 0:
        raise ValueError(f"`real` must be a non-empty matrix [N, F], got shape {real.shape}.")
    means = np.nanmean(np.where(np.isfinite(real), real, np.nan), axis=0)
    means = np.nan_to_num(means)
    centered = _impute(real, means) - means
    _, singular, vt = np.linalg.svd(centered, full_matrices=False)
    axes = np.zeros([2, real.shape[1]])
    k = min(2, vt.shape[0])
    axes[:k] = vt[:k]
    variance = singular ** 2
    explained = np.zeros(2)
    if variance.sum() > 0:
        explained[:k] = variance[:k] / variance.sum()
    project = []
    for other in others:
        other = np.asarray(other, np.float64).reshape(-1, real.shape[1])
        project.append((_impute(other, means) - means) @ axes.T)
    return centered @ axes.T, project, explained


def _class_ids(labels, rows):
    if labels is None:
        return np.zeros(rows, np.int64)
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] > 1:  # one-hot or mixed labels
        return np.argmax(labels, axis=1)
    return labels.reshape(rows).astype(np.int64)


def tabular_figure(real, synthetic, real_labels=None, synthetic_labels=None,
                   feature_names=None, max_features=8, title=None):
    """PCA scatter and per-feature histograms of real vs synthetic rows.

    Args:
      real: ``[N, F]`` real rows (the PCA is fitted on them).
      synthetic: ``[M, F]`` synthetic rows (``M`` may be 0).
      real_labels: Class ids ``[N]`` (or one-hot ``[N, K]``), or None.
      synthetic_labels: Class ids of the synthetic rows, or None.
      feature_names: Optional names of the ``F`` columns.
      max_features: Histograms for the first this many features.
      title: Optional figure title.

    Returns:
      A matplotlib ``Figure`` (Agg canvas).

    Example:
      >>> fig = tabular_figure(x, x_new, y, y_new)
    """
    real = np.asarray(real, np.float64)
    synthetic = np.asarray(synthetic, np.float64).reshape(-1, real.shape[-1])
    if isinstance(max_features, bool) or not isinstance(max_features, int) or max_features < 1:
        raise ValueError(f"`max_features` must be an int >= 1, got {max_features!r}.")
    width = real.shape[1]
    names = list(feature_names) if feature_names is not None else [f"x{k}" for k in
                                                                     range(width)]
    if len(names) != width:
        raise ValueError(f"`feature_names` must name the {width} features, got {len(names)}.")
    real_2d, (syn_2d,), explained = pca_2d(real, synthetic)
    real_y = _class_ids(real_labels, real.shape[0])
    syn_y = _class_ids(synthetic_labels, synthetic.shape[0])
    shown = min(width, max_features)
    fig = base.new_figure(1400, 560)
    grid = fig.add_gridspec(2, 6)
    scatter = fig.add_subplot(grid[:, :2])
    from matplotlib import colormaps
    cmap = colormaps["tab10"]
    for k, cls in enumerate(np.unique(np.concatenate([real_y, syn_y]))):
        color = cmap(k % 10)
        pick = real_y == cls
        scatter.scatter(real_2d[pick, 0], real_2d[pick, 1], s=14, color=color, marker="o",
                        alpha=0.7, label=f"class {cls} real ({int(pick.sum())})")
        pick = syn_y == cls
        if pick.any():
            scatter.scatter(syn_2d[pick, 0], syn_2d[pick, 1], s=22, color=color, marker="x",
                            label=f"class {cls} synthetic ({int(pick.sum())})")
    scatter.set_xlabel(f"PC1 ({explained[0]:.0%} of real variance)", fontsize=8)
    scatter.set_ylabel(f"PC2 ({explained[1]:.0%})", fontsize=8)
    scatter.set_title("PCA fitted on the real rows", fontsize=9)
    scatter.legend(fontsize=6, loc="best")
    scatter.tick_params(labelsize=6)
    for f in range(shown):
        axis = fig.add_subplot(grid[f // 4, 2 + f % 4])
        r = real[:, f][np.isfinite(real[:, f])]
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
    fig.suptitle(f"{head}: {real.shape[0]} real rows, {synthetic.shape[0]} synthetic rows; "
                 f"histograms of the first {shown} of {width} features", fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


# ------------------------------------------------------------------- preview
def prepare(inputs):
    """User inputs -> ``(features [N, F] float array, labels [N] or None)``."""
    if isinstance(inputs, dict):
        if "features" not in inputs or set(inputs) - {"features", "labels"}:
            raise TypeError("tabular `inputs` dict must be {'features': [N, F], 'labels': "
                            f"[N]}}, got keys {sorted(inputs)}.")
        features, labels = inputs["features"], inputs.get("labels")
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
    return x.astype(np.float32), y


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
    ``n`` is ignored (every row is shown)."""
    del n
    x, y = prepare(inputs)
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
    head = title or f"{type(layer).__name__} ({variants} variants pooled, seed {seed})"
    figure = tabular_figure(x, synthetic, y, syn_labels, feature_names=feature_names,
                            max_features=max_features, title=head)
    return base.Preview("tabular", {"features": x, "labels": y}, outs, figure=figure,
                        synthetic=flags, seed=seed, writer=base.write_figure)
