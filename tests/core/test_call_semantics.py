"""Keras call semantics, safer than Keras, on every inference path.

Called directly without ``training`` a tfaug layer augments (as keras.layers'
image layers do). Inside a model it augments only when the model runs with
``training=True``: ``model(x)``, ``predict``, ``evaluate``, Keras'
``Model.export`` serving function and ``tfaug.export.export_model`` all serve
unaugmented inputs. A probe layer after the augmentation records what reached
the model.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfaug


class Probe(keras.layers.Layer):
    """Identity that stores the sum of the last batch it saw."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                    name="seen")

    def call(self, x):
        self.seen.assign(tf.reduce_sum(tf.cast(x, "float32")))
        return x


def _augmentations():
    return [tfaug.image.RandomRotation(0.3, seed=1),
            tfaug.RandAugment(num_ops=2, magnitude=20, seed=2),
            tfaug.Sequence([tfaug.image.RandomFlip(seed=3),
                            tfaug.image.RandomContrast(0.5, seed=4)], seed=5)]


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    return rng.uniform(0, 255, (8, 16, 16, 3)).astype("float32")


def _model(aug):
    probe = Probe()
    inputs = keras.Input((16, 16, 3))
    x = probe(aug(inputs))
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(2)(x))
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model, probe


@pytest.mark.parametrize("index", range(3), ids=["rotation", "randaugment", "sequence"])
def test_direct_call_augments_and_training_false_does_not(images, index):
    aug = _augmentations()[index]
    x = tf.constant(images)
    assert not np.allclose(aug(x).numpy(), images, atol=1e-3)
    np.testing.assert_array_equal(aug(x, training=False).numpy(), images)
    # In a tf.data map (called directly) it augments too.
    batch = next(iter(tf.data.Dataset.from_tensors(x).map(lambda t: aug(t))))
    assert not np.allclose(batch.numpy(), images, atol=1e-3)


@pytest.mark.parametrize("index", range(3), ids=["rotation", "randaugment", "sequence"])
def test_every_inference_path_is_unaugmented(images, index, tmp_path):
    aug = _augmentations()[index]
    model, probe = _model(aug)
    clean = float(np.sum(images))
    labels = np.arange(8) % 2

    model(images)
    assert float(probe.seen.numpy()) == pytest.approx(clean, rel=1e-6)
    model.predict(images, verbose=0)
    assert float(probe.seen.numpy()) == pytest.approx(clean, rel=1e-6)
    model.evaluate(images, labels, verbose=0)
    assert float(probe.seen.numpy()) == pytest.approx(clean, rel=1e-6)
    model(images, training=True)
    assert float(probe.seen.numpy()) != pytest.approx(clean, rel=1e-6)

    reference = model(images).numpy()
    model.export(str(tmp_path / "keras_export"), verbose=False)
    exported = tf.saved_model.load(str(tmp_path / "keras_export"))
    served = exported.serve(images)
    np.testing.assert_allclose(served.numpy(), reference, rtol=1e-5, atol=1e-5)

    tfaug.export.export_model(model, str(tmp_path / "tfaug_export"))
    loaded = tf.saved_model.load(str(tmp_path / "tfaug_export"))
    signature = loaded.signatures["serving_default"]
    out = signature(**{signature.structured_input_signature[1].popitem()[0]:
                       tf.constant(images)})
    np.testing.assert_allclose(next(iter(out.values())).numpy(), reference, rtol=1e-5,
                               atol=1e-5)


def test_fit_augments(images):
    aug = tfaug.image.RandomRotation(0.3, seed=1)
    model, probe = _model(aug)
    model.fit(images, np.arange(8) % 2, batch_size=8, epochs=1, verbose=0)
    assert float(probe.seen.numpy()) != pytest.approx(float(np.sum(images)), rel=1e-6)
