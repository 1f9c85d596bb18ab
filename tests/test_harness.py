"""Runs every registered layer through the shared harness (see harness.py)."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tests import harness

CASES = harness.discover_cases()
NAMES = sorted(CASES)


def _leaf_classes():
    from tfaug.core.composition import Composition
    return {n: c for n, c in tfaug.registered().items() if not issubclass(c, Composition)}


def test_every_registered_layer_has_a_case():
    missing = sorted(set(tfaug.registered()) - set(CASES))
    assert not missing, f"registered layers without a harness case: {missing}"


def test_xla_exempt_list_is_explicit():
    flagged = {n for n, c in _leaf_classes().items() if c.xla_exempt}
    assert flagged == set(harness.XLA_EXEMPT), (flagged, harness.XLA_EXEMPT)


@pytest.fixture(params=NAMES)
def case(request):
    return CASES[request.param]


@pytest.mark.parametrize("dtype", [tf.uint8, tf.float32], ids=["uint8", "float32"])
def test_eager_function_dataset(case, dtype):
    if case.modality == "text" and dtype == tf.uint8:
        pytest.skip("text inputs are strings: one run (float32's) covers them")
    layer = case.make()
    inputs = harness.make_inputs(case, dtype)
    eager = harness.run_eager(layer, inputs)
    harness.check_output(case, inputs, eager)
    graph = harness.run_function(layer, inputs)
    harness.assert_same(eager, graph, atol=1e-4 if dtype == tf.float32 else 1)
    first, second = harness.run_dataset(layer, inputs)
    harness.assert_same(first, second)
    harness.assert_same(eager, first, atol=1e-4 if dtype == tf.float32 else 1)


def test_dict_inputs_carry_every_target(case):
    layer = case.make()
    inputs = harness.make_inputs(case, tf.float32, dict_inputs=True)
    out = harness.run_eager(layer, inputs)
    harness.check_output(case, inputs, out)
    # Unbatched input gives unbatched output.
    if case.grows_batch:
        return  # one row cannot be grown into several and stay unbatched
    single = tf.nest.map_structure(lambda t: t[0], inputs)
    out1 = layer(single, training=True, seed=harness.SEED)
    assert harness.images_of(out1).shape.rank == harness.images_of(inputs).shape.rank - 1


def test_xla(case):
    layer = case.make()
    inputs = harness.make_inputs(case, tf.float32, dict_inputs=True)
    if case.name in harness.XLA_EXEMPT:
        pytest.skip(f"{case.name} cannot compile with XLA (listed in XLA_EXEMPT)")
    if case.modality == "text":
        pytest.skip("text layers work on tf.string, which XLA cannot hold")
    xla = harness.run_function(layer, inputs, jit_compile=True)
    harness.check_output(case, inputs, xla)
    ref = harness.run_function(layer, inputs)
    # Same draws, possibly a different (XLA-compatible) kernel: close, not bitwise.
    np.testing.assert_allclose(harness.images_of(xla).numpy(),
                               harness.images_of(ref).numpy(), atol=0.5)


def test_keras_call_semantics(case):
    """training=False and a model called without training leave the inputs
    alone (size-changing layers apply their inference transform); a direct call
    without training augments, as keras.layers do."""
    layer = case.make()
    inputs = harness.make_inputs(case, tf.uint8, dict_inputs=True)
    out_false = layer(inputs, training=False)
    if layer.changes_size:
        harness.check_output(case, inputs, out_false)
        # Deterministic inference transform, the same every call.
        harness.assert_same(out_false, layer(inputs, training=False))
    else:
        harness.assert_same(out_false, inputs)
    # Inside a model, training unset: the inference path.
    # (A Keras model casts float64 inputs to its float32 compute dtype.)
    harness.assert_same(harness.Wrapper(layer)(inputs), out_false, atol=1e-6)
    # Called directly without training: it augments (the training path).
    direct = layer(inputs, seed=harness.SEED)
    harness.assert_same(direct, layer(inputs, training=True, seed=harness.SEED))


def test_seed_determinism(case):
    layer = case.make()
    inputs = harness.make_inputs(case, tf.float32)
    a = harness.run_eager(layer, inputs, harness.SEED)
    b = harness.run_eager(layer, inputs, harness.SEED)
    harness.assert_same(a, b)
    if case.random:
        c = harness.run_eager(layer, inputs, harness.OTHER_SEED)
        assert not np.array_equal(harness.images_of(a).numpy(),
                                  harness.images_of(c).numpy()), \
            "different seeds gave identical outputs"
    # Without an explicit seed the layer advances its own state.
    if case.random:
        s1 = layer(inputs, training=True)
        s2 = layer(inputs, training=True)
        assert not np.array_equal(harness.images_of(s1).numpy(),
                                  harness.images_of(s2).numpy())


def test_config_json_round_trip(case):
    layer = case.make()
    config = layer.get_config()
    json.dumps(config)
    clone = harness.json_round_trip(layer)
    assert type(clone) is type(layer)
    assert clone.get_config() == config
    if case.copy_state is not None:
        case.copy_state(layer, clone)
    if case.stateful:
        store = {}
        layer.save_own_variables(store)
        clone.load_own_variables(store)
    inputs = harness.make_inputs(case, tf.float32)
    harness.assert_same(harness.run_eager(layer, inputs), harness.run_eager(clone, inputs))
    assert type(layer).from_config(config).get_config() == config


def test_keras_save_load(case, tmp_path):
    layer = case.make()
    inputs = harness.make_inputs(case, tf.float32, dict_inputs=case.needs_labels)
    if case.needs_labels:
        main = harness.MAIN_KEYS[case.modality]
        inputs = {k: inputs[k] for k in (main, "labels")}
    inp = harness.keras_inputs(inputs)
    model = keras.Model(inp, layer(inp))
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    inner = next(l for l in loaded.layers if type(l) is type(layer))
    assert type(inner) is type(layer)
    assert inner.get_config() == layer.get_config()
    harness.assert_same(inner(inputs, training=True, seed=harness.SEED),
                        layer(inputs, training=True, seed=harness.SEED), atol=1e-4)
    harness.assert_same(loaded(inputs), model(inputs), atol=1e-4)


def test_saved_model_round_trip(case, tmp_path):
    layer = case.make()
    inputs = harness.make_inputs(case, tf.float32, dict_inputs=True)
    spec = tf.nest.map_structure(lambda t: tf.TensorSpec(t.shape, t.dtype), inputs)
    module = tf.Module()
    module.layer = layer
    module.augment = tf.function(lambda x, s: layer(x, training=True, seed=s),
                                 input_signature=[spec, tf.TensorSpec([2], tf.int64)])
    module.infer = tf.function(lambda x: layer(x, training=False), input_signature=[spec])
    path = str(tmp_path / "saved")
    tf.saved_model.save(module, path)
    loaded = tf.saved_model.load(path)
    harness.assert_same(loaded.augment(inputs, harness.SEED),
                        layer(inputs, training=True, seed=harness.SEED), atol=1e-4)
    harness.assert_same(loaded.infer(inputs), layer(inputs, training=False), atol=1e-4)


def test_auto_compiled_call(case):
    """The default training call (compiled as one XLA program when the layer
    allows it) gives the op-by-op result, and really takes the compiled path."""
    layer = case.make()
    inputs = harness.make_inputs(case, tf.float32, dict_inputs=True)
    ops_out = harness.run_eager(layer, inputs)
    previous = tfaug.core.set_auto_compile(True)
    try:
        compiled = harness.run_eager(layer, inputs)
        graph = harness.run_function(layer, inputs)
    finally:
        tfaug.core.set_auto_compile(previous)
    assert any(key[0] == "train" for key in tfaug.core.xla.programs(layer)) == (
        layer.compiles())
    harness.check_output(case, inputs, compiled)
    harness.assert_same(harness.images_of(compiled), harness.images_of(ops_out), atol=0.5)
    harness.assert_same(compiled, graph, atol=1e-4)
