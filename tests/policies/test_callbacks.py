"""Strength-control callbacks: schedules and adaptive augmentation in real fits.

The controlled layer is ``ShiftLayer``: it adds ``strength * delta`` to every pixel,
so the strength a batch saw can be read back exactly from the batch, and it counts
its traces (a Python side effect runs only while a function is traced).
"""

from types import SimpleNamespace

import numpy as np
import pytest
import keras
import tensorflow as tf
from sklearn.datasets import load_digits

from tfaug.callbacks import AdaptiveAugmentation, StrengthSchedule, strength_layers
from tfaug.policies.callbacks import _per_sample_loss
from tfaug.core import Sequence
from tfaug.image import RandomBrightness, RandomFlip
from tfaug.image.base import ImageAugmentation


class ShiftLayer(ImageAugmentation):
    """Adds ``strength * delta`` (value-range units) to every pixel; no randomness.

    Image layers clip float outputs to ``value_range``: the default range (0, 4)
    leaves room above the [0, 1] digits, so the shift is read back unclipped.
    """

    strength_scales = "parameters"

    def __init__(self, delta=0.1, value_range=(0, 4), seed=0, **kwargs):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.delta = delta
        self.traces = 0

    def transform(self, data, params):
        self.traces += 1
        out = dict(data)
        out["images"] = data["images"] + self.strength_tensor() * self.to_unit(self.delta)
        return out


class ProbeLayer(keras.layers.Layer):
    """Identity that stores the mean of the last batch it saw in training."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                    name="seen")

    def call(self, x, training=None):
        if training:
            self.seen.assign(tf.reduce_mean(x))
        return x

    def compute_output_spec(self, x, training=None):
        return keras.KerasTensor(x.shape, x.dtype)


class _Recorder(keras.callbacks.Callback):
    """Records, at each epoch end, whatever ``fn()`` returns."""

    def __init__(self, fn):
        super().__init__()
        self.fn, self.records = fn, []

    def on_epoch_end(self, epoch, logs=None):
        self.records.append(self.fn(self))


@pytest.fixture(scope="module")
def digits():
    d = load_digits()
    x = (d.images[..., None] / 16.0).astype("float32")  # [1797, 8, 8, 1] in [0, 1]
    return x, d.target.astype("int32")


def _model(*front, width=32):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 1)), *front, keras.layers.Flatten(),
                              keras.layers.Dense(width, activation="relu"),
                              keras.layers.Dense(10)])
    model.compile(keras.optimizers.Adam(1e-2),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


# ------------------------------------------------------------- StrengthSchedule
def test_linear_schedule_in_model_sets_each_epoch_without_retracing(digits):
    x, y = digits[0][:200], digits[1][:200]
    aug = ShiftLayer(strength=0.3, delta=0.1)
    probe = ProbeLayer()
    model = _model(aug, probe)
    before = aug.traces
    ramp = StrengthSchedule.linear(0.0, 1.0, epochs=2)  # layers found in the model
    rec = _Recorder(lambda cb: (aug.get_strength(), aug.traces, cb.model.train_function,
                                float(probe.seen.numpy())))
    hist = model.fit(x, y, batch_size=50, epochs=4, shuffle=False, callbacks=[ramp, rec],
                     verbose=0)
    assert ramp.layers == [aug]
    np.testing.assert_allclose(hist.history["strength"], [0.0, 0.5, 1.0, 1.0])
    np.testing.assert_allclose([r[0] for r in rec.records], [0.0, 0.5, 1.0, 1.0])
    # The training batches saw the scheduled strength (last batch: + 0.1 * strength).
    base = float(np.mean(x[150:200]))
    np.testing.assert_allclose([r[3] for r in rec.records],
                               [base, base + 0.05, base + 0.1, base + 0.1], atol=1e-5)
    # The train step was traced in epoch 0 and never again; same function object.
    assert rec.records[0][1] > before and len({r[1] for r in rec.records}) == 1
    assert all(r[2] is rec.records[0][2] for r in rec.records)


def test_schedule_on_tf_data_layer_changes_later_epochs_without_rebuilding(digits):
    x, y = digits[0][:200], digits[1][:200]
    aug = ShiftLayer(strength=0.0, delta=0.1)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(50).map(
        lambda a, b: (aug(a, training=True), b))
    traced = aug.traces
    probe = ProbeLayer()
    model = _model(probe)
    sched = StrengthSchedule.step([2], [0.0, 2.0], layers=aug)
    rec = _Recorder(lambda cb: float(probe.seen.numpy()))
    hist = model.fit(ds, epochs=4, shuffle=False, callbacks=[sched, rec], verbose=0)
    base = float(np.mean(x[150:200]))  # the last batch, unaugmented
    np.testing.assert_allclose(rec.records, [base, base, base + 0.2, base + 0.2],
                               atol=1e-5)
    np.testing.assert_allclose(hist.history["strength"], [0.0, 0.0, 2.0, 2.0])
    assert aug.traces == traced  # the dataset's map function was not traced again


def test_strength_change_reaches_a_traced_function_without_retrace():
    aug = ShiftLayer(strength=1.0, delta=0.25)
    f = tf.function(lambda t: aug(t, training=True))
    x = tf.zeros([2, 4, 4, 1])
    cb = StrengthSchedule(lambda epoch: [0.0, 2.0][epoch], layers=aug)
    cb.on_train_begin()
    outs = []
    for epoch in range(2):
        cb.on_epoch_begin(epoch)
        outs.append(float(f(x)[0, 0, 0, 0]))
    assert outs == [0.0, 0.5]
    assert f.experimental_get_tracing_count() == 1


def test_two_argument_schedule_gets_current_and_logs_per_layer():
    a, b = ShiftLayer(strength=1.0, name="a"), ShiftLayer(strength=4.0, name="b")
    cb = StrengthSchedule(lambda epoch, current: current / 2, layers=[a, b])
    assert cb.layers == [a, b]
    cb.on_train_begin()
    for epoch in range(2):
        cb.on_epoch_begin(epoch)
        logs = {}
        cb.on_epoch_end(epoch, logs)
    assert logs == {"strength/a": 0.25, "strength/b": 1.0}
    assert (a.get_strength(), b.get_strength()) == (0.25, 1.0)


def test_schedule_controls_a_composition_as_one_layer():
    # Compositions have a strength of their own now (they used to be skipped for
    # their children): the schedule controls the Sequence, which forwards its
    # strength to every child, overriding the children's own values.
    a, b = ShiftLayer(strength=1.0, name="a"), ShiftLayer(strength=4.0, name="b")
    seq = Sequence([a, b], name="seq")
    cb = StrengthSchedule(lambda epoch, current: current / 2, layers=seq)
    assert cb.layers == [seq]
    cb.on_train_begin()
    for epoch in range(2):
        cb.on_epoch_begin(epoch)
        logs = {}
        cb.on_epoch_end(epoch, logs)
    assert logs == {"strength": 0.25}  # one layer: the plain key
    assert (seq.get_strength(), a.get_strength(), b.get_strength()) == (0.25, 0.25, 0.25)


def test_step_and_linear_values():
    aug = ShiftLayer()
    step = StrengthSchedule.step([1, 3], [0.5, 1.0, 3.0], layers=aug)
    assert [step.schedule(e) for e in range(5)] == [0.5, 1.0, 1.0, 3.0, 3.0]
    lin = StrengthSchedule.linear(2.0, 0.0, epochs=4, layers=aug)
    assert [lin.schedule(e) for e in range(6)] == [2.0, 1.5, 1.0, 0.5, 0.0, 0.0]


def test_schedule_with_a_real_policy_in_tf_data():
    from tfaug.policies import RandAugment
    aug = RandAugment(num_ops=2, magnitude=9, seed=1)
    x = tf.cast(tf.reshape(tf.range(2 * 16 * 16 * 3) % 251, [2, 16, 16, 3]), tf.uint8)
    seed = tf.constant([1, 2], tf.int64)
    ds = tf.data.Dataset.from_tensors(x).map(lambda t: aug(t, training=True, seed=seed))
    # The strength (0 = identity, 1 = the policy at M = 9) is scheduled, not M.
    cb = StrengthSchedule.linear(0.0, 1.0, epochs=1, layers=aug)
    outs = []
    for epoch in range(2):
        cb.on_epoch_begin(epoch)
        outs.append(next(iter(ds)).numpy())
    assert aug.get_strength() == 1.0 and aug.magnitude == 9
    np.testing.assert_array_equal(outs[0], x.numpy())  # strength 0: the identity
    assert not np.array_equal(outs[0], outs[1])  # same seed, stronger ops


def test_schedule_bad_arguments():
    with pytest.raises(ValueError, match="`schedule`"):
        StrengthSchedule(0.5, layers=ShiftLayer())
    with pytest.raises(ValueError, match="`schedule`"):
        StrengthSchedule(lambda a, b, c: 0.0, layers=ShiftLayer())
    with pytest.raises(ValueError, match="`layers`"):
        StrengthSchedule(lambda e: 0.0, layers="aug")
    with pytest.raises(ValueError, match="`layers`"):
        StrengthSchedule(lambda e: 0.0, layers=keras.layers.Dense(2))  # no tfaug layer
    with pytest.raises(ValueError, match="`epochs`"):
        StrengthSchedule.linear(0.0, 1.0, epochs=0)
    with pytest.raises(ValueError, match="`boundaries`"):
        StrengthSchedule.step([3, 2], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="`values`"):
        StrengthSchedule.step([2], [0.0])
    with pytest.raises(ValueError, match="`verbose`"):
        StrengthSchedule(lambda e: 0.0, layers=ShiftLayer(), verbose=5)
    out_of_range = StrengthSchedule(lambda e: -1.0, layers=ShiftLayer(name="s"))
    with pytest.raises(ValueError, match="`schedule` returned -1.0 at epoch 0.*'s'"):
        out_of_range.on_epoch_begin(0)
    not_number = StrengthSchedule(lambda e: "high", layers=ShiftLayer())
    with pytest.raises(ValueError, match=r"`schedule` \(at epoch 0\) must return a"):
        not_number.on_epoch_begin(0)


def test_every_tfaug_layer_is_a_valid_target():
    # RandomFlip used to have no magnitude and was refused; every tfaug layer has a
    # strength now (RandomFlip's scales its flip probability).
    flip = RandomFlip("horizontal", value_range=(0, 1), seed=0)
    cb = StrengthSchedule(lambda e: [0.0, 1.0][e], layers=flip)
    assert cb.layers == [flip]
    x = tf.reshape(tf.range(64 * 4 * 4, dtype=tf.float32) / 1024.0, [64, 4, 4, 1])
    seed = tf.constant([5, 6], tf.int64)
    cb.on_epoch_begin(0)
    assert flip.get_strength() == 0.0
    np.testing.assert_array_equal(flip(x, training=True, seed=seed).numpy(), x.numpy())
    cb.on_epoch_begin(1)
    assert not np.array_equal(flip(x, training=True, seed=seed).numpy(), x.numpy())


def test_layers_none_without_augmentation_in_model_fails_at_fit(digits):
    model = _model()
    cb = StrengthSchedule(lambda e: 1.0)
    with pytest.raises(ValueError, match="`layers` is None.*tf.data"):
        model.fit(digits[0][:8], digits[1][:8], epochs=1, callbacks=[cb], verbose=0)


# --------------------------------------------------------- AdaptiveAugmentation
def _feed(values):
    values = iter(values)
    return lambda logs: next(values)


def test_adaptive_moves_strength_toward_target_and_scales_references():
    a, b = ShiftLayer(strength=0.5), ShiftLayer(strength=4.0)
    rs = [0.9] * 6 + [0.6] + [0.1] * 10
    cb = AdaptiveAugmentation(layers=[a, b], target=0.6, metric=_feed(rs), step=0.25,
                              initial=0.0)
    assert cb.references == [0.5, 4.0]
    cb.on_train_begin()
    assert (a.get_strength(), b.get_strength()) == (0.0, 0.0)  # initial p = 0
    history = []
    for epoch, r in enumerate(rs):
        logs = {}
        cb.on_epoch_end(epoch, logs)
        assert logs["overfit_r"] == r
        history.append(logs["augment_strength"])
        assert 0.0 <= cb.strength <= 1.0
        np.testing.assert_allclose([a.get_strength(), b.get_strength()],
                                   [0.5 * cb.strength, 4.0 * cb.strength])
    # up by a step while r > target, capped at 1; unchanged at r == target; then down to 0
    assert history[:7] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert history[7:12] == [1.0, 0.75, 0.5, 0.25, 0.0]
    assert cb.strength == 0.0


def test_adaptive_max_strength_scales_past_the_reference():
    # (No per-layer lower bound any more: p = 0 is strength 0 for every layer.)
    aug = ShiftLayer(strength=5.0)
    cb = AdaptiveAugmentation(layers=aug, metric=_feed([1.0] * 5), step=0.5,
                              initial=0.0, max_strength=1.5)
    cb.on_train_begin()
    assert aug.get_strength() == 0.0
    for epoch in range(5):
        cb.on_epoch_end(epoch, {})
    assert cb.strength == 1.5
    assert aug.get_strength() == 7.5  # 1.5 * 5


def test_adaptive_starts_at_the_configured_strength():
    # Adding the callback must not switch augmentation off: p starts at 1, so
    # every layer keeps its configured strength until the heuristic moves it.
    a, b = ShiftLayer(strength=0.5), ShiftLayer(strength=4.0)
    cb = AdaptiveAugmentation(layers=[a, b], metric=_feed([0.0, 0.0]), step=0.25)
    assert cb.initial == cb.strength == 1.0
    cb.on_train_begin()
    assert (a.get_strength(), b.get_strength()) == (0.5, 4.0)
    logs = {}
    cb.on_epoch_end(0, logs)  # r = 0 < target: one step down from the configured strength
    assert logs["augment_strength"] == 1.0 and cb.strength == 0.75
    assert (a.get_strength(), b.get_strength()) == (0.375, 3.0)
    # A ceiling below 1 caps the default start.
    capped = AdaptiveAugmentation(layers=ShiftLayer(), metric=_feed([]), step=0.1,
                                  max_strength=0.5)
    assert capped.initial == 0.5


def test_adaptive_loss_metric_from_logs():
    aug = ShiftLayer(strength=1.0)
    cb = AdaptiveAugmentation(layers=aug, target=0.5, step=0.1, initial=0.5)
    logs = {"loss": 0.2, "val_loss": 1.0}
    cb.on_epoch_end(0, logs)
    assert logs["overfit_r"] == pytest.approx(0.8) and cb.strength == pytest.approx(0.6)
    logs = {"loss": 1.0, "val_loss": 0.8}
    cb.on_epoch_end(1, logs)
    assert logs["overfit_r"] == 0.0 and cb.strength == pytest.approx(0.5)
    with pytest.raises(ValueError, match="validation_data"):
        cb.on_epoch_end(2, {"loss": 1.0})


def test_adaptive_raises_strength_when_a_real_model_overfits(digits):
    x, y = digits
    train, held = (x[:20], y[:20]), (x[1000:1200], y[1000:1200])
    aug = ShiftLayer(strength=2.0)
    model = _model(aug, width=256)
    ada = AdaptiveAugmentation(metric="sign", validation_data=held, train_data=train,
                               step=0.1, initial=0.0)
    hist = model.fit(*train, batch_size=10, epochs=6, callbacks=[ada], verbose=0)
    r = hist.history["overfit_r"]
    p = hist.history["augment_strength"]
    assert all(0.0 <= v <= 1.0 for v in r)
    assert r[-1] > 0.6  # most held-out samples are worse than the median training one
    assert p == sorted(p) and ada.strength > 0.3
    assert aug.get_strength() == pytest.approx(2.0 * ada.strength)

    # The loss heuristic, on fit's own validation data, sees the same gap.
    aug2 = ShiftLayer(strength=2.0)
    model2 = _model(aug2, width=256)
    ada2 = AdaptiveAugmentation(step=0.1, initial=0.0)
    hist2 = model2.fit(*train, batch_size=10, epochs=8, validation_data=held,
                       callbacks=[ada2], verbose=0)
    r2, p2 = hist2.history["overfit_r"], hist2.history["augment_strength"]
    assert r2[0] < 0.6 < r2[-1]  # the gap opens as the model memorizes 20 samples
    assert p2 == sorted(p2) and ada2.strength > 0.1


def test_adaptive_sign_metric_matches_a_direct_computation(digits):
    x, y = digits
    model = _model()
    model.fit(x[:20], y[:20], epochs=3, verbose=0)
    train, held = (x[:20], y[:20]), (x[500:540], y[500:540])
    cb = AdaptiveAugmentation(layers=ShiftLayer(), metric="sign", validation_data=held,
                              train_data=train)
    cb.set_model(model)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    lt = loss(train[1], model.predict(train[0], verbose=0)).numpy()
    lh = loss(held[1], model.predict(held[0], verbose=0)).numpy()
    assert cb.overfitting({}) == pytest.approx(np.mean(lh > np.median(lt)))


def test_adaptive_with_a_real_policy_scales_its_strength():
    # The strength is scaled (reference 1); the paper's magnitude M stays 9.
    from tfaug.policies import RandAugment
    aug = RandAugment(num_ops=2, magnitude=9)
    cb = AdaptiveAugmentation(layers=aug, metric=_feed([1.0, 1.0]), step=0.5,
                              initial=0.0)
    assert cb.references == [1.0]
    cb.on_train_begin()
    assert aug.get_strength() == 0.0
    cb.on_epoch_end(0, {})
    assert aug.get_strength() == 0.5
    cb.on_epoch_end(1, {})
    assert aug.get_strength() == 1.0 and aug.magnitude == 9


def test_adaptive_drives_a_real_image_layer_in_a_fit():
    # A fixed delta of 0.2 (factor pair) scaled by the layer's strength.
    aug = RandomBrightness((0.2, 0.2), value_range=(0, 1))
    probe = ProbeLayer()
    model = _model(aug, probe)
    x, y = np.full((20, 8, 8, 1), 0.25, "float32"), np.zeros(20, "int32")
    ada = AdaptiveAugmentation(metric=lambda logs: 1.0, step=0.5,
                               initial=0.0)  # layers found in the model
    rec = _Recorder(lambda cb: float(probe.seen.numpy()))
    hist = model.fit(x, y, batch_size=10, epochs=3, callbacks=[ada, rec], verbose=0)
    assert ada.layers == [aug] and ada.references == [1.0]
    assert hist.history["augment_strength"] == [0.0, 0.5, 1.0]
    np.testing.assert_allclose(rec.records, [0.25, 0.35, 0.45], atol=1e-6)
    assert aug.get_strength() == 1.0  # p capped at max_strength = 1


@pytest.mark.parametrize("kwargs, name", [
    ({"target": 1.5}, "target"), ({"step": 0.0}, "step"), ({"step": 2.0}, "step"),
    ({"initial": 2.0}, "initial"), ({"max_strength": 0.0}, "max_strength"),
    ({"metric": "acc"}, "metric"), ({"metric": "sign"}, "validation_data"),
    ({"validation_data": (np.zeros((3, 2)), np.zeros(2))}, "validation_data"),
    ({"train_data": np.zeros(3)}, "train_data"), ({"batch_size": 0}, "batch_size"),
    ({"verbose": 3}, "verbose"), ({"layers": 7}, "layers"),
])
def test_adaptive_bad_arguments(kwargs, name):
    kwargs.setdefault("layers", ShiftLayer())
    with pytest.raises(ValueError, match=f"`{name}`"):
        AdaptiveAugmentation(**kwargs)


def test_adaptive_bad_metric_value_and_strength_layers_walk():
    cb = AdaptiveAugmentation(layers=ShiftLayer(), metric=lambda logs: float("nan"))
    with pytest.raises(ValueError, match="`metric` must return a finite number"):
        cb.on_epoch_end(0, {})
    a, b = ShiftLayer(), ShiftLayer()
    seq = Sequence([a, RandomFlip("horizontal", value_range=(0, 4))])
    model = _model(seq, b)
    # The outermost tfaug layers: the Sequence (it has a strength and forwards it),
    # not its children, which it used to be walked into.
    assert strength_layers(model) == [seq, b]
    assert strength_layers([a, a, b]) == [a, b]


@pytest.mark.parametrize("loss, y", [
    ("categorical_crossentropy", np.eye(3, dtype="int64")[[0, 2, 1, 1]]),  # int one-hot
    (keras.losses.MeanSquaredError(), np.arange(12.0).reshape(4, 3)),       # float64
])
def test_per_sample_loss_matches_keras_unreduced(loss, y):
    pred = np.linspace(0.1, 0.9, 12, dtype="float32").reshape(4, 3)
    got = np.asarray(_per_sample_loss(SimpleNamespace(loss=loss))(y, pred))
    ref = keras.losses.get(loss)
    ref = type(ref)(reduction=None) if isinstance(ref, keras.losses.Loss) else ref
    np.testing.assert_allclose(got, np.asarray(ref(y.astype("float32"), pred)), rtol=1e-6)
    assert got.shape == (4,)
    with pytest.raises(ValueError, match="one loss"):
        _per_sample_loss(SimpleNamespace(loss=[loss, loss]))


def test_verbose_prints_the_update(capsys):
    aug = ShiftLayer(name="shift")
    StrengthSchedule(lambda e: 0.5, layers=aug, verbose=1).on_epoch_begin(2)
    ada = AdaptiveAugmentation(layers=aug, metric=lambda logs: 0.9, step=0.1, verbose=1,
                               initial=0.0)
    ada.on_epoch_end(0, {})
    out = capsys.readouterr().out
    assert "Epoch 3: StrengthSchedule sets shift strength to 0.5." in out
    assert "r=0.900 (> target 0.6): strength 0.000 -> 0.100." in out
