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
solarize       threshold ``1 - l`` (of the value range)   no
=============  =========================================  ======

``WIDE`` (TrivialAugmentWide): rotate 135 degrees, shear 0.99, translate 32 px,
enhance factors ``1 +- 0.99 l``, posterize ``round(8 - 6 l)`` bits. ``AUGMIX``:
translate up to a third of the size, posterize ``round(4 - 4 l)`` bits.
Factors are clipped at 0, posterize bits to ``[1, 8]``, solarize thresholds to
``[0, 1]``, so levels above 1 (a magnitude scale above 1) stay valid.
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
    solarize: tuple = (1.0, 0.0)


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
        return image_ops.solarize(images, tf.clip_by_value(lo + level * (hi - lo), 0.0, 1.0))
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
    names = list(names)
    op_ids = tf.cast(op_ids, tf.int32)
    height, width = _spatial(data["images"])
    geo = [i for i, n in enumerate(names) if n in GEOMETRIC]
    colors = [i for i, n in enumerate(names) if n in COLOR]
    # Group of each op id: 0 = untouched, 1 = geometric, 2 + j = j-th colour op.
    group_of = [0] * len(names)
    for i in geo:
        group_of[i] = 1
    for j, i in enumerate(colors):
        group_of[i] = 2 + j
    group = tf.gather(tf.constant(group_of + [0], tf.int32),
                      tf.where(op_ids >= 0, op_ids, len(names)))
    keys = [k for k in ("images", "masks", "boxes") if k in data]

    def run_geometric(part, ids, lv, sg):
        m = _matrices(names, ids, lv, sg, space, height, width)
        return image_ops.transform_targets(part, m, (height, width), interpolation,
                                           "constant", fill_value)

    def run_color(i, part, lv, sg):
        out = dict(part)
        out["images"] = color_op(names[i], part["images"], lv, sg, space)
        return out

    if in_xla_context():
        out = {k: data[k] for k in keys}
        if geo:
            moved = run_geometric(out, op_ids, level, sign)
            hit = tf.equal(group, 1)
            out = {k: tf.where(_rows(hit, out[k]), moved[k], out[k]) for k in keys}
        for i in colors:
            new = color_op(names[i], out["images"], level, sign, space)
            out["images"] = tf.where(_rows(tf.equal(op_ids, i), new), new, out["images"])
        return {**data, **out}

    n_groups = 2 + len(colors)
    rows = tf.dynamic_partition(tf.range(tf.shape(op_ids)[0]), group, n_groups)
    parts = {k: tf.dynamic_partition(data[k], group, n_groups) for k in keys}
    ids = tf.dynamic_partition(op_ids, group, n_groups)
    lv = tf.dynamic_partition(level, group, n_groups)
    sg = tf.dynamic_partition(sign, group, n_groups)
    results = [{k: parts[k][g] for k in keys} for g in range(n_groups)]
    if geo:
        results[1] = run_geometric(results[1], ids[1], lv[1], sg[1])
    for j, i in enumerate(colors):
        results[2 + j] = run_color(i, results[2 + j], lv[2 + j], sg[2 + j])
    out = dict(data)
    for k in keys:
        out[k] = tf.dynamic_stitch(rows, [r[k] for r in results])
        out[k].set_shape(data[k].shape)
    return out


def _rows(mask, value):
    shape = tf.concat([tf.shape(mask), tf.ones([tf.rank(value) - 1], tf.int32)], 0)
    return tf.reshape(mask, shape)
