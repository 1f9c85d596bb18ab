"""Size-changing geometric layers: random and central crops, resizing.

Each is a matrix layer whose output size differs from its input's. The
inference transform (``neutral_matrix``) is deterministic and gives the same
output size as training, so a model sees one shape in both modes: the
largest central window with the output's aspect, resized (Keras'
``smart_resize``), for the random crops, and the layer itself for
``CenterCrop`` and ``Resize`` (which therefore apply in training and in
inference). Rows a
``probability < 1`` does not draw get the inference transform too.

All four default to ``fill_mode="nearest"`` (edge clamping, like
``tf.image.resize``); inside a ``tfaug.Sequence`` they fuse with neighbouring
geometric layers that use the same interpolation and fill settings, in any
position of the run.

Strength: every layer takes the keyword-only ``strength`` of the base class, a
scale ``>= 0`` held in a variable (``set_strength`` changes the next batch
without a retrace); 1 is the layer as configured (bitwise), 0 its inference
transform. ``RandomResizedCrop`` scales its window by it (``strength_scales =
"parameters"``): in between the drawn window moves toward the inference window
(area fraction ``a -> 1 - m (1 - a)`` at strength ``m``, log aspect ratio
pulled toward the output's, position toward the centre). ``RandomCrop`` (a
position, no continuous parameter) takes a random crop with probability
``probability * strength`` and the inference transform otherwise, so at 0
it is its inference transform. ``CenterCrop`` and ``Resize`` are deterministic
(``deterministic = True``): they own no variables and their strength is always 1.
"""

from __future__ import annotations

import math
from typing import Any

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.image.base import GeometricAugmentation, float_size, spatial, to_float_form
from tfaug.image.ops import affine
from tfaug.image.ops.resizing import resize



def _is_static(*sizes):
    return all(isinstance(s, int) for s in sizes)


def _rows(batch_size, value):
    return tf.fill([batch_size], tf.cast(value, tf.float32))


class _Resizing(GeometricAugmentation):
    """Shared base: a target ``(height, width)`` and the size protocol."""

    changes_size = True

    def __init__(self, height: int, width: int, *, interpolation: str = "bilinear",
                 fill_mode: str = "nearest", fill_value: float = 0.0, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, **kwargs)
        self.height = validation.check_int("height", height, 1)
        self.width = validation.check_int("width", width, 1)

    def output_size(self, height, width):
        return self.height, self.width

    def fits(self, height, width):
        """Whether the crop fits in an input of ``(height, width)``: a Python bool
        when the size is static, else a scalar bool tensor."""
        if _is_static(height, width):
            return height >= self.height and width >= self.width
        return tf.logical_and(height >= self.height, width >= self.width)

    def smart_window(self, height, width):
        """Keras' fallback window ``(y0, x0, ch, cw)`` in whole pixels (Python
        ints when the size is static, else int32 scalars).

        The largest central window with the target aspect ratio (sizes rounded
        down, at least 1; offsets rounded down), which is then resized to
        ``height x width``: ``keras.utils.smart_resize``.
        """
        th, tw = self.height, self.width
        if _is_static(height, width):
            ch = max(min(height, int(float(width * th) / tw)), 1)
            cw = max(min(width, int(float(height * tw) / th)), 1)
            return (height - ch) // 2, (width - cw) // 2, ch, cw
        h = tf.cast(height, tf.int32)
        w = tf.cast(width, tf.int32)
        ch = tf.maximum(tf.minimum(h, tf.cast(tf.cast(w * th, tf.float32) / tw, tf.int32)), 1)
        cw = tf.maximum(tf.minimum(w, tf.cast(tf.cast(h * tw, tf.float32) / th, tf.int32)), 1)
        return (h - ch) // 2, (w - cw) // 2, ch, cw

    def _smart(self, batch_size, height, width):
        """The fallback as a matrix (for fused runs and gated rows: bilinear
        taps at the window's border read the pixels just outside it)."""
        y0, x0, ch, cw = self.smart_window(height, width)
        return affine.crop_resize(_rows(batch_size, y0), _rows(batch_size, x0),
                                  tf.cast(ch, tf.float32), tf.cast(cw, tf.float32),
                                  self.height, self.width)

    def smart_resize(self, data):
        """Keras' fallback, exactly: slice :meth:`smart_window`, then
        ``tf.image.resize`` (bilinear; masks nearest); boxes follow the window."""
        data = to_float_form(data)
        images = data["images"]
        height, width = spatial(images)
        y0, x0, ch, cw = self.smart_window(height, width)
        size = (self.height, self.width)
        out = dict(data)
        out["images"] = resize(images[:, y0:y0 + ch, x0:x0 + cw], size)
        if "masks" in data:
            masks = data["masks"][:, y0:y0 + ch, x0:x0 + cw]
            out["masks"] = tf.cast(tf.image.resize(masks, size, method="nearest"),
                                   masks.dtype)
        if "boxes" in data:
            matrix = self._smart(tf.shape(images)[0], height, width)
            out["boxes"] = affine.transform_boxes(data["boxes"], matrix, size)
        return out

    def when_fits(self, data, fitting):
        """``fitting(data)`` where the crop fits the input, else :meth:`smart_resize`."""
        fits = self.fits(*spatial(data["images"]))
        if fits is True:
            return fitting(data)
        if fits is False:
            return self.smart_resize(data)
        return tf.cond(fits, lambda: fitting(data), lambda: self.smart_resize(data))

    def _central(self, batch_size, height, width):
        """The central ``height x width`` crop (offsets rounded down) where it
        fits, else Keras' fallback (:meth:`smart_window`)."""
        fits = self.fits(height, width)
        if fits is False:
            return self._smart(batch_size, height, width)
        h, w = float_size(height, width)
        central = affine.crop_resize(_rows(batch_size, tf.floor((h - self.height) / 2.0)),
                                     _rows(batch_size, tf.floor((w - self.width) / 2.0)),
                                     self.height, self.width, self.height, self.width)
        if fits is True:
            return central
        return tf.where(fits, central, self._smart(batch_size, height, width))


class _Deterministic(_Resizing):
    """A size change with no randomness: training applies the inference transform."""

    deterministic = True  # no seed state, no strength variable (the base's contract)

    def __init__(self, height: int, width: int, *, interpolation: str = "bilinear",
                 fill_mode: str = "nearest", fill_value: float = 0.0,
                 value_range: tuple[float, float] = (0, 255), **kwargs: Any) -> None:
        super().__init__(height, width, interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, value_range=value_range, **kwargs)

    def sample_params(self, batch_size, seed):
        del seed
        return {"rows": tf.zeros([batch_size], tf.float32)}

    keras_tuple_transformation = True

    def from_keras_transformation(self, transformation, data):
        """Keras' transformation holds only ``input_shape`` (Resizing's is the
        input size, a tuple): the layer applies (nothing is drawn)."""
        if not isinstance(transformation, dict):
            transformation = {}
        if "rows" in transformation:
            return transformation
        return dict(self.sample_params(self.batch_size(data), None), **transformation)

    def matrix(self, params, height, width):
        return self.neutral_matrix(tf.shape(params["rows"])[0], height, width)


@registry.register
class RandomCrop(_Resizing):
    """Crops a random ``height x width`` window (``keras.layers.RandomCrop``).

    In training, each sample gets its own random window (Keras crops a whole
    batch at one place); offsets are whole pixels, so the output is an exact
    slice of the input. At inference, for rows ``probability`` leaves out,
    and in training when the input is smaller than the crop, Keras' fallback
    applies (as its documentation states): the largest central window with
    the target aspect ratio is resized to ``height x width``
    (``keras.utils.smart_resize``).

    Args:
      height: Output height, a positive int.
      width: Output width, a positive int.
      seed: Initial seed state.
      data_format: ``"channels_last"``, ``"channels_first"`` or None
        (``keras.config.image_data_format()``).
      name: The layer's name.
      interpolation: Keyword-only: ``"bilinear"`` or ``"nearest"`` (matters
        when fused or resizing).
      fill_mode: Keyword-only: ``"nearest"``, ``"constant"``, ``"reflect"`` or
        ``"wrap"``.
      fill_value: Keyword-only: fill for constant mode, in ``value_range`` units.
      probability: Keyword-only: per-sample chance of a random crop.
      value_range: Keyword-only: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> crop = tfaug.image.RandomCrop(24, 24, seed=0)
      >>> crop(images, training=True).shape
      TensorShape([2, 24, 24, 3])
    """

    def __init__(self, height: int, width: int, seed: int | None = None,
                 data_format: str | None = None, name: str | None = None, *,
                 interpolation: str = "bilinear", fill_mode: str = "nearest",
                 fill_value: float = 0.0, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), **kwargs: Any) -> None:
        super().__init__(height, width, interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, data_format=data_format,
                         name=name, **kwargs)

    def sample_params(self, batch_size, seed):
        y_seed, x_seed = tf.unstack(seeds_lib.split(seed, 2))
        return {"offset_y": seeds_lib.uniform([batch_size], y_seed),
                "offset_x": seeds_lib.uniform([batch_size], x_seed)}

    keras_tuple_transformation = True

    def from_keras_transformation(self, transformation, data):
        """Keras' ``(h_start, w_start)``: one window, at those pixels, for the
        whole batch (as Keras crops); a dict is read as usual."""
        if isinstance(transformation, dict):
            return super().from_keras_transformation(transformation, data)
        if not isinstance(transformation, (tuple, list)) or len(transformation) != 2:
            raise ValueError("`transformation` must be a dict or Keras' (h_start, w_start), "
                             f"got {transformation!r}.")
        batch_size = self.batch_size(data)
        h, w = float_size(*spatial(data["images"]))

        def fraction(start, room):
            # The inverse of offsets(): floor(u * (room + 1)) == start.
            start = tf.cast(tf.reshape(start, []), tf.float32)
            return tf.fill([batch_size], (start + 0.5) / (tf.maximum(room, 0.0) + 1.0))

        # No gate: every row is cropped, as in Keras.
        return {"offset_y": fraction(transformation[0], h - self.height),
                "offset_x": fraction(transformation[1], w - self.width)}

    def offsets(self, params, height, width):
        """``(y0, x0)`` ``[B]`` top-left corners of the drawn windows, in pixels
        (meaningful where the crop fits)."""
        h, w = float_size(height, width)

        def place(u, room):
            # u < 1, so floor(u * (room + 1)) lies in [0, room].
            return tf.floor(u * (tf.maximum(room, 0.0) + 1.0))

        return (place(params["offset_y"], h - self.height),
                place(params["offset_x"], w - self.width))

    def matrix(self, params, height, width):
        fits = self.fits(height, width)
        batch_size = tf.shape(params["offset_y"])[0]
        if fits is False:
            return self._smart(batch_size, height, width)
        y0, x0 = self.offsets(params, height, width)
        drawn = affine.crop_resize(y0, x0, self.height, self.width, self.height, self.width)
        if fits is True:
            return drawn
        return tf.where(fits, drawn, self._smart(batch_size, height, width))

    def neutral_matrix(self, batch_size, height, width):
        return self._smart(batch_size, height, width)

    def transform(self, data, params):
        return self.when_fits(data, lambda d: GeometricAugmentation.transform(self, d, params))

    def inference(self, data):
        return self.smart_resize(data)


@registry.register
class RandomResizedCrop(_Resizing):
    """Crops a random area and aspect ratio, resized to ``height x width`` (Inception-style).

    Per sample, the window's area is drawn uniformly from ``scale`` (fractions
    of the input area) and its aspect ratio (width / height) log-uniformly from
    ``ratio``; of 10 such draws the first that fits the image is used, else
    the central crop with the aspect clamped to ``ratio`` (as torchvision
    does). The position is uniform over the places the window fits. At
    inference the largest central window with the target aspect is resized.

    Args:
      height: Output height, a positive int.
      width: Output width, a positive int.
      scale: ``(lo, hi)`` area fractions, ``0 < lo <= hi <= 1``.
      ratio: ``(lo, hi)`` aspect ratios (width / height), ``0 < lo <= hi``.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_mode: ``"nearest"`` (edge clamping), ``"constant"``, ``"reflect"`` or
        ``"wrap"``.
      fill_value: Fill for constant mode, in ``value_range`` units.
      strength: Keyword-only scale ``>= 0`` (a variable, see ``set_strength``):
        pulls the window toward the inference one. At strength ``m`` each
        drawn area fraction ``a`` becomes ``1 - m (1 - a)`` (in
        ``sample_params``; clamped to ``>= min(0.01, scale[0])``), each drawn
        log aspect ratio ``r`` becomes ``m r + (1 - m) log(width / height)``
        (the output's aspect; the fallback's ``ratio`` clamp moves toward it
        likewise) and each drawn position ``u`` (a fraction of the room) becomes
        ``m u + (1 - m) / 2``, both at most fully (in :meth:`windows`). 1 is as
        configured, 0 the inference transform (the largest central window
        with the output's aspect, resized).
      probability: Per-sample chance of a random (not central) crop.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> aug = tfaug.image.RandomResizedCrop(48, 48, seed=0)
      >>> aug(images, training=True).shape
      TensorShape([2, 48, 48, 3])
    """

    ATTEMPTS = 10
    strength_scales = "parameters"

    def __init__(self, height: int, width: int, scale: tuple[float, float] = (0.08, 1.0),
                 ratio: tuple[float, float] = (3.0 / 4.0, 4.0 / 3.0), *,
                 interpolation: str = "bilinear", fill_mode: str = "nearest",
                 fill_value: float = 0.0, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(height, width, interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, **kwargs)
        if not isinstance(scale, (list, tuple)):
            raise validation.ArgumentTypeError("scale", scale, "a pair (lo, hi) with "
                                               "0 < lo <= hi <= 1")
        self.scale = validation.check_range("scale", scale, 0.0, 1.0)
        if self.scale[0] <= 0.0:
            raise validation.ArgumentError("scale", scale, "positive")
        if not isinstance(ratio, (list, tuple)):
            raise validation.ArgumentTypeError("ratio", ratio, "a pair (lo, hi) with "
                                               "0 < lo <= hi")
        self.ratio = validation.check_range("ratio", ratio, 0.0, None)
        if self.ratio[0] <= 0.0:
            raise validation.ArgumentError("ratio", ratio, "positive")

    def sample_params(self, batch_size, seed):
        """Draws ``area`` (already scaled by the strength), raw ``log_ratio``,
        the offsets, and ``strength`` (``[B]``, read by :meth:`windows`)."""
        s = tf.unstack(seeds_lib.split(seed, 4))
        k = self.ATTEMPTS
        log_ratio = [math.log(r) for r in self.ratio]
        m = self.strength_tensor()
        area = seeds_lib.uniform([batch_size, k], s[0], *self.scale)
        area = tf.maximum(area * m + (1.0 - m), min(0.01, self.scale[0]))
        return {"area": area,
                "log_ratio": seeds_lib.uniform([batch_size, k], s[1], *log_ratio),
                "offset_y": seeds_lib.uniform([batch_size], s[2]),
                "offset_x": seeds_lib.uniform([batch_size], s[3]),
                "strength": tf.fill([batch_size], m)}

    def windows(self, params, height, width):
        """``(y0, x0, ch, cw)`` ``[B]`` drawn windows, in pixels."""
        h, w = float_size(height, width)
        in_ratio = w / h
        lo, hi = self.ratio
        log_ratio = params["log_ratio"]
        offset_y, offset_x = params["offset_y"], params["offset_x"]
        if "strength" in params:  # pull the window toward the inference one
            m = params["strength"]
            target = self.width / self.height  # the output's aspect
            log_ratio = log_ratio * m[:, None] + math.log(target) * (1.0 - m[:, None])
            m = tf.minimum(m, 1.0)
            lo = lo * m + target * (1.0 - m)
            hi = hi * m + target * (1.0 - m)
            offset_y = offset_y * m + 0.5 * (1.0 - m)
            offset_x = offset_x * m + 0.5 * (1.0 - m)
        area = params["area"] * h * w
        aspect = tf.exp(log_ratio)
        cw = tf.sqrt(area * aspect)
        ch = tf.sqrt(area / aspect)
        fits = (cw <= w) & (ch <= h)
        first = tf.one_hot(tf.argmax(tf.cast(fits, tf.int32), axis=1), self.ATTEMPTS)
        cw = tf.reduce_sum(cw * first, 1)
        ch = tf.reduce_sum(ch * first, 1)
        # Fallback: the whole image, its aspect clamped to `ratio`.
        fw = tf.where(in_ratio > hi, h * hi, w)
        fh = tf.where(in_ratio < lo, w / lo, h)
        found = tf.reduce_any(fits, axis=1)
        cw = tf.where(found, cw, fw)
        ch = tf.where(found, ch, fh)
        y0 = offset_y * (h - ch)
        x0 = offset_x * (w - cw)
        return y0, x0, ch, cw

    def matrix(self, params, height, width):
        y0, x0, ch, cw = self.windows(params, height, width)
        return affine.crop_resize(y0, x0, ch, cw, self.height, self.width)

    def neutral_matrix(self, batch_size, height, width):
        h, w = float_size(height, width)
        target = self.width / self.height
        cw = tf.where(w / h > target, h * target, w)
        ch = tf.where(w / h > target, h, w / target)
        return affine.crop_resize(_rows(batch_size, (h - ch) / 2.0),
                                  _rows(batch_size, (w - cw) / 2.0), ch, cw,
                                  self.height, self.width)


@registry.register
class CenterCrop(_Deterministic):
    """Crops the central ``height x width`` window (``keras.layers.CenterCrop``).

    Deterministic: applies in training and in inference alike. The offset is
    ``(H - height) // 2`` (and likewise for the width), so the output is an
    exact slice. An input smaller than the crop (in either dimension) gets
    Keras' fallback: the largest central window with the target aspect ratio,
    resized to ``height x width`` (``keras.utils.smart_resize``).

    Args:
      height: Output height, a positive int.
      width: Output width, a positive int.
      data_format: ``"channels_last"``, ``"channels_first"`` or None
        (``keras.config.image_data_format()``).
      interpolation: Keyword-only: ``"bilinear"`` or ``"nearest"`` (matters
        when fused or resizing).
      fill_mode: Keyword-only: ``"nearest"``, ``"constant"``, ``"reflect"`` or
        ``"wrap"``.
      fill_value: Keyword-only: fill for constant mode, in ``value_range`` units.
      value_range: Keyword-only: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> out = tfaug.image.CenterCrop(24, 24)(images)
      >>> bool(tf.reduce_all(out == images[:, 4:28, 4:28]))
      True
    """

    def __init__(self, height: int, width: int, data_format: str | None = None, *,
                 interpolation: str = "bilinear", fill_mode: str = "nearest",
                 fill_value: float = 0.0, value_range: tuple[float, float] = (0, 255),
                 **kwargs: Any) -> None:
        super().__init__(height, width, interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, value_range=value_range,
                         data_format=data_format, **kwargs)

    def neutral_matrix(self, batch_size, height, width):
        return self._central(batch_size, height, width)

    def transform(self, data, params):
        return self.when_fits(data, lambda d: GeometricAugmentation.transform(self, d, params))

    def inference(self, data):
        return self.when_fits(data, GeometricAugmentation.inference.__get__(self))


@registry.register
class Resize(_Deterministic):
    """Resizes images (and masks, boxes) to ``height x width``.

    Deterministic: applies in training and in inference alike. Bilinear
    resizing with half-pixel centres and clamped edges, as ``tf.image.resize``
    (no antialiasing when shrinking). Masks use nearest neighbour, boxes scale.

    Args:
      height: Output height, a positive int.
      width: Output width, a positive int.
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_mode: ``"nearest"`` (edge clamping, as ``tf.image.resize``),
        ``"constant"``, ``"reflect"`` or ``"wrap"``.
      fill_value: Fill for constant mode, in ``value_range`` units.
      value_range: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> tfaug.image.Resize(16, 16)(images).shape
      TensorShape([2, 16, 16, 3])
    """

    def neutral_matrix(self, batch_size, height, width):
        zero = _rows(batch_size, 0.0)
        return affine.crop_resize(zero, zero, height, width, self.height, self.width)
