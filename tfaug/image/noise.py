"""Noise, blur and compression layers.

Each draws its parameters per sample (noise level, blur sigma, JPEG quality)
and changes only ``images``; labels, masks and boxes pass through unchanged.
``RandomGaussianBlur`` is Keras' layer (its arguments, order and meanings:
``factor`` draws the chance that an image is blurred); ``GaussianBlur`` is
tfaug's (every sample, a ``sigma`` range).

Strength: each layer takes the keyword-only ``strength`` of the base class, a
scale ``>= 0`` held in a variable (``set_strength`` changes the next batch
without a retrace), and scales its parameters by it (``strength_scales =
"parameters"``). 1 is the layer as configured (bitwise), 0 the identity, and in
between the drawn parameter's deviation from its neutral value is multiplied by
the strength ``m``: the noise ``stddev`` and the blur ``sigma`` by ``m`` (sigma
0 is an exact identity kernel), the JPEG quality as ``100 - m (100 - q)``; at
exactly 0 the JPEG codec is skipped (quality 100 is not lossless).
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfaug.core import registry
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.image.base import ImageAugmentation
from tfaug.image.keras_args import (keras_apply_flags, keras_factor, keras_rows,
                                    keras_value_range, with_gate)
from tfaug.image.ops import noise as noise_ops


def _range_arg(name, value, low, high, positive=False):
    """Validates a number-or-pair argument; returns (stored form, [lo, hi])."""
    pair = validation.check_range(name, value, low, high)
    if positive and pair[0] <= 0:
        raise validation.ArgumentError(name, value, "> 0")
    stored = float(value) if validation.is_number(value) else list(pair)
    return stored, pair


@registry.register
class GaussianNoise(ImageAugmentation):
    """Adds per-pixel Gaussian noise with a per-sample standard deviation.

    The result is clipped to the value range.

    Args:
      stddev: Noise standard deviation as a fraction of the value range (0.1
        means 25.5 for ``value_range=(0, 255)``): a number, or a pair
        ``(lo, hi)`` to draw from uniformly per sample. In ``[0, 1]``.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the drawn
        standard deviation; 1 is as configured, 0 the identity.
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict with ``images``, ``labels``,
      ``masks``, ``boxes``; only ``images`` change).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> noise = tfaug.image.GaussianNoise((0.0, 0.05), seed=0)
      >>> out = noise(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"

    def __init__(self, stddev: float | tuple[float, float] = 0.05, *, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.stddev, self._stddev = _range_arg("stddev", stddev, 0.0, 1.0)

    def sample_params(self, batch_size, seed):
        sd_seed, key_seed = tf.unstack(seeds_lib.split(seed, 2))
        lo, hi = self._stddev
        stddev = seeds_lib.uniform([batch_size], sd_seed, lo, hi) * self.strength_tensor()
        return {"stddev": stddev,
                "keys": noise_ops.draw_keys(key_seed, batch_size)}

    def transform(self, data, params):
        out = dict(data)
        out["images"] = noise_ops.gaussian_noise(data["images"], params["keys"],
                                                 params["stddev"])
        return out


@registry.register
class GaussianBlur(ImageAugmentation):
    """Gaussian blur with a per-sample ``sigma`` (separable, reflect borders).

    Args:
      kernel_size: Odd int >= 1, the side of the square kernel in pixels.
      sigma: Standard deviation in pixels: a number, or a pair ``(lo, hi)``
        drawn uniformly per sample. Must be > 0.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the drawn
        sigma; 1 is as configured, 0 the identity (a sigma of 0 gives the
        one-hot kernel, no NaN).
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` (or a dict; only ``images`` change).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> blur = tfaug.image.GaussianBlur(5, sigma=(0.1, 2.0), seed=0)
      >>> out = blur(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"

    def __init__(self, kernel_size: int | tuple[int, int] = 3,
                 sigma: float | tuple[float, float] = (0.1, 2.0), *, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        kernel_size = validation.check_int("kernel_size", kernel_size, 1)
        if kernel_size % 2 == 0:
            raise validation.ArgumentError("kernel_size", kernel_size, "an odd int >= 1")
        self.kernel_size = kernel_size
        self.sigma, self._sigma = _range_arg("sigma", sigma, 0.0, None, positive=True)

    def sample_params(self, batch_size, seed):
        lo, hi = self._sigma
        sigma = seeds_lib.uniform([batch_size], seed, lo, hi) * self.strength_tensor()
        # The kernel op floors sigma at 1e-6: a one-hot kernel, never 0 / 0.
        return {"sigma": sigma}

    def transform(self, data, params):
        out = dict(data)
        out["images"] = noise_ops.gaussian_blur(data["images"], params["sigma"],
                                                self.kernel_size)
        return out


@registry.register
class JpegQuality(ImageAugmentation):
    """Real JPEG compression artefacts: encodes and decodes each image at a
    quality drawn per sample.

    Uses TensorFlow's JPEG codec (one image at a time), which XLA cannot
    compile: this layer is the one exemption from ``jit_compile=True``. Images
    must have 1 or 3 channels; they are quantized to 8 bits before encoding.

    Args:
      min_quality: Lowest JPEG quality, int in ``[1, 100]``.
      max_quality: Highest JPEG quality (inclusive), ``>= min_quality``.
      strength: Keyword-only scale ``>= 0`` (a variable): at strength ``m`` the
        drawn quality ``q`` becomes ``100 - m (100 - q)``, rounded (ties to
        even) and clamped to ``[1, 100]``; 1 is as configured. At exactly 0 the images are not
        re-encoded at all (the identity; ``encode`` is false in the params).
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]`` with ``C`` in ``(1, 3)`` (or a dict;
      only ``images`` change).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> jpeg = tfaug.image.JpegQuality(30, 90, seed=0)
      >>> out = jpeg(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    xla_exempt = True
    strength_scales = "parameters"

    def __init__(self, min_quality: int = 50, max_quality: int = 100, *, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.min_quality = validation.check_int("min_quality", min_quality, 1, 100)
        self.max_quality = validation.check_int("max_quality", max_quality, 1, 100)
        if self.max_quality < self.min_quality:
            raise validation.ArgumentError("max_quality", max_quality,
                                           f">= `min_quality` ({min_quality})")

    def sample_params(self, batch_size, seed):
        quality = seeds_lib.uniform([batch_size], seed, self.min_quality,
                                    self.max_quality + 1, dtype=tf.int32)
        m = self.strength_tensor()
        quality = tf.round(tf.cast(quality, tf.float32) * m + 100.0 * (1.0 - m))
        return {"quality": tf.cast(tf.clip_by_value(quality, 1.0, 100.0), tf.int32),
                "encode": tf.fill([batch_size], m > 0.0)}

    def transform(self, data, params):
        images, quality = data["images"], params["quality"]
        encode = params.get("encode")
        out = dict(data)
        if encode is None:
            out["images"] = noise_ops.jpeg_quality(images, quality)
            return out
        coded = tf.cond(tf.reduce_any(encode),
                        lambda: noise_ops.jpeg_quality(images, quality), lambda: images)
        out["images"] = tf.where(encode[:, None, None, None], coded, images)
        return out


@registry.register
class RandomGaussianBlur(ImageAugmentation):
    """Keras' ``RandomGaussianBlur``: blurs each image with a per-sample
    probability ``p`` drawn from ``factor`` (separable kernel; zeros outside
    the image, as Keras' convolution, so borders darken; ``padding="reflect"``
    keeps them).

    tfaug's :class:`GaussianBlur` blurs every sample (gated by ``probability``).

    Args:
      factor: A number ``f`` draws ``p`` from ``[0, f]`` (Keras' code: the
        default 1.0 blurs half the images on average), a pair between its
        values; in ``[0, 1]``. 0 is the identity.
      kernel_size: An odd int, or a pair ``(height, width)`` of odd ints.
      sigma: Standard deviation in pixels: a number ``>= 0`` (fixed; Keras'
        documented meaning; 0 is the identity kernel) or a pair ``(lo, hi)``
        drawn per sample.
      value_range: ``(low, high)`` of float inputs.
      data_format: ``"channels_last"``, ``"channels_first"`` or None.
      seed: Initial seed state.
      strength: Keyword-only scale ``>= 0`` (a variable): multiplies the drawn
        sigma; 1 is as configured, 0 the identity.
      probability: Keyword-only per-sample chance that the layer applies.
      padding: Keyword-only border rule: ``"constant"`` (zeros, Keras') or
        ``"reflect"``.

    Keras' transform API: a transformation carries ``should_apply_blur``
    (bool ``[B]``) and ``blur_factor``, the ``(sigma_x, sigma_y)`` of each
    sample, ``[B, 2]`` (Keras draws one pair per batch, shape ``[2]``; both
    shapes are read). ``transform_images`` returns a batch for a single image,
    as Keras' broadcasting does.

    Input shape:
      ``[B, H, W, C]`` or ``[H, W, C]``, or a dict (labels, masks, boxes pass through).

    Example:
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> layer = tfaug.image.RandomGaussianBlur((1, 1), kernel_size=5, sigma=(0.5, 1.5))
      >>> out = layer(images, training=True)
      >>> out.shape, out.dtype
      (TensorShape([2, 32, 32, 3]), tf.uint8)
    """

    strength_scales = "parameters"

    def __init__(self, factor: float | tuple[float, float] = 1.0,
                 kernel_size: int | tuple[int, int] = 3, sigma: float | tuple[float, float] = 1.0,
                 value_range: tuple[float, float] = (0, 255), data_format: str | None = None,
                 seed: int | None = None, *, probability: float = 1.0, padding: str = "constant",
                 **kwargs: Any) -> None:
        super().__init__(probability=probability, value_range=keras_value_range(value_range),
                         seed=seed, data_format=data_format, **kwargs)
        self.factor, self._factor = keras_factor("factor", factor, 0, 1)
        self.padding = validation.check_choice("padding", padding, ("constant", "reflect"))
        sizes = [kernel_size] if validation.is_number(kernel_size) else kernel_size
        ints = isinstance(sizes, (list, tuple)) and len(sizes) in (1, 2) and all(
            isinstance(k, int) and not isinstance(k, bool) for k in sizes)
        if not (ints and all(k > 0 and k % 2 == 1 for k in sizes)):
            raise (validation.ArgumentError if ints else validation.ArgumentTypeError)(
                "kernel_size", kernel_size, "an odd positive int or a pair of them",
                f"kernel_size must be an odd number. Received: kernel_size={kernel_size!r}")
        self.kernel_size = int(sizes[0]) if len(sizes) == 1 else [int(k) for k in sizes]
        self.sigma, self._sigma = _range_arg("sigma", sigma, 0.0, None)

    def sample_params(self, batch_size, seed):
        flag_seed, sigma_seed = tf.unstack(seeds_lib.split(seed, 2))
        sigma = seeds_lib.uniform([batch_size], sigma_seed, *self._sigma)
        return {"blur": keras_apply_flags(self._factor, batch_size, flag_seed),
                "sigma": sigma * self.strength_tensor()}

    def transform(self, data, params):
        x = data["images"]
        sigma = params["sigma"]
        if sigma.shape.rank == 2:  # Keras' (sigma_x, sigma_y) per sample
            ky, kx = ((self.kernel_size,) * 2 if isinstance(self.kernel_size, int)
                      else self.kernel_size)
            blurred = noise_ops.gaussian_blur(x, sigma[:, 1], (ky, 1), self.padding)
            blurred = noise_ops.gaussian_blur(blurred, sigma[:, 0], (1, kx), self.padding)
        else:
            blurred = noise_ops.gaussian_blur(x, sigma, self.kernel_size, self.padding)
        flag = tf.reshape(params["blur"], [-1, 1, 1, 1])
        return dict(data, images=tf.where(flag, blurred, x))

    def keras_transformation(self, params, data):
        """Keras' keys: ``should_apply_blur`` (the layer's gate included) and
        ``blur_factor`` ``[B, 2]`` (``sigma_x, sigma_y``)."""
        sigma = params["sigma"]
        return {"should_apply_blur": with_gate(params["blur"], params),
                "blur_factor": sigma if sigma.shape.rank == 2 else tf.stack([sigma] * 2, -1)}

    def from_keras_transformation(self, transformation, data):
        """tfaug's ``blur``/``sigma`` if present, else Keras' keys."""
        if "blur" in transformation and "sigma" in transformation:
            return transformation
        b = self.batch_size(data)
        return {"blur": keras_rows(transformation["should_apply_blur"], b, tf.bool),
                "sigma": keras_rows(transformation["blur_factor"], b, inner=(2,))}

    keras_batches_images = True  # Keras returns a single image as a batch of one
