"""``strength`` on every registered layer (see DESIGN.md, "Every layer, policy
and composition has ``strength``").

At strength 0 a training call is the identity: it returns what the layer
returns when not training (the input; a size-changing layer's inference
transform; a batch-changing layer adds no rows). Back at 1 it is the layer as
configured, bitwise, with no retrace in between.
"""

import numpy as np
import pytest
import tensorflow as tf

from tests import harness

CASES = harness.discover_cases()
NAMES = sorted(CASES)

# Layers that cannot be the identity at strength 0, with the reason.
NOT_IDENTITY = {}
# Deterministic layers (Resizing, CenterCrop, Resize) draw nothing and own no
# variables: their strength is always 1 and set_strength leaves them as they are.
DETERMINISTIC = sorted(n for n, c in CASES.items() if c.make().deterministic)


def _inputs(case):
    # uint8 images: the round trip through the unit range is exact.
    dtype = tf.uint8 if case.modality == "image" else tf.float32
    return harness.make_inputs(case, dtype, dict_inputs=True)


def _assert_identity(case, layer, inputs, out):
    want = layer(inputs, training=False)
    if layer.changes_labels and "labels" in inputs and out["labels"].dtype != \
            want["labels"].dtype:
        # Mixing layers always return float soft labels: at 0 each row's own.
        labels = np.asarray(want["labels"])
        width = out["labels"].shape[-1]
        soft = labels if labels.ndim == 2 else np.eye(width, dtype=np.float32)[labels]
        np.testing.assert_array_equal(out["labels"], soft)
        out, want = dict(out), dict(want)
        del out["labels"], want["labels"]
    harness.assert_same(out, want)


@pytest.mark.parametrize("name", NAMES)
def test_strength_zero_is_the_identity_and_one_as_configured(name):
    case = CASES[name]
    if name in NOT_IDENTITY:
        pytest.skip(NOT_IDENTITY[name])
    if name in DETERMINISTIC:
        pytest.skip("a deterministic layer has no strength (tested below)")
    layer = case.make()
    inputs = _inputs(case)
    assert layer.get_strength() == 1.0
    assert layer.get_config()["strength"] == 1.0
    traces = []

    @tf.function
    def train(x, seed):
        traces.append(1)
        return layer(x, training=True, seed=seed)

    configured = train(inputs, harness.SEED)
    layer.set_strength(0.0)
    assert layer.get_strength() == 0.0
    _assert_identity(case, layer, inputs, train(inputs, harness.SEED))
    _assert_identity(case, layer, inputs, harness.run_eager(layer, inputs))
    layer.set_strength(1.0)
    harness.assert_same(train(inputs, harness.SEED), configured)
    assert len(traces) == 1, "set_strength retraced the function"


@pytest.mark.parametrize("name", NAMES)
def test_strength_round_trips_through_the_config(name):
    if name in DETERMINISTIC:
        pytest.skip("a deterministic layer has no strength (tested below)")
    layer = CASES[name].make()
    layer.set_strength(0.25)
    config = layer.get_config()
    assert config["strength"] == 0.25
    assert type(layer).from_config(config).get_strength() == 0.25
    for child in layer.children():  # compositions forward it
        assert child.get_strength() == 0.25


def test_deterministic_layers_have_no_strength_and_no_variables():
    assert DETERMINISTIC == ["CenterCrop", "Resize", "Resizing"]
    for name in DETERMINISTIC:
        case = CASES[name]
        layer = case.make()
        inputs = _inputs(case)
        assert not layer.weights, name  # Keras' tests assert 0 non-trainable weights
        layer.set_strength(0.0)  # forwarded by compositions: left as it is
        assert layer.get_strength() == 1.0 and layer.get_config()["strength"] == 1.0
        harness.assert_same(layer(inputs, training=True), layer(inputs, training=False))
        with pytest.raises(ValueError, match="`strength`"):
            type(layer).from_config({**layer.get_config(), "strength": 0.5})
