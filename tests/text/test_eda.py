"""Properties of the EDA ops and layers (tfaug.text.eda, tfaug.text.ops)."""

import collections

import numpy as np
import pytest
import tensorflow as tf

from tfaug import text
from tfaug.core import keyed
from tfaug.text import ops
from tfaug.text.synonyms import load_synonyms, synonyms_of

SEED = tf.constant([3, 9], tf.int64)
SENTENCE = "This movie is not a good film, and I don't like the plot; never again."
PROTECTED = ("not", "don't", "never")


def toks_all(strings):
    """Tokens of each string (one batched tokenize call)."""
    t = ops.tokenize(tf.constant(list(strings)))
    return [[x.decode() for x, v in zip(row, ok) if v]
            for row, ok in zip(t.tokens.numpy(), t.valid.numpy())]


def toks(s):
    return toks_all([s])[0]


def decoded(out):
    return [x.decode("utf-8") for x in out.numpy()]


def keys(n, seed=0):
    return keyed.draw_keys(tf.constant([seed, 1], tf.int64), n)


# ------------------------------------------------------------------ tokens
def test_tokenize_join_is_exact_identity_on_odd_input():
    rng = np.random.default_rng(0)
    alphabet = list("abc XYZ.,;!?'’-\t\n  ") + ["é", "ß", "中", "😀", "\u00a0", "\u2003"]
    samples = ["", " ", "\n\n", "a", "  lead and trail  ", "don't stop—ever…", "İstanbul ÇAĞ"]
    samples += ["".join(rng.choice(alphabet, size=rng.integers(0, 40))) for _ in range(200)]
    t = ops.tokenize(tf.constant(samples))
    assert decoded(ops.join(t)) == samples


def test_multi_byte_spaces_stay_whole():
    s = "x\u00a0y\u2028z\u0085w \u3000 v"
    t = ops.tokenize(tf.constant([s]))
    assert [x.decode() for x in t.tokens.numpy()[0]] == ["x", "y", "z", "w", "v"]
    assert decoded(ops.join(t)) == [s]


@pytest.mark.parametrize("layer_fn", [
    lambda: text.SynonymReplace(), lambda: text.RandomInsert(), lambda: text.RandomSwap(),
    lambda: text.RandomDelete(0.5), lambda: text.SentenceShuffle(), lambda: text.EDA()])
def test_batches_without_any_token(layer_fn):
    for batch in (["", "   "], ["\n"], []):
        x = tf.constant(batch, tf.string)
        assert decoded(layer_fn()(x, training=True, seed=SEED)) == batch


def test_tokens_are_words_and_punctuation():
    assert toks("Not bad, really... don't café-au-lait!") == [
        "Not", "bad", ",", "really", ".", ".", ".", "don't", "café-au-lait", "!"]


def test_match_case():
    out = ops.match_case(tf.constant(["film", "film", "film", "élan", "in effect", ""]),
                         tf.constant(["Movie", "MOVIE", "movie", "École", "Good", "X"]))
    assert decoded(out) == ["Film", "FILM", "film", "Élan", "In effect", ""]


# --------------------------------------------------------------- swap/delete
def test_random_swap_keeps_the_token_multiset_and_protected_segments():
    layer = text.RandomSwap(n=3)
    out = decoded(layer(tf.constant([SENTENCE] * 500), training=True, seed=SEED))
    before = toks(SENTENCE)
    assert len(set(out)) > 50
    for after in toks_all(out):
        assert sorted(after) == sorted(before)
        # Punctuation and protected words stay in place; words stay in their segment.
        for i, tok in enumerate(before):
            if tok in PROTECTED or not any(c.isalnum() for c in tok):
                assert after[i] == tok
        cuts = [i for i, tok in enumerate(before) if tok in PROTECTED]
        for lo, hi in zip([0] + cuts, cuts + [len(before)]):
            assert sorted(after[lo:hi]) == sorted(before[lo:hi])


def test_random_delete_only_removes_and_keeps_a_word():
    layer = text.RandomDelete(0.9)
    out = decoded(layer(tf.constant([SENTENCE] * 300 + ["one", "just two"]), training=True,
                        seed=SEED))
    before = toks(SENTENCE)
    for s, after in zip(out[:300], toks_all(out[:300])):
        it = iter(before)
        assert all(tok in it for tok in after), (s, "not a subsequence")
        for p in PROTECTED:
            assert after.count(p) == before.count(p)
    assert out[300] == "one"
    assert len(toks(out[301])) == 1
    # Everything deletable and p=1: one word stays.
    only = decoded(text.RandomDelete(1.0)(tf.constant(["alpha beta gamma"] * 50),
                                          training=True, seed=SEED))
    assert all(len(t) == 1 for t in toks_all(only)) and len(set(only)) == 3


# ------------------------------------------------------------------ synonyms
TABLE = {"movie": ["film", "picture"], "good": ["fine", "nice", "in effect"],
         "plot": ["story"], "like": ["enjoy"]}


def test_synonym_replace_changes_only_replaced_positions_with_table_synonyms():
    data = load_synonyms("wordnet")
    table = ops.SynonymTable(data)
    sentences = tf.constant(["The movies were good and the actors ran quickly.",
                             "A dark, dull thriller with a parting shot that misfires."] * 200)
    regex = text.ops.words.pattern(list(ops.DEFAULT_PROTECTED))
    stop = text.ops.words.pattern(list(ops.STOP_WORDS))
    a = ops.analyze_flat(sentences, regex, stop, table)
    new, replaced = ops.replace(a, tf.fill([400], 2), keys(400), table)
    old_t, new_t, rep = a.tok.tokens.numpy(), new.numpy(), replaced.numpy()
    per_row = np.bincount(a.tok.rows.numpy()[rep], minlength=400)
    assert per_row.max() <= 2 and rep.sum() > 600
    np.testing.assert_array_equal(old_t[~rep], new_t[~rep])
    for old, got in zip(old_t[rep], new_t[rep]):
        assert got.decode().lower() in synonyms_of(data, old.decode().lower()), (old, got)


def test_synonym_replace_layer_keeps_case_and_protected_words():
    layer = text.SynonymReplace(n=5, synonyms=TABLE, protected_words=["good"])
    out = decoded(layer(tf.constant(["Movie MOVIE movie good", "The plot, Good!"]),
                        training=True, seed=SEED))
    m = out[0].split()
    assert m[0] in ("Film", "Picture") and m[1] in ("FILM", "PICTURE")
    assert m[2] in ("film", "picture") and m[3] == "good"
    assert out[1] == "The story, Good!"


def test_stop_words_are_not_sources_by_default():
    table = {"the": ["a"], "movie": ["film"]}
    out = decoded(text.SynonymReplace(n=2, synonyms=table)(tf.constant(["the movie"]),
                                                          training=True, seed=SEED))
    assert out == ["the film"]
    out = decoded(text.SynonymReplace(n=2, synonyms=table, stop_words=[])(
        tf.constant(["the movie"]), training=True, seed=SEED))
    assert out == ["a film"]


def test_multi_word_keys_are_replaced_as_one():
    table = {"ice cream": ["gelato"], "cream": ["lotion"]}
    out = decoded(text.SynonymReplace(n=1, synonyms=table, stop_words=[])(
        tf.constant(["I love ice cream.", "Cream only"]), training=True, seed=SEED))
    assert out == ["I love gelato.", "Lotion only"]


def test_random_insert_adds_synonyms_of_words_in_the_sentence():
    layer = text.RandomInsert(n=2, synonyms=TABLE)
    out = decoded(layer(tf.constant(["a movie with a good plot"] * 200), training=True,
                        seed=SEED))
    before = "a movie with a good plot".split()
    allowed = {w for k in ("movie", "good", "plot") for w in TABLE[k]} | {"in", "effect"}
    assert len(set(out)) > 20
    for s in out:
        extra = collections.Counter(s.split()) - collections.Counter(before)
        assert sum(extra.values()) >= 2
        assert set(extra) <= allowed, s
        # The original words are all there, in order.
        it = iter(s.split())
        assert all(w in it for w in "a movie with a good plot".split())


# -------------------------------------------------------------- protection
def test_protected_words_survive_10k_seeded_eda_trials():
    eda = text.EDA(alpha_sr=0.3, alpha_ri=0.3, alpha_rs=0.3, p_rd=0.5)
    out = decoded(eda(tf.constant([SENTENCE] * 10_000), training=True, seed=SEED))
    assert len(set(out)) > 1000
    for s, tokens in zip(out, toks_all(out)):
        got = [t for t in tokens if t in PROTECTED]
        assert got == list(PROTECTED), s


def test_user_protected_words_and_clitics():
    layer = text.RandomDelete(1.0, protected_words=["good", "'s"])
    out = decoded(layer(tf.constant(["It's a good movie"] * 20), training=True, seed=SEED))
    assert all(set(toks(s)) >= {"It's", "good"} for s in out)


# --------------------------------------------------------------- sentences
def test_sentence_shuffle_keeps_sentences():
    s = "One is here. Two follows! Three asks? Four ends."
    out = decoded(text.SentenceShuffle()(tf.constant([s] * 100 + ["No end", "x\x1fy. z. w."]),
                                         training=True, seed=SEED))
    sents = sorted(["One is here.", "Two follows!", "Three asks?", "Four ends."])
    assert len(set(out[:100])) > 10
    for o in out[:100]:
        parts = o.replace(". ", ".|").replace("! ", "!|").replace("? ", "?|").split("|")
        assert sorted(parts) == sents
    assert out[100] == "No end" and out[101] == "x\x1fy. z. w."


# --------------------------------------------------------------------- EDA
def test_eda_num_aug_repeats_labels_and_keeps_originals_first():
    eda = text.EDA(num_aug=4, keep_original=True, synonyms=TABLE)
    texts = tf.constant(["a good movie with a plot", "I like it"])
    out_t, out_y = eda((texts, tf.constant([7, 9])), training=True, seed=SEED)
    assert out_t.shape == (10,) and out_y.numpy().tolist() == [7] * 5 + [9] * 5
    assert decoded(out_t)[0] == "a good movie with a plot" and decoded(out_t)[5] == "I like it"
    same = eda((texts, tf.constant([7, 9])), training=False)
    assert decoded(same[0]) == decoded(texts)  # not training: untouched


def test_eda_uses_every_enabled_op_and_only_those():
    out = decoded(text.EDA(alpha_sr=0, alpha_ri=0, alpha_rs=0.5, p_rd=0)(
        tf.constant([SENTENCE] * 50), training=True, seed=SEED))
    assert all(sorted(t) == sorted(toks(SENTENCE)) for t in toks_all(out))
    with pytest.raises(ValueError, match="at least one"):
        text.EDA(alpha_sr=0, alpha_ri=0, alpha_rs=0, p_rd=0)


def test_identical_sentences_get_diverse_outputs():
    # One swap in SENTENCE: 16 possible results (3 + 10 + 3 pairs in its stretches).
    for layer, least in ((text.SynonymReplace(), 24), (text.RandomInsert(), 24),
                         (text.RandomSwap(), 14), (text.RandomDelete(0.2), 24),
                         (text.EDA(), 24)):
        out = decoded(layer(tf.constant([SENTENCE] * 64), training=True, seed=SEED))
        assert len(set(out)) >= least, type(layer).__name__


# ------------------------------------------------------------------- input
@pytest.mark.parametrize("layer_fn", [
    lambda: text.SynonymReplace(rate=0.5), lambda: text.RandomInsert(rate=0.5),
    lambda: text.RandomSwap(n=3), lambda: text.RandomDelete(0.5),
    lambda: text.SentenceShuffle(), lambda: text.EDA(num_aug=2)])
def test_edge_inputs_never_corrupt(layer_fn):
    long = " ".join(["word", "movie", "good", "not", "film,"] * 2000)
    samples = ["", "   ", "\n\t", "北京 欢迎你。很好！", "Ça va très bien, merci.", "😀 😀!", long]
    layer = layer_fn()
    out = decoded(layer(tf.constant(samples), training=True, seed=SEED))
    step = len(out) // len(samples)
    for i, s in enumerate(samples):
        o = out[i * step]
        if not s.strip():
            assert o == s  # nothing to change
        assert "\ufffd" not in o
    assert abs(len(toks(out[6 * step])) - len(toks(long))) < 0.6 * len(toks(long))


def test_scalar_and_dict_inputs():
    layer = text.RandomSwap(n=1)
    one = layer(tf.constant("alpha beta"), training=True, seed=SEED)
    assert one.shape == () and sorted(one.numpy().decode().split()) == ["alpha", "beta"]
    d = layer({"text": tf.constant(["a b c"]), "labels": tf.constant([1]), "id": tf.constant([5])},
              training=True, seed=SEED)
    assert set(d) == {"text", "labels", "id"} and d["id"].numpy().tolist() == [5]


@pytest.mark.parametrize("bad, match", [
    (tf.constant([1, 2]), "tf.string"), (tf.constant([["a"]]), "rank 2"),
    ({"labels": tf.constant([1])}, "'text' key"), ((tf.constant(["a"]),), "tuple")])
def test_bad_inputs_are_named(bad, match):
    with pytest.raises(ValueError, match=match):
        text.RandomSwap()(bad, training=True)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="`rate` or `n`"):
        text.SynonymReplace(rate=0.1, n=2, synonyms=TABLE)
    with pytest.raises(ValueError, match="rate"):
        text.SynonymReplace(rate=1.5, synonyms=TABLE)
    with pytest.raises(ValueError, match="protected_words"):
        text.RandomSwap(protected_words="not")
    with pytest.raises(ValueError, match="num_aug"):
        text.EDA(num_aug=0)
    with pytest.raises(ValueError, match="synonyms"):
        text.SynonymReplace(synonyms=42)


def test_strength_scales_rate_and_n():
    layer = text.SynonymReplace(rate=0.1, synonyms=TABLE)
    assert layer.strength_scales == "parameters" and layer.rate == pytest.approx(0.1)
    assert layer.get_strength() == 1.0
    x = tf.constant(["movie good plot like movie good plot like movie good"])
    changed = lambda s: sum(a != b for a, b in zip(s.split(), x.numpy()[0].decode().split()))
    low = decoded(layer(x, training=True, seed=SEED))[0]
    layer.set_strength(10.0)  # rate 0.1 * 10 = 1 (clamped there)
    high = decoded(layer(x, training=True, seed=SEED))[0]
    assert changed(low) == 1 and changed(high) >= 4
    layer.set_strength(0.0)
    assert decoded(layer(x, training=True, seed=SEED)) == decoded(x)
    assert layer.rate == pytest.approx(0.1)  # the paper parameter is kept as given
    fixed = text.SynonymReplace(n=4, synonyms=TABLE, strength=0.5)  # round(0.5 * 4) = 2
    assert changed(decoded(fixed(x, training=True, seed=SEED))[0]) == 2
    fixed.set_strength(0.0)
    assert decoded(fixed(x, training=True, seed=SEED)) == decoded(x)


def test_strength_scales_random_delete_p():
    layer = text.RandomDelete(0.4, seed=0)
    x = tf.constant([SENTENCE] * 20)
    full = decoded(layer(x, training=True, seed=SEED))
    layer.set_strength(0.0)
    assert decoded(layer(x, training=True, seed=SEED)) == decoded(x)
    layer.set_strength(0.5)  # p 0.2, the same draws: a subset of the deletions
    half = decoded(layer(x, training=True, seed=SEED))
    count = lambda rows: sum(len(toks(r)) for r in rows)
    assert count(full) < count(half) < count(decoded(x))
    assert layer.p == 0.4 and layer.get_config()["p"] == 0.4


def test_eda_strength_scales_edits_and_added_rows():
    eda = text.EDA(num_aug=4, keep_original=True, synonyms=TABLE, seed=0)
    assert eda.changes_batch and eda.reads_labels and eda.changes_labels
    assert not text.EDA(synonyms=TABLE).changes_batch
    texts, labels = tf.constant([SENTENCE, "I like the movie a lot"]), tf.constant([7, 9])
    full_t, full_y = eda((texts, labels), training=True, seed=SEED)
    # 0: the input, no added rows.
    eda.set_strength(0.0)
    out_t, out_y = eda((texts, labels), training=True, seed=SEED)
    assert decoded(out_t) == decoded(texts) and out_y.numpy().tolist() == [7, 9]
    # 0.5: 1 + round(0.5 * 4) = 3 rows per sample (the original first).
    eda.set_strength(0.5)
    out_t, out_y = eda((texts, labels), training=True, seed=SEED)
    assert out_y.numpy().tolist() == [7] * 3 + [9] * 3
    assert decoded(out_t)[0::3] == decoded(texts)
    # 1 again: as configured, bitwise.
    eda.set_strength(1.0)
    again_t, again_y = eda((texts, labels), training=True, seed=SEED)
    assert decoded(again_t) == decoded(full_t) and len(decoded(full_t)) == 10
    np.testing.assert_array_equal(again_y, full_y)
    # One row per sample: strength 0 changes no word.
    single = text.EDA(synonyms=TABLE, seed=0, strength=0.0)
    assert decoded(single(tf.constant([SENTENCE] * 8), training=True, seed=SEED)) == \
        [SENTENCE] * 8


def test_tf_data_pipeline_and_row_keys():
    eda = text.EDA(num_aug=2, synonyms=TABLE, seed=1)
    ds = tf.data.Dataset.from_tensor_slices(([SENTENCE] * 8, list(range(8)))).batch(4)
    ds = ds.map(lambda x, y: eda((x, y), training=True), num_parallel_calls=2)
    rows = [(t, int(y)) for xb, yb in ds for t, y in zip(decoded(xb), yb.numpy())]
    assert [y for _, y in rows] == [i for i in range(8) for _ in range(2)]


def test_pipeline_repeats_labels_with_variants():
    import tfaug  # pylint: disable=import-outside-toplevel
    ds = tf.data.Dataset.from_tensor_slices(([SENTENCE, "The plot is dull."] * 2, [0, 1] * 2))
    eda = text.EDA(num_aug=2, keep_original=True, synonyms=TABLE, seed=0)
    assert eda.reads_labels and not text.EDA(synonyms=TABLE).reads_labels
    pipe = tfaug.data.Pipeline.from_dataset(ds).batch(4).augment(eda, seed=1)
    x, y = next(iter(pipe.build(training=True)))
    # Each sample's rows together: the original, then its variants.
    assert x.shape == (12,) and y.numpy().tolist() == [0, 0, 0, 1, 1, 1] * 2
    assert decoded(x)[0::3] == [SENTENCE, "The plot is dull."] * 2


def test_protected_words_add_to_the_default_unless_replaced():
    sentence = tf.constant(["it is not a good movie"] * 30)
    added = text.RandomDelete(1.0, protected_words=["good"])
    for s in decoded(added(sentence, training=True, seed=SEED)):
        assert {"not", "good"} <= set(toks(s)), s  # the negation stays protected
    assert added.get_config()["protected_words"] == ["good"]
    assert added.get_config()["replace_default"] is False
    replaced = text.RandomDelete(1.0, protected_words=["good"], replace_default=True)
    out = decoded(replaced(sentence, training=True, seed=SEED))
    assert all("good" in toks(s) for s in out)
    assert any("not" not in toks(s) for s in out)  # only "good" is protected now
    nothing = text.RandomDelete(1.0, protected_words=[], replace_default=True)
    assert any("not" not in toks(s) for s in decoded(nothing(sentence, training=True,
                                                             seed=SEED)))
    again = text.RandomDelete.from_config(replaced.get_config())
    assert again.replace_default is True and again.protected_words == ["good"]
    with pytest.raises(ValueError, match="replace_default"):
        text.RandomDelete(protected_words=["good"], replace_default="yes")
