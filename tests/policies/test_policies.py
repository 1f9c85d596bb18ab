"""Properties of the image policies (RandAugment, TrivialAugment, AutoAugment, AugMix).

Per-sample choices (diversity within a batch and across batches), each op only on
the rows that drew it, strength control without retracing, the published
AutoAugment tables and AugMix's draws. Modes (eager/graph/tf.data/XLA/SavedModel)
are the shared harness's job (tests/policies/cases_policies.py).
"""

import functools

import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import load_sample_images

import tfaug
from tfaug.policies import autoaugment, ops as policy_ops, randaugment

SEED = tf.constant([11, 22], tf.int64)
OTHER_SEED = tf.constant([33, 44], tf.int64)
# RandAugment's ops that take a level (level 0 is their identity).
RA_LEVEL_OPS = [n for n in randaugment.RANDAUGMENT_OPS if n not in policy_ops.NO_LEVEL]


@functools.lru_cache(maxsize=None)
def _photo(size):
    """A real photo crop (sklearn's china.jpg) as ``[size, size, 3]`` uint8 in [8, 247].

    No 0/255 pixels: solarize at level 0 (threshold 1) inverts pixels equal to the
    maximum (as PIL/torchvision do), so level-0 identity checks avoid them.
    """
    img = load_sample_images().images[0][150:278, 200:328].astype(np.float32)
    small = tf.image.resize(img[None], (size, size), antialias=True)[0].numpy()
    return np.clip(np.round(small), 8, 247).astype(np.uint8)


def batch_of(n, size=32):
    """``n`` identical copies of the photo crop."""
    return np.repeat(_photo(size)[None], n, axis=0)


def n_unique_rows(x):
    return len(np.unique(np.asarray(x).reshape(len(x), -1), axis=0))


POLICIES = {
    "RandAugment": (lambda: tfaug.RandAugment(num_ops=1, seed=0), "ops"),
    "TrivialAugment": (lambda: tfaug.TrivialAugment(seed=0), "ops"),
    "AutoAugment": (lambda: tfaug.AutoAugment("imagenet", seed=0), "subpolicy"),
    "AugMix": (lambda: tfaug.AugMix(num_chains=2, chain_depth=2, seed=0), "ops"),
}


# --------------------------------------------------------------- diversity
@pytest.mark.parametrize("name", sorted(POLICIES))
def test_identical_images_get_diverse_outcomes_in_one_batch(name):
    make, key = POLICIES[name]
    layer = make()
    x = batch_of(256)
    out = layer(x, training=True).numpy()
    assert out.dtype == np.uint8 and out.shape == x.shape
    assert n_unique_rows(out) >= 8, name
    # The choices themselves are per sample, not one per batch.
    drawn = layer.sample(256, SEED)[key].numpy()
    assert n_unique_rows(drawn.reshape(256, -1)) >= 8


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_batches_in_a_tf_data_pipeline_get_different_choices(name):
    make, key = POLICIES[name]
    layer = make()
    x = batch_of(32)
    ds = tf.data.Dataset.from_tensors(x).repeat(2).map(lambda b: layer(b, training=True))
    first, second = [o.numpy() for o in ds]
    assert not np.array_equal(first, second)
    assert n_unique_rows(first) >= 4 and n_unique_rows(second) >= 4
    # The layer's seed state advances per batch inside tf.data: new draws each time.
    draws = tf.data.Dataset.range(2).map(lambda _: layer.sample(32, layer.next_seed())[key])
    a, b = [d.numpy() for d in draws]
    assert not np.array_equal(a, b)
    # And two explicit seeds give different per-row choices.
    assert not np.array_equal(layer.sample(32, SEED)[key].numpy(),
                              layer.sample(32, OTHER_SEED)[key].numpy())


# --------------------------------------------------- ops only where drawn
def test_each_op_runs_only_on_the_rows_that_drew_it():
    layer = tfaug.RandAugment(num_ops=1, ops=["invert", "identity"], seed=0)
    x = batch_of(64, 16)
    ops = layer.sample(64, SEED)["ops"].numpy()[:, 0]
    out = layer(x, training=True, seed=SEED).numpy()
    inverted = (out == 255 - x).all(axis=(1, 2, 3))
    same = (out == x).all(axis=(1, 2, 3))
    assert (inverted | same).all()
    np.testing.assert_array_equal(inverted, ops == 0)
    assert 10 < inverted.sum() < 54


def test_two_steps_compose_per_row():
    layer = tfaug.RandAugment(num_ops=2, ops=["invert", "identity"], seed=0)
    x = batch_of(64, 16)
    ops = layer.sample(64, SEED)["ops"].numpy()
    out = layer(x, training=True, seed=SEED).numpy()
    odd = (ops == 0).sum(axis=1) % 2 == 1
    np.testing.assert_array_equal(out[odd], 255 - x[odd])
    np.testing.assert_array_equal(out[~odd], x[~odd])
    assert odd.any() and (~odd).any()


def test_identity_rows_of_the_full_op_set_are_untouched():
    layer = tfaug.RandAugment(num_ops=1, magnitude=20, seed=0)
    x = batch_of(128)
    ops = layer.sample(128, SEED)["ops"].numpy()[:, 0]
    out = layer(x, training=True, seed=SEED).numpy()
    ident = ops == randaugment.RANDAUGMENT_OPS.index("identity")
    assert ident.any()
    np.testing.assert_array_equal(out[ident], x[ident])
    changed = ~(out == x).all(axis=(1, 2, 3))
    assert changed[~ident].mean() > 0.9  # magnitude 20/30 changes (nearly) every other row


@pytest.mark.parametrize("make", [
    lambda: tfaug.RandAugment(num_ops=1, ops=["invert"], probability=0.5, seed=0),
    lambda: tfaug.TrivialAugment(probability=0.5, seed=0),
    lambda: tfaug.AutoAugment("svhn", probability=0.5, seed=0),
    lambda: tfaug.AugMix(num_chains=2, chain_depth=2, probability=0.5, seed=0),
], ids=["RandAugment", "TrivialAugment", "AutoAugment", "AugMix"])
def test_rows_rejected_by_probability_are_untouched(make):
    layer = make()
    x = batch_of(64)
    gate = layer.sample(64, SEED)["gate"].numpy()
    out = layer(x, training=True, seed=SEED).numpy()
    assert 10 < gate.sum() < 54
    np.testing.assert_array_equal(out[~gate], x[~gate])
    assert (~(out[gate] == x[gate]).all(axis=(1, 2, 3))).mean() > 0.5


# --------------------------------------------------------- magnitude, strength
def test_randaugment_magnitude_zero_is_identity_for_ops_with_a_level():
    x = batch_of(64)
    strong = tfaug.RandAugment(num_ops=2, magnitude=9, ops=RA_LEVEL_OPS, seed=0)
    assert (~(strong(x, training=True, seed=SEED).numpy() == x).all(axis=(1, 2, 3))).all()
    layer = tfaug.RandAugment(num_ops=2, magnitude=0, ops=RA_LEVEL_OPS, seed=0)
    np.testing.assert_array_equal(layer(x, training=True, seed=SEED).numpy(), x)
    np.testing.assert_allclose(layer(x.astype(np.float32), training=True).numpy(), x,
                               atol=1e-3)


# The four policies with the two arguments that reach them by default.
STRENGTH_POLICIES = {
    "RandAugment": lambda **kw: tfaug.RandAugment(num_ops=2, magnitude=9, seed=0, **kw),
    "TrivialAugment": lambda **kw: tfaug.TrivialAugment(seed=0, **kw),
    "AutoAugment": lambda **kw: tfaug.AutoAugment("imagenet", seed=0, **kw),
    "AugMix": lambda **kw: tfaug.AugMix(num_chains=2, chain_depth=2, seed=0, **kw),
}


def _full_range_batch(n, size=32):
    """The photo with its darkest and brightest pixels set to 0 and 255 (the
    extremes that solarize/autocontrast/invert treat specially)."""
    x = batch_of(n, size).copy()
    x[:, 0, 0], x[:, -1, -1] = 0, 255
    return x


@pytest.mark.parametrize("name", sorted(STRENGTH_POLICIES))
def test_strength_zero_is_the_identity(name):
    make = STRENGTH_POLICIES[name]
    x = _full_range_batch(64)
    layer = make(strength=0.0)
    np.testing.assert_array_equal(layer(x, training=True, seed=SEED).numpy(), x)
    xf = x.astype(np.float32)
    out = layer(xf, training=True, seed=SEED).numpy()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, xf, atol=1e-4 * 255)
    # set_strength(0) on a default layer: the same.
    layer = make()
    assert not np.array_equal(layer(x, training=True, seed=SEED).numpy(), x)
    layer.set_strength(0)
    np.testing.assert_array_equal(layer(x, training=True, seed=SEED).numpy(), x)


@pytest.mark.parametrize("name", sorted(STRENGTH_POLICIES))
def test_strength_one_is_the_default(name):
    make = STRENGTH_POLICIES[name]
    x = _full_range_batch(32)
    default = make()
    assert default.get_strength() == 1.0
    expected = default(x, training=True, seed=SEED).numpy()
    assert not np.array_equal(expected, x)
    np.testing.assert_array_equal(make(strength=1.0)(x, training=True, seed=SEED).numpy(),
                                  expected)
    back = make(strength=0.0)
    back.set_strength(1.0)
    np.testing.assert_array_equal(back(x, training=True, seed=SEED).numpy(), expected)
    xf = x.astype(np.float32)
    np.testing.assert_allclose(make(strength=1.0)(xf, training=True, seed=SEED).numpy(),
                               default(xf, training=True, seed=SEED).numpy(), atol=1e-4)


@pytest.mark.parametrize("name", ["RandAugment", "TrivialAugment"])
def test_strength_scales_levels_and_gates_level_free_ops(name):
    # At strength s every drawn level is multiplied by s and an op without a level
    # runs where its uniform draw "keep" is below s: the policy's output is the op
    # table's at those levels, from float32 rounded once to uint8 at the end (up to
    # float rounding: a compiled op may differ by an ulp, which can move a pixel by
    # one level, or across solarize's threshold when it sits exactly on it).
    layer = STRENGTH_POLICIES[name](strength=0.5)
    names = list(layer._names if name == "RandAugment" else randaugment.TRIVIALAUGMENT_OPS)
    space = policy_ops.RANDAUGMENT if name == "RandAugment" else policy_ops.WIDE
    x = batch_of(128)
    p = {k: v.numpy() for k, v in layer.sample(128, SEED).items()}
    drawn = np.array(names)[p["ops"]]
    free = np.isin(drawn, ["autocontrast", "equalize", "invert"])
    dropped = free & (p["keep"] >= 0.5)
    assert dropped.any() and (free & ~dropped).any()
    op_ids = np.where(dropped | (drawn == "identity"), -1, p["ops"]).astype(np.int32)

    def reference(scale):
        data = {"images": tf.constant(x, tf.float32) / 255.0}
        for k in range(op_ids.shape[1]):
            data = policy_ops.apply_ops(data, names, tf.constant(op_ids[:, k]),
                                        tf.constant(p["level"][:, k] * scale),
                                        tf.constant(p["sign"][:, k]), space)
        return np.clip(np.round(data["images"].numpy() * 255.0), 0, 255).astype(int)

    out = layer(x, training=True, seed=SEED).numpy().astype(int)
    assert (np.abs(out - reference(0.5)).max(axis=(1, 2, 3)) <= 1).mean() > 0.95
    assert (np.abs(out - reference(0.5)) > 1).mean() < 1e-3
    # ... and not the full levels (on the rows with an op that takes a level).
    leveled = ((op_ids >= 0) & ~free).any(axis=1)
    assert (np.abs(out - reference(1.0))[leveled] > 1).mean() > 0.1
    # Rows whose only op is a dropped level-free one are untouched.
    only_dropped = (dropped | (drawn == "identity")).all(axis=1)
    assert only_dropped.any()
    np.testing.assert_array_equal(out[only_dropped], x[only_dropped])


def test_strength_changes_without_retracing():
    layer = tfaug.RandAugment(num_ops=2, magnitude=9, seed=0)
    traces = []

    @tf.function
    def augment(images, seed):
        traces.append(1)
        return layer(images, training=True, seed=seed)

    x = batch_of(16)
    strong = augment(x, SEED).numpy()
    assert not np.array_equal(strong, x)
    layer.set_strength(0)
    np.testing.assert_array_equal(augment(x, SEED).numpy(), x)
    layer.set_strength(1)
    np.testing.assert_array_equal(augment(x, SEED).numpy(), strong)
    assert len(traces) == 1
    assert layer.get_strength() == 1.0 and layer.magnitude == 9


def test_strength_change_reaches_a_built_tf_data_pipeline():
    layer = tfaug.RandAugment(num_ops=2, magnitude=12, seed=0)
    x = batch_of(16)
    ds = tf.data.Dataset.from_tensors(x).repeat().map(lambda b: layer(b, training=True))
    options = tf.data.Options()
    options.autotune.enabled = False  # no prefetch: each batch is made when read
    options.experimental_optimization.inject_prefetch = False
    it = iter(ds.with_options(options))
    assert not np.array_equal(next(it).numpy(), x)
    layer.set_strength(0.0)
    np.testing.assert_array_equal(next(it).numpy(), x)
    layer.set_strength(2.0)  # above 1: levels past the configured magnitude
    assert not np.array_equal(next(it).numpy(), x)


def test_get_config_reports_the_current_strength_and_the_magnitude():
    layer = tfaug.RandAugment(magnitude=9, num_magnitude_bins=11, seed=0)
    layer.set_strength(0.25)
    config = layer.get_config()
    assert config["strength"] == 0.25 and config["magnitude"] == 9
    clone = tfaug.deserialize(tfaug.serialize(layer))
    assert clone.get_strength() == 0.25 and clone.magnitude == 9
    assert clone.num_magnitude_bins == 11


@pytest.mark.parametrize("kwargs", [dict(magnitude=31), dict(magnitude=-1),
                                    dict(magnitude=11, num_magnitude_bins=11)])
def test_randaugment_magnitude_out_of_range_raises(kwargs):
    with pytest.raises(ValueError, match="`magnitude`"):
        tfaug.RandAugment(**kwargs)


@pytest.mark.parametrize("name", sorted(STRENGTH_POLICIES))
def test_bad_strength_raises_and_keeps_the_value(name):
    make = STRENGTH_POLICIES[name]
    with pytest.raises(ValueError, match="`strength`"):
        make(strength=-1.0)
    layer = make(strength=0.5)
    for bad in (-0.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="`strength`"):
            layer.set_strength(bad)
    assert layer.get_strength() == 0.5
    layer.set_strength(3.0)  # no upper bound
    assert layer.get_strength() == 3.0


def test_set_strength_on_a_composition_reaches_the_policies_it_holds():
    ra, ta = tfaug.RandAugment(seed=1), tfaug.TrivialAugment(seed=2)
    flip = tfaug.image.RandomFlip(seed=3)
    seq = tfaug.Sequence([flip, tfaug.OneOf([ra, ta], seed=4)], seed=5)
    x = _full_range_batch(32)
    assert not np.array_equal(seq(x, training=True, seed=SEED).numpy(), x)
    seq.set_strength(0.5)
    assert [l.get_strength() for l in (seq, flip, ra, ta)] == [0.5] * 4
    seq.set_strength(0.0)
    assert [l.get_strength() for l in (seq, flip, ra, ta)] == [0.0] * 4
    np.testing.assert_array_equal(seq(x, training=True, seed=SEED).numpy(), x)
    # A strength given at construction is forwarded too.
    aa = tfaug.AutoAugment("svhn", seed=6)
    cc = tfaug.ClassConditional(default=aa, per_class={1: None}, seed=7, strength=0.25)
    assert (cc.get_strength(), aa.get_strength()) == (0.25, 0.25)


def test_shipped_policy_set_strength_reaches_every_leaf():
    def leaves(layer):
        kids = layer.children()
        return [layer] if not kids else [l for k in kids for l in leaves(k)]

    for name in ("light_image", "randaugment_default"):
        layer = tfaug.policies.load(name)
        layer.set_strength(0.5)
        assert leaves(layer) and all(l.get_strength() == 0.5 for l in leaves(layer)), name
        assert layer.get_strength() == 0.5
        x = _full_range_batch(8)
        assert not np.array_equal(layer(x, training=True, seed=SEED).numpy(), x), name
        layer.set_strength(0.0)
        np.testing.assert_array_equal(layer(x, training=True, seed=SEED).numpy(), x)


@pytest.mark.parametrize("kwargs,arg", [
    (dict(num_ops=-1), "num_ops"), (dict(num_ops=17), "num_ops"),
    (dict(factor=1.1), "factor"), (dict(factor=(0.2, float("inf"))), "factor"),
    (dict(magnitude_stddev=2.0), "magnitude_stddev"), (dict(ops=["rotate", "blur"]), "ops"), (dict(ops=[]), "ops"),
    (dict(magnitude_stddev=-1.0), "magnitude_stddev"), (dict(num_magnitude_bins=1),
                                                        "num_magnitude_bins"),
    (dict(interpolation="cubic"), "interpolation"), (dict(probability=1.5), "probability"),
])
def test_randaugment_bad_arguments_raise(kwargs, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        tfaug.RandAugment(**kwargs)


def test_augmix_severity_sets_the_levels():
    # severity is the paper's number (no variable); strength is what schedules move.
    layer = tfaug.AugMix(severity=7, seed=0)
    assert layer.severity == 7
    config = layer.get_config()
    assert config["severity"] == 7 and "magnitude" not in config
    assert config["strength"] == 1.0
    level = layer.sample(256, SEED)["level"].numpy()
    assert level.min() >= 0.07 - 1e-6 and level.max() <= 0.7 + 1e-6  # [0.1, 1] * 7 / 10
    zero = tfaug.AugMix(severity=0, seed=0)
    assert (zero.sample(8, SEED)["level"].numpy() == 0).all()


def test_augmix_strength_blends_toward_the_image():
    x = batch_of(32).astype(np.float32)
    small = dict(num_chains=2, chain_depth=1, seed=0)
    full = tfaug.AugMix(**small)(x, training=True, seed=SEED).numpy()
    half = tfaug.AugMix(**small, strength=0.5)(
        x, training=True, seed=SEED).numpy()
    np.testing.assert_allclose(half, x + 0.5 * (full - x), atol=1e-3)


def _level_rows(names, op_ids):
    """Rows whose every applied op (id >= 0) takes a level."""
    ok = np.ones(op_ids.shape[0], bool)
    for j in range(op_ids.shape[1]):
        ids = op_ids[:, j]
        no_level = np.array([i >= 0 and names[i] in policy_ops.NO_LEVEL for i in ids])
        ok &= ~no_level
    return ok


@pytest.mark.parametrize("policy", ["cifar10", "svhn"])
def test_autoaugment_strength_zero_keeps_every_row(policy):
    # Strength 0 zeroes every level and (a change on purpose: the old magnitude
    # scale left them on) also skips the level-free ops (autocontrast, equalize,
    # invert), so rows that drew them are untouched too.
    layer = tfaug.AutoAugment(policy, strength=0.0, seed=0)
    x = batch_of(128)
    p = layer.sample(128, SEED)
    table = np.array([[autoaugment.AUTOAUGMENT_OPS.index(op) for op, _, _ in sub]
                      for sub in autoaugment.POLICIES[policy]])
    op_ids = np.where(p["applies"].numpy(), table[p["subpolicy"].numpy()], -1)
    out = layer(x, training=True, seed=SEED).numpy()
    keep = _level_rows(autoaugment.AUTOAUGMENT_OPS, op_ids)
    assert keep.sum() > 20 and (~keep).sum() > 5
    np.testing.assert_array_equal(out, x)
    layer.set_strength(1.0)
    full = layer(x, training=True, seed=SEED).numpy()
    assert not np.array_equal(full[keep], x[keep])
    assert not np.array_equal(full[~keep], x[~keep])


def test_magnitude_stddev_draws_levels_per_op_and_sample():
    layer = tfaug.RandAugment(num_ops=2, magnitude=15, magnitude_stddev=4.0, seed=0)
    level = layer.sample(256, SEED)["level"].numpy()
    assert level.shape == (256, 2)
    assert len(np.unique(level)) > 200
    assert (level >= 0).all() and (level <= 1).all()
    assert (level[:, 0] != level[:, 1]).mean() > 0.95  # each op its own level
    assert abs(level.mean() - 0.5) < 0.05
    for m, bound in ((30, 1.0), (0, 0.0)):  # clipped to the bins
        lv = tfaug.RandAugment(num_ops=2, magnitude=m, magnitude_stddev=4.0,
                               seed=0).sample(256, SEED)["level"].numpy()
        assert (lv >= 0).all() and (lv <= 1).all() and (lv == bound).mean() > 0.3
    fixed = tfaug.RandAugment(num_ops=2, magnitude=15, seed=0).sample(64, SEED)["level"]
    np.testing.assert_allclose(fixed.numpy(), 0.5)


# ------------------------------------------------------------ AutoAugment
@pytest.mark.parametrize("policy", sorted(autoaugment.POLICIES))
def test_autoaugment_published_tables_are_well_formed(policy):
    subs = autoaugment.POLICIES[policy]
    assert len(subs) == 25
    for sub in subs:
        assert len(sub) == 2
        for op, prob, level in sub:
            assert op in policy_ops.OPS and op != "identity", op
            assert 0.0 <= prob <= 1.0
            if op in policy_ops.NO_LEVEL:
                assert level is None, (op, level)
            else:
                assert isinstance(level, int) and 0 <= level <= 9, (op, level)


@pytest.mark.parametrize("policy", sorted(autoaugment.POLICIES))
def test_autoaugment_draws_subpolicies_uniformly_and_honours_probabilities(policy):
    n = 8000
    layer = tfaug.AutoAugment(policy, seed=0)
    p = layer.sample(n, SEED)
    sub = p["subpolicy"].numpy()
    applies = p["applies"].numpy()
    assert sub.shape == (n,) and applies.shape == (n, 2)
    counts = np.bincount(sub, minlength=25)
    assert len(counts) == 25 and counts.min() > 0
    chi2 = ((counts - n / 25) ** 2 / (n / 25)).sum()
    assert chi2 < 60, chi2  # 24 dof: p < 1e-4 beyond ~55
    probs = np.array([[prob for _, prob, _ in s] for s in autoaugment.POLICIES[policy]])
    for s in range(25):
        rows = sub == s
        for j in range(2):
            rate = applies[rows, j].mean()
            if probs[s, j] == 0.0:
                assert not applies[rows, j].any(), (s, j)
            elif probs[s, j] == 1.0:
                assert applies[rows, j].all(), (s, j)
            else:
                assert abs(rate - probs[s, j]) < 0.15, (s, j, rate, probs[s, j])


def test_autoaugment_rows_with_no_applied_op_are_untouched():
    layer = tfaug.AutoAugment("cifar10", seed=0)
    x = batch_of(128)
    p = layer.sample(128, SEED)
    out = layer(x, training=True, seed=SEED).numpy()
    none = ~p["applies"].numpy().any(axis=1)
    assert none.sum() > 10
    np.testing.assert_array_equal(out[none], x[none])


def test_autoaugment_bad_arguments_raise():
    with pytest.raises(ValueError, match="`policy`"):
        tfaug.AutoAugment("mnist")
    with pytest.raises(ValueError, match="`strength`"):
        tfaug.AutoAugment(strength=-0.5)
    with pytest.raises((TypeError, ValueError), match="magnitude"):  # removed: `strength`
        tfaug.AutoAugment(magnitude=0.5)


# ----------------------------------------------------------------- AugMix
@pytest.mark.parametrize("value_range", [(0, 1), (-1, 1)])
def test_augmix_output_stays_in_the_value_range(value_range):
    lo, hi = value_range
    x = batch_of(32).astype(np.float32) / 255.0 * (hi - lo) + lo
    layer = tfaug.AugMix(num_chains=2, chain_depth=2, severity=10, value_range=value_range,
                         seed=0)
    out = layer(x, training=True).numpy()
    assert out.dtype == np.float32
    assert out.min() >= lo - 1e-6 and out.max() <= hi + 1e-6
    assert n_unique_rows(out) == 32


def test_augmix_labels_pass_through():
    layer = tfaug.AugMix(num_chains=1, chain_depth=1, seed=0)
    labels = np.arange(16, dtype=np.int32)
    out = layer({"images": batch_of(16), "labels": labels}, training=True)
    np.testing.assert_array_equal(out["labels"].numpy(), labels)


def test_augmix_mixing_weights_are_per_sample():
    layer = tfaug.AugMix(num_chains=4, alpha=0.7, seed=0)
    p = layer.sample(512, SEED)
    w, skip = p["weights"].numpy(), p["skip"].numpy()
    assert w.shape == (512, 4) and skip.shape == (512,)
    assert (w >= 0).all()
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-5)
    assert n_unique_rows(w) == 512
    assert (skip >= 0).all() and (skip <= 1).all() and len(np.unique(skip)) > 500
    assert abs(skip.mean() - 0.5) < 0.06  # Beta(a, a) is symmetric


@pytest.mark.parametrize("depth,allowed", [(3, {1, 2, 3}), (1, {1}), (2, {1, 2})])
def test_augmix_chain_depths(depth, allowed):
    width = 3
    layer = tfaug.AugMix(num_chains=width, chain_depth=depth, all_ops=False, seed=0)
    ops = layer.sample(300, SEED)["ops"].numpy()
    assert ops.shape == (300, width * depth)
    assert ops.max() < len(tfaug.policies.augmix.AUGMIX_OPS)
    active = (ops >= 0).reshape(300, width, depth)
    counts = active.sum(axis=2)
    assert set(np.unique(counts)) == allowed
    # Active steps come first in each chain.
    assert (active[..., 1:] <= active[..., :-1]).all()


def test_augmix_rejects_masks_and_boxes():
    layer = tfaug.AugMix(seed=0)
    x = batch_of(2, 16)
    with pytest.raises(ValueError, match="masks"):
        layer({"images": x, "masks": np.zeros([2, 16, 16, 1], np.int32)}, training=True)
    with pytest.raises(ValueError, match="boxes"):
        layer({"images": x, "boxes": np.zeros([2, 1, 4], np.float32)}, training=True)


@pytest.mark.parametrize("kwargs,arg", [
    (dict(alpha=0.0), "alpha"), (dict(alpha=-1.0), "alpha"), (dict(num_chains=0), "num_chains"),
    (dict(chain_depth=9), "chain_depth"), (dict(chain_depth=0), "chain_depth"),
    (dict(factor=1.5), "factor"), (dict(factor=float("nan")), "factor"),
    (dict(severity=11), "severity"),
    (dict(severity=-1), "severity"), (dict(all_ops="yes"), "all_ops"),
])
def test_augmix_bad_arguments_raise(kwargs, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        tfaug.AugMix(**kwargs)


# ------------------------------------------------ Keras' RandAugment / AugMix
def test_randaugment_takes_keras_arguments_in_keras_order():
    layer = tfaug.RandAugment((0, 1), 3, 0.4, "nearest", 7, "channels_last")
    assert (layer.value_range, layer.num_ops, layer.factor) == ([0.0, 1.0], 3, 0.4)
    assert (layer.interpolation, layer.seed, layer.data_format) == ("nearest", 7,
                                                                    "channels_last")
    assert layer.magnitude is None
    clone = tfaug.RandAugment.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


def test_randaugment_factor_draws_levels_as_keras_reads_it():
    # A number f: levels uniform in [0, f]; a pair: in [lower, upper].
    level = tfaug.RandAugment(factor=0.4, seed=0).sample(2000, SEED)["level"].numpy()
    assert level.min() >= 0.0 and level.max() <= 0.4 and level.max() > 0.39
    assert abs(level.mean() - 0.2) < 0.01
    level = tfaug.RandAugment(factor=(0.6, 0.2), seed=0).sample(2000, SEED)["level"].numpy()
    assert level.min() >= 0.2 and level.max() <= 0.6
    # The paper's magnitude replaces the factor: one fixed level.
    level = tfaug.RandAugment(magnitude=9, seed=0).sample(50, SEED)["level"].numpy()
    np.testing.assert_allclose(level, 0.3, rtol=1e-6)


def test_randaugment_zero_ops_is_the_identity():
    x = batch_of(3, 16)
    out = tfaug.RandAugment(num_ops=0, seed=0)(x, training=True, seed=SEED)
    np.testing.assert_array_equal(out, x)


def test_augmix_takes_keras_arguments():
    layer = tfaug.AugMix((0, 1), 2, 2, 1.0, 0.5, False, "nearest", 3, "channels_last")
    assert (layer.num_chains, layer.chain_depth, layer.factor, layer.alpha) == (2, 2, 1.0, 0.5)
    level = layer.sample(500, SEED)["level"].numpy()
    assert level.min() >= 0.1 - 1e-6 and level.max() <= 1.0  # [0.1 f, f]
    paper = tfaug.AugMix(severity=3, seed=0).sample(500, SEED)["level"].numpy()
    keras_default = tfaug.AugMix(seed=0).sample(500, SEED)["level"].numpy()
    np.testing.assert_allclose(paper, keras_default, rtol=1e-6)  # severity 3 == factor 0.3
