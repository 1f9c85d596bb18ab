"""Size-changing geometric layers: random and central crops, resizing.

Each is a matrix layer whose output size differs from its input's. The
inference transform (``neutral_matrix``) is deterministic and gives the same
output size as training, so a model sees one shape in both modes: a central
crop for the random crops, and the layer itself for ``CenterCrop`` and
``Resize`` (which therefore apply in training and in inference). Rows a
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
``probability * strength`` and the inference (central) crop otherwise, so at 0
it is its inference transform. ``CenterCrop`` and ``Resize`` are deterministic:
the strength changes nothing.
"""

import math

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.image.base import GeometricAugmentation, float_size
from tfaug.image.ops import affine



def _is_static(*sizes):
    return all(isinstance(s, int) for s in sizes)


def _rows(batch_size, value):
    return tf.fill([batch_size], tf.cast(value, tf.float32))


class _Resizing(GeometricAugmentation):
    """Shared base: a target ``(height, width)`` and the size protocol."""

    changes_size = True

    def __init__(self, height, width, interpolation="bilinear", fill_mode="nearest",
                 fill_value=0.0, probability=1.0, value_range=(0, 255), seed=None,
                 **kwargs):
        super().__init__(interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, **kwargs)
        self.height = validation.check_int("height", height, 1)
        self.width = validation.check_int("width", width, 1)

    def output_size(self, height, width):
        return self.height, self.width

    def _window(self, height, width):
        """Crop window ``(ch, cw, upscaled)`` for an input of ``(height, width)``.

        A static input smaller than the crop raises ``ValueError``. A dynamic
        one is handled like ``keras.layers.RandomCrop``: the window shrinks
        uniformly to the largest one with the target aspect that fits, and is
        resized up (``upscaled`` is then true).
        """
        if _is_static(height, width):
            if height < self.height or width < self.width:
                raise ValueError(
                    f"{type(self).__name__}: the crop (`height`={self.height}, "
                    f"`width`={self.width}) is larger than the input ({height}, {width}); "
                    "use a smaller crop or resize first.")
            return float(self.height), float(self.width), tf.constant(False)
        h, w = float_size(height, width)
        s = tf.maximum(1.0, tf.maximum(self.height / h, self.width / w))
        return self.height / s, self.width / s, s > 1.0

    def _central(self, batch_size, height, width):
        ch, cw, up = self._window(height, width)
        h, w = float_size(height, width)
        y0 = tf.where(up, (h - ch) / 2.0, tf.floor((h - ch) / 2.0))
        x0 = tf.where(up, (w - cw) / 2.0, tf.floor((w - cw) / 2.0))
        return affine.crop_resize(_rows(batch_size, y0), _rows(batch_size, x0), ch, cw,
                                  self.height, self.width)


class _Deterministic(_Resizing):
    """A size change with no randomness: training applies the inference transform."""

    def __init__(self, height, width, interpolation="bilinear", fill_mode="nearest",
                 fill_value=0.0, value_range=(0, 255), **kwargs):
        super().__init__(height, width, interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, value_range=value_range, **kwargs)

    def sample_params(self, batch_size, seed):
        del seed
        return {"rows": tf.zeros([batch_size], tf.float32)}

    def matrix(self, params, height, width):
        return self.neutral_matrix(tf.shape(params["rows"])[0], height, width)


@registry.register
class RandomCrop(_Resizing):
    """Crops a random ``height x width`` window, per sample.

    Offsets are whole pixels, so the output is an exact slice of the input. At
    inference (and for rows ``probability`` leaves out) the central window is
    taken. A static input smaller than the crop raises ``ValueError`` at trace
    time; when the size is only known at run time, the largest window with the
    target aspect is cropped and resized up instead (as Keras does).

    Args:
      height: Output height, a positive int.
      width: Output width, a positive int.
      seed: Initial seed state.
      interpolation: ``"bilinear"`` or ``"nearest"`` (matters only when fused
        or resizing up).
      fill_mode: ``"nearest"``, ``"constant"``, ``"reflect"`` or ``"wrap"``.
      fill_value: Fill for constant mode, in ``value_range`` units.
      probability: Per-sample chance of a random (not central) crop.
      value_range: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``), ``H >= height`` and ``W >= width``.

    Example:
      >>> crop = tfaug.image.RandomCrop(24, 24, seed=0)
      >>> out = crop(images, training=True)  # [B, 24, 24, C]
    """

    def __init__(self, height, width, seed=None, interpolation="bilinear",
                 fill_mode="nearest", fill_value=0.0, probability=1.0,
                 value_range=(0, 255), **kwargs):
        super().__init__(height, width, interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, probability=probability,
                         value_range=value_range, seed=seed, **kwargs)

    def sample_params(self, batch_size, seed):
        y_seed, x_seed = tf.unstack(seeds_lib.split(seed, 2))
        return {"offset_y": seeds_lib.uniform([batch_size], y_seed),
                "offset_x": seeds_lib.uniform([batch_size], x_seed)}

    def offsets(self, params, height, width):
        """``(y0, x0)`` ``[B]`` top-left corners of the drawn windows, in pixels."""
        ch, cw, up = self._window(height, width)
        h, w = float_size(height, width)

        def place(u, room):
            # u < 1, so floor(u * (room + 1)) lies in [0, room].
            return tf.where(up, u * room, tf.floor(u * (room + 1.0)))

        return place(params["offset_y"], h - ch), place(params["offset_x"], w - cw)

    def matrix(self, params, height, width):
        ch, cw, _ = self._window(height, width)
        y0, x0 = self.offsets(params, height, width)
        return affine.crop_resize(y0, x0, ch, cw, self.height, self.width)

    def neutral_matrix(self, batch_size, height, width):
        return self._central(batch_size, height, width)


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
      >>> aug = tfaug.image.RandomResizedCrop(224, 224, seed=0)
      >>> out = aug(images, training=True)  # [B, 224, 224, C]
    """

    ATTEMPTS = 10
    strength_scales = "parameters"

    def __init__(self, height, width, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation="bilinear", fill_mode="nearest", fill_value=0.0,
                 probability=1.0, value_range=(0, 255), seed=None,
                 **kwargs):
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
    """Crops the central ``height x width`` window (``keras.layers.CenterCrop`` arguments).

    Deterministic: applies in training and in inference alike (shapes must
    match). The offset is ``(H - height) // 2`` (and likewise for the width), so
    the output is an exact slice. A static input smaller than the crop raises
    ``ValueError``; a dynamic one is cropped to the largest central window with
    the target aspect and resized up.

    Args:
      height: Output height, a positive int.
      width: Output width, a positive int.
      interpolation: ``"bilinear"`` or ``"nearest"`` (matters when fused or
        resizing up).
      fill_mode: ``"nearest"``, ``"constant"``, ``"reflect"`` or ``"wrap"``.
      fill_value: Fill for constant mode, in ``value_range`` units.
      value_range: ``(low, high)`` of float inputs.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``).

    Example:
      >>> out = tfaug.image.CenterCrop(24, 24)(images)  # [B, 24, 24, C]
    """

    def neutral_matrix(self, batch_size, height, width):
        return self._central(batch_size, height, width)


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
      >>> out = tfaug.image.Resize(32, 32)(images)  # [B, 32, 32, C]
    """

    def neutral_matrix(self, batch_size, height, width):
        zero = _rows(batch_size, 0.0)
        return affine.crop_resize(zero, zero, height, width, self.height, self.width)
