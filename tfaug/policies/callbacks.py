"""Keras callbacks that control augmentation strength during training.

Every tfaug layer, policy and composition keeps its ``strength`` (0 = identity,
1 = as configured) in a variable that its graph reads on every batch, so
changing it between epochs takes effect on the next batch without retracing the
train step or rebuilding a ``tf.data`` pipeline. :class:`StrengthSchedule` sets
it from ``schedule(epoch)``;
:class:`AdaptiveAugmentation` raises or lowers it from an overfitting heuristic
in the manner of StyleGAN2-ADA (Karras et al., 2020, "Training Generative
Adversarial Networks with Limited Data").

With ``layers=None`` a callback controls the tfaug layers inside the model being
trained. Augmentation applied in a ``tf.data`` pipeline is not part of the
model: pass those layers as ``layers=``. Only the outermost tfaug layers are
controlled (a composition forwards its strength to its children). Values are added to
the epoch's ``logs``, so ``History``, ``CSVLogger`` and ``TensorBoard`` listed
after the callback record them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
import inspect
import math
from typing import Any

import keras
import numpy as np

from tfaug.core.base import Augmentation, augmentations, layer_roots
from tfaug.core.validation import (ArgumentError, ArgumentTypeError, check_int,
                                   check_number, check_numbers, is_number)


def _search(root, argument):
    """``(found, what)``: outermost tfaug layers in ``root``, and what was seen."""
    return augmentations(layer_roots(root, argument), outermost=True), "no tfaug layer at all"


def strength_layers(root: keras.layers.Layer | Sequence[keras.layers.Layer],
                    argument: str = "layers") -> list[Augmentation]:
    """The outermost tfaug layers inside ``root``.

    Args:
      root: A layer, a Keras model, or a list/tuple of them.
      argument: Argument name used in error messages.

    Returns:
      A list of :class:`~tfaug.core.Augmentation` layers, each once, that are
      not inside another tfaug layer (a composition forwards its strength).

    Raises:
      ValueError: ``root`` is not a layer (or list of layers), or it holds no
        tfaug layer.

    Example:
      >>> aug = tfaug.Sequence([tfaug.image.RandomFlip(), tfaug.image.RandomZoom(0.1)])
      >>> model = keras.Sequential([keras.Input((8, 8, 3)), aug,
      ...                           tfaug.image.RandomContrast(0.2)])
      >>> [type(layer).__name__ for layer in strength_layers(model)]
      ['Sequence', 'RandomContrast']
    """
    found, what = _search(root, argument)
    if not found:
        raise ArgumentError(argument, root, "a layer or model holding a tfaug layer",
                            f"`{argument}` holds no tfaug layer; found {what}.")
    return found


def _log_keys(layers, per_layer):
    """``"strength"`` or one ``"strength/<layer name>"`` key per layer (unique)."""
    if not per_layer:
        return ["strength"] * len(layers)
    keys = [f"strength/{layer.name}" for layer in layers]
    return [k if keys.index(k) == i else f"{k}_{i}" for i, k in enumerate(keys)]


def _as_float(value, what):
    """``value`` (a number or 0-d array) as a finite float, else a ValueError."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if not is_number(value) or not math.isfinite(value):
        raise ValueError(f"{what} must return a finite number, got {value!r}.")
    return float(value)


class _Controller(keras.callbacks.Callback):
    """Resolves the target layers (explicit, or found in ``self.model``)."""

    def __init__(self, layers: keras.layers.Layer | Sequence[keras.layers.Layer] | None,
                 verbose: int) -> None:
        super().__init__()
        if not is_number(verbose) or verbose not in (0, 1, 2):
            raise (ArgumentError if is_number(verbose) else ArgumentTypeError)(
                "verbose", verbose, "0, 1 or 2")
        self.verbose = int(verbose)
        self._layers = None if layers is None else strength_layers(layers)

    @property
    def layers(self):
        """The controlled layers (None until training starts when ``layers=None``)."""
        return self._layers

    def _resolve(self):
        if self._layers is None:
            if self.model is None:
                raise ValueError("`layers` is None and the callback has no model; pass "
                                 "`layers=` or use the callback in `model.fit`.")
            found, what = _search(self.model, "layers")
            if not found:
                raise ValueError(
                    f"`layers` is None, so the callback searched the model "
                    f"{self.model.name!r} for tfaug layers and found "
                    f"{what}. Augmentation applied in a tf.data pipeline is not part "
                    f"of the model: pass those layers as `layers=`.")
            self._layers = found
            self._on_layers_found()
        return self._layers

    def _on_layers_found(self):
        pass

    def _say(self, message):
        if self.verbose:
            print(message, flush=True)


class StrengthSchedule(_Controller):
    """Sets augmentation strength from a schedule at the start of every epoch.

    At ``on_epoch_begin(epoch)`` every target layer's ``strength`` (0 =
    identity, 1 = as configured) is set to
    ``schedule(epoch)``, or to ``schedule(epoch, current)`` when ``schedule``
    accepts two positional arguments (``current`` is that layer's strength before
    the update), as ``keras.callbacks.LearningRateScheduler`` does for the
    learning rate. The change takes effect on the next batch without retracing
    anything. At epoch end the value is added to ``logs`` as ``"strength"``
    (``"strength/<layer name>"`` per layer for a two-argument schedule with
    several layers, whose values may differ), so ``History`` records it.

    Args:
      schedule: A callable ``(epoch) -> float`` or ``(epoch, current) ->
        float``; epochs count from 0. See :meth:`linear` and :meth:`step`.
      layers: A tfaug layer, a model, or a list of them; the outermost tfaug
        layers inside are controlled. None: those inside the
        model being trained. Layers used in a ``tf.data`` pipeline are not in
        the model and must be passed here.
      verbose: 0 silent, 1 or 2 print the value set at each epoch.

    Raises:
      ValueError: ``schedule`` is not callable; ``layers`` holds no tfaug
        layer; ``schedule`` returns a value that is not a finite number >= 0
        (at the epoch where it does).

    Example:
      Augmentation inside the model (found automatically):

      >>> x = np.random.default_rng(0).integers(0, 256, (16, 8, 8, 3)).astype("float32")
      >>> y = np.arange(16) % 2
      >>> aug = tfaug.image.RandomContrast(0.5)
      >>> model = keras.Sequential([keras.Input((8, 8, 3)), aug, keras.layers.Flatten(),
      ...                           keras.layers.Dense(2)])
      >>> model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
      >>> ramp = tfaug.callbacks.StrengthSchedule.linear(0.0, 1.0, epochs=2)
      >>> history = model.fit(x, y, epochs=4, callbacks=[ramp], verbose=0)
      >>> history.history["strength"]
      [0.0, 0.5, 1.0, 1.0]

      Augmentation in a tf.data pipeline (pass the layer):

      >>> aug = tfaug.image.RandomBrightness(0.3)
      >>> ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
      >>> ds = ds.map(lambda x, y: (aug(x, training=True), y))
      >>> cb = tfaug.callbacks.StrengthSchedule(lambda epoch: min(epoch / 9, 1),
      ...                                        layers=aug)
      >>> history = model.fit(ds, epochs=2, callbacks=[cb], verbose=0)
      >>> round(aug.get_strength(), 3)  # set for epoch 1: 1 / 9
      0.111
    """

    def __init__(self, schedule: Callable[..., float],
                 layers: keras.layers.Layer | Sequence[keras.layers.Layer] | None = None,
                 verbose: int = 0) -> None:
        if not callable(schedule):
            raise ArgumentTypeError("schedule", schedule, "a callable (epoch) -> float or "
                                    "(epoch, current) -> float")
        self.schedule = schedule
        self._two_args = _takes_two_args(schedule)
        self._values = {}
        super().__init__(layers, verbose)

    # ------------------------------------------------------------ helpers
    @classmethod
    def linear(cls, start, end, epochs, layers=None, verbose=0):
        """A linear ramp from ``start`` to ``end``, then ``end`` held.

        Epoch ``e`` gets ``start + (end - start) * min(e / epochs, 1)``: epoch
        0 gets ``start``, epoch ``epochs`` and later get ``end``.

        Args:
          start: Strength at epoch 0 (a number).
          end: Strength from epoch ``epochs`` on (a number).
          epochs: Length of the ramp in epochs, an integer >= 1.
          layers: As in :class:`StrengthSchedule`.
          verbose: As in :class:`StrengthSchedule`.

        Returns:
          A :class:`StrengthSchedule`.

        Example:
          >>> cb = StrengthSchedule.linear(0.0, 1.0, epochs=4)
          >>> [cb.schedule(epoch) for epoch in range(6)]
          [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
        """
        start, end = _finite("start", start), _finite("end", end)
        epochs = check_int("epochs", epochs, 1)

        def ramp(epoch):
            return start + (end - start) * min(epoch / epochs, 1.0)

        return cls(ramp, layers=layers, verbose=verbose)

    @classmethod
    def step(cls, boundaries, values, layers=None, verbose=0):
        """A piecewise-constant schedule (like ``PiecewiseConstantDecay``).

        Epochs before ``boundaries[0]`` get ``values[0]``, epochs from
        ``boundaries[i - 1]`` up to ``boundaries[i]`` get ``values[i]``, and
        epochs from ``boundaries[-1]`` on get ``values[-1]``.

        Args:
          boundaries: Strictly increasing epoch indices (integers >= 1).
          values: Numbers, one more than ``boundaries``.
          layers: As in :class:`StrengthSchedule`.
          verbose: As in :class:`StrengthSchedule`.

        Returns:
          A :class:`StrengthSchedule`.

        Example:
          >>> aug = tfaug.image.RandomRotation(0.1)
          >>> cb = StrengthSchedule.step([5, 10], [0.2, 0.5, 1.0], layers=aug)
          >>> [cb.schedule(epoch) for epoch in (0, 4, 5, 9, 10, 30)]
          [0.2, 0.2, 0.5, 0.5, 1.0, 1.0]
        """
        if not isinstance(boundaries, (list, tuple)) or not boundaries:
            raise (ArgumentError if isinstance(boundaries, (list, tuple))
                   else ArgumentTypeError)("boundaries", boundaries,
                                           "a non-empty list of epoch indices")
        boundaries = [check_int("boundaries", b, 1) for b in boundaries]
        if any(b1 >= b2 for b1, b2 in zip(boundaries, boundaries[1:])):
            raise ArgumentError("boundaries", list(boundaries), "strictly increasing")
        values = check_numbers("values", values, len(boundaries) + 1)

        def piecewise(epoch):
            return values[sum(epoch >= b for b in boundaries)]

        return cls(piecewise, layers=layers, verbose=verbose)

    # ---------------------------------------------------------- callbacks
    def on_train_begin(self, logs=None):
        self._resolve()

    def on_epoch_begin(self, epoch, logs=None):
        layers = self._resolve()
        keys = _log_keys(layers, per_layer=self._two_args and len(layers) > 1)
        self._values = {}
        for layer, key in zip(layers, keys):
            args = (epoch, layer.get_strength()) if self._two_args else (epoch,)
            value = _as_float(self.schedule(*args), f"`schedule` (at epoch {epoch})")
            try:
                layer.set_strength(value)
            except ValueError as err:
                raise ValueError(f"`schedule` returned {value!r} at epoch {epoch}, out of "
                                 f"range for layer {layer.name!r}: {err}") from None
            self._values[key] = value
            self._say(f"Epoch {epoch + 1}: StrengthSchedule sets {layer.name} "
                      f"strength to {value:.4g}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs.update(self._values)


class AdaptiveAugmentation(_Controller):
    """Adapts augmentation strength to overfitting (StyleGAN2-ADA style).

    The callback keeps a strength ``p`` in ``[0, max_strength]``. Each
    layer's strength is ``p * reference``, where ``reference`` is the layer's
    strength when the callback is set up (its configured strength: at
    construction for explicit ``layers``, when training first starts for
    ``layers=None``). So ``p = 0`` turns augmentation off and ``p = 1``
    restores the configured strength. Training starts at ``p = initial``,
    by default 1: adding the callback leaves augmentation as configured until
    the heuristic says to move it (pass ``initial=0.0`` for ADA's start from
    no augmentation). A second ``fit`` with the same callback continues from
    the current ``p``.

    After each epoch the callback measures an overfitting heuristic ``r`` and
    moves ``p`` by ``step`` toward less overfitting: up when ``r > target``,
    down when ``r < target``, unchanged when equal (ADA's
    ``p += sign(r - target) * step``), then clips it to ``[0, max_strength]``.
    ``metric`` chooses ``r``:

    * ``"loss"``: ``r = clip(1 - train_loss / val_loss, 0, 1)``, the relative
      generalization gap: 0 when held-out loss is no worse than training loss,
      toward 1 when it is much worse (``target=0.6``: held-out loss 2.5x the
      training loss). ``val_loss`` is the mean loss on ``validation_data``
      when given, else ``logs["val_loss"]`` (pass ``validation_data`` to
      ``fit``, evaluated every epoch; Keras runs it with augmentation off). ``train_loss`` is the
      mean loss on ``train_data`` (unaugmented) when given, else
      ``logs["loss"]``: the loss on the augmented training batches averaged
      over the epoch, which, as in ADA (which measures the discriminator on
      augmented reals), rises with ``p`` and closes the feedback loop.
    * ``"sign"``: the closest analogue of ADA's ``r_t = E[sign(D(x_train))]``:
      ``r`` is the fraction of held-out samples whose loss exceeds the median
      loss of the training samples (ties count one half). Both sets are
      evaluated with augmentation off. ``r = 0.5`` when the model fits
      held-out data as well as training data, ``r -> 1`` when it overfits; so
      ``target=0.6`` means "60% of held-out samples are worse than the typical
      training sample" (ADA's ``r_t`` is ``2 r - 1`` in this scale). Needs
      ``validation_data`` and ``train_data`` (small arrays, e.g. 256 samples
      each) and a model compiled with a single loss.
    * a callable ``metric(logs) -> float``: ``r`` from the epoch's logs.

    At epoch end ``logs["augment_strength"]`` (the ``p`` used during the epoch)
    and ``logs["overfit_r"]`` are added, so ``History`` records them; the
    updated value is :attr:`strength`.

    Args:
      layers: A tfaug layer, a model, or a list of them; None: the tfaug
        layers with a strength inside the model being trained. Layers used in a
        ``tf.data`` pipeline must be passed here.
      target: Target value of ``r``, a number in ``[0, 1]``.
      metric: ``"loss"``, ``"sign"`` or a callable ``(logs) -> float``.
      validation_data: ``(x, y)`` held-out arrays, or None.
      train_data: ``(x, y)`` a fixed slice of the training arrays (not
        augmented), or None.
      step: Change of ``p`` per epoch, in ``(0, max_strength]``.
      initial: ``p`` at the start of training, in ``[0, max_strength]``; None
        (default): ``min(1, max_strength)``, the configured strength.
      max_strength: Largest ``p``, > 0 (above 1 scales strengths past their
        configured values).
      batch_size: Batch size used to evaluate ``validation_data`` and
        ``train_data``.
      verbose: 0 silent, 1 or 2 print ``r`` and ``p`` after each epoch.

    Raises:
      ValueError: a bad argument (named in the message); ``layers`` holds no
        layer with a strength; ``metric="loss"`` finds no validation loss.

    Example:
      >>> x = np.random.default_rng(0).integers(0, 256, (16, 8, 8, 3)).astype("float32")
      >>> y = np.arange(16) % 2
      >>> vx, vy = x[:8], y[:8]
      >>> aug = tfaug.image.RandomContrast(0.5)
      >>> model = keras.Sequential([keras.Input((8, 8, 3)), aug, keras.layers.Flatten(),
      ...                           keras.layers.Dense(2)])
      >>> model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
      >>> ada = tfaug.callbacks.AdaptiveAugmentation(target=0.6, step=0.05)
      >>> h = model.fit(x, y, validation_data=(vx, vy), epochs=3, callbacks=[ada],
      ...               verbose=0)
      >>> len(h.history["augment_strength"]), len(h.history["overfit_r"])  # one per epoch
      (3, 3)

      With augmentation in a ``tf.data`` pipeline and the sign heuristic:

      >>> pipeline_aug = tfaug.image.RandomBrightness(0.2)
      >>> ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8).map(
      ...     lambda x, y: (pipeline_aug(x, training=True), y))
      >>> plain = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(),
      ...                           keras.layers.Dense(2)])
      >>> plain.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
      >>> ada = tfaug.callbacks.AdaptiveAugmentation(
      ...     layers=pipeline_aug, metric="sign", validation_data=(vx, vy),
      ...     train_data=(x[8:], y[8:]))
      >>> h = plain.fit(ds, epochs=2, callbacks=[ada], verbose=0)
      >>> 0.0 <= ada.strength <= 1.0
      True
    """

    METRICS = ("loss", "sign")

    def __init__(self, layers: keras.layers.Layer | Sequence[keras.layers.Layer] | None = None,
                 target: float = 0.6,
                 metric: str | Callable[[Mapping[str, float]], float] = "loss",
                 validation_data: tuple[Any, Any] | None = None,
                 train_data: tuple[Any, Any] | None = None, step: float = 0.05,
                 initial: float | None = None, max_strength: float = 1.0, batch_size: int = 128,
                 verbose: int = 0) -> None:
        self.target = check_number("target", target, 0.0, 1.0)
        self.max_strength = _finite("max_strength", max_strength, 0.0)
        self.step = check_number("step", step, 0.0, self.max_strength, low_inclusive=False)
        self.initial = (min(1.0, self.max_strength) if initial is None
                        else check_number("initial", initial, 0.0, self.max_strength))
        if not (callable(metric) or metric in self.METRICS):
            raise (ArgumentError if isinstance(metric, str) else ArgumentTypeError)(
                "metric", metric, f"one of {list(self.METRICS)} or a callable "
                "(logs) -> float")
        self.metric = metric
        self.validation_data = _check_data("validation_data", validation_data)
        self.train_data = _check_data("train_data", train_data)
        if metric == "sign":
            for name in ("validation_data", "train_data"):
                if getattr(self, name) is None:
                    raise ArgumentError(name, None, "(x, y) arrays with metric='sign'",
                                        f"`{name}` is required with metric='sign': pass "
                                        f"(x, y) arrays (a few hundred samples).")
        self.batch_size = check_int("batch_size", batch_size, 1)
        self.strength = self.initial
        self.references = None
        super().__init__(layers, verbose)
        if self._layers is not None:
            self._on_layers_found()

    def _on_layers_found(self):
        if self.references is None:
            self.references = [layer.get_strength() for layer in self._layers]

    def apply_strength(self, p=None):
        """Sets every layer's strength from ``p`` (default :attr:`strength`)."""
        p = self.strength if p is None else p
        for layer, ref in zip(self._resolve(), self.references):
            layer.set_strength(max(0.0, p * ref))

    # ---------------------------------------------------------- callbacks
    def on_train_begin(self, logs=None):
        self.apply_strength()

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        r = self.overfitting(logs)
        used = self.strength
        direction = (r > self.target) - (r < self.target)
        self.strength = float(np.clip(used + direction * self.step, 0.0, self.max_strength))
        self.apply_strength()
        logs["augment_strength"] = used
        logs["overfit_r"] = r
        self._say(f"Epoch {epoch + 1}: AdaptiveAugmentation r={r:.3f} "
                  f"({'>' if direction > 0 else '<' if direction < 0 else '='} target "
                  f"{self.target:.3g}): strength {used:.3f} -> {self.strength:.3f}.")

    # ---------------------------------------------------------- heuristic
    def overfitting(self, logs):
        """The heuristic ``r`` for one epoch (see the class docstring)."""
        if callable(self.metric):
            return _as_float(self.metric(logs), "`metric`")
        if self.metric == "sign":
            train = self._losses(self.train_data)
            held_out = self._losses(self.validation_data)
            median = float(np.median(train))
            return float(np.mean((held_out > median) + 0.5 * (held_out == median)))
        if self.validation_data is not None:
            val_loss = float(np.mean(self._losses(self.validation_data)))
        elif "val_loss" in logs:
            val_loss = float(logs["val_loss"])
        else:
            raise ValueError("metric='loss' needs a validation loss: pass "
                             "`validation_data` to `model.fit` or to AdaptiveAugmentation "
                             f"(logs hold {sorted(logs)}).")
        if self.train_data is not None:
            train_loss = float(np.mean(self._losses(self.train_data)))
        else:
            train_loss = float(logs["loss"])
        if not val_loss > 0.0 or not math.isfinite(train_loss):
            return 0.0
        return float(np.clip(1.0 - train_loss / val_loss, 0.0, 1.0))

    def _losses(self, data):
        """Per-sample losses of ``self.model`` on ``(x, y)``, augmentation off."""
        x, y = data
        pred = self.model.predict(x, batch_size=self.batch_size, verbose=0)
        values = keras.ops.convert_to_numpy(_per_sample_loss(self.model)(y, pred))
        return np.asarray(values, np.float64).reshape(len(pred), -1).mean(axis=1)


class _PerSample(keras.losses.Loss):
    """A loss function without reduction (``Loss.__call__`` casts dtypes)."""

    def __init__(self, fn):
        super().__init__(reduction=None)
        self.fn = fn

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred)


def _per_sample_loss(model):
    """An unreduced (per-sample) version of the model's single compiled loss."""
    loss = getattr(model, "loss", None)
    if isinstance(loss, (list, tuple, dict)) or loss is None:
        raise ValueError(f"AdaptiveAugmentation needs a model compiled with one loss to "
                         f"compute per-sample losses, got `loss`={loss!r}; pass a "
                         f"callable `metric` instead.")
    loss = keras.losses.get(loss)
    return _PerSample(loss.call if isinstance(loss, keras.losses.Loss) else loss)


def _takes_two_args(fn):
    """True when ``fn`` accepts ``(epoch, current)``; False when only ``(epoch)``."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
    if len(required) > 2 or not (positional or varargs):
        raise ValueError(f"`schedule` must take (epoch) or (epoch, current), got a "
                         f"callable with signature {inspect.signature(fn)}.")
    return varargs or len(positional) >= 2


def _finite(name, value, low=None):
    """A finite number (``> low`` when given)."""
    return check_number(name, value, low, low_inclusive=False)


def _check_data(name, data):
    if data is None:
        return None
    if not isinstance(data, (list, tuple)) or len(data) != 2:
        raise ArgumentTypeError(name, data, "a pair (x, y) of arrays",
                                f"`{name}` must be a pair (x, y) of arrays, got {type(data)}.")
    x, y = data
    try:
        n_x, n_y = len(keras.tree.flatten(x)[0]), len(keras.tree.flatten(y)[0])
    except (TypeError, IndexError):
        raise ArgumentTypeError(name, data, "a pair (x, y) of arrays with a first (sample) "
                                "dimension", f"`{name}` must be a pair (x, y) of arrays "
                                f"with a first (sample) dimension, got {type(x)}, "
                                f"{type(y)}.") from None
    if n_x == 0 or n_x != n_y:
        raise ArgumentError(name, data, "the same non-zero number of samples in x and y",
                            f"`{name}` must hold the same non-zero number of samples in x "
                            f"and y, got {n_x} and {n_y}.")
    return (x, y)
