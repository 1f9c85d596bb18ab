"""Previews of what an augmentation does: image grids, audio waveforms and
log-mel spectrograms (plus WAVs), text diffs, tabular PCA and histograms.

:func:`preview` is the one call; the building blocks are usable alone:
:func:`image_grid`, :func:`audio_figure`, :func:`log_mel`, :func:`text_diff`
(with :func:`diff_tokens`), :func:`tabular_figure` (with :func:`pca_2d`);
:func:`read_inputs` reads preview inputs from image, WAV, text and CSV files.
matplotlib is needed for the figures (``pip install tfaug[viz]``); it is
imported on first use, and figures are drawn on an Agg canvas without pyplot.

Example:
  >>> p = tfaug.viz.preview("light_image", images, n=8, path="preview.png")
  >>> p.to_image().shape            # the grid as RGB uint8
  >>> tfaug.viz.preview(tfaug.text.SynonymReplace(n=1), ["not a good day"],
  ...                   path=None).text
"""

from tfaug.viz import inputs
from tfaug.viz.audio import audio_figure, log_mel
from tfaug.viz.base import Preview, variant_seed
from tfaug.viz.image import image_grid
from tfaug.viz.inputs import read_inputs
from tfaug.viz.preview import preview
from tfaug.viz.tabular import pca_2d, tabular_figure
from tfaug.viz.text import diff_tokens, text_diff

__all__ = ["Preview", "audio_figure", "diff_tokens", "image_grid", "inputs", "log_mel", "pca_2d",
           "preview", "read_inputs", "tabular_figure", "text_diff", "variant_seed"]
