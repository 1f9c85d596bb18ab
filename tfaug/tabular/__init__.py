"""Tabular augmentation: the SMOTE family, noise, masking and a generative model.

Layers take a ``[B, F]`` matrix, ``(features, labels)``, ``{"features",
"labels"}`` or a dict of feature columns (see :mod:`tfaug.tabular.base`). The
pure ops (nearest neighbours, ``smote``, ``smote_nc``, ``borderline_smote``,
``adasyn``, ``random_oversample``) are in :mod:`tfaug.tabular.ops`.
"""

from tfaug.tabular import ops
from tfaug.tabular.base import TabularAugmentation
from tfaug.tabular.noise import FeatureMask, GaussianNoise, SwapNoise, TabularMixUp
from tfaug.tabular.oversample import SMOTE, GenerativeOversampler
from tfaug.tabular.vae import TabularVAE

__all__ = ["FeatureMask", "GaussianNoise", "GenerativeOversampler", "SMOTE", "SwapNoise",
           "TabularAugmentation", "TabularMixUp", "TabularVAE", "ops"]
