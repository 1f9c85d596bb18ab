"""Tokens of a batch of strings as dense tensors, and joining them back.

A string is split (tensorflow-text, see :mod:`tfaug.text.ops.flat`) into word
and punctuation tokens; whitespace is not a token but is kept, byte for byte, as the
*gap* before each token (``gaps[:, 0]`` holds the leading whitespace) and the
*trail* after the last one. Joining ``gaps + tokens`` and the trail gives the
input back exactly, so an op that changes nothing returns its input unchanged
(non-ASCII text included).

Everything is dense ``[B, L]`` (``L`` the longest row), padded with ``""`` and a
``valid`` mask: the EDA ops are masked arithmetic on those tensors (cumulative
sums, sorts, gathers), with no Python loop over rows.

Words contain a letter or a digit (Unicode classes); ``don't``, ``half-lit`` and
``café`` are one token each; any other non-space character is a token of its own.
"""

import typing

import tensorflow as tf

from tfaug.text.ops import flat as flat_lib

_WORD = flat_lib.WORD


class Tokens(typing.NamedTuple):
    """A tokenized batch.

    Attributes:
      tokens: string ``[B, L]``, ``""`` past each row's end (``L`` >= 1: a
        batch without any token has one invalid column).
      gaps: string ``[B, L]``: the text between the previous token and this one
        (``gaps[:, 0]``: leading whitespace).
      valid: bool ``[B, L]``.
      trail: string ``[B]``: the text after the last token (the whole string
        when the row has no token).
    """

    tokens: tf.Tensor
    gaps: tf.Tensor
    valid: tf.Tensor
    trail: tf.Tensor


def tokenize(texts):
    """Splits ``texts`` (string ``[B]``) into dense :class:`Tokens`.

    (The dense view of :func:`tfaug.text.ops.flat.tokenize_flat`.)

    Args:
      texts: string tensor ``[B]``.

    Returns:
      :class:`Tokens`; ``join(tokenize(t)) == t`` exactly.

    Example:
      >>> t = tokenize(tf.constant(["Not bad, really."]))
      >>> t.tokens.numpy().tolist()
      [[b'Not', b'bad', b',', b'really', b'.']]
    """
    f = flat_lib.tokenize_flat(texts)
    dense = lambda t, fill: flat_lib.to_dense(t, f.row_splits, fill)
    return Tokens(dense(f.tokens, ""), dense(f.gaps, ""),
                  dense(tf.ones_like(f.rows, tf.bool), False), f.trail)


def join(tokens, keep=None, prefix=None):
    """Joins :class:`Tokens` back into strings.

    Args:
      tokens: :class:`Tokens` (its ``tokens`` may have been replaced/permuted).
      keep: Optional bool ``[B, L]``: tokens to keep (a dropped token takes its
        gap with it; the first kept token gets the row's leading whitespace).
      prefix: Optional string ``[B, L]``: text inserted right before each token
        (after its gap), e.g. ``"synonym "`` for an insertion.

    Returns:
      string ``[B]``.
    """
    keep = tokens.valid if keep is None else tf.logical_and(keep, tokens.valid)
    first = tf.logical_and(keep, tf.cumsum(tf.cast(keep, tf.int32), axis=1) == 1)
    gaps = tf.where(first, tokens.gaps[:, :1], tokens.gaps)
    pieces = gaps + tokens.tokens if prefix is None else gaps + prefix + tokens.tokens
    body = tf.strings.reduce_join(tf.where(keep, pieces, ""), axis=1)
    # A row whose tokens were all dropped keeps its leading whitespace.
    lead = tf.where(tf.reduce_any(keep, axis=1), "", tokens.gaps[:, 0])
    return lead + body + tokens.trail


def is_word(tokens):
    """bool, same shape: the token holds a letter or a digit."""
    return tf.strings.regex_full_match(tokens, _WORD)


def normalize(tokens):
    """Lookup form of tokens: Unicode lowercase, typographic apostrophe -> "'".

    ASCII tokens (most) take the fast ASCII lowering; only the others go
    through the UTF-8 one.
    """
    shape = tf.shape(tokens)
    flat = tf.reshape(tokens, [-1])
    lowered = tf.strings.lower(flat)
    wide = tf.cast(tf.reshape(tf.where(tf.not_equal(
        tf.strings.length(flat), tf.strings.length(flat, unit="UTF8_CHAR"))), [-1, 1]), tf.int32)
    other = tf.gather_nd(flat, wide)
    other = tf.strings.regex_replace(tf.strings.lower(other, encoding="utf-8"), "’", "'")
    return tf.reshape(tf.tensor_scatter_nd_update(lowered, wide, other), shape)


def _first_char(tokens):
    return tf.strings.substr(tokens, 0, 1, unit="UTF8_CHAR")


def _rest(tokens):
    length = tf.strings.length(tokens, unit="UTF8_CHAR")
    start = tf.minimum(length, 1)
    return tf.strings.substr(tokens, start, length - start, unit="UTF8_CHAR")


def match_case(replacements, originals):
    """``replacements`` written in the capitalization of ``originals``.

    ALL CAPS (two or more characters, no lowercase) -> upper case; a capital
    first letter -> capitalized first letter; otherwise unchanged.

    Args:
      replacements: string tensor.
      originals: string tensor of the same shape.

    Returns:
      string tensor, same shape.

    Example:
      >>> match_case(tf.constant(["film", "dvd"]), tf.constant(["Movie", "CD"])).numpy().tolist()
      [b'Film', b'DVD']
    """
    upper = tf.strings.upper(originals, encoding="utf-8")
    lower = tf.strings.lower(originals, encoding="utf-8")
    caps = tf.logical_and(tf.logical_and(tf.equal(originals, upper),
                                         tf.not_equal(originals, lower)),
                          tf.strings.length(originals, unit="UTF8_CHAR") > 1)
    first = _first_char(originals)
    title = tf.not_equal(first, tf.strings.lower(first, encoding="utf-8"))
    titled = tf.strings.upper(_first_char(replacements), encoding="utf-8") + _rest(replacements)
    return tf.where(caps, tf.strings.upper(replacements, encoding="utf-8"),
                    tf.where(title, titled, replacements))


def word_regex(words):
    """An RE2 pattern that fully matches any of ``words`` (literal strings);
    None for no words."""
    special = set("\\.^$|?*+()[]{}-/")
    escaped = sorted({"".join("\\" + c if c in special else c for c in w) for w in words})
    return "(?:" + "|".join(escaped) + ")" if escaped else None
