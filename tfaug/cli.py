"""The ``tfaug`` command line.

Usage::

    tfaug --version            # prints the installed version
    tfaug layers               # lists registered augmentation layers
    tfaug layers --modality image --json
    tfaug policies list        # the policy files shipped with tfaug
    tfaug policies list --json
    tfaug policies show light_image        # pretty JSON + the layer tree
    tfaug policies show path/to/policy.json

A bad policy file prints one line naming the JSON path of the bad field on
stderr and exits with status 1.

``cli`` sits on top of the modalities: it reaches the layers only through the
registry and :mod:`tfaug.policies.io`, after importing the public package.
"""

import argparse
import contextlib
import json
import sys

import tfaug
from tfaug.core import composition, registry
from tfaug.policies import io as policy_io

DESCRIPTION_WIDTH = 72


def is_composition(klass):
    """True for a registered class whose instances hold child layers (``.layers``).

    Found by the shared base that keeps children in ``.layers`` (``Sequence``,
    ``OneOf``, ``SomeOf``, ``RandomApply``, ``ClassConditional`` ...), not by name.
    """
    return (issubclass(klass, composition._Composition)  # pylint: disable=protected-access
            or isinstance(getattr(klass, "layers", None), (list, tuple)))


def compositions():
    """Sorted names of the registered compositions (see :func:`is_composition`)."""
    return sorted(n for n, k in registry.registered().items() if is_composition(k))


def _layer_rows(modality=None):
    """``[{name, modality, module, kind}]`` for every registered class, sorted."""
    rows = []
    for name, klass in sorted(registry.registered().items()):
        kind = "composition" if is_composition(klass) else "layer"
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


def summarize(layer):
    """One line naming a layer tree: ``Sequence[RandomFlip, OneOf[A, B]]``.

    ``ClassConditional`` shows its routes (``default=...``, ``<label>=...``);
    ``AutoAugment`` its policy.
    """
    name = type(layer).__name__
    per_class = getattr(layer, "per_class", None)
    if per_class is not None and hasattr(layer, "default"):
        routes = [("default", layer.default)] + sorted(per_class.items())
        inner = ", ".join(f"{k}={'None' if v is None else summarize(v)}" for k, v in routes)
        return f"{name}[{inner}]"
    children = getattr(layer, "layers", None)
    if isinstance(children, (list, tuple)) and children:
        return f"{name}[{', '.join(summarize(child) for child in children)}]"
    policy = getattr(layer, "policy", None)
    if isinstance(policy, str):
        return f"{name}({policy})"
    return name


def _truncate(text, width):
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3].rstrip() + "..."


def _cmd_policies_list(args, out):
    rows = policy_io.list_policies()
    if args.json:
        out.write(json.dumps(rows) + "\n")
        return 0
    width = max([len(r["name"]) for r in rows] + [4])
    out.write(f"{'NAME':<{width}}  {'MODALITY':<8}  DESCRIPTION\n")
    for r in rows:
        description = _truncate(r["description"], DESCRIPTION_WIDTH)
        out.write(f"{r['name']:<{width}}  {r['modality']:<8}  {description}\n")
    return 0


def _cmd_policies_show(args, out):
    policy = policy_io.read(args.policy)
    out.write(json.dumps(policy, indent=2, ensure_ascii=False) + "\n")
    if not args.json:
        layer = tfaug.deserialize(policy["augmentation"])
        out.write(f"layers: {summarize(layer)}\n")
    return 0


def build_parser():
    """The ``tfaug`` argument parser (every command takes ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="tfaug", description="tfaug: data augmentation layers for TensorFlow/Keras.")
    parser.add_argument("--version", action="version", version=f"tfaug {tfaug.__version__}")
    sub = parser.add_subparsers(dest="command")
    layers = sub.add_parser("layers", help="list registered augmentation layers",
                            description="List the registered augmentation layers and "
                            "compositions.")
    layers.add_argument("--modality", default=None,
                        help="only layers of this modality (image, text, audio, tabular)")
    layers.add_argument("--json", action="store_true", help="print one JSON line")
    layers.set_defaults(func=_cmd_layers)

    policies = sub.add_parser("policies", help="list and show policy files",
                              description="Policy files: the JSON files shipped in "
                              "saved_policies/ (loadable by name) or your own.")
    policies.set_defaults(func=lambda args, out: _help(policies, out))
    psub = policies.add_subparsers(dest="policies_command")
    plist = psub.add_parser("list", help="list the shipped policies",
                            description="List the policies shipped with tfaug: name, "
                            "modality and description.")
    plist.add_argument("--json", action="store_true",
                       help="print one JSON line: [{name, modality, class, description}]")
    plist.set_defaults(func=_cmd_policies_list)
    show = psub.add_parser("show", help="print a policy file and its layer tree",
                           description="Validate a policy (a shipped name or a path to a "
                           "JSON file), print it as pretty JSON and summarize the layers "
                           "it builds. A bad file prints the JSON path of the bad field "
                           "and exits with status 1.")
    show.add_argument("policy", metavar="NAME_OR_PATH",
                      help="a shipped policy name (see `tfaug policies list`) or a path")
    show.add_argument("--json", action="store_true",
                      help="print only the JSON (no layer summary)")
    show.set_defaults(func=_cmd_policies_show)
    return parser


def _help(parser, out):
    parser.print_help(out)
    return 2


def main(argv=None, out=None, err=None):
    """Entry point of the ``tfaug`` console script; returns the exit status.

    Args:
      argv: Arguments (default ``sys.argv[1:]``).
      out: Stream for normal output (default ``sys.stdout``); help goes there too.
      err: Stream for error messages (default ``sys.stderr``).

    Returns:
      0 on success, 1 when a policy or file is bad, 2 on a usage error.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        return _help(parser, out)
    try:
        return args.func(args, out)
    except (ValueError, OSError) as error:  # PolicyError is a ValueError
        err.write(f"tfaug: error: {error}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
