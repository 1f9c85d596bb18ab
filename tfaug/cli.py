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
    tfaug bench image                                      # throughput vs a peer library

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
from tfaug.core.validation import ArgumentError
from tfaug.policies import io as policy_io

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


def _resolve_layer(spec, sample_rate=None):
    """A registered layer name (built with its defaults), else a policy name/path."""
    klass = registry.registered().get(spec)
    if klass is None:
        return tfaug.policies.load(spec)
    kwargs = {}
    if sample_rate is not None and getattr(klass, "modality", None) == "audio":
        kwargs["sample_rate"] = sample_rate
    try:
        return klass(**kwargs)
    except ArgumentError:  # a bad value (also a TypeError when of the wrong type)
        raise
    except TypeError as error:  # a layer with a required argument
        raise ValueError(f"{spec} cannot be built with its defaults ({error}): write a "
                         f"policy file (tfaug.policies.save) and preview that.") from None


def _cmd_preview(args, out):
    from tfaug import viz  # pylint: disable=import-outside-toplevel
    layer = _resolve_layer(args.policy, args.sample_rate)
    modality = args.modality or layer.modality
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


def _add_preview(sub):
    pre = sub.add_parser(
        "preview", help="write a preview of what a policy or layer does to your files",
        description="Apply POLICY (a shipped policy name, a policy file, or a registered "
        "layer name such as RandomFlip or RandomSwap, built with its defaults) to INPUT "
        "files and write a preview to -o: images (JPEG/PNG/BMP/GIF files or folders) -> a "
        "PNG grid, originals in the first column; audio (WAV) -> a PNG of waveforms and "
        "log-mel spectrograms plus WAV files of the variants; text (.txt, one sample a "
        "line) -> HTML with the changed words marked, also printed here; tabular (CSV "
        "with a header and a label column) -> a PNG of a PCA scatter and histograms.")
    pre.add_argument("policy", metavar="POLICY",
                     help="policy name/path (`tfaug policies list`) or a layer name "
                     "(`tfaug layers`)")
    pre.add_argument("inputs", metavar="INPUT", nargs="+", help="files or folders")
    pre.add_argument("-o", "--output", required=True, metavar="OUT",
                     help="the preview file (PNG; .html for text)")
    pre.add_argument("-n", type=int, default=16, metavar="N", help="samples shown (default 16)")
    pre.add_argument("--variants", type=int, default=4, metavar="V",
                     help="augmented versions of each sample (default 4)")
    pre.add_argument("--seed", type=int, default=0, metavar="S", help="seed (default 0)")
    pre.add_argument("--modality", default=None, choices=("image", "audio", "text", "tabular"),
                     help="what the inputs are (default: the policy's modality)")
    pre.add_argument("--image-size", type=int, nargs=2, default=None, metavar=("H", "W"),
                     help="resize images to H x W (default: the first image's size)")
    pre.add_argument("--sample-rate", type=int, default=None, metavar="HZ",
                     help="rate for an audio layer built by name (default 16000); WAVs at "
                     "another rate are resampled to the layer's rate")
    pre.add_argument("--label-column", default="label", metavar="NAME",
                     help="CSV column with the integer class (default 'label')")
    pre.set_defaults(func=_cmd_preview)


def _add_bench(sub):
    ben = sub.add_parser(
        "bench", help="measure augmentation throughput on this machine",
        description="Time a few tfaug augmentations of MODALITY on generated data where "
        "they run in training (tf.data map), beside a peer library doing the same work "
        "when it is installed (keras.layers for images, nlpaug for text, audiomentations "
        "for audio, imbalanced-learn for SMOTE), and print samples/s and the ratio "
        "(> 1: tfaug faster). A progress bar shows on a terminal.")
    ben.add_argument("modality", choices=("image", "text", "audio", "tabular"),
                     help="what to measure")
    ben.add_argument("--quick", action="store_true",
                     help="small batches, few steps (seconds; rough figures)")
    ben.add_argument("--no-peers", action="store_true", help="time tfaug only")
    ben.add_argument("--json", action="store_true", help="print one JSON line, no progress bar")
    ben.set_defaults(func=_cmd_bench)


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

    mat = sub.add_parser(
        "materialize", help="write augmented copies of an image folder as TFRecords",
        description="Offline augmentation: read INPUT (one folder per class holding "
        "JPEG/PNG images; labels are the sorted folder indices), augment every image "
        "COPIES times with a policy and write TFRecord shards plus manifest.json to "
        "--output (read them back with tfaug.data.load_materialized). A rerun "
        "with the same arguments resumes an interrupted run; every shard is regenerated "
        "bit for bit from the same arguments. A progress bar shows on a terminal.")
    mat.add_argument("input", metavar="INPUT", help="image folder: INPUT/<class>/<image>")
    mat.add_argument("--policy", required=True, metavar="NAME_OR_PATH",
                     help="a shipped policy name (see `tfaug policies list`) or a path")
    mat.add_argument("--output", required=True, metavar="DIR", help="output directory")
    mat.add_argument("--copies", type=int, default=1, metavar="N",
                     help="augmented copies per image (default 1)")
    mat.add_argument("--shards", type=int, default=8, metavar="K",
                     help="number of TFRecord shards (default 8)")
    mat.add_argument("--seed", type=int, default=0, metavar="S", help="root seed (default 0)")
    mat.add_argument("--batch-size", type=int, default=32, metavar="B",
                     help="images augmented together (default 32); part of the result")
    mat.add_argument("--image-size", type=int, nargs=2, default=None, metavar=("H", "W"),
                     help="resize every image to H x W (needed when sizes differ)")
    mat.add_argument("--channels", type=int, default=3, choices=(1, 3, 4),
                     help="channels to decode images to (default 3)")
    mat.add_argument("--overwrite", action="store_true",
                     help="replace a materialization made with other arguments")
    mat.set_defaults(func=_cmd_materialize)

    serve = sub.add_parser(
        "serve", help="run a tf.data service dispatcher or worker",
        description="Scale out reading and augmentation with the tf.data service: start "
        "a dispatcher (`tfaug serve --dispatcher-port 5050`) on one machine and workers "
        "(`tfaug serve --worker --dispatcher HOST:5050`) on others, then build with "
        "Pipeline.build(data_service='grpc://HOST:5050'). Serves until stopped (Ctrl-C).")
    serve.add_argument("--dispatcher-port", type=int, default=None, metavar="P",
                       help="start a dispatcher on port P (default: a free port)")
    serve.add_argument("--work-dir", default=None, metavar="DIR",
                       help="dispatcher journal directory (restarts resume from it)")
    serve.add_argument("--worker", action="store_true", help="start a worker instead")
    serve.add_argument("--dispatcher", default=None, metavar="ADDR",
                       help="the dispatcher a worker registers with (HOST:PORT)")
    serve.add_argument("--port", type=int, default=0, metavar="P",
                       help="the worker's port (default: a free port)")
    serve.add_argument("--worker-address", default=None, metavar="HOST:%port%",
                       help="how other machines reach this worker (default localhost)")
    serve.set_defaults(func=_cmd_serve)
    _add_preview(sub)
    _add_bench(sub)
    return parser


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
