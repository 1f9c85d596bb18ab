"""Text augmentation as TF graph ops on strings (tensorflow-text tokenizer).

Layers take ``tf.string`` ``[B]`` (or one string, ``(texts, labels)``, or a dict
with ``"text"``). EDA (Wei & Zou, 2019): :class:`SynonymReplace`,
:class:`RandomInsert`, :class:`RandomSwap`, :class:`RandomDelete`,
:class:`SentenceShuffle` and :class:`EDA`; protected words (negations) survive
every op. Synonyms come from a WordNet 3.0 table shipped with the package
(:mod:`tfaug.text.synonyms`) or the user's own. SavedModels holding text layers
load after ``import tensorflow_text``.

Back-translation runs offline (:func:`backtranslate`, an :class:`Apertium`
backend or any translator) and :class:`ParaphraseLookup` picks a cached
paraphrase per sample in-graph. :class:`ContextualReplace` fills masked words
with a masked language model's top-k predictions.
"""

from tfaug.text import ops
from tfaug.text.base import TextAugmentation
from tfaug.text.contextual import ContextualReplace
from tfaug.text.eda import (EDA, RandomDelete, RandomInsert, RandomSwap, SentenceShuffle,
                            SynonymReplace)
from tfaug.text.ops.words import DEFAULT_PROTECTED, STOP_WORDS
from tfaug.text.paraphrase import (Apertium, ParaphraseLookup, backtranslate, load_paraphrases,
                                   save_paraphrases)
from tfaug.text.synonyms import load_synonyms

__all__ = ["Apertium", "ContextualReplace", "DEFAULT_PROTECTED", "EDA", "ParaphraseLookup", "RandomDelete",
           "RandomInsert", "RandomSwap", "STOP_WORDS", "SentenceShuffle", "SynonymReplace",
           "TextAugmentation", "backtranslate", "load_paraphrases", "load_synonyms", "ops",
           "save_paraphrases"]
