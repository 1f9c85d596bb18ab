"""Warping image layers: per-sample projective (perspective) and elastic warps.

Like the layers of :mod:`tfaug.image.geometric`, they move images, masks
(nearest) and boxes with the same per-sample warp; ``RandomPerspective`` is a
matrix layer and fuses with its neighbours in a ``tfaug.Sequence``.

Strength: the keyword-only ``strength`` of the base class (a scale ``>= 0`` in
a variable, 1 = as configured, 0 = the identity; ``set_strength`` changes the
next batch without a retrace) multiplies the corner offsets and the elastic
displacement (``strength_scales = "parameters"``); above 1 a corner's inward
move is clamped so the quadrilateral stays valid.
"""

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.core.base import GATE
from tfaug.image.base import GeometricAugmentation, float_size, spatial
from tfaug.image.ops import affine
from tfaug.image.ops import elastic as elastic_ops


@registry.register
class RandomPerspective(GeometricAugmentation):
    """Random projective (perspective) distortion, per sample.

    Each image corner moves inward by up to ``distortion_scale`` times half the
    width (along x) and half the height (along y), independently per corner
    and axis; the homography taking the corners to those points is solved per
    sample (a batched 8x8 linear solve).

    Args:
      distortion_scale: Largest corner move, in ``[0, 1]`` (torchvision's
        argument); 0 is the identity.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_mode: ``"constant"``, ``"reflect"``, ``"nearest"`` or ``"wrap"``.
      fill_value: Fill for constant mode, in ``value_range`` units.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the corner
        offsets; above 1 a corner's inward move is clamped to 0.9 of half the
        side (or its unscaled draw, if larger), so corners never meet.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> out = tfaug.image.RandomPerspective(0.3, seed=0)(images, training=True)
    """

    _INWARD = ((1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -1.0))  # TL, TR, BR, BL
    strength_scales = "parameters"

    def __init__(self, distortion_scale=0.5, interpolation="bilinear", fill_mode="constant",
                 fill_value=0.0, probability=1.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, **kwargs)
        self.distortion_scale = validation.check_number("distortion_scale",
                                                        distortion_scale, 0.0, 1.0)

    def sample_params(self, batch_size, seed):
        drawn = seeds_lib.uniform([batch_size, 4, 2], seed)
        offsets = drawn * self.strength_tensor()
        if self.distortion_scale > 0:
            # Above strength 1 a corner stops at 0.9 of its reach to the centre
            # (or at its unscaled draw, if further): never binds at strength <= 1.
            cap = tf.maximum(drawn, 0.9 / self.distortion_scale)
            offsets = tf.minimum(offsets, cap)
        return {"offsets": offsets}

    def corners(self, params, height, width):
        """``[B, 4, 2]`` output positions of the TL, TR, BR, BL input corners."""
        h, w = float_size(height, width)
        offsets = params["offsets"]
        reach = tf.stack([w, h]) * (0.5 * self.distortion_scale)
        base = affine.image_corners(tf.shape(offsets)[0], height, width)
        return base + tf.constant(self._INWARD) * offsets * reach

    def matrix(self, params, height, width):
        return affine.perspective(self.corners(params, height, width), height, width)


@registry.register
class RandomElastic(GeometricAugmentation):
    """Smooth random elastic deformation, per sample.

    Displacements ``(dx, dy)`` are drawn uniformly in ``[-alpha, alpha]`` pixels
    at a ``grid x grid`` lattice of control points and blended smoothly to
    every pixel (normalized Gaussian weights one control spacing wide), so a
    coarser grid gives a smoother field. Output pixel ``p`` reads the input at
    ``p + d(p)``. Images and masks (nearest) are resampled with gathers
    (compiles with XLA). Boxes are approximate: points along each box edge are
    moved forward (fixed-point inverse of the field) and the new box is their
    bounding box. Not a matrix, so it is never fused.

    Args:
      alpha: Largest control-point displacement in pixels, ``>= 0``; 0 is the
        identity.
      grid: Control points per side, an int in ``[2, 32]``.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_mode: ``"reflect"``, ``"constant"``, ``"nearest"`` or ``"wrap"``.
      fill_value: Fill for constant mode, in ``value_range`` units.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the
        displacements.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> out = tfaug.image.RandomElastic(alpha=4.0, grid=4, seed=0)(images, training=True)
    """

    fusible = False
    strength_scales = "parameters"

    def __init__(self, alpha=4.0, grid=4, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, probability=1.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, **kwargs)
        self.alpha = validation.check_number("alpha", alpha, 0.0)
        self.grid = validation.check_int("grid", grid, 2, 32)

    def sample_params(self, batch_size, seed):
        shape = [batch_size, self.grid, self.grid, 2]
        d = seeds_lib.uniform(shape, seed, -1.0, 1.0)
        return {"displacement": d * self.strength_tensor()}

    def matrix(self, params, height, width):
        raise NotImplementedError("RandomElastic moves pixels by a field, not a matrix.")

    def transform(self, data, params):
        d = params["displacement"] * self.alpha
        if GATE in params:
            d = d * tf.cast(params[GATE], tf.float32)[:, None, None, None]
        out = dict(data)
        out["images"] = elastic_ops.elastic_transform(
            data["images"], d, self.interpolation, self.fill_mode,
            self.to_unit(self.fill_value))
        if "masks" in data:
            masks = data["masks"]
            moved = elastic_ops.elastic_transform(tf.cast(masks, tf.float32), d, "nearest",
                                             self.fill_mode, 0.0)
            out["masks"] = tf.cast(moved, masks.dtype)
        if "boxes" in data:
            height, width = spatial(data["images"])
            out["boxes"] = elastic_ops.elastic_boxes(data["boxes"], d, height, width)
        return out
