"""Occlusion ops: rectangle erasing (cutout / random erasing) and GridMask.

Masks are built from ``iota`` comparisons against per-sample parameters, so
everything is a batched elementwise computation that compiles with XLA.
Rectangles are integer pixel boxes ``[y0, y1) x [x0, x1)``.
"""

import math

import tensorflow as tf

from tfaug.core import seeds
from tfaug.image.ops.noise import draw_keys, keyed_uniform

_ERASE_TRIES = 10


def box_mask(height, width, y0, x0, y1, x1):
    """Bool ``[B, H, W]``, true inside the integer box ``[y0, y1) x [x0, x1)``.

    Args:
      height: Image height (int or scalar tensor).
      width: Image width.
      y0: int ``[B]`` box corners (any may lie outside the image).
      x0: int ``[B]`` box corners (any may lie outside the image).
      y1: int ``[B]`` box corners (any may lie outside the image).
      x1: int ``[B]`` box corners (any may lie outside the image).
    """
    ys = tf.range(height, dtype=tf.int32)[None, :, None]
    xs = tf.range(width, dtype=tf.int32)[None, None, :]

    def col(v):
        return tf.cast(v, tf.int32)[:, None, None]

    return (ys >= col(y0)) & (ys < col(y1)) & (xs >= col(x0)) & (xs < col(x1))


def fill_where(images, mask, fill):
    """Replaces pixels where ``mask`` (bool ``[B, H, W]``) is true with ``fill``.

    ``fill`` is a scalar, a ``[B]`` vector, or any tensor broadcastable to
    ``images`` (e.g. per-pixel noise ``[B, H, W, C]``).
    """
    fill = tf.cast(tf.convert_to_tensor(fill), images.dtype)
    if fill.shape.rank == 1:
        fill = fill[:, None, None, None]
    return tf.where(mask[..., None], tf.broadcast_to(fill, tf.shape(images)), images)


def erase_boxes(height, width, area, log_ratio, cy, cx, scale):
    """Integer boxes from relative draws, several candidates per sample.

    Args:
      height: Image height.
      width: Image width.
      area: ``[B, T]`` target area fractions.
      log_ratio: ``[B, T]`` log aspect ratios (height / width).
      cy: ``[B]`` box centres as fractions of the free room (``[0, 1)``).
      cx: ``[B]`` box centres as fractions of the free room (``[0, 1)``).
      scale: ``(lo, hi)`` allowed area fractions.

    Returns:
      ``(y0, x0, y1, x1)``, each int32 ``[B]``: per sample the first candidate
      that fits inside the image with an area fraction in ``scale`` after
      rounding (the last candidate, clipped, if none does).
    """
    h_f = tf.cast(height, tf.float32)
    w_f = tf.cast(width, tf.float32)
    total = h_f * w_f
    ratio = tf.exp(log_ratio)
    bh = tf.round(tf.sqrt(area * total * ratio))
    bw = tf.round(tf.sqrt(area * total / ratio))
    frac = bh * bw / total
    # A scale range that starts at 0 allows empty holes (``scale=0`` erases nothing).
    min_side = 1.0 if scale[0] > 0 else 0.0
    ok = ((bh >= min_side) & (bw >= min_side) & (bh <= h_f) & (bw <= w_f)
          & (frac >= scale[0] - 1e-6) & (frac <= scale[1] + 1e-6))
    tries = tf.shape(area)[1]
    idx = tf.where(tf.reduce_any(ok, axis=1),
                   tf.argmax(tf.cast(ok, tf.int32), axis=1, output_type=tf.int32), tries - 1)
    bh = tf.clip_by_value(tf.gather(bh, idx, batch_dims=1), min_side, h_f)
    bw = tf.clip_by_value(tf.gather(bw, idx, batch_dims=1), min_side, w_f)
    y0 = tf.floor(cy * (h_f - bh + 1.0))
    x0 = tf.floor(cx * (w_f - bw + 1.0))
    y0 = tf.minimum(y0, h_f - bh)
    x0 = tf.minimum(x0, w_f - bw)
    y1, x1 = y0 + bh, x0 + bw
    return tuple(tf.cast(v, tf.int32) for v in (y0, x0, y1, x1))


def sample_erase(seed, batch_size, scale=(0.02, 0.33), ratio=(0.3, 3.3), num_holes=1):
    """Relative draws for :func:`random_erase`-style erasing.

    Returns:
      A dict of ``[B, num_holes, ...]`` float draws (``area``, ``log_ratio``
      with ``_ERASE_TRIES`` candidates, ``cy``, ``cx``) and int64 noise ``keys``
      ``[B]`` (for random fill).
    """
    s = tf.unstack(seeds.split(seed, 5))
    shape = [batch_size, num_holes, _ERASE_TRIES]
    return {
        "area": seeds.uniform(shape, s[0], scale[0], scale[1]),
        "log_ratio": seeds.uniform(shape, s[1], math.log(ratio[0]), math.log(ratio[1])),
        "cy": seeds.uniform([batch_size, num_holes], s[2]),
        "cx": seeds.uniform([batch_size, num_holes], s[3]),
        "keys": draw_keys(s[4], batch_size),
    }


def erase_mask(height, width, draws, scale):
    """Bool ``[B, H, W]``: the union of the drawn holes (see :func:`sample_erase`)."""
    mask = None
    for i in range(draws["cy"].shape[1]):
        box = erase_boxes(height, width, draws["area"][:, i], draws["log_ratio"][:, i],
                          draws["cy"][:, i], draws["cx"][:, i], scale)
        m = box_mask(height, width, *box)
        mask = m if mask is None else mask | m
    return mask


def erase_holes(images, draws, scale, fill="constant", fill_value=0.0):
    """Erases the rectangles described by ``draws`` (from :func:`sample_erase`).

    Args:
      images: float32 ``[B, H, W, C]`` in ``[0, 1]``.
      draws: Dict from :func:`sample_erase`.
      scale: ``(lo, hi)`` area fractions the boxes were drawn in.
      fill: ``"constant"`` (``fill_value``) or ``"random"`` (uniform noise per pixel).
      fill_value: Constant fill in ``[0, 1]`` units.

    Returns:
      Erased images, same shape.
    """
    shape = tf.shape(images)
    mask = erase_mask(shape[1], shape[2], draws, scale)
    value = keyed_uniform(draws["keys"], shape[1:]) if fill == "random" else fill_value
    return fill_where(images, mask, value)


def random_erase(seed, images, scale=(0.02, 0.33), ratio=(0.3, 3.3), fill="constant",
                 fill_value=0.0, num_holes=1):
    """Erases ``num_holes`` random rectangles per image (random erasing / cutout).

    Each hole's area fraction is drawn uniformly in ``scale`` and its aspect
    ratio log-uniformly in ``ratio``; the hole lies fully inside the image.
    """
    draws = sample_erase(seed, tf.shape(images)[0], scale, ratio, num_holes)
    return erase_holes(images, draws, scale, fill, fill_value)


# ---------------------------------------------------------------- grid mask
def grid_mask(height, width, unit, ratio, offset_y, offset_x, angle=None):
    """Bool ``[B, H, W]`` GridMask: one square of side ``ratio * unit`` per
    ``unit`` x ``unit`` cell is true (masked).

    Continuous geometry: the pixel centre ``p``, in coordinates relative to the
    image centre and rotated by ``angle``, is masked when ``(p + offset) mod unit < ratio * unit`` on both
    axes. With offsets uniform in ``[0, unit)`` every pixel is masked with
    probability ``ratio ** 2``.

    Args:
      height: Image height.
      width: Image width.
      unit: ``[B]`` grid period in pixels.
      ratio: Side of the masked square as a fraction of ``unit`` (scalar or ``[B]``).
      offset_y: ``[B]`` grid offsets in pixels.
      offset_x: ``[B]`` grid offsets in pixels.
      angle: Optional ``[B]`` rotation of the grid in radians.
    """
    h_f = tf.cast(height, tf.float32)
    w_f = tf.cast(width, tf.float32)
    y = tf.range(h_f, dtype=tf.float32)[None, :, None] + 0.5 - h_f / 2.0
    x = tf.range(w_f, dtype=tf.float32)[None, None, :] + 0.5 - w_f / 2.0
    if angle is not None:
        c = tf.cos(angle)[:, None, None]
        s = tf.sin(angle)[:, None, None]
        y, x = c * y - s * x, s * y + c * x
    d = tf.cast(unit, tf.float32)[:, None, None]
    side = tf.cast(ratio, tf.float32) * tf.cast(unit, tf.float32)
    side = tf.broadcast_to(side, tf.shape(unit))[:, None, None]
    in_y = tf.math.floormod(y + offset_y[:, None, None], d) < side
    in_x = tf.math.floormod(x + offset_x[:, None, None], d) < side
    return in_y & in_x


def random_grid_mask(seed, images, ratio=0.6, d_range=(0.2, 0.5), rotate=0.0,
                     fill_value=0.0):
    """GridMask with a per-sample unit (a fraction ``d_range`` of the shorter
    side), offsets and rotation (uniform in ``[-rotate, rotate]`` degrees)."""
    shape = tf.shape(images)
    draws = sample_grid(seed, shape[0], d_range, rotate)
    mask = grid_mask_from_draws(shape[1], shape[2], draws, ratio)
    return fill_where(images, mask, fill_value)


def sample_grid(seed, batch_size, d_range=(0.2, 0.5), rotate=0.0):
    """Relative GridMask draws: ``unit`` (fraction of the shorter side), offsets
    (fractions of the unit) and ``angle`` (radians)."""
    s = tf.unstack(seeds.split(seed, 4))
    limit = math.radians(rotate)
    return {
        "unit": seeds.uniform([batch_size], s[0], d_range[0], d_range[1]),
        "offset_y": seeds.uniform([batch_size], s[1]),
        "offset_x": seeds.uniform([batch_size], s[2]),
        "angle": seeds.uniform([batch_size], s[3], -limit, limit),
    }


def grid_mask_from_draws(height, width, draws, ratio):
    """Bool ``[B, H, W]`` GridMask from :func:`sample_grid` draws."""
    short = tf.cast(tf.minimum(height, width), tf.float32)
    unit = tf.maximum(draws["unit"] * short, 1.0)
    return grid_mask(height, width, unit, ratio, draws["offset_y"] * unit,
                     draws["offset_x"] * unit, draws.get("angle"))
