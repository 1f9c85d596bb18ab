"""The SMOTE table: which rows new samples start from, and their neighbours.

imbalanced-learn splits SMOTE into choosing (row, neighbour, step) and the
geometry. Here :func:`build_table` does everything that depends on the whole
data (neighbour searches, danger rows, density ratios, categorical votes) once,
and :func:`tfaug.tabular.ops.sample_table` draws new rows from the table
cheaply, so a layer can keep the table as weights (``adapt``) and generate
rows in-graph per batch.
"""

import numbers

import tensorflow as tf

from tfaug.core import validation, xla
from tfaug.tabular.ops.checks import features_matrix, label_vector, require, with_deps
from tfaug.tabular.ops.neighbors import nearest_neighbors

VARIANTS = ("smote", "smote-nc", "borderline-1", "borderline-2", "adasyn")


def categorical_index(categorical_features, n_features):
    """Validates ``categorical_features`` (int positions or a bool mask).

    Returns:
      A sorted list of distinct column positions.
    """
    cf = categorical_features
    if n_features is None:
        raise ValueError("`categorical_features` needs the number of feature columns to "
                         "be known when the op is built (features of shape [N, F] with "
                         "a static F).")
    if isinstance(cf, (str, bytes)) or not hasattr(cf, "__iter__"):
        raise ValueError("`categorical_features` must be a list of column positions or a "
                         f"bool mask of length {n_features}, got {cf!r}.")
    cf = list(cf)
    if cf and all(isinstance(v, bool) for v in cf):
        if len(cf) != n_features:
            raise ValueError(f"`categorical_features` as a bool mask must have length "
                             f"{n_features} (the number of features), got {len(cf)}.")
        cf = [i for i, v in enumerate(cf) if v]
    out = []
    for v in cf:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or not (
                -n_features <= v < n_features):
            raise ValueError(f"`categorical_features` entries must be column positions in "
                             f"[0, {n_features}), got {v!r}.")
        out.append(int(v) % n_features)
    out = sorted(set(out))
    if not out:
        raise ValueError("`categorical_features` must name at least one column "
                         "(use variant 'smote' for numeric-only data).")
    if len(out) == n_features:
        raise ValueError("`categorical_features` names every column; SMOTE-NC needs at "
                         "least one continuous column (as imbalanced-learn's SMOTENC).")
    return out


def _median(values):
    """Median of a 1-D tensor whose length is static (mean of the middle two)."""
    n = values.shape[0]
    v = tf.sort(values)
    if n % 2:
        return v[n // 2]
    return 0.5 * (v[n // 2 - 1] + v[n // 2])


def _encode_nc(x, cat_index, cont_index):
    """imbalanced-learn's SMOTE-NC search space for one class's rows.

    Continuous columns as they are; each categorical column one-hot encoded
    (over the values present in the class) and scaled by ``median(std) /
    sqrt(2)``, where ``std`` is the per-column population standard deviation
    of the class's continuous columns: two rows differing in a categorical
    column are then ``median(std)`` apart along it.
    """
    x_cont = tf.gather(x, cont_index, axis=1)
    scale = _median(tf.math.reduce_std(x_cont, axis=0)) / tf.sqrt(2.0)
    parts = [x_cont]
    for j in cat_index:
        _, pos = tf.unique(x[:, j])
        parts.append(tf.one_hot(pos, tf.reduce_max(pos) + 1) * scale)
    return tf.concat(parts, axis=1)


def _vote(values):
    """Most frequent value per row and column of ``values`` ``[R, k, n]``;
    ties go to the smallest value."""
    same = tf.equal(values[:, :, None, :], values[:, None, :, :])
    count = tf.reduce_sum(tf.cast(same, tf.int32), axis=2)  # [R, k, n]
    top = tf.reduce_max(count, axis=1, keepdims=True)
    inf = tf.constant(float("inf"), values.dtype)
    return tf.reduce_min(tf.where(tf.equal(count, top), values, inf), axis=1)


def _other_count(labels, neighbors, cls):
    """Number of neighbours of another class, per row."""
    other = tf.not_equal(tf.gather(labels, neighbors), cls)
    return tf.reduce_sum(tf.cast(other, tf.int32), axis=1)


def build_table(features, labels, *, variant="smote", k_neighbors=5, m_neighbors=10,
                categorical_features=None, classes=None, block_size=4096):
    """Builds the SMOTE table of one of the variants (graph ops, dynamic sizes).

    Rows are grouped by class in the order of ``classes``. For each class
    (its rows ``X_c``; ``X`` is all ``features``):

    - ``"smote"``: base = ``X_c``, neighbours = the ``k_neighbors`` nearest
      other rows of ``X_c``; weight 1.
    - ``"smote-nc"``: as smote, the search made in imbalanced-learn's SMOTENC
      space (see ``_encode_nc``: one-hot categoricals scaled by the median of
      the class's continuous std devs / sqrt(2)); ``categorical`` holds, per
      base row, the most frequent value of each categorical column among its
      ``k_neighbors`` neighbours (ties: smallest value; imblearn breaks them
      at random).
    - ``"borderline-1"`` / ``"borderline-2"``: base = the "danger" rows of
      ``X_c``: ``m/2 <= m' < m`` where ``m'`` of their ``m_neighbors`` nearest
      rows of ``X`` (the row itself excluded) belong to another class. Kind 1:
      neighbours among ``X_c``; kind 2: among all of ``X`` (``pool`` is ``X``),
      and ``max_step`` is 0.5 for a neighbour of another class (the step
      towards it is drawn in ``[0, 0.5)`` as in Han et al. 2005; imblearn
      draws ``U[0, 1) * U[0, 0.5)``).
    - ``"adasyn"``: base = ``X_c``, weight = the fraction of its
      ``k_neighbors`` nearest rows of ``X`` that belong to another class
      (ADASYN's density ratio ``r_i``), neighbours among ``X_c``.

    Args:
      features: float ``[N, F]`` rows (cast to float32).
      labels: int or bool ``[N]`` class ids.
      variant: One of ``"smote"``, ``"smote-nc"``, ``"borderline-1"``,
        ``"borderline-2"``, ``"adasyn"``.
      k_neighbors: Neighbours a new row may be drawn towards (int >= 1).
      m_neighbors: Neighbours deciding "danger" (borderline variants).
      categorical_features: smote-nc only: column positions or bool mask.
      classes: Class ids to build rows for (default: every class, sorted).
      block_size: Memory knob of the neighbour search (tiles of
        ``block_size**2`` bytes, see
        :func:`nearest_neighbors`).

    Returns:
      A dict of tensors: ``classes`` [C] (labels' int dtype), ``base``
      float32 [R, F], ``base_class`` int32 [R] (index into ``classes``),
      ``weight`` float32 [R], ``pool`` float32 [P, F], ``neighbors`` int32
      [R, k] (rows of ``pool``), ``max_step`` float32 [R, k],
      ``categorical`` float32 [R, n_cat], ``categorical_index`` int32 [n_cat].

    Raises:
      ValueError: on a bad argument, or (eagerly; a ``tf.debugging`` assertion
        in a graph) a class with ``<= k_neighbors`` rows, or fewer than
        ``m_neighbors + 1`` rows in all for the borderline variants.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x = rng.normal(size=(60, 4)).astype("float32")
      >>> y = np.array([0] * 50 + [1] * 10)  # 50 majority rows, 10 minority rows
      >>> x[y == 1] += 1.5
      >>> table = build_table(x, y, classes=[1])
      >>> seed = tf.constant([1, 2])
      >>> new_x, new_y = tfaug.tabular.ops.sample_table(seed, table, tf.constant([100]))
      >>> new_x.shape
      TensorShape([100, 4])
    """
    validation.check_choice("variant", variant, VARIANTS)
    k = validation.check_int("k_neighbors", k_neighbors, 1)
    m = validation.check_int("m_neighbors", m_neighbors, 1)
    features = features_matrix(features)
    labels, _ = label_vector(labels)
    n_features = features.shape[1]
    if variant == "smote-nc":
        if categorical_features is None:
            raise ValueError("`categorical_features` is required for variant 'smote-nc'.")
        cat_index = categorical_index(categorical_features, n_features)
    elif categorical_features is not None:
        raise ValueError("`categorical_features` is only used by variant 'smote-nc', got "
                         f"{categorical_features!r} with variant {variant!r}.")
    else:
        cat_index = []
    if classes is None:
        classes = tf.sort(tf.unique(labels)[0])
    else:
        classes = tf.reshape(tf.cast(classes, labels.dtype), [-1])
    n_rows = tf.shape(labels)[0]
    counts = tf.reduce_sum(tf.cast(tf.equal(labels[None, :], classes[:, None]), tf.int32),
                           axis=1)
    local = variant != "borderline-2"  # neighbours among the class's own rows
    deps = []
    if local:
        detail = ""
        if tf.executing_eagerly() and not bool(tf.reduce_all(counts > k)):
            detail = "; " + ", ".join(f"class {c} has {n}" for c, n in zip(
                classes.numpy().tolist(), counts.numpy().tolist()) if n <= k)
        deps += require(tf.reduce_all(counts > k),
                        f"every class to over-sample needs more than `k_neighbors`={k} "
                        f"rows (a row and its k nearest neighbours in its class){detail}.",
                        data=[classes, counts])
    for name, value in (("m_neighbors", m), ("k_neighbors", k)):
        if variant.startswith("borderline") and (name == "m_neighbors" or not local):
            deps += require(n_rows > value,
                            f"`{name}`={value} needs more than {value} rows in all (each "
                            "row's neighbours among the other rows).", data=[n_rows])
    features = with_deps(deps, features)
    key = (variant, k, m, tuple(cat_index), block_size, n_features, labels.dtype)
    build = xla.cached_program(
        xla.current_owner(), ("table",) + key,
        lambda: tf.function(
            lambda f, l, c: _build(f, l, c, variant, k, m, cat_index, block_size),
            input_signature=(tf.TensorSpec([None, n_features], tf.float32),
                             tf.TensorSpec([None], labels.dtype),
                             tf.TensorSpec([None], labels.dtype)),
            autograph=False))
    return build(features, labels, classes)


def _build(features, labels, classes, variant, k, m, cat_index, block_size):
    """The per-class loop of :func:`build_table` (one graph per configuration)."""
    n_features = features.shape[1]
    n_cat = len(cat_index)
    cont_index = [i for i in range(n_features or 0) if i not in cat_index]
    feat_dim = tf.shape(features)[1]

    def build_class(c, base, base_class, weight, pool, neighbors, max_step, categorical,
                    offset):
        cls = classes[c]
        rows = tf.cast(tf.where(tf.equal(labels, cls))[:, 0], tf.int32)
        x_c = tf.gather(features, rows)
        n_c = tf.shape(rows)[0]
        w_c = tf.ones([n_c])
        cat_c = tf.zeros([n_c, 0])
        if variant in ("smote", "adasyn"):
            base_c, nbr = x_c, nearest_neighbors(x_c, k, block_size=block_size)[1]
            if variant == "adasyn":
                _, wide = nearest_neighbors(features, k, x_c, query_indices=rows,
                                            block_size=block_size)
                w_c = tf.cast(_other_count(labels, wide, cls), tf.float32) / float(k)
        elif variant == "smote-nc":
            base_c = x_c
            nbr = nearest_neighbors(_encode_nc(x_c, cat_index, cont_index), k,
                                    block_size=block_size)[1]
            cat_c = _vote(tf.gather(tf.gather(x_c, cat_index, axis=1), nbr))
        else:  # borderline
            _, wide = nearest_neighbors(features, m, x_c, query_indices=rows,
                                        block_size=block_size)
            n_other = _other_count(labels, wide, cls)
            danger = (2 * n_other >= m) & (n_other < m)
            base_c = tf.boolean_mask(x_c, danger)
            if variant == "borderline-1":
                nbr = nearest_neighbors(
                    x_c, k, base_c, block_size=block_size,
                    query_indices=tf.cast(tf.where(danger)[:, 0], tf.int32))[1]
            else:
                nbr = nearest_neighbors(features, k, base_c, block_size=block_size,
                                        query_indices=tf.boolean_mask(rows, danger))[1]
            n_c = tf.shape(base_c)[0]
            w_c = tf.ones([n_c])
            cat_c = tf.zeros([n_c, 0])
        if variant == "borderline-2":
            step_c = tf.where(tf.equal(tf.gather(labels, nbr), cls), 1.0, 0.5)
            pool_c, pool_n = tf.zeros([0, feat_dim]), 0
        else:
            step_c = tf.ones(tf.shape(nbr))
            pool_c, pool_n = x_c, tf.shape(x_c)[0]
        return (c + 1, base.write(c, base_c), base_class.write(c, tf.fill([n_c], c)),
                weight.write(c, w_c), pool.write(c, pool_c), neighbors.write(c, nbr + offset),
                max_step.write(c, step_c), categorical.write(c, cat_c), offset + pool_n)

    def array(dtype, shape):
        return tf.TensorArray(dtype, size=tf.size(classes), infer_shape=False,
                              element_shape=tf.TensorShape(shape))

    arrays = (array(tf.float32, [None, n_features]), array(tf.int32, [None]),
              array(tf.float32, [None]), array(tf.float32, [None, n_features]),
              array(tf.int32, [None, k]), array(tf.float32, [None, k]),
              array(tf.float32, [None, n_cat]))
    out = tf.while_loop(lambda c, *_: c < tf.size(classes), build_class,
                        (tf.constant(0), *arrays, tf.constant(0)))[1:-1]
    # Empty arrays concatenate to rank-1 [0]: reshape restores the ranks.
    base, base_class, weight, pool, neighbors, max_step, categorical = (
        tf.reshape(out[0].concat(), [-1, feat_dim]), tf.reshape(out[1].concat(), [-1]),
        tf.reshape(out[2].concat(), [-1]), tf.reshape(out[3].concat(), [-1, feat_dim]),
        tf.reshape(out[4].concat(), [-1, k]), tf.reshape(out[5].concat(), [-1, k]),
        tf.reshape(out[6].concat(), [-1, n_cat]))
    if variant == "borderline-2":
        pool = features
    return {"classes": classes, "base": base, "base_class": base_class, "weight": weight,
            "pool": pool, "neighbors": neighbors, "max_step": max_step,
            "categorical": categorical,
            "categorical_index": tf.constant(cat_index, tf.int32, shape=[n_cat])}
