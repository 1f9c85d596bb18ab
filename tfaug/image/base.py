"""Image layer bases: input handling, and the geometric (matrix) protocol.

Internally an image layer sees one form, whatever the input dtype and whichever
layers a composition holds:

* ``images``: values in ``[0, 1]``: float32 ``[B, H, W, C]`` (float16, bfloat16,
  float32 and float64 inputs are read under ``value_range``), or, for uint8
  inputs, the same values in their 8-bit encoding (uint8 levels ``0..255``
  meaning ``level / 255``). A layer whose ``transform`` needs floats gets them:
  :meth:`ImageAugmentation.accept_form` converts the encoding in ``apply``
  (layers with ``accepts_levels``, the policies, move levels: a quarter of the
  memory traffic). Either encoding holds the same values, so any composition
  of layers works in any order;
* ``labels``: as given (batched);
* ``masks``: ``[B, H, W, 1]`` (any numeric dtype);
* ``boxes``: float32 ``[B, N, 4]`` xyxy pixels, flagged boxes all ``-1``.

``restore`` converts back: uint8 in gives uint8 out (rounded, clipped), floats
return clipped to ``value_range`` in their dtype (the compute dtype under a
mixed-precision policy), ragged boxes drop flagged boxes.
"""

import tensorflow as tf

from tfaug.core import validation
from tfaug.core.base import GATE, Augmentation
from tfaug.image.ops import affine

IMAGE_KEYS = ("images", "labels", "masks", "boxes")


class ImageAugmentation(Augmentation):
    """Base of image layers.

    Args:
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs (default ``(0, 255)``);
        uint8 inputs are always ``0..255``.
      seed: Initial seed state.
      **kwargs: Keras layer arguments.
    """

    modality = "image"
    # True: ``transform`` also takes the 8-bit encoding of the internal form
    # (see the module docstring); False: ``apply`` hands it float32 [0, 1].
    accepts_levels = False

    def __init__(self, probability=1.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(probability=probability, seed=seed, **kwargs)
        self.value_range = validation.check_value_range("value_range", value_range)

    def to_unit(self, value):
        """Converts a pixel value in ``value_range`` units to the internal ``[0, 1]``."""
        lo, hi = self.value_range
        return (value - lo) * (1.0 / (hi - lo))

    # ----------------------------------------------------------- inputs
    def standardize(self, inputs):
        is_dict = isinstance(inputs, dict)
        if is_dict:
            unknown = sorted(set(inputs) - set(IMAGE_KEYS))
            if unknown:
                raise ValueError(f"`inputs` has unknown keys {unknown}; image layers "
                                 f"accept {list(IMAGE_KEYS)}.")
            if "images" not in inputs:
                raise ValueError("`inputs` dict must contain 'images'.")
            raw = dict(inputs)
        else:
            raw = {"images": inputs}
        images = raw["images"]
        if not tf.is_tensor(images):
            images = tf.convert_to_tensor(images)
        if images.dtype == tf.string or not (images.dtype.is_floating or images.dtype == tf.uint8):
            raise ValueError(f"`images` must be uint8 or a float dtype, got "
                             f"{images.dtype.name}.")
        rank = images.shape.rank
        if rank not in (3, 4):
            raise ValueError(f"`images` must have rank 4 [B, H, W, C] or rank 3 "
                             f"[H, W, C], got rank {rank} (shape {images.shape}).")
        batched = rank == 4
        spec = {"is_dict": is_dict, "batched": batched, "dtype": images.dtype,
                "keys": tuple(raw)}
        if not batched:
            images = images[None]
        if images.shape[0] == 0:
            raise ValueError("`images` is an empty batch (batch size 0); at least one "
                             "image is required.")
        if images.shape[1] == 0 or images.shape[2] == 0:
            raise ValueError(f"`images` has an empty spatial size: {images.shape}.")
        lo, hi = self.value_range
        if images.dtype == tf.uint8:
            x = images  # the 8-bit encoding: converted when a layer needs floats
        else:
            # An explicit reciprocal: graph mode rewrites a division by a constant
            # into this multiply, so eager and graph results stay bitwise equal.
            x = (tf.cast(images, tf.float32) - lo) * (1.0 / (hi - lo))
        checks = _batch_checks(images)
        if checks:
            with tf.control_dependencies(checks):
                x = tf.identity(x)
        data = {"images": x}
        if "labels" in raw:
            labels = tf.convert_to_tensor(raw["labels"])
            data["labels"] = labels if batched else labels[None]
        if "masks" in raw:
            masks = tf.convert_to_tensor(raw["masks"])
            if not batched:
                masks = masks[None]
            spec["mask_rank"] = masks.shape.rank
            if masks.shape.rank == 3:
                masks = masks[..., None]
            if masks.shape.rank != 4 or (masks.shape[-1] not in (None, 1)):
                raise ValueError("`masks` must have shape [B, H, W] or [B, H, W, 1] "
                                 f"(without B when images are unbatched), got {masks.shape}.")
            data["masks"] = masks
        if "boxes" in raw:
            boxes = raw["boxes"]
            spec["boxes_ragged"] = isinstance(boxes, tf.RaggedTensor)
            if spec["boxes_ragged"]:
                boxes = boxes.to_tensor(default_value=affine.INVALID_BOX)
            boxes = tf.cast(tf.convert_to_tensor(boxes), tf.float32)
            spec["boxes_dtype"] = raw["boxes"].dtype if hasattr(raw["boxes"], "dtype") else tf.float32
            if not batched:
                boxes = boxes[None]
            if boxes.shape.rank != 3 or boxes.shape[-1] not in (None, 4):
                raise ValueError("`boxes` must have shape [B, N, 4] (xyxy pixels; "
                                 f"[N, 4] for one image), got {boxes.shape}.")
            data["boxes"] = boxes
        return data, spec

    def accept_form(self, data):
        """``data`` in the encoding this layer's ``transform`` takes: the 8-bit
        encoding becomes float32 ``[0, 1]`` unless :attr:`accepts_levels`."""
        if self.accepts_levels:
            return data
        return to_float_form(data)

    def float_form(self, data):
        return to_float_form(data)

    def input_checks(self, inputs):
        images = inputs["images"] if isinstance(inputs, dict) else inputs
        shape = getattr(images, "shape", None)  # a tensor, or a numpy array (a tuple shape)
        if shape is None or tf.TensorShape(shape).rank != 4:
            return []
        return _batch_checks(tf.convert_to_tensor(images))

    def restore(self, data, spec):
        x = data["images"]
        dtype = spec["dtype"]
        if dtype == tf.uint8 and x.dtype == tf.uint8:
            images = x
        elif dtype == tf.uint8:
            images = tf.cast(tf.clip_by_value(tf.round(x * 255.0), 0.0, 255.0), tf.uint8)
        else:
            lo, hi = self.value_range
            images = tf.cast(tf.clip_by_value(x, 0.0, 1.0) * (hi - lo) + lo,
                             self.output_dtype(dtype))
        out = {"images": images}
        for key in ("labels", "masks", "boxes"):
            if key in data and key in spec["keys"]:
                out[key] = data[key]
        if "masks" in out and spec.get("mask_rank") == 3:
            out["masks"] = out["masks"][..., 0]
        if "boxes" in out:
            boxes = tf.cast(out["boxes"], spec["boxes_dtype"])
            if spec["boxes_ragged"]:
                valid = tf.reduce_all(boxes >= 0, axis=-1)
                boxes = tf.ragged.boolean_mask(boxes, valid)
            out["boxes"] = boxes
        if not spec["batched"]:
            out = {k: v[0] for k, v in out.items()}
        return out if spec["is_dict"] else out["images"]

    def batch_size(self, data):
        return tf.shape(data["images"])[0]


class GeometricAugmentation(ImageAugmentation):
    """Base of layers that move pixels by a projective matrix per sample.

    A subclass implements :meth:`matrix` (``params`` -> ``[B, 3, 3]``
    output->input maps, continuous pixel coordinates) and, if the size changes,
    :meth:`output_size` and :meth:`neutral_matrix`. Images, masks (nearest) and
    boxes all follow the same matrix. Inside a ``Sequence``, consecutive
    geometric layers with the same :meth:`fusion_key` are composed and resampled
    once.

    Args:
      interpolation: ``"bilinear"`` or ``"nearest"``.
      fill_mode: ``"constant"``, ``"reflect"``, ``"nearest"`` or ``"wrap"``.
      fill_value: Fill for constant mode, in ``value_range`` units.
      probability: Per-sample chance that the layer applies (rows not drawn get
        the neutral matrix: identity, or the inference transform for layers
        that change the size).
      value_range: ``(low, high)`` of float inputs.
      seed: Initial seed state.
    """

    fusible = True

    def __init__(self, interpolation="bilinear", fill_mode="constant", fill_value=0.0,
                 probability=1.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(probability=probability, value_range=value_range, seed=seed,
                         **kwargs)
        self.interpolation = validation.check_choice("interpolation", interpolation,
                                                     affine.INTERPOLATIONS)
        self.fill_mode = validation.check_choice("fill_mode", fill_mode, affine.FILL_MODES)
        self.fill_value = validation.check_number("fill_value", fill_value)

    # ----------------------------------------------------- subclass protocol
    def matrix(self, params, height, width):
        """``[B, 3, 3]`` output->input maps for drawn ``params``."""
        raise NotImplementedError

    def output_size(self, height, width):
        """Output ``(height, width)`` for an input of ``(height, width)``."""
        return height, width

    def neutral_matrix(self, batch_size, height, width):
        """Matrix for rows the layer does not apply to (and for inference)."""
        return affine.identity(batch_size)

    # ---------------------------------------------------------- machinery
    @property
    def handles_gate(self):
        return True

    def fusion_key(self):
        return (self.interpolation, self.fill_mode, self.fill_value, tuple(self.value_range))

    def gated_matrix(self, params, height, width):
        m = self.matrix(params, height, width)
        if GATE in params:
            neutral = self.neutral_matrix(tf.shape(m)[0], height, width)
            m = tf.where(params[GATE][:, None, None], m, neutral)
        return m

    def transform(self, data, params):
        return self.apply_fused(data, [(self, params)])

    def apply_fused(self, data, pairs):
        """Composes the matrices of ``pairs`` (layer, params) and resamples once."""
        height, width = spatial(data["images"])
        matrix = None
        for layer, params in pairs:
            m = layer.gated_matrix(params, height, width)
            matrix = m if matrix is None else tf.matmul(matrix, m)
            height, width = layer.output_size(height, width)
        return self.resample(data, matrix, (height, width))

    def inference(self, data):
        if not self.changes_size:
            return data
        height, width = spatial(data["images"])
        m = self.neutral_matrix(tf.shape(data["images"])[0], height, width)
        return self.resample(data, m, self.output_size(height, width))

    def resample(self, data, matrix, output_size):
        """Moves images, masks and boxes through ``matrix`` to ``output_size``."""
        data = to_float_form(data)
        return affine.transform_targets(data, matrix, output_size, self.interpolation,
                                        self.fill_mode, self.to_unit(self.fill_value))


def toward(value, neutral, m):
    """``neutral + m (value - neutral)``, written so that ``m = 1`` gives ``value``
    and ``m = 0`` gives ``neutral`` bitwise: how a ``magnitude`` scales a drawn
    parameter toward its neutral value."""
    if neutral == 0:
        return value * m
    return value * m + neutral * (1.0 - m)


def _batch_checks(images):
    """Run-time check that a batch ``[B, H, W, C]`` whose ``B`` is only known at run
    time is not empty (a static empty batch is a ``ValueError`` at trace time)."""
    if images.shape[0] is not None:
        return []
    return [tf.debugging.assert_positive(
        tf.shape(images)[0], message="`images` is an empty batch (batch size 0)")]


def to_float_form(data):
    """The internal form with float32 ``[0, 1]`` images (8-bit levels divided by 255)."""
    images = data["images"]
    if images.dtype != tf.uint8:
        return data
    return dict(data, images=tf.cast(images, tf.float32) * (1.0 / 255.0))


def float_size(height, width):
    """``(height, width)`` (ints or scalar tensors) as float32 scalars."""
    return tf.cast(height, tf.float32), tf.cast(width, tf.float32)


def spatial(images):
    """(height, width) as Python ints when static, else scalar tensors."""
    shape = tf.shape(images)
    h = images.shape[1] if images.shape[1] is not None else shape[1]
    w = images.shape[2] if images.shape[2] is not None else shape[2]
    return h, w
