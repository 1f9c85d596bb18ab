"""The notebooks in ``notebooks/`` run end to end (small settings) and are committed executed.

Each notebook is copied to a temporary folder and executed there with nbclient
in a fresh ``python3`` kernel with ``TFAUG_NOTEBOOK_SMALL=1`` (fewer epochs and
samples), so nothing is written into the repository. A failure shows the
failing cell's source and traceback. ``tools/run_notebooks.py`` re-executes
them in place with full settings (``make notebooks``).
"""

import importlib.util
import json
import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = [
    "01_image_quickstart.ipynb",
    "02_policies_and_intensity.ipynb",
    "03_text.ipynb",
    "04_audio.ipynb",
    "05_tabular_smote.ipynb",
    "06_export_and_serve.ipynb",
]
CELL_TIMEOUT = 300


def _runner():
    spec = importlib.util.spec_from_file_location("run_notebooks",
                                                  ROOT / "tools" / "run_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(name):
    return json.loads((NOTEBOOK_DIR / name).read_text(encoding="utf-8"))


def test_every_notebook_has_a_test():
    present = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
    assert present == sorted(NOTEBOOKS), (
        f"notebooks/ holds {present}; tests/test_notebooks.py lists {sorted(NOTEBOOKS)}: "
        "add a new notebook to NOTEBOOKS (and to notebooks/README.md)")


def test_readme_lists_every_notebook():
    readme = (NOTEBOOK_DIR / "README.md").read_text(encoding="utf-8")
    missing = [n for n in NOTEBOOKS if n not in readme]
    assert not missing, f"notebooks/README.md does not mention {missing}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_is_executed_without_errors(name):
    nb = _load(name)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, f"{name} has no code cells"
    source = "".join(code[0]["source"])
    assert 'os.environ.get("TFAUG_NOTEBOOK_SMALL") == "1"' in source, (
        f"{name}: the first code cell must read SMALL from TFAUG_NOTEBOOK_SMALL")
    unexecuted = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert not unexecuted, (f"{name}: code cells {unexecuted} were not executed; run "
                            f"`python tools/run_notebooks.py {name}`")
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{name}: execution counts {counts} are not 1..{len(code)} (run top to bottom)")
    errors = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(code)
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{name} has error outputs: {errors}"
    pictures = sum(bool({"image/png", "text/html"} & set(o.get("data", {})))
                   for c in code for o in c.get("outputs", []))
    assert pictures >= 1, f"{name}: expected previews or plots in the outputs, found none"
    size = (NOTEBOOK_DIR / name).stat().st_size
    assert size < 2_000_000, f"{name} is {size / 1e6:.2f} MB; keep embedded PNGs small"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name, tmp_path):
    pytest.importorskip("nbclient")
    pytest.importorskip("nbformat")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    runner = _runner()
    copy = tmp_path / name
    shutil.copy(NOTEBOOK_DIR / name, copy)
    work = tmp_path / "cwd"
    work.mkdir()
    before = sorted(p.name for p in NOTEBOOK_DIR.iterdir())
    try:
        nb, _ = runner.execute_notebook(copy, small=True, cwd=work, timeout=CELL_TIMEOUT)
    except runner.NotebookError as err:
        pytest.fail(str(err), pytrace=False)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    printed = "".join(o.get("text", "") for c in code for o in c.outputs
                      if o.get("output_type") == "stream" and o.get("name") == "stdout")
    assert "small settings: True" in printed, f"{name} did not run with small settings"
    # The notebooks print their checks as "<claim>: True"; none may come out False.
    failed = [line for line in printed.splitlines() if line.rstrip().endswith(": False")]
    assert not failed, f"{name}: printed checks failed: {failed}"
    assert printed.count(": True") >= 1, f"{name} printed no checks"
    assert sorted(p.name for p in NOTEBOOK_DIR.iterdir()) == before, (
        f"{name} wrote into notebooks/")


def test_runner_selects_by_prefix_and_rejects_unknown_names():
    runner = _runner()
    assert [p.name for p in runner.notebook_paths(["03"])] == ["03_text.ipynb"]
    assert [p.name for p in runner.notebook_paths(["05_tabular_smote.ipynb", "01"])] == [
        "01_image_quickstart.ipynb", "05_tabular_smote.ipynb"]
    assert len(runner.notebook_paths()) == len(NOTEBOOKS)
    with pytest.raises(ValueError, match="nope"):
        runner.notebook_paths(["nope"])


def test_runner_writes_atomically_and_strips_tf_logs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    runner = _runner()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=(
            "WARNING: All log messages before absl::InitializeLog() is called are written to "
            "STDERR\nI0000 00:00:1795448898.431705   17980 port.cc:153] oneDNN custom "
            "operations are on.\nreal warning\n")),
        nbformat.v4.new_output("stream", name="stderr", text=(
            "E0000 00:00:1795448900.781945   17980 cuda_platform.cc:52] failed call to "
            "cuInit\n")),
        nbformat.v4.new_output("stream", name="stdout", text="1\n"),
    ]
    nb.cells.append(cell)
    runner.strip_tf_logs(nb)
    assert [o.text for o in nb.cells[0].outputs] == ["real warning\n", "1\n"]
    path = tmp_path / "x.ipynb"
    path.write_text("old")
    path.chmod(0o644)
    runner.write_notebook(nb, path)
    assert path.stat().st_mode & 0o777 == 0o644
    assert nbformat.read(path, as_version=4).cells[0].outputs[1].text == "1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.ipynb"]  # no temporary left behind
    with pytest.raises(ValueError, match="timeout"):
        runner.execute_notebook(path, timeout=0)
