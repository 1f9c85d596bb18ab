"""Harness cases for tfaug.image geometric layers (tfaug.image.geometric, tfaug.image.crop)."""

from tests.harness import Case
from tfaug import image

CASES = [
    Case("RandomFlip", lambda: image.RandomFlip("horizontal_and_vertical", seed=1)),
    Case("RandomAffine", lambda: image.RandomAffine(
        degrees=20, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=10, seed=1)),
    Case("RandomRotation", lambda: image.RandomRotation(0.2, seed=1)),
    Case("RandomZoom", lambda: image.RandomZoom((-0.3, 0.3), seed=1)),
    Case("RandomTranslation", lambda: image.RandomTranslation(0.2, 0.2, seed=1)),
    Case("RandomShear", lambda: image.RandomShear(0.3, 0.3, seed=1)),
    Case("RandomPerspective", lambda: image.RandomPerspective((1.0, 1.0), 0.5, seed=1)),
    Case("RandomElastic", lambda: image.RandomElastic(alpha=3.0, grid=4, seed=1)),
    Case("RandomElasticTransform", lambda: image.RandomElasticTransform(
        (1.0, 1.0), 0.5, seed=1)),
    Case("RandomCrop", lambda: image.RandomCrop(12, 10, seed=1), output_size=(12, 10)),
    Case("RandomResizedCrop", lambda: image.RandomResizedCrop(12, 14, seed=1),
         output_size=(12, 14)),
    Case("CenterCrop", lambda: image.CenterCrop(10, 12), random=False, output_size=(10, 12)),
    Case("Resize", lambda: image.Resize(20, 12), random=False, output_size=(20, 12)),
    Case("Resizing", lambda: image.Resizing(20, 12, crop_to_aspect_ratio=True), random=False,
         output_size=(20, 12)),
]
