"""TabularVAE: a conditional variational autoencoder over table rows.

The model learns the joint distribution of a table's rows given the class label
(a CVAE: the one-hot label is fed to the encoder and to the decoder) and draws
synthetic rows for any label. Continuous columns are modelled on standardized
values with a Gaussian head (a per-feature learned standard deviation, Gaussian
negative log-likelihood); each categorical column has a softmax head
(cross-entropy) and is sampled as a category.

Generation is a pure TensorFlow graph path (stateless RNG from
:mod:`tfaug.core.seeds`, no numpy), so it runs eagerly, in ``tf.function``,
inside ``tf.data`` and in a SavedModel. The oversampling slot that the SMOTE
layer calls is::

    generate(labels, seed) -> rows    # int [n], int [2] -> float32 [n, F]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import random
from typing import Any

import keras
import tensorflow as tf

from tfaug.core import seeds as seeds_lib
from tfaug.core import validation

_LOG_2PI = 1.8378770664093453
_MIN_LOG_SIGMA = -4.6  # sigma >= 0.01 (standardized units)
_MAX_LOG_SIGMA = 1.0


def _check_hidden_units(value):
    units = (value,) if isinstance(value, int) else value
    allowed = "a non-empty list of positive ints"
    if not isinstance(units, (list, tuple)) or any(
            isinstance(u, bool) or not isinstance(u, int) for u in units):
        raise validation.ArgumentTypeError("hidden_units", value, allowed)
    if not units or any(u <= 0 for u in units):
        raise validation.ArgumentError("hidden_units", value, allowed)
    return [int(u) for u in units]


def _check_categorical(value, num_features):
    """Returns ``{column: categories}`` with int keys, sorted by column."""
    if value is None:
        return {}
    name = "categorical_features"
    if not isinstance(value, dict):
        raise validation.ArgumentTypeError(
            name, value, "None or a dict {column index: number of categories}")
    out = {}
    for key, card in value.items():
        # String keys are what a JSON trip gives.
        column = int(key) if isinstance(key, str) and key.lstrip("-").isdigit() else key
        if isinstance(column, bool) or not isinstance(column, int) or not (
                0 <= column < num_features):
            raise validation.ArgumentError(
                name, value, f"a dict whose keys are column indices in [0, {num_features})",
                "`categorical_features` keys must be column indices in "
                f"[0, {num_features}), got {key!r}.")
        if isinstance(card, bool) or not isinstance(card, int) or card < 2:
            raise validation.ArgumentError(
                name, value, "a dict whose values are ints >= 2",
                "`categorical_features` values must be ints >= 2 (number of "
                f"categories), got {card!r} for column {column}.")
        if column in out:  # {1: 3, "1": 3}
            raise validation.ArgumentError(
                name, value, "a dict naming each column once",
                f"`categorical_features` names column {column} twice, got {value!r}.")
        out[column] = int(card)
    return dict(sorted(out.items()))


@keras.saving.register_keras_serializable(package="tfaug")
class TabularVAE(keras.Model):
    """Conditional variational autoencoder that generates synthetic table rows.

    Train it like any Keras model (``compile(optimizer)`` then
    ``fit(x=features, y=labels)`` or ``fit(dataset_of_(features, labels))``);
    the loss is built in: reconstruction (Gaussian NLL on standardized continuous
    columns + cross-entropy on categorical columns) plus ``beta`` times the KL
    divergence of the posterior from ``N(0, I)``, averaged over rows. ``fit``
    reports ``loss``, ``reconstruction`` and ``kl``. The per-feature mean and
    standard deviation of the continuous columns are learned by :meth:`adapt`,
    which ``fit`` calls on its data if the model was not adapted yet; they are
    non-trainable weights, so a saved model keeps them.

    Generation: :meth:`sample` (``n`` rows of one label, or of a label per row)
    and :meth:`generate` (``generate(labels, seed) -> rows``, the graph-only
    oversampling slot: int ``[n]`` labels and a ``[2]`` seed to float32
    ``[n, F]`` rows in the original scale). Rows come from
    ``z ~ N(0, I)`` decoded with the label; continuous columns add the learned
    per-feature noise (times ``temperature``), categorical columns are drawn from
    their softmax (``temperature=0``: the most likely category), returned as
    float category codes ``0..k-1``.

    Args:
      num_features: Number of columns ``F`` of a row (int >= 1).
      num_classes: Number of labels (int >= 1); labels are ``0..num_classes-1``.
        With 1 the model is unconditional and ``fit`` may omit ``y``.
      latent_dim: Size of the latent code (int >= 1).
      hidden_units: Widths of the encoder's hidden layers (the decoder uses them
        reversed), a list of positive ints.
      categorical_features: None or a dict ``{column index: number of
        categories}``; such a column holds category codes ``0..k-1`` as floats.
        String keys (``{"3": 4}``, what a JSON trip gives) are accepted.
      beta: Weight of the KL term (float >= 0); 1 is the plain VAE.
      seed: None or an int in ``[0, 2**31-1]``: seeds the weight initializers,
        the training noise and the seed state ``sample(seed=None)`` advances.
        None draws one from the OS at construction.
      **kwargs: Keras model arguments (``name``).

    Input shape:
      features: float ``[B, F]``; labels: int (or bool / float holding ints)
      ``[B]`` or ``[B, 1]``.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> features = rng.normal(size=(64, 5)).astype("float32")
      >>> labels = (features[:, 0] > 1.0).astype("int32")
      >>> vae = TabularVAE(num_features=5, num_classes=2, seed=0)
      >>> vae.compile(optimizer=keras.optimizers.Adam(1e-3))
      >>> history = vae.fit(features, labels, epochs=2, batch_size=32, verbose=0)
      >>> vae.sample(100, label=1, seed=7).shape
      TensorShape([100, 5])
      >>> vae.generate(tf.constant([0, 1, 1]), tf.constant([1, 2])).shape
      TensorShape([3, 5])
    """

    def __init__(self, num_features: int, num_classes: int, *, latent_dim: int = 8,
                 hidden_units: Sequence[int] = (64, 64),
                 categorical_features: Mapping[int | str, int] | None = None, beta: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_features = validation.check_int("num_features", num_features, 1)
        self.num_classes = validation.check_int("num_classes", num_classes, 1)
        self.latent_dim = validation.check_int("latent_dim", latent_dim, 1)
        self.hidden_units = _check_hidden_units(hidden_units)
        self.categorical_features = _check_categorical(categorical_features,
                                                       self.num_features)
        self.beta = validation.check_number("beta", beta, 0.0)
        self.seed = validation.check_seed("seed", seed)
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True

        cat = self.categorical_features
        self._cat_columns = list(cat)
        self._cat_sizes = [cat[c] for c in self._cat_columns]
        self._cont_columns = [c for c in range(self.num_features) if c not in cat]
        order = self._cont_columns + self._cat_columns
        self._inverse_order = [order.index(c) for c in range(self.num_features)]
        n_cont = len(self._cont_columns)
        enc_in = n_cont + sum(self._cat_sizes) + self.num_classes
        dec_out = n_cont + sum(self._cat_sizes)

        base = seed if seed is not None else random.SystemRandom().randrange(2**31 - 1)
        self._base_seed = int(base)

        def init(i):
            return keras.initializers.GlorotUniform(seed=(self._base_seed * 131 + i) % 2**31)

        self.encoder = keras.Sequential(
            [keras.Input((enc_in,))]
            + [keras.layers.Dense(u, "relu", kernel_initializer=init(i))
               for i, u in enumerate(self.hidden_units)]
            + [keras.layers.Dense(2 * self.latent_dim, kernel_initializer=init(100))],
            name="encoder")
        self.decoder = keras.Sequential(
            [keras.Input((self.latent_dim + self.num_classes,))]
            + [keras.layers.Dense(u, "relu", kernel_initializer=init(200 + i))
               for i, u in enumerate(reversed(self.hidden_units))]
            + [keras.layers.Dense(dec_out, kernel_initializer=init(300))],
            name="decoder")
        self.log_sigma = self.add_weight(name="log_sigma", shape=(n_cont,),
                                         initializer="zeros", trainable=True)
        self.feature_mean = self.add_weight(name="feature_mean", shape=(self.num_features,),
                                            initializer="zeros", trainable=False)
        self.feature_std = self.add_weight(name="feature_std", shape=(self.num_features,),
                                           initializer="ones", trainable=False)
        self.adapted = self.add_weight(name="adapted", shape=(), initializer="zeros",
                                       trainable=False)
        self._seed_state = self.add_weight(
            name="seed_state", shape=(3,), dtype="int64", trainable=False,
            initializer=keras.initializers.Constant([0, 0, self._base_seed]))
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")
        self.built = True

    # ------------------------------------------------------------------ config
    def get_config(self):
        """Returns the ``__init__`` arguments (JSON-native) and ``name``.

        ``categorical_features`` keys are strings (JSON object keys);
        ``from_config`` turns them back into ints.
        """
        return {
            "name": self.name,
            "num_features": self.num_features,
            "num_classes": self.num_classes,
            "latent_dim": self.latent_dim,
            "hidden_units": list(self.hidden_units),
            "categorical_features": ({str(k): v for k, v in self.categorical_features.items()}
                                     if self.categorical_features else None),
            "beta": self.beta,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]

    @property
    def is_adapted(self):
        """Whether :meth:`adapt` has set the standardization statistics."""
        return bool(self.adapted.numpy() > 0.5)

    # ------------------------------------------------------------------- adapt
    def adapt(self, features):
        """Learns the mean and standard deviation of each continuous column.

        Categorical columns are checked to hold codes ``0..k-1``.

        Args:
          features: float ``[N, F]`` array or tensor, or a ``tf.data.Dataset`` of
            ``[B, F]`` batches or of ``(features, labels, ...)`` tuples.

        Returns:
          ``self``.

        Raises:
          ValueError: if the features have the wrong shape, no rows, NaN or
            infinite values, or a categorical code out of range.
        """
        if isinstance(features, tf.data.Dataset):
            batches = (e[0] if isinstance(e, (tuple, list)) else e for e in features)
        else:
            batches = [features]
        total = tf.zeros([self.num_features], tf.float64)
        total_sq = tf.zeros([self.num_features], tf.float64)
        count = 0
        for batch in batches:
            batch = self._check_features(batch)
            if not bool(tf.reduce_all(tf.math.is_finite(batch))):
                raise ValueError("`features` passed to `adapt` holds NaN or infinite values.")
            self._check_codes(batch)
            batch = tf.cast(batch, tf.float64)
            total += tf.reduce_sum(batch, 0)
            total_sq += tf.reduce_sum(tf.square(batch), 0)
            count += int(batch.shape[0])
        if count == 0:
            raise ValueError("`features` passed to `adapt` has no rows.")
        mean = total / count
        var = tf.maximum(total_sq / count - tf.square(mean), 0.0)
        std = tf.where(var > 1e-12, tf.sqrt(var), tf.ones_like(var))
        is_cat = tf.constant([c in self.categorical_features
                              for c in range(self.num_features)])
        mean = tf.where(is_cat, tf.zeros_like(mean), mean)
        std = tf.where(is_cat, tf.ones_like(std), std)
        self.feature_mean.assign(tf.cast(mean, tf.float32))
        self.feature_std.assign(tf.cast(std, tf.float32))
        self.adapted.assign(1.0)
        return self

    def fit(self, x=None, y=None, *args, **kwargs):
        """``keras.Model.fit``; adapts on ``x`` first if the model is not adapted."""
        if not self.is_adapted:
            if isinstance(x, tf.data.Dataset) or tf.is_tensor(x) or hasattr(x, "__array__"):
                self.adapt(x)
            else:
                raise ValueError("Call `adapt(features)` before `fit` when `x` is not an "
                                 f"array, tensor or tf.data.Dataset (got {type(x).__name__}).")
        if y is None and self.num_classes > 1 and not isinstance(x, tf.data.Dataset):
            raise ValueError(f"`y` (the labels) is required when num_classes="
                             f"{self.num_classes} > 1.")
        return super().fit(x, y, *args, **kwargs)

    # ---------------------------------------------------------------- checking
    def _check_features(self, features):
        features = tf.convert_to_tensor(features)
        if not (features.dtype.is_floating or features.dtype.is_integer):
            raise ValueError(f"`features` must be a float or integer tensor, got dtype "
                             f"{features.dtype.name}.")
        if features.shape.rank != 2 or features.shape[-1] != self.num_features:
            raise ValueError(f"`features` must have shape [batch, {self.num_features}] "
                             f"(num_features={self.num_features}), got {features.shape}.")
        return tf.cast(features, tf.float32)

    def _check_codes(self, features):
        for column, size in self.categorical_features.items():
            col = features[:, column]
            bad = tf.reduce_any((col < 0) | (col > size - 1) | (tf.round(col) != col))
            if bool(bad):
                raise ValueError(
                    f"`features` column {column} is categorical (categorical_features) "
                    f"and must hold codes 0..{size - 1}, got values in "
                    f"[{float(tf.reduce_min(col))}, {float(tf.reduce_max(col))}].")

    def _check_labels(self, labels, name="labels"):
        """Int32 labels ``[n]``; ValueError eagerly, an assertion in a graph."""
        labels = tf.convert_to_tensor(labels)
        if not (labels.dtype.is_integer or labels.dtype == tf.bool):
            raise ValueError(f"`{name}` must be an integer tensor, got dtype "
                             f"{labels.dtype.name}.")
        if labels.shape.rank != 1:
            raise ValueError(f"`{name}` must have shape [n], got {labels.shape}.")
        labels = tf.cast(labels, tf.int32)
        if tf.executing_eagerly():
            if labels.shape[0] and bool(tf.reduce_any((labels < 0) |
                                                      (labels >= self.num_classes))):
                raise ValueError(
                    f"`{name}` must be in [0, {self.num_classes}) (num_classes="
                    f"{self.num_classes}), got values in [{int(tf.reduce_min(labels))}, "
                    f"{int(tf.reduce_max(labels))}].")
            return labels
        msg = f"`{name}` must be in [0, {self.num_classes}) (num_classes={self.num_classes})."
        checks = [tf.debugging.assert_non_negative(labels, message=msg),
                  tf.debugging.assert_less(labels, self.num_classes, message=msg)]
        with tf.control_dependencies(checks):
            return tf.identity(labels)

    def _train_labels(self, labels, batch):
        """Labels for the loss: ``[B]`` int32 from int / bool / float, ``[B]`` or ``[B, 1]``."""
        if labels is None:
            if self.num_classes > 1:
                raise ValueError(f"`y` (the labels) is required when num_classes="
                                 f"{self.num_classes} > 1.")
            return tf.zeros([batch], tf.int32)
        labels = tf.convert_to_tensor(labels)
        if labels.shape.rank == 2 and labels.shape[-1] == 1:
            labels = labels[:, 0]
        if labels.shape.rank != 1:
            raise ValueError(f"`y` (the labels) must have shape [batch] or [batch, 1], got "
                             f"{labels.shape}.")
        if labels.dtype.is_floating:
            labels = tf.round(labels)
        return self._check_labels(tf.cast(labels, tf.int32), "y")

    # ------------------------------------------------------------ model pieces
    def _encode_inputs(self, features, labels):
        """Standardized continuous columns, one-hot categoricals and label."""
        parts = []
        z = (features - self.feature_mean) / self.feature_std
        if self._cont_columns:
            parts.append(tf.gather(z, self._cont_columns, axis=1))
        for column, size in zip(self._cat_columns, self._cat_sizes):
            code = tf.cast(tf.clip_by_value(tf.round(features[:, column]), 0, size - 1),
                           tf.int32)
            parts.append(tf.one_hot(code, size))
        parts.append(tf.one_hot(labels, self.num_classes))
        return tf.concat(parts, axis=1)

    def encode(self, features, labels):
        """Posterior mean and log-variance, each ``[B, latent_dim]``."""
        out = self.encoder(self._encode_inputs(features, labels))
        mean, log_var = tf.split(out, 2, axis=1)
        return mean, tf.clip_by_value(log_var, -10.0, 10.0)

    def decode(self, z, labels):
        """Decoder heads: continuous means ``[B, C]`` (standardized) and a list of
        logits ``[B, k]``, one per categorical column."""
        out = self.decoder(tf.concat([z, tf.one_hot(labels, self.num_classes)], axis=1))
        n_cont = len(self._cont_columns)
        heads = tf.split(out, [n_cont] + self._cat_sizes, axis=1)
        return heads[0], heads[1:]

    def _sigma_log(self):
        return tf.clip_by_value(tf.convert_to_tensor(self.log_sigma), _MIN_LOG_SIGMA,
                                _MAX_LOG_SIGMA)

    def _assemble(self, continuous, categorical):
        """Standardized continuous ``[n, C]`` + codes -> rows in column order, original scale."""
        parts = [continuous] + [tf.cast(c, tf.float32)[:, None] for c in categorical]
        rows = tf.gather(tf.concat(parts, axis=1), self._inverse_order, axis=1)
        return rows * self.feature_std + self.feature_mean

    def losses_for(self, features, labels, seed, sample_weight=None):
        """Per-batch ``(loss, reconstruction, kl)`` scalars (weighted row means).

        Args:
          features: float ``[B, F]`` in the original scale.
          labels: int ``[B]``.
          seed: ``[2]`` seed of the reparameterization noise.
          sample_weight: optional ``[B]`` row weights.
        """
        mean, log_var = self.encode(features, labels)
        eps = seeds_lib.normal(tf.shape(mean), seed)
        z = mean + tf.exp(0.5 * log_var) * eps
        cont_mean, logits = self.decode(z, labels)
        rec = tf.zeros(tf.shape(features)[:1])
        if self._cont_columns:
            target = tf.gather((features - self.feature_mean) / self.feature_std,
                               self._cont_columns, axis=1)
            log_sigma = self._sigma_log()
            nll = (0.5 * tf.square((target - cont_mean) * tf.exp(-log_sigma))
                   + log_sigma + 0.5 * _LOG_2PI)
            rec += tf.reduce_sum(nll, axis=1)
        for column, size, logit in zip(self._cat_columns, self._cat_sizes, logits):
            code = tf.cast(tf.clip_by_value(tf.round(features[:, column]), 0, size - 1),
                           tf.int32)
            rec += tf.nn.sparse_softmax_cross_entropy_with_logits(code, logit)
        kl = 0.5 * tf.reduce_sum(tf.exp(log_var) + tf.square(mean) - 1.0 - log_var, axis=1)
        if sample_weight is None:
            w = tf.ones_like(rec)
        else:
            w = tf.reshape(tf.cast(sample_weight, tf.float32), [-1])
        denom = tf.maximum(tf.reduce_sum(w), 1e-12)
        rec = tf.reduce_sum(w * rec) / denom
        kl = tf.reduce_sum(w * kl) / denom
        return rec + self.beta * kl, rec, kl

    # ---------------------------------------------------------------- training
    def _step_seed(self, offset):
        step = self.optimizer.iterations if self.optimizer is not None else 0
        base = tf.constant([self._base_seed, offset], tf.int64)
        return seeds_lib.fold_in(base, tf.convert_to_tensor(step))

    def _step(self, data, training):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        features = self._check_features(x)
        labels = self._train_labels(y, tf.shape(features)[0])
        seed = self._step_seed(1 if training else 2)
        if training:
            with tf.GradientTape() as tape:
                loss, rec, kl = self.losses_for(features, labels, seed, sample_weight)
                scaled = self.optimizer.scale_loss(loss)
            grads = tape.gradient(scaled, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        else:
            loss, rec, kl = self.losses_for(features, labels, seed, sample_weight)
        self.loss_tracker.update_state(loss)
        self.reconstruction_tracker.update_state(rec)
        self.kl_tracker.update_state(kl)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        return self._step(data, training=True)

    def test_step(self, data):
        return self._step(data, training=False)

    def call(self, inputs, training=None):
        """Deterministic reconstruction: ``(features, labels)`` (or a dict with
        ``"features"`` and ``"labels"``) -> rows decoded from the posterior mean
        (categoricals: the most likely code), original scale, float32 ``[B, F]``."""
        if isinstance(inputs, dict):
            features, labels = inputs["features"], inputs.get("labels")
        elif isinstance(inputs, (tuple, list)) and len(inputs) == 2:
            features, labels = inputs
        else:
            features, labels = inputs, None
        features = self._check_features(features)
        labels = self._train_labels(labels, tf.shape(features)[0])
        mean, _ = self.encode(features, labels)
        cont, logits = self.decode(mean, labels)
        return self._assemble(cont, [tf.argmax(l, axis=1) for l in logits])

    # -------------------------------------------------------------- generation
    def next_seed(self):
        """Advances the model's seed state and returns a fresh ``[2]`` int64 seed."""
        state = tf.raw_ops.RngReadAndSkip(resource=self._seed_state.value.handle, alg=1,
                                          delta=tf.constant(1, tf.uint64))
        return tf.stack([state[2], state[0]])

    def generate(self, labels, seed, temperature=1.0):
        """The oversampling slot: ``generate(labels, seed) -> rows``.

        A pure graph path (stateless RNG, no numpy): usable in ``tf.function``,
        ``tf.data`` and a SavedModel. Same ``labels`` and ``seed``, same rows.

        Args:
          labels: int (or bool) tensor ``[n]``, values in ``[0, num_classes)``.
          seed: int tensor of shape ``[2]`` (or an int).
          temperature: float >= 0 (scalar, may be a tensor): scales the decoder's
            noise on continuous columns and the Gumbel noise of the categorical
            draw; 0 gives the decoded means and the most likely categories. The
            latent code ``z ~ N(0, I)`` is drawn at every temperature.

        Returns:
          float32 ``[n, F]`` rows in the original scale; categorical columns hold
          codes ``0..k-1``.

        Example:
          >>> vae = tfaug.tabular.TabularVAE(num_features=5, num_classes=2, seed=0)
          >>> rows = vae.generate(tf.constant([0, 0, 1]), tf.constant([3, 4]))
          >>> same = vae.generate(tf.constant([0, 0, 1]), tf.constant([3, 4]))
          >>> rows.shape, bool(tf.reduce_all(rows == same))  # same labels and seed: same rows
          (TensorShape([3, 5]), True)
        """
        labels = self._check_labels(labels, "labels")
        seed = seeds_lib.as_seed(seed)
        if validation.is_number(temperature):
            validation.check_number("temperature", temperature, 0.0)
        temperature = tf.cast(temperature, tf.float32)
        n = tf.shape(labels)[0]
        s_z, s_cont, s_cat = tf.unstack(seeds_lib.split(seed, 3))
        z = seeds_lib.normal(tf.stack([n, self.latent_dim]), s_z)
        cont, logits = self.decode(z, labels)
        if self._cont_columns:
            noise = seeds_lib.normal(tf.stack([n, len(self._cont_columns)]), s_cont)
            cont = cont + temperature * tf.exp(self._sigma_log()) * noise
        codes = []
        if logits:
            cat_seeds = tf.unstack(seeds_lib.split(s_cat, len(logits)))
            for logit, size, s in zip(logits, self._cat_sizes, cat_seeds):
                u = seeds_lib.uniform(tf.stack([n, size]), s, 1e-7, 1.0)
                gumbel = -tf.math.log(-tf.math.log(u))
                codes.append(tf.argmax(logit + temperature * gumbel, axis=1,
                                       output_type=tf.int32))
        return self._assemble(cont, codes)

    def sample(self, n, label, seed=None, temperature=1.0):
        """Draws ``n`` synthetic rows with the given label(s).

        Args:
          n: Number of rows (int >= 1).
          label: An int in ``[0, num_classes)`` (every row) or an int tensor ``[n]``
            (one label per row).
          seed: None (advance the model's seed state: a fresh draw each call), an
            int or a ``[2]`` int tensor (reproducible).
          temperature: See :meth:`generate`.

        Returns:
          float32 ``[n, F]`` rows in the original scale.

        Raises:
          ValueError: if ``n``, ``label`` or ``temperature`` is out of range.

        Example:
          >>> vae = tfaug.tabular.TabularVAE(num_features=5, num_classes=2, seed=0)
          >>> minority = vae.sample(200, label=1, seed=0)
          >>> minority.shape
          TensorShape([200, 5])
        """
        n = validation.check_int("n", n, 1)
        if isinstance(label, bool) or not (isinstance(label, int) or tf.is_tensor(label)
                                           or hasattr(label, "__array__")):
            raise validation.ArgumentTypeError(
                "label", label, f"an int in [0, {self.num_classes}) or an int tensor of "
                "shape [n]")
        if isinstance(label, int):
            validation.check_int("label", label, 0, self.num_classes - 1)
            labels = tf.fill([n], tf.constant(label, tf.int32))
        else:
            labels = tf.convert_to_tensor(label)
            if labels.shape.rank == 0:
                labels = tf.fill([n], labels)
            elif labels.shape.rank != 1 or (labels.shape[0] is not None
                                             and labels.shape[0] != n):
                raise ValueError(f"`label` must be an int or have shape [n] = [{n}], got "
                                 f"shape {labels.shape}.")
            labels = self._check_labels(labels, "label")
        seed = self.next_seed() if seed is None else seeds_lib.as_seed(seed)
        return self.generate(labels, seed, temperature)
