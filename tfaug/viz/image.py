"""Image previews: a grid with the originals in the first column and the
augmented variants beside them (one row per sample), masks as a translucent
overlay and boxes as rectangles, and under each variant what was drawn for it
(:meth:`tfaug.core.Augmentation.describe_draw`: the angle, the flip, a
policy's ops and levels, the branch a composition took).

Every image keeps its aspect ratio: it is scaled by one factor (a whole
factor, nearest neighbour, when it is at most ``cell_size`` pixels; shrunk,
smoothed, when larger) and centred in its slot, the rest of the slot left
blank (padding, never stretching). Slots are as wide as the widest image of
their column and as tall as the tallest of their row, so images of other
sizes and crops show at their own shape. The pixel box of each image is in
``figure.tfaug_cells`` and that of each slot in ``figure.tfaug_slots``.
"""

from __future__ import annotations

from collections.abc import Sequence
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
import tensorflow as tf

from tfaug.core import seeds as seeds_lib
from tfaug.viz import base

if TYPE_CHECKING:  # matplotlib (the [viz] extra) is imported on first use
    from matplotlib.figure import Figure

IMAGE_KEYS = ("images", "labels", "masks", "boxes")
OPTIONS = ("value_range", "cell_size", "mask_alpha", "title")
_PAD, _HEADER = 4, 18
_LABEL_FONT, _LINE_PX, _CHAR_PX, _LABEL_MIN_W = 6.5, 10, 5.0, 132
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
    """(zoom, cell_h, cell_w): integer zoom when the image fits ``cell_size``;
    otherwise one scale for both sides (the aspect ratio is kept)."""
    longest = max(height, width)
    if longest <= cell_size:
        zoom = max(1, cell_size // longest)
        return zoom, height * zoom, width * zoom
    scale = cell_size / longest
    return None, max(1, round(height * scale)), max(1, round(width * scale))


def _row_cells(row_images, cell_size):
    """Each image of a row at the original's scale (column 0), so a crop shows
    smaller than its source; an image that would exceed twice ``cell_size``
    at that scale gets its own fit."""
    zoom, cell_h, _ = _cell_px(row_images[0].shape[0], row_images[0].shape[1], cell_size)
    scale = zoom or cell_h / row_images[0].shape[0]
    cells = []
    for image in row_images:
        h, w = image.shape[:2]
        if max(h, w) * scale > 2 * cell_size:
            cells.append(_cell_px(h, w, cell_size))
        elif zoom:
            cells.append((zoom, h * zoom, w * zoom))
        else:
            cells.append((None, max(1, round(h * scale)), max(1, round(w * scale))))
    return cells


def _images_of(column, name):
    """A column (``[B, H, W, C]`` / ``[B, H, W]`` array or list of images) -> list."""
    if isinstance(column, (list, tuple)):
        images = [np.asarray(image) for image in column]
    else:
        batch = np.asarray(column)
        if batch.ndim not in (3, 4):
            raise ValueError(f"`{name}` must be a batch [B, H, W, C] or [B, H, W] or a list "
                             f"of images, got shape {batch.shape}.")
        images = list(batch)
    if not images or any(i.ndim not in (2, 3) or 0 in i.shape[:2] for i in images):
        raise ValueError(f"`{name}` must hold at least one non-empty image [H, W, C] or "
                         f"[H, W], got shapes {[i.shape for i in images]}.")
    return images


def wrap_label(text, width_px):
    """A label wrapped to ``width_px``: a line per step (``"; "``), each step
    wrapped at about 5 px a character (6.5 pt)."""
    chars = max(8, int(width_px / _CHAR_PX))
    lines = []
    for step in str(text).split("; "):
        lines += textwrap.wrap(step, chars, break_on_hyphens=False) or [""]
    return "\n".join(lines)


def image_grid(originals: np.ndarray | Sequence[np.ndarray], variants: Sequence[Any],
               masks: Sequence[Any] | None = None, boxes: Sequence[Any] | None = None,
               value_range: tuple[float, float] = (0, 255), cell_size: int | None = None,
               mask_alpha: float = 0.45, title: str | None = None,
               column_titles: Sequence[str] | None = None,
               labels: Sequence[Sequence[str] | None] | None = None) -> Figure:
    """A grid figure: row ``i`` is sample ``i``, column 0 its original, column
    ``j + 1`` its variant ``j``; each image at its own aspect ratio.

    Args:
      originals: ``[B, H, W, C]`` (or ``[B, H, W]``) uint8 or float images, or
        a list of ``B`` images ``[H, W, C]`` of different sizes.
      variants: A list of image batches (or lists) like ``originals`` (sizes
        may differ: crops and resizes).
      masks: None or a list of ``1 + len(variants)`` mask batches (``[B, H, W]``
        or ``[B, H, W, 1]``, integer classes, 0 = background) for the columns,
        drawn as a translucent overlay.
      boxes: None or a list of ``1 + len(variants)`` box batches: ``[B, N, 4]``
        xyxy pixels (rows of -1 are padding) or per-sample lists of ``[N, 4]``.
      value_range: ``(low, high)`` float images are read under; uint8 images
        are always read as ``(0, 255)``.
      cell_size: Longest side of a shown original in pixels; smaller images
        are scaled by a whole factor (nearest neighbour), larger ones shrunk
        (smoothed), both sides by the same factor; the variants of a row use
        the original's factor (a crop shows smaller), unless that makes them
        longer than twice ``cell_size``. Default: 128 when every
        original is at most 128 pixels, else 192.
      mask_alpha: Opacity of the mask overlay in ``(0, 1]``.
      title: Optional figure title.
      column_titles: Optional header of each column (default ``original``,
        ``variant 0`` ...: variant ``j`` is ``variants[j]``; ``orig.``,
        ``v0`` ... in slots narrower than 56 px). Titles shrink to fit.
      labels: None or a list of ``1 + len(variants)`` lists of ``B`` strings
        (or None) printed under the images (a line per ``"; "``-separated
        step, wrapped to the slot; slots are at least 132 px wide then).

    Returns:
      A matplotlib ``Figure`` (Agg canvas) with ``figure.tfaug_cells[(row,
      col)] = (top, left, height, width)``, the pixel box of each image in
      ``Preview.to_image()``, and ``figure.tfaug_slots`` the same for the
      slot it is centred in (the rest of the slot is blank padding).

    Raises:
      ValueError: a bad shape, value range or mask/box/label list length.

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 48, 3], 0, 256, tf.int32), tf.uint8)
      >>> flipped = images[:, :, ::-1]
      >>> rotated = tf.image.rot90(images)  # [2, 48, 32, 3]: shown at its own aspect
      >>> flip_words, angles = ["flipped"] * 2, ["angle=90°"] * 2
      >>> fig = image_grid(images, [flipped, rotated], labels=[None, flip_words, angles])
      >>> type(fig).__name__
      'Figure'
    """
    columns = [_images_of(originals, "originals")] + [
        _images_of(v, f"variants[{j}]") for j, v in enumerate(variants)]
    rows = len(columns[0])
    if len(value_range) != 2 or not value_range[1] > value_range[0]:
        raise ValueError(f"`value_range` must be (low, high) with high > low, got "
                         f"{value_range!r}.")
    if not 0 < mask_alpha <= 1:
        raise ValueError(f"`mask_alpha` must be in (0, 1], got {mask_alpha!r}.")
    for name, extra in (("masks", masks), ("boxes", boxes), ("labels", labels)):
        if extra is not None and len(extra) != len(columns):
            raise ValueError(f"`{name}` must hold one batch per column ({len(columns)}: the "
                             f"originals and {len(columns) - 1} variants), got {len(extra)}.")
    if any(len(c) != rows for c in columns):
        raise ValueError(f"every variant must hold {rows} images (one per original), got "
                         f"{[len(c) for c in columns]}.")
    if cell_size is None:
        cell_size = 128 if max(max(i.shape[:2]) for i in columns[0]) <= 128 else 192
    if isinstance(cell_size, bool) or not isinstance(cell_size, int) or cell_size < 8:
        raise ValueError(f"`cell_size` must be an int >= 8 (pixels), got {cell_size!r}.")
    by_row = [_row_cells([c[r] for c in columns], int(cell_size)) for r in range(rows)]
    cells = [[by_row[r][c] for r in range(rows)] for c in range(len(columns))]
    has_labels = labels is not None and any(
        text for column in labels if column is not None for text in column)
    col_w = [max(cell[2] for cell in column) for column in cells]
    if has_labels:
        col_w = [max(w, _LABEL_MIN_W) for w in col_w]
    texts = [[None] * rows for _ in columns]
    if has_labels:
        for c, column in enumerate(labels):
            for r in range(rows):
                if column is not None and column[r]:
                    texts[c][r] = wrap_label(column[r], col_w[c] - 4)
    image_h = [max(cells[c][r][1] for c in range(len(columns))) for r in range(rows)]
    label_h = [max((t.count("\n") + 1) * _LINE_PX + 4 if t else 0
                   for t in (texts[c][r] for c in range(len(columns)))) for r in range(rows)]
    if column_titles:
        titles = column_titles
    elif min(col_w) >= 56:
        titles = ["original"] + [f"variant {j}" for j in range(len(variants))]
    else:  # narrow slots
        titles = ["orig."] + [f"v{j}" for j in range(len(variants))]
    width = sum(col_w) + _PAD * (len(columns) + 1)
    if title:  # wrapped to the grid's width (~5.5 px a character at 9 pt)
        title = "\n".join(textwrap.wrap(title, max(12, int((width - 2 * _PAD) / 5.5))))
    top = _HEADER + (_HEADER + 11 * title.count("\n") if title else 0)
    height = top + sum(image_h) + sum(label_h) + _PAD * (rows + 1)
    fig = base.new_figure(width, height)
    if title:
        base.fit_text(fig, 0.5, 1 - 2 / height, title, width - 2 * _PAD, fontsize=9,
                      ha="center", va="top")
    fig.tfaug_cells, fig.tfaug_slots = {}, {}
    cmap = _mask_cmap()
    left = _PAD
    for col, column in enumerate(columns):
        base.fit_text(fig, (left + col_w[col] / 2) / width, 1 - (top - 3) / height,
                      titles[col], col_w[col] - 2, fontsize=8, ha="center", va="bottom")
        y0 = top + _PAD
        for row in range(rows):
            zoom, cell_h, cell_w = cells[col][row]
            # Centred in the slot: the rest of the slot stays blank (padding).
            x = left + (col_w[col] - cell_w) // 2
            y = y0 + (image_h[row] - cell_h) // 2
            axis = fig.add_axes([x / width, 1 - (y + cell_h) / height, cell_w / width,
                                 cell_h / height])
            axis.set_axis_off()
            pixels, grey = _display(column[row], value_range)
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
            fig.tfaug_cells[(row, col)] = (y, x, cell_h, cell_w)
            fig.tfaug_slots[(row, col)] = (y0, left, image_h[row], col_w[col])
            if texts[col][row]:
                base.fit_text(fig, (left + 2) / width, 1 - (y0 + image_h[row] + 2) / height,
                              texts[col][row], col_w[col] - 4, fontsize=_LABEL_FONT,
                              min_fontsize=4.5, ha="left", va="top", linespacing=1.05)
            y0 += image_h[row] + label_h[row] + _PAD
        left += col_w[col] + _PAD
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


def _image_list(inputs):
    """A list/tuple of ``[H, W, C]`` images (arrays or tensors) -> list of arrays, else None."""
    if not isinstance(inputs, (list, tuple)) or not inputs or \
            isinstance(inputs[0], (str, bytes)):
        return None
    arrays = []
    for image in inputs:
        value = image.numpy() if tf.is_tensor(image) else image
        if not hasattr(value, "shape") or np.ndim(value) != 3:
            return None
        arrays.append(np.asarray(value))
    return arrays


def _check_sized(arrays):
    """Images of different sizes: each valid, one dtype and channel count."""
    for a in arrays:
        _check_images(a)
    if len({a.dtype for a in arrays}) != 1 or len({a.shape[-1] for a in arrays}) != 1:
        raise TypeError(f"image `inputs` given as a list of images of different sizes must "
                        f"share one dtype and channel count, got "
                        f"{sorted({(str(a.dtype), a.shape[-1]) for a in arrays})}.")
    return arrays


def prepare(inputs, n):
    """User inputs -> (batched inputs cut to ``n`` samples, is_dict); a list of
    images of different sizes -> (list of ``[1, H, W, C]`` batches, False)."""
    listed = _image_list(inputs)
    if listed is not None:
        if len({a.shape for a in listed}) != 1:
            return [tf.constant(a[None]) for a in _check_sized(listed)[:n]], False
        # One size: an ordinary batch, stacked as numpy so uint8 stays uint8
        # (tf.convert_to_tensor of a list of uint8 arrays gives int32).
        inputs = np.stack(listed)
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
    return (_add_batch(inputs) if rank == 3 else _cut(inputs, n)), False


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


def image_seed(seed, j, i):
    """The call seed of image ``i`` of variant ``j`` when the images have
    different sizes (each runs alone): ``fold_in(variant_seed(seed, j), i)``."""
    return seeds_lib.fold_in(base.variant_seed(seed, j), i)


def _size_note(original, variant):
    """``"; out HxW px"`` when the variant's size differs from the original's."""
    if tuple(original.shape[:2]) == tuple(variant.shape[:2]):
        return ""
    return f"; out {variant.shape[0]}x{variant.shape[1]} px"


def _labels(original_images, variant_images, words):
    """Column labels: the originals' sizes, then each variant's drawn words."""
    labels = [[f"{a.shape[0]}x{a.shape[1]} px" for a in original_images]]
    for images, texts in zip(variant_images, words):
        labels.append([(texts[i] if texts is not None else "") + _size_note(a, images[i])
                       for i, a in enumerate(original_images)])
    return labels


def build(layer, inputs, n, seed, variants, value_range=None, cell_size=None, mask_alpha=0.45,
          title=None):
    """Runs ``layer`` and builds the image :class:`~tfaug.viz.base.Preview`.

    Images of different sizes (a list) run one at a time, image ``i`` of
    variant ``j`` with :func:`image_seed` ``(seed, j, i)``; ``originals`` and
    each entry of ``variants`` are then lists of ``[H, W, C]`` arrays.
    """
    batch, is_dict = prepare(inputs, n)
    if value_range is None:
        value_range = getattr(layer, "value_range", None) or (0, 255)
    outs, words = [], []
    for j in range(variants):
        if isinstance(batch, list):  # images of different sizes, one call each
            runs = [base.run_variant(layer, one, image_seed(seed, j, i))
                    for i, one in enumerate(batch)]
            outs.append([base.to_numpy(out)[0] for out, _ in runs])
            words.append(None if any(w is None for _, w in runs) else [w[0] for _, w in runs])
        else:
            out, texts = base.run_variant(layer, batch, base.variant_seed(seed, j))
            outs.append(_split(out, is_dict))
            words.append(texts)
    originals = [b.numpy()[0] for b in batch] if isinstance(batch, list) else \
        _split(batch, is_dict)
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
        title = (f"{type(layer).__name__}: originals (left), {variants} variants (seed {seed}); "
                 f"under each variant what was drawn for it")
    figure = image_grid(images[0], images[1:], masks=masks, boxes=boxes,
                        value_range=tuple(value_range), cell_size=cell_size,
                        mask_alpha=mask_alpha, title=title,
                        labels=_labels(list(images[0]), [list(v) for v in images[1:]], words))
    result = base.Preview("image", originals, outs, figure=figure, seed=seed,
                          writer=base.write_figure)
    result.labels = words
    return result
