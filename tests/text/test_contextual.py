"""Tests of ContextualReplace with a small masked LM trained on RottenTomatoes snippets.

The model (tests/text/mlm.py) trains once per session in a few seconds; the
tests check properties of the layer's output against it: only eligible words
change, each replacement is among the model's top-k at its position (recomputed
with the model directly) and drawn in proportion to their softmax, protected
words survive, capitalization and whitespace are kept, and the layer saves,
loads and exports with the model's weights.
"""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.text import mlm
from tfaug.export import saved_model as export
from tfaug.text.contextual import ContextualReplace
from tfaug.text.ops import tokens as tokens_lib
from tfaug.text.ops.words import DEFAULT_PROTECTED, STOP_WORDS

SEED = tf.constant([3, 4], tf.int64)


@pytest.fixture(scope="module")
def trained():
    return mlm.trained_mlm()


def make(t, **kwargs):
    args = dict(start_token="[CLS]", end_token="[SEP]", max_length=t.max_length, seed=0)
    args.update(kwargs)
    return ContextualReplace(t.model, t.vocab, **args)


def _protected(word):
    return word in DEFAULT_PROTECTED or word.endswith("n't")


def _candidates(vocab):
    """Independent of the layer: entries that may replace a word."""
    return np.array([i >= len(mlm.SPECIALS) and any(c.isalnum() for c in v)
                     and not _protected(v) for i, v in enumerate(vocab)])


def _tokens(texts):
    tok = tokens_lib.tokenize(tf.constant(texts))
    dec = lambda a: [[x.decode("utf-8", "replace") for x, ok in zip(row, valid) if ok]
                     for row, valid in zip(a.numpy(), tok.valid.numpy())]
    return dec(tok.tokens), dec(tok.gaps), [t.decode() for t in tok.trail.numpy()]


def _changes(inputs, outputs):
    """``[(row, position, before, after)]``; asserts whitespace and token count kept."""
    t_in, g_in, r_in = _tokens(inputs)
    t_out, g_out, r_out = _tokens(outputs)
    assert g_in == g_out and r_in == r_out
    changes = []
    for row, (a, b) in enumerate(zip(t_in, t_out)):
        assert len(a) == len(b), (a, b)
        changes += [(row, i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return changes


def _texts(t, count, start=0):
    return [s for s in t.heldout if s.strip()][start:start + count]


# ----------------------------------------------------------------------------- model
def test_trained_model_beats_unigram_baseline(trained):
    print(f"\nmasked LM: held-out top-5 {trained.top5:.3f} vs unigram {trained.baseline:.3f} "
          f"(trained in {trained.seconds:.1f} s)")
    assert trained.top5 >= trained.baseline + 0.03, (trained.top5, trained.baseline)


# ----------------------------------------------------------------------------- output
def test_only_eligible_words_change_at_most_n(trained):
    texts = _texts(trained, 48)
    out = make(trained, n=2)(tf.constant(texts), training=True, seed=SEED).numpy()
    changes = _changes(texts, [o.decode("utf-8") for o in out])
    index = {v: i for i, v in enumerate(trained.vocab)}
    cand = _candidates(trained.vocab)
    per_row = np.bincount([c[0] for c in changes], minlength=len(texts))
    assert per_row.max() <= 2 and (per_row > 0).mean() > 0.8, per_row
    width = trained.max_length - 2
    for _, pos, before, after in changes:
        low = before.lower()
        assert low in index and low not in STOP_WORDS and not _protected(low), before
        assert pos < width
        assert after.lower() != low and cand[index[after.lower()]], (before, after)


def test_replacements_are_in_the_model_top_k(trained):
    top_k = 3
    texts = _texts(trained, 24, start=100)
    layer = make(trained, n=3, top_k=top_k)
    out = [o.decode() for o in layer(tf.constant(texts), training=True, seed=SEED).numpy()]
    changes = _changes(texts, out)
    # Recompute: the same masked sequences through the model itself.
    rows = mlm.tokenize(texts)
    ids, pad = mlm.encode(rows, trained.vocab, trained.max_length)
    slots = [[c for c in changes if c[0] == r] for r in range(len(texts))]
    m = max(len(s) for s in slots)
    positions = np.zeros((len(texts), m), np.int32)
    for r, row_changes in enumerate(slots):
        for j, (_, pos, _, _) in enumerate(row_changes):
            positions[r, j] = pos + 1  # after [CLS]
    masked = ids.copy()
    np.put_along_axis(masked, positions, mlm.MASK, axis=1)
    masked[:, 0] = mlm.CLS
    logits = trained.model({"token_ids": masked, "padding_mask": pad,
                            "mask_positions": positions}).numpy()
    cand = _candidates(trained.vocab)
    index = {v: i for i, v in enumerate(trained.vocab)}
    for r, row_changes in enumerate(slots):
        for j, (_, pos, before, after) in enumerate(row_changes):
            scores = np.where(cand, logits[r, j], -np.inf)
            scores[ids[r, pos + 1]] = -np.inf
            best = np.argsort(-scores)[:top_k]
            top = [trained.vocab[b] for b in best]
            assert index[after.lower()] in best, (before, after, top)


def test_draws_follow_the_top_k_softmax(trained):
    # "movie" is the only eligible word: every row masks it and draws one of 5.
    text = "it is the movie ."
    rows = 2000
    layer = make(trained, n=1, top_k=5)
    out = layer(tf.constant([text] * rows), training=True, seed=SEED).numpy()
    words = [o.decode().split()[3] for o in out]
    ids, pad = mlm.encode(mlm.tokenize([text]), trained.vocab, trained.max_length)
    ids[0, 4] = mlm.MASK
    logits = trained.model({"token_ids": ids, "padding_mask": pad,
                            "mask_positions": np.array([[4]], np.int32)}).numpy()[0, 0]
    scores = np.where(_candidates(trained.vocab), logits, -np.inf)
    scores[trained.vocab.index("movie")] = -np.inf
    best = np.argsort(-scores)[:5]
    p = np.exp(scores[best] - scores[best].max())
    p /= p.sum()
    counts = np.array([words.count(trained.vocab[b]) for b in best])
    assert counts.sum() == rows, set(words)
    np.testing.assert_allclose(counts / rows, p, atol=0.04)


def test_protected_words_survive_and_identical_rows_differ(trained):
    text = "This is not a good movie, and I never liked the awful plot."
    out = make(trained, rate=0.5)(tf.constant([text] * 500), training=True, seed=SEED).numpy()
    tokens, _, _ = _tokens([o.decode() for o in out])
    for row in tokens:
        assert row[2] == "not" and row[9] == "never"
        assert sum(_protected(w.lower()) for w in row) == 2, row
    assert len({tuple(r) for r in tokens}) > 50


def test_capitalization_is_kept(trained):
    texts = ["THE MOVIE WAS GREAT FUN", "Great Movie, Funny Story And Good Acting.",
             "A great movie with a funny story"]
    out = [o.decode() for o in make(trained, rate=1.0)(
        tf.constant(texts * 8), training=True, seed=SEED).numpy()]
    changes = _changes(texts * 8, out)
    assert changes
    for _, _, before, after in changes:
        word = after.lower()  # the vocabulary entry (the vocabulary is lowercase)
        if before.isupper() and len(before) > 1:
            expected = word.upper()
        elif before[0].isupper():
            expected = word[0].upper() + word[1:]
        else:
            expected = word
        assert after == expected, (before, after)
    assert any(b.isupper() and len(b) > 1 for _, _, b, _ in changes)
    assert any(b[0].isupper() and not b.isupper() for _, _, b, _ in changes)


def test_edge_strings(trained):
    texts = ["", "   ", "\t\n ", "!!! ???", "日本語のテキスト。", "Café ÉLÉGANT naïve, déjà-vu",
             "a  good\u00a0movie\t!"]
    layer = make(trained, n=2)
    out = [o.decode("utf-8") for o in layer(tf.constant(texts), training=True,
                                            seed=SEED).numpy()]
    assert out[:5] == texts[:5]
    _changes(texts[5:], out[5:])  # whitespace kept, one token per token
    single = layer(tf.constant("   "), training=True, seed=SEED)
    assert single.shape == () and single.numpy() == b"   "


def test_a_row_gives_the_same_alone_or_in_a_batch(trained):
    layer = make(trained, n=2)
    texts = tf.constant(_texts(trained, 6, start=200) + ["", "A good movie."])
    params = layer.sample(8, SEED)
    batch = layer.apply({"text": texts}, params)["text"].numpy()
    for i in range(8):
        alone = layer.apply({"text": texts[i:i + 1]}, {"keys": params["keys"][i:i + 1]})
        assert alone["text"].numpy()[0] == batch[i]


def test_truncation_past_max_length(trained):
    text = " ".join(["the good movie and the great film ."] * 12)  # 96 tokens
    layer = make(trained, rate=1.0, max_length=16)
    out = layer(tf.constant([text] * 8), training=True, seed=SEED).numpy()
    changes = _changes([text] * 8, [o.decode() for o in out])
    assert changes and max(c[1] for c in changes) < 14


def test_vocabulary_file_and_probability(trained, tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(trained.vocab) + "\n", encoding="utf-8")
    texts = tf.constant(_texts(trained, 8))
    from_file = ContextualReplace(trained.model, str(path), n=1, start_token="[CLS]",
                                  end_token="[SEP]", max_length=trained.max_length, seed=0)
    assert from_file.get_config()["vocabulary"] == str(path)
    np.testing.assert_array_equal(from_file(texts, training=True, seed=SEED),
                                  make(trained, n=1)(texts, training=True, seed=SEED))
    off = make(trained, n=1, probability=0.0)
    np.testing.assert_array_equal(off(texts, training=True, seed=SEED), texts)


# ----------------------------------------------------------------------------- saving
def test_keras_file_restores_the_trained_weights(trained, tmp_path):
    layer = make(trained, n=2)
    inp = keras.Input((), dtype="string")
    model = keras.Model(inp, layer(inp))
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    inner = next(l for l in loaded.layers if isinstance(l, ContextualReplace))
    for a, b in zip(inner.masked_lm.get_weights(), trained.model.get_weights()):
        np.testing.assert_array_equal(a, b)
    texts = tf.constant(_texts(trained, 8))
    np.testing.assert_array_equal(inner(texts, training=True, seed=SEED),
                                  layer(texts, training=True, seed=SEED))


def test_loaded_saved_model_as_masked_lm(trained, tmp_path):
    spec = {"token_ids": tf.TensorSpec([None, None], tf.int32),
            "padding_mask": tf.TensorSpec([None, None], tf.int32),
            "mask_positions": tf.TensorSpec([None, None], tf.int32)}
    module = tf.Module()
    module.model = trained.model
    module.__call__ = tf.function(lambda x: trained.model(x, training=False),
                                  input_signature=[spec])
    tf.saved_model.save(module, str(tmp_path / "lm"))
    served = tf.saved_model.load(str(tmp_path / "lm"))
    texts = tf.constant(_texts(trained, 8))
    with_served = ContextualReplace(served, trained.vocab, n=2, start_token="[CLS]",
                                    end_token="[SEP]", max_length=trained.max_length)
    np.testing.assert_array_equal(with_served(texts, training=True, seed=SEED),
                                  make(trained, n=2)(texts, training=True, seed=SEED))
    with pytest.raises(ValueError, match="masked_lm.*Keras model"):
        with_served.get_config()


_CHILD = textwrap.dedent("""
    import json, sys
    sys.modules["tfaug"] = None  # tfaug must not be needed
    import tensorflow_text  # noqa: F401  (registers the text ops)
    import tensorflow as tf
    job = json.load(open(sys.argv[1]))
    aug = tf.saved_model.load(job["path"])
    out = aug.augment(tf.constant(job["texts"]), tf.constant(job["seed"], tf.int64))
    print(json.dumps([t.decode("utf-8") for t in out.numpy()]))
""")


def test_exported_augmentation_runs_without_tfaug(trained, tmp_path):
    layer = make(trained, n=2)
    texts = _texts(trained, 6) + ["", "NOT a BAD Film!"]
    path = export.export_augmentation(layer, tmp_path / "aug", tf.TensorSpec([None], tf.string))
    (tmp_path / "job.json").write_text(json.dumps(
        {"path": str(path), "texts": texts, "seed": [5, 6]}))
    (tmp_path / "child.py").write_text(_CHILD)
    proc = subprocess.run([sys.executable, str(tmp_path / "child.py"),
                           str(tmp_path / "job.json")], cwd=str(tmp_path), capture_output=True,
                          text=True, timeout=300,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert proc.returncode == 0, proc.stderr[-4000:]
    served = json.loads(proc.stdout.strip().splitlines()[-1])
    expected = layer(tf.constant(texts), training=True, seed=tf.constant([5, 6], tf.int64))
    assert served == [t.decode("utf-8") for t in expected.numpy()]
    assert served != texts


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize("kwargs, match", [
    (dict(masked_lm="not a model"), "masked_lm"),
    (dict(vocabulary=[]), "vocabulary.*empty"),
    (dict(vocabulary="/no/such/vocab.txt"), "vocabulary.*readable"),
    (dict(vocabulary=["[MASK]", "[UNK]", 3]), "vocabulary.*str"),
    (dict(vocabulary={"a": 1}), "vocabulary"),
    (dict(vocabulary=["[MASK]", "[UNK]", "[PAD]", ","], top_k=1, start_token=None,
          end_token=None), "vocabulary.*no entry"),
    (dict(top_k=0), "top_k"),
    (dict(top_k=10**6), "top_k"),
    (dict(mask_token="<mask>"), "mask_token.*not in the vocabulary"),
    (dict(unknown_token=None), "unknown_token"),
    (dict(start_token="<s>"), "start_token"),
    (dict(rate=0.2, n=2), "rate.*n"),
    (dict(n=0), "`n`"),
    (dict(rate=1.5), "`rate`"),
    (dict(max_length=2), "max_length"),
    (dict(lowercase="yes"), "lowercase"),
    (dict(stop_words="the"), "stop_words"),
])
def test_bad_arguments(trained, kwargs, match):
    args = dict(masked_lm=trained.model, vocabulary=trained.vocab, start_token="[CLS]",
                end_token="[SEP]")
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        ContextualReplace(**args)


def test_model_with_a_wrong_vocabulary_size(trained):
    layer = ContextualReplace(trained.model, trained.vocab[:100], n=1,
                              max_length=trained.max_length)
    with pytest.raises(ValueError, match="len\\(vocabulary\\) = 100"):
        layer(tf.constant(["a good movie"]), training=True, seed=SEED)
