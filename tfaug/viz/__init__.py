"""Previews of what an augmentation does: image grids, audio waveforms and
log-mel spectrograms (plus WAVs), text diffs, tabular PCA and histograms.

:func:`preview` is the one call; the building blocks are usable alone:
:func:`image_grid`, :func:`audio_figure`, :func:`log_mel`, :func:`text_diff`
(with :func:`diff_tokens` and :func:`describe_diff`), :func:`tabular_figure`
(with :func:`pca_2d`, :func:`pca_axes` and :func:`standardize`);
:func:`read_inputs` reads preview inputs from image, WAV, text and CSV files.
Every variant is labelled with what was drawn for it (the layer's
:meth:`~tfaug.core.Augmentation.describe_draw`; for text, the words the diff
shows changed): ``Preview.labels``.
matplotlib is needed for the figures (``pip install "tfaugment[viz]"``); it
is imported on first use, and figures are drawn on an Agg canvas without
pyplot.

Example:
  >>> images = tf.cast(tf.random.uniform([4, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
  >>> p = tfaug.viz.preview("light_image", images, n=4, path="preview.png")
  >>> grid = p.to_image()            # the grid as RGB uint8
  >>> grid.dtype, grid.shape[-1]
  (dtype('uint8'), 3)
  >>> t = tfaug.viz.preview(tfaug.text.SynonymReplace(n=1), ["not a good day"],
  ...                       path=None)
  >>> len(t.variants), t.text is not None  # 4 variants, shown as a diff
  (4, True)
"""

from tfaug.viz import inputs
from tfaug.viz.audio import audio_figure, log_mel
from tfaug.viz.base import Preview, variant_seed
from tfaug.viz.image import image_grid
from tfaug.viz.inputs import read_inputs
from tfaug.viz.preview import preview
from tfaug.viz.tabular import pca_2d, pca_axes, standardize, tabular_figure
from tfaug.viz.text import Edit, describe_diff, diff_tokens, text_diff

__all__ = ["Edit", "Preview", "audio_figure", "describe_diff", "diff_tokens", "image_grid",
           "inputs", "log_mel", "pca_2d", "pca_axes", "preview", "read_inputs", "standardize",
           "tabular_figure", "text_diff", "variant_seed"]
