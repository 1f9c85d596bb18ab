"""Core of tfaug: the Augmentation base, composition, seeds, registry, validation, XLA."""

from tfaug.core.base import (GATE, Augmentation, BatchAugmentation, augmentations,
                             auto_compile_scope, set_auto_compile)
from tfaug.core.composition import OneOf, RandomApply, SomeOf, Sequence
from tfaug.core.registry import deserialize, get, register, registered, serialize
from tfaug.core.validation import ArgumentError, ArgumentTypeError
from tfaug.core import xla
from tfaug.core.xla import auto_compile_enabled, in_xla_context
