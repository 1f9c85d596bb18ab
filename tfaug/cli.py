"""The ``tfaug`` command line.

Usage::

    tfaug --version            # prints the installed version
    tfaug layers               # lists registered augmentation layers
    tfaug layers --modality image --json

``cli`` sits on top of the modalities: it reaches the layers only through the
registry, after importing the public package.
"""

import argparse
import json
import sys

import tfaug
from tfaug.core import registry

COMPOSITIONS = ("Sequence", "OneOf", "SomeOf", "RandomApply")


def _layer_rows(modality=None):
    """``[{name, modality, module, kind}]`` for every registered class, sorted."""
    rows = []
    for name, klass in sorted(registry.registered().items()):
        kind = "composition" if name in COMPOSITIONS else "layer"
        layer_modality = getattr(klass, "modality", None)
        if kind == "composition":
            layer_modality = "any"
        if modality and layer_modality not in (modality, "any"):
            continue
        rows.append({"name": name, "modality": layer_modality, "kind": kind,
                     "module": klass.__module__})
    return rows


def _cmd_layers(args, out):
    rows = _layer_rows(args.modality)
    if args.json:
        out.write(json.dumps(rows) + "\n")
        return 0
    width = max([len(r["name"]) for r in rows] + [4])
    for r in rows:
        out.write(f"{r['name']:<{width}}  {r['modality']:<8} {r['kind']:<12} {r['module']}\n")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="tfaug", description="tfaug: data augmentation layers for TensorFlow/Keras.")
    parser.add_argument("--version", action="version", version=f"tfaug {tfaug.__version__}")
    sub = parser.add_subparsers(dest="command")
    layers = sub.add_parser("layers", help="list registered augmentation layers")
    layers.add_argument("--modality", default=None,
                        help="only layers of this modality (image, text, audio, tabular)")
    layers.add_argument("--json", action="store_true", help="print one JSON line")
    layers.set_defaults(func=_cmd_layers)
    return parser


def main(argv=None, out=None):
    """Entry point of the ``tfaug`` console script; returns the exit status."""
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(out)
        return 2
    return args.func(args, out)


if __name__ == "__main__":
    sys.exit(main())
