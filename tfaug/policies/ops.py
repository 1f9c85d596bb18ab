"""The policy op table: named image ops driven by a level in ``[0, 1]``.

Policies (RandAugment, AutoAugment, TrivialAugment, AugMix) draw, per sample,
an op name, a level and a sign; :func:`apply_ops` runs each op only on the
samples that drew it. Ops are grouped: shears and translations along x (each
image row shifted by its own offset), the same along y, rotations, the point
ops (autocontrast, invert, solarize, posterize, color, contrast, brightness,
fused in one pass), equalize and sharpness. Each group's rows are gathered
into a part, run through one compiled program (images, masks and boxes
alike) and stitched back (``tf.dynamic_stitch``); identity rows are only
copied. A step therefore costs about one op, not one per candidate. Inside
XLA (static shapes) every group runs on the whole batch and each row keeps
its own group's result.

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

import numpy as np
import tensorflow as tf

from tfaug.core import validation
from tfaug.core import xla
from tfaug.core.xla import in_xla_context
from tfaug.image import ops as image_ops
from tfaug.image.ops.affine import kernel_coords

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
    what = f"a non-empty list of op names from {list(allowed)}"
    if not isinstance(ops, (list, tuple)):
        raise validation.ArgumentTypeError(name, ops, what)
    if not ops:
        raise validation.ArgumentError(name, ops, what)
    bad = [o for o in ops if o not in allowed]
    if bad:
        raise validation.ArgumentError(name, ops, what, f"`{name}` has unknown ops {bad}; "
                                       f"allowed: {list(allowed)}.")
    if len(set(ops)) != len(ops):
        raise validation.ArgumentError(name, ops, "a list naming each op once",
                                       f"`{name}` lists an op twice: {list(ops)}.")
    return list(ops)


def _signed(value, sign):
    return tf.where(sign, -value, value)


def describe_op(name, level, sign, space):
    """One drawn op in words, with the value it runs at: ``"rotate -8.1° (L=0.27)"``.

    Mirrors :func:`op_matrix` and :func:`color_op` (float32 arithmetic, the
    same clipping and rounding); translations in a fraction-of-size space are
    given as a percentage of the width/height (the op floors to whole pixels).

    Args:
      name: An op of :data:`OPS`.
      level: The level the op runs at (already scaled by the strength).
      sign: True when a signed op is negated.
      space: The policy's :class:`Space`.

    Returns:
      A string.

    Example:
      >>> describe_op("posterize", 0.5, False, RANDAUGMENT)
      'posterize 6 bits (L=0.5)'
    """
    level = np.float32(level)
    lvl = f" (L={float(level):.2g})"
    if name in NO_LEVEL:
        return name
    neg = bool(sign) and name in SIGNED
    if name == "rotate":
        angle = float(-level * space.rotate if neg else level * space.rotate)
        return f"rotate {angle:+.1f}° ccw{lvl}"
    if name in ("shear_x", "shear_y"):
        value = level * np.float32(space.shear)
        return f"{name} {float(-value if neg else value):+.2f}{lvl}"
    if name in SHIFTS:
        axis = "width" if name == "translate_x" else "height"
        if space.translate_pixels:
            value = np.floor(level * np.float32(space.translate))
            return f"{name} {int(-value if neg else value):+d} px{lvl}"
        value = 100.0 * float(level) * space.translate
        return f"{name} {(-value if neg else value):+.0f}% of {axis}{lvl}"
    if name == "solarize":
        lo, hi = space.solarize
        t = float(np.clip(np.float32(lo) + level * np.float32(hi - lo), 0.0, max(lo, hi)))
        return f"solarize above {t * 255:.0f}/255{lvl}"
    if name == "posterize":
        lo, hi = space.posterize
        bits = int(np.clip(np.round(np.float32(lo) + level * np.float32(hi - lo)), 1, 8))
        return f"posterize {bits} bits{lvl}"
    factor = max(1.0 + float(-level * space.enhance if neg else level * space.enhance), 0.0)
    return f"{name} x{factor:.2f}{lvl}"


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
        out = image_ops.posterize(images, tf.cast(bits, tf.int32))
        # 8 bits keeps every 8-bit level: the identity, also off the 8-bit grid.
        return tf.where(_rows(bits >= 8.0, out), images, out)
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
      data: Image dict in the image layers' internal form (``images`` float32
        ``[B, H, W, C]`` in ``[0, 1]``, or its 8-bit transport, uint8 levels,
        which each op rounds to as PIL does; optional ``masks`` and ``boxes``
        that follow geometric ops, ``labels``).
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
    groups = _groups(names)
    group_of = [0] * (len(names) + 1)
    for g, (_, members) in enumerate(groups, start=1):
        for i in members:
            group_of[i] = g
    group = tf.gather(tf.constant(group_of, tf.int32),
                      tf.where(op_ids >= 0, op_ids, len(names)))
    keys = [k for k in ("images", "masks", "boxes") if k in data]
    args = (names, space, interpolation, fill_value)
    out = dict(data)
    if in_xla_context():
        # Static shapes: every group on the whole batch (rows outside it get the
        # identity op), each row keeps its own group's result.
        for g, (kind, _) in enumerate(groups, start=1):
            mine = tf.equal(group, g)
            res = _run_group(kind, {k: data[k] for k in keys}, tf.where(mine, op_ids, -1),
                             level, sign, *args)
            for k in keys:
                out[k] = tf.where(_rows(mine, out[k]), res[k], out[k])
        return out
    # Each group's rows are gathered into a part padded to a bucket size (the
    # padding repeats one of the group's rows, so it computes the same result
    # as that row and stitching it back is harmless); the parts are stitched.
    indices, results = [], []
    for g, kind in enumerate([None] + [kind for kind, _ in groups]):
        rows = tf.reshape(tf.where(tf.equal(group, g)), [-1])
        if kind is not None:
            rows = _bucket(rows)
        part = {k: tf.gather(data[k], rows) for k in keys}
        if kind is not None:
            part = _run_group(kind, part, tf.gather(op_ids, rows), tf.gather(level, rows),
                              tf.gather(sign, rows), *args)
        indices.append(tf.cast(rows, tf.int32))
        results.append(part)
    for k in keys:
        out[k] = tf.dynamic_stitch(indices, [r[k] for r in results])
        out[k].set_shape(data[k].shape)
    return out


def _bucket(rows):
    """``rows`` padded (with its first entry) to a bucket size.

    XLA compiles one program per shape; a group's row count changes every
    batch, so parts are padded to a multiple of 4 rows (of 8 past 16, of 16
    past 32): eight compilations per program for batches of up to 64, at the
    cost of a few repeated rows. An empty group stays empty.
    """
    n = tf.size(rows)
    step = tf.where(n <= 16, 4, tf.where(n <= 32, 8, 16))
    pad = (n + step - 1) // step * step - n
    return tf.concat([rows, tf.gather(rows, tf.zeros([pad], tf.int32))], 0)


# Ops of a group run as one program on the rows that drew any of them.
LINES_X = ("shear_x", "translate_x")  # every row of the image shifted along x
LINES_Y = ("shear_y", "translate_y")  # every column shifted along y


def _groups(names):
    """``[(kind, member op indices)]``: the groups ``names`` needs (identity has none)."""
    groups = []

    def add(kind, pick):
        members = [i for i, n in enumerate(names) if pick(n)]
        if members:
            groups.append((kind, members))

    add("lines_x", lambda n: n in LINES_X)
    add("lines_y", lambda n: n in LINES_Y)
    add("rotate", lambda n: n == "rotate")
    add("point", lambda n: n in POINT)
    for name in COLOR:
        if name not in POINT:
            add(name, lambda n, name=name: n == name)
    return groups


def _run_group(kind, part, op_ids, level, sign, names, space, interpolation, fill_value):
    """The rows of ``part`` through their ops of group ``kind`` (others unchanged)."""
    images = part["images"]
    out = dict(part)
    rows = (op_ids, level, sign)
    if kind == "point":
        out["images"] = _call(_point_program, images, rows, names, space)
        return out
    if kind == "equalize":
        out["images"] = _color(images, *rows, kind, space)
        return out
    if kind in COLOR:
        out["images"] = _call(_color_program, images, rows, kind, space)
        return out
    # Geometric: images through a fast resampler, masks and boxes through the
    # rows' matrices.
    height, width = _spatial(images)
    m = _matrices(names, op_ids, level, sign, space, height, width)
    if kind == "rotate":
        out["images"] = _call(_warp_program, images, (m,), interpolation, fill_value)
    else:
        out["images"] = _call(_lines_program, images, (m,), 2 if kind == "lines_x" else 1,
                              interpolation, fill_value)
    if "masks" in part:
        out["masks"] = image_ops.transform_masks(part["masks"], m, (height, width))
    if "boxes" in part:
        out["boxes"] = image_ops.transform_boxes(part["boxes"], m, (height, width))
    return out


def _call(program, images, rows, *static):
    """``program(images, *rows, *static)`` (an :func:`tfaug.core.xla.program`:
    compiled on its own outside XLA when the switch is on, inline otherwise)."""
    return program(images, *rows, *static)


def _warp(images, matrices, interpolation, fill_value):
    """Images through ``matrices`` (a gather per output pixel; uint8 transport is
    resampled as uint8 and rounded)."""
    scale = 255.0 if images.dtype == tf.uint8 else 1.0
    return image_ops.transform(images, matrices, None, interpolation, "constant",
                               fill_value * scale, implementation="gather")


def _lines(images, matrices, axis, interpolation, fill_value):
    """Shears and translations along one axis (``matrices`` of that form): each
    line shifted by its offset."""
    height, width = _spatial(images)
    # Kernel coordinates: x_src = x + m01 y + m02 (rows), y_src = y + m10 x + m12.
    k = kernel_coords(matrices)
    r = 0 if axis == 2 else 1
    pos = tf.range(height if axis == 2 else width, dtype=tf.float32)[None]
    offsets = k[:, r, 1 - r:2 - r] * pos + k[:, r, 2:3]
    scale = 255.0 if images.dtype == tf.uint8 else 1.0
    return image_ops.shift_lines(images, offsets, axis, interpolation, fill_value * scale)


def _point(images, op_ids, level, sign, names, space):
    """Every point op of ``names`` on the rows; each row keeps its own op's
    result (rows with another op, or none, are unchanged)."""
    x = to_unit(images)
    out = x
    for i, name in enumerate(names):
        if name in POINT:
            new = color_op(name, x, level, sign, space)
            out = tf.where(_rows(tf.equal(op_ids, i), new), new, out)
    return from_unit(out, images.dtype)


def _color(images, op_ids, level, sign, name, space):
    """Colour op ``name`` on the rows that drew it (``op_ids >= 0``)."""
    if name == "equalize":
        new = image_ops.equalize(images)  # uint8 transport stays uint8
        if not in_xla_context():  # a part: every row drew it
            return new
    else:
        new = from_unit(color_op(name, to_unit(images), level, sign, space), images.dtype)
    return tf.where(_rows(op_ids >= 0, new), new, images)


# One XLA program each (when tfaug.core.set_auto_compile is on), compiled once
# per bucketed part shape: the point ops fuse into a single pass (plus the two
# reductions autocontrast and contrast need), shears and translations into
# windowed gathers of whole lines, rotations into one gather loop. Equalize is
# not one: its histograms are a bincount outside XLA (image_ops.equalize
# compiles the elementwise halves itself).
_point_program = xla.program(_point)
_warp_program = xla.program(_warp)
_lines_program = xla.program(_lines)
_color_program = xla.program(_color)


def to_uint8(images):
    """Internal float ``[0, 1]`` images as 8-bit levels (the transport of
    policies run on uint8 inputs: a quarter of the memory traffic)."""
    return tf.cast(tf.round(tf.clip_by_value(images, 0.0, 1.0) * 255.0), tf.uint8)


def to_unit(images):
    """float32 ``[0, 1]`` view of images in either transport."""
    if images.dtype == tf.uint8:
        return tf.cast(images, tf.float32) * (1.0 / 255.0)
    return images


def from_unit(x, dtype):
    """Back to the transport ``dtype``: uint8 rounds to the nearest level, as PIL
    does after each op on 8-bit images."""
    if dtype == tf.uint8:
        return to_uint8(x)
    return x


def _rows(mask, value):
    shape = tf.concat([tf.shape(mask), tf.ones([tf.rank(value) - 1], tf.int32)], 0)
    return tf.reshape(mask, shape)
