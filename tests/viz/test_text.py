"""Text previews: exactly the changed tokens are marked, in every form."""

import re

import numpy as np
import pytest
import tensorflow as tf

from tfaug import text
from tfaug import viz
from tests.viz.conftest import listing

SENTENCES = ["i am not happy today", "the movie was good", "nothing to replace here"]
TABLE = {"happy": ["glad"], "good": ["fine"]}


def test_text_diff_marks_replaced_and_inserted_tokens():
    assert viz.text_diff("i am not happy", "i am not glad") == [
        ("i", False), ("am", False), ("not", False), ("glad", True)]
    assert viz.text_diff("a b c", "a x b c") == [("a", False), ("x", True), ("b", False),
                                                 ("c", False)]
    assert viz.text_diff("a b c", "a c") == [("a", False), ("c", False)]
    assert viz.diff_tokens("a b c", "a c") == [("a", "same"), ("b", "deleted"),
                                               ("c", "same")]
    assert viz.text_diff("same words", "same words") == [("same", False), ("words", False)]


def test_deterministic_change_marks_exactly_the_changed_words(in_tmp):
    layer = text.SynonymReplace(n=1, synonyms=TABLE)
    p = viz.preview(layer, SENTENCES, variants=2, path="out.png")
    assert p.originals == SENTENCES
    assert p.variants[0] == ["i am not glad today", "the movie was fine",
                             "nothing to replace here"]
    # Terminal form: brackets around the new word only; "not" (protected) unmarked.
    assert re.findall(r"\[\[(.*?)\]\]", p.text) == ["glad", "glad", "fine", "fine"]
    assert re.findall(r"\[-(.*?)-\]", p.text) == ["happy", "happy", "good", "good"]
    assert "[[not]]" not in p.text
    # Markdown (TensorBoard): the new words in bold, nothing else.
    assert re.findall(r"\*\*(.*?)\*\*", p.markdown) == ["glad", "glad", "fine", "fine"]
    assert re.findall(r"<mark>(.*?)</mark>", p.html) == ["glad", "glad", "fine", "fine"]
    assert re.findall(r"<del>(.*?)</del>", p.html) == ["happy", "happy", "good", "good"]
    # The HTML page replaces the .png suffix; nothing else is written.
    assert listing(in_tmp) == ["out.html"]
    assert (in_tmp / "out.html").read_text(encoding="utf-8") == p.html
    assert p.paths == [in_tmp / "out.html"] or p.paths[0].name == "out.html"


def test_color_option_uses_ansi_reverse_video():
    layer = text.SynonymReplace(n=1, synonyms=TABLE)
    p = viz.preview(layer, SENTENCES[:1], variants=1, path=None, color=True)
    assert "\x1b[7mglad\x1b[0m" in p.text and "[[" not in p.text


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
