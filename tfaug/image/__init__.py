"""Image augmentation layers (``tfaug.image``)."""

from tfaug.image import ops
from tfaug.image.base import GeometricAugmentation, ImageAugmentation
from tfaug.image.geometric import RandomFlip
from tfaug.image.geometric import (RandomAffine, RandomElastic, RandomPerspective,  # [geometric]
                                   RandomRotation, RandomShear, RandomTranslation,
                                   RandomZoom)
from tfaug.image.crop import CenterCrop, RandomCrop, RandomResizedCrop, Resize  # [crop]
from tfaug.image.color import (AutoContrast, ColorJitter, Equalize, Invert, Posterize,
                               RandomBrightness, RandomContrast, RandomGrayscale, RandomHue,
                               RandomSaturation, Sharpness, Solarize)
from tfaug.image.noise import GaussianBlur, GaussianNoise, JpegQuality
from tfaug.image.occlusion import GridMask, RandomErasing
from tfaug.image.mixing import CutMix, MixUp
