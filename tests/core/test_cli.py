"""The ``tfaug`` console script: ``--version`` and ``layers``."""

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
