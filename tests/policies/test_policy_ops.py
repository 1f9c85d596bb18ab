"""Semantics of the policy op table (tfaug.policies.ops) at known levels.

Properties, not golden pixels: level 0 is the identity, each op's parameter at
a level follows the documented mapping (rotate 30 degrees, translate
``floor(150/331 * l * size)`` px, posterize 8 -> 4 bits, solarize threshold
``1 - l``, enhance factors ``1 +- 0.9 l``), masks/boxes follow geometric ops
and each row of a mixed batch gets exactly its own op.
"""

import math

import numpy as np
import pytest
import tensorflow as tf

from tfaug.image import ops as image_ops
from tfaug.policies import ops as policy_ops

RA = policy_ops.RANDAUGMENT
WIDE = policy_ops.WIDE
AUGMIX = policy_ops.AUGMIX
LEVEL_OPS = [n for n in policy_ops.OPS if n not in policy_ops.NO_LEVEL]


def textured(batch=4, size=16, channels=3, seed=0, low=8, high=247):
    """uint8 gradient + noise images in ``[low, high]`` (no 0/255 pixels)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.meshgrid(np.linspace(0, 1, size), np.linspace(0, 1, size), indexing="ij")
    base = np.stack([xx, yy, 1 - xx * yy][:channels], -1)[None]
    x = base * (high - low) + low + rng.normal(0, 20, (batch, size, size, channels))
    return np.clip(np.round(x), low, high).astype(np.uint8)


def all_levels(batch=2):
    """Float images in [0, 1] holding each of the 256 8-bit levels once per channel."""
    rng = np.random.default_rng(1)
    chans = [rng.permutation(256).reshape(16, 16) for _ in range(3 * batch)]
    x = np.stack(chans, -1).reshape(16, 16, batch, 3).transpose(2, 0, 1, 3)
    return x.astype(np.float32) / 255.0


def run(names, op_ids, images, level, sign, space=RA, extra=None, **kwargs):
    """apply_ops on a batch: one op id, level and sign per row.

    ``apply_ops`` works on the image layers' internal form (float32 in
    ``[0, 1]``); uint8 ``images`` are converted to it and the result rounded
    back to uint8 once at the end, as a policy layer does with uint8 inputs.
    """
    b = images.shape[0]
    is_uint8 = np.asarray(images).dtype == np.uint8
    unit = np.asarray(images, np.float32) / 255.0 if is_uint8 else images
    data = {"images": tf.convert_to_tensor(unit)}
    data.update(extra or {})
    out = policy_ops.apply_ops(
        data, names, tf.constant(np.broadcast_to(op_ids, [b]), tf.int32),
        tf.constant(np.broadcast_to(level, [b]), tf.float32),
        tf.constant(np.broadcast_to(sign, [b]), tf.bool), space, **kwargs)
    if is_uint8:
        out = dict(out, images=to_uint8(out["images"]))
    return out


def to_uint8(images):
    """float32 ``[0, 1]`` -> uint8, rounded once (the layers' restore)."""
    return tf.cast(tf.clip_by_value(tf.round(images * 255.0), 0.0, 255.0), tf.uint8)


# ------------------------------------------------------------------ level 0
@pytest.mark.parametrize("space", [RA, WIDE], ids=["randaugment", "wide"])
def test_level_zero_is_identity_for_every_op_with_a_level(space):
    x = textured(batch=4)
    signs = np.array([False, True, False, True])
    for name in LEVEL_OPS:
        out = run([name], 0, x, 0.0, signs, space)["images"].numpy()
        np.testing.assert_array_equal(out, x, err_msg=f"{name} at level 0 (uint8)")
        xf = x.astype(np.float32) / 255.0
        outf = run([name], 0, xf, 0.0, signs, space)["images"].numpy()
        np.testing.assert_allclose(outf, xf, atol=1e-5, err_msg=f"{name} at level 0 (float)")
        # Policies keep float32 between ops (no 8-bit rounding): off the 8-bit grid too.
        off = xf + np.float32(0.3 / 255.0)
        outo = run([name], 0, off, 0.0, signs, space)["images"].numpy()
        np.testing.assert_allclose(outo, off, atol=1e-5, err_msg=f"{name} at level 0 (off-grid)")


def test_ops_without_a_level_still_act_at_level_zero():
    x = textured(batch=2, size=32)  # equalize leaves images of <= 256 pixels alone (PIL)
    for name in ("autocontrast", "equalize", "invert"):
        out = run([name], 0, x, 0.0, False)["images"].numpy()
        assert not np.array_equal(out, x), name
    np.testing.assert_array_equal(run(["invert"], 0, x, 0.0, False)["images"].numpy(),
                                  255 - x)


def test_negative_op_id_and_identity_leave_rows_untouched():
    x = textured(batch=4)
    out = run(["invert", "identity"], np.array([-1, 1, 0, -1]), x, 1.0, False)
    out = out["images"].numpy()
    np.testing.assert_array_equal(out[[0, 1, 3]], x[[0, 1, 3]])
    np.testing.assert_array_equal(out[2], 255 - x[2])


# ---------------------------------------------------------------- geometric
def _angle_of(matrix, height, width):
    """Signed rotation angle (degrees) an output->input map applies to content."""
    m = np.asarray(matrix, np.float64)
    c = np.array([width / 2.0, height / 2.0, 1.0])
    p = c + np.array([5.0, 0.0, 0.0])
    q = m @ p
    np.testing.assert_allclose(m @ c, c, atol=1e-4)  # the centre stays put
    v = q[:2] - c[:2]
    return -math.degrees(math.atan2(v[1], v[0]))  # input offset of an output point


@pytest.mark.parametrize("space,max_deg", [(RA, 30.0), (WIDE, 135.0)],
                         ids=["randaugment", "wide"])
def test_rotate_angle_is_level_times_max(space, max_deg):
    levels = tf.constant([1.0, 1.0, 0.5, 0.0])
    signs = tf.constant([False, True, False, True])
    m = policy_ops.op_matrix("rotate", levels, signs, space, 24, 32).numpy()
    angles = [_angle_of(m[i], 24, 32) for i in range(4)]
    assert abs(abs(angles[0]) - max_deg) < 1e-3
    assert abs(angles[0] + angles[1]) < 1e-3  # the sign flips the direction
    assert abs(abs(angles[2]) - max_deg / 2) < 1e-3
    assert abs(angles[3]) < 1e-4
    # Same map as the shared rotation op at that angle (one sign or the other).
    ref = image_ops.rotation(tf.constant([math.radians(max_deg)] * 2), 24, 32).numpy()
    refn = image_ops.rotation(tf.constant([-math.radians(max_deg)] * 2), 24, 32).numpy()
    pos, neg = (ref, refn) if np.allclose(m[0], ref[0], atol=1e-5) else (refn, ref)
    np.testing.assert_allclose(m[0], pos[0], atol=1e-5)
    np.testing.assert_allclose(m[1], neg[1], atol=1e-5)


def test_rotate_of_a_quarter_turn_level_moves_pixels_exactly():
    # WIDE rotates up to 135 degrees: level 2/3 is exactly 90 degrees.
    x = textured(batch=2, size=16)
    out = run(["rotate"], 0, x, 2.0 / 3.0, np.array([False, True]), WIDE)["images"].numpy()
    turns = {k: np.rot90(x[0], k, axes=(0, 1)) for k in (1, 3)}
    assert any(np.array_equal(out[0], t) for t in turns.values())
    assert any(np.array_equal(out[1], np.rot90(x[1], k, axes=(0, 1))) for k in (1, 3))
    # Opposite signs turn opposite ways.
    k0 = 1 if np.array_equal(out[0], turns[1]) else 3
    np.testing.assert_array_equal(out[1], np.rot90(x[1], 4 - k0, axes=(0, 1)))


@pytest.mark.parametrize("name", ["shear_x", "shear_y"])
def test_shear_factor_is_level_times_max(name):
    levels = tf.constant([1.0, 0.5])
    m = policy_ops.op_matrix(name, levels, tf.constant([False, True]), RA, 16, 16).numpy()
    for i, f in enumerate([0.3, 0.15]):
        pair = [(f, 0.0), (-f, 0.0)] if name == "shear_x" else [(0.0, f), (0.0, -f)]
        refs = [image_ops.shear(tf.constant([a]), tf.constant([b]), 16, 16).numpy()[0]
                for a, b in pair]
        assert any(np.allclose(m[i], r, atol=1e-5) for r in refs), (name, i)
    assert not np.allclose(m[0], m[1])


def _shift_of(out, x, axis):
    """The whole-pixel shift d with out[interior] == x shifted by d along ``axis``."""
    n = x.shape[axis]
    for d in range(-n + 1, n):
        if d == 0:
            continue
        src = np.take(x, range(max(0, -d), n - max(0, d)), axis=axis)
        dst = np.take(out, range(max(0, d), n - max(0, -d)), axis=axis)
        if np.array_equal(src, dst):
            return d
    return None


@pytest.mark.parametrize("name,axis", [("translate_x", 2), ("translate_y", 1)])
@pytest.mark.parametrize("level", [1.0, 0.5, 0.3])
def test_translate_moves_content_by_whole_pixels(name, axis, level):
    size = 32
    x = textured(batch=2, size=size)
    out = run([name], 0, x, level, np.array([False, True]))["images"].numpy()
    expected = math.floor(level * 150.0 / 331.0 * size)
    d0, d1 = _shift_of(out[0], x[0], axis - 1), _shift_of(out[1], x[1], axis - 1)
    assert d0 is not None and abs(d0) == expected
    assert d1 == -d0
    # The uncovered strip is filled with fill_value (0).
    strip = np.take(out[0], range(0, d0) if d0 > 0 else range(size + d0, size), axis=axis - 1)
    assert (strip == 0).all()


def test_wide_translate_is_in_pixels_whatever_the_size():
    for size in (16, 32):
        x = textured(batch=1, size=size)
        out = run(["translate_x"], 0, x, 0.25, False, WIDE)["images"].numpy()
        assert abs(_shift_of(out[0], x[0], 1)) == 8  # 0.25 * 32 px


def test_masks_boxes_and_labels_follow_translate():
    size = 32
    x = textured(batch=2, size=size)
    masks = np.zeros([2, size, size, 1], np.int32)
    masks[:, 8:20, 6:14] = 1
    boxes = np.array([[[6.0, 8.0, 14.0, 20.0]]] * 2, np.float32)
    labels = tf.constant([3, 7])
    extra = {"masks": tf.constant(masks), "boxes": tf.constant(boxes), "labels": labels}
    out = run(["translate_x"], 0, x, 0.5, np.array([False, True]), extra=extra)
    d = [_shift_of(out["images"].numpy()[i], x[i], 1) for i in range(2)]
    assert abs(d[0]) == math.floor(0.5 * 150.0 / 331.0 * size) and d[1] == -d[0]
    assert out["masks"].dtype == tf.int32
    for i in range(2):
        moved = np.zeros_like(masks[i])
        if d[i] > 0:
            moved[:, d[i]:] = masks[i, :, :-d[i]]
        else:
            moved[:, :d[i]] = masks[i, :, -d[i]:]
        np.testing.assert_array_equal(out["masks"].numpy()[i], moved)
        # Boxes move by the same shift, clipped to the image.
        np.testing.assert_allclose(out["boxes"].numpy()[i, 0],
                                   np.clip(boxes[i, 0] + [d[i], 0, d[i], 0], 0, size),
                                   atol=1e-4)
    np.testing.assert_array_equal(out["labels"].numpy(), [3, 7])


@pytest.mark.parametrize("name", ["rotate", "shear_x", "shear_y"])
def test_masks_stay_integer_labels_under_geometric_ops(name):
    x = textured(batch=2, size=16)
    masks = np.zeros([2, 16, 16, 1], np.uint8)
    masks[:, 4:12, 3:9] = 2
    masks[:, 10:14, 10:15] = 5
    out = run([name], 0, x, 0.8, np.array([False, True]),
              extra={"masks": tf.constant(masks)})["masks"]
    assert out.dtype == tf.uint8
    assert set(np.unique(out.numpy())) <= {0, 2, 5}
    assert not np.array_equal(out.numpy(), masks)


# ------------------------------------------------------------------- colour
def test_posterize_bits_follow_the_level():
    x = all_levels()
    q = np.round(x * 255).astype(np.int64)
    for space, level, bits in [(RA, 0.0, 8), (RA, 1.0, 4), (RA, 0.5, 6), (WIDE, 0.0, 8),
                               (WIDE, 1.0, 2), (AUGMIX, 0.0, 4), (AUGMIX, 1.0, 1),
                               (RA, 5.0, 1)]:  # bits are clipped to [1, 8]
        out = policy_ops.color_op("posterize", tf.constant(x), tf.fill([2], level),
                                  tf.constant([False, True]), space).numpy()
        keep = (256 - (1 << (8 - bits))) & 0xFF
        np.testing.assert_array_equal(np.round(out * 255).astype(np.int64), q & keep,
                                      err_msg=f"{space} level {level}")
        assert len(np.unique(out)) == 2 ** bits


@pytest.mark.parametrize("level", [0.0, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5])
def test_solarize_threshold_is_one_minus_level(level):
    x = all_levels()
    out = policy_ops.color_op("solarize", tf.constant(x), tf.fill([2], level),
                              tf.constant([False, True]), RA).numpy()
    inverted = np.abs(out - (1.0 - x)) < 1e-6
    assert (inverted | (np.abs(out - x) < 1e-6)).all()  # each pixel kept or inverted
    q = np.round(x * 255).astype(int)
    # The inverted pixels are exactly the levels at or above one threshold ...
    first = q[inverted].min() if inverted.any() else 256
    assert (q[~inverted] < first).all()
    # ... at 1 - level of the range, up to a rounding level (PIL's 8-bit
    # threshold 256 - 256 l and the unit-range 255 (1 - l) differ by < 1 level).
    lo = 255.0 * (1.0 - level) - 1.0
    hi = 256.0 * (1.0 - level) + 1.0
    assert max(lo, 0.0) <= first <= min(max(hi, 0.0), 256.0), first
    assert (level > 0) or first >= 255  # level 0 inverts at most the maximum level


@pytest.mark.parametrize("space,delta", [(RA, 0.9), (WIDE, 0.99)], ids=["ra", "wide"])
@pytest.mark.parametrize("level", [1.0, 0.5])
def test_brightness_factor_is_one_plus_minus_delta_level(space, delta, level):
    x = all_levels()
    out = policy_ops.color_op("brightness", tf.constant(x), tf.fill([2], level),
                              tf.constant([False, True]), space).numpy()
    up = np.clip(x * (1 + delta * level), 0, 1)
    down = np.clip(x * (1 - delta * level), 0, 1)
    # The two signs give the two factors, one each.
    if np.allclose(out[0], up[0], atol=1e-5):
        np.testing.assert_allclose(out[1], down[1], atol=1e-5)
    else:
        np.testing.assert_allclose(out[0], down[0], atol=1e-5)
        np.testing.assert_allclose(out[1], up[1], atol=1e-5)


def test_enhance_factors_are_clipped_at_zero():
    # A level above 1 (strength > 1) pushes 1 - 0.9 l below 0: factor 0.
    x = all_levels()
    lv, sg = tf.fill([2], 2.0), tf.constant([True, False])
    flips = [policy_ops.color_op("brightness", tf.constant(x), lv, s, RA).numpy()
             for s in (sg, tf.logical_not(sg))]
    dark = [f for f in flips if np.all(f[0] == 0)]
    assert dark, "factor 0 must give black images"
    gray = [policy_ops.color_op("color", tf.constant(x), lv, s, RA).numpy()
            for s in (sg, tf.logical_not(sg))]
    assert any(np.allclose(g[0, ..., 0], g[0, ..., 1], atol=1e-5)
               and np.allclose(g[0, ..., 1], g[0, ..., 2], atol=1e-5) for g in gray)
    flat = [policy_ops.color_op("contrast", tf.constant(x), lv, s, RA).numpy()
            for s in (sg, tf.logical_not(sg))]
    assert any(np.ptp(f[0]) < 1e-5 for f in flat)


def test_unknown_op_names_raise():
    with pytest.raises(ValueError, match="blur"):
        policy_ops.color_op("blur", tf.zeros([1, 4, 4, 3]), tf.zeros([1]),
                            tf.zeros([1], tf.bool), RA)
    with pytest.raises(ValueError, match="invert"):
        policy_ops.op_matrix("invert", tf.zeros([1]), tf.zeros([1], tf.bool), RA, 4, 4)
    for bad in ([], ["rotate", "bogus"], ["rotate", "rotate"], "rotate"):
        with pytest.raises(ValueError, match="`ops`"):
            policy_ops.check_ops("ops", bad)


# ---------------------------------------------------------- mixed batches
def test_each_row_gets_exactly_its_own_op():
    names = ["rotate", "invert", "posterize", "translate_x", "identity", "contrast",
             "equalize", "shear_y"]
    b = 16
    x = textured(batch=b, size=16, seed=3)
    rng = np.random.default_rng(4)
    ids = rng.integers(-1, len(names), b).astype(np.int32)
    ids[:len(names) + 1] = np.arange(-1, len(names))  # every op at least once
    level = rng.uniform(0.2, 1.0, b).astype(np.float32)
    sign = rng.integers(0, 2, b).astype(bool)
    mixed = run(names, ids, x, level, sign)["images"].numpy()
    for i, n in enumerate(names):
        alone = run([n], 0, x, level, sign)["images"].numpy().astype(int)
        rows = ids == i
        assert np.abs(mixed[rows].astype(int) - alone[rows]).max() <= 1, n
    np.testing.assert_array_equal(mixed[ids < 0], x[ids < 0])
    np.testing.assert_array_equal(mixed[ids == names.index("identity")],
                                  x[ids == names.index("identity")])
