"""Keras' transform API over tfaug's ``sample``/``apply`` split.

keras.layers' image layers split a call into ``get_random_transformation`` and
``transform_images`` / ``transform_labels`` / ``transform_bounding_boxes`` /
``transform_segmentation_masks``. tfaug's split is ``sample`` (draw) and
``apply`` (deterministic); :class:`KerasTransformAPI` gives Keras' names over
it, so code written against Keras' API (and Keras' own tests) runs on tfaug's
same-named layers. A transformation holds tfaug's params, Keras'
``input_shape`` and the layer's Keras keys (:meth:`keras_transformation`); a
transformation built by hand with only Keras' keys is read by
:meth:`from_keras_transformation`.
"""

import tensorflow as tf

from tfaug.core import seeds as seeds_lib


class KerasTransformAPI:
    """Mixin of :class:`tfaug.image.base.ImageAugmentation` (uses its
    ``standardize``/``sample``/``apply``/``restore``)."""

    def get_random_transformation(self, data, training=True, seed=None):
        """Draws this layer's parameters for ``data`` (Keras' API).

        Args:
          data: Images, or a dict with ``images``.
          training: False returns None (nothing is drawn).
          seed: Optional ``[2]`` integer seed (else the layer's seed state).

        Returns:
          A dict: tfaug's ``sample`` params, ``input_shape`` and Keras' keys.

        Example:
          >>> images = tf.cast(tf.random.uniform([2, 8, 8, 3], 0, 256, tf.int32), tf.uint8)
          >>> layer = tfaug.image.RandomFlip("horizontal", rate=1.0)
          >>> t = layer.get_random_transformation(images)
          >>> out = layer.transform_images(images, t)
          >>> bool(tf.reduce_all(out == images[:, :, ::-1]))
          True
        """
        if not training:
            return None
        internal, _ = self.standardize(data)
        seed = self.next_seed() if seed is None or not _is_seed(seed) else \
            seeds_lib.as_seed(seed)
        params = dict(self.sample(self.batch_size(internal), seed))
        params.update(self.keras_transformation(params, internal))
        params["input_shape"] = tf.shape(data["images"] if isinstance(data, dict) else data)
        return params

    def keras_transformation(self, params, data):
        """Keras' keys for drawn ``params`` (e.g. RandomFlip's ``flips``); none by
        default. ``data`` is the standardized input."""
        del params, data
        return {}

    def from_keras_transformation(self, transformation, data):
        """tfaug params from a transformation: as is when it holds them, else
        the layer reads Keras' keys (override where the two differ; layers
        whose Keras transformation is a tuple read it there)."""
        del data
        return transformation

    # Layers whose Keras transformation is a tuple (RandomCrop's ``(h_start,
    # w_start)``, the resizing layers' input size) read it in their
    # ``from_keras_transformation``; the others take dicts only.
    keras_tuple_transformation = False

    def _transform(self, data, transformation, training):
        if not training or transformation is None:
            return data
        if isinstance(transformation, dict):
            transformation = dict(transformation)
        elif not (self.keras_tuple_transformation and isinstance(transformation, (tuple, list))):
            raise ValueError(
                f"`transformation` must be a dict (from get_random_transformation, or "
                f"with Keras' keys for {type(self).__name__}), got "
                f"{type(transformation).__name__} {transformation!r}.")
        internal, spec = self.standardize(data)
        params = self.from_keras_transformation(transformation, internal)
        return self.restore(self.apply(internal, params), spec)

    def _with_images(self, key, value, transformation):
        shape = transformation.get("input_shape") if isinstance(transformation, dict) else None
        if shape is None:
            raise ValueError(f"The transformation has no 'input_shape': {key} are "
                             "transformed with the image size it was drawn for.")
        if key == "bounding_boxes" and isinstance(value, dict) and "boxes" in value:
            # As Keras: only the image size is read from input_shape; whether the
            # boxes are batched ([B, N, 4] or [N, 4]) follows their own rank.
            boxes = value["boxes"]
            if not hasattr(boxes, "shape"):
                boxes = tf.convert_to_tensor(boxes)
            rank = boxes.shape.rank if isinstance(boxes.shape, tf.TensorShape) \
                else len(boxes.shape)
            if rank in (2, 3):
                size = tf.unstack(tf.convert_to_tensor(shape, tf.int32)[-3:]) if tf.is_tensor(
                    shape) else [int(v) for v in list(shape)[-3:]]
                batch = [boxes.shape[0] if boxes.shape[0] is not None
                         else tf.shape(boxes)[0]] if rank == 3 else []
                shape = tf.stack(batch + size) if any(tf.is_tensor(v) for v in batch + size) \
                    else batch + size
        return {"images": tf.zeros(shape, tf.float32), key: value}

    # Layers whose Keras transformation is per batch (``[B]`` flags,
    # ``permutation_order``): Keras' ``transform_images`` returns a single
    # ``[H, W, C]`` image as a batch of one; so do these.
    keras_batches_images = False

    def transform_images(self, images, transformation, training=True):
        """Applies ``transformation`` to ``images`` (Keras' API)."""
        if self.keras_batches_images:
            images = tf.convert_to_tensor(images)
            images = images[None] if images.shape.rank == 3 else images
        return self._transform(images, transformation, training)

    def transform_labels(self, labels, transformation, training=True):
        """Applies ``transformation`` to ``labels`` (Keras' API)."""
        if not training or transformation is None or not self.changes_labels:
            return labels
        return self._transform(self._with_images("labels", labels, transformation),
                               transformation, training)["labels"]

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        """Applies ``transformation`` to Keras' ``{"boxes", "labels"}`` (Keras' API)."""
        if not training or transformation is None:
            return bounding_boxes
        data = self._with_images("bounding_boxes", bounding_boxes, transformation)
        return self._transform(data, transformation, training)["bounding_boxes"]

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        """Applies ``transformation`` to ``segmentation_masks`` (Keras' API)."""
        if not training or transformation is None:
            return segmentation_masks
        data = self._with_images("segmentation_masks", segmentation_masks, transformation)
        return self._transform(data, transformation, training)["segmentation_masks"]


def _is_seed(seed):
    """An int or an integer tensor/array (not Keras' SeedGenerator)."""
    if isinstance(seed, int) and not isinstance(seed, bool):
        return True
    return hasattr(seed, "dtype") and tf.as_dtype(seed.dtype).is_integer
