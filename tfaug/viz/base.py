"""Shared pieces of the previews: the :class:`Preview` result, seeds, argument
checks, matplotlib loading and atomic file writes.

Figures are built with ``matplotlib.figure.Figure`` on an Agg canvas, never
with ``pyplot``: nothing opens a window, no global figure is left behind, and
the backend a notebook or script has chosen is not changed, so previews work
the same on a headless machine, in a test and in Jupyter.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Sequence
import io
import os
import pathlib
from typing import TYPE_CHECKING, Any

import keras
import numpy as np
import tensorflow as tf

from tfaug._version import DISTRIBUTION
from tfaug.core import files
from tfaug.core.base import Augmentation, augmentations

if TYPE_CHECKING:  # matplotlib (the [viz] extra) is imported on first use
    from matplotlib.figure import Figure

MODALITIES = ("image", "text", "audio", "tabular")
INSTALL_HINT = (f"tfaug.viz needs matplotlib (and pillow, which it brings) for its figures: "
                f"pip install \"{DISTRIBUTION}[viz]\"")


def require_matplotlib():
    """Imports matplotlib lazily; returns ``(Figure, FigureCanvasAgg)``.

    Raises:
      ImportError: matplotlib is missing (the message says
        ``pip install "tfaugment[viz]"``).
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - exercised by a monkeypatched test
        raise ImportError(INSTALL_HINT) from error
    return Figure, FigureCanvasAgg


def new_figure(width_px, height_px, dpi=100):
    """An empty Agg-backed figure of ``width_px`` x ``height_px`` pixels."""
    Figure, FigureCanvasAgg = require_matplotlib()
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def fit_text(fig, x, y, text, max_width_px, fontsize=8, min_fontsize=5, **kwargs):
    """``fig.text`` with the font shrunk (down to ``min_fontsize``) to fit ``max_width_px``."""
    artist = fig.text(x, y, text, fontsize=fontsize, **kwargs)
    renderer = fig.canvas.get_renderer()
    while fontsize > min_fontsize and artist.get_window_extent(renderer).width > max_width_px:
        fontsize -= 0.5
        artist.set_fontsize(fontsize)
    return artist


def figure_to_array(fig):
    """Renders ``fig``: ``np.uint8`` ``[H, W, 3]`` (RGB)."""
    canvas = fig.canvas
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def figure_to_png(fig):
    """PNG bytes of ``fig`` at its own size and dpi."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    return buffer.getvalue()


def write_bytes_atomically(path, data):
    """Writes ``data`` to ``path`` through a temporary file in the same folder
    and ``os.replace``: ``path`` is complete or absent, never half-written.

    Returns:
      ``path`` as a ``pathlib.Path``.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return files.write_atomically(path, lambda handle: handle.write(data), binary=True)


def variant_seed(seed: int | tf.Tensor, j: int | tf.Tensor) -> tf.Tensor:
    """The call seed of variant ``j`` of a preview made with ``seed``.

    Variant ``j`` is ``layer(inputs, training=True, seed=variant_seed(seed, j))``.

    Args:
      seed: The preview's int seed.
      j: Variant index (0-based).

    Returns:
      An int64 tensor ``[seed, j]``.

    Example:
      >>> layer = tfaug.image.RandomFlip()
      >>> images = tf.zeros([2, 8, 8, 3], tf.uint8)
      >>> out = layer(images, training=True, seed=variant_seed(0, 2))
      >>> variant_seed(0, 2).numpy().tolist()
      [0, 2]
    """
    return tf.constant([int(seed), int(j)], tf.int64)


def run_variant(layer, batch, seed):
    """One variant: ``(outputs, words)``.

    A tfaug layer runs through :meth:`~tfaug.core.Augmentation.call_with_params`
    (the outputs of ``layer(batch, training=True, seed=seed)``, with the
    parameters it drew) and ``words`` are its
    :meth:`~tfaug.core.Augmentation.describe_draw`, one string per sample (None
    for layers that draw inside their own call, such as ``SMOTE``); any other
    callable is called with ``training=True, seed=seed`` and ``words`` is None.
    """
    if isinstance(layer, Augmentation):
        out, params = layer.call_with_params(batch, seed)
        size = None
        for leaf in tf.nest.flatten(batch):
            if hasattr(leaf, "shape") and len(leaf.shape):
                size = int(leaf.shape[0])
                break
        return out, layer.describe_draw(params, size)
    return layer(batch, training=True, seed=seed), None


def check_count(name, value):
    """A count >= 1 (``n``, ``variants``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be an int >= 1, got {value!r}.")
    return int(value)


def check_seed(seed):
    """An int seed in int64 range."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or \
            not -2**63 <= int(seed) < 2**63:
        raise ValueError(f"`seed` must be an int (int64 range), got {seed!r}.")
    return int(seed)


def check_options(modality, options, allowed):
    """Raises TypeError for options the modality does not take."""
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise TypeError(f"unknown option(s) {unknown} for a {modality} preview; allowed: "
                        f"{sorted(allowed)}.")


def to_numpy(value):
    """Tensor / ragged tensor / array -> numpy (ragged: list of arrays)."""
    if isinstance(value, tf.RaggedTensor):
        return [row.numpy() for row in value]
    if tf.is_tensor(value):
        return value.numpy()
    return value


class Preview:
    """What :func:`tfaug.viz.preview` made.

    Attributes:
      modality: ``"image"``, ``"text"``, ``"audio"`` or ``"tabular"``.
      originals: The shown input samples: a numpy array (image, audio), a
        dict of arrays for dict inputs (image: ``images`` plus ``labels``,
        ``masks``, ``boxes`` when given; tabular: ``features`` and
        ``labels``), or a list of str (text).
      variants: A list of length ``variants``; entry ``j`` has the same
        structure as ``originals`` (tabular: possibly more rows).
      paths: The files written (``pathlib.Path``), empty when ``path=None``.
      figure: A matplotlib ``Figure`` (image, audio, tabular) or None (text).
      text: The terminal form (text) or None.
      html: HTML (text) or None.
      markdown: Markdown with each edit marked (text: swaps as numbered pairs,
        ~~deleted~~, **inserted**) or None.
      sample_rate: Hz of the clips (audio) or None.
      synthetic: Tabular: one bool array per variant, True for rows that are
        synthetic (appended by an oversampler) or augmented (row-preserving
        layers); None otherwise.
      spectrogram: Audio: True when the clips are spectrograms
        ``[n, time, freq]`` (SpecAugment layers; no WAVs), else False.
      seed: The preview's seed; variant ``j`` used ``variant_seed(seed, j)``.
      labels: What was drawn, per variant: a list (one per variant) of
        per-sample strings (image, audio: the layer's
        :meth:`~tfaug.core.Augmentation.describe_draw`; text: the words
        changed, from the diff), or None for a variant whose layer does not
        report its draws (``SMOTE``, a plain Keras layer); None for tabular.
    """

    def __init__(self, modality: str, originals: Any, variants: Sequence[Any],
                 figure: Figure | None = None, text: str | None = None, html: str | None = None,
                 markdown: str | None = None, sample_rate: int | None = None,
                 synthetic: Sequence[np.ndarray] | None = None, seed: int = 0,
                 writer: Callable[..., Iterable[pathlib.Path]] | None = None) -> None:
        self.modality = modality
        self.originals = originals
        self.variants = variants
        self.figure = figure
        self.text = text
        self.html = html
        self.markdown = markdown
        self.sample_rate = sample_rate
        self.synthetic = synthetic
        self.seed = seed
        self.spectrogram = False
        self.labels = None
        self.paths = []
        self._writer = writer

    def __repr__(self):
        return (f"Preview(modality={self.modality!r}, variants={len(self.variants)}, "
                f"paths={[str(p) for p in self.paths]})")

    def save(self, path):
        """Writes the preview's files for ``path`` (see :func:`tfaug.viz.preview`).

        Args:
          path: Target file (str or PathLike).

        Returns:
          The list of ``pathlib.Path`` written (also stored in ``paths``).
        """
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"`path` must be a str, an os.PathLike or None, got {path!r}.")
        self.paths = list(self._writer(self, pathlib.Path(path)))
        return self.paths

    def to_image(self):
        """The figure rendered as ``np.uint8`` ``[H, W, 3]``; None for text
        previews (they have no figure: use ``text``, ``html`` or ``markdown``)."""
        if self.figure is None:
            return None
        return figure_to_array(self.figure)

    def to_png(self):
        """The figure as PNG bytes (None for text previews)."""
        return None if self.figure is None else figure_to_png(self.figure)

    def _repr_png_(self):
        # Audio previews show as HTML (the figure plus players): no second copy.
        if self.figure is None or getattr(self, "_html_fn", None) is not None:
            return None
        return figure_to_png(self.figure)

    def _repr_html_(self):
        if self.html is not None:
            return self.html
        html_fn = getattr(self, "_html_fn", None)  # audio: figure plus players
        return html_fn() if html_fn is not None else None

    def png_data_uri(self):
        """``data:image/png;base64,...`` of the figure (None for text)."""
        if self.figure is None:
            return None
        data = figure_to_png(self.figure)
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def write_figure(preview, path):
    """Writer of figure modalities: the PNG at ``path``."""
    return [write_bytes_atomically(path, figure_to_png(preview.figure))]


def leaves(layer):
    """``layer`` and every tfaug layer nested in it (:func:`tfaug.core.augmentations`,
    which follows compositions, policies and Keras models); a plain callable alone."""
    if isinstance(layer, keras.layers.Layer):
        return [layer] + [inner for inner in augmentations(layer) if inner is not layer]
    return [layer]
