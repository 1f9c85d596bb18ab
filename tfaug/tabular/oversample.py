"""Per-batch oversampling layers: SMOTE (and its variants) and a generator slot.

``adapt`` reads the training set once; in training each batch gets synthetic
rows of its under-represented classes appended, made in-graph, so the layer
runs in ``tf.data``, in a model's train step and inside a SavedModel. Off at
inference (the identity).

How many rows a batch gets: ``sampling_strategy`` (imbalanced-learn's forms)
fixes each class's target size relative to the majority class in the adapted
data (``"auto"``: every class as large as the majority). In a batch whose most
frequent class has ``n_max`` rows, class ``c`` should have
``n_max * target_c / majority`` rows; the layer appends
``round(ratio * strength * max(0, that - n_c))`` synthetic rows of class ``c``
(``ratio`` 1: fully rebalanced, 0.5: half the deficit). ``strength`` is the
keyword-only knob of every layer (a variable: ``set_strength`` or a schedule
changes it between epochs without a retrace): 1 as configured, 0 no rows added.
The batch then has a data-dependent number of rows (not XLA-compilable;
``tf.data`` and Keras handle it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import keras
import tensorflow as tf

from tfaug.core import registry
from tfaug.core import validation
from tfaug.core.base import BatchAugmentation
from tfaug.tabular import ops
from tfaug.tabular import stats
from tfaug.tabular.base import CATEGORICAL, COLUMN, FEATURES, LABELS, TabularAugmentation

VARIANTS = ("smote", "borderline-1", "borderline-2", "adasyn")
_TABLE = {"adapted": (tf.bool, 0), "classes": (tf.int64, 1), "base": (tf.float32, 2), "base_class": (tf.int32, 1),
          "weight": (tf.float32, 1), "pool": (tf.float32, 2), "neighbors": (tf.int32, 2),
          "max_step": (tf.float32, 2), "categorical": (tf.float32, 2),
          "categorical_index": (tf.int32, 1), "target_share": (tf.float32, 1)}


def _json_keys_to_ints(value):
    """A dict strategy read back from JSON has string keys ("1"): ints again."""
    if not isinstance(value, dict):
        return value
    out = {}
    for key, count in value.items():
        try:
            out[int(key) if isinstance(key, str) else key] = count
        except ValueError:
            raise validation.ArgumentError(
                "sampling_strategy", value, "a dict with class ids (ints) as keys",
                f"`sampling_strategy` dict keys must be class ids (ints), got "
                f"{key!r}.") from None
    return out


class _Oversampler(TabularAugmentation, BatchAugmentation):
    """Shared plumbing: adapted class targets, per-batch counts, appending rows."""

    auto_compile = False
    xla_exempt = True  # the number of output rows depends on the labels

    def __init__(self, sampling_strategy: str | float | Mapping[int, int] = "auto", *,
                 ratio: float = 1.0,
                 categorical_features: Sequence[int] | Sequence[str] | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(categorical_features=categorical_features, seed=seed, **kwargs)
        self.sampling_strategy = ops.check_strategy(_json_keys_to_ints(sampling_strategy))
        self.ratio = validation.check_number("ratio", ratio, 0.0)
        # Variables of unknown shape: ``adapt`` assigns them; SavedModel tracks
        # them; ``save_own_variables`` writes them into a ``.keras`` file.
        self._table = {
            key: tf.Variable(tf.zeros([0] * rank, dtype), shape=tf.TensorShape([None] * rank),
                             trainable=False, name=f"table_{key}")
            for key, (dtype, rank) in self.table_spec().items()}

    def table_spec(self):
        return {k: _TABLE[k] for k in ("adapted", "classes", "target_share")}

    @property
    def is_adapted(self):
        """Whether :meth:`adapt` has run (or a saved table was loaded)."""
        return bool(self._table["adapted"].numpy())

    # ------------------------------------------------------------------ adapt
    def _collect(self, data, labels, batch_size, steps):
        if labels is not None:
            data = (data, labels)
        rows = stats.collect(self, data, batch_size, steps)
        if LABELS not in rows:
            raise ValueError(f"{type(self).__name__}.adapt needs labels: pass "
                             "`adapt(features, labels)` or data of (features, labels).")
        extra = sorted(k[len(COLUMN):] for k in rows if k.startswith(COLUMN))
        if extra:
            raise ValueError(f"{type(self).__name__} cannot synthesize string columns "
                             f"{extra}; encode them as integer codes first (e.g. "
                             "keras.layers.StringLookup).")
        return rows

    def _set_targets(self, labels):
        """The classes the strategy applies to, and each one's target size as a
        share of the majority class."""
        classes, counts, n_new = ops.class_targets(_class_ids(labels), self.sampling_strategy)
        # Per batch, a class the strategy names is grown whenever the batch
        # holds too few of it, even if the whole data set needs no new rows of
        # it (the majority under "all" or "not minority").
        grow = ops.targeted_classes(classes, counts, self.sampling_strategy)
        share = tf.cast(counts + n_new, tf.float32) / tf.cast(tf.reduce_max(counts), tf.float32)
        return tf.boolean_mask(classes, grow), tf.boolean_mask(share, grow)

    def _assign(self, table):
        table = dict(table, adapted=True)
        for key, variable in self._table.items():
            dtype, _ = self.table_spec()[key]
            variable.assign(tf.cast(table[key], dtype))

    # ------------------------------------------------------------------- call
    def train_ops(self, inputs, seed):
        data, spec = self.standardize(inputs)
        if LABELS not in data:
            raise ValueError(f"{type(self).__name__} needs labels in training: call it on "
                             "(features, labels), {'features': ..., 'labels': ...} or a dict "
                             "of columns with 'labels' (tf.data, or tfaug.data.Pipeline"
                             ".augment); at inference it is the identity.")
        labels = _class_ids(data[LABELS])
        if tf.executing_eagerly() and not self.is_adapted:
            raise ValueError(f"{type(self).__name__} is not adapted: call "
                             "`adapt(features, labels)` on the training data first.")
        check = tf.debugging.Assert(self._table["adapted"], [
            f"{type(self).__name__} is not adapted: call adapt(features, labels) first."])
        with tf.control_dependencies([check]):
            n_new = self.batch_deficit(labels)
        new = self.generate(tf.cast(seed, tf.int64), n_new, data)
        out = {k: tf.concat([data[k], tf.cast(new[k], data[k].dtype)], axis=0)
               if k != LABELS else _append_labels(data[k], new[LABELS]) for k in data}
        return self.restore(out, spec)

    def batch_deficit(self, labels):
        """Synthetic rows per adapted class for a batch with ``labels`` (int64 ``[B]``):
        ``round(ratio * strength * deficit)``."""
        classes = self._table["classes"]
        share = self._table["target_share"]
        _, _, batch_counts = tf.unique_with_counts(labels)
        n_max = tf.cast(tf.reduce_max(tf.concat([batch_counts, [0]], 0)), tf.float32)
        have = tf.reduce_sum(tf.cast(labels[None, :] == classes[:, None], tf.float32), axis=1)
        deficit = tf.maximum(n_max * share - have, 0.0)
        return tf.cast(tf.round(self.ratio * self.strength_tensor() * deficit), tf.int32)

    def generate(self, seed, n_new, data):
        """``{"features", "categorical", "labels"}`` of the synthetic rows."""
        raise NotImplementedError

    # ------------------------------------------------------------ .keras files
    def save_own_variables(self, store):
        super().save_own_variables(store)
        for key, variable in self._table.items():
            store[f"table_{key}"] = variable.numpy()

    def load_own_variables(self, store):
        # The base method insists the file lists only the Keras variables.
        own = self._trainable_variables + self._non_trainable_variables
        for i, variable in enumerate(own):
            variable.assign(store[f"{i}"])
        self.load_tf_state(store)
        for key, variable in self._table.items():
            variable.assign(store[f"table_{key}"])


@registry.register
class SMOTE(_Oversampler):
    """SMOTE in the batch: synthetic minority rows interpolated in-graph.

    ``adapt(features, labels)`` finds, for each class to grow, its rows and
    their ``k_neighbors`` nearest same-class neighbours (exact, blocked brute
    force: :func:`tfaug.tabular.ops.nearest_neighbors`) and stores them as the
    layer's table (variables: they travel in ``.keras`` files and SavedModels).
    In training each batch gets ``row + u * (neighbour - row)`` rows, ``u ~
    U[0, 1)``, for its under-represented classes (see the module docstring for
    how many). Categorical columns make the variant SMOTE-NC (distance with the
    median-std penalty, categories by majority among the neighbours).

    Args:
      k_neighbors: Neighbours per row (imbalanced-learn's ``k_neighbors``).
      sampling_strategy: imbalanced-learn's forms: ``"auto"`` / ``"not
        majority"``, ``"minority"``, ``"not minority"``, ``"all"``, a float
        (binary: minority/majority after resampling) or ``{class: count}``.
      variant: ``"smote"``, ``"borderline-1"``, ``"borderline-2"`` or
        ``"adasyn"`` (which rows seed new ones and with which weights).
      m_neighbors: Neighbours that decide a borderline row's "danger" status.
      ratio: Share of each batch's deficit to fill (>= 0; 1 rebalances fully).
      categorical_features: See :class:`~tfaug.tabular.base.TabularAugmentation`.
      seed: Initial seed state.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies ``ratio``;
        1 is as configured, 0 adds no rows.

    Input shape:
      ``(features, labels)``, ``{"features", "labels"}`` or a dict of columns
      with ``"labels"`` (integer class ids ``[B]`` or ``[B, 1]``). Output: the
      same structure with synthetic rows appended after the batch's own rows.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x = rng.normal(size=(60, 4)).astype("float32")
      >>> y = np.array([0] * 50 + [1] * 10)  # 50 majority rows, 10 minority rows
      >>> x[y == 1] += 1.5
      >>> smote = tfaug.tabular.SMOTE(k_neighbors=3, seed=0)
      >>> smote.adapt(x, y)
      >>> ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(60, seed=0)
      >>> ds = ds.batch(30).map(lambda xb, yb: smote((xb, yb), training=True))
      >>> xb, yb = next(iter(ds))  # 30 rows + synthetic minority rows
      >>> counts = np.bincount(yb.numpy())
      >>> bool(counts[0] == counts[1]), bool(xb.shape[0] == counts.sum())
      (True, True)
    """

    def __init__(self, k_neighbors: int = 5, *,
                 sampling_strategy: str | float | Mapping[int, int] = "auto",
                 variant: str = "smote", m_neighbors: int = 10, ratio: float = 1.0,
                 categorical_features: Sequence[int] | Sequence[str] | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        self.k_neighbors = validation.check_int("k_neighbors", k_neighbors, 1)
        self.variant = validation.check_choice("variant", variant, VARIANTS)
        self.m_neighbors = validation.check_int("m_neighbors", m_neighbors, 1)
        super().__init__(sampling_strategy=sampling_strategy, ratio=ratio,
                         categorical_features=categorical_features, seed=seed, **kwargs)

    def table_spec(self):
        return dict(_TABLE)

    def adapt(self, data, labels=None, batch_size=None, steps=None):
        """Builds the neighbour table from the training data.

        Args:
          data: Features (matrix or dict of columns) with ``labels`` given
            separately, or ``(features, labels)`` / a dict with ``"labels"`` / a
            ``tf.data.Dataset`` of those.
          labels: Integer class ids ``[N]`` when ``data`` holds features only.
          batch_size: Rows per step for in-memory data (default: all).
          steps: Dataset elements to read (default: all).
        """
        rows = self._collect(data, labels, batch_size, steps)
        matrix, cat_index = _smote_matrix(rows)
        variant = self.variant
        if cat_index:
            if variant != "smote":
                raise ValueError(f"variant={variant!r} works on numeric columns only; the "
                                 f"input has categorical columns (SMOTE-NC is variant "
                                 "'smote' with categorical columns).")
            variant = "smote-nc"
        class_ids = _class_ids(rows[LABELS])
        grow, share = self._set_targets(class_ids)
        table = ops.build_table(matrix, class_ids, variant=variant,
                                k_neighbors=self.k_neighbors, m_neighbors=self.m_neighbors,
                                categorical_features=cat_index or None, classes=grow)
        table = dict(table, target_share=_align_share(table["classes"], grow, share))
        self._assign(table)

    def generate(self, seed, n_new, data):
        table = {k: v for k, v in self._table.items() if k not in ("target_share", "adapted")}
        width = data[FEATURES].shape[1]
        # The categorical positions follow from the input's layout (static),
        # not from the stored variable (whose shape is unknown when traced).
        table["categorical_index"] = tf.range(width, width + data[CATEGORICAL].shape[1])
        x, y = ops.sample_table(seed, table, n_new)
        return {FEATURES: x[:, :width], CATEGORICAL: x[:, width:], LABELS: y}


def _smote_matrix(rows):
    """Numeric then categorical columns, and the categorical positions."""
    num, cat = rows[FEATURES], rows[CATEGORICAL]
    width = num.shape[1]
    return tf.concat([num, cat], axis=1), list(range(width, width + cat.shape[1]))


def _align_share(table_classes, grow, share):
    """``share`` (per class in ``grow``) reordered to the table's class order."""
    match = tf.cast(tf.cast(table_classes, tf.int64)[:, None] == tf.cast(grow, tf.int64)[None],
                    tf.float32)
    return tf.reduce_sum(match * share[None], axis=1)


def _class_ids(labels):
    labels = tf.convert_to_tensor(labels)
    if labels.shape.rank == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.shape.rank != 1 or not (labels.dtype.is_integer or labels.dtype == tf.bool):
        raise ValueError("oversampling needs integer class ids as labels ([B] or [B, 1]), got "
                         f"{labels.dtype.name} labels of shape {labels.shape}.")
    return tf.cast(labels, tf.int64)


def _append_labels(labels, new):
    new = tf.cast(new, labels.dtype)
    if labels.shape.rank == 2:
        new = new[:, None]
    return tf.concat([labels, new], axis=0)


@registry.register
class GenerativeOversampler(_Oversampler):
    """The oversampling slot fed by a generative model instead of SMOTE.

    Same per-batch counts as :class:`SMOTE` (``sampling_strategy``, ``ratio``);
    the rows come from ``generator.generate(labels, seed) -> [n, F]``, e.g. a
    trained :class:`~tfaug.tabular.TabularVAE`. ``adapt`` only learns the class
    targets; train the generator on the same data first.

    Args:
      generator: A Keras model with ``generate(labels int [n], seed [2]) ->
        float32 [n, F]`` rows in the input's column order (matrix inputs).
      sampling_strategy: As :class:`SMOTE`.
      ratio: As :class:`SMOTE`.
      categorical_features: See :class:`~tfaug.tabular.base.TabularAugmentation`.
      seed: Initial seed state.

    Input shape:
      ``(features, labels)``, ``{"features", "labels"}`` or a dict of columns
      with ``"labels"`` (integer class ids ``[B]`` or ``[B, 1]``). Output: the
      same structure with synthetic rows appended after the batch's own rows.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x = rng.normal(size=(60, 4)).astype("float32")
      >>> y = np.array([0] * 50 + [1] * 10)  # 50 majority rows, 10 minority rows
      >>> x[y == 1] += 1.5
      >>> vae = tfaug.tabular.TabularVAE(num_features=4, num_classes=2, seed=0)
      >>> vae.compile("adam")
      >>> history = vae.fit(x, y, epochs=2, verbose=0)  # (train longer in practice)
      >>> over = tfaug.tabular.GenerativeOversampler(vae, seed=0)
      >>> over.adapt(x, y)
      >>> x_bal, y_bal = over((x[:30], y[:30]), training=True)
      >>> np.bincount(y_bal.numpy()).tolist()  # 30 rows: 30 of class 0, 0 -> 30 of class 1
      [30, 30]
    """

    def __init__(self, generator: keras.Model, *,
                 sampling_strategy: str | float | Mapping[int, int] = "auto", ratio: float = 1.0,
                 categorical_features: Sequence[int] | Sequence[str] | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        if isinstance(generator, dict):
            generator = keras.saving.deserialize_keras_object(generator)
        if not callable(getattr(generator, "generate", None)):
            raise validation.ArgumentTypeError(
                "generator", generator, "an object with a `generate(labels, seed)` method "
                "(e.g. tfaug.tabular.TabularVAE)")
        super().__init__(sampling_strategy=sampling_strategy, ratio=ratio,
                         categorical_features=categorical_features, seed=seed, **kwargs)
        self.generator = generator

    def get_config(self):
        config = super().get_config()
        config["generator"] = keras.saving.serialize_keras_object(self.generator)
        return config

    def adapt(self, data, labels=None, batch_size=None, steps=None):
        """Learns the class targets (see :meth:`SMOTE.adapt` for the arguments)."""
        rows = self._collect(data, labels, batch_size, steps)
        grow, share = self._set_targets(_class_ids(rows[LABELS]))
        self._assign({"classes": grow, "target_share": share})

    def generate(self, seed, n_new, data):
        classes = self._table["classes"]
        labels = tf.repeat(classes, n_new)
        rows = tf.cast(self.generator.generate(tf.cast(labels, tf.int32), seed), tf.float32)
        width = data[FEATURES].shape[1] + data[CATEGORICAL].shape[1]
        if rows.shape[-1] is not None and rows.shape[-1] != width:
            raise ValueError(f"the generator makes rows of {rows.shape[-1]} columns; the "
                             f"input has {width}.")
        numeric, categorical = self._split(width)
        return {FEATURES: tf.gather(rows, tf.constant(numeric, tf.int32), axis=1),
                CATEGORICAL: tf.gather(rows, tf.constant(categorical, tf.int32), axis=1),
                LABELS: labels}

    def _split(self, width):
        cat = [c for c in (self.categorical_features or []) if isinstance(c, int)]
        return [i for i in range(width) if i not in cat], cat
