"""Text previews: exactly the changed tokens are marked, in every form; a swap is
one marked pair; each variant's label is the diff of input and output."""

import re

import numpy as np
import pytest
import tensorflow as tf

from tfaug import text
from tfaug import viz
from tests.viz.conftest import listing

SENTENCES = ["i am not happy today", "the movie was good", "nothing to replace here"]
TABLE = {"happy": ["glad"], "good": ["fine"]}


def _kinds(original, variant):
    return [(e.token, e.kind, e.ref) for e in viz.diff_tokens(original, variant)]


def test_text_diff_marks_replaced_and_inserted_tokens():
    assert viz.text_diff("i am not happy", "i am not glad") == [
        ("i", False), ("am", False), ("not", False), ("glad", True)]
    assert viz.text_diff("a b c", "a x b c") == [("a", False), ("x", True), ("b", False),
                                                 ("c", False)]
    assert viz.text_diff("a b c", "a c") == [("a", False), ("c", False)]
    assert viz.text_diff("same words", "same words") == [("same", False), ("words", False)]


def test_diff_tells_insert_delete_replace_swap_and_move_apart():
    assert _kinds("a b c", "a c") == [("a", "same", None), ("b", "deleted", None),
                                      ("c", "same", None)]
    assert _kinds("a b c", "a x b c")[1] == ("x", "inserted", None)
    assert _kinds("a good day", "a fine day")[1] == ("fine", "replaced", "good")
    # A swap of two words (adjacent or not) is one numbered pair, nothing inserted/deleted.
    assert _kinds("the cat sat on the mat", "the mat sat on the cat") == [
        ("the", "same", None), ("mat", "swapped", 1), ("sat", "same", None),
        ("on", "same", None), ("the", "same", None), ("cat", "swapped", 1)]
    assert [k for _, k, _ in _kinds("a b c d e", "b a d c e")] == ["swapped"] * 4 + ["same"]
    assert [r for _, _, r in _kinds("a b c d e", "b a d c e")][:4] == [1, 1, 2, 2]
    # A cycle of three is three moves; a word found elsewhere among other edits is a move.
    assert _kinds("w a x b y c", "w b x c y a") == [
        ("w", "same", None), ("b", "moved", 3), ("x", "same", None), ("c", "moved", 5),
        ("y", "same", None), ("a", "moved", 1)]
    assert _kinds("a b c d", "b a c d x")[0] == ("b", "moved", 1)
    # A stretch that lost one word and gained several is no word-for-word replacement.
    assert [k for _, k, _ in _kinds("the movie was", "the in a film was")] == [
        "same", "deleted", "inserted", "inserted", "inserted", "same"]
    assert viz.describe_diff(viz.diff_tokens("the movie was", "the in a film was")) == \
        "inserted 'in a film'; deleted 'movie'"
    assert viz.describe_diff(viz.diff_tokens("a b c", "a b c")) == "unchanged"


def test_a_swap_shows_as_one_pair_in_the_html():
    layer = text.RandomSwap(n=1)
    sentences = ["one two three four five six", "alpha beta gamma delta epsilon"]
    p = viz.preview(layer, sentences, variants=3, seed=2, path=None)
    for j, batch in enumerate(p.variants):
        for original, variant, label in zip(sentences, batch, p.labels[j]):
            a, b = original.split(), variant.split()
            moved = [i for i in range(len(a)) if a[i] != b[i]]
            assert len(moved) == 2 and a[moved[0]] == b[moved[1]]  # the layer swapped two
            first, second = a[moved[0]], a[moved[1]]
            assert label == f"swapped '{first}' ⇄ '{second}'"
            line = next(l for l in p.html.splitlines() if l.startswith(f"<li>v{j}: ") and
                        label.replace("'", "&#x27;") in l and
                        all(w in l for w in b))
            swapped = re.findall(r'<span class="swap"[^>]*>(.*?)<sub>1</sub></span>', line)
            assert swapped == [b[moved[0]], b[moved[1]]] == [second, first]
            assert "<ins>" not in line and "<del>" not in line and 'class="rep"' not in line


def test_deterministic_change_marks_exactly_the_changed_words(in_tmp):
    layer = text.SynonymReplace(n=1, synonyms=TABLE)
    p = viz.preview(layer, SENTENCES, variants=2, path="out.png")
    assert p.originals == SENTENCES
    assert p.variants[0] == ["i am not glad today", "the movie was fine",
                             "nothing to replace here"]
    # Terminal form: [old->new] around the replaced word only; "not" (protected) unmarked.
    assert re.findall(r"\[(\w+)->(\w+)\]", p.text) == [("happy", "glad")] * 2 + \
        [("good", "fine")] * 2
    assert "[-" not in p.text and "{+" not in p.text
    # Markdown (TensorBoard): old struck, new in bold, nothing else.
    assert re.findall(r"~~(\w+)~~→\*\*(\w+)\*\*", p.markdown) == [("happy", "glad")] * 2 + \
        [("good", "fine")] * 2
    # HTML (after the legend): one replacement mark per changed word, nothing else.
    body = p.html.split("</p>", 1)[1]
    assert re.findall(r'<span class="rep"[^>]*><s>(\w+)</s>&rarr;(\w+)</span>', body) == \
        [("happy", "glad")] * 2 + [("good", "fine")] * 2
    assert "<ins>" not in body and "<del>" not in body and 'class="swap"' not in body
    assert p.labels[0] == ["replaced 'happy' → 'glad'", "replaced 'good' → 'fine'",
                           "unchanged"]
    # The HTML page replaces the .png suffix; nothing else is written.
    assert listing(in_tmp) == ["out.html"]
    assert (in_tmp / "out.html").read_text(encoding="utf-8") == p.html
    assert p.paths == [in_tmp / "out.html"] or p.paths[0].name == "out.html"


def test_color_option_uses_ansi_reverse_video():
    layer = text.SynonymReplace(n=1, synonyms=TABLE)
    p = viz.preview(layer, SENTENCES[:1], variants=1, path=None, color=True)
    assert "\x1b[7mhappy->glad\x1b[0m" in p.text and "[happy->" not in p.text


def test_variants_are_the_layer_under_derived_seeds():
    layer = text.RandomSwap(n=1)
    p = viz.preview(layer, SENTENCES, n=2, variants=3, seed=4, path=None)
    for j, got in enumerate(p.variants):
        want = layer(tf.constant(SENTENCES[:2]), training=True, seed=viz.variant_seed(4, j))
        assert got == [s.decode() for s in want.numpy()]
    again = viz.preview(layer, SENTENCES, n=2, variants=3, seed=4, path=None)
    assert again.variants == p.variants and again.text == p.text
    other = viz.preview(layer, SENTENCES, n=2, variants=3, seed=5, path=None)
    assert other.variants != p.variants


def test_tuple_dict_and_several_strings_per_input():
    p = viz.preview(text.SynonymReplace(n=1, synonyms=TABLE),
                    (np.array(SENTENCES), np.arange(3)), variants=1, path=None)
    assert p.variants[0][1] == "the movie was fine"
    p = viz.preview(text.SynonymReplace(n=1, synonyms=TABLE),
                    {"text": tf.constant(SENTENCES), "labels": tf.range(3)}, variants=1,
                    path=None)
    assert p.variants[0][0] == "i am not glad today"
    # EDA(num_aug=2) returns two strings per input: the first of each is shown.
    p = viz.preview(text.EDA(num_aug=2), SENTENCES, variants=1, path=None)
    assert len(p.variants[0]) == 3


def test_text_preview_has_no_figure():
    p = viz.preview(text.RandomSwap(n=1), SENTENCES, path=None)
    assert p.figure is None and p.to_image() is None and p._repr_png_() is None
    assert p._repr_html_() == p.html and p.html.startswith("<!DOCTYPE html>")


def test_html_is_escaped():
    p = viz.preview(text.SynonymReplace(n=1, synonyms=TABLE), ["<b>good</b> & good"],
                    variants=1, path=None)
    assert "<b>" not in p.html and "&lt;b&gt;" in p.html


def test_wrong_inputs_for_text():
    with pytest.raises(TypeError, match="text `inputs`"):
        viz.preview(text.RandomSwap(n=1), np.zeros([2, 3]), path=None)
    with pytest.raises(TypeError, match="text `inputs`"):
        viz.preview(text.RandomSwap(n=1), [], path=None)
    with pytest.raises(ValueError, match="'text'"):
        viz.preview(text.RandomSwap(n=1), {"sentences": SENTENCES}, path=None)
