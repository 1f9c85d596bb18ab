"""Executes the notebooks in ``notebooks/`` in place (``make notebooks``).

Each notebook runs in a fresh ``python3`` kernel (nbclient) whose working
directory is a temporary folder, so nothing a notebook writes lands in the
repository; the executed notebook (outputs included) then replaces the
``.ipynb`` atomically (temporary name + ``os.replace``): a failed run leaves
the committed file untouched.

The notebooks read ``TFAUG_NOTEBOOK_SMALL``: ``--small`` sets it to ``1``
(fewer epochs, samples and smaller images: the settings the test suite runs
with, ``tests/test_notebooks.py``); without it the notebooks run their full
settings (a few minutes each on 2 CPU cores).

Usage:
  python tools/run_notebooks.py                 # all notebooks, full settings
  python tools/run_notebooks.py --small 01 03   # two notebooks, small settings
  python tools/run_notebooks.py --check         # execute, but do not rewrite files

Names select notebooks by file name, stem or prefix (``01``,
``01_image_quickstart``, ``01_image_quickstart.ipynb``).
"""

import argparse
import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SMALL_ENV = "TFAUG_NOTEBOOK_SMALL"
KERNEL = "python3"


class NotebookError(RuntimeError):
    """A notebook cell failed; the message holds the cell's source and traceback."""


def notebook_paths(names=(), folder=NOTEBOOKS):
    """The notebooks selected by ``names`` (all of ``folder`` when empty), sorted.

    Args:
      names: File names, stems or prefixes (``"01"``); empty selects all.
      folder: The notebooks folder.

    Returns:
      A sorted list of ``pathlib.Path``.

    Raises:
      ValueError: a name matches no notebook (the message lists the notebooks).
    """
    folder = pathlib.Path(folder)
    every = sorted(folder.glob("*.ipynb"))
    if not names:
        return every
    chosen = []
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"`names` must be non-empty strings, got {name!r}.")
        stem = name[:-len(".ipynb")] if name.endswith(".ipynb") else name
        hits = [p for p in every if p.stem == stem] or [p for p in every
                                                        if p.stem.startswith(stem)]
        if not hits:
            raise ValueError(f"notebook name {name!r} matches none of "
                             f"{[p.name for p in every]}.")
        chosen.extend(p for p in hits if p not in chosen)
    return sorted(chosen)


def _failure_message(path, nb, err):
    """The failing cell's source and traceback, found in the executed notebook."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                trace = "\n".join(output.get("traceback", []))
                value = str(output.get("evalue"))
                value = value if len(value) <= 800 else value[:800] + " ..."
                return (f"{path.name}: cell {index} failed: "
                        f"{output.get('ename')}: {value}\n"
                        f"--- cell source ---\n{cell.source}\n"
                        f"--- traceback ---\n{_shorten(_strip_ansi(trace))}")
    return f"{path.name}: execution failed: {_strip_ansi(str(err))}"


def _shorten(text, head=2000, tail=6000):
    """``text`` with its middle cut when longer than ``head + tail`` characters."""
    if len(text) <= head + tail:
        return text
    return f"{text[:head]}\n[... {len(text) - head - tail} characters cut ...]\n{text[-tail:]}"


def _strip_ansi(text):
    import re  # pylint: disable=import-outside-toplevel
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def execute_notebook(path, small=False, cwd=None, timeout=600):
    """Executes the notebook at ``path`` in a fresh kernel; returns it.

    Args:
      path: The ``.ipynb`` file (it is only read).
      small: Run with ``TFAUG_NOTEBOOK_SMALL=1`` (test-suite settings).
      cwd: The kernel's working directory; None: a new temporary folder,
        removed afterwards.
      timeout: Seconds allowed per cell.

    Returns:
      ``(notebook, seconds)``: the executed ``nbformat.NotebookNode`` and the
      wall time of the run.

    Raises:
      NotebookError: a cell raised; the message names the cell and holds its
        source and traceback.
      ValueError: ``timeout`` is not a positive number.
    """
    import nbclient  # pylint: disable=import-outside-toplevel
    import nbformat  # pylint: disable=import-outside-toplevel

    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ValueError(f"`timeout` must be a positive number of seconds, got {timeout!r}.")
    path = pathlib.Path(path)
    nb = nbformat.read(path, as_version=4)
    env_before = {k: os.environ.get(k) for k in (SMALL_ENV, "TF_CPP_MIN_LOG_LEVEL",
                                                "PYTHONPATH", "MPLBACKEND")}
    # The kernel inherits this process's environment.
    os.environ[SMALL_ENV] = "1" if small else "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), env_before["PYTHONPATH"]) if p)
    tmp = None
    if cwd is None:
        tmp = tempfile.TemporaryDirectory(prefix="tfaug_nb_")
        cwd = tmp.name
    start = time.perf_counter()
    try:
        client = nbclient.NotebookClient(
            nb, timeout=timeout, kernel_name=KERNEL, record_timing=False,
            resources={"metadata": {"path": str(cwd)}})
        try:
            client.execute()
        except nbclient.exceptions.CellExecutionError as err:
            raise NotebookError(_failure_message(path, nb, err)) from None
        except nbclient.exceptions.CellTimeoutError as err:
            raise NotebookError(f"{path.name}: a cell ran past {timeout} s: {err}") from None
    finally:
        for key, value in env_before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if tmp is not None:
            tmp.cleanup()
    return nb, time.perf_counter() - start


_TF_LOG_LINE = None


def strip_tf_logs(nb):
    """Removes TensorFlow's C++ start-up log lines from ``nb``'s stderr outputs.

    TensorFlow logs a few lines (``I0000 ... oneDNN custom operations ...``,
    ``E0000 ... cuInit ...``) before ``TF_CPP_MIN_LOG_LEVEL`` takes effect;
    they say nothing about the notebook. Outputs left empty are dropped.

    Args:
      nb: An executed ``nbformat.NotebookNode`` (changed in place).

    Returns:
      ``nb``.
    """
    import re  # pylint: disable=import-outside-toplevel
    global _TF_LOG_LINE  # pylint: disable=global-statement
    if _TF_LOG_LINE is None:
        _TF_LOG_LINE = re.compile(r"^([IWEF]\d{4} \d+:\d+:\d+\.\d+ +\d+ \S+:\d+\] .*"
                                  r"|WARNING: All log messages before absl::InitializeLog\(\).*)$")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                lines = [l for l in output.text.splitlines(keepends=True)
                         if not _TF_LOG_LINE.match(l.rstrip("\n"))]
                if not "".join(lines).strip():
                    continue
                output.text = "".join(lines)
            kept.append(output)
        cell.outputs = kept
    return nb


def write_notebook(nb, path):
    """Writes ``nb`` to ``path`` atomically (temporary name + ``os.replace``),
    keeping the old file's permission bits."""
    import nbformat  # pylint: disable=import-outside-toplevel
    from tfaug.core import files  # pylint: disable=import-outside-toplevel
    path = pathlib.Path(path)
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    files.write_atomically(path, lambda handle: nbformat.write(nb, handle), mode=mode)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="notebooks to run (default: all)")
    parser.add_argument("--small", action="store_true",
                        help=f"small settings ({SMALL_ENV}=1), as the tests run them")
    parser.add_argument("--check", action="store_true",
                        help="execute only; do not rewrite the notebooks")
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds allowed per cell (default 900)")
    args = parser.parse_args(argv)
    try:
        paths = notebook_paths(args.names)
    except ValueError as err:
        parser.error(str(err))
    if not paths:
        parser.error(f"no notebooks in {NOTEBOOKS}")
    failed = []
    for path in paths:
        try:
            nb, seconds = execute_notebook(path, small=args.small, timeout=args.timeout)
        except NotebookError as err:
            print(f"FAILED {path.name}\n{err}", file=sys.stderr, flush=True)
            failed.append(path.name)
            continue
        if not args.check:
            write_notebook(strip_tf_logs(nb), path)
        size = path.stat().st_size / 1e6
        print(f"{path.name}: {seconds:.1f} s ({'small' if args.small else 'full'} settings"
              f"{', not written' if args.check else f', {size:.2f} MB'})", flush=True)
    if failed:
        print(f"{len(failed)} notebook(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
