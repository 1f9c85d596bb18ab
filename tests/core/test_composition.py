"""Compositions: per-sample choices, rates, fusion, nesting, serialization, empty rows.

Children are real flips with ``rate=1`` on an asymmetric image, so every output
row identifies which children ran on it: horizontal (H), vertical (V) or both.
"""

import json

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug import image
from tfaug.image import RandomFlip

SEED = tf.constant([3, 14], tf.int64)


def _images(batch, size=4):
    """uint8 ``[B, size, size, 1]``: every pixel distinct, so H, V, HV, identity differ."""
    base = np.arange(size * size, dtype=np.uint8).reshape(size, size, 1) * 7
    return tf.constant(np.broadcast_to(base, (batch, size, size, 1)).copy())


def H():
    return RandomFlip("horizontal", rate=1.0)


def V():
    return RandomFlip("vertical", rate=1.0)


def HV():
    return RandomFlip("horizontal_and_vertical", rate=1.0)


def _classify(inputs, outputs):
    """Per row: 0 identity, 1 H, 2 V, 3 HV. Fails on anything else."""
    x, y = np.asarray(inputs), np.asarray(outputs)
    candidates = np.stack([x, x[:, :, ::-1], x[:, ::-1], x[:, ::-1, ::-1]])  # [4, B, ...]
    match = np.all(candidates == y[None], axis=(2, 3, 4))  # [4, B]
    assert np.all(match.sum(0) == 1), "a row is not an exact flip of its input"
    return np.argmax(match, axis=0)


def _within(count, n, p, sigmas=5.0):
    """``count`` of ``n`` Bernoulli(p) trials lies within ``sigmas`` std of the mean."""
    std = np.sqrt(n * p * (1 - p))
    return abs(count - n * p) <= sigmas * std + 1


# ------------------------------------------------------------------- OneOf
def test_one_of_picks_exactly_one_child_per_sample_with_weights():
    n = 2000
    x = _images(n)
    layer = tfaug.OneOf([H(), V()], weights=[3.0, 1.0])
    kinds = _classify(x, layer(x, training=True, seed=SEED))
    assert set(np.unique(kinds)) == {1, 2}  # never none, never both
    assert _within(np.sum(kinds == 1), n, 0.75)


def test_one_of_zero_weight_child_never_runs():
    x = _images(200)
    layer = tfaug.OneOf([H(), V(), HV()], weights=[0.0, 1.0, 0.0])
    kinds = _classify(x, layer(x, training=True, seed=SEED))
    assert np.all(kinds == 2)


def test_one_of_choice_is_per_sample_and_varies_with_the_seed():
    x = _images(64)
    layer = tfaug.OneOf([H(), V()])
    a = _classify(x, layer(x, training=True, seed=SEED))
    b = _classify(x, layer(x, training=True, seed=SEED + 1))
    assert 0 < np.sum(a == 1) < 64  # both children within one batch
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, _classify(x, layer(x, training=True, seed=SEED)))


def test_one_of_probability_leaves_rows_untouched():
    n = 2000
    x = _images(n)
    layer = tfaug.OneOf([H(), V()], probability=0.25)
    kinds = _classify(x, layer(x, training=True, seed=SEED))
    assert _within(np.sum(kinds != 0), n, 0.25)
    assert not np.any(kinds == 3)


# ------------------------------------------------------------------ SomeOf
@pytest.mark.parametrize("n_pick", [0, 1, 2, 3])
def test_some_of_applies_exactly_n_children(n_pick):
    batch = 600
    x = _images(batch)
    layer = tfaug.SomeOf([H(), V(), HV()], n=n_pick)
    params = layer.sample(batch, SEED)
    chosen = params["chosen"].numpy()
    assert np.all(chosen.sum(1) == n_pick)
    if 0 < n_pick < 3:  # every child is picked with probability n / k
        for i in range(3):
            assert _within(chosen[:, i].sum(), batch, n_pick / 3)
    out = layer.apply({"images": tf.cast(x, tf.float32)}, params)["images"]
    # The output is the composition of the chosen flips (H=1, V=2, HV=3 as bits).
    expected = np.bitwise_xor.reduce(chosen * np.array([1, 2, 3]), axis=1)
    np.testing.assert_array_equal(_classify(tf.cast(x, tf.float32), out), expected)
    # And the layer call draws the same way.
    np.testing.assert_array_equal(
        _classify(x, layer(x, training=True, seed=SEED)), expected)


# ------------------------------------------------------------- RandomApply
@pytest.mark.parametrize("rate", [0.0, 0.3, 1.0])
def test_random_apply_rate(rate):
    n = 2000
    x = _images(n)
    kinds = _classify(x, tfaug.RandomApply(H(), rate=rate)(x, training=True, seed=SEED))
    assert set(np.unique(kinds)) <= {0, 1}
    assert _within(np.sum(kinds == 1), n, rate)


# ---------------------------------------------------------------- Sequence
def test_sequence_applies_in_order_and_fuses_geometric_runs():
    x = _images(8)
    seq = tfaug.Sequence([H(), V()])
    assert seq._groups() == [[0, 1]]  # one fused resample
    out = seq(x, training=True, seed=SEED)
    np.testing.assert_array_equal(_classify(x, out), np.full(8, 3))
    np.testing.assert_array_equal(out, np.asarray(x)[:, ::-1, ::-1])


def test_sequence_fused_equals_layer_by_layer():
    x = tf.cast(_images(32, size=8), tf.float32)
    layers = [RandomFlip("horizontal_and_vertical"), RandomFlip("horizontal"),
              RandomFlip("vertical", rate=0.3)]
    seq = tfaug.Sequence(layers)
    params = seq.sample(32, SEED)
    fused = seq.apply({"images": x / 255.0}, params)["images"]
    data = {"images": x / 255.0}
    for i, layer in enumerate(layers):
        data = layer.apply(data, params[str(i)])
    np.testing.assert_allclose(fused, data["images"], atol=1e-5)


def test_sequence_fusion_groups_split_on_settings_and_non_geometric_layers():
    rotate = image.RandomRotation(0.1, fill_mode="reflect")
    zoom = image.RandomZoom(0.1, fill_mode="reflect")
    shift = image.RandomTranslation(0.1, 0.1, fill_mode="constant")
    noise = image.GaussianNoise(0.05)
    nearest = image.RandomRotation(0.1, fill_mode="reflect", interpolation="nearest")
    seq = tfaug.Sequence([rotate, zoom, H(), shift, noise, V(), H(), nearest, zoom])
    # Flips map pixels onto pixels (exact under any settings): they join any run.
    # A change of fill mode or interpolation, or a non-geometric layer, ends a run.
    assert seq._groups() == [[0, 1, 2], [3], [4], [5, 6, 7], [8]]


def test_sequence_fused_run_resamples_once():
    # Rotation by +a then -a: fused, the matrices cancel and the image comes back
    # exactly; two separate bilinear resamples would blur it.
    x = tf.cast(_images(4, size=8), tf.float32) / 255.0
    rot = image.RandomRotation(0.1, fill_mode="reflect")
    params = rot.sample(4, SEED)
    back = {k: -v for k, v in params.items()}
    fused = rot.apply_fused({"images": x}, [(rot, params), (rot, back)])["images"]
    np.testing.assert_allclose(fused, x, atol=1e-4)
    twice = rot.apply(rot.apply({"images": x}, params), back)["images"]
    assert np.max(np.abs(twice - x)) > 1e-2


def test_sequence_children_draw_independently():
    # Two identical children with their own sub-seeds: a shared draw would
    # always cancel (flip twice); independent draws flip about half the rows.
    n = 2000
    x = _images(n)
    seq = tfaug.Sequence([RandomFlip("horizontal"), RandomFlip("horizontal")])
    kinds = _classify(x, seq(x, training=True, seed=SEED))
    assert _within(np.sum(kinds == 1), n, 0.5)


def test_sequence_probability_gates_the_whole_sequence():
    n = 2000
    x = _images(n)
    kinds = _classify(x, tfaug.Sequence([H(), V()], probability=0.4)(
        x, training=True, seed=SEED))
    assert set(np.unique(kinds)) == {0, 3}  # all of it or none of it
    assert _within(np.sum(kinds == 3), n, 0.4)


# ------------------------------------------------------------------ nesting
def _nested():
    return tfaug.OneOf([
        tfaug.Sequence([H(), V()]),
        tfaug.RandomApply(V(), rate=1.0),
        tfaug.SomeOf([H(), V()], n=1),
    ], weights=[1.0, 1.0, 2.0], seed=5)


def test_nested_compositions():
    n = 1200
    x = _images(n)
    layer = _nested()
    params = layer.sample(n, SEED)
    kinds = _classify(x, layer(x, training=True, seed=SEED))
    choice = params["choice"].numpy()
    np.testing.assert_array_equal(kinds[choice == 0], 3)
    np.testing.assert_array_equal(kinds[choice == 1], 2)
    some = kinds[choice == 2]
    assert set(np.unique(some)) == {1, 2}
    assert _within(np.sum(choice == 2), n, 0.5)


def test_nested_serialization_round_trip():
    layer = _nested()
    text = json.dumps(tfaug.serialize(layer))
    clone = tfaug.deserialize(json.loads(text))
    assert clone.get_config() == layer.get_config()
    assert [type(c).__name__ for c in clone.layers] == ["Sequence", "RandomApply", "SomeOf"]
    assert clone.layers[2].n == 1 and clone.get_config()["weights"] == [1.0, 1.0, 2.0]
    x = _images(32)
    np.testing.assert_array_equal(clone(x, training=True, seed=SEED),
                                  layer(x, training=True, seed=SEED))


def test_nested_compositions_under_jit_match_eager():
    x = _images(16)
    layer = _nested()
    eager = layer(x, training=True, seed=SEED)
    jit = tf.function(lambda v, s: layer(v, training=True, seed=s), jit_compile=True)
    np.testing.assert_array_equal(jit(x, SEED), eager)


# -------------------------------------------------------------- empty rows
@pytest.mark.parametrize("make", [
    lambda: tfaug.Sequence([H(), V()]),
    lambda: tfaug.OneOf([H(), V()]),
    lambda: tfaug.SomeOf([H(), V(), HV()], n=2),
    lambda: tfaug.RandomApply(HV(), rate=0.5),
    _nested,
], ids=["Sequence", "OneOf", "SomeOf", "RandomApply", "nested"])
def test_apply_on_zero_rows(make):
    # Compositions run children on gathered subsets that can be empty.
    layer = make()
    data = {"images": tf.zeros([0, 4, 4, 1]), "masks": tf.zeros([0, 4, 4, 1], tf.int32),
            "boxes": tf.zeros([0, 2, 4])}
    out = layer.apply(data, layer.sample(0, SEED))
    assert out["images"].shape == (0, 4, 4, 1) and out["masks"].shape == (0, 4, 4, 1)
    assert out["boxes"].shape == (0, 2, 4)

    @tf.function(input_signature=[tf.TensorSpec([None, 4, 4, 1], tf.float32)])
    def run(images):
        d = {"images": images}
        return layer.apply(d, layer.sample(tf.shape(images)[0], SEED))["images"]

    assert run(tf.zeros([0, 4, 4, 1])).shape == (0, 4, 4, 1)


def test_child_that_no_row_drew_runs_on_zero_rows():
    # Weight 0 makes child 1 run on an empty gather; the result is still exact.
    x = _images(5)
    layer = tfaug.OneOf([H(), V()], weights=[1.0, 0.0])
    fn = tf.function(lambda v: layer(v, training=True, seed=SEED))
    np.testing.assert_array_equal(fn(x), np.asarray(x)[:, :, ::-1])


def test_dict_targets_follow_the_per_sample_choice():
    n = 64
    x = _images(n, size=8)
    masks = np.zeros((n, 8, 8), np.int32)
    masks[:, 1:3, 0:2] = 1
    boxes = np.tile(np.array([[[0.0, 1.0, 2.0, 3.0]]], np.float32), (n, 1, 1))
    layer = tfaug.OneOf([H(), V()])
    out = layer({"images": x, "masks": tf.constant(masks), "boxes": tf.constant(boxes),
                 "labels": tf.range(n)}, training=True, seed=SEED)
    kinds = _classify(x, out["images"])
    np.testing.assert_array_equal(out["labels"], np.arange(n))
    for i in range(n):
        if kinds[i] == 1:
            np.testing.assert_array_equal(out["masks"][i], masks[i][:, ::-1])
            np.testing.assert_allclose(out["boxes"][i], [[6.0, 1.0, 8.0, 3.0]])
        else:
            np.testing.assert_array_equal(out["masks"][i], masks[i][::-1])
            np.testing.assert_allclose(out["boxes"][i], [[0.0, 5.0, 2.0, 7.0]])


def test_only_compositions_without_per_sample_routing_compile_whole():
    assert tfaug.Sequence([H(), V()]).compiles()
    assert not tfaug.OneOf([H(), V()]).compiles()
    assert not tfaug.Sequence([H(), tfaug.RandomApply(V(), rate=0.5)]).compiles()
    assert not tfaug.Sequence([H(), image.JpegQuality(50, 90)]).compiles()


@pytest.mark.parametrize("dtype", [tf.uint8, tf.float32])
def test_compiled_sequence_runs_resampling_on_its_own(dtype):
    """A compiled Sequence runs each resampling run as its own XLA program and
    the layers between together; the result is the op-by-op one, the draws the
    same, the user's structure (dict, dtype) restored."""
    aug = tfaug.Sequence([image.RandomFlip("horizontal"), image.RandomRotation(0.1),
                          image.RandomZoom(0.1), image.RandomContrast(0.3),
                          image.RandomBrightness(0.2), image.RandomTranslation(0.1, 0.1),
                          image.RandomSaturation((0.3, 0.7))])
    assert [[aug.layers[i].__class__.__name__ for g in seg for i in g]
            for seg in aug._segments()] == [
        ["RandomFlip", "RandomRotation", "RandomZoom"],
        ["RandomContrast", "RandomBrightness"], ["RandomTranslation"],
        ["RandomSaturation"]]
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (4, 24, 20, 3)).astype(np.uint8)
    inputs = {"images": tf.constant(pixels if dtype == tf.uint8 else pixels.astype(np.float32)),
              "masks": tf.constant(rng.integers(0, 3, (4, 24, 20, 1)), tf.int32)}
    by_ops = aug(inputs, training=True, seed=SEED)
    previous = tfaug.core.set_auto_compile(True)
    try:
        compiled = aug(inputs, training=True, seed=SEED)
    finally:
        tfaug.core.set_auto_compile(previous)
    assert sorted(key[0] for key in tfaug.core.xla.programs(aug)) == [
        ("segment", k) for k in range(4)]
    assert set(compiled) == {"images", "masks"}
    assert compiled["images"].dtype == dtype and compiled["masks"].dtype == tf.int32
    np.testing.assert_array_equal(compiled["masks"], by_ops["masks"])
    diff = np.abs(compiled["images"].numpy().astype(np.float64)
                  - by_ops["images"].numpy().astype(np.float64))
    assert diff.max() <= (1 if dtype == tf.uint8 else 0.05)
    assert not np.array_equal(compiled["images"].numpy(), pixels)


def test_auto_compile_scope_is_per_thread():
    import threading  # pylint: disable=import-outside-toplevel
    images = tf.constant(np.random.default_rng(0).integers(0, 255, (2, 8, 8, 3)), tf.uint8)
    ours, other = tfaug.image.RandomFlip(), tfaug.image.RandomFlip()
    previous = tfaug.core.set_auto_compile(True)
    try:
        with tfaug.core.auto_compile_scope(False):
            ours(images, training=True, seed=SEED)  # op by op here
            worker = threading.Thread(target=lambda: other(images, training=True, seed=SEED))
            worker.start()
            worker.join()
        assert not tfaug.core.xla.programs(ours)
        assert tfaug.core.xla.programs(other)  # the other thread kept the global setting
        ours(images, training=True, seed=SEED)  # the scope ended: compiled again
        assert tfaug.core.xla.programs(ours)
    finally:
        tfaug.core.set_auto_compile(previous)
