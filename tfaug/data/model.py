"""``AugmentedModel``: augmentation that rewrites labels, inside the train step.

A layer at the front of a Keras model sees only the inputs, so layers that
change the labels or the number of rows (``SMOTE``, ``TabularMixUp``,
``MixUp``, ``CutMix``) cannot sit there. ``AugmentedModel`` runs such an
augmentation on each training batch ``(x, y)`` inside the compiled train step,
then trains the wrapped model on the result. Evaluation, prediction and the
exported serving signature use the wrapped model alone: the augmentation is off,
yet its state (SMOTE's neighbour table, noise scales) is saved with the model.
"""

from __future__ import annotations

from typing import Any

import keras

from tfaug.core.base import Augmentation
from tfaug.data import pipeline_augment


@keras.saving.register_keras_serializable(package="tfaug")
class AugmentedModel(keras.Model):
    """Trains ``model`` on batches rewritten by ``augmentation``.

    Args:
      model: The Keras model to train (its inputs are what the data gives).
      augmentation: A tfaug layer (or ``Sequence``) applied to ``(x, y)`` of each
        training batch; layers that read labels get them, others see ``x``.
      **kwargs: ``keras.Model`` arguments (``name``).

    Example:
      >>> rng = np.random.default_rng(0)
      >>> x_train = rng.normal(size=(60, 4)).astype("float32")
      >>> y_train = np.array([0] * 50 + [1] * 10)
      >>> smote = tfaug.tabular.SMOTE(k_neighbors=3, seed=0)
      >>> smote.adapt(x_train, y_train)
      >>> classifier = keras.Sequential([keras.Input((4,)),
      ...                                keras.layers.Dense(2, activation="softmax")])
      >>> model = tfaug.data.AugmentedModel(classifier, smote)
      >>> model.compile("adam", "sparse_categorical_crossentropy")
      >>> history = model.fit(x_train, y_train, epochs=2, batch_size=30,
      ...                     verbose=0)  # SMOTE rows in every batch
      >>> path = tfaug.export.export_model(model, "served")  # serves `classifier` alone
      >>> served = tf.saved_model.load("served")
      >>> served.serve(x_train[:3]).shape
      TensorShape([3, 2])
    """

    def __init__(self, model: keras.Model, augmentation: keras.layers.Layer,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(model, keras.Model):
            raise ValueError(f"`model` must be a keras.Model, got {model!r}.")
        if not isinstance(augmentation, Augmentation):
            raise ValueError("`augmentation` must be a tfaug augmentation layer, got "
                             f"{augmentation!r}.")
        self.model = model
        self.augmentation = augmentation

    def call(self, inputs, training=None):
        return self.model(inputs, training=training)

    @property
    def input(self):
        """The wrapped model's inputs (what export infers signatures from)."""
        inputs = getattr(self.model, "inputs", None)
        if inputs:
            return inputs[0] if len(inputs) == 1 else list(inputs)
        return self.model.input

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        if sample_weight is not None and pipeline_augment.reads_labels(self.augmentation):
            raise ValueError("AugmentedModel: sample weights cannot follow an augmentation "
                             "that rewrites labels or adds rows; drop `sample_weight` (or "
                             "class_weight) — SMOTE rebalances the classes instead.")
        x, y = pipeline_augment.apply(self.augmentation, x, y, None)
        return super().train_step((x, y) if sample_weight is None else (x, y, sample_weight))

    def get_config(self):
        return {"model": keras.saving.serialize_keras_object(self.model),
                "augmentation": keras.saving.serialize_keras_object(self.augmentation),
                "name": self.name}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        model = keras.saving.deserialize_keras_object(config.pop("model"))
        augmentation = keras.saving.deserialize_keras_object(config.pop("augmentation"))
        return cls(model, augmentation, **config)
