"""Tests of tfaug.text.synonyms: the shipped WordNet table and user-supplied tables."""

import json
import time

import numpy as np
import pytest

from tfaug.text import synonyms as syn
from tfaug.text.synonyms import SynonymData, load_synonyms, synonyms_of


@pytest.fixture(scope="module")
def wordnet():
    return load_synonyms("wordnet")


def _check_invariants(data):
    """Structural properties every table must have."""
    assert isinstance(data, SynonymData)
    assert data.rows.dtype == np.int64 and data.offsets.dtype == np.int64
    assert data.ids.dtype == np.int32
    assert data.rows.shape == (len(data.keys),)
    assert data.offsets[0] == 0 and data.offsets[-1] == data.ids.size
    assert np.all(np.diff(data.offsets) > 0)  # no empty rows
    assert data.rows.min() >= 0 and data.rows.max() == data.offsets.size - 2
    assert data.ids.min() >= 0 and data.ids.max() < len(data.vocab)
    assert data.keys == sorted(set(data.keys))  # unique and sorted
    assert len(set(data.vocab)) == len(data.vocab)
    assert data.max_words == max(len(k.split(" ")) for k in data.keys)


# ----------------------------------------------------------------------------- shipped


def test_wordnet_loads_and_is_consistent(wordnet):
    _check_invariants(wordnet)
    assert len(wordnet.keys) > 100_000 and len(wordnet.vocab) > 50_000
    # Rows are shared: fewer rows than keys.
    assert wordnet.offsets.size - 1 < len(wordnet.keys)


def test_wordnet_keys_are_lowercase_words(wordnet):
    allowed = set("abcdefghijklmnopqrstuvwxyz' -")
    for key in wordnet.keys:
        assert key == key.lower() and key == key.strip() and "  " not in key
        assert set(key) <= allowed, key
    for name in wordnet.vocab:  # no proper nouns, digits or dots among synonyms
        assert set(name) <= allowed, name
        assert "_" not in name and "(" not in name


def test_wordnet_no_row_contains_its_key(wordnet):
    offsets, ids, vocab = wordnet.offsets, wordnet.ids, wordnet.vocab
    vocab_lower = [v.lower() for v in vocab]
    for key, row in zip(wordnet.keys, wordnet.rows.tolist()):
        row_words = [vocab_lower[i] for i in ids[offsets[row]:offsets[row + 1]]]
        assert key not in row_words, key


def test_wordnet_known_entries(wordnet):
    good = synonyms_of(wordnet, "good")
    assert {"well", "in effect", "beneficial", "goodness"} <= set(good)
    assert "good" not in good
    assert good == sorted(good)
    movies = synonyms_of(wordnet, "movies")  # inflected form, via morphy
    assert {"film", "picture", "moving picture", "movie"} <= set(movies)
    assert "movies" not in movies
    running = synonyms_of(wordnet, "running")  # noun, adjective and (verb.exc) "run"
    assert {"run", "operate", "functional", "operative"} <= set(running)
    assert "running" not in running
    assert "goose" in synonyms_of(wordnet, "geese")  # noun.exc
    assert "happy" in synonyms_of(wordnet, "happier")  # adjective rule er -> ""
    assert "wolf" in synonyms_of(wordnet, "wolves")  # noun rule ves -> f
    assert "well" in synonyms_of(wordnet, "better")  # adj.exc and adv.exc


def test_wordnet_multi_word_keys(wordnet):
    assert wordnet.max_words >= 2
    assert "ice cream" in wordnet.keys
    assert "icecream" in synonyms_of(wordnet, "ice cream")
    assert "ice cream" in synonyms_of(wordnet, "ice creams")
    assert synonyms_of(wordnet, "Ice  Cream") == synonyms_of(wordnet, "ice cream")


def test_wordnet_lookup_misses_and_case(wordnet):
    assert synonyms_of(wordnet, "the") == []  # function words are not in WordNet
    assert synonyms_of(wordnet, "zzzqqq") == []
    assert synonyms_of(wordnet, "") == []
    assert synonyms_of(wordnet, "GOOD") == synonyms_of(wordnet, "good")
    with pytest.raises(TypeError, match="word"):
        synonyms_of(wordnet, 3)


def test_wordnet_load_is_fast_and_cached():
    syn._load_wordnet.cache_clear()
    start = time.perf_counter()
    first = load_synonyms()
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"loading the shipped table took {elapsed:.2f} s"
    start = time.perf_counter()
    second = load_synonyms("wordnet")
    assert second is first
    assert time.perf_counter() - start < 0.01
    assert not first.ids.flags.writeable and not first.rows.flags.writeable


def test_wordnet_licence_ships():
    import importlib.resources  # pylint: disable=import-outside-toplevel
    text = importlib.resources.files("tfaug.text.data").joinpath("WORDNET_LICENSE").read_text()
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in text


# ----------------------------------------------------------------------------- user tables


def test_dict_source():
    data = load_synonyms({
        "Quick": ["fast", "Speedy", "fast", "QUICK"],  # duplicate and self dropped
        "quick": ["rapid"],                            # merges with "Quick"
        "ice  cream": ["gelato"],
        "lonely": ["Lonely"],                          # only itself: dropped
        "empty": [],                                   # dropped
    })
    _check_invariants(data)
    assert data.keys == ["ice cream", "quick"]
    assert synonyms_of(data, "quick") == ["fast", "Speedy", "rapid"]  # kept as given
    assert synonyms_of(data, "ICE CREAM") == ["gelato"]
    assert synonyms_of(data, "lonely") == [] and synonyms_of(data, "empty") == []
    assert data.max_words == 2


def test_dict_source_shares_rows():
    data = load_synonyms({"a": ["x", "y"], "b": ["x", "y"], "c": ["y", "x"]})
    assert data.rows.tolist() == [0, 0, 1]  # same list -> same row; order matters
    assert data.offsets.tolist() == [0, 2, 4]


@pytest.mark.parametrize("bad", [
    {1: ["x"]},
    {"a": "x"},
    {"a": ["x", 2]},
    {"a": None},
])
def test_dict_source_type_errors(bad):
    with pytest.raises(TypeError, match="synonyms"):
        load_synonyms(bad)


@pytest.mark.parametrize("bad", [{"a": ["a"]}, {}, {"  ": ["x"]}, {"a": ["  "]}])
def test_dict_source_value_errors(bad):
    with pytest.raises(ValueError, match="synonyms"):
        load_synonyms(bad)


def test_tsv_file_source(tmp_path):
    path = tmp_path / "syn.tsv"
    path.write_text("# my synonyms\n\nbig\tlarge\thuge\t\nBig\tGreat\n"
                    "small\tlittle\r\nhot dog\tfrankfurter\n", encoding="utf-8")
    for source in (path, str(path)):
        data = load_synonyms(source)
        _check_invariants(data)
        assert data.keys == ["big", "hot dog", "small"]
        assert synonyms_of(data, "big") == ["large", "huge", "Great"]
        assert synonyms_of(data, "small") == ["little"]
        assert data.max_words == 2


@pytest.mark.parametrize("text,line", [
    ("big\tlarge\nsmall\n", 2),          # no tab
    ("# c\n\nbig\t\t\n", 3),            # no synonym
    ("big\tlarge\n\tlarge\n", 2),       # no word
])
def test_tsv_file_malformed(tmp_path, text, line):
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=rf"bad\.txt.*line {line}"):
        load_synonyms(path)


def test_json_file_source(tmp_path):
    path = tmp_path / "syn.json"
    path.write_text(json.dumps({"Big": ["large", "big"], "small": ["little"]}))
    data = load_synonyms(str(path))
    _check_invariants(data)
    assert data.keys == ["big", "small"]
    assert synonyms_of(data, "big") == ["large"]


@pytest.mark.parametrize("text,error", [
    ("{not json", ValueError),
    ("[1, 2]", ValueError),
    ('{"a": [1]}', TypeError),
])
def test_json_file_malformed(tmp_path, text, error):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(error, match=r"synonyms.*bad\.json"):
        load_synonyms(path)


@pytest.mark.parametrize("bad", [None, 3, ["good", "fine"], b"wordnet", "no/such/file.tsv",
                                 "WordNet"])
def test_bad_source(bad):
    with pytest.raises(ValueError, match=r"`synonyms` must be .*'wordnet'.*dict.*path"):
        load_synonyms(bad)


def test_directory_is_not_a_source(tmp_path):
    with pytest.raises(ValueError, match="synonyms"):
        load_synonyms(tmp_path)
