"""Tokens of a batch as flat vectors (no padding), and per-row helpers on them.

The fast path of the text ops. A batch of ``B`` strings becomes ``T`` tokens in
one vector, with ``rows`` (the row of each token) and ``row_splits``; per-row
choices are segment sums, one global cumulative sum and ``searchsorted``, and
per-row orders are one sort of ``(row, draw)`` keys. Nothing is padded to the
longest string of the batch (one long review would otherwise cost the whole
batch its length).

Tokenizing: tensorflow-text's ``WhitespaceTokenizer`` (offsets kept), then only
the whitespace tokens holding punctuation are split further by a regex (most
are plain words). The whitespace before each token is kept as its *gap*, the
text after the last one as the row's *trail*: joining gives the input back
byte for byte.
"""

import functools
import typing

import tensorflow as tf

from tfaug._version import DISTRIBUTION
from tfaug.core import keyed

# The pip extra that brings TensorFlow Text (named in the error below).
TEXT_EXTRA = f"{DISTRIBUTION}[text]"

_PUNCT = r"[^\pL\pN\pM_\s\p{Z}'’-]"
# A whitespace token that is one word, not split further: word characters with
# at least one letter or digit. Every other token goes through the split.
_PURE_WORD = r"[\pL\pN\pM_'’-]*[\pL\pN][\pL\pN\pM_'’-]*"
WORD = r".*[\pL\pN].*"


@functools.lru_cache(maxsize=None)
def tf_text():
    """``tensorflow_text``, imported when a text op first runs (``import tfaug``
    does not import it: it is the ``[text]`` extra).

    Raises:
      ImportError: TensorFlow Text is not installed; the message names the extra.
    """
    try:
        import tensorflow_text  # pylint: disable=import-outside-toplevel
    except ImportError as err:
        raise ImportError(
            "tfaug's text augmentations need TensorFlow Text, which is not installed: "
            f'pip install "{TEXT_EXTRA}" (or tensorflow-text matching your TensorFlow '
            f"version, here {tf.__version__}).") from err
    return tensorflow_text


@functools.lru_cache(maxsize=None)
def _whitespace():
    return tf_text().WhitespaceTokenizer()


class FlatTokens(typing.NamedTuple):
    """A tokenized batch, flat.

    Attributes:
      tokens: string ``[T]``.
      gaps: string ``[T]``: text between the previous token of the row and this
        one (for a row's first token: its leading whitespace).
      rows: int32 ``[T]``: row of each token (non-decreasing).
      row_splits: int32 ``[B + 1]``.
      trail: string ``[B]``: text after the row's last token (the whole string
        for a row without tokens).
      word: bool ``[T]``: the token holds a letter or a digit (the tokenizer
        knows it for most tokens without another pass).
    """

    tokens: tf.Tensor
    gaps: tf.Tensor
    rows: tf.Tensor
    row_splits: tf.Tensor
    trail: tf.Tensor
    word: tf.Tensor

    @property
    def batch_size(self):
        return tf.shape(self.row_splits)[0] - 1

    def position(self):
        """int32 ``[T]``: index of each token inside its row."""
        return tf.range(tf.shape(self.tokens)[0]) - tf.gather(self.row_splits, self.rows)


def shift_right(x, fill):
    """``x`` moved one place right along axis 0, ``fill`` first (same length, also 0)."""
    return tf.concat([[fill], x], 0)[:tf.shape(x)[0]]


def shift_left(x, fill):
    """``x`` moved one place left along axis 0, ``fill`` last (same length, also 0)."""
    return tf.concat([x, [fill]], 0)[1:]


def _split_punctuation(tokens, begin, end):
    """Splits whitespace tokens holding punctuation into words and marks.

    Returns ``(tokens, begin, end, lengths, word)``: the pieces, their byte
    offsets, the number of pieces per whitespace token, and which are words.
    """
    impure = tf.cast(tf.reshape(tf.where(~tf.strings.regex_full_match(tokens, _PURE_WORD)),
                                [-1]), tf.int32)
    pieces, p_begin, p_end = tf_text().regex_split_with_offsets(
        tf.gather(tokens, impure), _PUNCT, _PUNCT)
    n = tf.shape(tokens)[0]
    lengths = tf.tensor_scatter_nd_update(
        tf.ones([n], tf.int32), impure[:, None], tf.cast(pieces.row_lengths(), tf.int32))
    starts = tf.cumsum(lengths, exclusive=True)
    is_impure = tf.scatter_nd(impure[:, None], tf.ones_like(impure, tf.bool), [n])
    pure = tf.cast(tf.reshape(tf.where(~is_impure), [-1]), tf.int32)
    parent = tf.gather(impure, tf.cast(pieces.value_rowids(), tf.int32))
    inner = tf.range(tf.shape(pieces.flat_values)[0]) - tf.gather(
        tf.cast(pieces.row_splits, tf.int32), tf.cast(pieces.value_rowids(), tf.int32))
    dest = tf.concat([tf.gather(starts, pure), tf.gather(starts, parent) + inner], 0)
    order = tf.math.invert_permutation(dest)
    take = lambda a, b: tf.gather(tf.concat([a, b], 0), order)
    base = tf.gather(begin, parent)
    return (take(tf.gather(tokens, pure), pieces.flat_values),
            take(tf.gather(begin, pure), base + tf.cast(p_begin.flat_values, tf.int32)),
            take(tf.gather(end, pure), base + tf.cast(p_end.flat_values, tf.int32)),
            lengths,
            take(tf.ones_like(pure, tf.bool),
                 tf.strings.regex_full_match(pieces.flat_values, WORD)))


# Rows whose only whitespace is U+0020: their gaps are runs of spaces, made from
# their lengths without copying the row's text once per token.
_OTHER_SPACE = (r"[^\t\n\r\f\v\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
                r"\x{202f}\x{205f}\x{3000}]*")
_SPACES = tuple(" " * i for i in range(17))
_SPACE2 = r"[\x{85}\x{a0}]"
_SPACE3 = r"[\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"


def _gaps(texts, rows, start, length):
    """The text ``texts[rows][start:start + length]`` of every token gap."""
    plain = tf.gather(tf.strings.regex_full_match(texts, _OTHER_SPACE), rows) & (length < 17)
    gaps = tf.gather(tf.constant(_SPACES), tf.minimum(length, 16))
    hard = tf.cast(tf.reshape(tf.where(~plain), [-1, 1]), tf.int32)
    exact = tf.strings.substr(tf.gather(texts, tf.gather_nd(rows, hard)),
                              tf.gather_nd(start, hard), tf.gather_nd(length, hard))
    return tf.tensor_scatter_nd_update(gaps, hard, exact)


def tokenize_flat(texts):
    """Splits ``texts`` (string ``[B]``) into :class:`FlatTokens`.

    Args:
      texts: string tensor ``[B]``.

    Returns:
      :class:`FlatTokens`; :func:`join_flat` gives ``texts`` back exactly.
    """
    texts = tf.convert_to_tensor(texts, tf.string)
    # WhitespaceTokenizer cuts multi-byte spaces (U+00A0, U+2028...) in two;
    # it reads a copy where each is as many ASCII spaces as it has bytes, so
    # the offsets hold for the original text.
    spaced = tf.strings.regex_replace(texts, _SPACE2, "  ")
    spaced = tf.strings.regex_replace(spaced, _SPACE3, "   ")
    ws, ws_begin, ws_end = _whitespace().tokenize_with_offsets(spaced)
    ws_rows = tf.cast(ws.value_rowids(), tf.int32)
    tokens, begin, end, lengths, word = _split_punctuation(
        ws.flat_values, tf.cast(ws_begin.flat_values, tf.int32),
        tf.cast(ws_end.flat_values, tf.int32))
    rows = tf.repeat(ws_rows, lengths)
    batch = tf.shape(texts)[0]
    counts = tf.math.unsorted_segment_sum(tf.ones_like(rows), rows, batch)
    row_splits = tf.concat([[0], tf.cumsum(counts)], 0)
    first = tf.equal(tf.range(tf.shape(tokens)[0]), tf.gather(row_splits, rows))
    prev_end = tf.where(first, 0, shift_right(end, 0))
    gaps = _gaps(texts, rows, prev_end, begin - prev_end)
    has = counts > 0
    last_end = tf.where(has, tf.gather(tf.concat([end, [0]], 0),
                                       tf.maximum(row_splits[1:] - 1, 0)), 0)
    last_end = tf.zeros_like(texts, tf.int32) + last_end  # static shape of texts
    trail = tf.strings.substr(texts, last_end, tf.strings.length(texts) - last_end)
    return FlatTokens(tokens, gaps, rows, row_splits, trail, word)


def to_dense(values, row_splits, fill):
    """Flat per-token ``values`` as ``[B, L]`` (``L`` >= 1 even when no row has a
    token, so a dense view always has a first column), padded with ``fill``."""
    ragged = tf.RaggedTensor.from_row_splits(values, row_splits)
    width = tf.maximum(tf.reduce_max(tf.concat([ragged.row_lengths(), [0]], 0)), 1)
    return ragged.to_tensor(fill, shape=tf.stack([ragged.nrows(), width]))


def row_cumsum(mask, flat):
    """Inclusive count of true entries up to each token, within its row (int32 ``[T]``)."""
    m = tf.cast(mask, tf.int32)
    cum = tf.cumsum(m)
    before = tf.gather(tf.concat([[0], cum], 0), tf.gather(flat.row_splits, flat.rows))
    return cum - before


def row_count(mask, flat):
    """Number of true entries per row (int32 ``[B]``)."""
    return tf.math.unsorted_segment_sum(tf.cast(mask, tf.int32), flat.rows, flat.batch_size)


def join_flat(flat, keep=None, prefix=None, tokens=None):
    """Joins flat tokens back into strings ``[B]``.

    Args:
      flat: :class:`FlatTokens`.
      keep: Optional bool ``[T]``: tokens to keep (a dropped token takes its
        gap with it; the first kept token of a row gets the row's leading
        whitespace).
      prefix: Optional string ``[T]`` inserted right before each kept token.
      tokens: Optional string ``[T]`` replacing ``flat.tokens``.

    Returns:
      string ``[B]``.
    """
    tokens = flat.tokens if tokens is None else tokens
    batch = flat.batch_size
    gaps = flat.gaps
    if keep is not None:
        first = keep & tf.equal(row_cumsum(keep, flat), 1)
        lead = tf.gather(tf.concat([gaps, [""]], 0), flat.row_splits[:-1])
        gaps = tf.where(first, tf.gather(lead, flat.rows), gaps)
    pieces = gaps + tokens if prefix is None else gaps + prefix + tokens
    if keep is not None:
        pieces = tf.where(keep, pieces, "")
    body = tf.strings.unsorted_segment_join(pieces, flat.rows, batch)
    if keep is not None:
        none_kept = tf.equal(row_count(keep, flat), 0) & (flat.row_splits[1:] > flat.row_splits[:-1])
        lead = tf.gather(tf.concat([flat.gaps, [""]], 0), flat.row_splits[:-1])
        body = tf.where(none_kept, lead, body)
    return body + flat.trail


def token_draws(keys, flat, stream, count=1):
    """Uniform draws per token, ``[T]`` (or ``[T, count]``), row-stable.

    A token's draw depends only on its row's key and its position in the row.
    """
    key = tf.gather(keys, flat.rows)
    pos = flat.position()
    if count == 1:
        return keyed.element_uniform(key, pos, stream)
    counters = pos[:, None] * count + tf.range(count)[None, :]
    return keyed.element_uniform(key[:, None], counters, stream)


def pick(mask, flat, u):
    """Global index of a uniformly drawn true entry of each row.

    Args:
      mask: bool ``[T]``.
      flat: :class:`FlatTokens`.
      u: float ``[B]`` or ``[B, N]`` in ``[0, 1)``.

    Returns:
      ``(index, ok)`` shaped like ``u``; ``ok`` false for rows without a true
      entry (``index`` is then clamped to a valid token index, or 0).
    """
    count = row_count(mask, flat)
    base = tf.cumsum(count, exclusive=True)
    shape = tf.shape(u)
    u2 = tf.reshape(u, [flat.batch_size, -1])
    k = tf.minimum(tf.cast(u2 * tf.cast(count[:, None], tf.float32), tf.int32),
                   tf.maximum(count[:, None] - 1, 0))
    target = base[:, None] + k + 1
    cum = tf.cumsum(tf.cast(mask, tf.int32))
    idx = tf.searchsorted(cum, tf.reshape(target, [-1]), side="left")
    idx = tf.minimum(tf.cast(idx, tf.int32), tf.maximum(tf.shape(mask)[0] - 1, 0))
    ok = tf.broadcast_to((count > 0)[:, None], tf.shape(k))
    return tf.reshape(idx, shape), tf.reshape(ok, shape)


def sort_rank(group, u):
    """Rank of each element by ``u`` within its ``group`` (int32 ``[T]``).

    ``group`` is a non-negative int32 ``[T]`` (row, or row and segment);
    ``u`` in ``[0, 1)``. One sort of combined int64 keys.
    """
    key = tf.cast(group, tf.int64) * (1 << 24) + tf.cast(u * (1 << 24), tf.int64)
    order = tf.argsort(key, stable=True)
    sorted_group = tf.gather(group, order)
    n = tf.shape(group)[0]
    start = tf.not_equal(sorted_group, shift_right(sorted_group, -1))
    start_pos = tf.cumsum(tf.cast(start, tf.int32)) - 1
    firsts = tf.boolean_mask(tf.range(n), start)
    rank_sorted = tf.range(n) - tf.gather(firsts, start_pos)
    return tf.scatter_nd(order[:, None], rank_sorted, [n]), order, rank_sorted
