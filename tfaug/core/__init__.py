"""Core of tfaug: the Augmentation base, composition, seeds, registry, validation."""

from tfaug.core.base import (GATE, Augmentation, augmentations, auto_compile_scope,
                             set_auto_compile)
from tfaug.core.composition import OneOf, RandomApply, SomeOf, Sequence
from tfaug.core.registry import deserialize, get, register, registered, serialize
from tfaug.core.xla import in_xla_context
