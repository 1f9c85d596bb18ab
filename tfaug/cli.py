"""The ``tfaug`` command line.

Usage::

    tfaug --version            # prints the installed version
    tfaug layers               # lists registered augmentation layers
    tfaug layers --modality image --json
    tfaug policies list        # the policy files shipped with tfaug
    tfaug policies list --json
    tfaug policies show light_image        # pretty JSON + the layer tree
    tfaug policies show path/to/policy.json
    tfaug serve --dispatcher-port 5050     # tf.data service dispatcher
    tfaug serve --worker --dispatcher HOST:5050
    tfaug materialize --policy light_image --output aug/ --copies 4 photos/
    tfaug preview light_image photos/ -o preview.png      # grid: originals + variants
    tfaug preview RandomSwap reviews.txt -o swaps.html     # a layer name works too
    tfaug preview GaussianNoise rows.csv -o noise.png      # .csv: the tabular GaussianNoise
    tfaug bench image                                      # throughput vs a peer library

A bad policy file prints one line naming the JSON path of the bad field on
stderr and exits with status 1.

The arguments, ``--help`` and ``--version`` live in the top-level module
:mod:`tfaug_cli` (the console script's entry point), which answers them without
importing TensorFlow and imports this module only to run a command; this module
holds the commands (:data:`COMMANDS`) and re-exports :func:`main` and
:func:`build_parser`.

``cli`` sits on top of the modalities: it reaches the layers only through the
registry and :mod:`tfaug.policies.io`, after importing the public package.
"""

import inspect
import json
import pathlib
import shutil
import sys

import tfaug
from tfaug.core import composition, registry
from tfaug.core.validation import ArgumentError
from tfaug.policies import io as policy_io
from tfaug_cli import build_parser, main  # pylint: disable=unused-import  (re-exported)

DESCRIPTION_WIDTH = 72


def is_composition(klass):
    """True for a registered class whose instances hold child layers (``.layers``).

    Found by the shared base that keeps children in ``.layers`` (``Sequence``,
    ``OneOf``, ``SomeOf``, ``RandomApply``, ``ClassConditional`` ...), not by name.
    """
    return (issubclass(klass, composition.Composition)
            or isinstance(getattr(klass, "layers", None), (list, tuple)))


def compositions():
    """Sorted names of the registered compositions (see :func:`is_composition`)."""
    return sorted(n for n, k in registry.registered().items() if is_composition(k))


def summary(klass):
    """The summary of ``klass``'s docstring on one line, RST double backticks removed.

    The summary is the docstring's first paragraph (Google style: one sentence,
    which may wrap onto a second line).

    Example:
        >>> summary(tfaug.image.RandomFlip)
        'Flips images horizontally and/or vertically, per sample (keras.layers.RandomFlip).'
    """
    first = (inspect.getdoc(klass) or "").split("\n\n", 1)[0]
    return " ".join(first.replace("``", "").split())


def _modality(klass):
    """What a registered class augments: a modality of the CLI, or ``"any"``."""
    if is_composition(klass):
        return "any"
    modality = getattr(klass, "modality", None) or "any"
    return "audio" if modality == "spectrogram" else modality


def _layer_rows(modality=None):
    """``[{name, modality, kind, module, summary}]`` for every registered class, sorted."""
    rows = []
    for name, klass in sorted(registry.registered().items()):
        layer_modality = _modality(klass)
        if modality and layer_modality not in (modality, "any"):
            continue
        rows.append({"name": name, "modality": layer_modality,
                     "kind": "composition" if is_composition(klass) else "layer",
                     "module": klass.__module__, "summary": summary(klass)})
    return rows


def _cmd_layers(args, out):
    rows = _layer_rows(args.modality)
    if args.json:
        out.write(json.dumps(rows) + "\n")
        return 0
    name_width = max([len(r["name"]) for r in rows] + [len("NAME")])
    modality_width = max([len(r["modality"]) for r in rows] + [len("MODALITY")])
    columns = shutil.get_terminal_size((100, 24)).columns
    room = max(columns - name_width - modality_width - 4, 20)
    out.write(f"{'NAME':<{name_width}}  {'MODALITY':<{modality_width}}  SUMMARY\n")
    for r in rows:
        out.write(f"{r['name']:<{name_width}}  {r['modality']:<{modality_width}}  "
                  f"{_truncate(r['summary'], room)}\n")
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


def _cmd_materialize(args, out):
    # Imported here: the other commands do not need tf.data.
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    from tfaug.data import offline as materialize_lib  # pylint: disable=import-outside-toplevel
    from tfaug.data import readers_media  # pylint: disable=import-outside-toplevel

    try:
        source = readers_media.image_directory(
            args.input, None if args.image_size is None else tuple(args.image_size),
            args.channels)
        dataset, classes = source.make(), source.info["class_names"]
        manifest = materialize_lib.materialize(
            dataset, args.policy, args.output, copies=args.copies, num_shards=args.shards,
            seed=args.seed, batch_size=args.batch_size, overwrite=args.overwrite)
    except tf.errors.OpError as error:  # e.g. a file that is not an image
        message = (str(error.message).strip().splitlines() or [type(error).__name__])[0]
        if "transformation with iterator:" in message:  # drop tf.data's op path
            message = message.rsplit(": ", 1)[-1]
        raise ValueError(f"cannot read or augment the images in {args.input!r}: "
                         f"{message}") from None

    def plural(count, word, many=None):
        return f"{count} {word if count == 1 else (many or word + 's')}"

    out.write(f"wrote {plural(manifest['total'], 'element')} "
              f"({plural(manifest['source']['num_elements'], 'image')} x "
              f"{plural(args.copies, 'copy', 'copies')}; "
              f"{plural(len(classes), 'class', 'classes')}: {', '.join(classes)}) in "
              f"{plural(args.shards, 'shard')} to {args.output}\n")
    return 0


def input_modality(paths):
    """The modality the INPUT files' types tell (a folder: the type most of its
    files have), or None when no path has a known type.

    Args:
      paths: Files or folders (a file need not exist: its suffix is read).

    Returns:
      ``"image"``, ``"audio"``, ``"text"``, ``"tabular"`` or None.

    Raises:
      ValueError: the paths are of several modalities (e.g. a .csv and a .png).

    Example:
        >>> input_modality(["rows.csv"])
        'tabular'
    """
    from tfaug.viz import inputs  # pylint: disable=import-outside-toplevel
    by_suffix = {suffix: modality for modality, suffixes in inputs.SUFFIXES.items()
                 for suffix in suffixes}
    found = {}
    for path in map(pathlib.Path, paths):
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        kinds = [by_suffix[f.suffix.lower()] for f in files if f.suffix.lower() in by_suffix]
        if kinds:
            found.setdefault(max(sorted(set(kinds)), key=kinds.count), str(path))
    if len(found) > 1:
        kinds = ", ".join(f"{modality} ({path})" for modality, path in found.items())
        raise ValueError(f"the INPUT files are of several kinds: {kinds}; preview one kind "
                         f"at a time.")
    return next(iter(found), None)


def _pick_layer(spec, modality):
    """``(name, class)`` of the registered layer ``spec`` names for ``modality``
    inputs (None: unknown), or None when ``spec`` names no layer (a policy).

    ``spec`` is a registered name or its last part (``GaussianNoise`` names both
    ``GaussianNoise``, an image layer, and ``tabular.GaussianNoise``).
    """
    registered = registry.registered()
    named = {key: klass for key, klass in registered.items()
             if spec in (key, key.rsplit(".", 1)[-1], klass.__name__)}
    if not named:
        return None
    if modality is None:
        if len(named) == 1 or spec in named:
            return (spec, named[spec]) if spec in named else next(iter(named.items()))
        kinds = ", ".join(f"{_modality(k)} ({n})" for n, k in sorted(named.items()))
        raise ValueError(f"{spec!r} names layers of several modalities: {kinds}; give INPUT "
                         f"files of a known type or pass --modality.")
    fitting = {key: klass for key, klass in named.items()
               if _modality(klass) in (modality, "any")}
    if len(fitting) == 1:
        return next(iter(fitting.items()))
    if spec in fitting:
        return spec, fitting[spec]
    if fitting:
        raise ValueError(f"{spec!r} names several {modality} layers: "
                         f"{', '.join(sorted(fitting))}; give the full name.")
    kinds = " and ".join(sorted({_modality(k) for k in named.values()}))
    available = sorted(key.rsplit(".", 1)[-1] for key, klass in registered.items()
                       if _modality(klass) == modality)
    raise ValueError(f"there is no {modality} layer named {spec!r} (the INPUT files are "
                     f"{modality}; {spec} is for {kinds} data): the {modality} layers are "
                     f"{', '.join(available)}.")


def _resolve_layer(spec, modality=None, sample_rate=None):
    """``(layer, modality)`` for ``spec`` and INPUT files of ``modality`` (None:
    unknown): a layer name (built with its defaults; the files' modality picks
    among same-named layers), else a policy name/path."""
    picked = _pick_layer(spec, modality)
    if picked is None:
        layer = tfaug.policies.load(spec)
        layer_modality = getattr(layer, "modality", None)
        if modality and layer_modality and layer_modality != modality:
            raise ValueError(f"{spec!r} is a policy for {layer_modality} data, and the INPUT "
                             f"files are {modality}.")
        return layer, modality or layer_modality
    name, klass = picked
    kwargs = {}
    if sample_rate is not None and _modality(klass) == "audio":
        kwargs["sample_rate"] = sample_rate
    try:
        layer = klass(**kwargs)
    except ArgumentError:  # a bad value (also a TypeError when of the wrong type)
        raise
    except TypeError as error:  # a layer with a required argument
        raise ValueError(f"{name} cannot be built with its defaults ({error}): write a "
                         f"policy file (tfaug.policies.save) and preview that.") from None
    return layer, modality or _modality(klass)


def _cmd_preview(args, out):
    from tfaug import viz  # pylint: disable=import-outside-toplevel
    layer, modality = _resolve_layer(args.policy, args.modality or input_modality(args.inputs),
                                     args.sample_rate)
    if modality not in viz.inputs.SUFFIXES:
        raise ValueError(f"cannot tell what {args.policy!r} augments (modality "
                         f"{modality!r}): pass --modality image|audio|text|tabular.")
    sample_rate = getattr(layer, "sample_rate", None) or args.sample_rate or 16000
    inputs = viz.read_inputs(args.inputs, modality,
                             None if args.image_size is None else tuple(args.image_size),
                             sample_rate=sample_rate, label_column=args.label_column)
    result = viz.preview(layer, inputs, n=args.n, seed=args.seed, path=args.output,
                         variants=args.variants, modality=modality)
    if modality == "text" and result.text:
        out.write(result.text.rstrip("\n") + "\n")
    for path in result.paths:
        out.write(f"wrote {path}\n")
    return 0


def _cmd_bench(args, out):
    from tfaug import bench  # pylint: disable=import-outside-toplevel
    bar = None if args.json else _Bar()
    try:
        result = bench.run(args.modality, quick=args.quick, peers=not args.no_peers,
                           progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    out.write(json.dumps(result) + "\n" if args.json else bench.format_table(result))
    return 0


class _Bar:
    """A tqdm bar on stderr driven by ``update(done, total, label)``."""

    def __init__(self):
        self.bar = None

    def update(self, done, total, label):
        import tqdm  # pylint: disable=import-outside-toplevel
        if self.bar is None:
            self.bar = tqdm.tqdm(total=total, unit="case", file=sys.stderr, disable=None)
        self.bar.set_postfix_str(label)
        self.bar.update(done - self.bar.n)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _cmd_serve(args, out):
    from tfaug.data import service  # pylint: disable=import-outside-toplevel
    if args.worker and args.dispatcher is None:
        raise ValueError("`--dispatcher` is required with --worker (HOST:PORT of the "
                         "dispatcher).")
    if not args.worker and args.dispatcher is not None:
        raise ValueError("`--dispatcher` is for workers: add --worker, or use "
                         "--dispatcher-port to start a dispatcher.")

    def log(line):
        out.write(line + "\n")
        out.flush()

    try:
        service.serve(dispatcher_port=args.dispatcher_port, worker=args.worker,
                      dispatcher=args.dispatcher, port=args.port,
                      worker_address=args.worker_address, work_dir=args.work_dir, log=log)
    except KeyboardInterrupt:
        log("stopped")
    return 0


COMMANDS = {
    "layers": _cmd_layers,
    "policies list": _cmd_policies_list,
    "policies show": _cmd_policies_show,
    "materialize": _cmd_materialize,
    "serve": _cmd_serve,
    "preview": _cmd_preview,
    "bench": _cmd_bench,
}
"""The commands by the key :func:`tfaug_cli.build_parser` stores in ``args.run``:
each takes ``(args, out)`` and returns the exit status."""


if __name__ == "__main__":
    sys.exit(main())
