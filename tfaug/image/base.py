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
mixed-precision policy); other integer images come back as float32 (the
compute dtype), as keras.layers return them, and so do integer boxes. Ragged
boxes drop flagged boxes.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfaug.core import validation
from tfaug.core.base import GATE, Augmentation
from tfaug.image.ops import affine
from tfaug.image.keras_api import KerasTransformAPI
from tfaug.image.ops import boxes as box_ops

IMAGE_KEYS = ("images", "labels", "masks", "boxes")
# Keras' names for two of them: ``segmentation_masks`` (masks) and
# ``bounding_boxes`` (a dict ``{"boxes", "labels"}``); outputs keep the names given.
KERAS_KEYS = ("segmentation_masks", "bounding_boxes")
INPUT_KEYS = IMAGE_KEYS + KERAS_KEYS


class ImageAugmentation(KerasTransformAPI, Augmentation):
    """Base of image layers.

    Args:
      probability: Per-sample chance that the layer applies.
      value_range: ``(low, high)`` of float inputs (default ``(0, 255)``);
        uint8 inputs are always ``0..255``.
      seed: Initial seed state.
      data_format: ``"channels_last"``, ``"channels_first"`` or None
        (``keras.config.image_data_format()``).
      bounding_box_format: Format of ``boxes``/``bounding_boxes`` in dict inputs:
        None (tfaug's ``xyxy`` pixels) or one of Keras' formats (``"xyxy"``,
        ``"rel_xyxy"``, ``"yxyx"``, ``"xywh"``, ``"center_xywh"``, ...).
      **kwargs: Keras layer arguments.
    """

    modality = "image"
    # True: ``transform`` also takes the 8-bit encoding of the internal form
    # (see the module docstring); False: ``apply`` hands it float32 [0, 1].
    accepts_levels = False

    def __init__(self, *, probability: float = 1.0, value_range: tuple[float, float] = (0, 255),
                 seed: int | None = None, data_format: str | None = None,
                 bounding_box_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(probability=probability, seed=seed, **kwargs)
        self.value_range = validation.check_value_range("value_range", value_range)
        self.data_format = check_data_format(data_format)
        self.bounding_box_format = check_box_format(bounding_box_format)

    def get_config(self):
        config = super().get_config()
        # Every image layer takes Keras' ``data_format``/``bounding_box_format``
        # (keyword arguments of this base when a subclass does not list them).
        config.setdefault("data_format", self.data_format)
        config.setdefault("bounding_box_format", self.bounding_box_format)
        return config

    def to_unit(self, value):
        """Converts a pixel value in ``value_range`` units to the internal ``[0, 1]``."""
        lo, hi = self.value_range
        return (value - lo) * (1.0 / (hi - lo))

    # ----------------------------------------------------------- inputs
    def standardize(self, inputs):
        is_dict = isinstance(inputs, dict)
        if is_dict:
            unknown = sorted(set(inputs) - set(INPUT_KEYS))
            if unknown:
                raise ValueError(f"`inputs` has unknown keys {unknown}; image layers "
                                 f"accept {list(INPUT_KEYS)}.")
            if "images" not in inputs:
                raise ValueError("`inputs` dict must contain 'images'.")
            for a, b in (("masks", "segmentation_masks"), ("boxes", "bounding_boxes")):
                if a in inputs and b in inputs:
                    raise ValueError(f"`inputs` has both {a!r} and {b!r} (the same target "
                                     "under tfaug's and Keras' names); give one.")
            raw = dict(inputs)
        else:
            raw = {"images": inputs}
        images = raw["images"]
        if not tf.is_tensor(images):
            images = tf.convert_to_tensor(images)
        dtype = images.dtype
        if not (dtype.is_floating or dtype.is_integer) or dtype.is_complex:
            raise ValueError(f"`images` must have a float or integer dtype, got "
                             f"{dtype.name}.")
        rank = images.shape.rank
        if rank not in (3, 4):
            raise ValueError(f"`images` must have rank 4 [B, H, W, C] or rank 3 "
                             f"[H, W, C], got rank {rank} (shape {images.shape}). "
                             "Expected the input image to be rank 3 or 4.")
        batched = rank == 4
        spec = {"is_dict": is_dict, "batched": batched, "dtype": dtype, "keys": tuple(raw)}
        if not batched:
            images = images[None]
        images = self.to_channels_last(images)
        if images.shape[0] == 0:
            raise ValueError("`images` is an empty batch (batch size 0); at least one "
                             "image is required.")
        if images.shape[1] == 0 or images.shape[2] == 0:
            raise ValueError(f"`images` has an empty spatial size: {images.shape}.")
        lo, hi = self.value_range
        if dtype == tf.uint8:
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
        for key in ("masks", "segmentation_masks"):
            if key in raw:
                data["masks"] = self._standardize_masks(raw[key], key, batched, spec)
        if "boxes" in raw:
            data["boxes"] = self._standardize_boxes(raw["boxes"], "boxes", batched, spec,
                                                    images)
        if "bounding_boxes" in raw:
            given = raw["bounding_boxes"]
            if not isinstance(given, dict) or "boxes" not in given:
                raise ValueError("`bounding_boxes` must be a dict with 'boxes' (and "
                                 f"optionally 'labels'), as in Keras; got {type(given).__name__}.")
            data["boxes"] = self._standardize_boxes(given["boxes"], "bounding_boxes['boxes']",
                                                    batched, spec, images)
            if "labels" in given:
                box_labels = tf.convert_to_tensor(given["labels"])
                if isinstance(given["labels"], tf.RaggedTensor):
                    box_labels = given["labels"].to_tensor(default_value=-1)
                data["box_labels"] = box_labels if batched else box_labels[None]
            spec["box_keys"] = tuple(given)
        return data, spec

    def to_channels_last(self, images):
        """A batch ``[B, ...]`` in the layer's ``data_format`` -> ``[B, H, W, C]``."""
        if self.data_format == "channels_first":
            return tf.transpose(images, [0, 2, 3, 1])
        return images

    def from_channels_last(self, images):
        """A batch ``[B, H, W, C]`` -> the layer's ``data_format``."""
        if self.data_format == "channels_first":
            return tf.transpose(images, [0, 3, 1, 2])
        return images

    def _standardize_masks(self, masks, key, batched, spec):
        masks = tf.convert_to_tensor(masks)
        if not batched:
            masks = masks[None]
        spec["mask_rank"] = masks.shape.rank
        if masks.shape.rank == 3:
            masks = masks[..., None]
        elif masks.shape.rank == 4:
            masks = self.to_channels_last(masks)
        else:
            raise ValueError(f"`{key}` must have shape [B, H, W] or [B, H, W, K] (channels "
                             f"in `data_format`; without B when images are unbatched), "
                             f"got {masks.shape}.")
        return masks

    def _standardize_boxes(self, boxes, key, batched, spec, images):
        spec["boxes_ragged"] = isinstance(boxes, tf.RaggedTensor)
        spec["boxes_dtype"] = boxes.dtype if hasattr(boxes, "dtype") else tf.float32
        if spec["boxes_ragged"]:
            boxes = boxes.to_tensor(default_value=affine.INVALID_BOX)
        boxes = tf.cast(tf.convert_to_tensor(boxes), tf.float32)
        if not batched:
            boxes = boxes[None]
        if boxes.shape.rank != 3 or boxes.shape[-1] not in (None, 4):
            raise ValueError(f"`{key}` must have shape [B, N, 4] ([N, 4] for one image) in "
                             f"`bounding_box_format` ({self.bounding_box_format or 'xyxy'}), "
                             f"got {boxes.shape}.")
        if self.bounding_box_format not in (None, "xyxy"):
            boxes = box_ops.convert_boxes(boxes, self.bounding_box_format, "xyxy",
                                          spatial(images))
        return boxes

    def _infer(self, inputs):
        # Integer images other than uint8 come out as floats whether or not the
        # layer augments (Keras' rule), so a layer's output dtype never depends
        # on ``training`` (Keras' ``compute_output_spec`` relies on that).
        images = inputs.get("images") if isinstance(inputs, dict) else inputs
        dtype = getattr(images, "dtype", None)
        if (not self.changes_size and dtype is not None and tf.as_dtype(dtype).is_integer
                and tf.as_dtype(dtype) != tf.uint8):
            as_float = tf.cast(images, self.output_dtype(tf.float32))  # values as they are
            return dict(inputs, images=as_float) if isinstance(inputs, dict) else as_float
        return super()._infer(inputs)

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
            # Other integer images come back as floats (Keras' rule: an
            # interpolated pixel keeps its fraction), in the compute dtype.
            lo, hi = self.value_range
            out_dtype = self.output_dtype(tf.float32 if dtype.is_integer else dtype)
            images = tf.cast(tf.clip_by_value(x, 0.0, 1.0) * (hi - lo) + lo, out_dtype)
        keys = spec["keys"]
        out = {"images": self.from_channels_last(images)}
        if "labels" in keys:
            out["labels"] = data["labels"]
        if "masks" in data:
            masks = data["masks"]
            masks = masks[..., 0] if spec.get("mask_rank") == 3 else self.from_channels_last(masks)
            out["segmentation_masks" if "segmentation_masks" in keys else "masks"] = masks
        if "boxes" in data:
            boxes = data["boxes"]
            valid = tf.reduce_all(boxes >= 0, axis=-1)
            if self.bounding_box_format not in (None, "xyxy"):
                boxes = box_ops.convert_boxes(boxes, "xyxy", self.bounding_box_format,
                                              spatial(x))
            if tf.as_dtype(spec["boxes_dtype"]).is_floating:  # integer boxes: float32
                boxes = tf.cast(boxes, spec["boxes_dtype"])
            box_labels = data.get("box_labels")
            if box_labels is not None:
                box_labels = tf.where(valid, box_labels, tf.cast(-1, box_labels.dtype))
            if spec["boxes_ragged"]:
                boxes = tf.ragged.boolean_mask(boxes, valid)
                if box_labels is not None:
                    box_labels = tf.ragged.boolean_mask(box_labels, valid)
            if "bounding_boxes" in keys:
                out["bounding_boxes"] = {"boxes": boxes}
                if "labels" in spec.get("box_keys", ()):
                    out["bounding_boxes"]["labels"] = box_labels
            else:
                out["boxes"] = boxes
        if not spec["batched"]:
            out = tf.nest.map_structure(lambda v: v[0], out)
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

    def __init__(self, *, interpolation: str = "bilinear", fill_mode: str = "constant",
                 fill_value: float = 0.0, probability: float = 1.0,
                 value_range: tuple[float, float] = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
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


DATA_FORMATS = ("channels_last", "channels_first")
# Keras' names (keras.utils.bounding_boxes), plus YOLO's normalized centre form.
BOX_FORMATS = box_ops.FORMATS


def check_data_format(value):
    """``data_format``: None (Keras' ``image_data_format()``), ``"channels_last"``
    or ``"channels_first"``; returns the resolved name."""
    if value is None:
        import keras  # pylint: disable=import-outside-toplevel
        return keras.config.image_data_format()
    return validation.check_choice("data_format", value, DATA_FORMATS)


def check_box_format(value):
    """``bounding_box_format``: None (tfaug's xyxy pixels) or one of :data:`BOX_FORMATS`."""
    if value is None:
        return None
    return validation.check_choice("bounding_box_format", value, BOX_FORMATS)


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
