"""Harness cases for tfaug.image noise, occlusion and mixing layers."""

from tests.harness import NUM_CLASSES, Case
from tfaug import image

CASES = [
    Case("GaussianNoise", lambda: image.GaussianNoise((0.02, 0.1), seed=1)),
    Case("GaussianBlur", lambda: image.GaussianBlur(5, sigma=(0.5, 2.0), seed=2)),
    Case("JpegQuality", lambda: image.JpegQuality(20, 80, seed=3)),
    Case("RandomErasing", lambda: image.RandomErasing(num_holes=2, seed=4)),
    Case("RandomGaussianBlur", lambda: image.RandomGaussianBlur(
        (0.5, 1.0), kernel_size=5, sigma=(0.5, 2.0), seed=8)),
    Case("GridMask", lambda: image.GridMask(ratio=0.5, rotate=20, fill_value=0, seed=5)),
    Case("MixUp", lambda: image.MixUp(alpha=0.4, num_classes=NUM_CLASSES, seed=6),
         labels="int"),
    Case("CutMix", lambda: image.CutMix(1.0, seed=7), labels="onehot"),
]
