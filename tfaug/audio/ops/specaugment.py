"""SpecAugment ops (Park et al., 2019) on spectrograms ``[B, time, freq]``.

Time and frequency masks and time warping, with per-example parameters; masks
and the warp are ``iota`` comparisons and a batched gather, so they compile
with XLA. Random variants take the seed first. Spectrograms come from
:mod:`tfaug.audio.ops.spectral`.
"""

import tensorflow as tf

from tfaug.core import seeds
from tfaug.core import validation


def _spectrograms(spectrograms, name="spectrograms"):
    x = tf.convert_to_tensor(spectrograms)
    if not x.dtype.is_floating:
        raise ValueError(f"`{name}` must be floating point, got {x.dtype.name}.")
    if x.shape.rank != 3:
        raise ValueError(f"`{name}` must have shape [B, time, freq], got shape {x.shape}.")
    return x


# -------------------------------------------------------------- SpecAugment
def span_mask(size, starts, widths):
    """Bool ``[B, size]``: true inside any span ``[start, start + width)``.

    ``starts``/``widths`` are int ``[B, K]`` (or ``[B]``); spans are clipped to
    ``[0, size)`` and a width <= 0 covers nothing.
    """
    starts = tf.cast(starts, tf.int32)
    widths = tf.cast(widths, tf.int32)
    if starts.shape.rank == 1:
        starts, widths = starts[:, None], widths[:, None]
    pos = tf.range(size, dtype=tf.int32)[None, None, :]
    inside = (pos >= starts[..., None]) & (pos < (starts + widths)[..., None])
    return tf.reduce_any(inside, axis=1)


def _masked(x, mask, mask_value):
    value = tf.cast(tf.convert_to_tensor(mask_value), x.dtype)
    if value.shape.rank == 1:
        value = value[:, None, None]
    return tf.where(mask, tf.broadcast_to(value, tf.shape(x)), x)


def time_mask(spectrograms, starts, widths, mask_value=0.0):
    """Sets frames ``[start, start + width)`` of each example to ``mask_value``.

    Args:
      spectrograms: float ``[B, time, freq]``.
      starts: int ``[B, num_masks]`` (or ``[B]``) first masked frame.
      widths: int ``[B, num_masks]`` (or ``[B]``) masked frames (0: none).
      mask_value: Scalar or per-example ``[B]`` fill.

    Returns:
      Like ``spectrograms``.

    Example:
      >>> spec = tf.ones([2, 100, 40])
      >>> out = time_mask(spec, [[3], [10]], [[5], [0]])
      >>> out[:, :, 0].numpy().sum(axis=1).tolist()  # 5 frames masked, then none
      [95.0, 100.0]
    """
    x = _spectrograms(spectrograms)
    mask = span_mask(tf.shape(x)[1], starts, widths)
    return _masked(x, mask[:, :, None], mask_value)


def frequency_mask(spectrograms, starts, widths, mask_value=0.0):
    """Sets bins ``[start, start + width)`` of each example to ``mask_value``.

    Same arguments as :func:`time_mask`, along the frequency axis.

    Example:
      >>> spec = tf.ones([1, 100, 40])
      >>> out = frequency_mask(spec, [[0, 20]], [[4, 2]])  # bins 0-3 and 20-21
      >>> float(out[0, 0].numpy().sum())
      34.0
    """
    x = _spectrograms(spectrograms)
    mask = span_mask(tf.shape(x)[2], starts, widths)
    return _masked(x, mask[:, None, :], mask_value)


def check_mask_args(max_width, num_masks, max_fraction):
    """Checks SpecAugment mask arguments; returns them canonical."""
    max_width = validation.check_int("max_width", max_width, 0)
    num_masks = validation.check_int("num_masks", num_masks, 1, 64)
    if max_fraction is not None:
        max_fraction = validation.check_number("max_fraction", max_fraction, 0.0, 1.0,
                                               low_inclusive=False)
    return max_width, num_masks, max_fraction


def draw_masks(seed, batch_size, num_masks):
    """Per-example uniform draws ``{"width", "start"}``, float32 ``[B, num_masks]``
    in ``[0, 1)``, for :func:`mask_spans` (two independent draws)."""
    s_width, s_start = tf.unstack(seeds.split(seed, 2))
    return {"width": seeds.uniform([batch_size, num_masks], s_width),
            "start": seeds.uniform([batch_size, num_masks], s_start)}


def mask_spans(width_u, start_u, size, max_width, max_fraction=None):
    """Uniform draws -> integer spans on an axis of ``size``.

    ``width = floor(u * (W + 1))`` is uniform in ``[0, W]`` with
    ``W = min(max_width, floor(max_fraction * size), size)``, and ``start`` is
    uniform in ``[0, size - width]``: each span lies inside the axis.

    Returns:
      ``(starts, widths)``, int32 like ``width_u``.
    """
    size = tf.cast(size, tf.int32)
    bound = tf.minimum(tf.constant(max_width, tf.int32), size)
    if max_fraction is not None:
        bound = tf.minimum(bound, tf.cast(tf.floor(max_fraction * tf.cast(size, tf.float32)),
                                          tf.int32))
    widths = tf.cast(tf.floor(width_u * tf.cast(bound + 1, tf.float32)), tf.int32)
    widths = tf.minimum(widths, bound)
    room = tf.cast(size - widths + 1, tf.float32)
    starts = tf.minimum(tf.cast(tf.floor(start_u * room), tf.int32), size - widths)
    return starts, widths


def _random_mask(seed, spectrograms, max_width, num_masks, mask_value, max_fraction, axis):
    max_width, num_masks, max_fraction = check_mask_args(max_width, num_masks, max_fraction)
    x = _spectrograms(spectrograms)
    draws = draw_masks(seed, tf.shape(x)[0], num_masks)
    starts, widths = mask_spans(draws["width"], draws["start"], tf.shape(x)[axis],
                                max_width, max_fraction)
    op = time_mask if axis == 1 else frequency_mask
    return op(x, starts, widths, mask_value)


def random_time_mask(seed, spectrograms, max_width, num_masks=1, mask_value=0.0,
                     max_fraction=None):
    """SpecAugment time masking with per-example random spans (see :func:`mask_spans`).

    Example:
      >>> spec = tf.ones([2, 100, 40])
      >>> out = random_time_mask([1, 2], spec, max_width=20, num_masks=2)
      >>> out.shape
      TensorShape([2, 100, 40])
    """
    return _random_mask(seed, spectrograms, max_width, num_masks, mask_value, max_fraction, 1)


def random_frequency_mask(seed, spectrograms, max_width, num_masks=1, mask_value=0.0,
                          max_fraction=None):
    """SpecAugment frequency masking with per-example random spans.

    Example:
      >>> spec = tf.ones([2, 100, 40])
      >>> out = random_frequency_mask([1, 2], spec, max_width=8)
      >>> out.shape
      TensorShape([2, 100, 40])
    """
    return _random_mask(seed, spectrograms, max_width, num_masks, mask_value, max_fraction, 2)


def time_warp(spectrograms, centers, distances):
    """SpecAugment time warping: a per-example piecewise-linear warp of time.

    Output frame ``centers + distances`` takes input frame ``centers``; frames
    ``0`` and ``time - 1`` stay; in between the time axis is stretched or
    squeezed linearly, and values are linearly interpolated between input
    frames. ``centers`` is clipped to ``[1, time - 2]`` and its destination
    ``centers + distances`` too (spectrograms with fewer than 3 frames are
    returned unchanged). A distance of 0 is the identity.

    Args:
      spectrograms: float ``[B, time, freq]``.
      centers: ``[B]`` frame to move (int or float).
      distances: ``[B]`` frames to move it by (negative: earlier).

    Returns:
      Like ``spectrograms``.

    Example:
      >>> spec = tf.random.normal([2, 100, 40])
      >>> out = time_warp(spec, centers=[40, 50], distances=[5, -3])
      >>> bool(tf.reduce_all(tf.abs(out[0, 45] - spec[0, 40]) < 1e-5))  # frame 40 moved to 45
      True
    """
    x = _spectrograms(spectrograms)
    n = tf.shape(x)[1]
    last = tf.cast(n - 1, tf.float32)
    c = tf.clip_by_value(tf.cast(centers, tf.float32), 1.0, last - 1.0)[:, None]
    dest = tf.clip_by_value(c + tf.cast(distances, tf.float32)[:, None], 1.0, last - 1.0)
    t = tf.cast(tf.range(n), tf.float32)[None, :]
    left = t * c / dest
    right = c + (t - dest) * (last - c) / (last - dest)
    src = tf.where(t <= dest, left, right)
    src = tf.where(n >= 3, tf.clip_by_value(src, 0.0, last), tf.broadcast_to(t, tf.shape(src)))
    i0 = tf.cast(tf.floor(src), tf.int32)
    i1 = tf.minimum(i0 + 1, n - 1)
    frac = tf.cast(src - tf.cast(i0, tf.float32), x.dtype)[:, :, None]
    x0 = tf.gather(x, i0, axis=1, batch_dims=1)
    x1 = tf.gather(x, i1, axis=1, batch_dims=1)
    return x0 + frac * (x1 - x0)


def draw_warp(seed, batch_size):
    """Per-example uniform draws ``{"center", "distance"}``, float32 ``[B]`` in
    ``[0, 1)``, for :func:`warp_points`."""
    s_center, s_distance = tf.unstack(seeds.split(seed, 2))
    return {"center": seeds.uniform([batch_size], s_center),
            "distance": seeds.uniform([batch_size], s_distance)}


def warp_points(center_u, distance_u, num_frames_, max_distance):
    """Uniform draws -> integer ``(centers, distances)``, int32 ``[B]``.

    With ``W = min(max_distance, (num_frames - 3) // 2)`` the distance is
    uniform in ``[-W, W]`` and the centre in ``[W + 1, num_frames - 2 - W]``
    (SpecAugment's ``(W, tau - W)``), so both the centre and its destination
    are interior frames.
    """
    n = tf.cast(num_frames_, tf.int32)
    w = tf.maximum(tf.minimum(tf.constant(max_distance, tf.int32), (n - 3) // 2), 0)
    dist = tf.minimum(tf.cast(tf.floor(distance_u * tf.cast(2 * w + 1, tf.float32)),
                              tf.int32), 2 * w) - w
    room = tf.maximum(n - 2 - 2 * w, 1)
    center = w + 1 + tf.minimum(tf.cast(tf.floor(center_u * tf.cast(room, tf.float32)),
                                        tf.int32), room - 1)
    return center, dist


def random_time_warp(seed, spectrograms, max_distance):
    """SpecAugment time warping with per-example random points (:func:`warp_points`).

    Example:
      >>> spec = tf.random.normal([2, 100, 40])
      >>> out = random_time_warp([1, 2], spec, max_distance=5)
      >>> out.shape
      TensorShape([2, 100, 40])
    """
    max_distance = validation.check_int("max_distance", max_distance, 0)
    x = _spectrograms(spectrograms)
    draws = draw_warp(seed, tf.shape(x)[0])
    centers, distances = warp_points(draws["center"], draws["distance"], tf.shape(x)[1],
                                     max_distance)
    return time_warp(x, centers, distances)
