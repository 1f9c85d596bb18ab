"""Geometric image layers (the Keras-named flip, rotation, zoom, translation and
shear; tfaug's ``RandomAffine`` is in :mod:`tfaug.image.random_affine`).

Every layer here draws its parameters per sample and moves images, masks
(nearest) and boxes (xyxy pixels) with the same per-sample matrix (the elastic
layer with the same displacement field); inside a ``tfaug.Sequence``
consecutive matrix layers are fused and resampled once.

Strength: every layer takes the keyword-only ``strength`` of the base class, a
scale ``>= 0`` in a variable (``set_strength`` changes the next batch, no
retrace). 1 is the layer as configured (bitwise), 0 the identity. Every layer
but ``RandomFlip`` scales its parameters by it (``strength_scales =
"parameters"``): each drawn parameter's deviation from neutral is multiplied by
the strength ``m`` (angles, shifts, shears, corner offsets, displacements by
``m``; scale factors ``s`` become ``1 + m (s - 1)``, linear). Above 1 it
extrapolates, clamping parameters that would turn invalid. ``sample()`` returns
the scaled parameters, so fused matrices use each layer's own strength.
``RandomFlip`` has no continuous parameter: it applies to each sample with
probability ``probability * strength``.

Keras' transform API (``get_random_transformation``, ``transform_images``,
``transform_bounding_boxes``, ...): each layer's transformation holds tfaug's
params and Keras' keys with Keras' meanings (``flips``, ``angle`` in degrees
with ``rotation_matrix``, ``height_zoom``/``width_zoom``, ``translations`` in
pixels, ``shear_factor``); a transformation written with Keras' keys alone is
read through ``from_keras_transformation``. Boxes always follow tfaug's
geometry (the same map as the pixels, in continuous pixel coordinates), which
differs from Keras' box formulas for zoom (Keras' pixel-index centre, half a
pixel off its images) and shear (Keras shears relative coordinates).
"""

from __future__ import annotations

import math
from typing import Any

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.image.base import GeometricAugmentation, float_size, spatial
from tfaug.image.keras_args import with_gate, zero_ungated
from tfaug.image.ops import affine

_FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


@registry.register
class RandomFlip(GeometricAugmentation):
    """Flips images horizontally and/or vertically, per sample (``keras.layers.RandomFlip``).

    Each sample is flipped with chance ``rate`` (0.5, as Keras). In
    ``"horizontal_and_vertical"`` mode one draw flips both axes together (a
    half turn), as Keras does; ``independent=True`` draws each axis on its
    own instead, so all four outcomes occur.

    Args:
      mode: ``"horizontal"``, ``"vertical"`` or ``"horizontal_and_vertical"``
        (Keras' default).
      seed: Initial seed state.
      data_format: ``"channels_last"``, ``"channels_first"`` or None
        (``keras.config.image_data_format()``).
      rate: Keyword-only: per-sample chance of a flip, in ``[0, 1]`` (per axis
        when ``independent``).
      independent: Keyword-only: in ``"horizontal_and_vertical"`` mode, draw
        the two axes independently (tfaug's former behaviour).
      probability: Keyword-only: per-sample chance that the layer applies at all.
      value_range: Keyword-only: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> flip = tfaug.image.RandomFlip("horizontal", rate=1.0, seed=0)
      >>> out = flip(images, training=True)
      >>> bool(tf.reduce_all(out == images[:, :, ::-1]))  # every sample mirrored
      True
    """

    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None,
                 data_format: str | None = None, *, rate: float = 0.5, independent: bool = False,
                 probability: float = 1.0, value_range: tuple[float, float] = (0, 255),
                 **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         data_format=data_format, **kwargs)
        self.mode = validation.check_choice("mode", mode, _FLIP_MODES)
        self.rate = validation.check_probability("rate", rate)
        self.independent = validation.check_bool("independent", independent)

    def sample_params(self, batch_size, seed):
        h_seed, v_seed = tf.unstack(seeds_lib.split(seed, 2))
        no = tf.zeros([batch_size], tf.bool)
        horizontal = (seeds_lib.uniform([batch_size], h_seed) < self.rate
                      if self.mode != "vertical" else no)
        if self.mode == "horizontal":
            vertical = no
        elif self.mode == "vertical" or self.independent:
            vertical = seeds_lib.uniform([batch_size], v_seed) < self.rate
        else:  # Keras: one draw flips both axes
            vertical = horizontal
        return {"horizontal": horizontal, "vertical": vertical}

    def keras_transformation(self, params, data):
        """Keras' ``flips`` ``[B, 1, 1, 1]``: whether a sample is flipped (on
        every axis of ``mode``). Under ``independent=True`` the two axes differ
        and Keras' one key cannot say so: it reports a flip on either axis
        (``horizontal``/``vertical`` stay in the transformation and are used)."""
        del data
        horizontal, vertical = self._flags(params)
        flips = horizontal | vertical
        return {"flips": tf.reshape(flips, [-1, 1, 1, 1])}

    def from_keras_transformation(self, transformation, data):
        """``flips`` (Keras) -> ``horizontal``/``vertical``: a flip on every axis
        of ``mode``, one per sample (any shape with ``B`` values, or one for all)."""
        if "horizontal" in transformation:
            return transformation
        flips = tf.reshape(tf.cast(transformation["flips"], tf.bool), [-1])
        flips = tf.broadcast_to(flips, [self.batch_size(data)])
        no = tf.zeros_like(flips)
        return dict(transformation,
                    horizontal=flips if self.mode != "vertical" else no,
                    vertical=flips if self.mode != "horizontal" else no)

    def fusion_key(self):
        # A flip maps pixel centres onto pixel centres: exact under any
        # interpolation and never samples outside, so it fuses with any run.
        return (None, None, None, tuple(self.value_range))

    def _flags(self, params):
        return (with_gate(params["horizontal"], params),
                with_gate(params["vertical"], params))

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
            height, width = spatial(data["images"])
            out["boxes"] = affine.transform_boxes(
                data["boxes"], affine.flip(h, v, height, width), (height, width))
        return out


def _keras_factor(name, value, low, high):
    """Keras' factor parsing: a number ``f`` in ``[low, high]`` means
    ``(max(-|f|, low), |f|)`` (a negative number is legal); a pair is sorted.
    Every value must lie in ``[low, high]``."""
    return validation.check_keras_factor(name, value, low, high)


def _uniform(seed, batch_size, bounds):
    return seeds_lib.uniform([batch_size], seed, bounds[0], bounds[1])


@registry.register
class RandomRotation(GeometricAugmentation):
    """Rotates each image by a random angle (``keras.layers.RandomRotation`` arguments).

    Args:
      factor: Fraction of a full turn (``2 pi``): a number ``f`` means
        ``(-|f|, |f|)``, or a pair (sorted); values in ``[-1, 1]``. Positive
        angles rotate counter-clockwise.
      fill_mode: ``"reflect"`` (Keras' default), ``"constant"``, ``"nearest"``
        or ``"wrap"``.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      seed: Initial seed state.
      fill_value: Fill for constant mode, in ``value_range`` units.
      data_format: ``"channels_last"``, ``"channels_first"`` or None
        (``keras.config.image_data_format()``).
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the angle.
      probability: Keyword-only: per-sample chance that the layer applies.
      value_range: Keyword-only: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> out = tfaug.image.RandomRotation(0.1, seed=0)(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"

    def __init__(self, factor: float | tuple[float, float], fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, *, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), **kwargs: Any) -> None:
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.factor = _keras_factor("factor", factor, -1.0, 1.0)

    # describe_draw: radians shown in degrees.
    param_words = {"angle": ("angle", 180.0 / math.pi, "° ccw")}

    def sample_params(self, batch_size, seed):
        angle = _uniform(seed, batch_size, self.factor) * (2.0 * math.pi)
        return {"angle": angle * self.strength_tensor()}

    def matrix(self, params, height, width):
        return affine.rotation(params["angle"], height, width)

    def keras_transformation(self, params, data):
        """Keras' keys: ``angle`` ``[B]`` in degrees (counter-clockwise, 0 where
        the layer does not apply), ``rotation_matrix`` ``[B, 8]`` (Keras'
        output->input map on pixel indices), ``image_height``, ``image_width``
        and ``batch_size``. Keras' ``angle`` (degrees) shares its name with
        tfaug's (radians), so tfaug's value stays under ``radians``."""
        height, width = spatial(data["images"])
        radians, = zero_ungated(params, params["angle"])
        return {"angle": radians * (180.0 / math.pi),
                "rotation_matrix": _keras_matrix(self.gated_matrix(params, height, width)),
                "radians": params["angle"], "image_height": height,
                "image_width": width, "batch_size": self.batch_size(data)}

    def from_keras_transformation(self, transformation, data):
        """``angle`` in degrees (Keras) -> radians, unless tfaug's ``radians``
        are there. (Keras' ``rotation_matrix`` is not read: a rotation is its
        angle.)"""
        if "radians" in transformation:
            return dict(transformation, angle=transformation["radians"])
        degrees = tf.reshape(tf.cast(transformation["angle"], tf.float32), [-1])
        angle = tf.broadcast_to(degrees * (math.pi / 180.0), [self.batch_size(data)])
        return dict(transformation, angle=angle)


@registry.register
class RandomZoom(GeometricAugmentation):
    """Zooms each image in or out (``keras.layers.RandomZoom`` arguments).

    Args:
      height_factor: Vertical zoom as a fraction: a number ``f`` means
        ``(-|f|, |f|)``, or a pair (sorted); values in ``(-1, 1]``. Positive
        values zoom out (the content shrinks by ``1 / (1 + z)``), negative zoom in.
      width_factor: Horizontal zoom, same form; ``None`` reuses the vertical
        draw, keeping the aspect ratio.
      fill_mode: ``"reflect"`` (Keras' default), ``"constant"``, ``"nearest"``
        or ``"wrap"``.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      seed: Initial seed state.
      fill_value: Fill for constant mode, in ``value_range`` units.
      data_format: ``"channels_last"``, ``"channels_first"`` or None
        (``keras.config.image_data_format()``).
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the drawn
        zooms ``z`` (factor ``1 + m z`` at strength ``m``), clamped to
        ``>= min(-0.9, lower)`` and to ``>= -0.99`` (a factor of 1 means
        ``(-1, 1)``, whose lowest zoom would collapse the image).
      probability: Keyword-only: per-sample chance that the layer applies.
      value_range: Keyword-only: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> out = tfaug.image.RandomZoom(0.2, seed=0)(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"

    def __init__(self, height_factor: float | tuple[float, float],
                 width_factor: float | tuple[float, float] | None = None,
                 fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, data_format: str | None = None,
                 *, probability: float = 1.0, value_range: tuple[float, float] = (0, 255),
                 **kwargs: Any) -> None:
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.height_factor = self._zoom("height_factor", height_factor)
        self.width_factor = (None if width_factor is None
                             else self._zoom("width_factor", width_factor))
        lows = [self.height_factor[0]] + ([] if width_factor is None
                                          else [self.width_factor[0]])
        self._zoom_floor = max(min(-0.9, *lows), -0.99)  # 1 + z stays positive

    @staticmethod
    def _zoom(name, value):
        pair = _keras_factor(name, value, -1.0, 1.0)
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(v <= -1.0 for v in values):
            raise validation.ArgumentError(
                name, value, "values in (-1, 1]",
                "The `height_factor` and `width_factor` arguments should be a number "
                "(or a list of two numbers) in the range (-1.0, 1.0]. "
                f"Received: {name}={value!r}.")
        return pair

    def sample_params(self, batch_size, seed):
        h_seed, w_seed = tf.unstack(seeds_lib.split(seed, 2))
        m = self.strength_tensor()

        def zoom(seed_, bounds):
            return tf.maximum(_uniform(seed_, batch_size, bounds) * m, self._zoom_floor)

        zoom_y = zoom(h_seed, self.height_factor)
        zoom_x = zoom_y if self.width_factor is None else zoom(w_seed, self.width_factor)
        return {"zoom_y": zoom_y, "zoom_x": zoom_x}

    def matrix(self, params, height, width):
        return affine.scaling(1.0 / (1.0 + params["zoom_x"]), 1.0 / (1.0 + params["zoom_y"]),
                              height, width)

    def keras_transformation(self, params, data):
        """Keras' ``height_zoom``/``width_zoom`` ``[B, 1]``: ``1 + z``, the
        output->input scale (above 1 zooms out; 1 where the layer does not apply)."""
        del data
        zoom_x, zoom_y = zero_ungated(params, params["zoom_x"], params["zoom_y"])
        return {"height_zoom": (1.0 + zoom_y)[:, None], "width_zoom": (1.0 + zoom_x)[:, None]}

    def from_keras_transformation(self, transformation, data):
        """``height_zoom``/``width_zoom`` (Keras, ``1 + z``) -> ``zoom_y``/``zoom_x``."""
        if "zoom_x" in transformation:
            return transformation
        return dict(transformation,
                    zoom_y=_per_sample(transformation["height_zoom"], data, self) - 1.0,
                    zoom_x=_per_sample(transformation["width_zoom"], data, self) - 1.0)


@registry.register
class RandomTranslation(GeometricAugmentation):
    """Shifts each image (``keras.layers.RandomTranslation`` arguments).

    Args:
      height_factor: Vertical shift as a fraction of the height: a number
        ``f`` means ``(-|f|, |f|)``, or a pair (sorted); values in
        ``[-1, 1]``. Positive values move the content down.
      width_factor: Horizontal shift as a fraction of the width, same form;
        positive values move the content right.
      fill_mode: ``"reflect"`` (Keras' default), ``"constant"``, ``"nearest"``
        or ``"wrap"``.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      seed: Initial seed state.
      fill_value: Fill for constant mode, in ``value_range`` units.
      data_format: ``"channels_last"``, ``"channels_first"`` or None
        (``keras.config.image_data_format()``).
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the shifts.
      probability: Keyword-only: per-sample chance that the layer applies.
      value_range: Keyword-only: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> out = tfaug.image.RandomTranslation(0.1, 0.1, seed=0)(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"

    def __init__(self, height_factor: float | tuple[float, float],
                 width_factor: float | tuple[float, float] | None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, *, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), **kwargs: Any) -> None:
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.height_factor = _keras_factor("height_factor", height_factor, -1.0, 1.0)
        self.width_factor = _keras_factor("width_factor", width_factor, -1.0, 1.0)

    param_words = {"dx": ("shift x", 100.0, "% of width"),
                   "dy": ("shift y", 100.0, "% of height")}

    def sample_params(self, batch_size, seed):
        h_seed, w_seed = tf.unstack(seeds_lib.split(seed, 2))
        m = self.strength_tensor()
        return {"dy": _uniform(h_seed, batch_size, self.height_factor) * m,
                "dx": _uniform(w_seed, batch_size, self.width_factor) * m}

    def matrix(self, params, height, width):
        h, w = float_size(height, width)
        return affine.translation(params["dx"] * w, params["dy"] * h)

    def keras_transformation(self, params, data):
        """Keras' ``translations`` ``[B, 2]``: the shift ``(dx, dy)`` in pixels
        (positive moves the content right/down; 0 where the layer does not apply)."""
        h, w = float_size(*spatial(data["images"]))
        dx, dy = zero_ungated(params, params["dx"] * w, params["dy"] * h)
        return {"translations": tf.stack([dx, dy], axis=-1)}

    def from_keras_transformation(self, transformation, data):
        """``translations`` (Keras, pixels) -> ``dx``/``dy`` (fractions of the size)."""
        if "dx" in transformation:
            return transformation
        h, w = float_size(*spatial(data["images"]))
        shifts = tf.reshape(tf.cast(transformation["translations"], tf.float32), [-1, 2])
        return dict(transformation, dx=_per_sample(shifts[:, 0], data, self) / w,
                    dy=_per_sample(shifts[:, 1], data, self) / h)


@registry.register
class RandomShear(GeometricAugmentation):
    """Shears each image along x and y (``keras.layers.RandomShear``).

    As Keras: per sample, the shear magnitudes ``k_x`` and ``k_y`` are drawn
    from their ranges and one random sign multiplies both; the output->input
    map is ``x_in = x + k_x y``, ``y_in = y + k_y x`` in pixel-index
    coordinates, i.e. about the centre of the top-left pixel (not the image
    centre), so content far from the top-left corner moves the most.

    Args:
      x_factor: A number ``f`` in ``[0, 1]`` (magnitudes ``[0, f]``, i.e.
        ``k_x`` uniform in ``(-f, f)``) or a pair of magnitudes in ``[0, 1]``
        (sorted).
      y_factor: Same for the y shear.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_mode: ``"reflect"`` (Keras' default), ``"constant"``, ``"nearest"``
        or ``"wrap"``.
      fill_value: Fill for constant mode, in ``value_range`` units.
      data_format: ``"channels_last"``, ``"channels_first"`` or None
        (``keras.config.image_data_format()``).
      seed: Initial seed state.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the shears.
      probability: Keyword-only: per-sample chance that the layer applies.
      value_range: Keyword-only: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> out = tfaug.image.RandomShear(x_factor=0.2, seed=0)(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"

    def __init__(self, x_factor: float | tuple[float, float] = 0.0,
                 y_factor: float | tuple[float, float] = 0.0, interpolation: str = "bilinear",
                 fill_mode: str = "reflect", fill_value: float = 0.0,
                 data_format: str | None = None, seed: int | None = None, *,
                 probability: float = 1.0, value_range: tuple[float, float] = (0, 255),
                 **kwargs: Any) -> None:
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.x_factor = _keras_factor("x_factor", x_factor, 0.0, 1.0)
        self.y_factor = _keras_factor("y_factor", y_factor, 0.0, 1.0)

    def sample_params(self, batch_size, seed):
        s = tf.unstack(seeds_lib.split(seed, 3))
        m = self.strength_tensor()
        # One sign for both axes, as Keras draws it.
        sign = tf.where(seeds_lib.bernoulli([batch_size], s[0], 0.5), -1.0, 1.0) * m
        return {"shear_x": sign * _uniform(s[1], batch_size, self.x_factor),
                "shear_y": sign * _uniform(s[2], batch_size, self.y_factor)}

    def matrix(self, params, height, width):
        del height, width
        kx, ky = params["shear_x"], params["shear_y"]
        # Keras' map x_in = x + kx y, y_in = y + ky x acts on pixel indices; in
        # tfaug's coordinates (centres at +0.5) it is conjugated by that shift.
        one, zero = tf.ones_like(kx), tf.zeros_like(kx)
        rows = [one, kx, -0.5 * kx, ky, one, -0.5 * ky, zero, zero, one]
        return tf.reshape(tf.stack(rows, axis=-1), [-1, 3, 3])

    def keras_transformation(self, params, data):
        """Keras' ``shear_factor`` ``[B, 2]``: the signed ``(k_x, k_y)`` (0 where
        the layer does not apply)."""
        del data
        kx, ky = zero_ungated(params, params["shear_x"], params["shear_y"])
        return {"shear_factor": tf.stack([kx, ky], axis=-1)}

    def from_keras_transformation(self, transformation, data):
        """``shear_factor`` (Keras) -> ``shear_x``/``shear_y``."""
        if "shear_x" in transformation:
            return transformation
        factor = tf.reshape(tf.cast(transformation["shear_factor"], tf.float32), [-1, 2])
        return dict(transformation, shear_x=_per_sample(factor[:, 0], data, self),
                    shear_y=_per_sample(factor[:, 1], data, self))


def _per_sample(value, data, layer):
    """A Keras per-sample value (``[B]``, ``[B, 1]``, or one for all) as float32 ``[B]``."""
    value = tf.reshape(tf.cast(value, tf.float32), [-1])
    return tf.broadcast_to(value, [layer.batch_size(data)])


def _keras_matrix(matrix):
    """tfaug's ``[B, 3, 3]`` output->input maps (continuous coordinates) as
    Keras' ``[B, 8]`` transform vectors (on pixel indices, as
    ``ImageProjectiveTransformV3`` reads them)."""
    m = affine.kernel_coords(matrix)
    m = m / m[:, 2:3, 2:3]
    return tf.reshape(m, [-1, 9])[:, :8]
