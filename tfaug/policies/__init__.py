"""Policies: per-sample RandAugment, AutoAugment, TrivialAugment, AugMix,
label-aware routing (ClassConditional), policy files (load/save/list) and the
intensity callbacks; the op table the image policies share is
:mod:`tfaug.policies.ops`."""

from tfaug.policies import ops
from tfaug.policies.augmix import AugMix
from tfaug.policies.autoaugment import AutoAugment
from tfaug.policies.conditional import ClassConditional
from tfaug.policies.io import PolicyError, list_policies, load, read, save
from tfaug.policies.randaugment import RandAugment, TrivialAugment

list = list_policies  # noqa: A001 - the documented name: tfaug.policies.list()
