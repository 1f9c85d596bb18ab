"""Elastic deformation ops: a smooth per-sample displacement field from a coarse
control grid, the resampling it drives, and the (approximate) box transform.

Displacements are ``[B, gh, gw, 2]`` control points in pixels; the field at
every pixel blends them smoothly. Made of einsums and gathers: compiles with XLA.
"""

import tensorflow as tf

from tfaug.image.ops.affine import bound_points, sample_at


def _control_weights(coords, count, size):
    """Normalized Gaussian weights ``[..., count]`` of ``count`` control points
    spread evenly (cell centres) over ``[0, size]`` for continuous ``coords``."""
    size = tf.cast(size, tf.float32)
    spacing = size / count
    centres = (tf.range(count, dtype=tf.float32) + 0.5) * spacing
    z = (coords[..., None] - centres) / spacing
    w = tf.exp(-0.5 * z * z)
    return w / tf.reduce_sum(w, axis=-1, keepdims=True)


def elastic_field(displacement, height, width):
    """Smooth per-pixel displacements from a coarse control grid.

    Args:
      displacement: ``[B, G, G, 2]`` ``(dx, dy)`` pixels at a ``G x G`` lattice of
        control points (cell centres of a ``G x G`` split of the image).
      height: Output height.
      width: Output width.

    Returns:
      ``[B, height, width, 2]`` displacements at pixel centres: the control
      values blended with normalized Gaussian weights (width = control spacing),
      separably along y and x. A zero grid gives exactly zero.
    """
    g = displacement.shape[1]
    wy = _control_weights(tf.range(height, dtype=tf.float32) + 0.5, g, height)
    wx = _control_weights(tf.range(width, dtype=tf.float32) + 0.5, g, width)
    rows = tf.einsum("ig,bghc->bihc", wy, displacement)
    return tf.einsum("bihc,jh->bijc", rows, wx)


def elastic_transform(images, displacement, interpolation="bilinear", fill_mode="constant",
                      fill_value=0.0):
    """Resamples ``images`` ``[B, H, W, C]``: output pixel ``p`` reads input ``p + d(p)``
    with ``d`` from :func:`elastic_field`. Made of gathers (compiles with XLA)."""
    shape = tf.shape(images)
    field = elastic_field(displacement, shape[1], shape[2])
    x = tf.range(shape[2], dtype=tf.float32)[None, None, :] + field[..., 0]
    y = tf.range(shape[1], dtype=tf.float32)[None, :, None] + field[..., 1]
    return sample_at(images, x, y, interpolation, fill_mode, fill_value)


def elastic_boxes(boxes, displacement, height, width, points_per_edge=9, iterations=3):
    """Moves xyxy ``boxes`` ``[B, N, 4]`` through an elastic deformation (approximate).

    ``points_per_edge`` points on each box edge are mapped forward by inverting
    ``p + d(p) = q`` with ``iterations`` fixed-point steps (exact for constant
    fields, close for smooth small ones); the new box is their bounding box,
    clipped, and flagged ``-1`` if it collapses. Curved edges between the
    sampled points can bulge slightly past the box.
    """
    boxes = tf.convert_to_tensor(boxes, tf.float32)
    x0, y0, x1, y1 = [b[..., None] for b in tf.unstack(boxes, axis=-1)]
    t = tf.linspace(0.0, 1.0, points_per_edge)

    def lerp(a, b):  # points from a to b, never past either end
        return tf.clip_by_value(a + t * (b - a), tf.minimum(a, b), tf.maximum(a, b))

    xs = tf.concat([lerp(x0, x1), x1 + 0 * t, lerp(x1, x0), x0 + 0 * t], -1)
    ys = tf.concat([y0 + 0 * t, lerp(y0, y1), y1 + 0 * t, lerp(y1, y0)], -1)
    g = displacement.shape[1]
    px, py = xs, ys
    for _ in range(iterations):
        wy = _control_weights(py, g, height)
        wx = _control_weights(px, g, width)
        d = tf.einsum("bnpg,bghc,bnph->bnpc", wy, displacement, wx)
        px, py = xs - d[..., 0], ys - d[..., 1]
    return bound_points(boxes, px, py, height, width)
