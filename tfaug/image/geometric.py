"""Geometric image layers.

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
"""

import math

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.core.base import GATE
from tfaug.image.base import GeometricAugmentation, float_size, spatial, toward
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

    def fusion_key(self):
        # A flip maps pixel centres onto pixel centres: exact under any
        # interpolation and never samples outside, so it fuses with any run.
        return (None, None, None, tuple(self.value_range))

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
            height, width = spatial(data["images"])
            out["boxes"] = affine.transform_boxes(
                data["boxes"], affine.flip(h, v, height, width), (height, width))
        return out


_DEG = math.pi / 180.0


def _keras_factor(name, value, low, high):
    """Keras-style factor: a number ``f >= 0`` means ``(-f, f)``; a pair is used
    as given. Every value must lie in ``[low, high]``."""
    return validation.check_range(name, value, low, high, symmetric=True)


def _uniform(seed, batch_size, bounds):
    return seeds_lib.uniform([batch_size], seed, bounds[0], bounds[1])



@registry.register
class RandomAffine(GeometricAugmentation):
    """Random rotation, translation, scale and shear, composed into one matrix per sample.

    The content is scaled, sheared (x then y), rotated (all about the image
    centre), then translated; one resampling.

    Args:
      degrees: Rotation range in degrees (counter-clockwise positive): a number
        ``d >= 0`` means ``(-d, d)``, or a pair ``(lo, hi)``, within ``[-360, 360]``.
      translate: ``(fx, fy)`` maximum absolute shift as fractions of the width
        and height, each in ``[0, 1]``; shifts are drawn from ``[-fx W, fx W]``
        and ``[-fy H, fy H]``.
      scale: ``(lo, hi)`` content scale range, ``0 < lo <= hi`` (a number means
        exactly that scale). The same scale applies to both axes.
      shear: Shear angle range in degrees, a number ``s >= 0`` meaning
        ``(-s, s)`` or a pair; values in ``(-90, 90)``. The x and y shears are
        drawn independently from it: content ``(x, y)`` (about the centre) moves
        to ``(x + tan(a_x) y, y)``, then ``(x, y + tan(a_y) x)``.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_mode: ``"constant"``, ``"reflect"``, ``"nearest"`` or ``"wrap"``.
      fill_value: Fill for constant mode, in ``value_range`` units.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the drawn
        angle, shifts and shears by the strength ``m``; the scale ``s`` becomes
        ``1 + m (s - 1)``.
        Scaled shears are clamped to 89 degrees (or the largest configured
        ``|shear|``), scales to ``>= min(0.01, scale[0])``.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> aug = tfaug.image.RandomAffine(degrees=15, translate=(0.1, 0.1),
      ...                                scale=(0.9, 1.1), shear=5, seed=0)
      >>> out = aug(images, training=True)
    """

    strength_scales = "parameters"

    def __init__(self, degrees=0.0, translate=(0.0, 0.0), scale=(1.0, 1.0), shear=0.0,
                 interpolation="bilinear", fill_mode="constant", fill_value=0.0,
                 probability=1.0, value_range=(0, 255), seed=None,
                 **kwargs):
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, **kwargs)
        self.degrees = validation.check_range("degrees", degrees, -360.0, 360.0,
                                              symmetric=True)
        self.translate = validation.check_numbers("translate", translate, 2, 0.0, 1.0)
        self.scale = validation.check_range("scale", scale, 0.0, None)
        if self.scale[0] <= 0.0:
            raise validation.ArgumentError("scale", scale, "positive")
        self.shear = validation.check_range("shear", shear, -90.0, 90.0, symmetric=True)
        if max(abs(v) for v in self.shear) >= 90.0:
            raise validation.ArgumentError(
                "shear", shear, "in (-90, 90) degrees",
                f"`shear` must lie in (-90, 90) degrees, got {shear!r}.")
        # Clamps for strengths above 1, never binding at strength <= 1.
        self._shear_limit = max(89.0, *(abs(v) for v in self.shear))
        self._scale_floor = min(0.01, self.scale[0])

    def sample_params(self, batch_size, seed):
        s = tf.unstack(seeds_lib.split(seed, 6))
        fx, fy = self.translate
        m = self.strength_tensor()
        lim = self._shear_limit

        def shear(seed_):
            return tf.clip_by_value(_uniform(seed_, batch_size, self.shear) * m, -lim, lim)

        scale = toward(_uniform(s[3], batch_size, self.scale), 1.0, m)
        return {"angle": _uniform(s[0], batch_size, self.degrees) * m,
                "translate_x": _uniform(s[1], batch_size, (-fx, fx)) * m,
                "translate_y": _uniform(s[2], batch_size, (-fy, fy)) * m,
                "scale": tf.maximum(scale, self._scale_floor),
                "shear_x": shear(s[4]),
                "shear_y": shear(s[5])}

    def matrix(self, params, height, width):
        h, w = float_size(height, width)
        p = params
        return affine.affine_matrix(
            p["angle"] * _DEG, p["translate_x"] * w, p["translate_y"] * h, p["scale"],
            p["scale"], tf.tan(p["shear_x"] * _DEG), tf.tan(p["shear_y"] * _DEG),
            height, width)


@registry.register
class RandomRotation(GeometricAugmentation):
    """Rotates each image by a random angle (``keras.layers.RandomRotation`` arguments).

    Args:
      factor: Fraction of a full turn (``2 pi``): a number ``f >= 0`` means
        ``(-f, f)``, or a pair ``(lo, hi)``; values in ``[-1, 1]``. Positive
        angles rotate counter-clockwise.
      fill_mode: ``"reflect"`` (Keras' default), ``"constant"``, ``"nearest"``
        or ``"wrap"``.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      seed: Initial seed state.
      fill_value: Fill for constant mode, in ``value_range`` units.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the angle.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> out = tfaug.image.RandomRotation(0.1, seed=0)(images, training=True)
    """

    strength_scales = "parameters"

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, probability=1.0, value_range=(0, 255),
                 **kwargs):
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, **kwargs)
        self.factor = _keras_factor("factor", factor, -1.0, 1.0)

    def sample_params(self, batch_size, seed):
        angle = _uniform(seed, batch_size, self.factor) * (2.0 * math.pi)
        return {"angle": angle * self.strength_tensor()}

    def matrix(self, params, height, width):
        return affine.rotation(params["angle"], height, width)


@registry.register
class RandomZoom(GeometricAugmentation):
    """Zooms each image in or out (``keras.layers.RandomZoom`` arguments).

    Args:
      height_factor: Vertical zoom as a fraction: a number ``f >= 0`` means
        ``(-f, f)``, or a pair ``(lo, hi)``; values in ``(-1, 1]``. Positive
        values zoom out (the content shrinks by ``1 / (1 + z)``), negative zoom in.
      width_factor: Horizontal zoom, same form; ``None`` reuses the vertical
        draw, keeping the aspect ratio.
      fill_mode: ``"reflect"`` (Keras' default), ``"constant"``, ``"nearest"``
        or ``"wrap"``.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      seed: Initial seed state.
      fill_value: Fill for constant mode, in ``value_range`` units.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the drawn
        zooms ``z`` (factor ``1 + m z`` at strength ``m``), clamped to
        ``>= min(-0.9, lower)``.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> out = tfaug.image.RandomZoom(0.2, seed=0)(images, training=True)
    """

    strength_scales = "parameters"

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0,
                 probability=1.0, value_range=(0, 255), **kwargs):
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, **kwargs)
        self.height_factor = self._zoom("height_factor", height_factor)
        self.width_factor = (None if width_factor is None
                             else self._zoom("width_factor", width_factor))
        lows = [self.height_factor[0]] + ([] if width_factor is None
                                          else [self.width_factor[0]])
        self._zoom_floor = min(-0.9, *lows)  # > -1: 1 + z stays positive

    @staticmethod
    def _zoom(name, value):
        pair = _keras_factor(name, value, -1.0, 1.0)
        if pair[0] <= -1.0:
            raise validation.ArgumentError(
                name, value, "values in (-1, 1]",
                f"`{name}` values must lie in (-1, 1] (a single number f "
                f"means (-f, f), so f < 1), got {value!r}.")
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


@registry.register
class RandomTranslation(GeometricAugmentation):
    """Shifts each image (``keras.layers.RandomTranslation`` arguments).

    Args:
      height_factor: Vertical shift as a fraction of the height: a number
        ``f >= 0`` means ``(-f, f)``, or a pair ``(lo, hi)``; values in
        ``[-1, 1]``. Positive values move the content down.
      width_factor: Horizontal shift as a fraction of the width, same form;
        positive values move the content right.
      fill_mode: ``"reflect"`` (Keras' default), ``"constant"``, ``"nearest"``
        or ``"wrap"``.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      seed: Initial seed state.
      fill_value: Fill for constant mode, in ``value_range`` units.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the shifts.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> out = tfaug.image.RandomTranslation(0.1, 0.1, seed=0)(images, training=True)
    """

    strength_scales = "parameters"

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0,
                 probability=1.0, value_range=(0, 255), **kwargs):
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, **kwargs)
        self.height_factor = _keras_factor("height_factor", height_factor, -1.0, 1.0)
        self.width_factor = _keras_factor("width_factor", width_factor, -1.0, 1.0)

    def sample_params(self, batch_size, seed):
        h_seed, w_seed = tf.unstack(seeds_lib.split(seed, 2))
        m = self.strength_tensor()
        return {"dy": _uniform(h_seed, batch_size, self.height_factor) * m,
                "dx": _uniform(w_seed, batch_size, self.width_factor) * m}

    def matrix(self, params, height, width):
        h, w = float_size(height, width)
        return affine.translation(params["dx"] * w, params["dy"] * h)


@registry.register
class RandomShear(GeometricAugmentation):
    """Shears each image along x and/or y (``keras.layers.RandomShear`` arguments).

    A factor is the shear coefficient: content at distance ``y`` from the
    centre moves by ``k y`` along x (0.3 shears up to 30% of the way across a
    square image). The absolute shear is drawn from the range and the sign at random,
    per sample and per axis; shears act about the image centre.

    Args:
      x_factor: A number ``f`` in ``[0, 1]`` (absolute shears ``[0, f]``, i.e.
        ``k`` uniform in ``(-f, f)``) or a pair ``(lo, hi)`` of absolute shears
        in ``[0, 1]``.
      y_factor: Same for the y shear.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_mode: ``"reflect"`` (Keras' default), ``"constant"``, ``"nearest"``
        or ``"wrap"``.
      fill_value: Fill for constant mode, in ``value_range`` units.
      seed: Initial seed state.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the shears.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> out = tfaug.image.RandomShear(x_factor=0.2, seed=0)(images, training=True)
    """

    strength_scales = "parameters"

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear",
                 fill_mode="reflect", fill_value=0.0, seed=None,
                 probability=1.0, value_range=(0, 255), **kwargs):
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, **kwargs)
        self.x_factor = self._abs_range("x_factor", x_factor)
        self.y_factor = self._abs_range("y_factor", y_factor)

    @staticmethod
    def _abs_range(name, value):
        if not isinstance(value, (list, tuple)):
            value = (0.0, validation.check_number(name, value, 0.0, 1.0))
        return validation.check_range(name, value, 0.0, 1.0)

    def sample_params(self, batch_size, seed):
        s = tf.unstack(seeds_lib.split(seed, 4))
        m = self.strength_tensor()

        def signed(mag_seed, sign_seed, bounds):
            sign = tf.where(seeds_lib.bernoulli([batch_size], sign_seed, 0.5), -1.0, 1.0)
            return sign * _uniform(mag_seed, batch_size, bounds) * m

        return {"shear_x": signed(s[0], s[1], self.x_factor),
                "shear_y": signed(s[2], s[3], self.y_factor)}

    def matrix(self, params, height, width):
        zero = tf.zeros_like(params["shear_x"])
        return affine.affine_matrix(zero, zero, zero, zero + 1.0, zero + 1.0,
                                    params["shear_x"], params["shear_y"], height, width)
