"""The Bazel BUILD file lists every source and test file and is up to date."""

import importlib.util
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIX = "run `python tools/gen_build.py` (or `make build-file`) to regenerate BUILD"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_build", ROOT / "tools" / "gen_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _listed():
    text = (ROOT / "BUILD").read_text(encoding="utf-8")
    return set(re.findall(r'"([^"]+\.(?:py|json))"', text))


def _tree(gen, top):
    return set(gen._walk(ROOT, top))


def test_build_lists_every_python_file():
    gen = _generator()
    listed = _listed()
    missing = sorted((_tree(gen, "tfaug") | _tree(gen, "tests")) - listed)
    assert not missing, f"BUILD does not list {missing}; {FIX}"


def test_build_lists_no_missing_file():
    stale = sorted(p for p in _listed() if not (ROOT / p).is_file())
    assert not stale, f"BUILD lists files that do not exist: {stale}; {FIX}"


def test_every_test_file_has_a_py_test():
    gen = _generator()
    text = (ROOT / "BUILD").read_text(encoding="utf-8")
    tests = {t for t in _tree(gen, "tests") if t.rsplit("/", 1)[-1].startswith("test_")}
    without = sorted(t for t in tests if f'main = "{t}"' not in text)
    assert not without, f"no py_test for {without}; {FIX}"


def test_build_matches_generator():
    gen = _generator()
    current = (ROOT / "BUILD").read_text(encoding="utf-8")
    assert current == gen.render(ROOT), f"BUILD is stale (targets or deps changed); {FIX}"


def test_generator_reads_imports_into_deps(tmp_path):
    # A tiny tree: the generator turns cross-package imports into deps, skips
    # caches, and gives each test file its own py_test.
    (tmp_path / "tfaug" / "core").mkdir(parents=True)
    (tmp_path / "tfaug" / "text").mkdir()
    (tmp_path / "tfaug" / "text" / "__pycache__").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "tfaug" / "__init__.py").write_text("from tfaug import core\n")
    (tmp_path / "tfaug" / "core" / "__init__.py").write_text("")
    (tmp_path / "tfaug" / "text" / "__init__.py").write_text(
        "from tfaug.core.base import X\nfrom . import ops\n")
    (tmp_path / "tfaug" / "text" / "__pycache__" / "junk.py").write_text("")
    (tmp_path / "tests" / "test_a.py").write_text("")
    (tmp_path / "tests" / "cases_a.py").write_text("")
    text = _generator().render(tmp_path)
    lib = text.split('name = "tfaug_text"')[1].split(")")[0]
    assert '":tfaug_core"' in lib
    assert "junk.py" not in text
    assert 'main = "tests/test_a.py"' in text
    helpers = text.split('name = "test_helpers"')[1].split(")")[0]
    assert '"tests/cases_a.py"' in helpers and "test_a.py" not in helpers
