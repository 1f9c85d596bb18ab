"""Harness cases for tfaug.image colour layers."""

from tests.harness import Case
from tfaug import image

CASES = [
    Case("RandomBrightness", lambda: image.RandomBrightness(0.3, seed=1)),
    Case("RandomContrast", lambda: image.RandomContrast(0.5, seed=2)),
    Case("RandomSaturation", lambda: image.RandomSaturation((0.5, 1.0), seed=3)),
    Case("RandomHue", lambda: image.RandomHue(0.3, seed=4)),
    Case("ColorJitter", lambda: image.ColorJitter(0.4, 0.4, 0.4, 0.2, seed=5)),
    Case("RandomGrayscale", lambda: image.RandomGrayscale(0.7, seed=6)),
    Case("Solarize", lambda: image.Solarize((64, 192), seed=7)),
    Case("Posterize", lambda: image.Posterize((1, 7), seed=8)),
    Case("Sharpness", lambda: image.Sharpness((0.0, 3.0), seed=9)),
    # Deterministic ops: only the probability gate is random.
    # 16x16 has too few pixels for PIL's rule (step == 0: identity); 32x32 does not.
    Case("Equalize", lambda: image.Equalize(probability=0.5, seed=10), size=(32, 32)),
    # The harness images already span 0..255 in every channel, so the stretch is
    # the identity on them and seeds cannot differ (tests/image/test_color.py
    # checks the op against PIL).
    Case("AutoContrast", lambda: image.AutoContrast(probability=0.5, seed=11),
         random=False),
    Case("Invert", lambda: image.Invert(probability=0.5, seed=12)),
]
