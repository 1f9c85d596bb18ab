"""Sentence paraphrases by back-translation, cached offline and looked up in-graph.

Translating a sentence to a pivot language and back gives a paraphrase ("The
film is not good." -> spa -> "The film is not well."). Translation is slow, so
it runs once, offline, in Python (:func:`backtranslate`, resumable through a
JSON cache file); training then only looks the results up:
:class:`ParaphraseLookup` is a Keras layer holding a hash table from each
original text to its paraphrases, pure TF graph ops.

Translators: any object with ``.translate(texts, source, target)`` (such as
:class:`Apertium`, the free rule-based engine from Debian's packages), or a
pair ``(forward, backward)`` of callables strings -> strings (Python
functions, Keras models, or loaded SavedModels).

Example:
  With Apertium and its English-Spanish and English-Catalan pairs installed (Debian
  packages; not run as a doctest):
  
  >>> cache = backtranslate(train_texts, Apertium(), pivot=["spa", "cat"],  # doctest: +SKIP
  ...                       cache="paraphrases.json")
  
  Any translator is used the same way; here a toy pair of lookup functions:
  
  >>> to_spa = {"The film is not good.": "La película no es buena."}
  >>> to_eng = {"La película no es buena.": "The film is not well."}
  >>> translator = (lambda texts: [to_spa.get(t, t) for t in texts],
  ...               lambda texts: [to_eng.get(t, t) for t in texts])
  >>> train_texts = ["The film is not good.", "A long day."]
  >>> cache = backtranslate(train_texts, translator, cache="paraphrases.json")
  >>> cache
  {'The film is not good.': ['The film is not well.'], 'A long day.': []}
  >>> layer = ParaphraseLookup("paraphrases.json", probability=0.5)
  >>> texts = layer(tf.constant(train_texts), training=True)
"""

from __future__ import annotations

import collections.abc
from collections.abc import Iterable, Mapping, Sequence
import json
import os
import pathlib
import shutil
import subprocess
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tfaug.core import files
from tfaug.core import keyed
from tfaug.core import validation
from tfaug.core.registry import register
from tfaug.text import base
from tfaug.text.ops.table import SynonymTable
from tfaug.text.synonyms import SynonymData

__all__ = ["Apertium", "ParaphraseLookup", "backtranslate", "load_paraphrases",
           "save_paraphrases"]

TEXT = base.TEXT
_STREAM = 0x7A3D  # xor-ed into the row keys: the paraphrase draw's own stream
_TRANSLATOR_FORMS = ("an object with .translate(texts, source, target) -> list of str "
                     "(e.g. tfaug.text.Apertium()), or a pair (forward, backward) of "
                     "callables mapping a list of str or a 1-D tf.string tensor to as "
                     "many strings (Python functions, Keras models, loaded SavedModels)")
_APT_HINT = ("install the Debian packages `apertium` and a language pair, e.g. "
             "`apt-get install apertium apertium-eng-spa`")


def _normalize(text):
    return " ".join(text.split())


# ---------------------------------------------------------------- cache I/O
def _check_paraphrases(obj, where, error=TypeError):
    """``obj`` as a plain ``{str: [str, ...]}`` dict, or a clear error."""
    if not isinstance(obj, collections.abc.Mapping):
        raise error(f"{where} must be a dict {{text: [paraphrase, ...]}}, got "
                    f"{type(obj).__name__} {obj!r:.80}")
    out = {}
    for text, paraphrases in obj.items():
        if not isinstance(text, str):
            raise error(f"{where}: keys must be str, got {type(text).__name__} {text!r:.80}")
        if isinstance(paraphrases, (str, bytes)) or not isinstance(
                paraphrases, (list, tuple)):
            raise error(f"{where}: the value of {text!r:.80} must be a list of str, got "
                        f"{type(paraphrases).__name__} {paraphrases!r:.80}")
        for p in paraphrases:
            if not isinstance(p, str):
                raise error(f"{where}: the paraphrases of {text!r:.80} must be str, got "
                            f"{type(p).__name__} {p!r:.80}")
        out[text] = list(paraphrases)
    return out


def save_paraphrases(paraphrases: Mapping[str, Sequence[str]],
                     path: str | os.PathLike[str]) -> pathlib.Path:
    """Writes ``{text: [paraphrase, ...]}`` to a JSON file, atomically.

    The file is written under a temporary name in the same folder and renamed
    over ``path``: it is always complete or absent.

    Args:
      paraphrases: dict ``{original text: [paraphrase, ...]}``.
      path: Target ``.json`` file (str or ``os.PathLike``).

    Returns:
      ``path`` as a ``pathlib.Path``.

    Raises:
      TypeError: ``paraphrases`` is not a dict of str -> list of str.

    Example:
      >>> save_paraphrases({"A good film.": ["A fine film."]}, "para.json").name
      'para.json'
    """
    table = _check_paraphrases(paraphrases, "`paraphrases`")
    path = pathlib.Path(path)
    return files.write_atomically(
        path, lambda f: json.dump(table, f, ensure_ascii=False, indent=1),
        path.with_name(f".{path.name}.tmp"))


def load_paraphrases(path: str | os.PathLike[str]) -> dict[str, list[str]]:
    """Reads a JSON file written by :func:`save_paraphrases` (or by hand).

    Args:
      path: A ``.json`` file holding ``{"original": ["paraphrase", ...], ...}``.

    Returns:
      dict ``{str: list of str}``, in file order.

    Raises:
      FileNotFoundError: ``path`` does not exist.
      ValueError: the file is not UTF-8 JSON, or not a dict of str -> list of str
        (the message names the file and the bad entry).

    Example:
      >>> path = save_paraphrases({"A good film.": ["A fine film."]}, "para.json")
      >>> load_paraphrases("para.json")["A good film."]
      ['A fine film.']
    """
    path = pathlib.Path(path)
    try:
        with open(path, encoding="utf-8") as f:
            obj = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"paraphrase file {str(path)!r} is not valid UTF-8 JSON: {e}") from e
    return _check_paraphrases(obj, f"paraphrase file {str(path)!r}", ValueError)


# ------------------------------------------------------------- translators
def _str_list(items, what, tensor_ok=True):
    """A list/array/tensor of str or UTF-8 bytes -> list of str (``what`` in errors)."""
    if tensor_ok and tf.is_tensor(items):
        items = items.numpy()
    if isinstance(items, np.ndarray):
        if items.ndim != 1:
            raise ValueError(f"{what} must be 1-D strings, got shape {items.shape}")
        items = items.tolist()
    if isinstance(items, (str, bytes)) or not isinstance(items, collections.abc.Iterable):
        raise TypeError(f"{what} must be a list of strings, got {type(items).__name__}")
    result = []
    for item in items:
        if isinstance(item, (bytes, np.bytes_)):
            item = bytes(item).decode("utf-8")
        if not isinstance(item, str):
            raise TypeError(f"{what} must hold strings, got {type(item).__name__} "
                            f"{item!r:.80}")
        result.append(item)
    return result


def _to_strings(out, name):
    """A translator's output (list, array, tensor, 1-output dict) -> list of str."""
    if isinstance(out, collections.abc.Mapping):
        if len(out) != 1:
            raise ValueError(f"translator {name} returned a dict with keys {sorted(out)}; "
                             "it must have exactly one output (the strings)")
        out = next(iter(out.values()))
    return _str_list(out, f"the output of translator {name}")


def _is_tf_callable(fn):
    kinds = (tf.Module, keras.layers.Layer, tf.types.experimental.GenericFunction,
             tf.types.experimental.ConcreteFunction)
    return isinstance(fn, kinds) or hasattr(fn, "signatures")


def _wrap_callable(fn, name):
    """A callable or SavedModel -> ``f(list of str) -> list of str``."""
    if not callable(fn):
        signatures = getattr(fn, "signatures", None)
        if signatures is None or "serving_default" not in signatures:
            raise TypeError(f"`translator` must be {_TRANSLATOR_FORMS}; its {name} is "
                            f"{type(fn).__name__}, which is neither callable nor a "
                            "SavedModel with a serving_default signature")
        signature = signatures["serving_default"]
        inputs = list(signature.structured_input_signature[1])
        if len(inputs) != 1:
            raise ValueError(f"translator {name}: its serving_default signature must take "
                             f"one string tensor, it takes {inputs}")
        return lambda texts: _to_strings(
            signature(**{inputs[0]: tf.constant(texts, tf.string)}), name)
    if _is_tf_callable(fn):
        return lambda texts: _to_strings(fn(tf.constant(texts, tf.string)), name)
    return lambda texts: _to_strings(fn(list(texts)), name)


def _as_translator(translator, pivots, source):
    """-> ``(translate(texts, src, tgt), describe(src, tgt))``."""
    if (not isinstance(translator, (str, bytes, collections.abc.Mapping))
            and callable(getattr(translator, "translate", None))):  # str has .translate
        return (translator.translate,
                lambda src, tgt: f"{type(translator).__name__}.translate ({src}->{tgt})")
    if isinstance(translator, (tuple, list)) and len(translator) == 2:
        if len(pivots) != 1:
            raise ValueError(f"`pivot` must be one language with a (forward, backward) "
                             f"translator pair, got {pivots}; use a translator object for "
                             "several pivots")
        names = ("`translator[0]` (forward)", "`translator[1]` (backward)")
        forward, backward = (_wrap_callable(f, n) for f, n in zip(translator, names))
        return (lambda texts, src, tgt: (forward if src == source else backward)(texts),
                lambda src, tgt: f"{names[0] if src == source else names[1]} ({src}->{tgt})")
    raise TypeError(f"`translator` must be {_TRANSLATOR_FORMS}; got "
                    f"{type(translator).__name__} {translator!r:.80}")


def _check_code(name, code):
    if not isinstance(code, str) or not code or code != code.strip() or " " in code:
        raise (validation.ArgumentError if isinstance(code, str)
               else validation.ArgumentTypeError)(
                   name, code, "a language code such as 'spa'",
                   f"`{name}` must be a language code such as 'spa', got {code!r}")
    return code


def backtranslate(texts: Iterable[str] | tf.Tensor | np.ndarray, translator: Any,
                  pivot: str | Sequence[str] = "spa", source: str = "eng",
                  cache: str | os.PathLike[str] | None = None, batch_size: int = 64,
                  progress: bool = False) -> dict[str, list[str]]:
    """Paraphrases ``texts`` by translating them to each pivot language and back.

    Runs offline, in Python (it is slow: minutes to hours for a corpus). Each
    text gets at most one paraphrase per pivot (``source -> pivot -> source``).
    A paraphrase that is empty or equal to its original up to whitespace is
    dropped, so are duplicates; whitespace inside paraphrases is collapsed to
    single spaces; paraphrases are in pivot order. Empty texts are not sent.

    Args:
      texts: Iterable of str, or a 1-D string tensor / numpy array of bytes
        (decoded as UTF-8). Duplicates are translated once.
      translator: An object with ``.translate(texts: list[str], source, target)
        -> list[str]`` (e.g. :class:`Apertium`), or a pair ``(forward,
        backward)`` of callables strings -> strings (source -> pivot and pivot
        -> source). Python callables get a ``list[str]``; Keras models,
        ``tf.function``s, ``tf.Module``s and loaded SavedModels get a 1-D
        ``tf.string`` tensor (a loaded SavedModel without ``__call__`` runs its
        ``serving_default`` signature); a dict output must hold one entry.
      pivot: One language code or a list of them (one paraphrase each). A
        translator pair allows one pivot.
      source: The texts' language code.
      cache: Optional path to a JSON file ``{original: [paraphrases]}``. Texts
        already in it are not translated again (a text counts as done whatever
        pivots made it); new results are added and the file is rewritten
        atomically after every batch, so an interrupted run resumes where it
        stopped. Texts with no paraphrase are stored with ``[]``.
      batch_size: Texts per translator call.
      progress: Show a tqdm progress bar.

    Returns:
      dict ``{text: [paraphrase, ...]}`` for every distinct text given (``[]``
      where none was kept), in input order; feed it (or ``cache``) to
      :class:`ParaphraseLookup`.

    Raises:
      TypeError: ``translator`` or ``texts`` is of a form not listed above.
      ValueError: a bad ``pivot``/``source``/``batch_size``, several pivots with
        a translator pair, a translator returning a different number of texts
        than it was given (the message names the translator and both counts), or
        a malformed ``cache`` file.

    Example:
      With Apertium (Debian packages ``apertium`` and ``apertium-eng-spa``; not run
      as a doctest):
      
      >>> backtranslate(["The film is not good."], Apertium(), pivot="spa")  # doctest: +SKIP
      {'The film is not good.': ['The film is not well.']}
      
      With a pair of functions (here toy lookups standing in for two models):
      
      >>> to_spa = {"The film is not good.": "La película no es buena."}
      >>> to_eng = {"La película no es buena.": "The film is not well."}
      >>> backtranslate(["The film is not good."],
      ...               (lambda texts: [to_spa[t] for t in texts],
      ...                lambda texts: [to_eng[t] for t in texts]))
      {'The film is not good.': ['The film is not well.']}
    """
    texts = list(dict.fromkeys(_str_list(texts, "`texts`")))
    pivots = [pivot] if isinstance(pivot, str) else pivot
    if not isinstance(pivots, (list, tuple)) or not pivots:
        raise validation.ArgumentError("pivot", pivot, "a language code or a non-empty list "
                                       "of them", f"`pivot` must be a language code or a "
                                       f"non-empty list of them, got {pivot!r}")
    pivots = [_check_code("pivot", p) for p in pivots]
    source = _check_code("source", source)
    if source in pivots:
        raise validation.ArgumentError("pivot", pivot, f"different from `source` "
                                       f"({source!r})", f"`pivot` must differ from `source` "
                                       f"({source!r}), got {pivots}")
    batch_size = validation.check_int("batch_size", batch_size, 1)
    translator, describe = _as_translator(translator, pivots, source)
    done = {}
    if cache is not None and pathlib.Path(cache).exists():
        done = load_paraphrases(cache)
    todo = [t for t in texts if t not in done]
    bar = None
    if progress:
        import tqdm  # pylint: disable=import-outside-toplevel
        bar = tqdm.tqdm(total=len(todo), unit="text", desc="backtranslate")
    try:
        for start in range(0, len(todo), batch_size):
            batch = todo[start:start + batch_size]
            done.update(_translate_batch(batch, translator, describe, pivots, source))
            if cache is not None:
                save_paraphrases(done, cache)
            if bar is not None:
                bar.update(len(batch))
    finally:
        if bar is not None:
            bar.close()
    return {t: list(done[t]) for t in texts}


def _call(translator, describe, texts, src, tgt):
    out = _to_strings(translator(list(texts), src, tgt), describe(src, tgt))
    if len(out) != len(texts):
        raise ValueError(f"translator {describe(src, tgt)} returned {len(out)} texts for "
                         f"{len(texts)} inputs; it must return one translation per text")
    return out


def _translate_batch(batch, translator, describe, pivots, source):
    found = {t: [] for t in batch}
    sent = [t for t in batch if t.strip()]
    if not sent:
        return found
    for pivot in pivots:
        there = _call(translator, describe, sent, source, pivot)
        back = _call(translator, describe, there, pivot, source)
        for text, para in zip(sent, back):
            para = _normalize(para)
            if para and para != _normalize(text) and para not in found[text]:
                found[text].append(para)
    return found


class Apertium:
    """The Apertium machine translator (rule-based, offline) as a translator.

    Runs ``apertium -u {source}-{target}`` as one subprocess per batch: the
    texts go in joined by newlines (a newline inside a text is replaced by a
    space) and the output is split on newlines; when the line count differs,
    each text is translated by its own subprocess. ``-u`` drops Apertium's
    unknown-word marks. Language codes are Apertium's (``eng``, ``spa``,
    ``cat``, ``fra``...); ``apertium -l`` lists the installed pairs.

    Args:
      pairs: Optional list of modes (``"eng-spa"``, ``"spa-eng"``) that must be
        installed, checked now against ``apertium -l``; None checks on use.
      executable: The ``apertium`` command or a path to it.
      timeout: Seconds one subprocess may run (None: no limit).

    Raises:
      RuntimeError: the executable or a language pair is missing (the message
        says which Debian packages to install).

    Example:
      Needs the Debian packages ``apertium`` and ``apertium-eng-spa`` (not run as a
      doctest):
      
      >>> Apertium(pairs=["eng-spa", "spa-eng"]).translate(  # doctest: +SKIP
      ...     ["The film is good."], "eng", "spa")
      ['La película es buena.']
    """

    def __init__(self, pairs: Sequence[str] | None = None, *,
                 executable: str | os.PathLike[str] = "apertium",
                 timeout: float | None = 300) -> None:
        if not isinstance(executable, (str, os.PathLike)):
            raise validation.ArgumentTypeError("executable", executable,
                                               "a command name or path")
        found = shutil.which(os.fspath(executable))
        if found is None:
            raise RuntimeError(f"Apertium executable {os.fspath(executable)!r} not found; "
                               f"{_APT_HINT}.")
        self.executable = found
        self.timeout = None if timeout is None else validation.check_number(
            "timeout", timeout, 0.0, low_inclusive=False)
        self.pairs = None if pairs is None else [str(p) for p in pairs]
        if self.pairs:
            missing = sorted(set(self.pairs) - set(self.available_pairs()))
            if missing:
                raise RuntimeError(self._pair_hint(missing[0]))

    def available_pairs(self):
        """The installed modes (``apertium -l``), e.g. ``["eng-spa", "spa-eng"]``."""
        proc = self._run(["-l"], "")
        return [line.strip() for line in proc.stdout.splitlines() if line.strip()]

    def _pair_hint(self, mode):
        a, _, b = mode.partition("-")
        try:
            installed = ", ".join(self.available_pairs()) or "none"
        except RuntimeError:
            installed = "unknown"
        return (f"Apertium has no language pair {mode!r} (installed: {installed}); install "
                f"the Debian package `apertium-{a}-{b}` (or `apertium-{b}-{a}`), e.g. "
                f"`apt-get install apertium apertium-{a}-{b}`.")

    def _run(self, args, text):
        command = [self.executable, *args]
        try:
            return subprocess.run(command, input=text, capture_output=True, check=True,
                                  text=True, encoding="utf-8", errors="replace",
                                  timeout=self.timeout)
        except FileNotFoundError as e:
            raise RuntimeError(f"Apertium executable {self.executable!r} not found; "
                               f"{_APT_HINT}.") from e
        except subprocess.TimeoutExpired as e:
            raise RuntimeError(f"`{' '.join(command)}` ran past timeout={self.timeout} s") from e
        except subprocess.CalledProcessError as e:
            if args[:1] == ["-u"] and "does not exist" in (e.stderr or ""):
                raise RuntimeError(self._pair_hint(args[1])) from e
            raise RuntimeError(f"`{' '.join(command)}` failed (exit {e.returncode}): "
                               f"{(e.stderr or '').strip()[:500]}") from e

    def _lines(self, texts, mode):
        out = self._run(["-u", mode], "\n".join(texts) + "\n").stdout
        return out[:-1].split("\n") if out.endswith("\n") else out.split("\n")

    def translate(self, texts, source, target):
        """Translates ``texts`` (list of str) from ``source`` to ``target``.

        Args:
          texts: list of str; newlines inside a text become spaces.
          source: Apertium language code of the texts.
          target: Language code to translate to.

        Returns:
          list of str, one per text (empty or blank texts come back as given).

        Raises:
          RuntimeError: the pair is not installed or Apertium failed.
        """
        mode = f"{_check_code('source', source)}-{_check_code('target', target)}"
        texts = [t.replace("\r\n", " ").replace("\r", " ").replace("\n", " ") for t in texts]
        sent = [i for i, t in enumerate(texts) if t.strip()]
        out = list(texts)
        if not sent:
            return out
        lines = self._lines([texts[i] for i in sent], mode)
        if len(lines) != len(sent):  # Apertium split or merged lines: one call per text
            lines = [" ".join(self._lines([texts[i]], mode)) for i in sent]
        for i, line in zip(sent, lines):
            out[i] = line
        return out


# ------------------------------------------------------------------ the layer
def _pack(table):
    """``{text: [paraphrases]}`` -> a SynonymData keyed by the exact texts."""
    keys = [k for k, v in table.items() if v]
    vocab = sorted({p for k in keys for p in table[k]})
    vocab_id = {p: i for i, p in enumerate(vocab)}
    offsets, ids = [0], []
    for k in keys:
        ids.extend(vocab_id[p] for p in dict.fromkeys(table[k]))
        offsets.append(len(ids))
    return SynonymData(keys=keys, rows=np.arange(len(keys), dtype=np.int64),
                       offsets=np.asarray(offsets, np.int64), ids=np.asarray(ids, np.int32),
                       vocab=vocab, max_words=1)


@register
class ParaphraseLookup(base.TextAugmentation):
    """Replaces each known text by one of its paraphrases (e.g. back-translations).

    Training: a sample whose text is exactly (byte for byte, case and spaces
    included) a key of ``paraphrases`` becomes one of its paraphrases, drawn
    uniformly per sample; other samples come back unchanged. Not training:
    identity. The table lives in the graph (a hash table), so the layer works
    in ``tf.function``, ``tf.data`` and SavedModels (load those after
    ``import tensorflow_text``).

    Args:
      paraphrases: dict ``{original text: [paraphrase, ...]}`` (e.g. what
        :func:`backtranslate` returns), or a path to the JSON cache file it
        writes (read now; the config keeps the path, so the file must be there
        when the layer is rebuilt from its config).
      probability: Per-sample chance that the layer applies.
      seed: Initial seed state.
      **kwargs: Keras layer arguments.

    Input shape:
      string ``[B]`` or a scalar (or a tuple/dict, see :mod:`tfaug.text.base`).

    Raises:
      ValueError: ``paraphrases`` is neither a dict nor an existing file, or the
        file is malformed.
      TypeError: the dict is not str -> list of str.

    Example:
      >>> layer = ParaphraseLookup({"A good film.": ["A fine film.", "A nice movie."]},
      ...                          seed=0)
      >>> out = layer(tf.constant(["A good film.", "Other."]), training=True).numpy()
      >>> out[0] in (b"A fine film.", b"A nice movie."), out[1]  # no entry: unchanged
      (True, b'Other.')
    """

    def __init__(self, paraphrases: Mapping[str, Sequence[str]] | str | os.PathLike[str], *,
                 probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(protected_words=None, probability=probability, seed=seed, **kwargs)
        if isinstance(paraphrases, os.PathLike):
            paraphrases = os.fspath(paraphrases)
        if isinstance(paraphrases, str):
            if not pathlib.Path(paraphrases).is_file():
                raise validation.ArgumentError(
                    "paraphrases", paraphrases, "a dict {text: [paraphrase, ...]} or the path "
                    "of an existing JSON file", "`paraphrases` must be a dict {text: "
                    "[paraphrase, ...]} or the path of an existing JSON file, got "
                    f"{paraphrases!r}, which is not a file")
            table = load_paraphrases(paraphrases)
        elif isinstance(paraphrases, collections.abc.Mapping):
            table = _check_paraphrases(paraphrases, "`paraphrases`")
            paraphrases = table
        else:
            raise validation.ArgumentTypeError(
                "paraphrases", paraphrases, "a dict {text: [paraphrase, ...]} or a path to a "
                "JSON file", "`paraphrases` must be a dict {text: [paraphrase, ...]} or "
                f"a path to a JSON file, got {type(paraphrases).__name__} "
                f"{paraphrases!r:.80}")
        self.paraphrases = paraphrases
        with tf.init_scope():
            self._table = SynonymTable(_pack(table))

    def transform(self, data, params):
        texts = data[TEXT]
        u = keyed.keyed_uniform(tf.bitwise.bitwise_xor(params["keys"], _STREAM), [1])[:, 0]
        out = dict(data)
        out[TEXT] = tf.where(self._table.count(texts) > 0, self._table.draw(texts, u), texts)
        return out
