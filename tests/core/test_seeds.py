"""Seeds: identical draws in eager, tf.function, XLA and tf.data; split independence;
distributions; layer seed state."""

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug.core import seeds
from tfaug.image import RandomFlip

SEED = tf.constant([17, 42], tf.int64)

DRAWS = {
    "unit": lambda s: seeds.uniform([257], s),
    "uniform": lambda s: seeds.uniform([257], s, -2.0, 3.0),
    "uniform_int": lambda s: seeds.uniform([257], s, 3, 11, dtype=tf.int32),
    "normal": lambda s: seeds.normal([257], s, 1.0, 2.0),
    "bernoulli": lambda s: seeds.bernoulli([257], s, 0.3),
    "categorical": lambda s: seeds.categorical(257, s, [1.0, 2.0, 3.0]),
    "split": lambda s: seeds.split(s, 5),
    "fold_in": lambda s: seeds.fold_in(s, 7),
}


# XLA may fuse ``lo + (hi - lo) * u`` into one FMA and has its own log/cos, so the
# float draws built on the (bit-exact) unit draw may differ in the last ulp.
APPROX = {"uniform", "normal"}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_same_draws_eager_function_and_jit(name):
    draw = DRAWS[name]
    eager = draw(SEED).numpy()
    graph = tf.function(draw)(SEED).numpy()
    jit = tf.function(draw, jit_compile=True)(SEED).numpy()
    np.testing.assert_array_equal(eager, graph)
    if name in APPROX:
        np.testing.assert_allclose(eager, jit, rtol=1e-6, atol=1e-6)
    else:
        np.testing.assert_array_equal(eager, jit)
    ds = tf.data.Dataset.from_tensors(SEED).map(draw, num_parallel_calls=2)
    np.testing.assert_array_equal(eager, next(iter(ds)).numpy())


def test_layer_draws_are_identical_eager_function_and_jit():
    x = tf.random.stateless_uniform([32, 6, 6, 3], [1, 2])
    layer = tfaug.Sequence([RandomFlip("horizontal_and_vertical"),
                            tfaug.OneOf([RandomFlip("horizontal"), RandomFlip("vertical")])],
                           probability=0.8)
    params = layer.sample(32, SEED)
    jit_params = tf.function(lambda s: layer.sample(32, s), jit_compile=True)(SEED)
    tf.nest.map_structure(np.testing.assert_array_equal, params, jit_params)
    eager = layer(x, training=True, seed=SEED)
    for jit_compile in (False, True):
        fn = tf.function(lambda v, s: layer(v, training=True, seed=s), jit_compile=jit_compile)
        np.testing.assert_allclose(fn(x, SEED), eager, atol=1e-6)


def test_as_seed_forms():
    np.testing.assert_array_equal(seeds.as_seed(5), [5, 0])
    np.testing.assert_array_equal(seeds.as_seed([5, 6]), [5, 6])
    np.testing.assert_array_equal(seeds.as_seed(tf.constant(5, tf.int32)), [5, 0])
    assert seeds.as_seed(tf.constant([1, 2], tf.int32)).dtype == tf.int64


@pytest.mark.parametrize("bad, match", [
    (True, "int or a shape-.2. integer"),
    (1.5, "integer dtype"),
    ([1, 2, 3], r"shape \[2\]"),
    ([[1, 2]], r"shape \[2\]"),
])
def test_as_seed_rejects(bad, match):
    with pytest.raises(ValueError, match=match):
        seeds.as_seed(bad)


def test_split_gives_distinct_independent_seeds():
    subs = seeds.split(SEED, 64).numpy()
    assert subs.shape == (64, 2) and subs.dtype == np.int64
    assert len({tuple(s) for s in subs}) == 64
    # Draws from sibling sub-seeds are uncorrelated, and differ from the parent's.
    draws = np.stack([seeds.uniform([4000], s).numpy() for s in subs[:4]])
    corr = np.corrcoef(draws)
    assert np.all(np.abs(corr[np.triu_indices(4, 1)]) < 0.06)
    parent = seeds.uniform([4000], SEED).numpy()
    assert abs(np.corrcoef(parent, draws[0])[0, 1]) < 0.06
    # Splitting is deterministic, and a different seed splits differently.
    np.testing.assert_array_equal(seeds.split(SEED, 64), subs)
    assert not np.array_equal(seeds.split(SEED + 1, 64), subs)


def test_fold_in_distinct_per_value():
    folded = {tuple(seeds.fold_in(SEED, i).numpy()) for i in range(100)}
    assert len(folded) == 100


def test_uniform_float_and_int_ranges():
    u = seeds.uniform([20000], SEED, -2.0, 3.0).numpy()
    assert u.min() >= -2.0 and u.max() < 3.0
    assert abs(u.mean() - 0.5) < 0.05 and abs(u.std() - 5 / np.sqrt(12)) < 0.05
    hist, _ = np.histogram(u, bins=10, range=(-2, 3))
    assert hist.min() > 1800 and hist.max() < 2200
    k = seeds.uniform([20000], SEED, 3, 11, dtype=tf.int64).numpy()
    assert set(np.unique(k)) == set(range(3, 11))
    with pytest.raises(ValueError, match="minval"):
        seeds.uniform([3], SEED, None, 5, dtype=tf.int32)


def test_normal_moments():
    z = seeds.normal([40000], SEED, mean=1.0, stddev=2.0).numpy()
    assert np.all(np.isfinite(z))
    assert abs(z.mean() - 1.0) < 0.05 and abs(z.std() - 2.0) < 0.05
    assert abs(np.mean(np.abs(z - 1.0) < 2.0) - 0.6827) < 0.01


def test_bernoulli_and_categorical_frequencies():
    b = seeds.bernoulli([20000], SEED, 0.3).numpy()
    assert b.dtype == bool and abs(b.mean() - 0.3) < 0.015
    c = seeds.categorical(30000, SEED, [1.0, 0.0, 3.0]).numpy()
    freq = np.bincount(c, minlength=3) / c.size
    np.testing.assert_allclose(freq, [0.25, 0.0, 0.75], atol=0.015)


@pytest.mark.parametrize("xla", [False, True])
def test_gamma_and_beta_means(xla):
    gamma = (tf.function(seeds.gamma, jit_compile=True) if xla else seeds.gamma)
    g = gamma([20000], SEED, 0.5).numpy()
    assert np.all(g > 0) and abs(g.mean() - 0.5) < 0.03
    g = gamma([20000], SEED, 3.0).numpy()
    assert abs(g.mean() - 3.0) < 0.08 and abs(g.var() - 3.0) < 0.3
    if xla:
        fn = tf.function(lambda s: seeds.beta([20000], s, 2.0, 6.0), jit_compile=True)
        b = fn(SEED).numpy()
    else:
        b = seeds.beta([20000], SEED, 2.0, 6.0).numpy()
    assert np.all((b >= 0) & (b <= 1)) and abs(b.mean() - 0.25) < 0.01


def test_layer_seed_state_advances_and_is_reproducible():
    x = tf.constant(np.arange(64 * 16, dtype=np.float32).reshape(64, 4, 4, 1))
    a, b = RandomFlip("horizontal", seed=123), RandomFlip("horizontal", seed=123)
    a1, a2 = a(x, training=True), a(x, training=True)
    assert not np.array_equal(a1, a2)  # the state advanced
    np.testing.assert_array_equal(b(x, training=True), a1)  # same construction seed
    np.testing.assert_array_equal(b(x, training=True), a2)
    c = RandomFlip("horizontal", seed=124)
    assert not np.array_equal(c(x, training=True), a1)


def test_next_seed_never_repeats_in_a_parallel_dataset():
    layer = RandomFlip(seed=0)
    ds = tf.data.Dataset.range(64).map(lambda _: layer.next_seed(),
                                       num_parallel_calls=4)
    drawn = {tuple(s.numpy()) for s in ds}
    assert len(drawn) == 64


def test_explicit_seed_does_not_touch_state():
    layer = RandomFlip(seed=7)
    before = layer._seed_state.numpy().copy()
    layer(tf.zeros([2, 4, 4, 1]), training=True, seed=SEED)
    np.testing.assert_array_equal(layer._seed_state.numpy(), before)
    layer(tf.zeros([2, 4, 4, 1]), training=True)
    assert not np.array_equal(layer._seed_state.numpy(), before)


def test_unseeded_layers_start_from_different_states():
    states = {tuple(RandomFlip()._seed_state.numpy()) for _ in range(5)}
    assert len(states) > 1


def test_beta_with_a_tiny_alpha_is_a_fair_coin_on_0_and_1():
    # Gamma draws underflow to 0 for alpha ~ 1e-6 (CutMix with factor ~ 0): the
    # ratio is taken in logs, so Beta(a, a) still puts half its mass near each end.
    x = seeds.beta([4000], tf.constant([3, 1], tf.int64), 1e-6, 1e-6).numpy()
    assert np.isfinite(x).all()
    assert ((x < 1e-3) | (x > 1 - 1e-3)).all()
    assert abs((x > 0.5).mean() - 0.5) < 0.05
    y = seeds.beta([4000], tf.constant([3, 1], tf.int64), 2.0, 5.0).numpy()
    assert abs(y.mean() - 2.0 / 7.0) < 0.01  # the mean of Beta(2, 5)
