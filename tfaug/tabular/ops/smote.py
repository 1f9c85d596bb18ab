"""Drawing synthetic rows from a SMOTE table, and ``smote`` / ``smote_nc``.

imbalanced-learn's ``_make_samples`` (which base row, which neighbour, which
step) is :func:`draw_rows` plus the neighbour/step draws of
:func:`generate`; its ``_generate_samples`` (the geometry) is the rest of
:func:`generate`. Every draw is stateless (``tfaug.core.seeds``, one sub-seed
per decision).
"""

import random

import tensorflow as tf

from tfaug.core import seeds
from tfaug.tabular.ops.checks import check_inputs
from tfaug.tabular.ops.strategy import class_targets
from tfaug.tabular.ops.table import build_table


def resolve_seed(seed):
    """``seeds.as_seed(seed)``; ``None`` draws a fresh seed from the OS.

    The draw happens when the Python function runs: inside a ``tf.function``
    that is once per trace, so pass a seed tensor there.
    """
    if seed is None:
        seed = random.SystemRandom().randrange(2**31 - 1)
    return seeds.as_seed(seed)


def draw_rows(seed, base_class, weight, n_new):
    """Draws base rows class by class, with probability proportional to ``weight``.

    Args:
      seed: Shape ``[2]`` seed.
      base_class: int32 ``[R]`` class index of each row; rows grouped by class
        in increasing class index.
      weight: float ``[R]`` relative weights (>= 0) within each class.
      n_new: int32 ``[C]`` rows to draw per class. A class whose rows all have
        zero weight (or that has no row) gets none.

    Returns:
      ``(rows int32 [N], cls int32 [N])``: drawn row indices and their class
      index; all draws of class 0 first, then class 1, ...
    """
    return _draw_rows_graph(seeds.as_seed(seed), tf.cast(base_class, tf.int32),
                            tf.cast(weight, tf.float32), tf.cast(n_new, tf.int32))


def _draw_rows(seed, base_class, weight, n_new):
    """See :func:`draw_rows`."""
    n_cls = tf.size(n_new)
    weight = tf.cast(weight, tf.float64)
    total = tf.math.unsorted_segment_sum(weight, base_class, n_cls)
    row_ids = tf.range(tf.size(base_class))
    first = tf.math.unsorted_segment_min(row_ids, base_class, n_cls)
    last_pos = tf.math.unsorted_segment_max(tf.where(weight > 0, row_ids, -1), base_class,
                                            n_cls)
    cls = tf.repeat(tf.range(n_cls), tf.where(total > 0, n_new, 0))
    cum = tf.cumsum(weight)
    cum_before = tf.gather(tf.concat([[0.0], cum], 0), tf.gather(first, cls))
    u = tf.cast(seeds.uniform(tf.shape(cls), seed), tf.float64)
    target = cum_before + u * tf.gather(total, cls)
    rows = tf.searchsorted(cum, target, side="right", out_type=tf.int32)
    rows = tf.clip_by_value(rows, tf.gather(first, cls), tf.gather(last_pos, cls))
    return rows, cls


_draw_rows_graph = tf.function(_draw_rows, reduce_retracing=True, autograph=False)


def _generate(seed, table, rows, cls):
    """See :func:`generate`."""
    s_col, s_step = tf.unstack(seeds.split(seed, 2))
    n = tf.shape(rows)
    k = tf.shape(table["neighbors"])[1]
    col = seeds.uniform(n, s_col, 0, k, tf.int32)
    pick = tf.stack([rows, col], axis=1)
    step = seeds.uniform(n, s_step) * tf.gather_nd(table["max_step"], pick)
    base = tf.gather(table["base"], rows)
    other = tf.gather(table["pool"], tf.gather_nd(table["neighbors"], pick))
    new = base + step[:, None] * (other - base)
    cat_index = table["categorical_index"]
    if cat_index.shape[0] != 0:  # unknown (a relaxed trace) or > 0; works for 0 too
        # Column -> 1 + its position among the categorical columns (0: numeric).
        slot = tf.scatter_nd(cat_index[:, None], tf.range(1, tf.size(cat_index) + 1),
                             tf.shape(new)[1:])
        votes = tf.gather(table["categorical"], rows)
        padded = tf.concat([tf.zeros([tf.shape(votes)[0], 1]), votes], axis=1)
        new = tf.where(slot[None, :] > 0, tf.gather(padded, slot, axis=1), new)
    return new, tf.gather(table["classes"], cls)


# As one graph, so the row-sized temporaries are freed (or reused in place)
# as soon as they are consumed: about half the eager peak memory.
_generate_graph = tf.function(_generate, reduce_retracing=True, autograph=False)


def generate(seed, table, rows, cls):
    """The geometry: ``base[i] + step * (pool[j] - base[i])`` for each drawn row.

    The neighbour column is uniform in ``[0, k)``, the step uniform in
    ``[0, max_step)``; categorical columns (smote-nc) are then set to the
    table's per-row vote.

    Args:
      seed: Shape ``[2]`` seed.
      table: A :func:`build_table` dict.
      rows: int32 ``[N]`` base rows.
      cls: int32 ``[N]`` their class index in ``table["classes"]``.

    Returns:
      ``(new_features float32 [N, F], new_labels [N])``.
    """
    return _generate_graph(seeds.as_seed(seed), dict(table), rows, cls)


def sample_table(seed, table, n_new):
    """Draws synthetic rows from a SMOTE table (see :func:`build_table`).

    For each class of the table, ``n_new[c]`` rows: a base row drawn with
    probability proportional to its ``weight`` within the class, a neighbour
    column uniform in ``[0, k)``, a step uniform in ``[0, max_step)``; new =
    base + step * (neighbour - base), categorical columns then set from the
    table. A class whose rows all have zero weight (e.g. no danger rows)
    yields no rows.

    Args:
      seed: int or shape ``[2]`` int seed (stateless; same seed, same rows).
      table: dict from :func:`build_table`.
      n_new: int ``[C]``: rows to generate per class, in ``table["classes"]``
        order.

    Returns:
      ``(new_features float32 [N, F], new_labels [N])``, class by class.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x = rng.normal(size=(60, 4)).astype("float32")
      >>> y = np.array([0] * 50 + [1] * 10)  # 50 majority rows, 10 minority rows
      >>> x[y == 1] += 1.5
      >>> table = build_table(x, y, classes=[1], k_neighbors=5)
      >>> new_x, new_y = sample_table([1, 2], table, [64])
      >>> new_x.shape, set(new_y.numpy().tolist())
      (TensorShape([64, 4]), {1})
    """
    s_rows, s_gen = tf.unstack(seeds.split(seeds.as_seed(seed), 2))
    n_new = tf.reshape(tf.cast(n_new, tf.int32), [-1])
    rows, cls = draw_rows(s_rows, table["base_class"], table["weight"], n_new)
    return generate(s_gen, table, rows, cls)


def concat_resampled(features, labels, dtype, new_x, new_y):
    """Original rows first (unchanged), then the new rows; labels in ``dtype``."""
    return (tf.concat([features, new_x], axis=0),
            tf.cast(tf.concat([labels, tf.cast(new_y, labels.dtype)], axis=0), dtype))


def _oversample(features, labels, sampling_strategy, seed, **table_args):
    features, labels, dtype = check_inputs(features, labels)
    classes, _, n_new = class_targets(labels, sampling_strategy)
    grow = n_new > 0
    table = build_table(features, labels, classes=tf.boolean_mask(classes, grow),
                        **table_args)
    new_x, new_y = sample_table(resolve_seed(seed), table, tf.boolean_mask(n_new, grow))
    return concat_resampled(features, labels, dtype, new_x, new_y)


def smote(features, labels, k_neighbors=5, sampling_strategy="auto", seed=None,
          block_size=4096):
    """SMOTE over-sampling (imbalanced-learn semantics), as TF ops.

    For each class to grow: draw one of its rows uniformly, one of that row's
    ``k_neighbors`` nearest rows of the same class (Euclidean, the row itself
    excluded) and a step ``u ~ U[0, 1)``; the new row is
    ``row + u * (neighbour - row)``.

    Args:
      features: float ``[N, F]`` (cast to float32; the result is float32).
      labels: int or bool ``[N]`` class ids (returned in their dtype).
      k_neighbors: Nearest neighbours per row (int >= 1); every class that
        grows needs more than ``k_neighbors`` rows.
      sampling_strategy: ``"auto"``/``"not majority"``, ``"minority"``,
        ``"not minority"``, ``"all"``, a float (binary) or a dict
        ``{class: target count}``; see :func:`class_targets`.
      seed: int or shape ``[2]`` int tensor. ``None`` draws a fresh seed
        from the OS each Python call (inside ``tf.function``: once per
        trace).
      block_size: Memory knob of the neighbour search: its distance tiles
        hold ``block_size**2 / 4`` floats (``block_size**2`` bytes), see
        :func:`nearest_neighbors`.

    Returns:
      ``(features_resampled, labels_resampled)``: the original rows first,
      unchanged and in order, then the new rows class by class (ascending
      class id).

    Raises:
      ValueError: bad arguments, rank or dtype; empty input; NaN / inf
        features; a single class; a class to grow with ``<= k_neighbors``
        rows (eagerly; ``tf.debugging`` assertions in a graph).

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x = rng.normal(size=(60, 4)).astype("float32")
      >>> y = np.array([0] * 50 + [1] * 10)  # 50 majority rows, 10 minority rows
      >>> x[y == 1] += 1.5
      >>> x_res, y_res = smote(x, y, k_neighbors=5, seed=0)
      >>> np.bincount(y_res.numpy()).tolist()  # the minority grown to the majority
      [50, 50]
    """
    return _oversample(features, labels, sampling_strategy, seed, variant="smote",
                       k_neighbors=k_neighbors, block_size=block_size)


def smote_nc(features, labels, categorical_features, k_neighbors=5,
             sampling_strategy="auto", seed=None, block_size=4096):
    """SMOTE-NC: SMOTE for mixed continuous and categorical columns.

    As imbalanced-learn's SMOTENC: neighbours are searched in a space where
    each categorical column is one-hot encoded and scaled by
    ``median(std) / sqrt(2)`` (``std``: the class's continuous columns'
    population standard deviations), so a differing category adds
    ``median(std)**2`` to the squared distance. Continuous columns are
    interpolated as in SMOTE; each categorical column takes the most frequent
    value among the base row's ``k_neighbors`` neighbours (ties: the smallest
    value; imblearn breaks ties at random).

    Args:
      features: float ``[N, F]`` with categorical columns holding numeric
        codes (integers as floats); F must be static.
      labels: int or bool ``[N]``.
      categorical_features: Positions of the categorical columns, or a bool
        mask of length F; at least one, and not all, columns.
      k_neighbors: As :func:`smote`.
      sampling_strategy: As :func:`smote`.
      seed: As :func:`smote`.
      block_size: As :func:`smote`.

    Returns:
      ``(features_resampled, labels_resampled)`` as :func:`smote`.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x = rng.normal(size=(60, 4)).astype("float32")
      >>> y = np.array([0] * 50 + [1] * 10)  # 50 majority rows, 10 minority rows
      >>> x[y == 1] += 1.5
      >>> x[:, 3] = rng.integers(0, 3, size=60)  # a categorical column: codes 0, 1, 2
      >>> x_res, y_res = smote_nc(x, y, categorical_features=[3], seed=0)
      >>> sorted(set(x_res.numpy()[:, 3].tolist()))  # new rows keep valid codes
      [0.0, 1.0, 2.0]
    """
    return _oversample(features, labels, sampling_strategy, seed, variant="smote-nc",
                       k_neighbors=k_neighbors, categorical_features=categorical_features,
                       block_size=block_size)
