"""MixUp and CutMix: label weights equal the mixed pixel fractions, gates, targets,
and the Beta sampler they draw from."""

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug.core import seeds
from tfaug.image import CutMix, MixUp
from tfaug.image import ops

SEED = tf.constant([21, 4], tf.int64)
B = 8


def _images(b=B, h=16, w=16):
    return tf.random.stateless_uniform([b, h, w, 3], [9, 9])


def _distinct_flat(b=B, h=16, w=16):
    """Row i is the constant (i + 1) / (b + 1): every pixel names its source row."""
    vals = (np.arange(b, dtype=np.float32) + 1) / (b + 1)
    return tf.constant(np.broadcast_to(vals[:, None, None, None], (b, h, w, 3)).copy())


def _onehot(b=B):
    return tf.one_hot(np.arange(b), b)


def _source_rows(out, b=B):
    """Row index each pixel of ``out`` came from (for :func:`_distinct_flat`)."""
    return np.rint(np.asarray(out)[..., 0] * (b + 1)).astype(int) - 1


# ------------------------------------------------------------------ MixUp
def test_mixup_image_is_the_label_weighted_blend():
    x = _images()
    layer = MixUp(alpha=1.0, value_range=(0, 1), seed=0)
    out = layer({"images": x, "labels": _onehot()}, training=True, seed=SEED)
    labels, images = out["labels"].numpy(), out["images"].numpy()
    assert out["labels"].dtype == tf.float32
    np.testing.assert_allclose(labels.sum(axis=1), 1.0, atol=1e-6)
    mixed = 0
    for i in range(B):
        lam = labels[i, i]
        others = np.delete(np.arange(B), i)
        j = others[np.argmax(labels[i, others])]
        if labels[i, j] == 0:  # the permutation kept row i on itself
            np.testing.assert_allclose(images[i], x[i], atol=1e-6)
            continue
        mixed += 1
        np.testing.assert_allclose(lam + labels[i, j], 1.0, atol=1e-6)
        np.testing.assert_allclose(images[i], lam * x[i] + (1 - lam) * x[j], atol=1e-5)
    assert mixed >= B // 2


def test_mixup_lambda_distribution_and_partners_are_a_permutation():
    layer = MixUp(alpha=0.2, seed=0)
    params = layer.sample(20000, SEED)
    lam = params["lam"].numpy()
    assert lam.min() >= 0 and lam.max() <= 1 and abs(lam.mean() - 0.5) < 0.02
    # Beta(0.2, 0.2) is U-shaped: most mass near 0 and 1.
    assert np.mean((lam < 0.1) | (lam > 0.9)) > 0.55
    perm = ops.partners(params["keys"]).numpy()
    assert sorted(perm) == list(range(20000))


def test_integer_labels_are_one_hot_encoded():
    layer = MixUp(alpha=1.0, num_classes=5, value_range=(0, 1), seed=0)
    data = {"images": _images(), "labels": tf.constant([0, 1, 2, 3, 4, 0, 1, 2])}
    out = layer(data, training=True, seed=SEED)
    ref = layer({"images": data["images"], "labels": tf.one_hot(data["labels"], 5)},
                training=True, seed=SEED)
    np.testing.assert_allclose(out["labels"], ref["labels"], atol=1e-7)
    col = layer({"images": data["images"], "labels": data["labels"][:, None]},
                training=True, seed=SEED)
    np.testing.assert_allclose(col["labels"], ref["labels"], atol=1e-7)


@pytest.mark.parametrize("cls", [MixUp, CutMix])
def test_integer_labels_without_num_classes_raise(cls):
    with pytest.raises(ValueError, match="num_classes"):
        cls(seed=0)({"images": _images(), "labels": tf.range(B)}, training=True)


@pytest.mark.parametrize("cls", [MixUp, CutMix])
def test_gated_off_rows_are_untouched(cls):
    layer = cls(probability=0.5, value_range=(0, 1), seed=0)
    n = 64
    data = {"images": _distinct_flat(n), "labels": _onehot(n),
            "masks": tf.reshape(tf.range(n), [n, 1, 1, 1]) * tf.ones([n, 16, 16, 1], tf.int32)}
    params = layer.sample(n, SEED)
    out = layer.apply(data, params)
    gate = params["gate"].numpy()
    assert 15 < gate.sum() < 49
    for key in ("images", "labels", "masks"):
        np.testing.assert_array_equal(out[key].numpy()[~gate], data[key].numpy()[~gate])
    changed = np.any(out["images"].numpy() != data["images"].numpy(), axis=(1, 2, 3))
    assert changed[gate].mean() > 0.7


def test_mixup_keeps_masks_and_boxes():
    data = {"images": _images(), "labels": _onehot(),
            "masks": tf.random.stateless_uniform([B, 16, 16, 1], [1, 1], 0, 3, tf.int32),
            "boxes": tf.random.stateless_uniform([B, 3, 4], [2, 2], 0, 16)}
    out = MixUp(seed=0)(data, training=True, seed=SEED)
    np.testing.assert_array_equal(out["masks"], data["masks"])
    np.testing.assert_array_equal(out["boxes"], data["boxes"])


# ----------------------------------------------------------------- CutMix
def test_cutmix_label_weight_is_the_pasted_pixel_fraction():
    n = 64
    layer = CutMix((1.0, 1.0), value_range=(0, 1), seed=0)
    out = layer({"images": _distinct_flat(n, 12, 20), "labels": _onehot(n)}, training=True,
                seed=SEED)
    src = _source_rows(out["images"], n)
    labels = out["labels"].numpy()
    lams = layer.sample(n, SEED)["lam"].numpy()
    clipped = 0
    for i in range(n):
        np.testing.assert_allclose(labels[i, i], np.mean(src[i] == i), atol=1e-6)
        others = src[i][src[i] != i]
        if others.size:
            j = others[0]
            assert np.all(others == j)  # one partner
            np.testing.assert_allclose(labels[i, j], others.size / src[i].size, atol=1e-6)
            patch = src[i] == j
            ys, xs = np.nonzero(patch)
            assert patch[ys.min():ys.max() + 1, xs.min():xs.max() + 1].all()
            clipped += others.size / src[i].size < (1 - lams[i]) - 0.1
        np.testing.assert_allclose(labels[i].sum(), 1.0, atol=1e-6)
    assert clipped > 0  # some rectangles were clipped; weights followed the pixels


def test_cutmix_masks_follow_pixels_and_covered_boxes_are_flagged():
    n = 16
    layer = CutMix((1.0, 1.0), value_range=(0, 1), seed=0)
    masks = tf.reshape(tf.range(n), [n, 1, 1]) * tf.ones([n, 16, 16], tf.int32)
    boxes = tf.constant([[[2.0, 2.0, 3.0, 3.0], [0.0, 0.0, 16.0, 16.0]]] * n)
    out = layer({"images": _distinct_flat(n), "labels": _onehot(n), "masks": masks,
                 "boxes": boxes}, training=True, seed=SEED)
    src = _source_rows(out["images"], n)
    np.testing.assert_array_equal(out["masks"].numpy(), src)
    flagged = np.all(out["boxes"].numpy() == -1, axis=-1)
    covered = src[:, 2, 2] != np.arange(n)  # the 1x1 box is pixel (2, 2)
    np.testing.assert_array_equal(flagged[:, 0], covered)
    assert covered.any() and not covered.all()
    assert not flagged[:, 1].any()  # never entirely covered
    np.testing.assert_array_equal(out["boxes"].numpy()[~flagged], boxes.numpy()[~flagged])


def test_cutmix_boxes_op_clips_and_weights():
    box = ops.cutmix_boxes(10, 10, tf.constant([0.75, 0.75, 1.0]),
                           tf.constant([0.5, 0.0, 0.5]), tf.constant([0.5, 0.0, 0.5]))
    np.testing.assert_array_equal(np.stack([b.numpy() for b in box], 1),
                                  [[2, 2, 8, 8], [0, 0, 2, 2], [5, 5, 5, 5]])
    mixed, weight = ops.cutmix(_distinct_flat(3, 10, 10), tf.constant([1, 2, 0]), box)
    np.testing.assert_allclose(weight, [1 - 0.36, 1 - 0.04, 1.0], atol=1e-6)


# ------------------------------------------------- modes and compositions
@pytest.mark.parametrize("cls", [MixUp, CutMix])
def test_same_under_xla_and_on_subsets(cls):
    layer = cls(0.5, value_range=(0, 1), seed=0)
    data = {"images": _images(), "labels": _onehot()}
    eager = layer(data, training=True, seed=SEED)
    jit = tf.function(lambda d: layer(d, training=True, seed=SEED), jit_compile=True)(data)
    for key in ("images", "labels"):
        np.testing.assert_allclose(eager[key], jit[key], atol=1e-5)
    params = layer.sample(B, SEED)
    rows = tf.constant([5, 1, 6])
    part = layer.apply(tf.nest.map_structure(lambda t: tf.gather(t, rows), data),
                       tf.nest.map_structure(lambda t: tf.gather(t, rows), params))
    np.testing.assert_allclose(part["labels"].numpy().sum(1), 1.0, atol=1e-6)
    assert set(np.nonzero(part["labels"].numpy())[1]) <= {5, 1, 6}
    empty = layer.apply(tf.nest.map_structure(lambda t: t[:0], data),
                        tf.nest.map_structure(lambda t: t[:0], params))
    assert empty["images"].shape[0] == 0 and empty["labels"].shape == (0, B)


def test_mixing_inside_one_of():
    aug = tfaug.OneOf([MixUp(value_range=(0, 1)), CutMix(value_range=(0, 1))], seed=0)
    out = aug({"images": _images(), "labels": _onehot()}, training=True, seed=SEED)
    np.testing.assert_allclose(out["labels"].numpy().sum(1), 1.0, atol=1e-6)
    assert np.any(out["labels"].numpy() < 1) and out["images"].shape == (B, 16, 16, 3)


@pytest.mark.parametrize("cls, kwargs, name", [
    (MixUp, {"alpha": 0.0}, "alpha"), (MixUp, {"alpha": -1}, "alpha"),
    (MixUp, {"num_classes": 0}, "num_classes"), (CutMix, {"num_classes": 0}, "num_classes"),
    (CutMix, {"factor": 1.5}, "factor"), (CutMix, {"factor": (0.2, -0.1)}, "factor"),
    (CutMix, {"factor": float("nan")}, "factor"),
])
def test_rejects_bad_arguments(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        cls(**kwargs)


def test_keras_argument_order():
    # MixUp(alpha, data_format, seed), CutMix(factor, seed, data_format); extras keyword-only.
    mix = MixUp(0.3, "channels_last", 4)
    assert (mix.alpha, mix.data_format, mix.seed) == (0.3, "channels_last", 4)
    cut = CutMix(0.5, 4, "channels_last")
    assert (cut.factor, cut.seed, cut.data_format) == (0.5, 4, "channels_last")
    with pytest.raises(TypeError):
        MixUp(0.3, "channels_last", 4, 10)  # num_classes is keyword-only


def test_cutmix_draws_alpha_per_call_from_factor():
    # Keras: alpha ~ U(factor) per call (+1e-6), lam ~ Beta(alpha, alpha) per sample.
    # factor (0, 0): alpha = 1e-6, so lam is 0 or 1 (the patch is all or nothing).
    lam = CutMix((0.0, 0.0)).sample(64, SEED)["lam"].numpy()
    assert np.all((lam < 1e-3) | (lam > 1 - 1e-3))
    # factor (1, 1): alpha ~ 1, lam ~ U(0, 1).
    lam = CutMix((1.0, 1.0)).sample(2000, SEED)["lam"].numpy()
    assert abs(lam.mean() - 0.5) < 0.03 and abs(lam.std() - np.sqrt(1 / 12)) < 0.02
    # a range: different calls draw different alphas, so the spread differs.
    layer = CutMix((0.05, 1.0))
    spreads = {round(float(layer.sample(500, tf.constant([i, 1], tf.int64))["lam"].numpy()
                           .std()), 2) for i in range(6)}
    assert len(spreads) > 1


# ----------------------------------------------------------- beta sampler
@pytest.mark.parametrize("a, b", [(0.2, 0.2), (2.0, 6.0), (1.0, 1.0), (0.5, 3.0)])
def test_beta_mean_in_and_out_of_xla(a, b):
    expected = a / (a + b)
    draw = lambda s: seeds.beta([20000], s, a, b)  # noqa: E731
    for fn in (draw, tf.function(draw, jit_compile=True)):
        x = fn(SEED).numpy()
        assert np.all((x >= 0) & (x <= 1)) and np.all(np.isfinite(x))
        assert abs(x.mean() - expected) < 0.02, (fn, x.mean(), expected)
    g = tf.function(lambda s: seeds.gamma([20000], s, a), jit_compile=True)(SEED)
    assert abs(g.numpy().mean() - a) < 0.05 * max(a, 1.0)


def test_sample_beta_is_identical_in_and_out_of_xla():
    eager = ops.sample_beta(SEED, 20000, 0.2).numpy()
    jit = tf.function(lambda s: ops.sample_beta(s, 20000, 0.2), jit_compile=True)(SEED)
    np.testing.assert_allclose(eager, jit.numpy(), atol=1e-5)
    assert abs(eager.mean() - 0.5) < 0.02
