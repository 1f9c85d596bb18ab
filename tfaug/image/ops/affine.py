"""Geometric image ops: projective matrices, resampling, boxes and masks.

Conventions:

* Images are float ``[B, H, W, C]``.
* Matrices are ``[B, 3, 3]`` float32 and map **output** pixel coordinates to
  **input** pixel coordinates (the inverse map a resampler needs), in
  continuous coordinates: pixel ``(i, j)`` covers ``[j, j+1] x [i, i+1]``, so its
  centre is ``(j + 0.5, i + 0.5)`` and a horizontal flip is ``x -> W - x``.
  Composition of output->input maps is a right product: applying ``A`` then
  ``B`` is ``M_A @ M_B``.
* Boxes are ``[B, N, 4]`` ``(x_min, y_min, x_max, y_max)`` in those pixel
  coordinates. A box that leaves the image (or collapses) is flagged with all
  four coordinates set to ``-1``.

Two resamplers give the same result: the ``ImageProjectiveTransformV3`` kernel
(fast; used outside XLA) and a gather-based one made of ops XLA compiles (used
inside ``jit_compile=True``, and for arbitrary coordinate maps such as elastic
deformation).
"""

import tensorflow as tf

from tfaug.core import xla
from tfaug.core.xla import in_xla_context

try:  # XLA's windowed gather (the module jax2tf builds on); optional
    from tensorflow.compiler.tf2xla.python import xla as _tfxla
    from tensorflow.compiler.xla import xla_data_pb2 as _xla_data
except ImportError:  # pragma: no cover - depends on the TensorFlow build
    _tfxla = None

FILL_MODES = ("constant", "reflect", "nearest", "wrap")
INTERPOLATIONS = ("bilinear", "nearest")
INVALID_BOX = -1.0


# ---------------------------------------------------------------- matrices
def identity(batch_size):
    """``[B, 3, 3]`` identity matrices."""
    return tf.eye(3, batch_shape=[batch_size], dtype=tf.float32)


def _matrix(rows):
    """Builds ``[B, 3, 3]`` from a 3x3 nested list of ``[B]`` tensors/scalars."""
    ref = next(v for row in rows for v in row if tf.is_tensor(v) and v.shape.rank == 1)
    b = tf.shape(ref)[0]
    flat = [tf.broadcast_to(tf.cast(v, tf.float32), [b]) for row in rows for v in row]
    return tf.reshape(tf.stack(flat, axis=-1), [b, 3, 3])


def translation(dx, dy):
    """Output->input map of a shift of the content by ``(dx, dy)`` pixels."""
    dx = tf.convert_to_tensor(dx, tf.float32)
    dy = tf.convert_to_tensor(dy, tf.float32)
    return _matrix([[1.0, 0.0, -dx], [0.0, 1.0, -dy], [0.0, 0.0, 1.0]])


def _about_center(m, height, width):
    """Conjugates ``m`` so it acts about the image centre."""
    cx = tf.cast(width, tf.float32) / 2.0
    cy = tf.cast(height, tf.float32) / 2.0
    b = tf.shape(m)[0]
    shift = tf.stack([[1.0, 0.0, cx], [0.0, 1.0, cy], [0.0, 0.0, 1.0]])
    back = tf.stack([[1.0, 0.0, -cx], [0.0, 1.0, -cy], [0.0, 0.0, 1.0]])
    return tf.matmul(tf.matmul(tf.broadcast_to(shift, [b, 3, 3]), m),
                     tf.broadcast_to(back, [b, 3, 3]))


def rotation(angle, height, width):
    """Output->input map rotating content by ``angle`` radians (counter-clockwise
    as displayed, i.e. with y pointing down) about the image centre."""
    angle = tf.convert_to_tensor(angle, tf.float32)
    c, s = _snap(tf.cos(angle)), _snap(tf.sin(angle))
    # Content rotated by +a counter-clockwise on screen (y down): the forward map
    # is [[c, s], [-s, c]], so input = [[c, -s], [s, c]] @ output.
    m = _matrix([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    return _about_center(m, height, width)


def _snap(v, tol=1e-6):
    """Rounds values within ``tol`` of an integer (cos/sin of multiples of 90
    degrees), so quarter turns move pixels exactly."""
    r = tf.round(v)
    return tf.where(tf.abs(v - r) < tol, r, v)


def scaling(sx, sy, height, width):
    """Output->input map zooming content by ``(sx, sy)`` (>1 enlarges) about the centre."""
    sx = tf.convert_to_tensor(sx, tf.float32)
    sy = tf.convert_to_tensor(sy, tf.float32)
    m = _matrix([[1.0 / sx, 0.0, 0.0], [0.0, 1.0 / sy, 0.0], [0.0, 0.0, 1.0]])
    return _about_center(m, height, width)


def shear(shx, shy, height, width):
    """Output->input map shearing content by factors ``(shx, shy)`` about the centre.

    Content point ``(x, y)`` moves to ``(x + shx * y, y + shy * x)``.
    """
    shx = tf.convert_to_tensor(shx, tf.float32)
    shy = tf.convert_to_tensor(shy, tf.float32)
    # The inverse of [[1, shx], [shy, 1]] in closed form (exact for one-axis
    # shears, and the same bits in eager, graph and XLA, unlike a matrix inverse).
    det = 1.0 - shx * shy
    inv = _matrix([[1.0 / det, -shx / det, 0.0], [-shy / det, 1.0 / det, 0.0],
                   [0.0, 0.0, 1.0]])
    return _about_center(inv, height, width)


def flip(horizontal, vertical, height, width):
    """Output->input map flipping where the bool ``[B]`` flags are true."""
    sx = tf.where(horizontal, -1.0, 1.0)
    sy = tf.where(vertical, -1.0, 1.0)
    tx = tf.where(horizontal, tf.cast(width, tf.float32), 0.0)
    ty = tf.where(vertical, tf.cast(height, tf.float32), 0.0)
    return _matrix([[sx, 0.0, tx], [0.0, sy, ty], [0.0, 0.0, 1.0]])


def crop_resize(y0, x0, crop_h, crop_w, out_h, out_w):
    """Output->input map taking the window ``[x0, x0+crop_w] x [y0, y0+crop_h]`` of
    the input (``[B]`` tensors, pixels) to an ``out_h x out_w`` output."""
    sx = tf.cast(crop_w, tf.float32) / tf.cast(out_w, tf.float32)
    sy = tf.cast(crop_h, tf.float32) / tf.cast(out_h, tf.float32)
    return _matrix([[sx, 0.0, x0], [0.0, sy, y0], [0.0, 0.0, 1.0]])


def affine_matrix(angle, translate_x, translate_y, scale_x, scale_y, shear_x, shear_y,
                  height, width):
    """Output->input map of one affine transform per sample, about the centre.

    The content is scaled, then sheared along x, then along y, then rotated
    (all about the image centre), then shifted. Each shear is an elementary
    shear (determinant 1), so the map is invertible for any shear values.

    Args:
      angle: ``[B]`` radians, counter-clockwise as displayed.
      translate_x: ``[B]`` content shift in pixels (positive: right).
      translate_y: ``[B]`` content shift in pixels (positive: down).
      scale_x: ``[B]`` content scale along x (> 1 enlarges); must be positive.
      scale_y: ``[B]`` content scale along y.
      shear_x: ``[B]`` x-shear factor: content ``(x, y)`` moves to ``(x + k y, y)``.
      shear_y: ``[B]`` y-shear factor: content ``(x, y)`` moves to ``(x, y + k x)``.
      height: Image height (int or scalar tensor).
      width: Image width.

    Returns:
      ``[B, 3, 3]`` float32.

    Example:
      >>> b = 2
      >>> m = affine_matrix(tf.zeros([b]), tf.zeros([b]), tf.zeros([b]), tf.ones([b]),
      ...                   tf.ones([b]), tf.fill([b], 0.2), tf.zeros([b]), 32, 32)
      >>> m.shape
      TensorShape([2, 3, 3])
    """
    angle = tf.convert_to_tensor(angle, tf.float32)
    shx = tf.convert_to_tensor(shear_x, tf.float32)
    shy = tf.convert_to_tensor(shear_y, tf.float32)
    sx = tf.convert_to_tensor(scale_x, tf.float32)
    sy = tf.convert_to_tensor(scale_y, tf.float32)
    c, s = _snap(tf.cos(angle)), _snap(tf.sin(angle))
    inv_scale = _matrix([[1.0 / sx, 0.0, 0.0], [0.0, 1.0 / sy, 0.0], [0.0, 0.0, 1.0]])
    inv_shx = _matrix([[1.0, -shx, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    inv_shy = _matrix([[1.0, 0.0, 0.0], [-shy, 1.0, 0.0], [0.0, 0.0, 1.0]])
    inv_rot = _matrix([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    linear = tf.matmul(tf.matmul(inv_scale, inv_shx), tf.matmul(inv_shy, inv_rot))
    return tf.matmul(_about_center(linear, height, width),
                     translation(translate_x, translate_y))


def homography(src, dst):
    """Projective maps taking four points ``src`` to ``dst``, one per sample.

    Solves the 8x8 linear system of the four correspondences per sample with a
    batched ``tf.linalg.solve`` (compiles with XLA). Coordinates are normalized
    first for conditioning.

    Args:
      src: ``[B, 4, 2]`` points ``(x, y)``; no three collinear.
      dst: ``[B, 4, 2]`` their images.

    Returns:
      ``[B, 3, 3]`` float32 ``H`` with ``H @ (x, y, 1) ~ (u, v, 1)``.
    """
    src = tf.convert_to_tensor(src, tf.float32)
    dst = tf.convert_to_tensor(dst, tf.float32)
    scale = tf.maximum(tf.reduce_max(tf.abs(tf.concat([src, dst], 1)), axis=[1, 2]), 1.0)
    src_n = src / scale[:, None, None]
    dst_n = dst / scale[:, None, None]
    x, y = src_n[..., 0], src_n[..., 1]
    u, v = dst_n[..., 0], dst_n[..., 1]
    zero, one = tf.zeros_like(x), tf.ones_like(x)
    rows_u = tf.stack([x, y, one, zero, zero, zero, -u * x, -u * y], -1)  # [B, 4, 8]
    rows_v = tf.stack([zero, zero, zero, x, y, one, -v * x, -v * y], -1)
    a = tf.concat([rows_u, rows_v], 1)  # [B, 8, 8]
    rhs = tf.concat([u, v], 1)[..., None]  # [B, 8, 1]
    h = tf.linalg.solve(a, rhs)[..., 0]
    h_n = tf.reshape(tf.concat([h, tf.ones_like(h[:, :1])], 1), [-1, 3, 3])
    # Undo the normalization: H = N^-1 H_n N with N = diag(1/s, 1/s, 1).
    one = tf.ones_like(scale)
    to_n = tf.linalg.diag(tf.stack([1.0 / scale, 1.0 / scale, one], -1))
    from_n = tf.linalg.diag(tf.stack([scale, scale, one], -1))
    return tf.matmul(tf.matmul(from_n, h_n), to_n)


def image_corners(batch_size, height, width):
    """``[B, 4, 2]`` corners ``(0, 0), (W, 0), (W, H), (0, H)`` (TL, TR, BR, BL)."""
    w = tf.cast(width, tf.float32)
    h = tf.cast(height, tf.float32)
    corners = tf.stack([tf.stack([0.0, 0.0]), tf.stack([w, 0.0]), tf.stack([w, h]),
                        tf.stack([0.0, h])])
    return tf.broadcast_to(corners[None], [batch_size, 4, 2])


def perspective(corners, height, width):
    """Output->input map that moves the image corners to ``corners``.

    Args:
      corners: ``[B, 4, 2]`` output positions of the input's top-left,
        top-right, bottom-right and bottom-left corners (continuous pixels).
      height: Image height.
      width: Image width.

    Returns:
      ``[B, 3, 3]`` float32 homography (output -> input).
    """
    corners = tf.convert_to_tensor(corners, tf.float32)
    return homography(corners, image_corners(tf.shape(corners)[0], height, width))


def kernel_coords(matrices):
    """Converts continuous-coordinate matrices to integer-centre (kernel) ones."""
    b = tf.shape(matrices)[0]
    to_cont = tf.constant([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.0, 0.0, 1.0]])
    to_kern = tf.constant([[1.0, 0.0, -0.5], [0.0, 1.0, -0.5], [0.0, 0.0, 1.0]])
    return tf.matmul(tf.matmul(tf.broadcast_to(to_kern, [b, 3, 3]), matrices),
                     tf.broadcast_to(to_cont, [b, 3, 3]))


# -------------------------------------------------------------- resampling
def _floormod(idx, period):
    """``floormod`` for integer-valued floats via a multiply and a floor (XLA's
    float fmod is several times slower); one correction step fixes the rounding
    of ``idx / period`` at exact multiples."""
    t = idx - period * tf.floor(idx * (1.0 / period))
    t = tf.where(t >= period, t - period, t)
    return tf.where(t < 0, t + period, t)


def _map_index(idx, size, fill_mode):
    """Maps integer pixel indices outside ``[0, size)`` according to ``fill_mode``.

    Returns the mapped indices and a validity mask (false only for constant fill).
    """
    size_f = tf.cast(size, idx.dtype)
    if fill_mode == "constant":
        valid = (idx >= 0) & (idx <= size_f - 1)
        return tf.clip_by_value(idx, 0, size_f - 1), valid
    if fill_mode == "nearest":
        out = tf.clip_by_value(idx, 0, size_f - 1)
    elif fill_mode == "wrap":
        out = tf.clip_by_value(_floormod(idx, size_f), 0, size_f - 1)
    else:  # reflect (d c b a | a b c d | d c b a)
        period = 2.0 * size_f
        t = _floormod(idx, period)
        out = tf.where(t >= size_f, period - 1.0 - t, t)
        out = tf.clip_by_value(out, 0, size_f - 1)
    return out, tf.ones_like(idx, tf.bool)


def sample_at(images, x, y, interpolation="bilinear", fill_mode="constant",
              fill_value=0.0):
    """Samples ``images`` at kernel coordinates (pixel centres at integers).

    Args:
      images: ``[B, H, W, C]``, float or integer (integer values are returned
        as float32).
      x: float ``[B, h, w]`` column coordinates.
      y: float ``[B, h, w]`` row coordinates.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_mode: ``"constant"``, ``"reflect"``, ``"nearest"`` or ``"wrap"``.
      fill_value: Value outside the image in constant mode.

    Returns:
      float ``[B, h, w, C]``. Made of gathers: compiles with XLA.
    """
    shape = tf.shape(images)
    b, h_in, w_in, c = shape[0], shape[1], shape[2], shape[3]
    # Integer images are read as they are and converted after the gather: a
    # uint8 source gathers about twice as fast as a float32 copy of it.
    dtype = images.dtype if images.dtype.is_floating else tf.float32
    flat = tf.reshape(images, [-1, c])
    base = tf.reshape(tf.range(b) * h_in * w_in, [-1, 1, 1])
    fill = tf.cast(fill_value, dtype)

    def rows(yi):
        yi, vy = _map_index(yi, h_in, fill_mode)
        return base + tf.cast(yi, tf.int32) * w_in, vy

    def cols(xi):
        xi, vx = _map_index(xi, w_in, fill_mode)
        return tf.cast(xi, tf.int32), vx

    def read(row, col):
        (r, vy), (q, vx) = row, col
        vals = tf.cast(tf.gather(flat, r + q), dtype)
        if fill_mode == "constant":
            vals = tf.where((vy & vx)[..., None], vals, fill)
        return vals

    if interpolation == "nearest":
        # Ties round away from zero, as the kernel's std::round (tf.round would
        # round half to even and disagree on exact halves, e.g. 2x downscaling).
        return read(rows(_round_half_away(y)), cols(_round_half_away(x)))
    x0, y0 = tf.floor(x), tf.floor(y)
    wx = tf.cast(x - x0, dtype)[..., None]
    wy = tf.cast(y - y0, dtype)[..., None]
    # Each neighbour row/column index is mapped once and shared by two reads.
    r0, r1, c0, c1 = rows(y0), rows(y0 + 1), cols(x0), cols(x0 + 1)
    top = read(r0, c0) + (read(r0, c1) - read(r0, c0)) * wx
    bottom = read(r1, c0) + (read(r1, c1) - read(r1, c0)) * wx
    return top + (bottom - top) * wy


def _round_half_away(v):
    return tf.sign(v) * tf.floor(tf.abs(v) + 0.5)


def _transform_gather(images, kmat, out_h, out_w, interpolation, fill_mode, fill_value):
    ys, xs = tf.meshgrid(tf.range(out_h, dtype=tf.float32),
                         tf.range(out_w, dtype=tf.float32), indexing="ij")
    pts = tf.stack([tf.reshape(xs, [-1]), tf.reshape(ys, [-1]),
                    tf.ones([out_h * out_w])], axis=0)  # [3, P]
    src = tf.einsum("bij,jp->bip", kmat, pts)
    z = src[:, 2]
    z = tf.where(tf.abs(z) < 1e-8, tf.ones_like(z) * 1e-8, z)
    x = tf.reshape(src[:, 0] / z, [-1, out_h, out_w])
    y = tf.reshape(src[:, 1] / z, [-1, out_h, out_w])
    return sample_at(images, x, y, interpolation, fill_mode, fill_value)


def _gather_path(images, kmat, out_h, out_w, interpolation, fill_mode, fill_value):
    dtype = images.dtype
    out = _transform_gather(images, kmat, out_h, out_w, interpolation, fill_mode,
                            fill_value)
    if not dtype.is_floating:
        out = tf.cast(tf.clip_by_value(tf.round(out), dtype.min, dtype.max), dtype)
    return out


# The gather resampler compiled on its own: one fused XLA loop beats the
# ImageProjectiveTransformV3 kernel on CPU. One program per static shape and
# setting (tfaug.core.xla: governed by set_auto_compile, cached per layer).
_jit_gather = xla.program(_gather_path)


def transform(images, matrices, output_size=None, interpolation="bilinear",
              fill_mode="constant", fill_value=0.0, implementation="auto"):
    """Resamples ``images`` through output->input ``matrices``.

    Args:
      images: ``[B, H, W, C]`` (float; uint8 works with the kernel).
      matrices: ``[B, 3, 3]`` output->input maps (continuous coordinates).
      output_size: ``(height, width)``; defaults to the input size.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_mode: ``"constant"``, ``"reflect"``, ``"nearest"`` or ``"wrap"``.
      fill_value: Value outside the image in constant mode.
      implementation: ``"kernel"`` (ImageProjectiveTransformV3), ``"gather"``
        (XLA-compatible ops, inline), ``"jit"`` (the gather path compiled on its
        own with XLA: about 1.5x the kernel's throughput on CPU) or ``"auto"``:
        inline gather inside XLA; ``"jit"`` when every image and output size is
        static (a new size would cost a compilation, so dynamic sizes, e.g.
        unbatched images of varying size in tf.data, use the kernel).
        ``fill_mode="wrap"`` always uses the gather path: the kernel's wrap is
        wrong past one period and in the seam pixel (shifting 17 pixels by 33
        reads column 16 where column 1 belongs).

    Returns:
      ``[B, out_h, out_w, C]`` of the input dtype.

    Example:
      >>> import math
      >>> images = tf.random.uniform([2, 8, 8, 3])
      >>> m = rotation(tf.fill([2], math.pi / 2), 8, 8)  # a quarter turn
      >>> out = transform(images, m, interpolation="nearest")
      >>> bool(tf.reduce_all(out == tf.image.rot90(images)))
      True
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"`interpolation` must be one of {INTERPOLATIONS}, got {interpolation!r}.")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"`fill_mode` must be one of {FILL_MODES}, got {fill_mode!r}.")
    if implementation not in ("auto", "kernel", "gather", "jit"):
        raise ValueError("`implementation` must be one of ['auto', 'kernel', 'gather', "
                         f"'jit'], got {implementation!r}.")
    shape = tf.shape(images)
    if output_size is None:
        output_size = (images.shape[1] if images.shape[1] is not None else shape[1],
                       images.shape[2] if images.shape[2] is not None else shape[2])
    out_h, out_w = output_size
    kmat = kernel_coords(tf.cast(matrices, tf.float32))
    static = (images.shape[1:].is_fully_defined()
              and all(isinstance(v, int) for v in (out_h, out_w)))
    if implementation == "auto":
        if in_xla_context():
            implementation = "gather"
        else:
            implementation = "jit" if static and xla.auto_compile_enabled() else "kernel"
    if implementation == "jit" and in_xla_context():
        implementation = "gather"
    if fill_mode == "wrap" and implementation == "kernel":
        implementation = "gather"
    if implementation == "jit":
        if not static:
            raise ValueError("implementation='jit' needs static image and output sizes, "
                             f"got {images.shape} -> {output_size}.")
        return _jit_gather(images, kmat, out_h, out_w, interpolation, fill_mode,
                           float(fill_value) if not tf.is_tensor(fill_value) else fill_value)
    if implementation == "gather":
        return _gather_path(images, kmat, out_h, out_w, interpolation, fill_mode,
                            fill_value)
    kmat = kmat / kmat[:, 2:3, 2:3]
    flat8 = tf.reshape(kmat, [-1, 9])[:, :8]
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=flat8,
        output_shape=tf.cast(tf.stack([out_h, out_w]), tf.int32),
        fill_value=tf.cast(fill_value, tf.float32),
        interpolation=interpolation.upper(), fill_mode=fill_mode.upper())


def shift_lines(images, offsets, axis, interpolation="bilinear", fill_value=0.0,
                windowed=None):
    """Shifts every row (``axis=2``) or column (``axis=1``) by its own offset.

    ``out[b, y, x] = images[b, y, x + offsets[b, y]]`` for ``axis=2`` (and
    ``out[b, y, x] = images[b, y + offsets[b, x], x]`` for ``axis=1``), with
    linear interpolation between the two neighbouring pixels (``"bilinear"``)
    or the nearest one; pixels read from outside the image get
    ``fill_value``. A shear along x or y and a translation are such maps, and
    for them the result equals :func:`transform`'s with constant fill (the
    other coordinate never leaves the pixel grid, so bilinear is exactly this
    1-D interpolation). Each line is read with one windowed gather (a copy of
    the line, not one read per pixel): several times faster than
    :func:`transform` on CPU.

    Args:
      images: ``[B, H, W, C]`` of static ``H, W, C``; float or integer (integers
        are rounded and clipped back to their dtype).
      offsets: float ``[B, H]`` (``axis=2``) or ``[B, W]`` (``axis=1``), in
        pixels.
      axis: 2 shifts rows along x, 1 shifts columns along y.
      interpolation: ``"bilinear"`` or ``"nearest"`` (ties round up).
      fill_value: Value of pixels read from outside, in image units (rounded
        to the nearest level for integer images).
      windowed: Use XLA's windowed gather (needs an XLA context; the default
        when TensorFlow provides it) or, if false, one gather per pixel.

    Returns:
      ``[B, H, W, C]`` of the input dtype.

    Example:
      >>> images = tf.random.uniform([2, 8, 8, 3])
      >>> out = tf.function(shift_lines, jit_compile=True)(
      ...     images, tf.fill([2, 8], 1.0), axis=2)  # every row 1 px to the left
      >>> bool(tf.reduce_all(out[:, :, :-1] == images[:, :, 1:]))
      True
    """
    if axis not in (1, 2):
        raise ValueError(f"`axis` must be 1 (columns) or 2 (rows), got {axis!r}.")
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"`interpolation` must be one of {INTERPOLATIONS}, got "
                         f"{interpolation!r}.")
    if not images.shape[1:].is_fully_defined():
        raise ValueError(f"`images` needs static height, width and channels, got "
                         f"{images.shape}.")
    if windowed is None:
        windowed = _tfxla is not None and in_xla_context()
    dtype = images.dtype
    n = images.shape[axis]
    offsets = tf.cast(offsets, tf.float32)
    linear = interpolation == "bilinear"
    k = tf.floor(offsets) if linear else tf.floor(offsets + 0.5)
    k = tf.clip_by_value(k, -(n + 1.0), float(n))  # past that, every read is outside
    fill = tf.cast(fill_value, tf.float32)
    if not dtype.is_floating:
        fill = tf.clip_by_value(tf.round(fill), dtype.min, dtype.max)
    # Padded with the fill on both sides, wide enough for any clipped offset:
    # reads outside the image read the fill, no masks needed.
    # One more (never read) image: XLA rejects windows into an empty batch.
    pad = [[0, 1], [0, 0], [0, 0], [0, 0]]
    pad[axis] = [n + 1, n + 1]
    padded = tf.pad(images, pad, constant_values=tf.cast(fill, dtype))
    starts = tf.cast(k, tf.int32) + (n + 1)
    taps = _read_lines(padded, starts, axis, n + 1 if linear else n, windowed)
    work = dtype if dtype.is_floating else tf.float32
    taps = tf.cast(taps, work)
    if axis == 2:
        out = taps[:, :, :n]
        if linear:
            f = tf.cast(offsets - k, work)[:, :, None, None]
            out = out + (taps[:, :, 1:] - out) * f
    else:
        out = taps[:, :n]
        if linear:
            f = tf.cast(offsets - k, work)[:, None, :, None]
            out = out + (taps[:, 1:] - out) * f
    if not dtype.is_floating:
        out = tf.cast(tf.clip_by_value(tf.round(out), dtype.min, dtype.max), dtype)
    return out


def _read_lines(padded, starts, axis, size, windowed):
    """Reads ``size`` pixels of every line of ``padded`` from ``starts``
    (``padded`` may hold more images than ``starts`` has rows).

    ``axis=2``: ``[B, H, size, C]`` with row ``y`` of image ``b`` read from
    column ``starts[b, y]``; ``axis=1``: ``[B, size, W, C]`` with column ``x``
    read from row ``starts[b, x]``.
    """
    lines = padded.shape[3 - axis]
    c = padded.shape[3]
    b = tf.broadcast_to(tf.range(tf.shape(starts)[0])[:, None], tf.shape(starts))
    pos = tf.broadcast_to(tf.range(lines)[None, :], tf.shape(starts))
    if windowed:
        if axis == 2:  # index (b, y, start, 0), window [1, 1, size, C]
            index = tf.stack([b, pos, starts, tf.zeros_like(b)], -1)
            dims = _xla_data.GatherDimensionNumbers(
                offset_dims=[2, 3], collapsed_slice_dims=[0, 1],
                start_index_map=[0, 1, 2, 3], index_vector_dim=2)
            window = [1, 1, size, c]
        else:  # index (b, start, x, 0), window [1, size, 1, C], output [B, size, W, C]
            index = tf.stack([b, starts, pos, tf.zeros_like(b)], -1)
            dims = _xla_data.GatherDimensionNumbers(
                offset_dims=[1, 3], collapsed_slice_dims=[0, 2],
                start_index_map=[0, 1, 2, 3], index_vector_dim=2)
            window = [1, size, 1, c]
        out = _tfxla.gather(padded, index, dims, window)
        # TensorFlow 2.16 infers no static shape for XlaGather: set the known one.
        rows = starts.shape[0]
        out.set_shape([rows, lines, size, c] if axis == 2 else [rows, size, lines, c])
        return out
    if axis == 1:
        lines_first = tf.transpose(padded, [0, 2, 1, 3])
        out = _read_lines(lines_first, starts, 2, size, False)
        return tf.transpose(out, [0, 2, 1, 3])
    cols = starts[..., None] + tf.range(size)[None, None, :]
    return tf.gather(padded[:tf.shape(starts)[0]], cols, axis=2, batch_dims=2)


def transform_masks(masks, matrices, output_size=None, fill_mode="constant"):
    """Resamples segmentation ``masks`` ``[B, H, W, 1]`` with nearest interpolation
    (labels never blend); outside pixels get 0 in constant mode."""
    dtype = masks.dtype
    kernel_dtypes = (tf.float32, tf.uint8, tf.int32, tf.int64, tf.float16, tf.float64,
                     tf.int8, tf.int16, tf.uint16)
    work = masks if dtype in kernel_dtypes else tf.cast(masks, tf.float32)
    if in_xla_context() and not work.dtype.is_floating:
        work = tf.cast(work, tf.float32)
    out = transform(work, matrices, output_size, "nearest", fill_mode, 0.0)
    return tf.cast(out, dtype)


def transform_boxes(boxes, matrices, output_size):
    """Maps xyxy pixel ``boxes`` ``[B, N, 4]`` through the geometry of ``matrices``.

    Each box's four corners go through the forward (input->output) map; the new
    box is their bounding box, clipped to the output image. Boxes that were
    already flagged (``-1``) or end up with zero width or height are flagged.
    """
    boxes = tf.convert_to_tensor(boxes, tf.float32)
    matrices = tf.cast(matrices, tf.float32)
    # A singular map (e.g. shears k_x = k_y = 1) collapses the image onto a line:
    # its boxes are flagged (the inverse would fail, so it runs on the identity).
    singular = tf.abs(_det3(matrices)) < 1e-9
    fwd = tf.linalg.inv(tf.where(singular[:, None, None], tf.eye(3, batch_shape=[1]),
                                 matrices))
    x0, y0, x1, y1 = tf.unstack(boxes, axis=-1)
    xs = tf.stack([x0, x1, x1, x0], -1)
    ys = tf.stack([y0, y0, y1, y1], -1)
    pts = tf.stack([xs, ys, tf.ones_like(xs)], -1)  # [B, N, 4, 3]
    out = tf.einsum("bij,bnkj->bnki", fwd, pts)
    z = out[..., 2]
    z = tf.where(tf.abs(z) < 1e-8, tf.ones_like(z) * 1e-8, z)
    moved = bound_points(boxes, out[..., 0] / z, out[..., 1] / z, output_size[0],
                         output_size[1])
    return tf.where(singular[:, None, None], INVALID_BOX, moved)


def _det3(m):
    """Determinants of ``[B, 3, 3]`` matrices (cofactors: XLA has no MatrixDeterminant)."""
    a, b, c = m[:, 0, 0], m[:, 0, 1], m[:, 0, 2]
    d, e, f = m[:, 1, 0], m[:, 1, 1], m[:, 1, 2]
    g, h, i = m[:, 2, 0], m[:, 2, 1], m[:, 2, 2]
    return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)


def transform_targets(data, matrices, output_size=None, interpolation="bilinear",
                      fill_mode="constant", fill_value=0.0):
    """Moves every target of an image dict through ``matrices``.

    Args:
      data: dict with ``images`` ``[B, H, W, C]`` and optionally ``masks``
        ``[B, H, W, 1]`` (nearest) and ``boxes`` ``[B, N, 4]``; other keys
        (labels) pass through.
      matrices: ``[B, 3, 3]`` output->input maps.
      output_size: ``(height, width)``; defaults to the input size.
      interpolation: For the images.
      fill_mode: For images and masks.
      fill_value: Image fill in constant mode (the images' units).

    Returns:
      A dict with the same keys.

    Example:
      >>> x = tf.random.uniform([2, 8, 8, 3])
      >>> m = tf.cast(tf.random.uniform([2, 8, 8, 1]) > 0.5, tf.int32)
      >>> a = tf.constant([0.3, -0.3])  # radians
      >>> out = transform_targets({"images": x, "masks": m}, rotation(a, 8, 8))
      >>> sorted(out), out["masks"].dtype
      (['images', 'masks'], tf.int32)
    """
    if output_size is None:
        shape = tf.shape(data["images"])
        output_size = tuple(data["images"].shape[i] if data["images"].shape[i] is not None
                            else shape[i] for i in (1, 2))
    out = dict(data)
    out["images"] = transform(data["images"], matrices, output_size, interpolation,
                              fill_mode, fill_value)
    if "masks" in data:
        out["masks"] = transform_masks(data["masks"], matrices, output_size, fill_mode)
    if "boxes" in data:
        out["boxes"] = transform_boxes(data["boxes"], matrices, output_size)
    return out


def flip_left_right(images):
    """Reverses the width axis of ``[B, H, W, C]`` images."""
    return tf.reverse(images, axis=[2])


def flip_up_down(images):
    """Reverses the height axis of ``[B, H, W, C]`` images."""
    return tf.reverse(images, axis=[1])


# ------------------------------------------------------ elastic deformation
def bound_points(boxes, px, py, height, width):
    """Clipped bounding boxes of mapped points ``[B, N, P]``; flags as documented
    in :func:`transform_boxes`."""
    out_h = tf.cast(height, tf.float32)
    out_w = tf.cast(width, tf.float32)
    nx0 = tf.clip_by_value(tf.reduce_min(px, -1), 0.0, out_w)
    nx1 = tf.clip_by_value(tf.reduce_max(px, -1), 0.0, out_w)
    ny0 = tf.clip_by_value(tf.reduce_min(py, -1), 0.0, out_h)
    ny1 = tf.clip_by_value(tf.reduce_max(py, -1), 0.0, out_h)
    new = tf.stack([nx0, ny0, nx1, ny1], -1)
    x0, y0, x1, y1 = tf.unstack(boxes, axis=-1)
    was_valid = tf.reduce_all(boxes >= 0.0, -1) & (x1 > x0) & (y1 > y0)
    valid = was_valid & (nx1 - nx0 > 0.0) & (ny1 - ny0 > 0.0)
    return tf.where(valid[..., None], new, INVALID_BOX)
