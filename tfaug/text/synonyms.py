"""Synonym tables for synonym replacement: the shipped WordNet table or the user's own.

This module is Python-side only (numpy, no TensorFlow): it loads a table into
flat arrays that the text layers turn into TF lookup tables once, at
construction. Nothing here runs on a transform path.

The shipped table (``tfaug/text/data/wordnet_synonyms.npz``, built by
``tools/build_wordnet_synonyms.py`` from WordNet 3.0; licence in
``tfaug/text/data/WORDNET_LICENSE``) follows EDA (Wei & Zou, 2019): the synonyms of
a word are the lemma names of every synset nltk's ``wordnet.synsets(word)`` returns,
all parts of speech, inflected forms mapped through nltk's ``morphy`` ("movies" ->
"film", "picture", ...), without the word itself. Only lowercase names made of
``a-z``, space, hyphen and apostrophe are kept; multi-word names use spaces
("ice cream").

Example:
  >>> data = load_synonyms()                       # the shipped WordNet table
  >>> "film" in synonyms_of(data, "movies")
  True
  >>> data = load_synonyms({"quick": ["fast", "speedy"]})
  >>> synonyms_of(data, "Quick")
  ['fast', 'speedy']
"""

from __future__ import annotations

import bisect
import collections.abc
from collections.abc import Mapping, Sequence
import functools
import importlib.resources
import io
import json
import os
import pathlib
import typing

import numpy as np

from tfaug.core import validation

__all__ = ["SynonymData", "WORDNET_FILE", "load_synonyms", "synonyms_of"]

WORDNET_FILE = "wordnet_synonyms.npz"
_FORMAT = "tfaug.synonyms"
_VERSION = 1
_ALLOWED = ("'wordnet' (the shipped WordNet 3.0 table), a dict {word: [synonym, ...]}, "
            "or a path to an existing .json file holding such a dict or a text file of "
            "'word<TAB>synonym<TAB>synonym...' lines")


class SynonymData(typing.NamedTuple):
    """A synonym table as flat arrays.

    Attributes:
      keys: unique lookup keys, lowercase, sorted (single words, inflected forms and
        multi-word keys with single spaces, e.g. "ice cream").
      rows: int64 ``[K]``: ``keys[i]`` uses synonym row ``rows[i]`` (keys may share a row).
      offsets: int64 ``[R + 1]``: row ``r``'s synonyms are ``ids[offsets[r]:offsets[r + 1]]``.
      ids: int32 ``[N]``: indices into ``vocab``.
      vocab: unique synonym strings (multi-word ones with spaces).
      max_words: the most space-separated words in any key (1 when all keys are
        single words).
    """

    keys: list
    rows: np.ndarray
    offsets: np.ndarray
    ids: np.ndarray
    vocab: list
    max_words: int


def _normalize_key(word):
    return " ".join(word.lower().split())


def load_synonyms(
        source: str | os.PathLike[str] | Mapping[str, Sequence[str]] = "wordnet") -> SynonymData:
    """Loads a synonym table.

    Args:
      source: one of
        * ``"wordnet"``: the shipped WordNet 3.0 table (loaded once, then cached;
          treat the result as read-only);
        * a dict ``{word: [synonym, ...]}``: keys are lowercased (inner whitespace
          collapsed), synonyms are kept as given, in order, without duplicates; a
          word listed as its own synonym (case-insensitive) is dropped, and words
          left with no synonyms are dropped;
        * a path (``str`` or ``os.PathLike``) to a ``.json`` file holding such a
          dict, or to a text file (UTF-8) with one entry per line,
          ``word<TAB>synonym<TAB>synonym...``; blank lines and lines starting with
          ``#`` are ignored.

    Returns:
      a ``SynonymData``. No row contains its own key (case-insensitive).

    Raises:
      TypeError: a dict key or synonym is not a ``str``, or a dict value is not a
        list of ``str``.
      ValueError: ``source`` is none of the forms above (the message names the
        argument ``synonyms``), a file is malformed (the message names the file and
        the line), or no word is left with a synonym.

    Example:
      >>> data = load_synonyms({"big": ["large", "Big", "huge"]})
      >>> data.keys, data.vocab
      (['big'], ['huge', 'large'])
    """
    if isinstance(source, str) and source == "wordnet":
        return _load_wordnet()
    if isinstance(source, collections.abc.Mapping):
        return _from_mapping(source, "`synonyms`")
    if isinstance(source, (str, os.PathLike)):
        path = pathlib.Path(source)
        if not path.is_file():
            raise validation.ArgumentError(
                "synonyms", source, _ALLOWED, f"`synonyms` must be {_ALLOWED}; got "
                f"{str(source)!r}, which is not an existing file")
        if path.suffix.lower() == ".json":
            return _load_json(path)
        return _load_text(path)
    raise validation.ArgumentTypeError(
        "synonyms", source, _ALLOWED, f"`synonyms` must be {_ALLOWED}; got "
        f"{type(source).__name__} {source!r:.80}")


def synonyms_of(data, word):
    """Looks a word up in a table (Python side; for tests and debugging).

    Args:
      data: a ``SynonymData`` (its ``keys`` sorted, as ``load_synonyms`` returns them).
      word: the word or multi-word phrase; matched lowercase, inner whitespace
        collapsed.

    Returns:
      the list of synonyms (empty when ``word`` is not a key).

    Raises:
      TypeError: ``word`` is not a ``str``.

    Example:
      >>> synonyms_of(load_synonyms({"big": ["large"]}), "BIG")
      ['large']
    """
    if not isinstance(word, str):
        raise TypeError(f"`word` must be a str, got {type(word).__name__}")
    key = _normalize_key(word)
    i = bisect.bisect_left(data.keys, key)
    if i >= len(data.keys) or data.keys[i] != key:
        return []
    row = int(data.rows[i])
    start, stop = int(data.offsets[row]), int(data.offsets[row + 1])
    return [data.vocab[j] for j in data.ids[start:stop].tolist()]


@functools.lru_cache(maxsize=1)
def _load_wordnet():
    ref = importlib.resources.files("tfaug.text.data").joinpath(WORDNET_FILE)
    with np.load(io.BytesIO(ref.read_bytes()), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta = json.loads(arrays["meta_utf8"].tobytes().decode("utf-8"))
    if meta.get("format") != _FORMAT or meta.get("version") != _VERSION:
        raise ValueError(f"{WORDNET_FILE}: expected format {_FORMAT!r} version {_VERSION}, "
                         f"got {meta.get('format')!r} version {meta.get('version')!r}")
    offsets = np.zeros(arrays["row_sizes"].size + 1, np.int64)
    np.cumsum(arrays["row_sizes"], dtype=np.int64, out=offsets[1:])
    data = SynonymData(
        keys=arrays["keys_utf8"].tobytes().decode("utf-8").split("\n"),
        rows=np.cumsum(arrays["rows_delta"], dtype=np.int64),
        offsets=offsets,
        ids=arrays["ids"].astype(np.int32, copy=False),
        vocab=arrays["vocab_utf8"].tobytes().decode("utf-8").split("\n"),
        max_words=int(meta["max_words"]))
    for array in (data.rows, data.offsets, data.ids):
        array.flags.writeable = False
    return data


def _load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            obj = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"`synonyms` file {str(path)!r} is not valid UTF-8 JSON: {e}") from e
    if not isinstance(obj, dict):
        raise ValueError(f"`synonyms` file {str(path)!r} must hold a JSON object "
                         f"{{word: [synonym, ...]}}, got a JSON {type(obj).__name__}")
    return _from_mapping(obj, f"`synonyms` file {str(path)!r}")


def _load_text(path):
    table = {}
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except UnicodeDecodeError as e:
        raise ValueError(f"`synonyms` file {str(path)!r} is not UTF-8 text: {e}") from e
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [field.strip() for field in line.split("\t")]
        synonyms = [field for field in fields[1:] if field]
        if not fields[0] or not synonyms:
            raise ValueError(
                f"`synonyms` file {str(path)!r}, line {number}: expected "
                f"'word<TAB>synonym[<TAB>synonym...]', got {line!r:.120}")
        table.setdefault(fields[0], []).extend(synonyms)
    return _from_mapping(table, f"`synonyms` file {str(path)!r}")


def _from_mapping(mapping, where):
    table = {}  # key -> dict used as an ordered set
    for word, synonyms in mapping.items():
        if not isinstance(word, str):
            raise TypeError(f"{where}: keys must be str, got {type(word).__name__} {word!r:.80}")
        if isinstance(synonyms, (str, bytes)) or not isinstance(
                synonyms, collections.abc.Iterable):
            raise TypeError(f"{where}: the value of {word!r} must be a list of str, got "
                            f"{type(synonyms).__name__} {synonyms!r:.80}")
        key = _normalize_key(word)
        if not key:
            raise ValueError(f"{where}: keys must be non-empty words, got {word!r}")
        row = table.setdefault(key, {})
        for synonym in synonyms:
            if not isinstance(synonym, str):
                raise TypeError(f"{where}: the synonyms of {word!r} must be str, got "
                                f"{type(synonym).__name__} {synonym!r:.80}")
            if not synonym.strip():
                raise ValueError(f"{where}: the synonyms of {word!r} must be non-empty, "
                                 f"got {synonym!r}")
            if _normalize_key(synonym) != key:
                row[synonym] = None
    table = {key: list(row) for key, row in table.items() if row}
    if not table:
        raise ValueError(f"{where}: no word has a synonym (other than itself)")
    return _pack(table)


def _pack(table):
    keys = sorted(table)
    vocab = sorted({synonym for row in table.values() for synonym in row})
    vocab_id = {synonym: i for i, synonym in enumerate(vocab)}
    row_of, rows, offsets, ids = {}, [], [0], []
    for key in keys:
        row = tuple(vocab_id[synonym] for synonym in table[key])
        if row not in row_of:
            row_of[row] = len(row_of)
            ids.extend(row)
            offsets.append(len(ids))
        rows.append(row_of[row])
    return SynonymData(
        keys=keys,
        rows=np.asarray(rows, np.int64),
        offsets=np.asarray(offsets, np.int64),
        ids=np.asarray(ids, np.int32),
        vocab=vocab,
        max_words=max(len(key.split(" ")) for key in keys))
