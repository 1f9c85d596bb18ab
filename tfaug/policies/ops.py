"""The policy op table: named image ops driven by a level in ``[0, 1]``.

Policies (RandAugment, AutoAugment, TrivialAugment, AugMix) draw, per sample,
an op name, a level and a sign; :func:`apply_ops` runs each op only on the
samples that drew it. The batch is partitioned once per step
(``tf.dynamic_partition``): every geometric op shares one part (its rows get
one matrix each and are resampled together, images, masks and boxes alike),
every colour op gets its own part, identity rows are not touched; the parts
are stitched back (``tf.dynamic_stitch``). A step therefore costs about one op,
not one per candidate. Inside XLA (static shapes) the same ops run on the whole
batch and each row keeps its own op's result.

Level -> parameter mapping (``level`` in ``[0, 1]``; signed ops are negated
with probability 1/2). With ``RANDAUGMENT`` (the RandAugment paper's ranges as
torchvision implements them; ``level = magnitude / (num_magnitude_bins - 1)``):

=============  =========================================  ======
op             parameter at level ``l``                   signed
=============  =========================================  ======
identity       --                                         no
autocontrast   -- (per-channel min/max stretch)           no
equalize       -- (PIL histogram equalization)            no
invert         -- (AutoAugment only)                      no
rotate         ``30 * l`` degrees                         yes
shear_x/y      shear factor ``0.3 * l`` (about the centre) yes
translate_x/y  ``int(150 / 331 * l * width|height)`` px   yes
brightness     factor ``1 + 0.9 * l`` (blend with black)  yes
color          factor ``1 + 0.9 * l`` (blend with gray)   yes
contrast       factor ``1 + 0.9 * l`` (blend with mean)   yes
sharpness      factor ``1 + 0.9 * l`` (PIL smooth kernel) yes
posterize      ``round(8 - 4 * l)`` bits kept             no
solarize       threshold ``(256 - 256 l) / 255``          no
=============  =========================================  ======

``WIDE`` (TrivialAugmentWide): rotate 135 degrees, shear 0.99, translate 32 px,
enhance factors ``1 +- 0.99 l``, posterize ``round(8 - 6 l)`` bits. ``AUGMIX``:
translate up to a third of the size, posterize ``round(4 - 4 l)`` bits.
Factors are clipped at 0, posterize bits to ``[1, 8]``, solarize thresholds to
``[0, 256 / 255]``, so levels above 1 (a magnitude scale above 1) stay valid.
"""

import dataclasses
import math

import tensorflow as tf

from tfaug.core.xla import in_xla_context
from tfaug.image import ops as image_ops

GEOMETRIC = ("rotate", "shear_x", "shear_y", "translate_x", "translate_y")
COLOR = ("autocontrast", "equalize", "invert", "solarize", "posterize", "color",
         "contrast", "brightness", "sharpness")
OPS = ("identity",) + GEOMETRIC + COLOR
SIGNED = frozenset(GEOMETRIC + ("color", "contrast", "brightness", "sharpness"))
NO_LEVEL = frozenset({"identity", "autocontrast", "equalize", "invert"})
# Colour ops computed pixel by pixel from per-image statistics: fused into one pass.
SHIFTS = frozenset({"translate_x", "translate_y"})
POINT = frozenset({"autocontrast", "invert", "solarize", "posterize", "color", "contrast",
                   "brightness"})


@dataclasses.dataclass(frozen=True)
class Space:
    """Maximum op parameters (at level 1) of a policy's search space.

    Attributes:
      rotate: Degrees.
      shear: Shear factor.
      translate: Shift at level 1; a fraction of the size or pixels.
      translate_pixels: True when ``translate`` is in pixels.
      enhance: Deviation of the brightness/color/contrast/sharpness factor from 1.
      posterize: Bits kept at level 0 and at level 1.
      solarize: Threshold (unit range) at level 0 and at level 1.
    """

    rotate: float = 30.0
    shear: float = 0.3
    translate: float = 150.0 / 331.0
    translate_pixels: bool = False
    enhance: float = 0.9
    posterize: tuple = (8.0, 4.0)
    solarize: tuple = (256.0 / 255.0, 0.0)


RANDAUGMENT = Space()
WIDE = Space(rotate=135.0, shear=0.99, translate=32.0, translate_pixels=True, enhance=0.99,
             posterize=(8.0, 2.0))
AUGMIX = Space(translate=1.0 / 3.0, posterize=(4.0, 0.0))


def check_ops(name, ops, allowed=OPS):
    """Validates a list of op names; returns it as a list."""
    if not isinstance(ops, (list, tuple)) or not ops:
        raise ValueError(f"`{name}` must be a non-empty list of op names from "
                         f"{list(allowed)}, got {ops!r}.")
    bad = [o for o in ops if o not in allowed]
    if bad:
        raise ValueError(f"`{name}` has unknown ops {bad}; allowed: {list(allowed)}.")
    if len(set(ops)) != len(ops):
        raise ValueError(f"`{name}` lists an op twice: {list(ops)}.")
    return list(ops)


def _signed(value, sign):
    return tf.where(sign, -value, value)


def _shift(level, sign, space, size):
    size = tf.cast(size, tf.float32)
    scale = space.translate if space.translate_pixels else space.translate * size
    return _signed(tf.math.floor(level * scale), sign)  # whole pixels, no blur


def op_matrix(name, level, sign, space, height, width):
    """``[N, 3, 3]`` output->input map of geometric op ``name`` at ``level`` ``[N]``."""
    if name == "rotate":
        angle = _signed(level * (space.rotate * math.pi / 180.0), sign)
        return image_ops.rotation(angle, height, width)
    if name in ("shear_x", "shear_y"):
        factor = _signed(level * space.shear, sign)
        zero = tf.zeros_like(factor)
        pair = (factor, zero) if name == "shear_x" else (zero, factor)
        return image_ops.shear(pair[0], pair[1], height, width)
    if name == "translate_x":
        dx = _shift(level, sign, space, width)
        return image_ops.translation(dx, tf.zeros_like(dx))
    if name == "translate_y":
        dy = _shift(level, sign, space, height)
        return image_ops.translation(tf.zeros_like(dy), dy)
    raise ValueError(f"{name!r} is not a geometric op")


def color_op(name, images, level, sign, space):
    """Applies colour op ``name`` at ``level`` ``[N]`` to ``images`` ``[N, H, W, C]``."""
    if name == "autocontrast":
        return image_ops.autocontrast(images)
    if name == "equalize":
        return image_ops.equalize(images)
    if name == "invert":
        return image_ops.invert(images)
    if name == "solarize":
        lo, hi = space.solarize
        # Above 1 at level 0 (PIL's threshold 256): nothing is inverted.
        t = tf.clip_by_value(lo + level * (hi - lo), 0.0, max(lo, hi))
        return image_ops.solarize(images, t)
    if name == "posterize":
        lo, hi = space.posterize
        bits = tf.clip_by_value(tf.round(lo + level * (hi - lo)), 1.0, 8.0)
        return image_ops.posterize(images, tf.cast(bits, tf.int32))
    factor = tf.maximum(1.0 + _signed(level * space.enhance, sign), 0.0)
    if name == "brightness":
        return image_ops.scale_brightness(images, factor)
    if name == "color":
        return image_ops.adjust_saturation(images, factor)
    if name == "contrast":
        return image_ops.adjust_contrast(images, factor)
    if name == "sharpness":
        return image_ops.sharpness(images, factor)
    raise ValueError(f"{name!r} is not a colour op")


def _matrices(names, op_ids, level, sign, space, height, width):
    """One matrix per row: the geometric op the row drew (identity otherwise)."""
    out = image_ops.identity(tf.shape(op_ids)[0])
    for i, name in enumerate(names):
        if name in GEOMETRIC:
            m = op_matrix(name, level, sign, space, height, width)
            out = tf.where(tf.equal(op_ids, i)[:, None, None], m, out)
    return out


def _spatial(images):
    shape = tf.shape(images)
    return tuple(images.shape[i] if images.shape[i] is not None else shape[i]
                 for i in (1, 2))


def apply_ops(data, names, op_ids, level, sign, space, interpolation="bilinear",
              fill_value=0.0):
    """Applies to each row the op it drew.

    Args:
      data: Image dict (``images`` float32 ``[B, H, W, C]`` in ``[0, 1]``,
        optional ``masks`` and ``boxes`` that follow geometric ops, ``labels``).
      names: Op names (from :data:`OPS`); ``op_ids`` index into it.
      op_ids: int32 ``[B]``; a negative id leaves the row unchanged.
      level: float32 ``[B]`` levels (0 = weakest; 1 = the space's maximum).
      sign: bool ``[B]``; true negates signed ops.
      space: A :class:`Space`.
      interpolation: Resampling of geometric ops.
      fill_value: Fill outside the image (unit range).

    Returns:
      ``data`` with each row transformed by its op.
    """
    names = tuple(names)
    op_ids = tf.cast(op_ids, tf.int32)
    if in_xla_context():
        return _apply_all(data, names, op_ids, level, sign, space, interpolation,
                          fill_value)
    # Rows drawing a point op are handled by one compiled pass over the batch;
    # geometric rows (one group) and each remaining colour op get a partition.
    point = [i for i, n in enumerate(names) if n in POINT]
    # Whole-pixel shifts read one pixel each (nearest is exact for them), so
    # they get their own group; rotations and shears interpolate.
    groups = [[i for i, n in enumerate(names) if n in SHIFTS],
              [i for i, n in enumerate(names) if n in GEOMETRIC and n not in SHIFTS]]
    groups += [[i] for i, n in enumerate(names) if n in COLOR and n not in POINT]
    group_of = [0] * (len(names) + 1)
    for g, members in enumerate(groups):
        for i in members:
            group_of[i] = g + 1
    group = tf.gather(tf.constant(group_of, tf.int32),
                      tf.where(op_ids >= 0, op_ids, len(names)))
    keys = [k for k in ("images", "masks", "boxes") if k in data]
    n_groups = 1 + len(groups)
    rows = tf.dynamic_partition(tf.range(tf.shape(op_ids)[0]), group, n_groups)
    parts = {k: tf.dynamic_partition(data[k], group, n_groups) for k in keys}
    ids = tf.dynamic_partition(op_ids, group, n_groups)
    lv = tf.dynamic_partition(level, group, n_groups)
    sg = tf.dynamic_partition(sign, group, n_groups)
    results = [{k: parts[k][g] for k in keys} for g in range(n_groups)]
    for g, members in enumerate(groups, start=1):
        if not members:
            continue
        if names[members[0]] in GEOMETRIC:
            mode = "nearest" if names[members[0]] in SHIFTS else interpolation
            results[g] = _geometric(results[g], names, ids[g], lv[g], sg[g], space,
                                    mode, fill_value)
        else:
            x = color_op(names[members[0]], to_unit(results[g]["images"]), lv[g], sg[g],
                         space)
            results[g]["images"] = from_unit(x, data["images"].dtype)
    out = dict(data)
    for k in keys:
        out[k] = tf.dynamic_stitch(rows, [r[k] for r in results])
        out[k].set_shape(data[k].shape)
    if point:
        out["images"] = _point_program(out["images"], names, op_ids, level, sign, space)
    return out


def _geometric(part, names, op_ids, level, sign, space, interpolation, fill_value):
    """Resamples the rows of ``part`` through each row's geometric op."""
    height, width = _spatial(part["images"])
    m = _matrices(names, op_ids, level, sign, space, height, width)
    out = dict(part)
    if in_xla_context():
        out["images"] = _warp(part["images"], m, interpolation, fill_value)
    else:
        out["images"] = _bucketed_warp(part["images"], m, interpolation, fill_value)
    if "masks" in part:
        out["masks"] = image_ops.transform_masks(part["masks"], m, (height, width))
    if "boxes" in part:
        out["boxes"] = image_ops.transform_boxes(part["boxes"], m, (height, width))
    return out


def _warp(images, matrices, interpolation, fill_value):
    """uint8 or float images through ``matrices`` (uint8 is gathered as uint8)."""
    if images.dtype == tf.uint8:  # resampled from uint8, rounded back to uint8
        return image_ops.transform(images, matrices, None, interpolation, "constant",
                                   fill_value * 255.0)
    return image_ops.transform(images, matrices, None, interpolation, "constant",
                               fill_value)


def _point(images, names, op_ids, level, sign, space):
    """Every point op of ``names`` on the whole batch; each row keeps its own op's
    result (rows with another op, or none, are unchanged)."""
    x = to_unit(images)
    out = x
    for i, name in enumerate(names):
        if name in POINT:
            new = color_op(name, x, level, sign, space)
            out = tf.where(_rows(tf.equal(op_ids, i), new), new, out)
    return from_unit(out, images.dtype)


def _bucketed_warp(images, matrices, interpolation, fill_value):
    """:func:`_warp` compiled, on a part padded to a multiple of 8 rows (of 16
    past 32 rows).

    XLA compiles one program per shape; a part's row count changes every
    batch, so padding it to a few bucket sizes bounds the compilations (six
    for batches of up to 64) at the cost of resampling a few padding rows.
    """
    n = tf.shape(images)[0]
    step = tf.where(n <= 32, 8, 16)
    bucket = tf.maximum((n + step - 1) // step * step, 8)
    pad = bucket - n
    padded = tf.pad(images, [[0, pad], [0, 0], [0, 0], [0, 0]])
    eye = tf.eye(3, batch_shape=[pad], dtype=matrices.dtype)
    out = _warp_program(padded, tf.concat([matrices, eye], 0), interpolation, fill_value)
    return out[:n]


# One XLA program each: the point ops fuse into a single pass over the batch (the
# reductions autocontrast and contrast need are two more), the warp into one
# gather loop that reads uint8 directly. Traced once per static setting; XLA
# compiles once per batch shape.
_point_program = tf.function(_point, jit_compile=True)
_warp_program = tf.function(_warp, jit_compile=True, reduce_retracing=True)


def _apply_all(data, names, op_ids, level, sign, space, interpolation, fill_value):
    """Inside XLA (static shapes): every op on the whole batch, rows keep their own."""
    out = dict(data)
    geo = [i for i, n in enumerate(names) if n in GEOMETRIC]
    if geo:
        is_geo = tf.reduce_any(tf.equal(op_ids[:, None], tf.constant(geo)[None]), axis=1)
        moved = _geometric(data, names, op_ids, level, sign, space, interpolation,
                           fill_value)
        for k in ("images", "masks", "boxes"):
            if k in data:
                out[k] = tf.where(_rows(is_geo, data[k]), moved[k], data[k])
    x = to_unit(out["images"])
    new_x = x
    for i, name in enumerate(names):
        if name in COLOR:
            new = color_op(name, x, level, sign, space)
            new_x = tf.where(_rows(tf.equal(op_ids, i), new), new, new_x)
    out["images"] = from_unit(new_x, data["images"].dtype)
    return out


def to_unit(images):
    """float32 ``[0, 1]`` view of images that may be uint8 (policies keep uint8)."""
    if images.dtype == tf.uint8:
        return tf.cast(images, tf.float32) * (1.0 / 255.0)
    return images


def from_unit(x, dtype):
    """Back to ``dtype``: uint8 rounds to the nearest level (as PIL does per op)."""
    if dtype == tf.uint8:
        return tf.cast(tf.clip_by_value(tf.round(x * 255.0), 0.0, 255.0), tf.uint8)
    return x


def _rows(mask, value):
    shape = tf.concat([tf.shape(mask), tf.ones([tf.rank(value) - 1], tf.int32)], 0)
    return tf.reshape(mask, shape)
