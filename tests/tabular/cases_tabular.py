"""Harness cases for the tabular layers (see tests/harness.py)."""

import keras
import numpy as np
import tensorflow as tf

from tests.harness import Case
from tfaug import tabular


def _adapted_noise():
    layer = tabular.GaussianNoise(0.2, seed=1)
    rng = np.random.default_rng(1)
    layer.adapt(rng.normal(size=(64, 5)).astype(np.float32) * [1, 2, 3, 4, 5])
    return layer


CASES = [
    Case("tabular.GaussianNoise", _adapted_noise, modality="tabular"),
    Case("FeatureMask", lambda: tabular.FeatureMask(0.3, mask_value=-9.0, seed=2),
         modality="tabular"),
    Case("SwapNoise", lambda: tabular.SwapNoise(0.4, seed=3), modality="tabular"),
    Case("TabularMixUp", lambda: tabular.TabularMixUp(0.4, num_classes=3, seed=4),
         modality="tabular", labels="int"),
]


def imbalanced(rows=(40, 10, 6), width=5, seed=0):
    """Rows of 3 classes with the given sizes, class c centred at 4 * c."""
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.full(n, c) for c, n in enumerate(rows)]).astype(np.int32)
    x = (rng.normal(size=(len(y), width)) + 4.0 * y[:, None]).astype(np.float32)
    return x, y


def _adapted_smote():
    layer = tabular.SMOTE(k_neighbors=3, sampling_strategy={1: 80, 2: 80}, seed=5)
    layer.adapt(*imbalanced())
    return layer


CASES.append(Case("SMOTE", _adapted_smote, modality="tabular", needs_labels=True,
                  grows_batch=True, stateful=True))


@keras.saving.register_keras_serializable(package="tfaug_tests")
class ClassMeanGenerator(keras.layers.Layer):
    """A stand-in generator for the harness: class mean + seeded unit noise.

    (The real one, TabularVAE, is trained in test_oversample.py.)
    """

    def __init__(self, means, **kwargs):
        super().__init__(**kwargs)
        self.means = [list(map(float, m)) for m in means]

    def get_config(self):
        return dict(super().get_config(), means=self.means)

    def generate(self, labels, seed):
        rows = tf.gather(tf.constant(self.means, tf.float32), labels)
        return rows + tf.random.stateless_normal(tf.shape(rows), seed, alg="philox")


def _generative():
    means = [[4.0 * c] * 5 for c in range(3)]
    layer = tabular.GenerativeOversampler(ClassMeanGenerator(means),
                                          sampling_strategy={1: 80, 2: 80}, seed=6)
    layer.adapt(*imbalanced())
    return layer


CASES.append(Case("GenerativeOversampler", _generative, modality="tabular",
                  needs_labels=True, grows_batch=True, stateful=True))
