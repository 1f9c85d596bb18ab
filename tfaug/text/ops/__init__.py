"""Pure text ops: tokenization to dense tensors, EDA ops, synonym tables, word lists.

Nothing here imports a tfaug layer; every function is TF graph ops (tensorflow-text
for the tokenizer).
"""

from tfaug.text.ops.eda import (Analysis, FlatAnalysis, analyze, analyze_flat,
                                counts_from_rate, delete, insert, rank_select, replace,
                                sentence_shuffle, swap)
from tfaug.text.ops.flat import FlatTokens, join_flat, tokenize_flat
from tfaug.text.ops.table import SynonymTable
from tfaug.text.ops.tokens import Tokens, is_word, join, match_case, normalize, tokenize
from tfaug.text.ops.words import DEFAULT_PROTECTED, STOP_WORDS

__all__ = ["Analysis", "DEFAULT_PROTECTED", "FlatAnalysis", "FlatTokens", "STOP_WORDS",
           "SynonymTable", "Tokens", "analyze", "analyze_flat", "counts_from_rate", "delete",
           "insert", "is_word", "join", "join_flat", "match_case", "normalize",
           "rank_select", "replace", "sentence_shuffle", "swap", "tokenize", "tokenize_flat"]
