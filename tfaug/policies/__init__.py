"""Policies: per-sample RandAugment, AutoAugment, TrivialAugment, AugMix, and
label-aware routing (ClassConditional); the op table they share is
:mod:`tfaug.policies.ops`."""

from tfaug.policies import ops
from tfaug.policies.augmix import AugMix
from tfaug.policies.autoaugment import AutoAugment
from tfaug.policies.conditional import ClassConditional
from tfaug.policies.randaugment import RandAugment, TrivialAugment
