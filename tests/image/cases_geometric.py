"""Harness cases for tfaug.image geometric layers."""

from tests.harness import Case
from tfaug import image

CASES = [
    Case("RandomFlip", lambda: image.RandomFlip("horizontal_and_vertical", seed=1)),
]
