"""Borderline-SMOTE, ADASYN and random over-sampling (smoothed bootstrap)."""

import numbers
import warnings

import tensorflow as tf

from tfaug.core import seeds, validation
from tfaug.tabular.ops.checks import check_inputs, require, with_deps
from tfaug.tabular.ops.smote import (concat_resampled, draw_rows, generate, resolve_seed,
                                     sample_table)
from tfaug.tabular.ops.strategy import class_counts, class_targets
from tfaug.tabular.ops.table import build_table

KINDS = ("borderline-1", "borderline-2")


def borderline_smote(features, labels, kind="borderline-1", k_neighbors=5, m_neighbors=10,
                     sampling_strategy="auto", seed=None, block_size=4096):
    """Borderline-SMOTE (Han et al. 2005), imbalanced-learn semantics.

    Only "danger" rows of a class are used as base rows: rows with
    ``m/2 <= m' < m``, ``m'`` being how many of their ``m_neighbors`` nearest
    rows in the whole data (the row itself excluded) belong to another class.
    ``"borderline-1"`` draws towards one of the ``k_neighbors`` nearest rows
    of the same class; ``"borderline-2"`` towards one of the ``k_neighbors``
    nearest rows of the whole data, with the step drawn in ``[0, 0.5)`` when
    that neighbour belongs to another class (imblearn draws ``U[0, 1) *
    U[0, 0.5)`` there; both keep new rows nearer the class).

    A class with no danger row gets no new rows (as imblearn); eagerly a
    ``UserWarning`` says so.

    Args:
      features: float ``[N, F]`` (result float32).
      labels: int or bool ``[N]``.
      kind: ``"borderline-1"`` or ``"borderline-2"``.
      k_neighbors: Neighbours to interpolate towards (int >= 1).
      m_neighbors: Neighbours deciding "danger" (int >= 1).
      sampling_strategy: As :func:`smote`.
      seed: As :func:`smote`.
      block_size: As :func:`smote`.

    Returns:
      ``(features_resampled, labels_resampled)``: originals first, then the
      new rows class by class.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x = rng.normal(size=(60, 4)).astype("float32")
      >>> y = np.array([0] * 50 + [1] * 10)  # 50 majority rows, 10 minority rows
      >>> x[y == 1] += 1.5
      >>> x_res, y_res = borderline_smote(x, y, kind="borderline-2", seed=0)
      >>> x_res.shape[0] > 60  # new rows from the minority rows near the border
      True
    """
    validation.check_choice("kind", kind, KINDS)
    features, labels, dtype = check_inputs(features, labels)
    classes, _, n_new = class_targets(labels, sampling_strategy)
    grow = n_new > 0
    table = build_table(features, labels, variant=kind, k_neighbors=k_neighbors,
                        m_neighbors=m_neighbors, classes=tf.boolean_mask(classes, grow),
                        block_size=block_size)
    if tf.executing_eagerly():
        have = tf.math.unsorted_segment_sum(tf.ones_like(table["base_class"]),
                                            table["base_class"],
                                            tf.size(table["classes"])).numpy()
        empty = [c for c, h in zip(table["classes"].numpy().tolist(), have) if h == 0]
        if empty:
            warnings.warn(f"borderline_smote: class(es) {empty} have no 'danger' row "
                          f"(m_neighbors={m_neighbors}); no rows are generated for them.",
                          UserWarning, stacklevel=2)
    new_x, new_y = sample_table(resolve_seed(seed), table, tf.boolean_mask(n_new, grow))
    return concat_resampled(features, labels, dtype, new_x, new_y)


def adasyn_counts(table, n_new, k_neighbors):
    """ADASYN's per-row counts: ``rint(r_i / sum_class(r) * n_new[class])``.

    ``r_i`` (the table's ``weight``) is the fraction of other-class rows among
    the row's ``k_neighbors`` nearest rows; computed in float64 like
    imbalanced-learn, so the rounding matches it.

    Returns:
      int32 ``[R]`` rows to generate from each base row.
    """
    other = tf.round(tf.cast(table["weight"], tf.float64) * k_neighbors)
    ratio = other / float(k_neighbors)
    total = tf.math.unsorted_segment_sum(ratio, table["base_class"],
                                         tf.size(table["classes"]))
    share = ratio / tf.gather(tf.where(total > 0, total, 1.0), table["base_class"])
    want = tf.cast(tf.gather(n_new, table["base_class"]), tf.float64)
    return tf.cast(tf.round(share * want), tf.int32)


def adasyn(features, labels, n_neighbors=5, sampling_strategy="auto", seed=None,
           block_size=4096):
    """ADASYN (He et al. 2008), imbalanced-learn semantics.

    For a class to grow by ``n``: each of its rows gets
    ``rint(r_i / sum(r) * n)`` new rows, ``r_i`` being the fraction of its
    ``n_neighbors`` nearest rows (whole data, itself excluded) of another
    class; each new row goes towards one of the row's ``n_neighbors`` nearest
    rows of its class, step ``U[0, 1)``. Rounding makes the class total
    differ slightly from ``n``, exactly as in imblearn.

    Args:
      features: float ``[N, F]`` (result float32).
      labels: int or bool ``[N]``.
      n_neighbors: Neighbours for the density ratio and the interpolation.
      sampling_strategy: As :func:`smote`.
      seed: As :func:`smote`.
      block_size: As :func:`smote`.

    Returns:
      ``(features_resampled, labels_resampled)``: originals first, then the
      new rows class by class (a base row's copies together).

    Raises:
      RuntimeError: (eagerly; a ``tf.debugging`` assertion in a graph) a
        class to grow has no neighbour of another class at all (imblearn:
        "Not any neigbours belong to the majority class").
      ValueError: the rounding leaves a class with no row to generate, and
        as :func:`smote`.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x = rng.normal(size=(60, 4)).astype("float32")
      >>> y = np.array([0] * 50 + [1] * 10)  # 50 majority rows, 10 minority rows
      >>> x[y == 1] += 1.5
      >>> x_res, y_res = adasyn(x, y, n_neighbors=5, seed=0)
      >>> np.bincount(y_res.numpy()).tolist()[0], int(x_res.shape[0]) > 60
      (50, True)
    """
    features, labels, dtype = check_inputs(features, labels)
    classes, _, n_new = class_targets(labels, sampling_strategy)
    grow = n_new > 0
    n_new = tf.boolean_mask(n_new, grow)
    table = build_table(features, labels, variant="adasyn", k_neighbors=n_neighbors,
                        classes=tf.boolean_mask(classes, grow), block_size=block_size)
    n_cls = tf.size(table["classes"])
    ratio_sum = tf.math.unsorted_segment_sum(table["weight"], table["base_class"], n_cls)
    deps = require(tf.reduce_all(ratio_sum > 0),
                   "adasyn: not any neighbour of a class to grow belongs to another class "
                   "(the density ratios are all zero, a division by zero); ADASYN does not "
                   "suit this data, use smote.", error=RuntimeError,
                   data=[table["classes"], ratio_sum])
    per_row = with_deps(deps, adasyn_counts(table, n_new, n_neighbors))
    per_class = tf.math.unsorted_segment_sum(per_row, table["base_class"], n_cls)
    deps = require(tf.reduce_all(per_class > 0),
                   "adasyn: no rows will be generated for a class with the given "
                   "`sampling_strategy` once rounded (imbalanced-learn raises the same).",
                   data=[table["classes"], per_class])
    per_row = with_deps(deps, per_row)
    rows = tf.repeat(tf.range(tf.size(per_row)), per_row)
    new_x, new_y = generate(resolve_seed(seed), table, rows,
                            tf.gather(table["base_class"], rows))
    return concat_resampled(features, labels, dtype, new_x, new_y)


def _shrinkage_per_class(shrinkage, classes):
    """Per-class shrinkage factor [C] from a number or a dict {class: factor}."""
    if isinstance(shrinkage, numbers.Real) and not isinstance(shrinkage, bool):
        value = validation.check_number("shrinkage", shrinkage, 0.0)
        return tf.fill(tf.shape(classes), value), []
    if not isinstance(shrinkage, dict) or not shrinkage:
        raise ValueError("`shrinkage` must be None, a number >= 0 or a dict "
                         f"{{class: number >= 0}}, got {shrinkage!r}.")
    for key, value in shrinkage.items():
        if not isinstance(key, numbers.Integral):
            raise ValueError(f"`shrinkage` dict keys must be integer class ids, got {key!r}.")
        validation.check_number(f"shrinkage[{key!r}]", value, 0.0)
    keys = tf.constant([int(c) for c in shrinkage], classes.dtype)
    values = tf.constant([float(v) for v in shrinkage.values()], tf.float32)
    match = tf.equal(classes[:, None], keys[None, :])
    return tf.reduce_sum(tf.where(match, values[None, :], 0.0), axis=1), match


def random_oversample(features, labels, sampling_strategy="auto", shrinkage=None,
                      seed=None):
    """Random over-sampling, optionally a smoothed bootstrap (imblearn semantics).

    Each new row copies a row of its class drawn uniformly with replacement.
    With ``shrinkage`` ``h`` (imblearn's ``RandomOverSampler(shrinkage=h)``),
    Gaussian noise is added with per-feature standard deviation
    ``h * std_c * (4 / ((F + 2) * N)) ** (1 / (F + 4))``, ``std_c`` being the
    class's population standard deviation of the feature and ``N`` the total
    number of rows (exactly imblearn's formula).

    Args:
      features: float ``[N, F]`` (result float32).
      labels: int or bool ``[N]``.
      sampling_strategy: As :func:`smote`.
      shrinkage: ``None`` (plain bootstrap), a number >= 0, or a dict
        ``{class: number >= 0}`` covering every class that grows.
      seed: As :func:`smote`.

    Returns:
      ``(features_resampled, labels_resampled)``: originals first, then the
      new rows class by class.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x = rng.normal(size=(60, 4)).astype("float32")
      >>> y = np.array([0] * 50 + [1] * 10)  # 50 majority rows, 10 minority rows
      >>> x[y == 1] += 1.5
      >>> x_res, y_res = random_oversample(x, y, shrinkage=1.0, seed=0)
      >>> np.bincount(y_res.numpy()).tolist()  # the minority grown to the majority
      [50, 50]
    """
    features, labels, dtype = check_inputs(features, labels)
    classes, counts, n_new = class_targets(labels, sampling_strategy)
    _, _, index = class_counts(labels)
    order = tf.argsort(index, stable=True)  # rows grouped by class
    s_rows, s_noise = tf.unstack(seeds.split(resolve_seed(seed), 2))
    rows, cls = draw_rows(s_rows, tf.gather(index, order), tf.ones_like(index, tf.float32),
                          n_new)
    rows = tf.gather(order, rows)
    new_x = tf.gather(features, rows)
    if shrinkage is not None:
        factor, match = _shrinkage_per_class(shrinkage, classes)
        if isinstance(match, tf.Tensor):
            covered = tf.reduce_any(match, axis=1) | tf.equal(n_new, 0)
            factor = with_deps(require(
                tf.reduce_all(covered), f"`shrinkage` {shrinkage} must give a factor for "
                "every class that grows.", data=[classes, n_new]), factor)
        n_rows = tf.cast(tf.shape(features)[0], tf.float32)
        n_feat = tf.cast(tf.shape(features)[1], tf.float32)
        smoothing = (4.0 / ((n_feat + 2.0) * n_rows)) ** (1.0 / (n_feat + 4.0))
        mean = tf.math.unsorted_segment_sum(features, index, tf.size(classes)) / tf.cast(
            counts, tf.float32)[:, None]
        var = tf.math.unsorted_segment_sum(tf.square(features - tf.gather(mean, index)),
                                           index, tf.size(classes)) / tf.cast(
                                               counts, tf.float32)[:, None]
        scale = factor[:, None] * smoothing * tf.sqrt(var)  # [C, F]
        new_x += seeds.normal(tf.shape(new_x), s_noise) * tf.gather(scale, cls)
    return concat_resampled(features, labels, dtype, new_x, tf.gather(classes, cls))
