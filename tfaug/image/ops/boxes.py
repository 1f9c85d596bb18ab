"""Bounding-box formats: conversion between Keras' ``bounding_box_format`` names
(and YOLO's normalized centre form) and tfaug's internal xyxy pixels.

A format is a layout, optionally relative to the image size:

* ``"xyxy"``: ``(x_min, y_min, x_max, y_max)``; ``"yxyx"``: ``(y_min, x_min,
  y_max, x_max)``; ``"xywh"``: ``(x_min, y_min, width, height)``;
  ``"center_xywh"``: ``(x_center, y_center, width, height)``;
  ``"center_yxhw"``: ``(y_center, x_center, height, width)``.
* ``"rel_<layout>"``: the same with x and widths divided by the image width,
  y and heights by the image height. ``"yolo"`` is ``"rel_center_xywh"``.

Boxes flagged invalid (every coordinate ``-1``, how tfaug pads dense box
tensors and marks boxes that left the image) stay flagged in every format.
"""

import tensorflow as tf

LAYOUTS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw")
FORMATS = LAYOUTS + tuple("rel_" + layout for layout in LAYOUTS) + ("yolo",)
INVALID = -1.0


def _parse(fmt, argument):
    if fmt not in FORMATS:
        raise ValueError(f"`{argument}` must be one of {list(FORMATS)}, got {fmt!r}.")
    if fmt == "yolo":
        return True, "center_xywh"
    if fmt.startswith("rel_"):
        return True, fmt[4:]
    return False, fmt


def _to_xyxy(boxes, layout):
    a, b, c, d = tf.unstack(boxes, axis=-1)
    if layout == "xyxy":
        return a, b, c, d
    if layout == "yxyx":
        return b, a, d, c
    if layout == "xywh":
        return a, b, a + c, b + d
    if layout == "center_xywh":
        return a - c / 2, b - d / 2, a + c / 2, b + d / 2
    # center_yxhw
    return b - d / 2, a - c / 2, b + d / 2, a + c / 2


def _from_xyxy(x0, y0, x1, y1, layout):
    if layout == "xyxy":
        parts = (x0, y0, x1, y1)
    elif layout == "yxyx":
        parts = (y0, x0, y1, x1)
    elif layout == "xywh":
        parts = (x0, y0, x1 - x0, y1 - y0)
    elif layout == "center_xywh":
        parts = ((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0)
    else:  # center_yxhw
        parts = ((y0 + y1) / 2, (x0 + x1) / 2, y1 - y0, x1 - x0)
    return tf.stack(parts, axis=-1)


def convert_boxes(boxes, source, target, image_shape=None):
    """Converts ``boxes`` ``[..., 4]`` from format ``source`` to ``target``.

    Args:
      boxes: Float tensor ``[..., 4]``.
      source: One of :data:`FORMATS`.
      target: One of :data:`FORMATS`.
      image_shape: ``(height, width)`` (ints or scalar tensors); needed when
        exactly one of the formats is relative.

    Returns:
      float32 ``[..., 4]``; boxes flagged invalid (all ``-1``) stay ``-1``.

    Raises:
      ValueError: an unknown format, or a relative conversion without
        ``image_shape``.

    Example:
      >>> boxes = convert_boxes([[10., 20., 30., 40.]], "xyxy", "rel_center_xywh", (100, 200))
      >>> boxes.numpy().astype(float).round(3).tolist()
      [[0.1, 0.3, 0.1, 0.2]]
    """
    src_rel, src_layout = _parse(source, "source")
    dst_rel, dst_layout = _parse(target, "target")
    boxes = tf.cast(tf.convert_to_tensor(boxes), tf.float32)
    if source == target or (src_rel == dst_rel and src_layout == dst_layout):
        return boxes
    if src_rel != dst_rel and image_shape is None:
        raise ValueError(f"`image_shape` (height, width) is needed to convert boxes from "
                         f"{source!r} to {target!r}.")
    invalid = tf.reduce_all(tf.equal(boxes, INVALID), axis=-1, keepdims=True)
    x0, y0, x1, y1 = _to_xyxy(boxes, src_layout)
    if src_rel != dst_rel:
        height = tf.cast(image_shape[0], tf.float32)
        width = tf.cast(image_shape[1], tf.float32)
        if src_rel:
            x0, x1, y0, y1 = x0 * width, x1 * width, y0 * height, y1 * height
        else:
            x0, x1, y0, y1 = x0 / width, x1 / width, y0 / height, y1 / height
    out = _from_xyxy(x0, y0, x1, y1, dst_layout)
    return tf.where(invalid, INVALID, out)
