"""The ``tfaug`` console script: ``--version``, ``layers``, ``policies``,
``bench`` and ``preview`` (help, timing and TensorFlow's banner: test_cli_startup.py)."""

import io
import json
import os
import pathlib
import re
import runpy
import subprocess
import sys

import numpy as np
import pytest

import tfaug
import tfaug_cli
from tfaug import cli
from tests.core.test_cli_startup import _commands

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _run(argv):
    out = io.StringIO()
    status = cli.main(argv, out=out)
    return status, out.getvalue()


def _run_err(argv):
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


SHIPPED = ("augmix_default", "autoaugment_cifar10", "autoaugment_imagenet",
           "autoaugment_svhn", "digits_safe", "light_image", "randaugment_default",
           "trivialaugment_wide")


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"tfaug {tfaug.__version__}"


def test_layers_table_names_modality_and_summary(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # what shutil.get_terminal_size reads first
    status, text = _run(["layers"])
    assert status == 0
    header, *lines = text.splitlines()
    assert header.split() == ["NAME", "MODALITY", "SUMMARY"]
    assert [line.split()[0] for line in lines] == sorted(tfaug.registered())
    rows = {line.split()[0]: line for line in lines}
    summary_at = header.index("SUMMARY")
    assert rows["RandomFlip"].split()[1] == "image"
    assert rows["RandomFlip"][summary_at:].startswith("Flips images horizontally")
    assert rows["tabular.GaussianNoise"].split()[1] == "tabular"
    assert rows["GaussianNoise"].split()[1] == "image"
    assert rows["PitchShift"].split()[1] == "audio" and rows["RandomSwap"].split()[1] == "text"
    assert rows["OneOf"].split()[1] == "any"
    # Aligned, cut to the terminal's width with "...", RST backticks gone.
    assert {line.index(line.split()[2], len(line.split()[0])) for line in lines} == {summary_at}
    assert all(len(line) <= 80 for line in lines)
    assert any(line.endswith("...") for line in lines) and "``" not in text
    monkeypatch.setenv("COLUMNS", "200")
    _, wide = _run(["layers"])
    assert "(keras.layers.RandomFlip)." in wide  # the whole summary when it fits


def test_layers_json_and_modality_filter():
    status, text = _run(["layers", "--json"])
    rows = json.loads(text)
    assert status == 0 and {r["name"] for r in rows} == set(tfaug.registered())
    kinds = {r["name"]: r["kind"] for r in rows}
    assert kinds["OneOf"] == "composition" and kinds["RandomFlip"] == "layer"
    flip = next(r for r in rows if r["name"] == "RandomFlip")
    assert flip["module"] == "tfaug.image.geometric" and flip["modality"] == "image"
    assert flip["summary"] == cli.summary(tfaug.image.RandomFlip)
    assert flip["summary"].startswith("Flips images horizontally") and "``" not in flip["summary"]
    # Found by what the class holds (child layers), not by a list of names.
    assert kinds["ClassConditional"] == "composition"
    assert kinds["RandAugment"] == "layer"
    assert set(cli.compositions()) >= {"Sequence", "OneOf", "SomeOf", "RandomApply",
                                       "ClassConditional"}
    _, text = _run(["layers", "--modality", "audio", "--json"])
    audio = {r["name"] for r in json.loads(text) if r["kind"] == "layer"}
    assert "RandomFlip" not in audio and {"PitchShift", "TimeMask"} <= audio
    _, text = _run(["layers", "--modality", "tabular"])
    assert {line.split()[1] for line in text.splitlines()[1:]} == {"tabular", "any"}


def test_no_command_prints_help():
    status, text = _run([])
    assert status == 2 and "layers" in text


def test_console_script_is_declared_and_runs():
    # The entry point is the light top-level module (help without TensorFlow).
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    scripts = pyproject.split("[project.scripts]", 1)[1].split("\n[", 1)[0]
    assert re.search(r'^tfaug\s*=\s*"tfaug_cli:main"\s*$', scripts, re.M), scripts
    assert re.search(r'^py-modules\s*=\s*\[\s*"tfaug_cli"\s*\]', pyproject, re.M)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "tfaug_cli", "--version"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"tfaug {tfaug.__version__}"
    # The in-package names still work: tfaug.cli.main is the same function.
    assert cli.main is tfaug_cli.main and cli.build_parser is tfaug_cli.build_parser


def test_python_dash_m_tfaug_runs_the_command(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["tfaug", "policies"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("tfaug", run_name="__main__")
    assert exit_info.value.code == 2  # a group without its subcommand: its help
    assert capsys.readouterr().out.startswith("usage: tfaug policies")


def test_the_commands_the_issue_names_exist():
    names = {" ".join(path) for path in _commands()}
    assert {"preview", "policies list", "policies show", "materialize", "serve",
            "bench"} <= names


@pytest.mark.parametrize("argv", _commands(), ids=lambda argv: " ".join(["tfaug"] + argv))
def test_every_command_has_help(argv):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv + ["--help"], out=out)
    assert exit_info.value.code == 0
    text = out.getvalue()
    assert text.startswith(f"usage: tfaug {' '.join(argv)}".rstrip()), text


def test_policies_without_subcommand_prints_its_help():
    status, text = _run(["policies"])
    assert status == 2 and "list" in text and "show" in text


def test_policies_list_table_and_json():
    status, text = _run(["policies", "list"])
    assert status == 0
    lines = text.splitlines()
    assert lines[0].split() == ["NAME", "MODALITY", "DESCRIPTION"]
    names = [line.split()[0] for line in lines[1:]]
    assert names == sorted(names) and set(SHIPPED) <= set(names)
    for line in lines[1:]:
        assert line.split()[1] == "image" and len(line) <= 120, line
    assert any(line.endswith("...") for line in lines[1:]), "long descriptions truncated"

    status, text = _run(["policies", "list", "--json"])
    rows = json.loads(text)
    assert status == 0 and [r["name"] for r in rows] == names
    light = next(r for r in rows if r["name"] == "light_image")
    assert light["class"] == "Sequence" and "flip" in light["description"]


def test_policies_show_prints_json_and_the_layer_tree(tmp_path):
    status, text = _run(["policies", "show", "light_image"])
    assert status == 0
    body, summary = text.rstrip("\n").rsplit("\n", 1)
    policy = json.loads(body)
    assert policy["name"] == "light_image" and policy["format"] == "tfaug.policy"
    assert summary == ("layers: Sequence[RandomFlip, RandomRotation, RandomZoom, "
                       "RandomContrast, RandomBrightness]")
    _, text = _run(["policies", "show", "autoaugment_svhn"])
    assert text.rstrip().endswith("layers: AutoAugment(svhn)")
    # --json: only the JSON, so it can be piped to a file; and a path works too.
    _, text = _run(["policies", "show", "--json", "digits_safe"])
    path = tmp_path / "digits.json"
    path.write_text(text)
    status, text = _run(["policies", "show", str(path)])
    assert status == 0 and text.rstrip().endswith(
        "layers: Sequence[RandomRotation, RandomTranslation]")


def test_summarize_nested_and_class_conditional():
    flip, rot = tfaug.image.RandomFlip(), tfaug.image.RandomRotation(0.02)
    layer = tfaug.ClassConditional(
        default=tfaug.Sequence([flip, tfaug.RandomApply(rot)]),
        per_class={6: tfaug.image.RandomRotation(0.01), 9: None})
    assert cli.summarize(layer) == ("ClassConditional[default=Sequence[RandomFlip, "
                                    "RandomApply[RandomRotation]], 6=RandomRotation, "
                                    "9=None]")


def test_policies_show_bad_file_exits_1_with_the_json_path(tmp_path):
    policy = json.loads(_run(["policies", "show", "--json", "light_image"])[1])
    policy["augmentation"]["config"]["layers"][3]["config"]["factor"] = -1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(policy))
    status, text, err = _run_err(["policies", "show", str(path)])
    assert status == 1 and text == ""
    assert err.startswith("tfaug: error: ") and "Traceback" not in err
    assert "$.augmentation.config.layers[3].config.factor" in err
    assert len(err.strip().splitlines()) == 1

    path.write_text('{"format": "tfaug.policy",')
    status, _, err = _run_err(["policies", "show", str(path)])
    assert status == 1 and "invalid JSON at line 1" in err
    status, _, err = _run_err(["policies", "show", "no_such_policy"])
    assert status == 1 and "light_image" in err  # lists the known names
    status, _, err = _run_err(["policies", "show", str(tmp_path / "missing.json")])
    assert status == 1 and "missing.json" in err


def test_installed_console_script_lists_policies():
    script = pathlib.Path(sys.executable).parent / "tfaug"
    if not script.exists():
        pytest.skip("the tfaug console script is not installed in this environment")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([str(script), "policies", "list"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    names = [line.split()[0] for line in proc.stdout.splitlines()[1:]]
    assert set(SHIPPED) <= set(names)


# ----------------------------------------------------------------------------- bench
def test_bench_tabular_json_measures_tfaug_and_the_peer():
    pytest.importorskip("imblearn")
    status, text = _run(["bench", "tabular", "--quick", "--json"])
    assert status == 0
    result = json.loads(text)
    assert result["modality"] == "tabular" and result["quick"] is True
    (case,) = result["cases"]
    assert case["case"] == "SMOTE" and case["unit"] == "rows"
    assert case["tfaug_per_s"] > 0 and case["peer"] == "imbalanced-learn"
    assert case["ratio"] == pytest.approx(case["tfaug_per_s"] / case["peer_per_s"], abs=0.006)


def test_bench_table_without_peers():
    status, text = _run(["bench", "tabular", "--quick", "--no-peers"])
    assert status == 0
    lines = text.splitlines()
    assert lines[0].startswith("tfaug bench tabular (") and "quick" in lines[0]
    assert lines[1].split() == ["case", "tfaug/s", "peer", "peer/s", "ratio"]
    assert lines[2].split()[0] == "SMOTE" and lines[2].split()[-3:] == ["-", "-", "-"]


def test_bench_rejects_an_unknown_modality():
    from tfaug import bench  # pylint: disable=import-outside-toplevel
    with pytest.raises(ValueError, match="`modality` must be one of image, text, audio"):
        bench.run("video")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["bench", "video"], out=io.StringIO(), err=err)
    assert exit_info.value.code == 2 and "invalid choice: 'video'" in err.getvalue()


def test_bench_progress_reports_every_measurement():
    from tfaug import bench  # pylint: disable=import-outside-toplevel
    calls = []
    result = bench.run("tabular", quick=True, peers=False,
                       progress=lambda done, total, label: calls.append((done, total, label)))
    assert calls == [(1, 1, "tfaug SMOTE")]
    assert result["cases"][0]["peer"] is None and result["cases"][0]["ratio"] is None


# ---------------------------------------------------------------------------- preview
def _digit_files(folder, count=3):
    from PIL import Image  # pylint: disable=import-outside-toplevel
    from sklearn.datasets import load_digits  # pylint: disable=import-outside-toplevel
    folder.mkdir()
    images = load_digits().images[:count]
    for i, image in enumerate(images):
        big = np.kron(image * 15, np.ones((4, 4))).astype(np.uint8)  # 32x32
        Image.fromarray(np.stack([big] * 3, -1)).save(folder / f"d{i}.png")
    return images


def test_preview_image_folder_with_a_shipped_policy(tmp_path):
    from PIL import Image  # pylint: disable=import-outside-toplevel
    _digit_files(tmp_path / "imgs")
    out = tmp_path / "grid.png"
    status, text = _run(["preview", "light_image", str(tmp_path / "imgs"), "-o", str(out),
                         "-n", "3", "--variants", "2"])
    assert status == 0, text
    assert f"wrote {out}" in text
    with Image.open(out) as grid:
        assert grid.format == "PNG" and grid.size[0] > 64 and grid.size[1] > 64


def test_preview_text_with_a_layer_name_prints_the_marked_variants(tmp_path):
    lines = tmp_path / "reviews.txt"
    lines.write_text("the plot is thin but the actors are wonderful\n\n"
                     "a slow film that never finds its voice\n", encoding="utf-8")
    out = tmp_path / "swaps.png"  # text previews are HTML: the suffix is changed
    status, text = _run(["preview", "RandomSwap", str(lines), "-o", str(out), "--variants", "2"])
    assert status == 0, text
    html = tmp_path / "swaps.html"
    assert f"wrote {html}" in text and html.exists()
    assert "actors" in text and "voice" in text


def test_preview_wav_builds_an_audio_layer_at_the_given_rate(tmp_path):
    from tfaug import audio  # pylint: disable=import-outside-toplevel
    t = np.arange(4000) / 8000.0
    audio.write_wav(tmp_path / "tone.wav", (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32),
                    8000)
    out = tmp_path / "gain.png"
    status, text = _run(["preview", "Gain", str(tmp_path / "tone.wav"), "-o", str(out),
                         "--sample-rate", "8000", "--variants", "2"])
    assert status == 0, text
    assert out.exists()
    wavs = sorted(p.name for p in tmp_path.glob("gain_*.wav"))
    assert len(wavs) == 3, wavs  # the original and two variants
    clip, rate = audio.read_wav(tmp_path / wavs[0])
    assert rate == 8000 and clip.shape[0] == 4000


def test_preview_csv_with_smote(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    y = (np.arange(40) < 8).astype(int)
    table = tmp_path / "rows.csv"
    table.write_text("a,b,c,cls\n" + "".join(f"{r[0]},{r[1]},{r[2]},{c}\n" for r, c in zip(x, y)),
                     encoding="utf-8")
    out = tmp_path / "smote.png"
    status, text = _run(["preview", "SMOTE", str(table), "-o", str(out),
                         "--label-column", "cls"])
    assert status == 0, text
    assert out.exists()


def _table(path, rows=40):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 3))
    y = (np.arange(rows) < rows // 5).astype(int)
    path.write_text("a,b,c,label\n" + "".join(f"{r[0]},{r[1]},{r[2]},{c}\n"
                                              for r, c in zip(x, y)), encoding="utf-8")
    return path


def test_preview_csv_picks_the_tabular_layer_of_that_name(tmp_path):
    from PIL import Image  # pylint: disable=import-outside-toplevel
    table = _table(tmp_path / "rows.csv")
    # GaussianNoise names an image layer and a tabular one: the .csv decides.
    assert cli.input_modality([table]) == "tabular"
    layer, modality = cli._resolve_layer("GaussianNoise", "tabular")  # pylint: disable=protected-access
    assert type(layer) is tfaug.tabular.GaussianNoise and modality == "tabular"
    layer, modality = cli._resolve_layer("GaussianNoise", "image")  # pylint: disable=protected-access
    assert type(layer) is tfaug.image.GaussianNoise and modality == "image"
    out = tmp_path / "noise.png"
    status, text, err = _run_err(["preview", "GaussianNoise", str(table), "-o", str(out),
                                  "--variants", "2"])
    assert status == 0 and err == "", err
    assert text.strip() == f"wrote {out}"
    with Image.open(out) as figure:
        assert figure.format == "PNG" and min(figure.size) > 100


def test_preview_a_name_without_a_layer_for_the_files_lists_the_ones_there(tmp_path):
    table = _table(tmp_path / "rows.csv")
    out = tmp_path / "flip.png"
    status, text, err = _run_err(["preview", "RandomFlip", str(table), "-o", str(out)])
    assert status == 1 and text == "" and not out.exists()
    assert len(err.splitlines()) == 1 and "no tabular layer named 'RandomFlip'" in err
    tabular = sorted(k.rsplit(".", 1)[-1] for k, c in tfaug.registered().items()
                     if getattr(c, "modality", None) == "tabular")
    assert f"the tabular layers are {', '.join(tabular)}." in err
    # A policy of another modality, and files of two kinds, are refused alike.
    status, _, err = _run_err(["preview", "light_image", str(table), "-o", str(out)])
    assert status == 1 and "policy for image data" in err and "tabular" in err
    (tmp_path / "a.txt").write_text("a line\n", encoding="utf-8")
    status, _, err = _run_err(["preview", "GaussianNoise", str(table), str(tmp_path / "a.txt"),
                               "-o", str(out)])
    assert status == 1 and "several kinds" in err and "rows.csv" in err and "a.txt" in err
    # Files of no known type: the registered name itself (as before the files decided).
    assert cli._pick_layer("GaussianNoise", None) == (  # pylint: disable=protected-access
        "GaussianNoise", tfaug.image.GaussianNoise)


def test_preview_errors_name_what_is_wrong(tmp_path):
    (tmp_path / "x.txt").write_text("hello\n", encoding="utf-8")
    status, _, err = _run_err(["preview", "no_such_policy", str(tmp_path / "x.txt"),
                               "-o", str(tmp_path / "p.png")])
    assert status == 1 and "no_such_policy" in err
    status, _, err = _run_err(["preview", "RandomSwap", str(tmp_path / "missing.txt"),
                               "-o", str(tmp_path / "p.png")])
    assert status == 1 and "missing.txt" in err
    table = tmp_path / "t.csv"
    table.write_text("a,label\n1,0\nx,1\n", encoding="utf-8")
    status, _, err = _run_err(["preview", "SMOTE", str(table), "-o", str(tmp_path / "p.png")])
    assert status == 1 and "line 3" in err and "must be a number" in err
    assert not (tmp_path / "p.png").exists()
