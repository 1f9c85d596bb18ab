"""tfaug: data augmentation for TensorFlow/Keras as Keras layers over TF graph ops."""

from tfaug._version import __version__

from tfaug import audio
from tfaug import callbacks
from tfaug import core
from tfaug import data
from tfaug import export
from tfaug import image
from tfaug import policies
from tfaug import tabular
from tfaug import text
from tfaug import viz
from tfaug.core import (Augmentation, OneOf, RandomApply, SomeOf, Sequence,
                        deserialize, register, registered, serialize)
from tfaug.policies import (AugMix, AutoAugment, ClassConditional, RandAugment,
                            TrivialAugment)
