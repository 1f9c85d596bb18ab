"""The ``tfaug`` console script: ``--version``, ``layers`` and ``policies``."""

import io
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

import tfaug
from tfaug import cli

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


def test_layers_lists_every_registered_layer():
    status, text = _run(["layers"])
    assert status == 0
    names = [line.split()[0] for line in text.splitlines()]
    assert names == sorted(tfaug.registered())
    flip = next(line for line in text.splitlines() if line.startswith("RandomFlip "))
    assert flip.split()[1:] == ["image", "layer", "tfaug.image.geometric"]


def test_layers_json_and_modality_filter():
    status, text = _run(["layers", "--json"])
    rows = json.loads(text)
    assert status == 0 and {r["name"] for r in rows} == set(tfaug.registered())
    kinds = {r["name"]: r["kind"] for r in rows}
    assert kinds["OneOf"] == "composition" and kinds["RandomFlip"] == "layer"
    # Found by what the class holds (child layers), not by a list of names.
    assert kinds["ClassConditional"] == "composition"
    assert kinds["RandAugment"] == "layer"
    assert set(cli.compositions()) >= {"Sequence", "OneOf", "SomeOf", "RandomApply",
                                       "ClassConditional"}
    _, text = _run(["layers", "--modality", "audio", "--json"])
    audio = {r["name"] for r in json.loads(text) if r["kind"] == "layer"}
    assert "RandomFlip" not in audio


def test_no_command_prints_help():
    status, text = _run([])
    assert status == 2 and "layers" in text


def test_console_script_is_declared_and_runs():
    setup = (ROOT / "setup.py").read_text()
    assert re.search(r'"tfaug=tfaug\.cli:main"', setup)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "tfaug.cli", "--version"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"tfaug {tfaug.__version__}"


@pytest.mark.parametrize("argv", [[], ["layers"], ["policies"], ["policies", "list"],
                                  ["policies", "show"]],
                         ids=lambda argv: " ".join(["tfaug"] + argv))
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
