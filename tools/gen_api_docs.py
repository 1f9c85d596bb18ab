"""Writes the API reference pages docs/api/*.md from tfaug's public names.

Each page documents one public module: every name it exports (its ``__all__``,
or else the public names it imports from tfaug and the ones it defines), grouped
by the module that defines them, one mkdocstrings ``:::`` block per name, so each
class and function gets its own anchor (``#tfaug.image.RandomFlip``). The sources
are read statically with griffe (no TensorFlow import), so this takes a second.

    python tools/gen_api_docs.py           # (re)write docs/api/ and docs/api/index.md
    python tools/gen_api_docs.py --check   # exit 1 if a page is missing or out of date

``make docs`` runs it before ``mkdocs build --strict``; tests/test_docs.py runs
``--check``, so a new public name without a page entry fails the suite.
"""

import argparse
import pathlib
import re
import sys

import griffe

ROOT = pathlib.Path(__file__).resolve().parent.parent
API_DIR = ROOT / "docs" / "api"

# (module, page title, one-line summary for the index). Order = navigation order.
PAGES = [
    ("tfaug", "tfaug", "Top-level shortcuts: compositions, policies, (de)serialization."),
    ("tfaug.core", "tfaug.core", "The Augmentation base, compositions, registry, XLA."),
    ("tfaug.image", "tfaug.image", "Image layers: geometric, crop, colour, tone, noise, "
                                   "occlusion, mixing."),
    ("tfaug.image.ops", "tfaug.image.ops", "Pure batched image ops behind the layers."),
    ("tfaug.audio", "tfaug.audio", "Waveform and spectrogram layers, WAV input/output."),
    ("tfaug.audio.ops", "tfaug.audio.ops", "Pure audio ops: filters, resampling, STFT, "
                                           "SpecAugment."),
    ("tfaug.text", "tfaug.text", "EDA, paraphrase lookup and masked-LM replacement layers."),
    ("tfaug.text.ops", "tfaug.text.ops", "Pure text ops on tokenized strings."),
    ("tfaug.tabular", "tfaug.tabular", "SMOTE, noise, masking and generative oversampling."),
    ("tfaug.tabular.ops", "tfaug.tabular.ops", "The SMOTE family as pure ops."),
    ("tfaug.policies", "tfaug.policies", "RandAugment, AutoAugment, TrivialAugment, AugMix, "
                                         "policy files."),
    ("tfaug.callbacks", "tfaug.callbacks", "Strength schedules, adaptive strength, "
                                           "previews in TensorBoard."),
    ("tfaug.data", "tfaug.data", "tf.data pipelines, offline materialization, "
                                 "AugmentedModel."),
    ("tfaug.data.service", "tfaug.data.service", "tf.data service dispatcher and workers."),
    ("tfaug.export", "tfaug.export", "SavedModel export of models and augmentations."),
    ("tfaug.viz", "tfaug.viz", "Previews: image grids, audio figures, text diffs, "
                               "tabular PCA."),
    ("tfaug.cli", "Command line (tfaug.cli)", "The `tfaug` console command."),
]

# Module-level constants are not documented one by one (they carry no docstring).
KINDS = (griffe.Kind.CLASS, griffe.Kind.FUNCTION)


def load_package():
    return griffe.load("tfaug", search_paths=[str(ROOT)], resolve_aliases=True,
                       resolve_external=False)


def _target(obj):
    """The object an alias points at (the object itself when it is not an alias)."""
    while obj.is_alias:
        obj = obj.final_target
    return obj


def public_members(module):
    """``[(identifier, defining module path)]`` of the classes and functions ``module``
    exports: its ``__all__``; else, for a package, the public names it defines or
    imports from tfaug, and for a plain module the public names it defines."""
    if module.exports is not None:
        names = [n if isinstance(n, str) else n.name for n in module.exports]
    else:
        names = []
        for name, member in module.members.items():
            if name.startswith("_"):
                continue
            if member.is_alias and not module.is_init_module:
                continue  # a plain module's imports are for its own use
            if member.is_alias:
                try:
                    target_path = member.target_path
                except griffe.AliasResolutionError:
                    continue
                if not target_path.startswith("tfaug."):
                    continue  # an imported library (tf, numpy, argparse)
            names.append(name)
    rows = []
    for name in names:
        member = module.members.get(name)
        if member is None:
            raise SystemExit(f"{module.path}.__all__ names {name!r}, which it does not define")
        try:
            target = _target(member)
        except griffe.AliasResolutionError:
            continue
        if target.kind is griffe.Kind.MODULE:
            # `from pkg.smote import smote` rebinds a submodule's name to a function:
            # griffe sees the module, Python the function of the same name.
            inner = target.members.get(name)
            if inner is None or _target(inner).kind not in KINDS:
                continue
            target = _target(inner)
            rows.append((f"{target.parent.path}.{name}", target.parent.path))
            continue
        if target.kind not in KINDS:
            continue
        rows.append((f"{module.path}.{name}", target.parent.path))
    return rows


def _title(module):
    """A module docstring's first sentence (a section heading), without its period."""
    if module.docstring is None:
        return module.path
    paragraph = " ".join(module.docstring.value.strip().split("\n\n")[0].split())
    sentence = re.split(r"(?<=[.:;])\s", paragraph)[0].rstrip(".:;")
    return sentence.replace("``", "`")


def render_page(package, module_path, title):
    module = package if module_path == "tfaug" else package[module_path[len("tfaug."):]]
    rows = public_members(module)
    lines = ["<!-- Generated by tools/gen_api_docs.py; edit the docstrings, not this file. -->",
             "", f"# {title}", "",
             f"::: {module_path}",
             "    options:",
             "      members: false",
             "      show_root_heading: false",
             "      show_root_toc_entry: false",
             ""]
    groups = {}
    for identifier, source in rows:
        groups.setdefault(source, []).append(identifier)
    for source, identifiers in groups.items():
        source_module = package[source[len("tfaug."):]] if source != "tfaug" else package
        if len(groups) > 1 and source != module_path:
            lines += [f"## {_title(source_module)}", "",
                      f"<small>Defined in `{source}`.</small>", ""]
        for identifier in identifiers:
            lines += [f"::: {identifier}", ""]
    return "\n".join(lines).rstrip() + "\n"


def render_index():
    lines = ["<!-- Generated by tools/gen_api_docs.py. -->", "", "# API reference", "",
             "One page per public module. Every class and function listed there is",
             "importable under that module's name (for example `tfaug.image.RandomFlip`).",
             "", "| Module | Contents |", "| --- | --- |"]
    for module_path, title, summary in PAGES:
        lines.append(f"| [{title}]({page_name(module_path)}) | {summary} |")
    return "\n".join(lines) + "\n"


def page_name(module_path):
    return f"{module_path}.md"


def pages():
    """``{path: text}`` of every generated page."""
    package = load_package()
    out = {API_DIR / "index.md": render_index()}
    for module_path, title, _ in PAGES:
        out[API_DIR / page_name(module_path)] = render_page(package, module_path, title)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if docs/api/ differs from what would be generated")
    args = parser.parse_args(argv)
    wanted = pages()
    stale = [p for p, text in wanted.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    extra = sorted(set(API_DIR.glob("*.md")) - set(wanted)) if API_DIR.exists() else []
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}")
        for path in extra:
            print(f"not generated (remove it or add it to PAGES): {path.relative_to(ROOT)}")
        if stale or extra:
            print("run: python tools/gen_api_docs.py")
            return 1
        return 0
    API_DIR.mkdir(parents=True, exist_ok=True)
    for path in stale:
        tmp = path.with_suffix(".md.tmp")
        tmp.write_text(wanted[path], encoding="utf-8")
        tmp.replace(path)
        print(f"wrote {path.relative_to(ROOT)}")
    for path in extra:
        path.unlink()
        print(f"removed {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
