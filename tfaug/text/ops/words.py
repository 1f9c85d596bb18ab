"""Word lists: protected words (negations) and stop words, matched in-graph.

Protected words are never replaced, deleted, or moved across by any text op, so
"not good" never becomes "good" or "not" alone. A list entry that starts with an
apostrophe or with ``n'`` is a clitic and protects every token that ends with it:
``n't`` protects "don't", "isn't", "can't", "won't". Matching is on the
normalized token (Unicode lowercase, ``’`` read as ``'``).

Stop words (function words: articles, pronouns, auxiliaries, prepositions) are
not used as synonym-replacement or insertion sources by default, as in EDA.
"""

import tensorflow as tf

from tfaug.core import validation
from tfaug.text.ops import tokens as tokens_lib

DEFAULT_PROTECTED = (
    "not", "no", "never", "nor", "n't", "without", "none", "nobody", "nothing",
    "neither", "nowhere", "cannot", "hardly", "barely", "scarcely", "seldom",
    "rarely", "nope", "nah", "lack", "lacks", "lacked", "lacking",
)

STOP_WORDS = (
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during",
    "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her",
    "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into",
    "is", "it", "it's", "its", "itself", "just", "me", "might", "more", "most", "must",
    "my", "myself", "of", "off", "on", "once", "only", "or", "other", "ought", "our",
    "ours", "ourselves", "out", "over", "own", "same", "shall", "she", "should", "so",
    "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves",
    "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
    "until", "up", "very", "was", "we", "were", "what", "when", "where", "which",
    "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
    "yourself", "yourselves", "'s", "'re", "'ve", "'ll", "'d", "'m",
)


def check_words(name, value, default):
    """Validates a word-list argument: None (``default``) or a list of strings.

    Returns:
      A sorted list of normalized (lowercase) words.
    """
    if value is None:
        value = default
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        raise validation.ArgumentTypeError(name, value, "None or a list of strings")
    bad = [w for w in value if not isinstance(w, str) or not w.strip()]
    if bad:
        error = (validation.ArgumentError if all(isinstance(w, str) for w in bad)
                 else validation.ArgumentTypeError)
        raise error(name, value, "a list of non-empty strings",
                    f"`{name}` must hold non-empty strings, got {bad[:3]!r}.")
    return sorted({w.strip().lower().replace("’", "'") for w in value})


def word_list(name, value, default):
    """A word-list argument -> ``(config value, pattern)``.

    The config value is what the user gave, normalized (None stays None); the
    pattern (:func:`pattern`) matches ``default`` when ``value`` is None.
    """
    words = check_words(name, value, default)
    return (None if value is None else words), pattern(words)


def protected_list(value, replace_default=False):
    """The ``protected_words`` argument -> ``(config value, pattern)``.

    A list given by the user adds to :data:`DEFAULT_PROTECTED` (the negations
    stay protected) unless ``replace_default`` is True, when it is the whole
    list (``[]`` then protects nothing). None is the default list alone.

    Example:
      >>> config, regex = protected_list(["great"])
      >>> config, "never" in regex, "great" in regex
      (['great'], True, True)
    """
    given = check_words("protected_words", value, DEFAULT_PROTECTED)
    words = given if replace_default else sorted(set(given) | set(DEFAULT_PROTECTED))
    return (None if value is None else given), pattern(words)


def _is_clitic(word):
    return word.startswith("'") or word.startswith("n'")


def pattern(words):
    """One RE2 pattern for ``words`` (clitics matched as suffixes); None if empty."""
    plain = tokens_lib.word_regex([w for w in words if not _is_clitic(w)])
    clitic = tokens_lib.word_regex([w for w in words if _is_clitic(w)])
    parts = [p for p in (plain, None if clitic is None else ".*" + clitic) if p]
    return "|".join(parts) if parts else None


def matches(norm, regex):
    """bool, same shape as ``norm``: the token matches ``regex`` (None: none do)."""
    if regex is None:
        return tf.zeros_like(norm, tf.bool)
    return tf.strings.regex_full_match(norm, regex)
