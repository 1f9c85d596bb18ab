"""Geometric image layers.

Every layer here draws its parameters per sample and moves images, masks
(nearest) and boxes (xyxy pixels) with the same per-sample matrix; inside a
``tfaug.Sequence`` consecutive geometric layers are fused and resampled once.
"""

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.core.base import GATE
from tfaug.image.base import GeometricAugmentation, _spatial
from tfaug.image.ops import affine

_FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


@registry.register
class RandomFlip(GeometricAugmentation):
    """Flips images horizontally and/or vertically, per sample.

    In ``"horizontal_and_vertical"`` mode each axis is drawn independently, so
    all four outcomes occur.

    Args:
      mode: ``"horizontal"``, ``"vertical"`` or ``"horizontal_and_vertical"``.
      rate: Per-sample, per-axis chance of a flip, in ``[0, 1]``.
      probability: Per-sample chance that the layer applies at all.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> flip = tfaug.image.RandomFlip("horizontal", seed=0)
      >>> out = flip(images, training=True)
    """

    def __init__(self, mode="horizontal", rate=0.5, probability=1.0,
                 value_range=(0, 255), seed=None, **kwargs):
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.mode = validation.check_choice("mode", mode, _FLIP_MODES)
        self.rate = validation.check_probability("rate", rate)

    def sample_params(self, batch_size, seed):
        h_seed, v_seed = tf.unstack(seeds_lib.split(seed, 2))
        no = tf.zeros([batch_size], tf.bool)
        horizontal = (seeds_lib.uniform([batch_size], h_seed) < self.rate
                      if self.mode != "vertical" else no)
        vertical = (seeds_lib.uniform([batch_size], v_seed) < self.rate
                    if self.mode != "horizontal" else no)
        return {"horizontal": horizontal, "vertical": vertical}

    def _flags(self, params):
        h, v = params["horizontal"], params["vertical"]
        if GATE in params:
            h, v = h & params[GATE], v & params[GATE]
        return h, v

    def matrix(self, params, height, width):
        h, v = self._flags(params)
        return affine.flip(h, v, height, width)

    def transform(self, data, params):
        # A lone flip is an exact reversal: cheaper than resampling.
        h, v = self._flags(params)
        out = dict(data)

        def flip_rows(x):
            x = tf.where(tf.reshape(h, [-1, 1, 1, 1]), affine.flip_left_right(x), x)
            return tf.where(tf.reshape(v, [-1, 1, 1, 1]), affine.flip_up_down(x), x)

        out["images"] = flip_rows(data["images"])
        if "masks" in data:
            out["masks"] = flip_rows(data["masks"])
        if "boxes" in data:
            height, width = _spatial(data["images"])
            out["boxes"] = affine.transform_boxes(
                data["boxes"], affine.flip(h, v, height, width), (height, width))
        return out
