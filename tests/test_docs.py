"""The API reference: generated pages up to date, docstrings complete, the site builds.

``make docs`` builds the site with ``mkdocs build --strict`` from mkdocs.yml and
the pages tools/gen_api_docs.py writes under docs/api/; here the same build
runs into a temporary folder, and every registered layer must have its own
section there with its arguments, its input shape and an example.
"""

import html
import importlib
import importlib.util
import inspect
import os
import pathlib
import re
import subprocess
import sys

import pytest

import tfaug

pytest.importorskip("mkdocs", reason="the docs build needs mkdocs (make test installs it)")
griffe = pytest.importorskip("griffe", reason="the docs build needs mkdocstrings-python")

ROOT = pathlib.Path(__file__).resolve().parent.parent
SECTIONS = ("Args:", "Input shape:", "Example:")


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _tool("gen_api_docs")


def _layers():
    """Registered tfaug classes (tests may register classes of their own)."""
    return {name: cls for name, cls in tfaug.core.registered().items()
            if cls.__module__.startswith("tfaug.")}


def _public_paths(cls):
    """Where the API pages document ``cls``: ``tfaug.image.RandomFlip`` ..."""
    paths = []
    for module_path, _, _ in GEN.PAGES:
        if getattr(importlib.import_module(module_path), cls.__name__, None) is cls:
            paths.append(f"{module_path}.{cls.__name__}")
    return paths


def test_api_pages_are_up_to_date(capsys):
    assert GEN.main(["--check"]) == 0, capsys.readouterr().out


def test_every_layer_has_args_input_shape_and_example():
    missing = {}
    for name, cls in sorted(_layers().items()):
        headings = {line.strip() for line in (inspect.getdoc(cls) or "").splitlines()}
        absent = [s for s in SECTIONS if s not in headings]
        if absent:
            missing[name] = absent
    assert not missing, f"class docstrings without these sections: {missing}"
    assert len(_layers()) > 70


def _documented_objects(package):
    """The classes and functions of the API pages, and their documented methods."""
    seen = set()
    for module_path, _, _ in GEN.PAGES:
        module = package if module_path == "tfaug" else package[module_path[len("tfaug."):]]
        for identifier, _ in GEN.public_members(module):
            obj = package[identifier[len("tfaug."):]]
            obj = obj.final_target if obj.is_alias else obj
            if obj.path in seen:
                continue
            seen.add(obj.path)
            yield obj
            if obj.kind is griffe.Kind.CLASS:
                for name, member in obj.members.items():
                    if (not name.startswith("_") and not member.is_alias
                            and member.kind is griffe.Kind.FUNCTION and member.docstring):
                        yield member


def test_args_sections_match_the_signatures():
    """Every ``Args:`` entry names a parameter (or goes to ``**kwargs``), one per entry,
    and a documented signature has every parameter documented."""
    package = GEN.load_package()
    problems = []
    for obj in _documented_objects(package):
        if obj.docstring is None:
            continue
        params = list(obj.parameters)
        if obj.parent.kind is griffe.Kind.CLASS and params and params[0].name in ("self", "cls"):
            params = params[1:]  # a method's own object
        elif obj.kind is griffe.Kind.CLASS and params and params[0].name == "self":
            params = params[1:]  # __init__'s
        names = {p.name for p in params}
        var_keyword = any(p.kind is griffe.ParameterKind.var_keyword for p in params)
        sections = griffe.parse_google(obj.docstring, warn_unknown_params=False,
                                       warnings=False)
        documented = [entry.name.lstrip("*") for section in sections
                      if section.kind is griffe.DocstringSectionKind.parameters
                      for entry in section.value]
        if not documented:
            continue
        for name in documented:
            if "," in name:
                problems.append(f"{obj.path}: one entry per argument, not {name!r}")
            elif name not in names and not var_keyword:
                problems.append(f"{obj.path}: documents {name!r}, not in the signature")
        for p in params:
            if p.kind not in (griffe.ParameterKind.var_positional,
                              griffe.ParameterKind.var_keyword) and p.name not in documented:
                problems.append(f"{obj.path}: argument {p.name!r} is not in Args")
    assert not problems, "\n".join(problems)


def test_the_docs_extension_rewrites_roles_and_example_headings():
    tool = _tool("griffe_tfaug")
    assert tool.rewrite("See :class:`~tfaug.data.Pipeline` and :func:`run`.\n\n"
                        "    Example:\n      >>> 1\n") == \
        "See `Pipeline` and `run`.\n\n    Examples:\n      >>> 1\n"
    assert tool.rewrite("Example: not a heading") == "Example: not a heading"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                          "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(folder)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return run, folder


def test_site_builds_with_warnings_as_errors(site):
    run, folder = site
    assert run.returncode == 0, run.stdout + run.stderr
    assert "WARNING" not in run.stderr, run.stderr
    pages = {p.parent.name for p in (folder / "api").glob("*/index.html")}
    assert {m for m, _, _ in GEN.PAGES} <= pages


def _sections(folder):
    """``{anchor: html of its section}`` for every class and function heading."""
    sections = {}
    for page in (folder / "api").glob("*/index.html"):
        text = page.read_text(encoding="utf-8")
        heads = list(re.finditer(r'<h([23]) id="([^"]+)" class="doc doc-heading"', text))
        for i, head in enumerate(heads):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            sections[html.unescape(head.group(2))] = text[head.start():end]
    return sections


def test_site_has_a_section_per_layer_with_args_input_shape_and_example(site):
    run, folder = site
    assert run.returncode == 0, run.stdout + run.stderr
    sections = _sections(folder)
    problems = []
    for name, cls in sorted(_layers().items()):
        paths = [p for p in _public_paths(cls) if p in sections]
        if not paths:
            problems.append(f"{name}: no section (looked for {_public_paths(cls)})")
            continue
        body = sections[paths[-1]]
        for marker in ('doc-section-title">Parameters:', "<summary>Input shape</summary>",
                       'doc-section-title">Examples:', '<span class="gp">&gt;&gt;&gt; </span>'):
            if marker not in body:
                problems.append(f"{paths[-1]}: no {marker!r}")
    assert not problems, "\n".join(problems)
    # The page text is the docstring's, roles rewritten (no Sphinx markup left).
    assert ":class:`" not in "".join(sections.values())
