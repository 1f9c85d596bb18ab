"""EDA layers (Wei & Zou, 2019): synonym replacement, random insertion, swap and
deletion, sentence shuffling, and ``EDA``, which draws one of them per sample.

Every layer takes strings ``[B]`` (or one string, ``(texts, labels)``, or a dict
with ``"text"``) and returns the same form. Tokens are words and punctuation;
whitespace is kept byte for byte, so a string the op leaves alone comes back
identical. Protected words (negations by default) are never replaced, deleted
or moved across.

Strength: every layer takes the keyword-only ``strength`` of the base class (a
scale ``>= 0`` in a variable; ``set_strength`` changes the next batch without a
retrace). The word operations scale their paper parameters by it (``rate``,
``n``, ``p``, EDA's ``alpha_*`` and ``p_rd``, see
:meth:`~tfaug.text.base.TextAugmentation.counts`): 1 is as configured, 0 changes
no word. ``EDA`` with ``num_aug > 1`` or ``keep_original`` also scales the rows
it adds: ``round(strength * added)`` per sample, so 0 returns the input.
``SentenceShuffle`` has no parameter: it applies to each sample with
probability ``probability * strength``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
import functools
import os
from typing import Any

import tensorflow as tf

from tfaug.core import batch as batch_lib
from tfaug.core import validation
from tfaug.core.base import GATE, Augmentation, BatchAugmentation
from tfaug.core.registry import register
from tfaug.text import base
from tfaug.text import synonyms as synonyms_lib
from tfaug.text.ops import eda as ops
from tfaug.text.ops import flat as flat_lib
from tfaug.text.ops.table import SynonymTable

TEXT = base.TEXT


@functools.lru_cache(maxsize=None)
def _wordnet_table():
    with tf.init_scope():
        return SynonymTable(synonyms_lib.load_synonyms("wordnet"))


def synonym_table(source):
    """The in-graph table for a ``synonyms`` argument ("wordnet" is shared)."""
    if isinstance(source, str) and source == "wordnet":
        return _wordnet_table()
    with tf.init_scope():
        return SynonymTable(synonyms_lib.load_synonyms(source))


class _WordOp(base.TextAugmentation):
    """Shared plumbing: ``rate`` or ``n`` (scaled by the strength); optional synonyms.

    Its ``__init__`` is also SynonymReplace's and RandomInsert's (their config).
    """

    strength_scales = "parameters"
    uses_synonyms = False
    default_rate = 0.1

    def __init__(self, rate: float | None = None, *, n: int | None = None,
                 synonyms: str | os.PathLike[str] | Mapping[str, Sequence[str]] = "wordnet",
                 stop_words: Iterable[str] | None = None,
                 protected_words: Iterable[str] | None = None, probability: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(protected_words=protected_words, probability=probability, seed=seed,
                         **kwargs)
        self.set_count(rate, n, self.default_rate)
        self.synonyms = synonyms
        self.set_stop_words(stop_words)
        self._table = synonym_table(synonyms) if self.uses_synonyms else None

    def analyze(self, texts):
        return ops.analyze_flat(texts, self._protected_regex, self._stop_regex, self._table)

    def transform(self, data, params):
        out = dict(data)
        out[TEXT] = self.edit(self.analyze(data[TEXT]), params["keys"])
        return out

    def edit(self, analysis, keys):
        raise NotImplementedError


@register
class SynonymReplace(_WordOp):
    """Replaces words by a synonym (EDA's SR).

    Per sample, ``max(1, int(rate * words))`` (or ``n``) distinct words are
    replaced, each by a synonym drawn uniformly from the table, written in the
    replaced word's capitalization. Stop words, protected words and words
    without synonyms are never replaced; adjacent words that form a table key
    ("ice cream") are replaced as one.

    Args:
      rate: Fraction of the words to replace, in ``[0, 1]``; default 0.1 when
        ``n`` is not given. The strength scales it (and ``n``).
      n: A fixed number of words instead of ``rate``.
      synonyms: "wordnet" (the WordNet 3.0 table shipped with tfaug), a dict
        ``{word: [synonyms]}``, or a path to a ``.json`` dict or a TSV file
        (``word<TAB>synonym<TAB>...``).
      stop_words: Words never used as sources; None: ``ops.STOP_WORDS``.
      protected_words: See :class:`TextAugmentation`.
      probability: Per-sample chance that the layer applies.
      seed: Initial seed state.
      **kwargs: Keras layer arguments.

    Input shape:
      string ``[B]`` or a scalar (or a tuple/dict, see :mod:`tfaug.text.base`).

    Example:
      >>> layer = SynonymReplace(n=1, synonyms={"movie": ["film"]}, seed=0)
      >>> layer(tf.constant(["A good movie."]), training=True).numpy().tolist()
      [b'A good film.']
    """

    uses_synonyms = True

    def edit(self, analysis, keys):
        new, _ = ops.replace(analysis, self.counts(analysis), keys, self._table)
        return flat_lib.join_flat(analysis.tok, tokens=new)


@register
class RandomInsert(_WordOp):
    """Inserts synonyms of random words at random places (EDA's RI).

    Per sample, ``max(1, int(rate * words))`` (or ``n``) times: draw a source
    word (not a stop word or protected, with synonyms), draw one of its
    synonyms, and insert it before a randomly drawn word. Sources are the
    sentence's original words.

    Args:
      rate: Insertions as a fraction of the words; default 0.1. The strength
        scales it (and ``n``).
      n: A fixed number of insertions instead of ``rate``.
      synonyms: See :class:`SynonymReplace`.
      stop_words: Words never used as sources; None: ``ops.STOP_WORDS``.
      protected_words: See :class:`TextAugmentation`.
      probability: Per-sample chance that the layer applies.
      seed: Initial seed state.
      **kwargs: Keras layer arguments.

    Input shape:
      string ``[B]`` or a scalar (or a tuple/dict, see :mod:`tfaug.text.base`).

    Example:
      >>> out = RandomInsert(n=1, synonyms={"movie": ["film"]})(["a movie"], training=True)
      >>> sorted(out.numpy()[0].split())  # "film" inserted somewhere
      [b'a', b'film', b'movie']
    """

    uses_synonyms = True

    def edit(self, analysis, keys):
        prefix = ops.insert(analysis, self.counts(analysis), keys, self._table)
        return flat_lib.join_flat(analysis.tok, prefix=prefix)


@register
class RandomSwap(_WordOp):
    """Swaps two random words, ``n`` times (EDA's RS).

    Both words come from the same stretch between protected words, so no word
    crosses a negation; punctuation and protected words stay in place.

    Args:
      n: Number of swaps per sample (default 1).
      rate: Instead of ``n``, ``max(1, int(rate * words))`` swaps (EDA's
        ``alpha_rs``). The strength scales ``n`` or ``rate``.
      protected_words: See :class:`TextAugmentation`.
      probability: Per-sample chance that the layer applies.
      seed: Initial seed state.
      **kwargs: Keras layer arguments.

    Input shape:
      string ``[B]`` or a scalar (or a tuple/dict, see :mod:`tfaug.text.base`).

    Example:
      >>> out = RandomSwap(n=1, seed=0)(tf.constant(["one two three"]), training=True)
      >>> sorted(out.numpy()[0].split())  # the same words, two of them swapped
      [b'one', b'three', b'two']
    """

    def __init__(self, n: int | None = None, *, rate: float | None = None,
                 protected_words: Iterable[str] | None = None, probability: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        if n is None and rate is None:
            n = 1
        super().__init__(rate=rate, n=n, protected_words=protected_words,
                         probability=probability, seed=seed, **kwargs)

    def edit(self, analysis, keys):
        return flat_lib.join_flat(analysis.tok, tokens=ops.swap(analysis, self.counts(analysis),
                                                                keys))


@register
class RandomDelete(base.TextAugmentation):
    """Deletes each word with probability ``p`` (EDA's RD).

    Protected words and punctuation are never deleted, and a sample never
    loses all its words (one drawn word stays).

    Args:
      p: Per-word deletion probability, in ``[0, 1]``; the strength scales it
        (``min(strength * p, 1)``).
      protected_words: See :class:`TextAugmentation`.
      probability: Per-sample chance that the layer applies.
      seed: Initial seed state.
      **kwargs: Keras layer arguments.

    Input shape:
      string ``[B]`` or a scalar (or a tuple/dict, see :mod:`tfaug.text.base`).

    Example:
      >>> out = RandomDelete(0.3, seed=0)(tf.constant(["not a good movie"]), training=True)
      >>> b"not" in out.numpy()[0].split()  # negations are protected
      True
    """

    strength_scales = "parameters"

    def __init__(self, p: float = 0.1, *, protected_words: Iterable[str] | None = None,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(protected_words=protected_words, probability=probability, seed=seed,
                         **kwargs)
        self.p = validation.check_number("p", p, 0.0, 1.0)

    def transform(self, data, params):
        a = ops.analyze_flat(data[TEXT], self._protected_regex)
        keep = ops.delete(a, tf.minimum(self.p * self.strength_tensor(), 1.0), params["keys"])
        return {**data, TEXT: flat_lib.join_flat(a.tok, keep)}


@register
class SentenceShuffle(base.TextAugmentation):
    """Shuffles the order of the sentences in each sample.

    Sentences end at ``.``, ``!``, ``?`` or ``…`` followed by whitespace; the
    whitespace between sentences stays where it was.

    Args:
      probability: Per-sample chance that the layer applies.
      seed: Initial seed state.
      **kwargs: Keras layer arguments.

    Input shape:
      string ``[B]`` or a scalar (or a tuple/dict, see :mod:`tfaug.text.base`).

    Example:
      >>> out = SentenceShuffle(seed=0)(tf.constant(["One. Two. Three."]), training=True)
      >>> sorted(out.numpy()[0].split())
      [b'One.', b'Three.', b'Two.']
    """

    def __init__(self, *, probability: float = 1.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(probability=probability, seed=seed, **kwargs)

    def transform(self, data, params):
        return {**data, TEXT: ops.sentence_shuffle(data[TEXT], params["keys"])}


_OPS = ("synonym_replace", "random_insert", "random_swap", "random_delete")


@register
class EDA(base.TextAugmentation, BatchAugmentation):
    """Easy Data Augmentation (Wei & Zou, 2019): one of SR, RI, RS, RD per sample.

    Each output sample is made by one operation drawn uniformly among those
    with a non-zero rate: synonym replacement and random insertion of
    ``max(1, int(alpha * words))`` words, that many random swaps, or deletion
    of each word with probability ``p_rd`` (rules as in :class:`SynonymReplace`,
    :class:`RandomInsert`, :class:`RandomSwap`, :class:`RandomDelete`).

    With ``num_aug > 1`` the layer makes ``num_aug`` variants of every sample
    (training only): the output has ``B * num_aug`` rows (``B * (num_aug + 1)``
    with ``keep_original``, the original first), consecutive per input row,
    and every other key (labels...) is repeated to match — the paper's
    augmented training set, built on the fly. Not training, the input comes
    back unchanged.

    The keyword-only ``strength`` (a variable, see ``set_strength``) scales the
    paper's parameters (``alpha_*`` and ``p_rd`` as ``min(strength * a, 1)``,
    counts as in :meth:`~tfaug.text.base.TextAugmentation.counts`) and the rows
    added per sample: ``1 + round(min(strength, 1) * (rows - 1))`` rows
    instead of ``rows`` (``num_aug``, plus one with ``keep_original``). 1 is
    as configured, 0 returns the input.

    Args:
      alpha_sr: Synonym replacement rate, a fraction of the words (0 disables it).
      alpha_ri: Random insertion rate, a fraction of the words (0 disables it).
      alpha_rs: Random swap rate, a fraction of the words (0 disables it).
      p_rd: Random deletion probability (0 disables it).
      num_aug: Variants per input sample (>= 1).
      keep_original: Also output each original (before its variants).
      synonyms: See :class:`SynonymReplace`.
      stop_words: Words never used as synonym sources; None: ``ops.STOP_WORDS``.
      protected_words: See :class:`TextAugmentation`.
      probability: Per-sample chance that the layer applies (all variants of a
        sample not drawn are copies of it).
      seed: Initial seed state.
      **kwargs: Keras layer arguments.

    Input shape:
      string ``[B]`` or a scalar (or a tuple/dict, see :mod:`tfaug.text.base`).
      The output has ``B * num_aug`` rows (``B * (num_aug + 1)`` with
      ``keep_original``); every other key is repeated to match.

    Example:
      >>> eda = EDA(num_aug=4, seed=0)
      >>> texts, labels = eda((tf.constant(["not a good movie"]), tf.constant([0])),
      ...                     training=True)
      >>> texts.shape, labels.numpy().tolist()  # 4 variants, the label repeated
      (TensorShape([4]), [0, 0, 0, 0])
    """

    def __init__(self, *, alpha_sr: float = 0.1, alpha_ri: float = 0.1, alpha_rs: float = 0.1,
                 p_rd: float = 0.1, num_aug: int = 1, keep_original: bool = False,
                 synonyms: str | os.PathLike[str] | Mapping[str, Sequence[str]] = "wordnet",
                 stop_words: Iterable[str] | None = None,
                 protected_words: Iterable[str] | None = None, probability: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(protected_words=protected_words, probability=probability, seed=seed,
                         **kwargs)
        self.alpha_sr = validation.check_number("alpha_sr", alpha_sr, 0.0, 1.0)
        self.alpha_ri = validation.check_number("alpha_ri", alpha_ri, 0.0, 1.0)
        self.alpha_rs = validation.check_number("alpha_rs", alpha_rs, 0.0, 1.0)
        self.p_rd = validation.check_number("p_rd", p_rd, 0.0, 1.0)
        self.num_aug = validation.check_int("num_aug", num_aug, 1)
        self.keep_original = validation.check_bool("keep_original", keep_original)
        rates = (self.alpha_sr, self.alpha_ri, self.alpha_rs, self.p_rd)
        self._enabled = [i for i, r in enumerate(rates) if r > 0]
        if not self._enabled:
            raise validation.ArgumentError(
                "alpha_sr", self.alpha_sr, "above 0 when `alpha_ri`, `alpha_rs` and `p_rd` "
                "are 0", "EDA needs at least one of `alpha_sr`, `alpha_ri`, `alpha_rs`, "
                "`p_rd` above 0.")
        self.synonyms = synonyms
        self.set_stop_words(stop_words)
        needs_table = self.alpha_sr > 0 or self.alpha_ri > 0
        self._table = synonym_table(synonyms) if needs_table else None

    @property
    def handles_gate(self):
        return True

    @property
    def changes_batch(self):
        """Several rows per sample (``num_aug > 1`` or ``keep_original``): labels
        must ride along (a ``Pipeline`` then passes them in, and they are
        repeated with the rows)."""
        return self.num_aug > 1 or self.keep_original

    @property
    def changes_labels(self):
        """Labels are repeated with the rows only when the batch changes."""
        return self.changes_batch

    def train_ops(self, inputs, seed):
        # The generic path (standardize, sample, apply, restore): ``transform``
        # makes the rows.
        return Augmentation.train_ops(self, inputs, seed)

    def _rows(self):
        """``(variants, rows)`` per input row at the current strength: Python
        ints when the layer keeps the batch, int32 scalars otherwise."""
        total = self.num_aug + int(self.keep_original)
        if total == 1:
            return 1, 1
        strength = tf.minimum(self.strength_tensor(), 1.0)
        rows = 1 + tf.cast(tf.round(strength * float(total - 1)), tf.int32)
        return rows - int(self.keep_original), rows

    def sample_params(self, batch_size, seed):
        keys = super().sample_params(batch_size * self.num_aug, seed)["keys"]
        return {"keys": tf.reshape(keys, [batch_size, self.num_aug])}

    def _variants(self, texts, keys):
        """One op per row: each op runs only on the rows that drew it."""
        u = ops.draws(keys, "choice", [1])[:, 0]
        which = tf.minimum(tf.cast(u * len(self._enabled), tf.int32), len(self._enabled) - 1)
        out = texts
        for slot, op in enumerate(self._enabled):
            rows = batch_lib.rows_where(tf.equal(which, slot))
            part = self._run_op(op, tf.gather(texts, rows), tf.gather(keys, rows))
            out = tf.tensor_scatter_nd_update(out, rows[:, None], part)
        return out

    def _run_op(self, op, texts, keys):
        table = self._table if op in (0, 1) else None  # swap/delete need no synonyms
        a = ops.analyze_flat(texts, self._protected_regex, self._stop_regex, table)
        strength = self.strength_tensor()
        rate = lambda alpha: base.scaled_counts(a, alpha, None, strength)
        join = functools.partial(flat_lib.join_flat, a.tok)
        if op == 0:
            return join(tokens=ops.replace(a, rate(self.alpha_sr), keys, table)[0])
        if op == 1:
            return join(prefix=ops.insert(a, rate(self.alpha_ri), keys, table))
        if op == 2:
            return join(tokens=ops.swap(a, rate(self.alpha_rs), keys))
        return join(keep=ops.delete(a, tf.minimum(self.p_rd * strength, 1.0), keys))

    def transform(self, data, params):
        k, copies = self._rows()
        texts = data[TEXT]
        repeated = tf.repeat(texts, k, axis=0)
        out = self._variants(repeated, tf.reshape(params["keys"][:, :k], [-1]))
        if GATE in params:
            out = tf.where(tf.repeat(params[GATE], k, axis=0), out, repeated)
        if self.keep_original:
            variants = tf.reshape(out, tf.stack([tf.shape(texts)[0], k]))
            out = tf.reshape(tf.concat([texts[:, None], variants], 1), [-1])
        result = {key: tf.repeat(value, copies, axis=0) for key, value in data.items()
                  if key != TEXT} if self.changes_batch else dict(data)
        result[TEXT] = out
        return result
