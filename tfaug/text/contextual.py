"""Contextual word replacement with a masked language model.

Random words are masked and each is filled with a word a masked language model
predicts at that position (Kobayashi, 2018; Wu et al., 2019: "conditional BERT
contextual augmentation"), so the replacement fits the sentence around it
instead of being a context-free synonym. The model runs in-graph, as part of the
layer: the layer works eagerly, in ``tf.function``, in ``tf.data`` and in an
exported SavedModel, like every tfaug text layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
import copy
import json
import os
from typing import Any

import keras
import tensorflow as tf

from tfaug.core import validation
from tfaug.core.registry import register
from tfaug.text import base
from tfaug.text.ops import eda as ops
from tfaug.text.ops import tokens as tokens_lib
from tfaug.text.ops import words as words_lib

TEXT = base.TEXT
_DEFAULT_RATE = 0.15
_LM_INPUTS = ("token_ids", "padding_mask", "mask_positions")


def load_vocabulary(vocabulary):
    """A ``vocabulary`` argument as a list of token strings (id = position).

    Args:
      vocabulary: A non-empty list/tuple of str, or a path (str or
        ``os.PathLike``) to a UTF-8 file with one token per line (BERT's
        ``vocab.txt``; a trailing newline and ``\\r`` line ends are read as
        line ends).

    Returns:
      list of str.

    Raises:
      ValueError: not a list of str or a readable file, or empty.

    Example:
      >>> load_vocabulary(["[PAD]", "[UNK]", "[MASK]", "movie"])[3]
      'movie'
    """
    if isinstance(vocabulary, (str, os.PathLike)):
        path = os.fspath(vocabulary)
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
        except (OSError, UnicodeDecodeError) as err:
            raise validation.ArgumentError(
                "vocabulary", vocabulary, "a readable UTF-8 file with one token per line",
                f"`vocabulary` {path!r} is not a readable UTF-8 file with one "
                f"token per line: {err}") from None
        if lines and lines[-1] == "":
            lines.pop()
        tokens = [line[:-1] if line.endswith("\r") else line for line in lines]
        where = f"the file {path!r}"
    elif isinstance(vocabulary, (list, tuple)):
        bad = [t for t in vocabulary if not isinstance(t, str)]
        if bad:
            raise validation.ArgumentTypeError(
                "vocabulary", vocabulary, "a list of str tokens",
                f"`vocabulary` must hold str tokens, got {bad[0]!r} of type "
                f"{type(bad[0]).__name__}.")
        tokens, where = list(vocabulary), "the list"
    else:
        raise validation.ArgumentTypeError(
            "vocabulary", vocabulary, "a list of token strings (id = position) or a path to "
            "a vocab file (one token per line)",
            f"`vocabulary` must be a list of token strings (id = position) or "
            f"a path to a vocab file (one token per line), got "
            f"{type(vocabulary).__name__} {vocabulary!r:.80}.")
    if not tokens:
        raise validation.ArgumentError("vocabulary", vocabulary, "a non-empty vocabulary",
                                       f"`vocabulary` is empty ({where} holds no token).")
    return tokens


def _token_id(name, token, index, optional=False):
    if token is None and optional:
        return None
    if not isinstance(token, str):
        allowed = "None or a str" if optional else "a str"
        raise validation.ArgumentTypeError(name, token, allowed)
    if token not in index:
        raise validation.ArgumentError(name, token, "a token of the vocabulary",
                                       f"`{name}` {token!r} is not in the vocabulary.")
    return index[token]


def _wants_segment_ids(lm):
    """A Keras model whose dict inputs name ``segment_ids`` (keras-hub's BERT)."""
    if not isinstance(lm, keras.Model):
        return False
    try:
        inputs = lm.input
    except (AttributeError, ValueError):
        return False
    return isinstance(inputs, dict) and "segment_ids" in inputs


def _serializable(lm):
    return isinstance(lm, keras.layers.Layer)


@register
class ContextualReplace(base.TextAugmentation):
    """Replaces random words with a masked language model's predictions.

    Per sample, ``max(1, int(rate * words))`` (or ``n``) distinct eligible
    words are masked at once and the masked sequence goes through
    ``masked_lm``. Each masked word is replaced by a token drawn from the
    model's ``top_k`` predictions at its position, with probability
    proportional to the softmax of their logits (a keyed uniform draw: per row
    reproducible, different for identical rows). The draw excludes the
    original token, the special tokens (``mask_token``, ``unknown_token``,
    ``start_token``, ``end_token``, ``[PAD]``-like ``[...]`` entries), every
    vocabulary entry that is not one word token (WordPiece continuations
    ``##x``, punctuation) and protected words (a replacement never adds a
    negation). The replacement takes the replaced word's capitalization;
    everything else, whitespace included, is unchanged.

    Eligible words: words (not punctuation) that are not protected, not stop
    words, in the vocabulary (looked up lowercased when ``lowercase``), and
    within the first ``max_length`` sequence positions. A word missing from
    the vocabulary is fed to the model as ``unknown_token`` and never masked.
    One token is fed per word: with a WordPiece vocabulary (BERT) the whole
    words in the vocabulary work, and words that need several pieces are
    never replaced (and are fed as unknown).

    Model calling convention (the keras-hub ``MaskedLM`` one): ``masked_lm``
    is a Keras model, or any callable or SavedModel with a documented
    signature (``tf.saved_model.load(path)`` when it saved a ``__call__``
    function, or one of its ``signatures``, called with keyword arguments):

    * input: a dict of int32 tensors ``{"token_ids": [B, S], "padding_mask":
      [B, S] (1 = real token), "mask_positions": [B, M]}``, with ``S =
      max_length`` (fixed) and ``M`` the most words masked in a row (at least
      1; unused slots point at position 0). A Keras model whose inputs also
      name ``"segment_ids"`` (keras-hub's BERT) gets zeros there.
    * output: logits ``[B, M, V]`` (probabilities work too: they are read as
      logits), ``V = len(vocabulary)``; a dict output must hold one tensor or a
      ``"logits"`` key.

    The sequence is ``[start_token] + one id per token of the sample
    (punctuation too; a token not in the vocabulary -> unknown_token) +
    [end_token]``, truncated to ``max_length`` (the end token stays) and padded
    with id 0. A Keras model is called with ``training=False`` (no dropout);
    its weights are saved with the layer (``.keras`` files, SavedModels) and
    are not trained by ``fit`` (no gradient reaches them; set
    ``masked_lm.trainable = False`` to keep the optimizer from listing them).

    Args:
      masked_lm: The masked language model (see above). ``get_config`` needs a
        Keras model (serialized with ``keras.saving.serialize_keras_object``).
      vocabulary: The model's vocabulary: a list of token strings (id =
        position) or a path to a vocab file, one token per line (BERT's
        ``vocab.txt``). Kept as given in the config.
      rate: Fraction of the words to replace, in ``[0, 1]``; default 0.15 when
        ``n`` is not given. Give ``rate`` or ``n``, not both. The keyword-only
        ``strength`` scales it (and ``n``; see
        :meth:`~tfaug.text.base.TextAugmentation.counts`): 0 replaces nothing.
      n: A fixed number of words per sample instead of ``rate``.
      top_k: Number of the model's best predictions to draw from, in
        ``[1, len(vocabulary)]``.
      mask_token: The vocabulary's mask token.
      unknown_token: The vocabulary's unknown-word token.
      start_token: Token put before the sequence (``"[CLS]"`` for BERT), or
        None.
      end_token: Token put after the sequence (``"[SEP]"`` for BERT), or None.
      lowercase: Look words up lowercased (uncased models).
      max_length: The sequence length ``S`` the model gets (special tokens
        included); later tokens are not fed and never replaced.
      stop_words: Words never replaced; None: ``tfaug.text.STOP_WORDS``.
      protected_words: See :class:`TextAugmentation`; never replaced, and never
        used as replacements.
      probability: Per-sample chance that the layer applies.
      seed: Initial seed state.
      **kwargs: Keras layer arguments.

    Input shape:
      string ``[B]`` or a scalar (or a tuple/dict, see :mod:`tfaug.text.base`).

    Output shape:
      Same as the input.

    Raises:
      ValueError: a bad argument (the message names it), or a model whose
        output is not ``[B, M, len(vocabulary)]``.

    Example:
      >>> vocab = ["[PAD]", "[UNK]", "[MASK]", ".", "a", "good", "fine", "movie"]
      >>> ids = keras.Input((None,), dtype="int32", name="token_ids")
      >>> pad = keras.Input((None,), dtype="int32", name="padding_mask")
      >>> at = keras.Input((None,), dtype="int32", name="mask_positions")
      >>> h = keras.layers.Embedding(len(vocab), 8)(ids)
      >>> h = keras.layers.Conv1D(8, 3, padding="same")(h)
      >>> h = keras.ops.take_along_axis(h, keras.ops.expand_dims(at, -1), axis=1)
      >>> lm = keras.Model({"token_ids": ids, "padding_mask": pad,
      ...                   "mask_positions": at}, keras.layers.Dense(len(vocab))(h))
      >>> layer = ContextualReplace(lm, vocab, n=1, top_k=2, seed=0)
      >>> out = layer(tf.constant(["A good movie."]), training=True)  # one word replaced
      >>> out.shape, len(out.numpy()[0].split())
      (TensorShape([1]), 3)
    """

    strength_scales = "parameters"

    def __init__(self, masked_lm: keras.Model, vocabulary: Sequence[str] | str | os.PathLike[str],
                 *, rate: float | None = None, n: int | None = None, top_k: int = 5,
                 mask_token: str = "[MASK]", unknown_token: str = "[UNK]",
                 start_token: str | None = None, end_token: str | None = None,
                 lowercase: bool = True, max_length: int = 128,
                 stop_words: Iterable[str] | None = None,
                 protected_words: Iterable[str] | None = None, probability: float = 1.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(protected_words=protected_words, probability=probability, seed=seed,
                         **kwargs)
        if not callable(masked_lm):
            raise validation.ArgumentTypeError(
                "masked_lm", masked_lm, "a Keras model or a callable",
                f"`masked_lm` must be a Keras model or a callable (a loaded "
                             f"SavedModel's function) taking a dict {list(_LM_INPUTS)} and "
                             f"returning logits [B, M, V]; got {type(masked_lm).__name__} "
                             f"{masked_lm!r:.80}.")
        self.set_count(rate, n, _DEFAULT_RATE)
        self.vocabulary = (os.fspath(vocabulary) if isinstance(vocabulary, os.PathLike)
                           else vocabulary)
        vocab = load_vocabulary(vocabulary)
        if isinstance(self.vocabulary, tuple):
            self.vocabulary = list(self.vocabulary)
        index = {}
        for i, token in enumerate(vocab):
            index.setdefault(token, i)
        self.top_k = validation.check_int("top_k", top_k, 1, len(vocab))
        self.mask_token, self.unknown_token = mask_token, unknown_token
        self.start_token, self.end_token = start_token, end_token
        self._mask_id = _token_id("mask_token", mask_token, index)
        self._unknown_id = _token_id("unknown_token", unknown_token, index)
        self._start_id = _token_id("start_token", start_token, index, optional=True)
        self._end_id = _token_id("end_token", end_token, index, optional=True)
        self.lowercase = validation.check_bool("lowercase", lowercase)
        specials = int(start_token is not None) + int(end_token is not None)
        self.max_length = validation.check_int("max_length", max_length, specials + 1)
        self._offset = int(start_token is not None)
        self._width = self.max_length - specials  # content tokens fed to the model
        self.set_stop_words(stop_words)
        self._vocab_size = len(vocab)
        special_ids = [i for i in (self._mask_id, self._unknown_id, self._start_id,
                                   self._end_id) if i is not None]
        with tf.init_scope():
            keys = tf.constant(list(index), tf.string)
            self._table = tf.lookup.StaticHashTable(
                tf.lookup.KeyValueTensorInitializer(
                    keys, tf.constant(list(index.values()), tf.int64)), default_value=-1)
            self._id_to_token = tf.constant(vocab, tf.string)
            candidate = self._candidates(self._id_to_token, special_ids)
            if not bool(tf.reduce_any(candidate)):
                raise validation.ArgumentError(
                    "vocabulary", self.vocabulary, "a vocabulary with a replacement token",
                    "`vocabulary` has no entry usable as a replacement (one "
                    "word token, not special, not protected).")
            self._candidate = candidate
        self.masked_lm = masked_lm  # tracked: a Keras model is a nested layer
        self._segment_ids = _wants_segment_ids(masked_lm)

    def _candidates(self, entries, special_ids):
        """bool ``[V]``: the entry is one word token, not special, not protected."""
        tok = tokens_lib.tokenize(entries)
        first = tf.pad(tok.tokens, [[0, 0], [0, 1]])[:, 0]
        single = tf.equal(tf.reduce_sum(tf.cast(tok.valid, tf.int32), 1), 1)
        ok = single & tf.equal(first, entries) & tokens_lib.is_word(entries)
        ok &= ~words_lib.matches(tokens_lib.normalize(entries), self._protected_regex)
        special = tf.scatter_nd(tf.constant([[i] for i in special_ids], tf.int32),
                                tf.ones([len(special_ids)], tf.bool), [self._vocab_size])
        return ok & ~special

    # ------------------------------------------------------------------ config
    def get_config(self):
        """The ``__init__`` arguments; ``masked_lm`` as a serialized Keras object.

        Raises:
          ValueError: ``masked_lm`` is not a Keras model (a plain callable or a
            loaded SavedModel has no config).
        """
        lm = self.masked_lm
        if not _serializable(lm):
            raise ValueError(f"get_config needs `masked_lm` to be a Keras model or layer; "
                             f"got {type(lm).__name__} (a callable or loaded SavedModel "
                             f"cannot be serialized; export the layer as a SavedModel "
                             f"instead).")
        config = super().get_config()
        # JSON-native (Keras configs hold tuples): equal after a JSON round trip.
        config["masked_lm"] = json.loads(json.dumps(keras.saving.serialize_keras_object(lm)))
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("masked_lm"), dict):
            # Keras' deserializer consumes the dict it is given: pass a copy.
            config["masked_lm"] = keras.saving.deserialize_keras_object(
                copy.deepcopy(config["masked_lm"]))
        return cls(**config)

    # ------------------------------------------------------------------- apply
    def transform(self, data, params):
        analysis = ops.analyze(data[TEXT], self._protected_regex)
        out = dict(data)
        out[TEXT] = self.replace(analysis, params["keys"])
        return out

    def _pack(self, content, batch, n_content):
        """Content ids ``[B, L]`` -> sequence ids ``[B, max_length]`` and padding mask."""
        content = content[:, :self._width]
        content = tf.pad(content, [[0, 0], [0, self._width - tf.shape(content)[1]]])
        parts = [content]
        if self._start_id is not None:
            parts.insert(0, tf.fill([batch, 1], self._start_id))
        if self._end_id is not None:
            parts.append(tf.zeros([batch, 1], tf.int32))
        seq = tf.ensure_shape(tf.concat(parts, 1), [None, self.max_length])
        col = tf.range(self.max_length)[None, :]
        end = (self._offset + n_content)[:, None]
        if self._end_id is not None:
            seq = tf.where(tf.equal(col, end), self._end_id, seq)
            end += 1
        padding = col < end
        return tf.where(padding, seq, 0), padding

    def _predict(self, inputs):
        """Calls the masked LM; float32 logits ``[B, M, V]``."""
        lm = self.masked_lm
        if self._segment_ids:
            inputs["segment_ids"] = tf.zeros_like(inputs["token_ids"])
        if isinstance(lm, keras.layers.Layer):
            out = lm(inputs, training=False)
        elif isinstance(lm, tf.types.experimental.ConcreteFunction):
            out = lm(**inputs)
        else:
            out = lm(inputs)
        if isinstance(out, dict):
            if "logits" in out:
                out = out["logits"]
            elif len(out) == 1:
                out = next(iter(out.values()))
            else:
                raise ValueError(f"`masked_lm` returned a dict with keys {sorted(out)}; "
                                 f"expected logits [B, M, V] (or a dict with one tensor or "
                                 f"a 'logits' key).")
        out = tf.cast(tf.convert_to_tensor(out), tf.float32)
        if out.shape.rank is not None and (out.shape.rank != 3 or out.shape[-1] not in (
                None, self._vocab_size)):
            raise ValueError(f"`masked_lm` must return logits [B, M, V] with V = "
                             f"len(vocabulary) = {self._vocab_size}, got shape {out.shape}.")
        return out

    def replace(self, analysis, keys):
        """Masks, predicts and replaces words; returns the joined strings ``[B]``.

        Args:
          analysis: :class:`tfaug.text.ops.Analysis` of the batch.
          keys: int64 ``[B]`` per-row keys.

        Returns:
          string ``[B]``.
        """
        a = analysis
        tokens = a.tok.tokens
        batch, length = tf.shape(tokens)[0], tf.shape(tokens)[1]
        ids = self._table.lookup(a.norm if self.lowercase else tokens)
        known = (ids >= 0) & a.tok.valid
        ids = tf.cast(tf.where(known, ids, self._unknown_id), tf.int32)
        col = tf.range(length)[None, :]
        stop = words_lib.matches(a.norm, self._stop_regex)
        eligible = a.movable & ~stop & known & (col < self._width)
        u = ops.draws(keys, "contextual", tf.stack([length, 2]))
        chosen = ops.rank_select(eligible, self.counts(a), u[:, :, 0])

        n_content = tf.minimum(tf.reduce_sum(tf.cast(a.tok.valid, tf.int32), 1), self._width)
        original, padding = self._pack(ids, batch, n_content)
        masked, _ = self._pack(tf.where(chosen, self._mask_id, ids), batch, n_content)
        # Mask slots: the chosen positions of each row in order, padded to M.
        n_chosen = tf.reduce_sum(tf.cast(chosen, tf.int32), 1)
        m = tf.maximum(tf.reduce_max(tf.concat([n_chosen, [0]], 0)), 1)
        extra = [[0, 0], [0, tf.maximum(m - length, 0)]]
        order = tf.pad(tf.argsort(tf.cast(~chosen, tf.int32), axis=1, stable=True),
                       extra)[:, :m]
        u_pick = tf.pad(u[:, :, 1], extra)
        u_pick = tf.gather(u_pick, order, batch_dims=1)
        slot_ok = tf.range(m)[None, :] < n_chosen[:, None]
        positions = tf.where(slot_ok, order + self._offset, 0)
        logits = self._predict({"token_ids": masked,
                                "padding_mask": tf.cast(padding, tf.int32),
                                "mask_positions": positions})
        # Drop non-candidates and the original token, then draw from the top k.
        before = tf.gather(original, positions, batch_dims=1)
        vocab_ids = tf.range(self._vocab_size)[None, None, :]
        banned = ~self._candidate[None, None, :] | tf.equal(vocab_ids, before[:, :, None])
        logits = tf.where(banned, float("-inf"), logits)
        values, index = tf.math.top_k(logits, self.top_k)
        finite = tf.math.is_finite(values)
        best = tf.where(finite[..., :1], values[..., :1], 0.0)
        weight = tf.where(finite, tf.exp(tf.where(finite, values - best, 0.0)), 0.0)
        cum = tf.cumsum(weight, axis=-1)
        k = tf.reduce_sum(tf.cast(cum <= u_pick[..., None] * cum[..., -1:], tf.int32), -1)
        k = tf.minimum(k, self.top_k - 1)
        new_id = tf.gather(index, k[..., None], batch_dims=2)[..., 0]
        ok = slot_ok & finite[..., 0]
        word = tf.gather(self._id_to_token, new_id)
        # Back to token positions: the i-th chosen word of a row is slot i.
        slot = tf.clip_by_value(tf.cumsum(tf.cast(chosen, tf.int32), axis=1) - 1, 0, m - 1)
        word_at = tf.gather(word, slot, batch_dims=1)
        ok_at = tf.gather(ok, slot, batch_dims=1) & chosen
        new = tf.where(ok_at, tokens_lib.match_case(word_at, tokens), tokens)
        return tokens_lib.join(a.tok._replace(tokens=new))
