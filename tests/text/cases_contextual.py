"""Harness case for ContextualReplace (see tests/harness.py).

The masked LM is the small seeded *untrained* model of :mod:`tests.text.mlm`
over a small vocabulary (the harness checks mechanics; the trained model's
properties are in test_contextual.py). Its weights are not in the layer's
config, so the JSON round trip copies them (``copy_state``).
"""

from tests.harness import Case
from tests.text import mlm
from tfaug.text.contextual import ContextualReplace


def make():
    return ContextualReplace(
        mlm.untrained_mlm(max_length=32), mlm.SMALL_VOCAB, rate=0.3, top_k=3,
        start_token="[CLS]", end_token="[SEP]", max_length=32, seed=8)


CASES = [
    Case("ContextualReplace", make, modality="text",
         copy_state=lambda a, b: b.masked_lm.set_weights(a.masked_lm.get_weights())),
]
