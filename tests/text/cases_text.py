"""Harness cases for the EDA text layers (see tests/harness.py)."""

from tests.harness import Case
from tfaug import text

CASES = [
    Case("SynonymReplace", lambda: text.SynonymReplace(rate=0.3, seed=1), modality="text"),
    Case("RandomInsert", lambda: text.RandomInsert(n=2, seed=2), modality="text"),
    Case("RandomSwap", lambda: text.RandomSwap(n=2, seed=3), modality="text"),
    Case("RandomDelete", lambda: text.RandomDelete(0.3, seed=4), modality="text"),
    Case("SentenceShuffle", lambda: text.SentenceShuffle(seed=5), modality="text"),
    Case("EDA", lambda: text.EDA(num_aug=3, keep_original=True, probability=0.8, seed=6),
         modality="text", grows_batch=True),
]
