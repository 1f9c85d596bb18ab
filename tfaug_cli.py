"""The ``tfaug`` console command: arguments, help and dispatch, without TensorFlow.

``tfaug --help``, ``tfaug COMMAND --help`` and ``tfaug --version`` are answered
here with the standard library alone, in a fraction of a second. TensorFlow is
imported only when a command runs: this module then imports :mod:`tfaug.cli`,
which holds the commands. It sits beside the ``tfaug`` package, not inside it:
importing anything under ``tfaug`` first runs ``tfaug/__init__.py``, which
imports every modality and TensorFlow on purpose (``import tfaug`` registers
every layer with Keras, so ``keras.models.load_model`` finds them).

Before that import, ``TF_CPP_MIN_LOG_LEVEL`` is set to 2 unless you set it, and
the start-up log lines TensorFlow prints below that level anyway (oneDNN, CUDA
drivers, absl's pre-initialization notice) are dropped; other output passes.
A missing optional dependency is one line on stderr naming the extra to install
(``pip install "tfaugment[viz]"``) and exit status 1.

``python -m tfaug_cli ...`` is the same command; ``python -m tfaug ...`` works
too but imports TensorFlow even for ``--help``.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> main(["policies"], out=out)  # a group without its subcommand: its help
    2
    >>> out.getvalue().splitlines()[0]
    'usage: tfaug policies [-h] {list,show} ...'
"""

import argparse
import contextlib
import functools
import importlib
import importlib.util
import os
import re
import runpy
import sys
import tempfile
import types
from typing import TextIO

MODALITIES = ("image", "text", "audio", "tabular")

# Importable name -> (what to install, extra or None for the base package, what needs it).
_DEPENDENCIES = {
    "matplotlib": ("matplotlib", "viz", "the preview figures need it"),
    "PIL": ("Pillow", "viz", "the previews need it"),
    "tensorboard": ("TensorBoard", "viz", "the preview callbacks need it"),
    "tensorflow_text": ("TensorFlow Text", "text", "the text layers need it"),
    "albumentations": ("albumentations", "bench", "bench compares with it"),
    "nlpaug": ("nlpaug", "bench", "bench compares with it"),
    "audiomentations": ("audiomentations", "bench", "bench compares with it"),
    "tensorflow": ("TensorFlow", None, "tfaug needs it"),
    "keras": ("Keras", None, "tfaug needs it"),
    "numpy": ("NumPy", None, "tfaug needs it"),
    "tqdm": ("tqdm", None, "tfaug needs it"),
}

# A TensorFlow/absl log record: "I0000 00:00:1712345678.123456   1234 port.cc:153] ..."
# (absl, before absl::InitializeLog) or "2025-01-02 03:04:05.678901: I path.cc:32] ..." (tsl).
_LOG_RECORD = re.compile(r"(?:([IWEF])\d{4} [\d:.]+\s+\d+ \S+:\d+\] "
                         r"|\d{4}-\d\d-\d\d [\d:.]+: ([IWEF]) \S+:\d+\] )")
_ABSL_NOTICE = ("WARNING: All log messages before absl::InitializeLog() is called are "
                "written to STDERR")
_SEVERITIES = "IWEF"  # the order of TF_CPP_MIN_LOG_LEVEL's 0..3
# Start-up records TensorFlow logs as errors that stop nothing: no CUDA driver (TensorFlow
# runs on the CPU) and plugins registered twice. Read as warnings: shown below level 2.
_BENIGN_ERRORS = re.compile(r"failed call to cuInit|Unable to register cu\w+ factory")


@functools.lru_cache(maxsize=None)
def package_info() -> tuple[str, str]:
    """``(version, distribution)`` from ``tfaug/_version.py``, without importing tfaug.

    The file is found with :func:`importlib.util.find_spec` (which does not run
    ``tfaug/__init__.py``) and executed alone: it holds two constants.

    Returns:
      ``(__version__, DISTRIBUTION)``, e.g. ``("0.2.0", "tfaugment")``.

    Example:
      >>> package_info()[1]
      'tfaugment'
    """
    spec = importlib.util.find_spec("tfaug")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "_version.py")
        if os.path.isfile(path):
            names = runpy.run_path(path)
            return names["__version__"], names["DISTRIBUTION"]
    raise ImportError("the tfaug package is not installed (no tfaug/_version.py found).")


def install_hint(module: str) -> str | None:
    """The pip command that installs the importable ``module``, or None if unknown.

    Example:
      >>> install_hint("matplotlib")
      'pip install "tfaugment[viz]"'
      >>> install_hint("tensorflow")
      'pip install tfaugment'
    """
    entry = _DEPENDENCIES.get(module.split(".")[0])
    if entry is None:
        return None
    distribution = package_info()[1]
    return f'pip install "{distribution}[{entry[1]}]"' if entry[1] else f"pip install {distribution}"


def missing_dependency_message(error: ImportError) -> str:
    """One line for an :class:`ImportError`: what is missing and what to install.

    Follows the chain of causes to the :class:`ModuleNotFoundError` that names
    the module (an ImportError raised ``from`` it carries tfaug's own message).
    A known dependency counts as missing only when it cannot be found at all (a
    module missing inside an installed package is another problem).

    Args:
      error: The ImportError a command raised.

    Returns:
      ``"matplotlib is not installed (the preview figures need it): pip install
      "tfaugment[viz]""`` for a known module; else the error's first line.

    Example:
      >>> missing_dependency_message(ImportError("a\\nb"))  # no module named: its first line
      'a'
    """
    seen, current = set(), error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = getattr(current, "name", None)
        if isinstance(current, ImportError) and name and install_hint(name) and _absent(name):
            label, _, purpose = _DEPENDENCIES[name.split(".")[0]]
            return f"{label} is not installed ({purpose}): {install_hint(name)}"
        current = current.__cause__ or current.__context__
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _absent(module: str) -> bool:
    """True when the top-level package of ``module`` cannot be imported at all."""
    try:
        return importlib.util.find_spec(module.split(".")[0]) is None
    except (ImportError, ValueError):  # a finder that refuses it, or a broken entry
        return True


def _log_level() -> int:
    try:
        return int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
    except ValueError:
        return 0


def drop_tensorflow_log(text: str, level: int) -> str:
    """``text`` without the TensorFlow log records of a severity below ``level``.

    ``level`` reads as ``TF_CPP_MIN_LOG_LEVEL``: 1 drops INFO, 2 also WARNING,
    3 also ERROR. Two start-up errors that stop nothing count as warnings: the
    failed CUDA initialization of a machine without a GPU driver and a plugin
    factory registered twice. absl's notice that logs go to stderr is dropped
    from level 1. Every other line is kept.

    Example:
      >>> drop_tensorflow_log("I0000 00:00:17.5   42 port.cc:153] oneDNN on\\nkept\\n", 2)
      'kept\\n'
    """
    kept = []
    for line in text.splitlines(keepends=True):
        match = _LOG_RECORD.match(line)
        if match:
            severity = _SEVERITIES.index(match.group(1) or match.group(2))
            if severity == 2 and _BENIGN_ERRORS.search(line):
                severity = 1
            if severity < level:
                continue
        if level >= 1 and line.rstrip("\r\n") == _ABSL_NOTICE:
            continue
        kept.append(line)
    return "".join(kept)


def _flush_std_streams():
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def import_quietly(name: str, err: TextIO) -> types.ModuleType:
    """Imports module ``name`` (which imports TensorFlow) without its start-up banner.

    Sets ``TF_CPP_MIN_LOG_LEVEL=2`` unless it is set, then imports, and lists
    the devices (where TensorFlow tries CUDA), with the process's stderr (file
    descriptor 2, where TensorFlow's C++ code writes) sent to a temporary file,
    and writes what was captured to ``err`` less the log records below that
    level (:func:`drop_tensorflow_log`). A level of 0, or TensorFlow already
    imported, imports plainly.

    Args:
      name: A module name, e.g. ``"tfaug.cli"``.
      err: Where the kept lines go (a text stream).

    Returns:
      The module.

    Example:
      >>> import io
      >>> import_quietly("json", io.StringIO()).dumps([1])
      '[1]'
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    level = _log_level()
    if level <= 0 or "tensorflow" in sys.modules:
        return importlib.import_module(name)
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 (e.g. a GUI process): nothing to filter
        return importlib.import_module(name)
    with tempfile.TemporaryFile() as capture:
        _flush_std_streams()
        os.dup2(capture.fileno(), 2)
        try:
            module = importlib.import_module(name)
            if "tensorflow" in sys.modules:  # the first CUDA attempt logs too
                sys.modules["tensorflow"].config.list_physical_devices()
            return module
        finally:
            _flush_std_streams()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept = drop_tensorflow_log(capture.read().decode("utf-8", "replace"), level)
            if kept:
                err.write(kept)
                err.flush()


def _add_layers(sub):
    layers = sub.add_parser(
        "layers", help="list the augmentation layers: name, modality, summary",
        description="List the registered augmentation layers and compositions as a table: "
        "NAME (the name `tfaug preview` and policy files use), MODALITY (image, text, "
        "audio, tabular; 'any' for compositions) and SUMMARY (the first line of its "
        "documentation, cut to the terminal's width).")
    layers.add_argument("--modality", default=None, choices=MODALITIES,
                        help="only the layers of this modality (and the compositions)")
    layers.add_argument("--json", action="store_true",
                        help="print one JSON line: [{name, modality, kind, module, summary}]")
    layers.set_defaults(run="layers")


def _add_policies(sub):
    policies = sub.add_parser("policies", help="list and show policy files",
                              description="Policy files: the JSON files shipped in "
                              "saved_policies/ (loadable by name) or your own.")
    policies.set_defaults(run=None, help_parser=policies)
    psub = policies.add_subparsers(dest="policies_command")
    plist = psub.add_parser("list", help="list the shipped policies",
                            description="List the policies shipped with tfaug: name, "
                            "modality and description.")
    plist.add_argument("--json", action="store_true",
                       help="print one JSON line: [{name, modality, class, description}]")
    plist.set_defaults(run="policies list")
    show = psub.add_parser("show", help="print a policy file and its layer tree",
                           description="Validate a policy (a shipped name or a path to a "
                           "JSON file), print it as pretty JSON and summarize the layers "
                           "it builds. A bad file prints the JSON path of the bad field "
                           "and exits with status 1.")
    show.add_argument("policy", metavar="NAME_OR_PATH",
                      help="a shipped policy name (see `tfaug policies list`) or a path")
    show.add_argument("--json", action="store_true",
                      help="print only the JSON (no layer summary)")
    show.set_defaults(run="policies show")


def _add_materialize(sub):
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
    mat.set_defaults(run="materialize")


def _add_serve(sub):
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
    serve.set_defaults(run="serve")


def _add_preview(sub):
    pre = sub.add_parser(
        "preview", help="write a preview of what a policy or layer does to your files",
        description="Apply POLICY (a shipped policy name, a policy file, or a layer name "
        "from `tfaug layers` such as RandomFlip, RandomSwap or SMOTE, built with its "
        "defaults) to INPUT files and write a preview to -o. The files' type says what "
        "they are, and picks the layer when a name exists in several modalities "
        "(GaussianNoise with a .csv is the tabular one): images (JPEG/PNG/BMP/GIF files "
        "or folders) -> a PNG grid, originals in the first column; audio (.wav) -> a PNG "
        "of waveforms and log-mel spectrograms plus WAV files of the variants; text "
        "(.txt, one sample a line) -> HTML with the changed words marked, also printed "
        "here; tabular (.csv with a header and a label column) -> a PNG of a PCA scatter "
        "and histograms. Needs the [viz] extra (matplotlib).")
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
    pre.add_argument("--modality", default=None, choices=MODALITIES,
                     help="what the inputs are (default: told by the files' type, else "
                     "the policy's modality)")
    pre.add_argument("--image-size", type=int, nargs=2, default=None, metavar=("H", "W"),
                     help="fit and pad images to H x W (default: each image at its own size)")
    pre.add_argument("--sample-rate", type=int, default=None, metavar="HZ",
                     help="rate for an audio layer built by name (default 16000); WAVs at "
                     "another rate are resampled to the layer's rate")
    pre.add_argument("--label-column", default="label", metavar="NAME",
                     help="CSV column with the integer class (default 'label')")
    pre.set_defaults(run="preview")


def _add_bench(sub):
    ben = sub.add_parser(
        "bench", help="measure augmentation throughput on this machine",
        description="Time a few tfaug augmentations of MODALITY on generated data where "
        "they run in training (tf.data map), beside a peer library doing the same work "
        "when it is installed (keras.layers for images, nlpaug for text, audiomentations "
        "for audio, imbalanced-learn for SMOTE), and print samples/s and the ratio "
        "(> 1: tfaug faster). A progress bar shows on a terminal.")
    ben.add_argument("modality", choices=MODALITIES, help="what to measure")
    ben.add_argument("--quick", action="store_true",
                     help="small batches, few steps (seconds; rough figures)")
    ben.add_argument("--no-peers", action="store_true", help="time tfaug only")
    ben.add_argument("--json", action="store_true", help="print one JSON line, no progress bar")
    ben.set_defaults(run="bench")


def build_parser() -> argparse.ArgumentParser:
    """The ``tfaug`` argument parser (every command takes ``--help``); no TensorFlow.

    Each command's parser sets ``run`` to the key of its implementation in
    ``tfaug.cli.COMMANDS`` (None for a group: its help is printed).

    Returns:
      An :class:`argparse.ArgumentParser`.

    Example:
      >>> build_parser().parse_args(["layers", "--modality", "audio"]).run
      'layers'
    """
    version, distribution = package_info()
    parser = argparse.ArgumentParser(
        prog="tfaug", description="tfaug: data augmentation layers for TensorFlow/Keras "
        f"(pip install {distribution}). Run `tfaug COMMAND --help` for a command's options.")
    parser.add_argument("--version", action="version", version=f"tfaug {version}")
    parser.set_defaults(run=None, help_parser=parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_layers(sub)
    _add_policies(sub)
    _add_materialize(sub)
    _add_serve(sub)
    _add_preview(sub)
    _add_bench(sub)
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Entry point of the ``tfaug`` console script; returns the exit status.

    Parses ``argv`` (help and ``--version`` end here, without TensorFlow), then
    imports :mod:`tfaug.cli` quietly (:func:`import_quietly`) and runs the command.

    Args:
      argv: Arguments (default ``sys.argv[1:]``).
      out: Stream for normal output (default ``sys.stdout``); help goes there too.
      err: Stream for error messages (default ``sys.stderr``).

    Returns:
      0 on success; 1 when a policy, a file or an argument value is bad or an
      optional dependency is missing (one line on ``err``); 2 on a usage error
      (argparse exits with 2) or a command group given without its subcommand.

    Example:
      >>> import io
      >>> main(["layers", "--modality", "video"], err=io.StringIO())
      Traceback (most recent call last):
      SystemExit: 2
    """
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        args = parser.parse_args(argv)
    if args.run is None:
        args.help_parser.print_help(out)
        return 2
    try:
        commands = import_quietly("tfaug.cli", err).COMMANDS
        return commands[args.run](args, out)
    except (ValueError, OSError) as error:  # tfaug's PolicyError is a ValueError
        err.write(f"tfaug: error: {error}\n")
        return 1
    except ImportError as error:
        err.write(f"tfaug: error: {missing_dependency_message(error)}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
