"""Row-level tabular noise: GaussianNoise, FeatureMask, SwapNoise, TabularMixUp.

All are per row (each row draws its own noise from a per-row key, see
:mod:`tfaug.core.keyed`), work on a ``[B, F]`` matrix, ``(features, labels)``,
``{"features", "labels"}`` or a dict of feature columns (see
:mod:`tfaug.tabular.base`), and leave categorical columns alone unless the
layer says otherwise.

Strength: each takes the keyword-only ``strength`` of the base class, a scale
``>= 0`` held in a variable (``set_strength`` changes the next batch without a
retrace), and scales its parameters by it (``strength_scales =
"parameters"``): it multiplies the noise's standard deviation and the mask and
swap rates (clamped to 1), and moves MixUp's own-row weight toward 1. 1 is the
layer as configured, 0 the identity.
"""

from __future__ import annotations

from collections.abc import Sequence
import math
from typing import Any

import tensorflow as tf

from tfaug.core import keyed
from tfaug.core import mixing
from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.core.base import GATE
from tfaug.tabular import stats
from tfaug.tabular.base import CATEGORICAL, COLUMN, FEATURES, LABELS, TabularAugmentation


def _gate_rows(params, mask):
    """Clears ``mask`` (bool ``[B, F]``) on rows the layer does not apply to."""
    if GATE in params:
        return mask & params[GATE][:, None]
    return mask


# Registered as "tabular.GaussianNoise": tfaug.image.GaussianNoise has the plain name.
@registry.register(name="tabular.GaussianNoise")
class GaussianNoise(TabularAugmentation):
    """Adds Gaussian noise to the numeric columns, scaled per feature.

    ``x + stddev * strength * feature_std[f] * N(0, 1)``, one draw per row and
    feature. ``adapt`` learns ``feature_std`` (the population standard deviation
    of each numeric column, like ``keras.layers.Normalization``), so
    ``stddev=0.1`` means a tenth of each feature's spread; without it the noise
    is in the features' own units. Categorical columns are untouched; NaN stays
    NaN.

    Args:
      stddev: Noise standard deviation (>= 0) in units of ``feature_std``.
      feature_std: Per-numeric-feature scale (list of floats >= 0), or None
        (1 for every feature). Set by :meth:`adapt`; part of the config, so a
        JSON round trip keeps it.
      strength: Keyword-only scale ``>= 0`` (a variable) on ``stddev``.
      categorical_features: See :class:`~tfaug.tabular.base.TabularAugmentation`.
      probability: Per-row chance that the row gets noise.
      seed: Initial seed state.

    Input shape:
      ``[B, F]`` / ``[F]``, ``(features, labels)``, ``{"features", "labels"}`` or
      a dict of columns.

    Example:
      >>> x_train = np.array([[0.0, 0.0], [2.0, 20.0]] * 4, "float32")
      >>> noise = tfaug.tabular.GaussianNoise(0.1, seed=0)
      >>> noise.adapt(x_train)
      >>> noise.feature_std  # noise of 0.1 and 1.0 in these columns
      [1.0, 10.0]
      >>> x_noisy = noise(x_train, training=True)
      >>> x_noisy.shape
      TensorShape([8, 2])
    """

    strength_scales = "parameters"

    def __init__(self, stddev: float | tuple[float, float] = 0.1, *,
                 feature_std: Sequence[float] | None = None,
                 categorical_features: Sequence[int] | Sequence[str] | None = None,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(categorical_features=categorical_features, probability=probability,
                         seed=seed, **kwargs)
        self.stddev = validation.check_number("stddev", stddev, 0.0)
        self.feature_std = _check_scale("feature_std", feature_std)

    def adapt(self, data, batch_size=None, steps=None):
        """Learns ``feature_std`` from ``data`` (NaN-aware population std).

        Args:
          data: Anything the layer accepts (a matrix, ``(features, labels)``, a
            dict), a NumPy array, or a ``tf.data.Dataset`` of those.
          batch_size: Rows per step when ``data`` is an array (default: all).
          steps: Batches to read from a dataset (default: all).
        """
        numeric = stats.collect(self, data, batch_size, steps)[FEATURES]
        self.feature_std = [float(v) for v in stats.nan_std(numeric).numpy()]

    def sample_params(self, batch_size, seed):
        return {"keys": keyed.draw_keys(seed, batch_size)}

    def transform(self, data, params):
        x = data[FEATURES]
        width = x.shape[1]
        scale = tf.fill([width], 1.0) if self.feature_std is None else tf.constant(
            _fit_width(self.feature_std, width, "feature_std"), tf.float32)
        sd = self.stddev * self.strength_tensor() * scale
        out = dict(data)
        out[FEATURES] = x + keyed.keyed_normal(params["keys"], [width]) * sd
        return out


@registry.register
class FeatureMask(TabularAugmentation):
    """Masks random entries to simulate missing values.

    Each numeric entry is replaced by ``mask_value`` (NaN by default) with
    probability ``rate * strength``, drawn per row and feature. Categorical
    columns are masked only when ``categorical_mask_value`` is set (a code such
    as -1 that the model reads as "missing").

    Args:
      rate: Per-entry masking probability in ``[0, 1]``.
      mask_value: Value of masked numeric entries (float; NaN allowed).
      categorical_mask_value: Value of masked categorical entries, or None to
        leave categorical columns alone.
      strength: Keyword-only scale ``>= 0`` (a variable) on ``rate`` (clamped to 1).
      categorical_features: See :class:`~tfaug.tabular.base.TabularAugmentation`.
      probability: Per-row chance that the row is masked at all.
      seed: Initial seed state.

    Input shape:
      ``[B, F]`` / ``[F]``, ``(features, labels)``, ``{"features", "labels"}`` or
      a dict of columns.

    Example:
      >>> x_batch = tf.random.normal([8, 4])  # 8 rows, 4 numeric features
      >>> mask = tfaug.tabular.FeatureMask(rate=0.15, seed=0)
      >>> x_missing = mask(x_batch, training=True)  # NaN where masked
      >>> bool(tf.reduce_any(tf.math.is_nan(x_missing)))
      True
    """

    strength_scales = "parameters"

    def __init__(self, rate: float = 0.1, *, mask_value: float = float("nan"),
                 categorical_mask_value: float | None = None,
                 categorical_features: Sequence[int] | Sequence[str] | None = None,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(categorical_features=categorical_features, probability=probability,
                         seed=seed, **kwargs)
        self.rate = validation.check_probability("rate", rate)
        # NaN is allowed: it marks masked entries as missing (the default).
        self.mask_value = validation.check_number("mask_value", mask_value, allow_nan=True)
        self.categorical_mask_value = (
            None if categorical_mask_value is None
            else validation.check_number("categorical_mask_value", categorical_mask_value))

    def get_config(self):
        config = super().get_config()
        # JSON has no NaN: the default is spelled as the string "nan".
        if math.isnan(self.mask_value):
            config["mask_value"] = "nan"
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("mask_value") == "nan":
            config["mask_value"] = float("nan")
        return super().from_config(config)

    def sample_params(self, batch_size, seed):
        return {"keys": keyed.draw_keys(seed, batch_size)}

    def transform(self, data, params):
        rate = tf.minimum(self.rate * self.strength_tensor(), 1.0)
        num, cat = data[FEATURES], data[CATEGORICAL]
        u = keyed.keyed_uniform(params["keys"], [num.shape[1] + cat.shape[1]])
        masked = _gate_rows(params, u < rate)
        out = dict(data)
        out[FEATURES] = tf.where(masked[:, :num.shape[1]], self.mask_value, num)
        if self.categorical_mask_value is not None:
            out[CATEGORICAL] = tf.where(masked[:, num.shape[1]:],
                                        float(self.categorical_mask_value), cat)
        return out

    @property
    def handles_gate(self):
        return True


@registry.register
class SwapNoise(TabularAugmentation):
    """Swap noise: entries replaced by the same column's value in another row.

    Each entry of each column — numeric, categorical and string columns alike,
    so every value stays one the column really takes — is, with probability
    ``rate * strength``, taken from another row of the batch drawn per entry
    (the denoising-autoencoder corruption of tabular competitions). A batch of
    one row is returned unchanged.

    Args:
      rate: Per-entry swap probability in ``[0, 1]``.
      strength: Keyword-only scale ``>= 0`` (a variable) on ``rate`` (clamped to 1).
      categorical_features: See :class:`~tfaug.tabular.base.TabularAugmentation`
        (here only for the input forms: all columns are swapped).
      probability: Per-row chance that the row gets swapped entries.
      seed: Initial seed state.

    Input shape:
      ``[B, F]`` / ``[F]``, ``(features, labels)``, ``{"features", "labels"}`` or
      a dict of columns.

    Example:
      >>> x_batch = tf.random.normal([8, 4])  # 8 rows, 4 numeric features
      >>> swap = tfaug.tabular.SwapNoise(rate=0.15, seed=0)
      >>> corrupted = swap(x_batch, training=True)  # entries from other rows, same column
      >>> bool(tf.reduce_all(tf.sort(corrupted, axis=0) <= tf.reduce_max(x_batch, axis=0)))
      True
    """

    strength_scales = "parameters"

    def __init__(self, rate: float = 0.1, *,
                 categorical_features: Sequence[int] | Sequence[str] | None = None,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(categorical_features=categorical_features, probability=probability,
                         seed=seed, **kwargs)
        self.rate = validation.check_probability("rate", rate)

    def sample_params(self, batch_size, seed):
        swap_seed, row_seed = tf.unstack(seeds_lib.split(seed, 2))
        return {"swap_keys": keyed.draw_keys(swap_seed, batch_size),
                "row_keys": keyed.draw_keys(row_seed, batch_size)}

    def transform(self, data, params):
        keys = [k for k in sorted(data) if k == FEATURES or k == CATEGORICAL
                or k.startswith(COLUMN)]
        widths = [_width(data[k]) for k in keys]
        total = sum(widths)
        rate = tf.minimum(self.rate * self.strength_tensor(), 1.0)
        b = tf.shape(data[FEATURES])[0]
        swap = _gate_rows(params, keyed.keyed_uniform(params["swap_keys"], [total]) < rate)
        swap &= b > 1
        # Another row: b + 1 + floor(u * (B - 1)) mod B never picks the row itself.
        u = keyed.keyed_uniform(params["row_keys"], [total])
        offset = 1 + tf.cast(tf.floor(u * tf.cast(b - 1, tf.float32)), tf.int32)
        other = tf.math.floormod(tf.range(b)[:, None] + tf.minimum(offset, b - 1), b)
        out, start = dict(data), 0
        for key, width in zip(keys, widths):
            value = data[key]
            flat = value if value.shape.rank == 2 else value[:, None]
            rows, mask = other[:, start:start + width], swap[:, start:start + width]
            start += width
            # Column-wise gather: entry (r, c) reads flat[rows[r, c], c].
            picked = tf.transpose(tf.gather(tf.transpose(flat), tf.transpose(rows),
                                            batch_dims=1))
            new = tf.where(mask, picked, flat)
            out[key] = new if value.shape.rank == 2 else new[:, 0]
        return out

    @property
    def handles_gate(self):
        return True


@registry.register
class TabularMixUp(TabularAugmentation):
    """MixUp for rows: ``x = lam * x_i + (1 - lam) * x_j``, labels mixed alike.

    ``lam ~ Beta(alpha, alpha)`` per row and a random partner row ``j`` of the
    same batch. Numeric columns are interpolated; categorical and string
    columns are taken from whichever row has the larger weight (a mixed
    category does not exist). Integer class labels are one-hot encoded with
    ``num_classes``; other labels are mixed as given; output labels are
    float32.

    Args:
      alpha: Beta concentration (> 0).
      num_classes: Number of classes, required for integer class labels.
      strength: Keyword-only scale ``>= 0`` (a variable):
        ``lam' = 1 - strength (1 - lam)``, clamped to ``[0, 1]``.
      categorical_features: See :class:`~tfaug.tabular.base.TabularAugmentation`.
      probability: Per-row chance that the row is mixed.
      seed: Initial seed state.

    Input shape:
      ``(features, labels)``, ``{"features", "labels"}`` or a dict of columns
      with ``"labels"``; ``features`` ``[B, F]``, labels integer class ids
      ``[B]`` (with ``num_classes``) or one-hot/soft ``[B, K]``. The labels
      come back mixed, float32 ``[B, K]``.

    Example:
      >>> x_batch = tf.random.normal([8, 4])  # 8 rows, 4 numeric features
      >>> y_batch = tf.constant([0, 1, 0, 1, 0, 1, 0, 1])
      >>> mix = tfaug.tabular.TabularMixUp(alpha=0.2, num_classes=2, seed=0)
      >>> x_mixed, y_mixed = mix((x_batch, y_batch), training=True)
      >>> x_mixed.shape, y_mixed.shape  # labels become mixed one-hot rows
      (TensorShape([8, 4]), TensorShape([8, 2]))
    """

    changes_labels = True
    strength_scales = "parameters"

    def __init__(self, alpha: float = 0.2, *, num_classes: int | None = None,
                 categorical_features: Sequence[int] | Sequence[str] | None = None,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(categorical_features=categorical_features, probability=probability,
                         seed=seed, **kwargs)
        self.alpha = validation.check_number("alpha", alpha, 0.0, low_inclusive=False)
        self.num_classes = (None if num_classes is None
                            else validation.check_int("num_classes", num_classes, 1))

    def sample_params(self, batch_size, seed):
        lam_seed, key_seed = tf.unstack(seeds_lib.split(seed, 2))
        m = self.strength_tensor()
        lam = mixing.sample_beta(lam_seed, batch_size, self.alpha) * m + (1.0 - m)
        return {"lam": tf.clip_by_value(lam, 0.0, 1.0),
                "keys": seeds_lib.uniform([batch_size], key_seed)}

    def transform(self, data, params):
        lam = params["lam"]
        if GATE in params:
            lam = tf.where(params[GATE], lam, tf.ones_like(lam))
        partner = mixing.partners(params["keys"])
        own = lam >= 0.5
        out = {}
        for key, value in data.items():
            if key == LABELS:
                labels = mixing.soft_labels(value, self.num_classes, type(self).__name__)
                out[key] = mixing.mix_labels(labels, partner, lam)
            elif key == FEATURES:
                out[key] = mixing.per_row(lam, 2) * value + mixing.per_row(
                    1.0 - lam, 2) * tf.gather(value, partner)
            else:
                rank = value.shape.rank
                out[key] = tf.where(mixing.per_row(own, rank), value, tf.gather(value, partner))
        return out


def _width(value):
    return 1 if value.shape.rank == 1 else value.shape[1]


def _check_scale(name, value):
    if value is None:
        return None
    out = validation.check_numbers(name, value, None, 0.0)
    if not out:
        raise validation.ArgumentError(name, value, "None or a non-empty list of finite "
                                       "floats >= 0")
    return out


def _fit_width(values, width, name):
    if len(values) != width:
        raise ValueError(f"`{name}` has {len(values)} values but the input has {width} "
                         "numeric columns (adapt the layer on data of the same layout).")
    return values
