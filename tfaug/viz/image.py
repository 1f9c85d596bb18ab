"""Image previews: a grid with the originals in the first column and the
augmented variants beside them (one row per sample), masks as a translucent
overlay and boxes as rectangles.

The grid is laid out in whole pixels: each cell is the image scaled by an
integer factor (nearest neighbour) when the image is at most ``cell_size``
pixels, so every source pixel is a solid block in :meth:`Preview.to_image`
(the cell boxes are in ``figure.tfaug_cells``).
"""

import textwrap

import numpy as np
import tensorflow as tf

from tfaug.viz import base

IMAGE_KEYS = ("images", "labels", "masks", "boxes")
OPTIONS = ("value_range", "cell_size", "mask_alpha", "title")
_PAD, _HEADER = 4, 18
_BOX_COLORS = ("#ff1744", "#00e5ff", "#ffea00", "#76ff03", "#d500f9", "#ff9100")


def _display(image, value_range):
    """One image -> float RGB or grey in [0, 1] and whether it is grey."""
    x = np.asarray(image)
    if x.ndim == 2:
        x = x[..., None]
    if x.dtype == np.uint8:
        x = x.astype(np.float32) / 255.0
    else:
        low, high = value_range
        x = (x.astype(np.float32) - low) / float(high - low)
    x = np.clip(np.nan_to_num(x), 0.0, 1.0)
    if x.shape[-1] == 1:
        return x[..., 0], True
    return x[..., :3], False


def _valid_boxes(boxes):
    """``[N, 4]`` xyxy boxes without padding rows (all -1)."""
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    return boxes[~np.all(boxes == -1, axis=1)]


def _cell_px(height, width, cell_size):
    """(zoom, cell_h, cell_w): integer zoom when the image fits ``cell_size``."""
    longest = max(height, width)
    if longest <= cell_size:
        zoom = max(1, cell_size // longest)
        return zoom, height * zoom, width * zoom
    scale = cell_size / longest
    return None, max(1, round(height * scale)), max(1, round(width * scale))


def image_grid(originals, variants, masks=None, boxes=None, value_range=(0, 255),
               cell_size=None, mask_alpha=0.45, title=None, column_titles=None):
    """A grid figure: row ``i`` is sample ``i``, column 0 its original, column
    ``j + 1`` its variant ``j``.

    Args:
      originals: ``[B, H, W, C]`` (or ``[B, H, W]``) uint8 or float images.
      variants: A list of image batches like ``originals`` (sizes may differ:
        crops and resizes).
      masks: None or a list of ``1 + len(variants)`` mask batches (``[B, H, W]``
        or ``[B, H, W, 1]``, integer classes, 0 = background) for the columns,
        drawn as a translucent overlay.
      boxes: None or a list of ``1 + len(variants)`` box batches: ``[B, N, 4]``
        xyxy pixels (rows of -1 are padding) or per-sample lists of ``[N, 4]``.
      value_range: ``(low, high)`` float images are read under; uint8 images
        are always read as ``(0, 255)``.
      cell_size: Longest side of a cell in pixels; smaller images are scaled
        by a whole factor (nearest neighbour), larger ones shrunk (smoothed).
        Default: 96 for images of at most 96 pixels, else 192.
      mask_alpha: Opacity of the mask overlay in ``(0, 1]``.
      title: Optional figure title.
      column_titles: Optional header of each column (default ``original``,
        ``variant 0`` ...: variant ``j`` is ``variants[j]``; ``orig.``,
        ``v0`` ... in cells narrower than 56 px). Titles shrink to fit.

    Returns:
      A matplotlib ``Figure`` (Agg canvas) with ``figure.tfaug_cells[(row,
      col)] = (top, left, height, width)``, the pixel box of each cell in
      ``Preview.to_image()``.

    Raises:
      ValueError: a bad shape, value range or mask/box list length.

    Example:
      >>> fig = image_grid(images, [flipped, rotated])
    """
    columns = [np.asarray(originals)] + [np.asarray(v) for v in variants]
    if columns[0].ndim not in (3, 4) or columns[0].shape[0] == 0:
        raise ValueError(f"`originals` must be a non-empty batch [B, H, W, C] or [B, H, W], "
                         f"got shape {columns[0].shape}.")
    if len(value_range) != 2 or not value_range[1] > value_range[0]:
        raise ValueError(f"`value_range` must be (low, high) with high > low, got "
                         f"{value_range!r}.")
    if not 0 < mask_alpha <= 1:
        raise ValueError(f"`mask_alpha` must be in (0, 1], got {mask_alpha!r}.")
    for name, extra in (("masks", masks), ("boxes", boxes)):
        if extra is not None and len(extra) != len(columns):
            raise ValueError(f"`{name}` must hold one batch per column ({len(columns)}: the "
                             f"originals and {len(columns) - 1} variants), got {len(extra)}.")
    rows = columns[0].shape[0]
    if cell_size is None:
        cell_size = 96 if max(columns[0].shape[1:3]) <= 96 else 192
    if isinstance(cell_size, bool) or not isinstance(cell_size, int) or cell_size < 8:
        raise ValueError(f"`cell_size` must be an int >= 8 (pixels), got {cell_size!r}.")
    cells = [_cell_px(c.shape[1], c.shape[2], int(cell_size)) for c in columns]
    if column_titles:
        titles = column_titles
    elif min(cell[2] for cell in cells) >= 56:
        titles = ["original"] + [f"variant {j}" for j in range(len(variants))]
    else:  # narrow cells
        titles = ["orig."] + [f"v{j}" for j in range(len(variants))]
    col_w = [cell[2] for cell in cells]
    row_h = max(cell[1] for cell in cells)
    width = sum(col_w) + _PAD * (len(columns) + 1)
    if title:  # wrapped to the grid's width (~5.5 px a character at 9 pt)
        title = "\n".join(textwrap.wrap(title, max(12, int((width - 2 * _PAD) / 5.5))))
    top = _HEADER + (_HEADER + 11 * title.count("\n") if title else 0)
    height = top + rows * row_h + _PAD * (rows + 1)
    fig = base.new_figure(width, height)
    if title:
        base.fit_text(fig, 0.5, 1 - 2 / height, title, width - 2 * _PAD, fontsize=9,
                      ha="center", va="top")
    fig.tfaug_cells = {}
    cmap = _mask_cmap()
    left = _PAD
    for col, batch in enumerate(columns):
        zoom, cell_h, cell_w = cells[col]
        base.fit_text(fig, (left + cell_w / 2) / width, 1 - (top - 3) / height, titles[col],
                      cell_w - 2, fontsize=8, ha="center", va="bottom")
        for row in range(rows):
            y0 = top + _PAD + row * (row_h + _PAD)
            axis = fig.add_axes([left / width, 1 - (y0 + cell_h) / height, cell_w / width,
                                 cell_h / height])
            axis.set_axis_off()
            pixels, grey = _display(batch[row], value_range)
            axis.imshow(pixels, cmap="gray" if grey else None, vmin=0.0, vmax=1.0,
                        interpolation="nearest" if zoom else "antialiased", aspect="auto")
            if masks is not None:
                mask = np.asarray(masks[col][row])
                mask = mask[..., 0] if mask.ndim == 3 else mask
                shown = np.ma.masked_where(mask <= 0, mask)
                axis.imshow(shown, cmap=cmap, alpha=mask_alpha, vmin=1, vmax=max(
                    1, int(np.max(mask)) if mask.size else 1), interpolation="nearest",
                    aspect="auto", extent=axis.images[0].get_extent())
            if boxes is not None:
                _draw_boxes(axis, boxes[col][row])
            fig.tfaug_cells[(row, col)] = (y0, left, cell_h, cell_w)
        left += cell_w + _PAD
    return fig


def _mask_cmap():
    from matplotlib import colormaps
    return colormaps["tab10"]


def _draw_boxes(axis, boxes):
    from matplotlib.patches import Rectangle
    for k, (x0, y0, x1, y1) in enumerate(_valid_boxes(boxes)):
        axis.add_patch(Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False,
                                 linewidth=1.2, edgecolor=_BOX_COLORS[k % len(_BOX_COLORS)]))


# ------------------------------------------------------------------- preview
def _tensor(value):
    if isinstance(value, tf.RaggedTensor) or tf.is_tensor(value):
        return value
    return tf.convert_to_tensor(np.asarray(value))


def _add_batch(value):
    return tf.expand_dims(_tensor(value), 0)


def _cut(value, n):
    return _tensor(value)[:n]


def prepare(inputs, n):
    """User inputs -> (batched inputs cut to ``n`` samples, is_dict)."""
    if isinstance(inputs, dict):
        unknown = sorted(set(inputs) - set(IMAGE_KEYS))
        if unknown or "images" not in inputs:
            raise ValueError(f"image `inputs` dict must have 'images' and only the keys "
                             f"{list(IMAGE_KEYS)}, got keys {sorted(inputs)}.")
        images = inputs["images"]
        rank = _check_images(images)
        if rank == 3:
            return {k: _add_batch(v) for k, v in inputs.items()}, True
        return {k: _cut(v, n) for k, v in inputs.items()}, True
    rank = _check_images(inputs)
    return (inputs[None] if rank == 3 else _cut(inputs, n)), False


def _check_images(images):
    if isinstance(images, (str, bytes)) or (isinstance(images, (list, tuple)) and images and
                                             isinstance(images[0], (str, bytes))):
        raise TypeError(f"image `inputs` must be images [B, H, W, C] or [H, W, C] (uint8 or "
                        f"float) or a dict with 'images', got {type(images).__name__} of text.")
    try:
        array = tf.convert_to_tensor(images)
    except (TypeError, ValueError) as error:
        raise TypeError(f"image `inputs` must be an array or tensor [B, H, W, C], got "
                        f"{type(images).__name__}: {error}") from None
    if not (array.dtype.is_floating or array.dtype == tf.uint8):
        raise TypeError(f"image `inputs` must be uint8 or float images, got dtype "
                        f"{array.dtype.name}.")
    if array.shape.rank not in (3, 4) or array.shape.num_elements() == 0:
        raise ValueError(f"image `inputs` must have shape [B, H, W, C] or [H, W, C] with no "
                         f"empty axis, got {array.shape}.")
    return array.shape.rank


def _split(outputs, is_dict):
    if not is_dict:
        return base.to_numpy(outputs)
    return {k: base.to_numpy(v) for k, v in outputs.items()}


def build(layer, inputs, n, seed, variants, value_range=None, cell_size=None, mask_alpha=0.45,
          title=None):
    """Runs ``layer`` and builds the image :class:`~tfaug.viz.base.Preview`."""
    batch, is_dict = prepare(inputs, n)
    if value_range is None:
        value_range = getattr(layer, "value_range", None) or (0, 255)
    outs = [_split(layer(batch, training=True, seed=base.variant_seed(seed, j)), is_dict)
            for j in range(variants)]
    originals = _split(batch, is_dict)
    columns = [originals] + outs
    masks = boxes = None
    if is_dict:
        images = [c["images"] for c in columns]
        if "masks" in originals:
            masks = [c["masks"] for c in columns]
        if "boxes" in originals:
            boxes = [c["boxes"] for c in columns]
    else:
        images = columns
    if title is None:
        title = f"{type(layer).__name__}: originals (left), {variants} variants (seed {seed})"
    figure = image_grid(images[0], images[1:], masks=masks, boxes=boxes,
                        value_range=tuple(value_range), cell_size=cell_size,
                        mask_alpha=mask_alpha, title=title)
    return base.Preview("image", originals, outs, figure=figure, seed=seed,
                        writer=base.write_figure)
