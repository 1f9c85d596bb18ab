"""Warping image layers: per-sample projective (perspective) and elastic warps.

Like the layers of :mod:`tfaug.image.geometric`, they move images, masks
(nearest) and boxes with the same per-sample warp; ``RandomPerspective`` is a
matrix layer and fuses with its neighbours in a ``tfaug.Sequence``.

Strength: the keyword-only ``strength`` of the base class (a scale ``>= 0`` in
a variable, 1 = as configured, 0 = the identity; ``set_strength`` changes the
next batch without a retrace) multiplies the corner moves and the elastic
displacement (``strength_scales = "parameters"``); above 1 a corner's move is
clamped so the quadrilateral stays valid.
"""

from __future__ import annotations

from typing import Any

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
    """Random projective (perspective) distortion, per sample (``keras.layers.RandomPerspective``).

    As Keras: per sample an apply chance ``p`` is drawn uniformly from
    ``factor`` and the sample is distorted when a second uniform draw falls
    below it (so ``factor=1.0`` distorts half the samples, on average). The
    corner pixel centres ``(0, 0)``, ``(W-1, 0)``, ``(0, H-1)``, ``(W-1, H-1)``
    are each multiplied by ``1 + f`` per axis, ``f`` uniform in
    ``[-scale/2, scale/2]`` (so the top-left corner stays put), and the content
    follows the homography that takes the corners there (solved per sample,
    a batched 8x8 linear solve).

    Args:
      factor: Range of the apply chance: a number ``f`` in ``[0, 1]`` means
        ``(0, f)``, or a pair (sorted) in ``[0, 1]``; 0 is the identity.
      scale: Largest relative corner move, in ``[0, 1]``; 0 is the identity.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_value: Fill outside the image, in ``value_range`` units.
      seed: Initial seed state.
      data_format: ``"channels_last"``, ``"channels_first"`` or None
        (``keras.config.image_data_format()``).
      fill_mode: Keyword-only: ``"constant"`` (Keras' behaviour), ``"reflect"``,
        ``"nearest"`` or ``"wrap"``.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the corner
        moves ``f`` (clamped to ``>= -0.9`` above strength 1, so corners never
        cross the top-left one).
      probability: Keyword-only: per-sample chance that the layer applies at
        all (on top of ``factor``).
      value_range: Keyword-only: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> out = tfaug.image.RandomPerspective(scale=0.3, seed=0)(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    # Corners as multiples of (W - 1, H - 1), in Keras' order (TL, TR, BL, BR).
    _CORNERS = ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0))
    strength_scales = "parameters"

    def __init__(self, factor: float | tuple[float, float] = 1.0, scale: float = 1.0,
                 interpolation: str = "bilinear", fill_value: float = 0.0, seed: int | None = None,
                 data_format: str | None = None, *, fill_mode: str = "constant",
                 probability: float = 1.0, value_range: tuple[float, float] = (0, 255),
                 **kwargs: Any) -> None:
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.factor = validation.check_keras_factor("factor", factor, 0.0, 1.0)
        if not (validation.is_finite_number(scale) and 0.0 <= scale <= 1.0):
            raise (validation.ArgumentError if validation.is_number(scale)
                   else validation.ArgumentTypeError)(
                "scale", scale, "a finite number in [0, 1]",
                f"The `scale` argument should be a number in the range [0,1]. "
                f"Received: scale={scale!r}")
        self.scale = float(scale)

    def sample_params(self, batch_size, seed):
        s = tf.unstack(seeds_lib.split(seed, 3))
        chance = _uniform(s[0], batch_size, self.factor)
        apply = seeds_lib.uniform([batch_size], s[1]) < chance
        moves = seeds_lib.uniform([batch_size, 4, 2], s[2], -0.5, 0.5) * self.scale
        # Above strength 1 a corner stops before reaching the top-left one.
        moves = tf.maximum(moves * self.strength_tensor(), -0.9)
        return {"apply": apply, "moves": moves}

    def corners(self, params, height, width):
        """``(start, end)`` ``[B, 4, 2]``: the corner pixel centres (tfaug's
        continuous coordinates) and where the content at each goes. Params
        from Keras' keys hold the points themselves (``start_points``,
        ``end_points``, on pixel indices) instead of ``moves``."""
        if "moves" not in params:
            return params["start_points"] + 0.5, params["end_points"] + 0.5
        h, w = float_size(height, width)
        moves = params["moves"]
        start = tf.constant(self._CORNERS) * tf.stack([w - 1.0, h - 1.0])
        start = tf.broadcast_to(start[None], tf.shape(moves))
        end = start * (1.0 + moves)
        return start + 0.5, end + 0.5

    def matrix(self, params, height, width):
        start, end = self.corners(params, height, width)
        m = affine.homography(end, start)  # output (end) -> input (start)
        # Unmoved corners give the exact identity (a solve would be off by ulps).
        moved = params["apply"] & tf.reduce_any(tf.not_equal(start, end), [1, 2])
        return tf.where(moved[:, None, None], m, affine.identity(tf.shape(m)[0]))

    def keras_transformation(self, params, data):
        """Keras' keys: ``apply_perspective`` ``[B]`` (False also where the
        layer's ``probability`` gate is off), ``start_points`` and
        ``end_points`` ``[B, 4, 2]`` (the corner pixels on pixel indices, and
        where their content goes)."""
        start, end = self.corners(params, *spatial(data["images"]))
        apply = params["apply"]
        if GATE in params:
            apply = apply & params[GATE]
        return {"apply_perspective": apply, "start_points": start - 0.5,
                "end_points": end - 0.5}

    def from_keras_transformation(self, transformation, data):
        """Keras' ``apply_perspective``/``start_points``/``end_points`` ->
        ``apply`` and the points (any four points, not only the corners)."""
        if "moves" in transformation:
            return transformation
        batch = self.batch_size(data)

        def points(key):
            value = tf.reshape(tf.cast(transformation[key], tf.float32), [-1, 4, 2])
            return tf.broadcast_to(value, [batch, 4, 2])

        apply = tf.reshape(tf.cast(transformation["apply_perspective"], tf.bool), [-1])
        return dict(transformation, apply=tf.broadcast_to(apply, [batch]),
                    start_points=points("start_points"), end_points=points("end_points"))


def _uniform(seed, batch_size, bounds):
    return seeds_lib.uniform([batch_size], seed, bounds[0], bounds[1])


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
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> out = tfaug.image.RandomElastic(alpha=4.0, grid=4, seed=0)(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    fusible = False
    strength_scales = "parameters"

    def __init__(self, alpha: float = 4.0, grid: int = 4, *, interpolation: str = "bilinear",
                 fill_mode: str = "reflect", fill_value: float = 0.0, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
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
        return _elastic(self, data, d)


def _elastic(layer, data, d):
    """Moves images, masks (nearest) and boxes of ``data`` by the control-grid
    displacements ``d`` ``[B, G, G, 2]`` (pixels)."""
    out = dict(data)
    out["images"] = elastic_ops.elastic_transform(
        data["images"], d, layer.interpolation, layer.fill_mode,
        layer.to_unit(layer.fill_value))
    if "masks" in data:
        masks = data["masks"]
        moved = elastic_ops.elastic_transform(tf.cast(masks, tf.float32), d, "nearest",
                                              layer.fill_mode, 0.0)
        out["masks"] = tf.cast(moved, masks.dtype)
    if "boxes" in data:
        height, width = spatial(data["images"])
        out["boxes"] = elastic_ops.elastic_boxes(data["boxes"], d, height, width)
    return out


@registry.register
class RandomElasticTransform(GeometricAugmentation):
    """Random elastic deformation (``keras.layers.RandomElasticTransform``).

    As Keras: per sample an apply chance ``p`` is drawn uniformly from
    ``factor``, and the sample is deformed when a second uniform draw falls
    below it; a distortion ``s`` is drawn uniformly from ``scale``, giving
    Keras' ``alpha = 0.1 s max(H, W)`` and ``sigma = 0.05 s min(H, W)``
    pixels. Keras blurs per-pixel Gaussian noise ``N(0, sigma^2)`` with a
    Gaussian of width ``sigma`` and multiplies it by ``alpha``; tfaug builds
    the same kind of field on its elastic op (:func:`tfaug.image.ops.elastic_field`):
    ``N(0, alpha^2)`` displacements at a ``G x G`` control grid blended with
    Gaussian weights one control spacing wide, which gives the field Keras'
    standard deviation (``alpha / (2 sqrt(pi))``) and, with
    ``G = round(20 / scale_max)`` (in ``[2, 32]``), Keras' smoothness at the
    largest scale. Differences: ``s`` is drawn per sample (Keras: once per
    batch), the smoothness does not shrink with smaller draws, and x and y
    displacements are independent (Keras draws them from one seed, so they
    are equal).

    Args:
      factor: Range of the apply chance: a number ``f`` in ``[0, 1]`` means
        ``(0, f)``, or a pair (sorted) in ``[0, 1]``; 0 is the identity.
      scale: Range of the distortion ``s``, a number (``(0, s)``) or a pair in
        ``[0, 1]``; 0 is the identity.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_mode: ``"reflect"`` (default), ``"constant"``, ``"nearest"`` or ``"wrap"``.
      fill_value: Fill for constant mode, in ``value_range`` units.
      value_range: ``(low, high)`` of float inputs; outputs are clipped to it.
      seed: Initial seed state.
      data_format: ``"channels_last"``, ``"channels_first"`` or None
        (``keras.config.image_data_format()``).
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the
        displacements.
      probability: Keyword-only: per-sample chance that the layer applies at
        all (on top of ``factor``).

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> out = tfaug.image.RandomElasticTransform(scale=0.5, seed=0)(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    fusible = False
    strength_scales = "parameters"

    def __init__(self, factor: float | tuple[float, float] = 1.0,
                 scale: float | tuple[float, float] = 1.0, interpolation: str = "bilinear",
                 fill_mode: str = "reflect", fill_value: float = 0.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 data_format: str | None = None, *, probability: float = 1.0,
                 **kwargs: Any) -> None:
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.factor = validation.check_keras_factor("factor", factor, 0.0, 1.0)
        self.scale = validation.check_keras_factor("scale", scale, 0.0, 1.0)
        top = self.scale[1]
        self.grid_size = 2 if top == 0 else min(32, max(2, round(20.0 / top)))

    def sample_params(self, batch_size, seed):
        s = tf.unstack(seeds_lib.split(seed, 4))
        chance = _uniform(s[0], batch_size, self.factor)
        apply = seeds_lib.uniform([batch_size], s[1]) < chance
        distortion = _uniform(s[2], batch_size, self.scale)
        amount = tf.where(apply, distortion, 0.0) * self.strength_tensor()
        noise = seeds_lib.normal([batch_size, self.grid_size, self.grid_size, 2], s[3])
        return {"amount": amount, "noise": noise}

    def matrix(self, params, height, width):
        raise NotImplementedError("RandomElasticTransform moves pixels by a field, "
                                  "not a matrix.")

    def keras_transformation(self, params, data):
        """Keras' ``apply_transform`` ``[B]`` and ``distortion_factor``: tfaug
        draws the distortion per sample, so it is ``[B]`` (Keras: one scalar),
        0 where the layer does not apply. Keras' ``seed`` has no counterpart:
        the drawn field is tfaug's ``noise``."""
        del data
        amount = params["amount"]
        if GATE in params:
            amount = tf.where(params[GATE], amount, 0.0)
        return {"apply_transform": amount > 0.0, "distortion_factor": amount}

    def from_keras_transformation(self, transformation, data):
        """Keras' ``apply_transform``/``distortion_factor``/``seed`` -> tfaug's
        ``amount`` and ``noise``: the field is tfaug's, drawn from ``seed``
        (an int or ``[2]`` integer seed; else the layer's seed state), so it
        has Keras' size, not Keras' values."""
        if "noise" in transformation:
            return transformation
        batch = self.batch_size(data)
        apply = tf.reshape(tf.cast(transformation["apply_transform"], tf.bool), [-1])
        factor = tf.reshape(tf.cast(transformation["distortion_factor"], tf.float32), [-1])
        amount = tf.where(tf.broadcast_to(apply, [batch]),
                          tf.broadcast_to(factor, [batch]), 0.0)
        seed = transformation.get("seed")
        seed = seeds_lib.as_seed(seed) if _is_int_seed(seed) else self.next_seed()
        noise = seeds_lib.normal([batch, self.grid_size, self.grid_size, 2], seed)
        return dict(transformation, amount=amount, noise=noise)

    def transform(self, data, params):
        height, width = float_size(*spatial(data["images"]))
        amount = params["amount"]
        if GATE in params:
            amount = amount * tf.cast(params[GATE], tf.float32)
        alpha = 0.1 * tf.maximum(height, width) * amount  # Keras' alpha, per sample
        return _elastic(self, data, params["noise"] * alpha[:, None, None, None])


def _is_int_seed(seed):
    """An int or an integer tensor/array (not Keras' ``SeedGenerator`` or None)."""
    if isinstance(seed, bool):
        return False
    if isinstance(seed, int):
        return True
    return hasattr(seed, "dtype") and tf.as_dtype(seed.dtype).is_integer
