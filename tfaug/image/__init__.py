"""Image augmentation layers (``tfaug.image``)."""

from tfaug.image import ops
from tfaug.image.base import GeometricAugmentation, ImageAugmentation
from tfaug.image.geometric import RandomFlip
# [geometric]
# [crop]
# [color]
# [noise]
# [occlusion]
# [mixing]
