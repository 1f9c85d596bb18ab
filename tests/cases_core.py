"""Harness cases for the composition layers (over image children)."""

from tests.harness import Case
import tfaug
from tfaug import image

CASES = [
    Case("Sequence", lambda: tfaug.Sequence(
        [image.RandomFlip(), image.RandomFlip("vertical")], seed=1)),
    Case("OneOf", lambda: tfaug.OneOf(
        [image.RandomFlip(), image.RandomFlip("vertical")], seed=2)),
    Case("SomeOf", lambda: tfaug.SomeOf(
        [image.RandomFlip(), image.RandomFlip("vertical"),
         image.RandomFlip("horizontal_and_vertical")], n=2, seed=3)),
    Case("RandomApply", lambda: tfaug.RandomApply(
        image.RandomFlip("horizontal_and_vertical"), rate=0.7, seed=4)),
]
