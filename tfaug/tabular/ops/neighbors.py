"""Exact k-nearest-neighbour search by blocked brute force (pure TF ops).

The squared Euclidean distance ``||q||^2 - 2 q.p + ||p||^2`` is computed one
``[query block, point block]`` tile at a time: a single matmul of
``[-2 q, 1]`` with ``[p, ||p||^2]`` gives ``||p||^2 - 2 q.p`` (the ranking
key for a fixed query), the tile's minima over groups of columns select the
few groups that can hold the tile's nearest points, and a running top-k is
merged tile by tile. The surviving candidates (twice ``k``) are re-ranked on
distances recomputed from the coordinate differences, which removes the
cancellation error of the expanded form from the result.

The expanded form can still misjudge which points are candidates when the
distances are tiny next to the rows' norms (large offsets or one wide-ranging
column). Each query is therefore certified: its k-th distance must lie below
what any left-out point could have, given a rounding-error bound of the
float32 matmul. Queries that fail (rare on well-scaled data) are searched
again in float64. Ties go to the lower point index.
"""

import tensorflow as tf

from tfaug.core import validation, xla
from tfaug.tabular.ops.checks import features_matrix, require, with_deps

# Columns per group in the tile reduction (a tile's width is a multiple of it).
_GROUP = 32
# Query rows per tile at least (keeps the matmul efficient) where it fits.
_MIN_ROWS = 256


def _ceil_div(a, b):
    return (a + b - 1) // b


def _block_size(n, block_size, multiple=1):
    """Tile side for ``n`` rows: at most ``block_size`` (rounded up to
    ``multiple``), balanced so the last tile is not mostly padding."""
    n = tf.maximum(n, 1)
    blocks = _ceil_div(n, block_size)
    side = _ceil_div(n, blocks)
    return _ceil_div(side, multiple) * multiple


def _tiles(n_q, n_p, block_size):
    """Tile shape ``(rows, cols, group)`` holding at most ``block_size**2 / 4``
    distances (``block_size**2`` bytes).

    Wide tiles (many points, a few hundred queries) make fewer, larger top-k
    merges; at least ``min(256, block_size)`` query rows keep the matmul
    efficient. Both sides are balanced so the last tile is not mostly padding.
    """
    budget = max(block_size * block_size // 4, 1)
    group = min(_GROUP, block_size)
    cols_cap = max(block_size, budget // min(_MIN_ROWS, block_size))
    cols = _block_size(n_p, cols_cap, group)
    rows = _block_size(n_q, tf.maximum(budget // cols, 1))
    return rows, cols, group


def _search(points, queries, self_index, k, block_size, dtype):
    """The blocked search in ``dtype`` (float32 or float64).

    ``self_index``: int32 [Q], the point excluded for each query (-1: none).
    Returns (sq_distances [Q, k], indices [Q, k], certified bool [Q]):
    ``certified`` is true where the rounding error of the expanded form
    provably could not have dropped one of the k nearest points.
    """
    n_p = tf.shape(points)[0]
    n_q = tf.shape(queries)[0]
    n_f = tf.cast(tf.shape(points)[1], dtype)
    # Candidates kept per query before the exact re-ranking; > k so that the
    # excluded point taking a slot still leaves the k nearest others.
    kc = 2 * k
    bq, bp, group = _tiles(n_q, n_p, block_size)
    n_qb = _ceil_div(n_q, bq) * tf.cast(n_q > 0, tf.int32)
    n_pb = _ceil_div(n_p, bp)
    n_groups = bp // group
    kg = tf.minimum(kc, n_groups)
    # Centering keeps ||p||^2 small relative to the distances (less cancellation).
    center = tf.cast(tf.reduce_mean(points, axis=0), dtype)
    sentinel = n_p  # index of "no point" (distance +inf)
    inf = tf.constant(float("inf"), dtype)
    # Rounding error bound of ||p - c||^2 - 2 (q - c).(p - c) (a few units of
    # the F-term accumulation bound, Higham's gamma_F), per query.
    unit = 2.0 ** -24 if dtype == tf.float32 else 2.0 ** -53
    gamma = 4.0 * (n_f + 2.0) * unit
    p_norm_max = tf.reduce_max(tf.reduce_sum(tf.square(
        tf.cast(points, dtype) - center), axis=1)) if dtype == tf.float32 else 0.0

    def query_block(qb, out_d, out_i, out_ok):
        q_ids = qb * bq + tf.range(bq)
        q_rows = tf.cast(tf.gather(queries, tf.minimum(q_ids, n_q - 1)), dtype)
        q_cent = q_rows - center
        q_aug = tf.concat([-2.0 * q_cent, tf.ones([bq, 1], dtype)], axis=1)
        q_self = tf.gather(self_index, tf.minimum(q_ids, n_q - 1))

        def point_block(pb, run_d, run_i):
            p_start = pb * bp
            p_ids = p_start + tf.range(bp)
            p_rows = tf.cast(tf.gather(points, tf.minimum(p_ids, n_p - 1)), dtype) - center
            p_norm = tf.where(p_ids < n_p, tf.reduce_sum(p_rows * p_rows, axis=1), inf)
            p_aug = tf.concat([p_rows, p_norm[:, None]], axis=1)
            d = tf.matmul(q_aug, p_aug, transpose_b=True)  # ||p||^2 - 2 q.p
            d = tf.reshape(d, [bq, n_groups, group])
            # The kc groups with the smallest minima hold the tile's kc
            # nearest points (ties: lower index first, top_k is stable).
            _, g_sel = tf.math.top_k(-tf.reduce_min(d, axis=2), kg)
            g_sel = tf.sort(g_sel, axis=1)
            cand_d = tf.reshape(tf.gather(d, g_sel, batch_dims=1), [bq, kg * group])
            cand_i = p_start + tf.reshape(g_sel[:, :, None] * group + tf.range(group),
                                          [bq, kg * group])
            cand_d = tf.where(cand_i == q_self[:, None], inf, cand_d)
            all_d = tf.concat([run_d, cand_d], axis=1)
            all_i = tf.concat([run_i, cand_i], axis=1)
            _, pos = tf.math.top_k(-all_d, kc)
            return (pb + 1, tf.gather(all_d, pos, batch_dims=1),
                    tf.gather(all_i, pos, batch_dims=1))

        _, run_d, run_i = tf.while_loop(
            lambda pb, *_: pb < n_pb, point_block,
            (tf.constant(0), tf.fill([bq, kc], inf), tf.fill([bq, kc], sentinel)),
            shape_invariants=(tf.TensorShape([]), tf.TensorShape([None, kc]),
                              tf.TensorShape([None, kc])),
            parallel_iterations=1)  # one tile alive at a time (the memory bound)
        # Exact re-ranking of the candidates on (distance, index).
        ok = tf.math.is_finite(run_d)
        diff = tf.cast(tf.gather(points, tf.minimum(run_i, n_p - 1)), dtype) - q_rows[:, None]
        exact = tf.where(ok, tf.reduce_sum(diff * diff, axis=2), inf)
        # Every point left out has an expanded value >= run_d[:, kc - 2] (one
        # slot may have gone to the excluded point): its true distance is at
        # least that + ||q - c||^2 - error.
        q_norm = tf.reduce_sum(q_cent * q_cent, axis=1)
        floor = run_d[:, kc - 2] + q_norm - gamma * (q_norm + 3.0 * p_norm_max)
        by_index = tf.argsort(run_i, axis=1, stable=True)
        exact = tf.gather(exact, by_index, batch_dims=1)
        run_i = tf.gather(run_i, by_index, batch_dims=1)
        order = tf.argsort(exact, axis=1, stable=True)[:, :k]
        best = tf.gather(exact, order, batch_dims=1)
        certified = best[:, k - 1] * (1.0 + gamma) <= floor
        return (qb + 1, out_d.write(qb, tf.cast(best, tf.float32)),
                out_i.write(qb, tf.gather(run_i, order, batch_dims=1)),
                out_ok.write(qb, certified))

    def array(dt, shape):
        return tf.TensorArray(dt, size=n_qb, infer_shape=False,
                              element_shape=tf.TensorShape(shape))

    _, out_d, out_i, out_ok = tf.while_loop(
        lambda qb, *_: qb < n_qb, query_block,
        (tf.constant(0), array(tf.float32, [None, k]), array(tf.int32, [None, k]),
         array(tf.bool, [None])), parallel_iterations=1)
    # An empty TensorArray concatenates to [0] (rank 1): reshape restores it.
    dist = tf.reshape(out_d.concat(), [-1, k])[:n_q]
    idx = tf.reshape(out_i.concat(), [-1, k])[:n_q]
    certified = tf.reshape(out_ok.concat(), [-1])[:n_q]
    return tf.maximum(dist, 0.0), idx, certified


def _search_exact(points, queries, self_index, k, block_size):
    """float32 search; queries it cannot certify are searched again in float64."""
    dist, idx, certified = _search(points, queries, self_index, k, block_size, tf.float32)
    redo = tf.cast(tf.where(tf.logical_not(certified)), tf.int32)

    def again():
        d64, i64, _ = _search(points, tf.gather_nd(queries, redo),
                              tf.gather_nd(self_index, redo), k, block_size, tf.float64)
        return (tf.tensor_scatter_nd_update(dist, redo, d64),
                tf.tensor_scatter_nd_update(idx, redo, i64))

    return tf.cond(tf.size(redo) > 0, again, lambda: (dist, idx))


def _compiled_search(k, block_size):
    """One traced graph per (k, block_size); dynamic row counts and widths
    (cached per running layer, bounded: :func:`tfaug.core.xla.cached_program`)."""
    spec = tf.TensorSpec([None, None], tf.float32)
    return xla.cached_program(
        xla.current_owner(), ("knn", k, block_size),
        lambda: tf.function(lambda p, q, s: _search_exact(p, q, s, k, block_size),
                            input_signature=(spec, spec, tf.TensorSpec([None], tf.int32)),
                            autograph=False))


def nearest_neighbors(points, k, queries=None, *, exclude_self=None, block_size=4096,
                      query_indices=None):
    """Exact k nearest neighbours (squared Euclidean), by blocked brute force.

    Distances are computed one tile of the distance matrix at a time (one
    matmul) and reduced at once into a running top-k per query; the tile
    holds at most ``block_size**2 / 4`` float32 distances, i.e.
    ``block_size**2`` bytes (16 MiB at the default 4096; shaped a few hundred
    queries by many points). Tiles run one after another, so the peak extra
    memory is a small multiple of the tile (the tile, oneDNN's matmul
    buffers, the group minima: measured 35-55 MiB at the default for 10k-500k
    points of 32 features) plus the ``[Q, k]`` outputs, whatever the number
    of points and queries. Ties are broken by the lower point index, so the
    result equals a stable argsort of the full distance matrix (and
    scikit-learn's brute force wherever distances are distinct; exact ties
    can resolve otherwise when float32 rounding separates them).

    Runs eagerly, in ``tf.function`` and in ``tf.data`` with row counts known
    only at run time.

    Args:
      points: float ``[P, F]`` points searched (cast to float32).
      k: Number of neighbours per query (Python int >= 1).
      queries: float ``[Q, F]`` query rows; ``None`` queries every point.
      exclude_self: Exclude point ``i`` from query ``i``'s neighbours.
        Defaults to True when ``queries`` is None (a row is not its own
        neighbour, as imbalanced-learn's ``kneighbors(X)[:, 1:]``), else False.
      block_size: Memory knob (int >= 1): tiles hold at most
        ``block_size**2 / 4`` distances (see above).
      query_indices: Optional int ``[Q]``: the position in ``points`` of each
        query, excluded from its neighbours (overrides ``exclude_self``; a
        negative entry excludes nothing).

    Returns:
      ``(sq_distances, indices)``: float32 ``[Q, k]`` squared distances
      (ascending, >= 0) and int32 ``[Q, k]`` indices into ``points``.

    Raises:
      ValueError: if ``k`` exceeds the number of candidate points (when known
        statically or eagerly; a ``tf.debugging`` assertion otherwise), or on
        bad ranks / feature counts / NaN values.

    Example:
      >>> x = tf.random.normal([200, 8])
      >>> d2, idx = nearest_neighbors(x, 5)   # each row's 5 nearest other rows
      >>> idx.shape
      TensorShape([200, 5])
      >>> bool(tf.reduce_all(idx != tf.range(200)[:, None]))  # never the row itself
      True
    """
    k = validation.check_int("k", k, 1)
    block_size = validation.check_int("block_size", block_size, 1)
    points = features_matrix(points, "points")
    if queries is None:
        queries = points
        if exclude_self is None:
            exclude_self = True
    else:
        queries = features_matrix(queries, "queries")
    if exclude_self not in (None, True, False):
        raise ValueError(f"`exclude_self` must be None, True or False, got {exclude_self!r}.")
    f_p, f_q = points.shape[1], queries.shape[1]
    if f_p is not None and f_q is not None and f_p != f_q:
        raise ValueError(f"`queries` must have the same number of features as `points` "
                         f"({f_p}), got {f_q}.")
    n_q = tf.shape(queries)[0]
    deps = []
    if query_indices is not None:
        self_index = tf.reshape(tf.cast(query_indices, tf.int32), [-1])
        n_i, q_s = self_index.shape[0], queries.shape[0]
        if n_i is not None and q_s is not None and n_i != q_s:
            raise ValueError(f"`query_indices` must have one entry per query ({q_s}), "
                             f"got {n_i}.")
        deps += require(tf.equal(tf.size(self_index), n_q),
                        "`query_indices` must have one entry per query.")
    elif exclude_self:
        self_index = tf.range(n_q)
    else:
        self_index = tf.fill([n_q], -1)
    excluded = bool(exclude_self) or query_indices is not None
    why = " (the query's own row excluded)" if excluded else ""
    n_p = tf.shape(points)[0]
    if points.shape[0] is not None:
        available = points.shape[0] - int(excluded)
        if k > available:
            raise ValueError(f"`k` ({k}) must not exceed the number of candidate points "
                             f"({available}{why}).")
    deps += require(k <= n_p - int(excluded),
                    f"`k` ({k}) must not exceed the number of candidate points{why}.",
                    data=[n_p])
    deps += require(tf.reduce_all(tf.math.is_finite(points)),
                    "`points` contains NaN or infinite values.")
    if queries is not points:
        deps += require(tf.reduce_all(tf.math.is_finite(queries)),
                        "`queries` contains NaN or infinite values.")
    if f_p is None or f_q is None:
        deps += require(tf.equal(tf.shape(points)[1], tf.shape(queries)[1]),
                        "`queries` must have the same number of features as `points`.")
    points = with_deps(deps, points)
    return _compiled_search(k, block_size)(points, queries, self_index)
