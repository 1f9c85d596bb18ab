"""Harness cases for tfaug.image colour layers."""

from tests.harness import Case
from tfaug import image

CASES = [
    Case("RandomBrightness", lambda: image.RandomBrightness(0.3, seed=1)),
    Case("RandomContrast", lambda: image.RandomContrast(0.5, seed=2)),
    Case("RandomSaturation", lambda: image.RandomSaturation((0.2, 0.8), seed=3)),
    Case("RandomHue", lambda: image.RandomHue(0.3, seed=4)),
    Case("ColorJitter", lambda: image.ColorJitter(0.4, 0.4, 0.4, 0.2, seed=5)),
    Case("RandomGrayscale", lambda: image.RandomGrayscale(0.7, seed=6)),
    Case("RandomColorJitter", lambda: image.RandomColorJitter(
        brightness_factor=0.2, contrast_factor=0.3, saturation_factor=(0.3, 0.7),
        hue_factor=0.2, seed=13)),
    Case("Solarization", lambda: image.Solarization(0.2, (0.3, 0.8), seed=14)),
    Case("RandomPosterization", lambda: image.RandomPosterization((2, 6), seed=15)),
    Case("RandomSharpness", lambda: image.RandomSharpness(1.0, seed=16)),
    Case("RandomInvert", lambda: image.RandomInvert(seed=17)),
    Case("Solarize", lambda: image.Solarize((64, 192), seed=7)),
    Case("Posterize", lambda: image.Posterize((1, 7), seed=8)),
    Case("Sharpness", lambda: image.Sharpness((0.0, 3.0), seed=9)),
    # Deterministic ops: only the probability gate is random.
    # 16x16 has too few pixels for PIL's rule (step == 0: identity); 32x32 does not.
    Case("Equalize", lambda: image.Equalize(probability=0.5, seed=10), size=(32, 32)),
    # Keras' Equalization is deterministic.
    Case("Equalization", lambda: image.Equalization(bins=64), size=(32, 32), random=False),
    # The harness images already span 0..255 in every channel, so the stretch is
    # the identity on them and seeds cannot differ (tests/image/test_color.py
    # checks the op against PIL).
    Case("AutoContrast", lambda: image.AutoContrast(probability=0.5, seed=11),
         random=False),
    Case("Invert", lambda: image.Invert(probability=0.5, seed=12)),
]
