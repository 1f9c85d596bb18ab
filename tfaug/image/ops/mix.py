"""Sample-mixing ops: MixUp and CutMix on float ``[B, H, W, C]`` images.

Each sample is mixed with a partner row of the same batch. The partner map is
``argsort(keys)`` of per-sample random keys: a permutation of whatever rows are
present, so it stays valid when a composition hands the op a gathered subset.
"""

import tensorflow as tf

from tfaug.core import seeds
# Partners and label mixing are shared with the other modalities (core).
from tfaug.core.mixing import mix_labels, partners, sample_beta  # noqa: F401
from tfaug.image.ops.erase import box_mask


def mixup(images, partner, lam):
    """MixUp: ``lam * images + (1 - lam) * images[partner]``.

    Args:
      images: float32 ``[B, H, W, C]``.
      partner: int ``[B]`` partner rows.
      lam: ``[B]`` weights of each sample's own image.
    """
    lam = tf.cast(lam, images.dtype)[:, None, None, None]
    return lam * images + (1.0 - lam) * tf.gather(images, partner)


def cutmix_boxes(height, width, lam, cy, cx):
    """CutMix rectangles ``(y0, x0, y1, x1)`` (int32 ``[B]``), clipped to the image.

    The rectangle has sides ``sqrt(1 - lam)`` times the image's, centred at
    ``(cy * H, cx * W)`` (``cy``, ``cx`` in ``[0, 1)``); clipping makes the
    true pasted fraction smaller than ``1 - lam`` (see :func:`box_fraction`).
    """
    h_f = tf.cast(height, tf.float32)
    w_f = tf.cast(width, tf.float32)
    cut = tf.sqrt(tf.maximum(1.0 - tf.cast(lam, tf.float32), 0.0))
    ch, cw = cut * h_f, cut * w_f
    y_c, x_c = cy * h_f, cx * w_f
    y0 = tf.clip_by_value(tf.round(y_c - ch / 2.0), 0.0, h_f)
    y1 = tf.clip_by_value(tf.round(y_c + ch / 2.0), 0.0, h_f)
    x0 = tf.clip_by_value(tf.round(x_c - cw / 2.0), 0.0, w_f)
    x1 = tf.clip_by_value(tf.round(x_c + cw / 2.0), 0.0, w_f)
    return tuple(tf.cast(v, tf.int32) for v in (y0, x0, y1, x1))


def box_fraction(height, width, box):
    """Pixel fraction ``[B]`` of the image covered by integer boxes ``box``."""
    y0, x0, y1, x1 = box
    area = tf.cast((y1 - y0) * (x1 - x0), tf.float32)
    return area / (tf.cast(height, tf.float32) * tf.cast(width, tf.float32))


def paste(values, partner, mask):
    """Takes ``values[partner]`` where ``mask`` (bool ``[B, H, W]``) is true."""
    return tf.where(mask[..., None], tf.gather(values, partner), values)


def cutmix(images, partner, box):
    """CutMix: pastes ``images[partner]`` into each image's ``box``.

    Args:
      images: ``[B, H, W, C]``.
      partner: int ``[B]`` partner rows.
      box: ``(y0, x0, y1, x1)`` int ``[B]`` (from :func:`cutmix_boxes`).

    Returns:
      ``(mixed, own_weight)``: the images, and the fraction ``[B]`` of each
      output's pixels that are its own (the exact label weight).
    """
    shape = tf.shape(images)
    mask = box_mask(shape[1], shape[2], *box)
    return paste(images, partner, mask), 1.0 - box_fraction(shape[1], shape[2], box)


def covered_boxes(boxes, box):
    """Bool ``[B, N]``: xyxy pixel ``boxes`` lying entirely inside the integer
    rectangle ``box`` (pixel ``j`` covers ``[j, j + 1]``); empty rectangles cover
    nothing."""
    y0, x0, y1, x1 = (tf.cast(v, tf.float32)[:, None] for v in box)
    nonempty = (y1 > y0) & (x1 > x0)
    return (nonempty & (boxes[..., 0] >= x0) & (boxes[..., 1] >= y0)
            & (boxes[..., 2] <= x1) & (boxes[..., 3] <= y1))


def random_mixup(seed, images, alpha=0.2):
    """MixUp with a per-sample ``lam ~ Beta(alpha, alpha)`` and random partners.

    Returns:
      ``(mixed, partner, lam)``; mix labels with
      ``mix_labels(labels, partner, lam)``.
    """
    lam_seed, key_seed = tf.unstack(seeds.split(seed, 2))
    b = tf.shape(images)[0]
    lam = sample_beta(lam_seed, b, alpha)
    partner = partners(seeds.uniform([b], key_seed))
    return mixup(images, partner, lam), partner, lam


def random_cutmix(seed, images, alpha=1.0):
    """CutMix with ``lam ~ Beta(alpha, alpha)``, a uniform centre and random partners.

    Returns:
      ``(mixed, partner, own_weight)``; ``own_weight`` is the exact fraction of
      own pixels, so mix labels with ``mix_labels(labels, partner, own_weight)``.
    """
    lam_seed, c_seed, key_seed = tf.unstack(seeds.split(seed, 3))
    b = tf.shape(images)[0]
    lam = sample_beta(lam_seed, b, alpha)
    cy, cx = tf.unstack(seeds.uniform([2, b], c_seed))
    partner = partners(seeds.uniform([b], key_seed))
    shape = tf.shape(images)
    mixed, weight = cutmix(images, partner, cutmix_boxes(shape[1], shape[2], lam, cy, cx))
    return mixed, partner, weight
