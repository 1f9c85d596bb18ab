"""EDA operations (Wei & Zou, 2019) on dense token tensors, per sample.

Every op takes an :class:`Analysis` of a batch (tokens plus per-token masks,
computed once and shared by the ops of an ``EDA`` layer) and per-row int64
``keys`` (``tfaug.core.keyed``): a row's draws depend only on its key, so a row
gets the same result alone or in any batch, and identical sentences in one batch
get different results.

Rules shared by the ops:

* Only *words* (tokens holding a letter or digit) are swapped, deleted, replaced
  or used as insertion points; punctuation stays where it is.
* Protected tokens are never replaced, deleted or moved, and no word moves
  across one: a swap stays inside the stretch between two protected tokens.
* Synonym sources skip stop words, one-character words ("x" -> "ten" in
  WordNet) and words without an entry in the table.
"""

import typing

import tensorflow as tf

from tfaug.core import keyed
from tfaug.text.ops import flat as flat_lib
from tfaug.text.ops import tokens as tokens_lib
from tfaug.text.ops import words as words_lib

# Independent draw streams per purpose (xor-ed into the row keys).
_STREAM = {"swap": 0x5A17, "delete": 0x2D3E, "replace": 0x7E91, "insert": 0x1C4B,
           "shuffle": 0x6F02, "choice": 0x33A5, "phrase": 0x4B8D, "contextual": 0x6C1D}


def draws(keys, purpose, shape):
    """Uniform ``[0, 1)`` draws ``[B, *shape]`` for one purpose; row-stable."""
    return keyed.keyed_uniform(tf.bitwise.bitwise_xor(keys, _STREAM[purpose]), shape)


class Analysis(typing.NamedTuple):
    """A tokenized batch and the per-token facts the ops need.

    Attributes:
      tok: :class:`tokens.Tokens`.
      norm: normalized tokens (lookup form).
      word: bool: a word token.
      protected: bool: a protected word.
      movable: bool: a word that may be swapped or deleted (not protected).
      segment: int32: number of protected tokens at or before each position
        (a swap keeps both words in one segment).
      source: bool: a synonym source (movable, not a stop word, has synonyms),
        or None without a table.
    """

    tok: tokens_lib.Tokens
    norm: tf.Tensor
    word: tf.Tensor
    protected: tf.Tensor
    movable: tf.Tensor
    segment: tf.Tensor
    source: typing.Optional[tf.Tensor]


class FlatAnalysis(typing.NamedTuple):
    """:class:`Analysis` on flat tokens (``[T]`` vectors; the EDA ops' fast path).

    ``group`` (int32 ``[T]``) numbers the stretches between protected tokens
    across the batch (a new number at each row start and each protected token).
    """

    tok: flat_lib.FlatTokens
    norm: tf.Tensor
    word: tf.Tensor
    protected: tf.Tensor
    movable: tf.Tensor
    group: tf.Tensor
    source: typing.Optional[tf.Tensor]


def _merge_phrases(tok, norm, word, protected, table):
    """Merges adjacent word pairs that are a table key ("ice cream") into one token."""
    nxt = flat_lib.shift_left
    pair = norm + " " + nxt(norm, "")
    ok = word & ~protected
    same_row = tf.equal(nxt(tok.rows, -1), tok.rows)
    hit = ok & nxt(ok, False) & same_row & tf.equal(nxt(tok.gaps, ""), " ")
    hit = hit & (table.count(tf.where(hit, pair, "")) > 0)
    start = hit & ~flat_lib.shift_right(hit, False)
    absorbed = flat_lib.shift_right(start, False)
    keep = ~absorbed
    merged = tf.where(start, tok.tokens + " " + nxt(tok.tokens, ""), tok.tokens)
    rows = tf.boolean_mask(tok.rows, keep)
    counts = tf.math.unsorted_segment_sum(tf.ones_like(rows), rows, tok.batch_size)
    word = tf.boolean_mask(word, keep)
    new = flat_lib.FlatTokens(tf.boolean_mask(merged, keep), tf.boolean_mask(tok.gaps, keep),
                              rows, tf.concat([[0], tf.cumsum(counts)], 0), tok.trail, word)
    return (new, tf.boolean_mask(tf.where(start, pair, norm), keep), word,
            tf.boolean_mask(protected, keep))


def analyze_flat(texts, protected_regex, stop_regex=None, table=None):
    """Tokenizes ``texts`` (flat) and computes the masks every op reads.

    Args:
      texts: string ``[B]``.
      protected_regex: :func:`words.pattern` of the protected words (or None).
      stop_regex: pattern of the stop words (or None).
      table: Optional :class:`table.SynonymTable`; with multi-word keys,
        adjacent words forming a two-word key are merged into one token first.

    Returns:
      :class:`FlatAnalysis`.
    """
    tok = flat_lib.tokenize_flat(texts)
    norm = tokens_lib.normalize(tok.tokens)
    word = tok.word
    protected = words_lib.matches(norm, protected_regex)
    if table is not None and table.max_words > 1:
        tok, norm, word, protected = _merge_phrases(tok, norm, word, protected, table)
    movable = word & ~protected
    row_start = tf.equal(tok.position(), 0)
    group = tf.cumsum(tf.cast(row_start | protected, tf.int32))
    source = None
    if table is not None:
        source = (movable & ~words_lib.matches(norm, stop_regex)
                  & (tf.strings.length(norm, unit="UTF8_CHAR") > 1))
        source = source & (table.count(tf.where(source, norm, "")) > 0)
    return FlatAnalysis(tok, norm, word, protected, movable, group, source)


def analyze(texts, protected_regex, stop_regex=None, table=None):
    """:func:`analyze_flat` as dense ``[B, L]`` tensors (:class:`Analysis`)."""
    f = analyze_flat(texts, protected_regex, stop_regex, table)
    dense = lambda t, fill: flat_lib.to_dense(t, f.tok.row_splits, fill)
    tok = tokens_lib.Tokens(dense(f.tok.tokens, ""), dense(f.tok.gaps, ""),
                            dense(tf.ones_like(f.word), False), f.tok.trail)
    segment = dense(flat_lib.row_cumsum(f.protected, f.tok), 0)
    return Analysis(tok, dense(f.norm, ""), dense(f.word, False), dense(f.protected, False),
                    dense(f.movable, False), segment,
                    None if f.source is None else dense(f.source, False))


def count_words(analysis):
    """Number of word tokens per row, int32 ``[B]`` (dense or flat analysis)."""
    if isinstance(analysis, FlatAnalysis):
        return flat_lib.row_count(analysis.word, analysis.tok)
    return tf.reduce_sum(tf.cast(analysis.word, tf.int32), axis=1)


def counts_from_rate(analysis, rate):
    """EDA's per-row count: ``max(1, int(rate * number of words))``, int32 ``[B]``."""
    n = tf.cast(tf.cast(count_words(analysis), tf.float32) * rate, tf.int32)
    return tf.maximum(n, 1)


def rank_select(mask, n, u):
    """Up to ``n[b]`` distinct true entries of row ``b`` of a dense ``mask``."""
    key = tf.where(mask, u, 2.0)
    rank = tf.argsort(tf.argsort(key, axis=1, stable=True), axis=1, stable=True)
    return mask & (rank < n[:, None])


def _select_per_row(mask, rows, batch, n, u):
    """Up to ``n[row]`` true entries of ``mask`` per row, uniformly (bool ``[T]``)."""
    rank, _, _ = flat_lib.sort_rank(tf.where(mask, rows, batch), u)
    return mask & (rank < tf.gather(tf.concat([n, [0]], 0), rows))


def swap(analysis, n, keys):
    """Swaps ``n[b]`` disjoint pairs of movable words in row ``b``.

    Each pair lies inside one stretch between protected words. (EDA swaps two
    random words ``n`` times, possibly the same word twice; disjoint pairs
    are drawn in one shot: a uniformly random matching of each stretch's
    words, then ``n`` of its pairs.)

    Returns:
      string ``[T]``: the tokens, permuted.
    """
    a = analysis
    tok = a.tok
    u = flat_lib.token_draws(keys, tok, _STREAM["swap"], 2)
    idx = tf.cast(tf.reshape(tf.where(a.movable), [-1]), tf.int32)
    group = tf.gather(a.group, idx)
    _, order, rank_sorted = flat_lib.sort_rank(group, tf.gather(u[:, 0], idx))
    sorted_idx = tf.gather(idx, order)
    sorted_group = tf.gather(group, order)
    nxt_group = flat_lib.shift_left(sorted_group, -1)
    valid = tf.equal(rank_sorted % 2, 0) & tf.equal(nxt_group, sorted_group)
    first = sorted_idx
    second = flat_lib.shift_left(sorted_idx, 0)
    rows = tf.gather(tok.rows, first)
    chosen = _select_per_row(valid, rows, tok.batch_size, n, tf.gather(u[:, 1], first))
    a_idx, b_idx = tf.boolean_mask(first, chosen), tf.boolean_mask(second, chosen)
    perm = tf.tensor_scatter_nd_update(tf.range(tf.shape(tok.tokens)[0]),
                                       tf.concat([a_idx, b_idx], 0)[:, None],
                                       tf.concat([b_idx, a_idx], 0))
    return tf.gather(tok.tokens, perm)


def delete(analysis, p, keys):
    """Drops each movable word with probability ``p`` (scalar).

    A row never loses all its words: when every word would go, one drawn word
    stays (as EDA does).

    Returns:
      bool ``[T]``: tokens to keep.
    """
    a = analysis
    tok = a.tok
    u = flat_lib.token_draws(keys, tok, _STREAM["delete"])
    keep = ~(a.movable & (u < tf.cast(p, tf.float32)))
    rescue_row = (tf.equal(flat_lib.row_count(keep & a.word, tok), 0)
                  & (flat_lib.row_count(a.movable, tok) > 0))
    spare, ok = flat_lib.pick(a.movable, tok, draws(keys, "delete", [1])[:, 0])
    rescue = tf.boolean_mask(spare, rescue_row & ok)
    return keep | tf.scatter_nd(rescue[:, None], tf.ones_like(rescue, tf.bool),
                                tf.shape(keep))


def replace(analysis, n, keys, table):
    """Replaces up to ``n[b]`` distinct source words of row ``b`` with a synonym.

    The synonym takes the capitalization of the word it replaces.

    Returns:
      ``(tokens, replaced)``: string ``[T]`` and the bool ``[T]`` positions
      that changed.
    """
    a = analysis
    tok = a.tok
    u = flat_lib.token_draws(keys, tok, _STREAM["replace"], 2)
    chosen = _select_per_row(a.source, tok.rows, tok.batch_size, n, u[:, 0])
    at = tf.cast(tf.reshape(tf.where(chosen), [-1, 1]), tf.int32)
    synonym = table.draw(tf.gather_nd(a.norm, at), tf.gather_nd(u[:, 1], at))
    synonym = tokens_lib.match_case(synonym, tf.gather_nd(tok.tokens, at))
    return tf.tensor_scatter_nd_update(tok.tokens, at, synonym), chosen


def insert(analysis, n, keys, table):
    """Inserts ``n[b]`` synonyms of drawn source words before drawn words of row ``b``.

    Returns:
      string ``[T]``: text to put before each token (``join_flat``'s ``prefix``).
    """
    a = analysis
    tok = a.tok
    n_max = tf.reduce_max(tf.concat([n, [0]], 0))
    u = draws(keys, "insert", tf.stack([n_max, 3]))
    src, ok_src = flat_lib.pick(a.source, tok, u[:, :, 0])
    at, ok_at = flat_lib.pick(a.word, tok, u[:, :, 1])
    padded = lambda t: tf.concat([t, [""]], 0)  # a batch may have no token at all
    src_tok = tf.gather(padded(tok.tokens), src)
    synonym = table.draw(tf.gather(padded(a.norm), src), u[:, :, 2])
    # ALL-CAPS sources give ALL-CAPS insertions; otherwise lowercase.
    caps = tf.logical_and(tf.equal(src_tok, tf.strings.upper(src_tok, encoding="utf-8")),
                          tf.strings.length(src_tok, unit="UTF8_CHAR") > 1)
    synonym = tf.where(caps, tf.strings.upper(synonym, encoding="utf-8"), synonym)
    active = (ok_src & ok_at & (tf.range(n_max)[None, :] < n[:, None])
              & tf.not_equal(synonym, ""))
    total = tf.shape(tok.tokens)[0]
    segment = tf.where(active, at, total)
    prefix = tf.strings.unsorted_segment_join(
        tf.reshape(synonym + " ", [-1]), tf.reshape(segment, [-1]), total + 1)
    return prefix[:-1]


# Sentence ends: terminal punctuation (and closing quotes/brackets) + whitespace.
_SENTENCE_END = r"([.!?…]+[\"'’”)\]]*)([\s\p{Z}]+)"
_MARK = "\x1f"


def sentence_shuffle(texts, keys):
    """Shuffles the order of the sentences of each string (string ``[B]``).

    Sentences end at ``.``, ``!``, ``?`` or ``…`` (with closing quotes or
    brackets) followed by whitespace; the whitespace between sentences stays in
    place. A string holding the internal separator character (U+001F) is
    returned unchanged.
    """
    texts = tf.convert_to_tensor(texts, tf.string)
    marked = tf.strings.regex_replace(texts, _SENTENCE_END, "\\1" + _MARK + "\\2" + _MARK)
    pieces = tf.strings.split(marked, _MARK)
    units = pieces[:, ::2]
    seps = pieces[:, 1::2]
    dense_units = units.to_tensor("")
    n_units = units.row_lengths()
    width = tf.shape(dense_units)[1]
    u = draws(keys, "shuffle", tf.stack([width]))
    valid = tf.sequence_mask(n_units, width) & tf.not_equal(dense_units, "")
    order = tf.argsort(tf.where(valid, u, 2.0), axis=1, stable=True)
    shuffled = tf.gather(dense_units, order, batch_dims=1)
    dense_seps = seps.to_tensor("", shape=tf.stack([tf.shape(dense_units)[0], width]))
    out = tf.strings.reduce_join(shuffled + dense_seps, axis=1)
    untouched = tf.strings.regex_full_match(texts, "(?s).*" + _MARK + ".*")
    return tf.where(untouched, texts, out)
