"""Image augmentation layers (``tfaug.image``)."""

from tfaug.image import ops
from tfaug.image.base import GeometricAugmentation, ImageAugmentation
from tfaug.image.geometric import RandomFlip
from tfaug.image.geometric import (RandomRotation, RandomShear,  # [geometric]
                                   RandomTranslation, RandomZoom)
from tfaug.image.random_affine import RandomAffine
from tfaug.image.warp import RandomElastic, RandomElasticTransform, RandomPerspective
from tfaug.image.crop import CenterCrop, RandomCrop, RandomResizedCrop, Resize  # [crop]
from tfaug.image.resizing import Resizing  # [resizing]
from tfaug.image.color import (ColorJitter, RandomBrightness, RandomContrast,
                               RandomGrayscale, RandomHue, RandomSaturation)
from tfaug.image.tone import AutoContrast, Equalize, Invert, Posterize, Sharpness, Solarize
from tfaug.image.keras_tone import (Equalization, RandomColorJitter,  # [keras colour]
                                    RandomInvert, RandomPosterization, RandomSharpness,
                                    Solarization)
from tfaug.image.noise import GaussianBlur, GaussianNoise, JpegQuality, RandomGaussianBlur
from tfaug.image.occlusion import GridMask, RandomErasing
from tfaug.image.mixing import CutMix, MixUp
