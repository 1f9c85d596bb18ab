"""``tfaug`` starts fast and quietly: help and ``--version`` without TensorFlow,
no TensorFlow start-up banner when a command imports it, and one line naming the
extra to install when an optional dependency is missing.

The subprocesses run ``python -m tfaug_cli`` (the console script's target) with
``TF_CPP_MIN_LOG_LEVEL`` unset, as a user's shell has it.
"""

import argparse
import io
import json
import os
import pathlib
import subprocess
import sys
import time

import pytest

import tfaug_cli

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The issue asks for under 1 s (about 0.1 s on an idle machine); the bound leaves
# room for a machine busy with the rest of the suite.
HELP_SECONDS = 3.0
BANNER = ("oneDNN", "cuda", "TensorFlow binary is optimized", "absl::InitializeLog",
          "Traceback")


def _env():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    return env


def _commands(parser=None, prefix=()):
    """Every command path of the parser: ``[]``, ``["layers"]``, ``["policies", "list"]`` ..."""
    parser = parser or tfaug_cli.build_parser()
    paths = [list(prefix)]
    for action in parser._actions:  # pylint: disable=protected-access
        if isinstance(action, argparse._SubParsersAction):  # pylint: disable=protected-access
            for name, child in action.choices.items():
                paths += _commands(child, prefix + (name,))
    return paths


@pytest.mark.parametrize("argv", _commands(), ids=lambda argv: " ".join(["tfaug"] + argv))
def test_help_answers_fast(argv):
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "tfaug_cli", *argv, "--help"], cwd=ROOT,
                          env=_env(), capture_output=True, text=True, timeout=60, check=False)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout.startswith(f"usage: tfaug {' '.join(argv)}".rstrip())
    assert seconds < HELP_SECONDS, f"tfaug {' '.join(argv)} --help took {seconds:.2f} s"


PARSE_ONLY = r'''
import contextlib, io, json, sys
import tfaug_cli
for argv in json.loads(sys.argv[1]):
    with contextlib.suppress(SystemExit):
        tfaug_cli.main(argv + ["--help"], out=io.StringIO())
with contextlib.suppress(SystemExit):
    tfaug_cli.main(["--version"], out=io.StringIO())
assert tfaug_cli.main(["policies"], out=io.StringIO()) == 2
tfaug_cli.build_parser().parse_args(["preview", "SMOTE", "rows.csv", "-o", "p.png"])
heavy = ("tensorflow", "keras", "tfaug", "numpy", "tensorflow_text", "matplotlib")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
'''


def test_help_and_parsing_import_no_tensorflow():
    proc = subprocess.run([sys.executable, "-c", PARSE_ONLY, json.dumps(_commands())],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_version_reads_the_package_version_file():
    from tfaug import _version  # pylint: disable=import-outside-toplevel
    assert tfaug_cli.package_info() == (_version.__version__, _version.DISTRIBUTION)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        tfaug_cli.main(["--version"], out=out)
    assert exit_info.value.code == 0 and out.getvalue() == f"tfaug {_version.__version__}\n"


# Blocks matplotlib and TensorFlow Text as if they were not installed, then runs a
# command that imports TensorFlow and two previews that need the missing extras.
COMMANDS_WITHOUT_EXTRAS = r'''
import json, sys
sys.modules["matplotlib"] = None
sys.modules["tensorflow_text"] = None
import tfaug_cli
table, text, out = sys.argv[1:4]
codes = [tfaug_cli.main(["layers", "--modality", "tabular"]),
         tfaug_cli.main(["preview", "GaussianNoise", table, "-o", out + ".png"]),
         tfaug_cli.main(["preview", "RandomSwap", text, "-o", out + ".html"])]
print(json.dumps(codes))
'''


def test_commands_print_no_banner_and_a_missing_extra_is_one_line(tmp_path):
    table = tmp_path / "rows.csv"
    table.write_text("a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(12)),
                     encoding="utf-8")
    text = tmp_path / "lines.txt"
    text.write_text("the plot is thin but the actors are wonderful\n", encoding="utf-8")
    out = tmp_path / "preview"
    proc = subprocess.run([sys.executable, "-c", COMMANDS_WITHOUT_EXTRAS, str(table),
                           str(text), str(out)], cwd=ROOT, env=_env(), capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    *table_lines, codes = proc.stdout.splitlines()
    assert json.loads(codes) == [0, 1, 1]
    assert table_lines[0].split() == ["NAME", "MODALITY", "SUMMARY"]
    assert next(line for line in table_lines if line.startswith("SMOTE ")).split()[1] == "tabular"
    for word in BANNER:
        assert word.lower() not in proc.stderr.lower(), proc.stderr
    assert proc.stderr.splitlines() == [
        'tfaug: error: matplotlib is not installed (the preview figures need it): '
        'pip install "tfaugment[viz]"',
        'tfaug: error: TensorFlow Text is not installed (the text layers need it): '
        'pip install "tfaugment[text]"']
    assert list(tmp_path.glob("preview*")) == []


# What TensorFlow 2.21 wrote to stderr at import and first device listing on a
# machine without a GPU driver, with one WARNING and one real ERROR record added.
STARTUP = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1796682784.979193   15678 port.cc:153] oneDNN custom operations are on.\n"
    "I0000 00:00:1796682784.979478   15678 cudart_stub.cc:31] Could not find cuda drivers\n"
    "2025-09-17 14:44:05.157831: W external/tsl/foo.cc:12] a warning\n"
    "E0000 00:00:1796683131.977672   23551 cuda_platform.cc:52] failed call to cuInit: "
    "UNKNOWN ERROR (303)\n"
    "E0000 00:00:1796683131.977699   23551 op.cc:9] a real error\n"
    "/path/x.py:3: UserWarning: a Python warning\n")


@pytest.mark.parametrize("level,kept", [
    (0, [0, 1, 2, 3, 4, 5, 6]), (1, [3, 4, 5, 6]), (2, [5, 6]), (3, [6])])
def test_drop_tensorflow_log_reads_levels_as_tensorflow_does(level, kept):
    lines = STARTUP.splitlines(keepends=True)
    assert tfaug_cli.drop_tensorflow_log(STARTUP, level) == "".join(lines[i] for i in kept)


NOISY_MODULE = '''
import os
os.write(2, b"I0000 00:00:17.5   42 port.cc:153] oneDNN custom operations are on.\\n")
os.write(2, b"E0000 00:00:17.6   42 op.cc:9] a real error\\n")
os.write(2, b"another line\\n")
'''


def test_import_quietly_filters_what_the_import_writes_to_stderr(tmp_path, monkeypatch, capfd):
    (tmp_path / "tfaug_noisy_a.py").write_text(NOISY_MODULE, encoding="utf-8")
    (tmp_path / "tfaug_noisy_b.py").write_text(NOISY_MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "tensorflow")  # as before the first TensorFlow import
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    err = io.StringIO()
    assert tfaug_cli.import_quietly("tfaug_noisy_a", err).__name__ == "tfaug_noisy_a"
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "2"  # set for TensorFlow's own filter
    assert err.getvalue() == ("E0000 00:00:17.6   42 op.cc:9] a real error\n"
                              "another line\n")
    assert capfd.readouterr().err == ""  # nothing reached the real stderr
    # A level the user set is respected: 0 shows everything, unfiltered.
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    err = io.StringIO()
    tfaug_cli.import_quietly("tfaug_noisy_b", err)
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"
    assert "oneDNN custom operations" in capfd.readouterr().err and err.getvalue() == ""


def test_missing_dependency_names_the_extra_only_when_the_package_is_absent(monkeypatch):
    def chained(name):
        try:
            try:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            except ImportError as cause:
                raise ImportError("tfaug.viz needs matplotlib") from cause
        except ImportError as error:
            return error

    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "albumentations", None)
    assert tfaug_cli.missing_dependency_message(chained("PIL.Image")) == (
        'Pillow is not installed (the previews need it): pip install "tfaugment[viz]"')
    assert tfaug_cli.missing_dependency_message(chained("albumentations")) == (
        'albumentations is not installed (bench compares with it): '
        'pip install "tfaugment[bench]"')
    monkeypatch.setitem(sys.modules, "tqdm", None)
    assert tfaug_cli.missing_dependency_message(chained("tqdm")) == (
        "tqdm is not installed (tfaug needs it): pip install tfaugment")
    # An installed package missing a module inside: the error's own message.
    assert tfaug_cli.missing_dependency_message(chained("numpy.no_such_module")) == (
        "tfaug.viz needs matplotlib")
    assert tfaug_cli.install_hint("tensorflow_text.ops") == 'pip install "tfaugment[text]"'
    assert tfaug_cli.install_hint("no_such_package") is None
