"""Shared by the experiments' smoke tests: load a script, read what it wrote."""

import importlib.util
import json
import pathlib

EXPERIMENTS = pathlib.Path(__file__).resolve().parents[2] / "experiments"


def load_script(name):
    """Imports ``experiments/<name>.py`` by path (experiments is no package)."""
    spec = importlib.util.spec_from_file_location(f"exp_{name}", EXPERIMENTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outputs(out, name):
    """``(markdown, data)`` of ``<out>/<name>.md|.json``, after checking the three
    files exist, the PNG is one, and no temporary file was left behind."""
    out = pathlib.Path(out)
    files = {ext: out / f"{name}.{ext}" for ext in ("md", "png", "json")}
    for path in files.values():
        assert path.is_file() and path.stat().st_size > 0, path
    assert files["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(out.glob(".*tmp*")), "a temporary file was left behind"
    return files["md"].read_text(encoding="utf-8"), json.loads(files["json"].read_text())


def table_rows(markdown, first_header):
    """Every markdown table whose first header cell is ``first_header``:
    ``[{"headers": [...], "rows": [[cells]]}]``."""
    tables, current = [], None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            current = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if current is None:
            current = {"headers": cells, "rows": []}
            tables.append(current)
        elif not set(line.replace("|", "").strip()) <= {"-"}:
            current["rows"].append(cells)
    return [t for t in tables if t["headers"][0] == first_header]


def first_table(markdown, first_header):
    """``(headers, rows)`` of the first such table (see :func:`table_rows`)."""
    table = table_rows(markdown, first_header)[0]
    return table["headers"], table["rows"]
