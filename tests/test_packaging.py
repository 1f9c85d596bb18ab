"""The package as users get it: the wheel's files and metadata, the wheel installed
into a fresh virtual environment (its own files, not this checkout's), and the
type hints of the public API.

The wheel is built from a copy of the sources in ``tmp_path`` (``pip wheel
--no-deps --no-build-isolation``: seconds, offline, no build/ left in the
checkout). The fresh venv gets the wheel with ``--no-deps``; the third-party
dependencies come from this interpreter's site-packages through a ``.pth`` line
(which adds the folder but runs none of its ``.pth`` files, so the editable
install's finder that maps ``tfaug`` to the checkout stays off). The smoke
script runs with ``-I`` from ``tmp_path`` and with ``tensorflow_text``
unimportable (tools/wheel_smoke.py), as after ``pip install tfaugment`` without extras.
``make wheel-check`` does the same with real dependency resolution.
"""

import email.parser
import importlib
import inspect
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import sysconfig
import typing
import zipfile

import pytest
from packaging.requirements import Requirement

import tfaug
from tfaug._version import DISTRIBUTION, __version__
from tfaug.core import registry

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = ["tfaug", "saved_policies", "pyproject.toml", "setup.py", "README.md", "LICENSE"]
PUBLIC_PACKAGES = ["tfaug", "tfaug.audio", "tfaug.callbacks", "tfaug.core", "tfaug.data",
                   "tfaug.export", "tfaug.image", "tfaug.policies", "tfaug.tabular",
                   "tfaug.text", "tfaug.viz"]


def _top_level_modules():
    """The ``py-modules`` pyproject.toml lists, as file names (a regex, not
    tomllib: the suite also runs on Python 3.10)."""
    listed = re.search(r"^py-modules\s*=\s*\[([^\]]*)\]",
                       (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    return [f"{name}.py" for name in re.findall(r'"(\w+)"', listed.group(1))] if listed else []


def _tree_files():
    """Files the wheel must hold, as wheel paths: every module and data file of
    tfaug/, the policy files of saved_policies/ and the top-level modules."""
    files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "tfaug").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    files |= {"tfaug/saved_policies/" + p.name for p in (ROOT / "saved_policies").iterdir()
              if p.suffix in (".json", ".py")}
    return files | set(_top_level_modules())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    for name in SOURCES + _top_level_modules():
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp / "dist"), str(src)],
        cwd=tmp, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (path,) = (tmp / "dist").glob("*.whl")
    return path


def test_wheel_name_and_files(wheel):
    assert wheel.name == f"{DISTRIBUTION}-{__version__}-py3-none-any.whl"
    assert __version__ == tfaug.__version__
    names = set(zipfile.ZipFile(wheel).namelist())
    info = f"{DISTRIBUTION}-{__version__}.dist-info/"
    shipped = {n for n in names if not n.startswith(info)}
    # Exactly the package's files: every module, the policies, the WordNet table
    # and its licence, py.typed; nothing else (no tests/, no saved_policies/ at the top).
    assert shipped == _tree_files(), (sorted(shipped ^ _tree_files()))
    assert {"tfaug/py.typed", "tfaug/text/data/wordnet_synonyms.npz",
            "tfaug/text/data/WORDNET_LICENSE", "tfaug/saved_policies/__init__.py",
            "tfaug/saved_policies/randaugment_default.json"} <= shipped
    # The README's wheel commands and the changelog name this version.
    assert f"pip install dist/{wheel.name}" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"## [{__version__}]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    licence = zipfile.ZipFile(wheel).read(info + "licenses/LICENSE").decode()
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence


def test_wheel_metadata(wheel):
    info = f"{DISTRIBUTION}-{__version__}.dist-info/"
    with zipfile.ZipFile(wheel) as archive:
        meta = email.parser.Parser().parsestr(archive.read(info + "METADATA").decode())
        entry_points = archive.read(info + "entry_points.txt").decode()
    assert meta["Name"] == "tfaugment" and meta["Version"] == __version__
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["Requires-Python"] == ">=3.10"
    assert "Typing :: Typed" in meta.get_all("Classifier")
    requires = [Requirement(r) for r in meta.get_all("Requires-Dist")]
    core = {r.name: r for r in requires if r.marker is None}
    assert {"tensorflow", "keras", "numpy"} <= set(core)
    assert core["tensorflow"].specifier.contains("2.21.0")
    assert not core["keras"].specifier.contains("2.15.0")  # Keras 3 only
    # TensorFlow Text only behind the [text] extra (no Windows / aarch64 wheels).
    text = [r for r in requires if r.name == "tensorflow-text"]
    assert text and all(r.marker is not None and r.marker.evaluate({"extra": "text"})
                        and not r.marker.evaluate({"extra": ""}) for r in text)
    assert set(meta.get_all("Provides-Extra")) >= {"text", "viz", "test", "bench"}
    # The `tfaug` command, and the module it runs is in the wheel.
    scripts = dict(line.replace(" ", "").split("=", 1) for line in entry_points.splitlines()
                   if "=" in line)
    assert "[console_scripts]" in entry_points and "tfaug" in scripts, entry_points
    module = scripts["tfaug"].split(":")[0].replace(".", "/")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert f"{module}.py" in names or f"{module}/__init__.py" in names, scripts["tfaug"]


def test_wheel_installs_and_runs_in_a_fresh_venv(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    site = pathlib.Path(subprocess.run(
        [str(python), "-I", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True, capture_output=True, text=True, timeout=60).stdout.strip())
    # Third-party dependencies (tensorflow, keras, numpy, ...) from this interpreter.
    (site / "_tfaug_test_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", str(wheel)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (site / "tfaug" / "saved_policies" / "randaugment_default.json").is_file()
    assert os.access(venv / "bin" / "tfaug", os.X_OK)  # the console script

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTHON") and k != "KERAS_BACKEND"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    result = subprocess.run([str(python), "-I", str(ROOT / "tools" / "wheel_smoke.py"),
                             str(ROOT / "saved_policies")],
                            cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0 and "SMOKE OK" in result.stdout, (
        result.stdout[-2000:] + result.stderr[-4000:])
    # The console script the wheel installed runs the wheel's CLI.
    result = subprocess.run([str(venv / "bin" / "tfaug"), "--version"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and __version__ in result.stdout + result.stderr, (
        result.stdout[-2000:] + result.stderr[-2000:])


def _public_callables():
    """``{name: function}``: the public functions of the packages' ``__init__``,
    the ``__init__`` of every registered layer and public class (each class of
    their MRO defined in tfaug), and the public methods of ``tfaug.data.Pipeline``."""
    found = {}

    def add_class(cls):
        for klass in cls.__mro__:
            if klass.__module__.startswith("tfaug") and "__init__" in vars(klass):
                found[f"{klass.__module__}.{klass.__qualname__}.__init__"] = klass.__init__

    for cls in registry.registered().values():
        add_class(cls)
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name, value in vars(module).items():
            if name.startswith("_") or not getattr(value, "__module__", "").startswith("tfaug"):
                continue
            if inspect.isfunction(value):
                found[f"{package}.{name}"] = value
            elif inspect.isclass(value):
                add_class(value)
    for name in dir(tfaug.data.Pipeline):
        value = getattr(tfaug.data.Pipeline, name)
        if not name.startswith("_") and (inspect.isfunction(value) or inspect.ismethod(value)):
            found[f"tfaug.data.Pipeline.{name}"] = value
    return found


def _unannotated(func):
    params = list(inspect.signature(func).parameters.values())
    if params and params[0].name in ("self", "cls") and "." in func.__qualname__:
        params = params[1:]
    missing = [p.name for p in params if p.annotation is inspect.Parameter.empty]
    if inspect.signature(func).return_annotation is inspect.Signature.empty:
        missing.append("return")
    return missing


def test_public_constructors_and_functions_have_type_hints():
    """py.typed promises hints: every public constructor and function annotates
    each parameter (``**kwargs`` included) and the return, and the annotations
    name real types (``typing.get_type_hints`` resolves them)."""
    import matplotlib.figure  # pylint: disable=import-outside-toplevel
    assert (ROOT / "tfaug" / "py.typed").is_file()
    found = _public_callables()
    assert len(registry.registered()) > 50 and len(found) > 150
    # Names the modules import only for type checkers (no import cycle / optional dep).
    checker_only = {"Pipeline": tfaug.data.Pipeline, "Figure": matplotlib.figure.Figure}
    missing, unresolved = {}, {}
    for name, func in found.items():
        gaps = _unannotated(func)
        if gaps:
            missing[name] = gaps
            continue
        try:
            typing.get_type_hints(func, localns=checker_only)
        except (NameError, TypeError, AttributeError) as err:
            unresolved[name] = repr(err)
    assert not missing, json.dumps(missing, indent=1)
    assert not unresolved, json.dumps(unresolved, indent=1)
