"""Tests of tfaug.text.paraphrase: back-translation, its cache, Apertium, ParaphraseLookup."""

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from tfaug.text import paraphrase as para
from tfaug.text.paraphrase import (Apertium, ParaphraseLookup, backtranslate,
                                   load_paraphrases, save_paraphrases)


class Recorder:
    """A translator object: "translates" by a word map, records every call."""

    def __init__(self, maps=None):
        self.calls = []
        self.maps = maps or {}

    def translate(self, texts, source, target):
        self.calls.append((source, target, list(texts)))
        mapping = self.maps.get((source, target), {})
        return [" ".join(mapping.get(w, w) for w in t.split(" ")) for t in texts]


def _eng_spa_eng(extra_back=None):
    forward = {"film": "película", "good": "bueno", "bad": "malo"}
    back = {"película": "movie", "bueno": "fine", "malo": "poor"}
    back.update(extra_back or {})
    return {("eng", "spa"): forward, ("spa", "eng"): back}


# ------------------------------------------------------------- backtranslate
def test_translator_object_paraphrases_and_filters():
    tr = Recorder(_eng_spa_eng())
    texts = ["a good film", "nothing here", "a good film", "", "  "]
    out = backtranslate(texts, tr, pivot="spa")
    assert list(out) == ["a good film", "nothing here", "", "  "]  # distinct, input order
    assert out["a good film"] == ["a fine movie"]
    assert out["nothing here"] == []  # identical back-translation dropped
    assert out[""] == [] and out["  "] == []
    # Blank texts are never sent; each text is translated once per direction.
    assert [c[:2] for c in tr.calls] == [("eng", "spa"), ("spa", "eng")]
    assert tr.calls[0][2] == ["a good film", "nothing here"]


def test_whitespace_only_change_and_empty_are_dropped():
    forward = lambda texts: [t.upper() for t in texts]
    backward = lambda texts: [" ".join(t.lower().split()) + "  " if "x" not in t.lower() else ""
                              for t in texts]
    out = backtranslate(["a  b", "c x", "Up"], (forward, backward))
    assert out == {"a  b": [], "c x": [], "Up": ["up"]}


def test_pivot_list_order_and_duplicates():
    maps = _eng_spa_eng()
    maps[("eng", "fra")] = {"film": "film", "good": "bon"}
    maps[("fra", "eng")] = {"bon": "nice"}
    maps[("eng", "cat")] = {"good": "bo"}
    maps[("cat", "eng")] = {"bo": "fine", "film": "movie"}  # same as the spa result
    tr = Recorder(maps)
    out = backtranslate(["a good film"], tr, pivot=["spa", "fra", "cat"])
    assert out == {"a good film": ["a fine movie", "a nice film"]}
    assert [c[:2] for c in tr.calls] == [("eng", "spa"), ("spa", "eng"), ("eng", "fra"),
                                         ("fra", "eng"), ("eng", "cat"), ("cat", "eng")]


def test_pair_of_python_callables_gets_lists():
    seen = []

    def forward(texts):
        seen.append(type(texts))
        return [t[::-1] for t in texts]

    out = backtranslate(["good film", "ok"], (forward, lambda ts: [t[::-1] + "!" for t in ts]),
                        source="en", pivot="de")
    assert out == {"good film": ["good film!"], "ok": ["ok!"]}
    assert seen == [list]


def test_texts_as_tensor_and_bytes_array():
    pair = (lambda ts: ts, lambda ts: [t + "." for t in ts])
    from_tensor = backtranslate(tf.constant(["Café", "b"]), pair)
    from_numpy = backtranslate(np.array(["Café".encode(), b"b"]), pair)
    assert from_tensor == from_numpy == {"Café": ["Café."], "b": ["b."]}


class Upper(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def __call__(self, x):
        return tf.strings.upper(x)


class Lower(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def __call__(self, x):
        return tf.strings.lower(x)


def test_pair_of_tf_modules_and_saved_models(tmp_path):
    texts = ["The Film", "plain"]
    expected = {"The Film": ["the film"], "plain": []}
    assert backtranslate(texts, (Upper(), Lower())) == expected
    # Loaded SavedModels: one callable (__call__), one with only a signature
    # that returns a dict.
    tf.saved_model.save(Upper(), str(tmp_path / "up"))
    lower_sig = tf.function(lambda x: {"out": tf.strings.lower(x)},
                            input_signature=[tf.TensorSpec([None], tf.string, name="x")])
    tf.saved_model.save(tf.Module(), str(tmp_path / "low"),
                        signatures={"serving_default": lower_sig})
    up, low = tf.saved_model.load(str(tmp_path / "up")), tf.saved_model.load(str(tmp_path / "low"))
    assert callable(up) and not callable(low)
    assert backtranslate(texts, (up, low)) == expected


def test_cache_resume_translates_nothing_twice(tmp_path):
    cache = tmp_path / "para.json"
    tr = Recorder(_eng_spa_eng())
    first = backtranslate(["a good film", "a bad film", "same"], tr, cache=cache, batch_size=2)
    assert len(tr.calls) == 4  # 2 batches x (forward, backward)
    assert load_paraphrases(cache) == first
    tr2 = Recorder(_eng_spa_eng())
    again = backtranslate(["a bad film", "a good film", "same"], tr2, cache=cache)
    assert tr2.calls == [] and again == {k: first[k] for k in again}
    # New texts only are translated; old entries stay in the file.
    tr3 = Recorder(_eng_spa_eng())
    backtranslate(["good", "a good film"], tr3, cache=str(cache))
    assert [c[2] for c in tr3.calls] == [["good"], ["bueno"]]
    assert set(load_paraphrases(cache)) == {"a good film", "a bad film", "same", "good"}


def test_crash_loses_at_most_one_batch(tmp_path):
    cache = tmp_path / "para.json"

    class Crashing(Recorder):
        def translate(self, texts, source, target):
            if len(self.calls) == 2:
                raise KeyboardInterrupt
            return super().translate(texts, source, target)

    with pytest.raises(KeyboardInterrupt):
        backtranslate(["a good film", "a bad film", "x", "y"], Crashing(_eng_spa_eng()),
                      cache=cache, batch_size=2)
    assert load_paraphrases(cache) == {"a good film": ["a fine movie"], "a bad film":
                                       ["a poor movie"]}
    assert [p.name for p in tmp_path.iterdir()] == ["para.json"]  # no temp file left
    tr = Recorder(_eng_spa_eng())
    backtranslate(["a good film", "a bad film", "x", "y"], tr, cache=cache, batch_size=2)
    assert [c[2] for c in tr.calls][0] == ["x", "y"] and len(tr.calls) == 2


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "para.json"
    save_paraphrases({"a": ["b"]}, path)
    before = path.read_bytes()

    def broken_dump(obj, f, **kwargs):
        f.write('{"half": ')
        raise OSError("disk full")

    monkeypatch.setattr(para.json, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        save_paraphrases({"c": ["d"]}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["para.json"]


def test_save_load_round_trip_utf8(tmp_path):
    table = {"Café ÉLÉGANT": ["Un café élégant", "café"], "none": []}
    path = save_paraphrases(table, tmp_path / "p.json")
    assert load_paraphrases(path) == table
    assert "É" in path.read_text(encoding="utf-8")  # written as UTF-8, not escapes


@pytest.mark.parametrize("content, match", [
    ("[1, 2]", "must be a dict"),
    ('{"a": "b"}', "must be a list of str"),
    ('{"a": ["b", 3]}', "must be str"),
    ("{not json", "not valid UTF-8 JSON"),
])
def test_load_rejects_malformed_files(tmp_path, content, match):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=match) as info:
        load_paraphrases(path)
    assert "bad.json" in str(info.value)
    with pytest.raises(ValueError, match=match):  # a bad cache is never overwritten
        backtranslate(["x"], Recorder(), cache=path)
    assert path.read_text(encoding="utf-8") == content


def test_save_rejects_bad_tables(tmp_path):
    with pytest.raises(TypeError, match="paraphrases"):
        save_paraphrases({"a": "b"}, tmp_path / "p.json")
    with pytest.raises(TypeError, match="keys must be str"):
        save_paraphrases({1: ["b"]}, tmp_path / "p.json")


def test_translator_errors():
    with pytest.raises(TypeError, match="`translator` must be .*translate"):
        backtranslate(["x"], "google")  # str has a .translate method too
    with pytest.raises(TypeError, match="`translator` must be"):
        backtranslate(["x"], {"forward": str.upper})
    with pytest.raises(TypeError, match="translator"):
        backtranslate(["x"], (len, 3))
    with pytest.raises(ValueError, match="`pivot`"):
        backtranslate(["x"], (str.upper, str.lower), pivot=["spa", "fra"])
    with pytest.raises(ValueError, match="`pivot`"):
        backtranslate(["x"], Recorder(), pivot=[])
    with pytest.raises(ValueError, match="`pivot` must differ"):
        backtranslate(["x"], Recorder(), pivot="eng")
    with pytest.raises(ValueError, match="`batch_size`"):
        backtranslate(["x"], Recorder(), batch_size=0)
    with pytest.raises(TypeError, match="`texts`"):
        backtranslate("one string", Recorder())


def test_wrong_output_length_names_translator_and_counts():
    with pytest.raises(ValueError, match=r"translator\[1\]` \(backward\).*1 texts for 2"):
        backtranslate(["a", "b"], (lambda ts: ts, lambda ts: ts[:1]))

    class Short:
        def translate(self, texts, source, target):
            return texts + ["extra"]

    with pytest.raises(ValueError, match=r"Short.translate \(eng->spa\) returned 3 texts for 2"):
        backtranslate(["a", "b"], Short())


def test_progress_bar(capsys):
    out = backtranslate(["a good film"], Recorder(_eng_spa_eng()), progress=True)
    assert out == {"a good film": ["a fine movie"]}
    assert "backtranslate" in capsys.readouterr().err


# ------------------------------------------------------------------ Apertium
FAKE = """\
#!{python}
# A stand-in for apertium: "-l" lists modes; "-u MODE" reverses the words of
# each input line (spa-eng also lowercases). Every run appends one line to the log.
import os, sys
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
if sys.argv[1] == "-l":
    print("  eng-spa\\n  spa-eng")
    sys.exit(0)
if sys.argv[2] not in ("eng-spa", "spa-eng"):
    sys.stderr.write("Error: Mode %s does not exist.\\n" % sys.argv[2])
    sys.exit(1)
lines = sys.stdin.read().split("\\n")[:-1]
if os.environ.get("FAKE_MERGE") and len(lines) > 1:
    lines = [" ".join(lines)]  # a translator that merges lines
if sys.argv[2] == "spa-eng":
    lines = [l.lower() for l in lines]
sys.stdout.write("".join(" ".join(l.split(" ")[::-1]) + "\\n" for l in lines))
"""


@pytest.fixture
def fake_apertium(tmp_path, monkeypatch):
    exe = tmp_path / "apertium"
    exe.write_text(FAKE.format(python=sys.executable))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "log.txt"
    log.write_text("")
    monkeypatch.setenv("FAKE_LOG", str(log))
    return exe, lambda: log.read_text().splitlines()


def test_apertium_one_subprocess_per_batch(fake_apertium):
    exe, calls = fake_apertium
    tr = Apertium(executable=str(exe))
    texts = ["one two three", "", "four\nfive", "six"]
    assert tr.translate(texts, "eng", "spa") == ["three two one", "", "five four", "six"]
    assert calls() == ["-u eng-spa"]
    out = backtranslate(["A b", "C d e", "f"], tr, batch_size=2)
    assert out == {"A b": ["a b"], "C d e": ["c d e"], "f": []}
    assert len(calls()) == 1 + 4  # 2 batches x (forward, backward)


def test_apertium_falls_back_to_one_call_per_text(fake_apertium, monkeypatch):
    exe, calls = fake_apertium
    monkeypatch.setenv("FAKE_MERGE", "1")
    texts = ["one two", "three four", "five"]
    assert Apertium(executable=exe).translate(texts, "eng", "spa") == [
        "two one", "four three", "five"]
    assert len(calls()) == 1 + 3


def test_apertium_missing_pair_and_executable(fake_apertium, tmp_path):
    exe, calls = fake_apertium
    with pytest.raises(RuntimeError, match=r"apertium-eng-fra.*apt-get install apertium"):
        Apertium(executable=exe).translate(["x"], "eng", "fra")
    with pytest.raises(RuntimeError, match="apertium-eng-fra"):
        Apertium(pairs=["eng-spa", "eng-fra"], executable=exe)
    assert Apertium(pairs=["eng-spa"], executable=exe).available_pairs() == ["eng-spa",
                                                                             "spa-eng"]
    with pytest.raises(RuntimeError, match=r"not found.*apertium-eng-spa"):
        Apertium(executable=str(tmp_path / "no-such-apertium"))
    with pytest.raises(ValueError, match="`timeout`"):
        Apertium(executable=exe, timeout=0)


def _real_apertium_pairs():
    if shutil.which("apertium") is None:
        return []
    try:
        return Apertium().available_pairs()
    except RuntimeError:
        return []


@pytest.mark.skipif(not {"eng-spa", "spa-eng"} <= set(_real_apertium_pairs()),
                    reason="needs Debian's apertium and apertium-eng-spa")
def test_real_apertium_round_trip():
    out = backtranslate(["The film is not good.", "Line one.\nLine two."],
                        Apertium(pairs=["eng-spa", "spa-eng"]), pivot="spa")
    (paraphrase,) = out["The film is not good."]
    assert paraphrase.strip() and paraphrase != "The film is not good."
    assert "not" in paraphrase.lower() and "film" in paraphrase.lower()  # English again
    assert len(out["Line one.\nLine two."]) <= 1


# --------------------------------------------------------------------- layer
TABLE = {"A good film.": ["A fine film.", "A nice movie.", "A great picture."],
         "Bad.": ["Poor.", "Awful."], "Nothing.": []}
SEED = tf.constant([1, 2], tf.int64)


def _decode(t):
    return [s.decode("utf-8") for s in np.asarray(t).reshape(-1).tolist()]


def test_outputs_are_original_or_paraphrase():
    layer = ParaphraseLookup(TABLE, seed=0)
    texts = ["A good film.", "Bad.", "Nothing.", "a good film.", "A good film. ", "", "Other"]
    for s in range(5):
        out = _decode(layer(tf.constant(texts), training=True, seed=[s, 9]))
        assert out[0] in TABLE["A good film."] and out[1] in TABLE["Bad."]
        assert out[2:] == texts[2:]  # no paraphrase / not an exact key: unchanged


def test_every_paraphrase_reachable_and_rows_differ():
    layer = ParaphraseLookup(TABLE, seed=0)
    seen = {text: set() for text in ("A good film.", "Bad.")}
    for s in range(12):
        out = _decode(layer(tf.constant(["A good film.", "Bad."]), training=True, seed=[s, 3]))
        seen["A good film."].add(out[0])
        seen["Bad."].add(out[1])
    assert seen == {k: set(TABLE[k]) for k in seen}
    # One batch of identical texts: rows draw independently.
    out = _decode(layer(tf.fill([32], "A good film."), training=True, seed=SEED))
    assert set(out) == set(TABLE["A good film."])


def test_identity_when_not_training_or_probability_zero():
    texts = tf.constant(["A good film.", "Bad."])
    assert _decode(ParaphraseLookup(TABLE)(texts, training=False)) == _decode(texts)
    assert _decode(ParaphraseLookup(TABLE, probability=0.0)(texts, training=True)) == _decode(
        texts)
    half = ParaphraseLookup(TABLE, probability=0.5, seed=1)
    out = _decode(half(tf.fill([64], "Bad."), training=True, seed=SEED))
    assert 10 < out.count("Bad.") < 54 and set(out) <= {"Bad.", "Poor.", "Awful."}


def test_input_forms_keep_labels_and_match():
    layer = ParaphraseLookup(TABLE, seed=0)
    texts, labels = tf.constant(["A good film.", "Other", "Bad."]), tf.constant([1, 0, 2])
    plain = layer(texts, training=True, seed=SEED)
    out_texts, out_labels = layer((texts, labels), training=True, seed=SEED)
    assert _decode(out_texts) == _decode(plain)
    np.testing.assert_array_equal(out_labels, labels)
    out = layer({"text": texts, "labels": labels, "id": tf.constant([7, 8, 9])},
                training=True, seed=SEED)
    assert _decode(out["text"]) == _decode(plain) and out["id"].numpy().tolist() == [7, 8, 9]
    one = layer(tf.constant("Bad."), training=True, seed=SEED)
    assert one.shape == () and _decode(one)[0] in TABLE["Bad."]


def test_graph_and_dataset_match_eager():
    layer = ParaphraseLookup(TABLE, seed=0)
    texts = tf.constant(["A good film.", "Bad.", "x", "A good film."])
    eager = _decode(layer(texts, training=True, seed=SEED))
    graph = tf.function(lambda t, s: layer(t, training=True, seed=s))(texts, SEED)
    ds = tf.data.Dataset.from_tensors(texts).map(lambda t: layer(t, training=True, seed=SEED))
    assert _decode(graph) == eager == _decode(next(iter(ds)))
    # Without a seed the layer's own state advances: a later call differs.
    many = tf.fill([16], "A good film.")
    assert _decode(layer(many, training=True)) != _decode(layer(many, training=True))


def test_path_config_and_errors(tmp_path):
    path = save_paraphrases(TABLE, tmp_path / "p.json")
    layer = ParaphraseLookup(path, seed=4)
    config = layer.get_config()
    assert config["paraphrases"] == str(path)
    assert set(config) == {"paraphrases", "probability", "seed", "strength", "name"}
    json.dumps(config)
    clone = ParaphraseLookup.from_config(config)
    texts = tf.constant(["A good film.", "Bad."])
    assert _decode(clone(texts, training=True, seed=SEED)) == _decode(
        layer(texts, training=True, seed=SEED))
    from_dict = ParaphraseLookup.from_config(json.loads(json.dumps(
        ParaphraseLookup(TABLE).get_config())))
    assert from_dict.get_config()["paraphrases"] == TABLE
    with pytest.raises(ValueError, match="`paraphrases`.*not a file"):
        ParaphraseLookup(str(tmp_path / "missing.json"))
    with pytest.raises(ValueError, match="`paraphrases` must be a dict"):
        ParaphraseLookup(["A", "B"])
    with pytest.raises(TypeError, match="`paraphrases`"):
        ParaphraseLookup({"A": "B"})
    assert _decode(ParaphraseLookup({})(texts, training=True)) == _decode(texts)


def test_saved_model_loads_without_tfaug(tmp_path):
    layer = ParaphraseLookup(TABLE, seed=0)
    module = tf.Module()
    module.layer = layer
    module.augment = tf.function(lambda x, s: layer(x, training=True, seed=s),
                                 input_signature=[tf.TensorSpec([None], tf.string),
                                                  tf.TensorSpec([2], tf.int64)])
    path = str(tmp_path / "saved")
    tf.saved_model.save(module, path)
    texts = ["A good film.", "Bad.", "Other"]
    expected = _decode(layer(tf.constant(texts), training=True, seed=SEED))
    script = textwrap.dedent(f"""
        import json, sys
        sys.modules["tfaug"] = None  # tfaug must not be needed to load the model
        import tensorflow as tf
        import tensorflow_text  # noqa: F401  (what the docs say to import)
        loaded = tf.saved_model.load({path!r})
        out = loaded.augment(tf.constant({texts!r}), tf.constant([1, 2], tf.int64))
        print(json.dumps([s.decode("utf-8") for s in out.numpy().tolist()]))
    """)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == expected
