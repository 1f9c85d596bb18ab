"""How many rows each class gains: imbalanced-learn's ``sampling_strategy``
for over-samplers, as graph ops (class ids known only at run time)."""

import numbers

import tensorflow as tf

from tfaug.core import validation
from tfaug.tabular.ops.checks import label_vector, require, with_deps

STRATEGIES = ("auto", "not majority", "minority", "not minority", "all")


def check_strategy(sampling_strategy):
    """Validates the form of ``sampling_strategy`` (eagerly, before any tensor).

    Returns:
      The strategy in canonical form: a string, a float in ``(0, 1]``, or a
      dict ``{int class: int target count}``.
    """
    name, s = "sampling_strategy", sampling_strategy
    allowed = (f"one of {list(STRATEGIES)}, a float in (0, 1] or a dict "
               "{class: target count}")
    if isinstance(s, str):
        if s not in STRATEGIES:
            raise validation.ArgumentError(name, s, allowed)
        return s
    if isinstance(s, numbers.Real) and not isinstance(s, bool):
        s = float(s)
        if not 0.0 < s <= 1.0:
            raise validation.ArgumentError(
                name, s, "in (0, 1] as a float",
                "`sampling_strategy` as a float (minority / majority ratio "
                f"after resampling) must be in (0, 1], got {s!r}.")
        return s
    if isinstance(s, dict):
        if not s:
            raise validation.ArgumentError(
                name, s, "a dict naming at least one class",
                "`sampling_strategy` as a dict must name at least one class, got {}.")
        out = {}
        for key, value in s.items():
            if not isinstance(key, numbers.Integral):
                raise validation.ArgumentTypeError(
                    name, s, "a dict with integer class ids as keys",
                    "`sampling_strategy` dict keys must be integer (or bool) "
                    f"class ids, got {key!r}.")
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                error = (validation.ArgumentError if validation.is_number(value)
                         else validation.ArgumentTypeError)
                raise error(name, s, "a dict with non-negative integer target counts",
                            "`sampling_strategy` dict values must be non-negative "
                            f"integer target counts, got {value!r} for class {key!r}.")
            out[int(key)] = int(value)
        return out
    raise validation.ArgumentTypeError(name, s, allowed)


def _first_index(mask):
    """Index of the first true entry of a bool vector (its length if none)."""
    n = tf.shape(mask)[0]
    return tf.reduce_min(tf.where(mask, tf.range(n), n))


def targeted_classes(classes, counts, sampling_strategy):
    """Which classes ``sampling_strategy`` resamples (bool ``[C]``).

    ``"auto"`` / ``"not majority"``: all but the majority; ``"minority"``: the
    minority; ``"not minority"``: all but the minority; ``"all"``: all; a
    float: the minority of a binary problem (all but the majority); a dict: the
    classes it names. Ties for the majority or the minority go to the smallest
    class id, as in imbalanced-learn.

    Args:
      classes: Sorted class ids ``[C]`` (from :func:`class_counts`).
      counts: int ``[C]`` rows per class.
      sampling_strategy: A form :func:`check_strategy` accepts.
    """
    strategy = check_strategy(sampling_strategy)
    positions = tf.range(tf.size(counts))
    is_majority = tf.equal(positions, _first_index(tf.equal(counts, tf.reduce_max(counts))))
    is_minority = tf.equal(positions, _first_index(tf.equal(counts, tf.reduce_min(counts))))
    if isinstance(strategy, dict):
        keys = tf.constant(list(strategy.keys()), classes.dtype)
        return tf.reduce_any(tf.equal(classes[:, None], keys[None, :]), axis=1)
    if strategy == "minority":
        return is_minority
    if strategy == "not minority":
        return tf.logical_not(is_minority)
    if strategy == "all":
        return tf.ones_like(is_majority)
    return tf.logical_not(is_majority)  # "auto", "not majority", a float


def class_counts(labels):
    """Sorted class ids and their counts.

    Args:
      labels: int or bool ``[N]`` class ids (bool counts as 0 / 1).

    Returns:
      ``(classes [C], counts int32 [C], index int32 [N])``: ``classes`` sorted
      ascending (int64 for int64 labels, else int32) and each row's position
      in ``classes``.
    """
    labels, _ = label_vector(labels)
    classes = tf.sort(tf.unique(labels)[0])
    index = tf.searchsorted(classes, labels, out_type=tf.int32)
    counts = tf.math.unsorted_segment_sum(tf.ones_like(index), index, tf.size(classes))
    return classes, counts, index


def class_targets(labels, sampling_strategy="auto"):
    """Per-class number of synthetic rows, with imbalanced-learn's semantics.

    Over-sampling forms of ``sampling_strategy`` (as
    ``imblearn.over_sampling``'s): ``"auto"`` (= ``"not majority"``: every
    class grows to the majority count), ``"minority"`` (only the smallest
    class), ``"not minority"``, ``"all"``; a float ``r`` in ``(0, 1]`` (binary
    problems only: the minority grows to ``int(r * majority count)``; an error
    if that is not above its current count); a dict ``{class: target count}``
    (an error if a class is absent from ``labels`` or a target is below the
    current count; classes not named get no rows). Ties for the majority or
    the minority go to the smallest class id, as in imbalanced-learn.

    The strategy's form is checked eagerly (``ValueError`` naming
    ``sampling_strategy``); checks that depend on the labels' values raise
    ``ValueError`` eagerly and are ``tf.debugging`` assertions in a graph.

    Args:
      labels: int or bool ``[N]`` class ids, at least two distinct classes.
      sampling_strategy: See above.

    Returns:
      ``(classes, counts, n_new)``: sorted class ids ``[C]`` (int64 for int64
      labels, else int32), int32 ``[C]`` row counts and int32 ``[C]`` number of
      rows to generate per class.

    Example:
      >>> class_targets(tf.constant([0, 0, 0, 0, 1, 2, 2]))[2].numpy()
      array([0, 3, 2], dtype=int32)
    """
    strategy = check_strategy(sampling_strategy)
    classes, counts, _ = class_counts(labels)
    n_classes = tf.size(classes)
    deps = require(n_classes > 1, "`labels` must contain more than one class to "
                   "resample (imbalanced-learn raises the same).", data=[n_classes])
    classes = with_deps(deps, classes)
    majority = tf.reduce_max(counts)
    targeted = targeted_classes(classes, counts, strategy)
    grow = majority - counts
    zero = tf.zeros_like(counts)
    if isinstance(strategy, str):
        n_new = tf.where(targeted, grow, zero)
    elif isinstance(strategy, float):
        is_majority = tf.logical_not(targeted)
        target = tf.cast(tf.floor(strategy * tf.cast(majority, tf.float64)
                                  - tf.cast(counts, tf.float64)), tf.int32)
        n_new = tf.where(is_majority, zero, target)
        deps = require(tf.equal(n_classes, 2),
                       "`sampling_strategy` can be a float only for binary labels "
                       "(two classes); use a dict for more classes.", data=[n_classes])
        deps += require(tf.reduce_all(is_majority | (n_new > 0)),
                        f"`sampling_strategy`={strategy} would remove rows from the "
                        "minority class (or add none); increase the ratio.",
                        data=[counts])
        n_new = with_deps(deps, n_new)
    else:
        keys = tf.constant(list(strategy.keys()), classes.dtype)
        wanted = tf.constant(list(strategy.values()), tf.int32)
        match = tf.equal(classes[:, None], keys[None, :])  # [C, D]
        named = tf.reduce_any(match, axis=1)
        target = tf.reduce_sum(tf.where(match, wanted[None, :], 0), axis=1)
        n_new = tf.where(named, target - counts, zero)
        missing = tf.logical_not(tf.reduce_any(match, axis=0))
        absent = tf.boolean_mask(keys, missing)
        detail = f": {absent.numpy().tolist()}" if tf.executing_eagerly() else ""
        deps = require(tf.logical_not(tf.reduce_any(missing)),
                       f"`sampling_strategy` {strategy} names classes absent from "
                       f"`labels`{detail}.", data=[absent])
        if tf.executing_eagerly():
            detail = ", ".join(f"class {c}: {n} rows, asked {strategy[c]}" for c, n in zip(
                classes.numpy().tolist(), counts.numpy().tolist())
                if c in strategy and strategy[c] < n)
        deps += require(tf.reduce_all(n_new >= 0),
                        f"`sampling_strategy` {strategy} asks for fewer rows than a "
                        f"class has ({detail}); an over-sampler can only add rows.",
                        data=[counts])
        n_new = with_deps(deps, n_new)
    return classes, counts, n_new
