"""Shared plumbing of the efficacy experiments (``experiments/*.py``).

Each experiment is a script with ``main(argv=None) -> dict`` that trains and
evaluates with and without tfaug augmentation and writes, under ``--out``
(default ``docs/results``), ``<name>.md`` (a markdown table with the setup and
the findings) and ``<name>.png`` (a plot), plus ``<name>.json`` (the raw
numbers). ``--smoke`` runs the smallest settings (the test suite's smoke tests
call ``main(["--smoke", "--out", tmp])``).

Numbers are reported as mean ± std over seeds (or folds); ``format_mean_std``
writes them the same way in every table.
"""

import argparse
import json
import os
import pathlib
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(1, str(ROOT))

from tfaug.core import files  # noqa: E402  (after the sys.path line)

RESULTS = ROOT / "docs" / "results"


def parser(description):
    """An ``argparse`` parser with the options every experiment takes.

    ``--smoke`` (smallest settings, seconds), ``--out DIR`` (where the table,
    plot and JSON go; default docs/results) and ``--seeds K``.
    """
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--smoke", action="store_true",
                   help="smallest settings (a few seconds; what the test suite runs)")
    p.add_argument("--out", default=str(RESULTS), metavar="DIR",
                   help=f"folder for <name>.md/.png/.json (default {RESULTS})")
    p.add_argument("--seeds", type=int, default=None, metavar="K",
                   help="seeds per setting (default: the script's)")
    return p


def log(*args):
    """Progress on stderr (stdout stays for the final summary)."""
    print(*args, file=sys.stderr, flush=True)


def mean_std(values):
    """``(mean, std)`` of a list of numbers (population std; 0 for one value)."""
    values = [float(v) for v in values]
    if not values:
        raise ValueError("mean_std needs at least one value")
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / len(values)
    return mean, var ** 0.5


def format_mean_std(values, digits=3, percent=False):
    """``"0.912 ± 0.004"`` (or ``"91.2 ± 0.4"`` with ``percent=True``)."""
    mean, std = mean_std(values)
    if percent:
        mean, std = 100 * mean, 100 * std
        digits = max(digits - 2, 0)
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def markdown_table(headers, rows):
    """A GitHub markdown table from a header list and rows of cells."""
    cells = [[str(c) for c in row] for row in rows]
    for row in cells:
        if len(row) != len(headers):
            raise ValueError(f"row {row} has {len(row)} cells, headers have {len(headers)}")
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def _atomic_write(path, data):
    files.write_atomically(path, lambda handle: handle.write(data),
                           binary=isinstance(data, bytes))


def write_results(out, name, markdown, figure=None, data=None):
    """Write ``<out>/<name>.md``, ``.png`` (a matplotlib figure) and ``.json``.

    Args:
      out: Output folder (created if missing).
      name: File stem, e.g. ``"image_cnn"``.
      markdown: The report (title, setup, table(s), findings).
      figure: A matplotlib ``Figure`` saved as PNG (closed afterwards), or None.
      data: JSON-serializable raw numbers, or None.

    Returns:
      The list of written paths.
    """
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    md = out / f"{name}.md"
    _atomic_write(md, markdown.rstrip() + "\n")
    written.append(md)
    if figure is not None:
        import io  # pylint: disable=import-outside-toplevel
        import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
        buf = io.BytesIO()
        figure.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        plt.close(figure)
        png = out / f"{name}.png"
        _atomic_write(png, buf.getvalue())
        written.append(png)
    if data is not None:
        js = out / f"{name}.json"
        _atomic_write(js, json.dumps(data, indent=1, sort_keys=True) + "\n")
        written.append(js)
    return written


class Timer:
    """``with Timer() as t: ...``; ``t.seconds`` afterwards."""

    def __enter__(self):
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        return False
