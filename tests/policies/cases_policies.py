"""Harness cases for tfaug.policies."""

from tests.harness import Case
import tfaug
from tfaug import image

CASES = [
    Case("RandAugment", lambda: tfaug.RandAugment(num_ops=2, magnitude=9, seed=1),
         size=(32, 32)),
    Case("TrivialAugment", lambda: tfaug.TrivialAugment(seed=2), size=(32, 32)),
    Case("AutoAugment", lambda: tfaug.AutoAugment("cifar10", seed=3), size=(32, 32)),
    # Chains warp each copy differently: masks and boxes cannot follow. Two
    # chains of up to two steps keep the graph (every op per step) small; the
    # defaults run in tests/policies.
    Case("AugMix", lambda: tfaug.AugMix(num_chains=2, chain_depth=2, seed=4), size=(32, 32),
         targets=()),
    Case("ClassConditional", lambda: tfaug.ClassConditional(
        default=tfaug.Sequence([image.RandomFlip(), image.RandomBrightness(0.3)]),
        per_class={1: image.RandomBrightness(0.3), 3: None}, seed=5),
        labels="int", needs_labels=True),
]
