"""Runs Keras' own image-preprocessing unit tests against tfaug's same-named layers.

Issue 18 (item 3): every tfaug class named like one of keras.layers' image
augmentation layers takes Keras' arguments in Keras' order, with Keras' meanings and
defaults. The reference is Keras' own test suite,
``keras/src/layers/preprocessing/image_preprocessing/*_test.py``, run from a copy of
the keras repository's source that lives *outside* this repository (a checkout, or an
extract of just those test files). No Keras test code is copied into tfaug.

How it works:

* Only the test files come from ``--keras-src``; everything they import (``keras.src.
  testing``, ``keras.src.backend``, ...) is the *installed* keras package. pytest
  runs them in place with ``--import-mode=importlib`` (so a full checkout's
  ``keras/__init__.py`` never shadows the installed package) and with this script's
  own ini file, rootdir and ``--confcutdir`` (so nothing of the checkout's
  ``conftest.py``/``pyproject.toml`` is loaded).
* A pytest plugin, written to a temporary folder and loaded with ``-p``, rebinds
  ``keras.src.layers.<Name>`` and ``keras.layers.<Name>`` to tfaug's class of the same
  name (``tfaug.core.registry.get(name)``, else ``tfaug``/``tfaug.image``/
  ``tfaug.policies``.<Name>) before any test module is imported. A name tfaug lacks is
  bound to a placeholder whose constructor raises, and every test of that layer counts
  as failed with reason ``missing``.
* Two pytest processes: a collect-only pass with Keras' own classes lists every test
  (so a test file that fails to import against tfaug still counts its tests, as
  failed), then the real run. Each test has a per-test time limit (pytest-timeout when
  installed, else SIGALRM).
* The ``grain`` package (imported at module level by ``resizing_test.py``) is not a
  tfaug dependency; when it is not installed a stub stands in, and the one test that
  uses it is reported as skipped instead of the whole file failing to import.

Output: one JSON line on stdout: per layer ``{class, passed, failed, skipped, total,
excluded}`` (counts over the target tests), and overall ``target`` (all tests but
EXCLUDED), ``keras_transform_api`` (the part of the target listed in
KERAS_TRANSFORM_API), ``excluded`` and ``all`` totals. ``--report PATH`` writes every
test's outcome and one-line reason as JSON, ``--junit PATH`` pytest's JUnit XML.
``--against keras`` runs the same tests against Keras' own classes: a check that a
failure comes from tfaug, not from the environment (v3.15.1: 296 pass, 1 skipped for
``grain``).

Usage:
  .venv/bin/python tools/keras_reference_tests.py --keras-src /tmp/keras_src
  .venv/bin/python tools/keras_reference_tests.py --keras-src /tmp/keras_src \\
      --report /tmp/keras_ref.json --layers RandomFlip RandomContrast
  .venv/bin/python tools/keras_reference_tests.py --keras-src /tmp/keras_src --against keras
"""

import argparse
import collections
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEST_DIR = pathlib.Path("keras/src/layers/preprocessing/image_preprocessing")

# Keras' test file -> the keras.layers class it tests (issue 18's 28 layers). Keras'
# other files in that folder (CLAHE, RandomColorDegeneration, MaxNumBoundingBoxes,
# the base layer) test layers tfaug is not asked to mirror.
LAYER_TESTS = {
    "random_flip_test.py": "RandomFlip",
    "random_rotation_test.py": "RandomRotation",
    "random_zoom_test.py": "RandomZoom",
    "random_translation_test.py": "RandomTranslation",
    "random_shear_test.py": "RandomShear",
    "random_crop_test.py": "RandomCrop",
    "center_crop_test.py": "CenterCrop",
    "resizing_test.py": "Resizing",
    "random_contrast_test.py": "RandomContrast",
    "random_brightness_test.py": "RandomBrightness",
    "random_saturation_test.py": "RandomSaturation",
    "random_hue_test.py": "RandomHue",
    "random_grayscale_test.py": "RandomGrayscale",
    "random_color_jitter_test.py": "RandomColorJitter",
    "solarization_test.py": "Solarization",
    "random_posterization_test.py": "RandomPosterization",
    "random_sharpness_test.py": "RandomSharpness",
    "equalization_test.py": "Equalization",
    "auto_contrast_test.py": "AutoContrast",
    "random_invert_test.py": "RandomInvert",
    "random_erasing_test.py": "RandomErasing",
    "random_gaussian_blur_test.py": "RandomGaussianBlur",
    "random_perspective_test.py": "RandomPerspective",
    "random_elastic_transform_test.py": "RandomElasticTransform",
    "mix_up_test.py": "MixUp",
    "cut_mix_test.py": "CutMix",
    "rand_augment_test.py": "RandAugment",
    "aug_mix_test.py": "AugMix",
}

# Tests that cannot apply to a class that is not Keras' own implementation. They still
# run and are listed in --report, but they are counted under "excluded", not in the
# target. Keys are test ids relative to TEST_DIR; a key ending in "*" matches every id
# that starts with it (a parameterized test's cases).
EXCLUDED = {
    # MockedRandomFlip patches `layer.backend.random.uniform` (Keras' backend RNG,
    # reached through the Keras-private `self.backend` of a Keras image layer) to force
    # the flip decision; tfaug draws with tf.random.stateless_* (DESIGN: stateless TF
    # RNG only), so the patch cannot reach it.
    "random_flip_test.py::RandomFlipTest::test_random_flip_horizontal":
        "patches Keras' backend RNG (self.backend.random.uniform)",
    "random_flip_test.py::RandomFlipTest::test_random_flip_vertical":
        "patches Keras' backend RNG (self.backend.random.uniform)",
    # Call the Keras-private method `layer._set_factor(...)`; the public path (the
    # constructor's `factor` validation) is tested by test_factor_* in the same file.
    "random_brightness_test.py::RandomBrightnessTest::test_set_factor_incorrect_length":
        "calls Keras-private RandomBrightness._set_factor",
    "random_brightness_test.py::RandomBrightnessTest::test_set_factor_incorrect_type":
        "calls Keras-private RandomBrightness._set_factor",
}

# Not excluded, but counted apart (``keras_transform_api`` in the output): these tests
# drive keras' BaseImagePreprocessingLayer methods (get_random_transformation,
# transform_images, transform_bounding_boxes) with, or read back, Keras' own
# transformation-dict keys ({"flips", "input_shape"}, {"contrast_factor"},
# {"mix_weight", "permutation_order"}, {"layer_idxes"}, ...). A tfaug class passes them
# only by also offering those methods with Keras' keys next to its sample/apply;
# whether it should is issue 18's call, so they stay in the target until decided.
KERAS_TRANSFORM_API = (
    "cut_mix_test.py::CutMixTest::test_cut_mix_basic",
    "mix_up_test.py::MixUpTest::test_mix_up_basic_functionality*",
    "mix_up_test.py::MixUpTest::test_mix_up_bounding_boxes",
    "mix_up_test.py::MixUpTest::test_mix_up_tf_data_bounding_boxes",
    "rand_augment_test.py::RandAugmentTest::test_graph_issue",
    "random_contrast_test.py::RandomContrastTest::test_random_contrast_with_value_range*",
    "random_elastic_transform_test.py::RandomElasticTransformTest::"
    "test_random_elastic_transform_basic",
    "random_erasing_test.py::RandomErasingTest::test_random_erasing_basic",
    "random_gaussian_blur_test.py::RandomGaussianBlurTest::test_random_erasing_basic",
    "random_perspective_test.py::RandomPerspectiveTest::test_random_perspective_basic",
    "random_perspective_test.py::RandomPerspectiveTest::test_random_perspective_bounding_boxes*",
    "random_perspective_test.py::RandomPerspectiveTest::test_random_flip_tf_data_bounding_boxes*",
    "random_flip_test.py::RandomFlipTest::test_random_flip_bounding_boxes*",
    "random_flip_test.py::RandomFlipTest::test_random_flip_tf_data_bounding_boxes*",
    "random_shear_test.py::RandomShearTest::test_random_shear_bounding_boxes*",
    "random_shear_test.py::RandomShearTest::test_random_shear_tf_data_bounding_boxes*",
    "random_translation_test.py::RandomTranslationTest::test_random_flip_bounding_boxes*",
    "random_translation_test.py::RandomTranslationTest::"
    "test_random_flip_tf_data_bounding_boxes*",
    "random_zoom_test.py::RandomZoomTest::test_random_flip_bounding_boxes*",
    "random_zoom_test.py::RandomZoomTest::test_random_flip_tf_data_bounding_boxes*",
)

# Keras' own pytest settings for these tests (keras/pyproject.toml, v3.15): warnings
# are errors except these categories.
PYTEST_INI = """\
[pytest]
filterwarnings =
    error
    ignore::DeprecationWarning
    ignore::ImportWarning
    ignore::RuntimeWarning
    ignore::PendingDeprecationWarning
    ignore::FutureWarning
    ignore::UserWarning
    ignore:Custom mask layers require a config
markers =
    requires_trainable_backend: mark test for trainable backend only
    multi_device: mark test for running with multiple devices only
"""

PLUGIN = r'''
"""pytest plugin written by tools/keras_reference_tests.py (temporary)."""
import importlib
import json
import os
import signal
import sys
import types

import pytest

MODE = os.environ["TFAUG_KREF_MODE"]            # "tfaug" or "keras"
OUT = os.environ["TFAUG_KREF_OUT"]              # JSON-lines file this plugin appends to
NAMES = json.loads(os.environ["TFAUG_KREF_NAMES"])
TIMEOUT = int(os.environ.get("TFAUG_KREF_TIMEOUT", "0"))


def _emit(record):
    with open(OUT, "a") as f:
        f.write(json.dumps(record) + "\n")


class TfaugLayerMissing(Exception):
    pass


def _placeholder(name, why):
    def __init__(self, *args, **kwargs):
        raise TfaugLayerMissing(f"missing: {why}")
    return type(name, (), {"__init__": __init__, "__module__": "tfaug_missing"})


def _grain_stub():
    try:
        import grain  # noqa: F401
        return
    except ImportError:
        pass
    stub = types.ModuleType("grain")

    def __getattr__(attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        pytest.skip("grain is not installed (not a tfaug dependency)")
    stub.__getattr__ = __getattr__
    sys.modules["grain"] = stub


def _lookup(name):
    from tfaug.core import registry
    try:
        return registry.get(name)
    except ValueError:
        pass
    for modname in ("tfaug", "tfaug.image", "tfaug.policies"):
        cls = getattr(importlib.import_module(modname), name, None)
        if isinstance(cls, type):
            return cls
    return None


def _rebind():
    import keras
    import keras.src.layers as src_layers
    try:
        import tfaug  # noqa: F401
        error = None
    except Exception as e:  # a broken tfaug import fails every test, it does not crash
        error = f"import tfaug failed: {type(e).__name__}: {e}"
    bound = {}
    for name in NAMES:
        cls = None if error else _lookup(name)
        if cls is None:
            cls = _placeholder(name, error or f"tfaug has no layer named {name!r}")
            bound[name] = None
        else:
            bound[name] = f"{cls.__module__}.{cls.__qualname__}"
        setattr(src_layers, name, cls)
        setattr(keras.layers, name, cls)
    _emit({"bound": bound, "tfaug_error": error, "keras_file": keras.__file__})


def pytest_configure(config):
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    _grain_stub()
    # The installed keras is imported before any test module, so the tests' own
    # `keras.src...` module names resolve under it, never under the checkout.
    import keras
    if MODE == "tfaug":
        _rebind()
    elif not config.option.collectonly:
        _emit({"bound": {name: f"{getattr(keras.layers, name).__module__}."
                               f"{name}" for name in NAMES}, "tfaug_error": None,
               "keras_file": keras.__file__})


def pytest_collection_modifyitems(config, items):
    for item in items:
        _emit({"collected": item.nodeid})


def pytest_collectreport(report):
    if report.failed:
        _emit({"collect_error": report.nodeid, "message": _message(report)})


def _message(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message
    if isinstance(report.longrepr, tuple):      # skip: (path, line, reason)
        return str(report.longrepr[2])
    return str(report.longrepr)[-2000:]


def pytest_runtest_logreport(report):
    if report.outcome == "passed" and report.when != "call":
        return
    _emit({"nodeid": report.nodeid, "when": report.when, "outcome": report.outcome,
           "message": None if report.passed else _message(report),
           "duration": round(report.duration, 3)})


if TIMEOUT:
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(item):
        def _on_alarm(signum, frame):
            raise TimeoutError(f"timeout: ran past {TIMEOUT}s")
        old = signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(TIMEOUT)
        try:
            return (yield)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
'''


def find_test_dir(keras_src):
    """Returns (root, test folder) for a keras checkout/extract.

    The root is the folder that holds ``keras/src/...``: pytest's rootdir, so each
    test module is imported under its Keras name
    (``keras.src.layers.preprocessing.image_preprocessing.random_flip_test``) as in
    Keras' CI; Keras' deserialization finds the tests' own subclasses
    (``MockedRandomFlip``) by that module name.
    """
    src = pathlib.Path(keras_src).resolve()
    if (src / TEST_DIR / "random_flip_test.py").is_file():
        return src, src / TEST_DIR
    if (src / "random_flip_test.py").is_file():
        parts = TEST_DIR.parts
        root = src.parents[len(parts) - 1] if src.parts[-len(parts):] == parts else src
        return root, src
    raise SystemExit(f"--keras-src {keras_src}: no {TEST_DIR}/random_flip_test.py there")


def keras_source_version(root):
    """Reads __version__ from the checkout's keras/src/version.py, if present."""
    version = root / "keras" / "src" / "version.py"
    if version.is_file():
        found = re.search(r'__version__\s*=\s*"([^"]+)"', version.read_text())
        if found:
            return found.group(1)
    return None


def run_pytest(root, test_dir, files, mode, tmp, extra_args, timeout, collect_only):
    """Runs pytest once and returns (records, returncode, log path)."""
    out = tmp / f"{mode}{'-collect' if collect_only else ''}.jsonl"
    log = tmp / f"{mode}{'-collect' if collect_only else ''}.log"
    out.write_text("")
    env = dict(os.environ,
               TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
               KERAS_BACKEND="tensorflow",
               TFAUG_KREF_MODE=mode, TFAUG_KREF_OUT=str(out),
               TFAUG_KREF_NAMES=json.dumps(sorted(set(LAYER_TESTS.values()))),
               PYTHONPATH=os.pathsep.join(
                   [str(tmp), str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    args = [sys.executable, "-m", "pytest", *[str(test_dir / f) for f in files],
            "-p", "tfaug_kref_plugin", "-p", "no:cacheprovider",
            "-c", str(tmp / "pytest.ini"), "--rootdir", str(root),
            "--confcutdir", str(test_dir), "--import-mode=importlib",
            "-q", "--tb=short", "-rN", *extra_args]
    if collect_only:
        args.append("--collect-only")
    else:
        try:
            import pytest_timeout  # noqa: F401
            args.append(f"--timeout={timeout}")
        except ImportError:
            env["TFAUG_KREF_TIMEOUT"] = str(timeout)
    with open(log, "w") as f:
        rc = subprocess.call(args, cwd=tmp, env=env, stdout=f, stderr=subprocess.STDOUT)
    records = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return records, rc, log


def _matches(test_id, key):
    return test_id == key or (key.endswith("*") and test_id.startswith(key[:-1]))


def excluded_reason(test_id):
    """EXCLUDED's reason for a test id relative to TEST_DIR, or None."""
    return next((r for k, r in EXCLUDED.items() if _matches(test_id, k)), None)


def uses_keras_transform_api(test_id):
    return any(_matches(test_id, k) for k in KERAS_TRANSFORM_API)


def reason_of(message):
    """One line naming the cause: the exception and the start of its message.

    A tf.function/tf.data error ("ValueError: in user code: <traceback>") names its
    cause on its last line, so that line is appended.
    """
    lines = [ln.strip() for ln in (message or "").strip().splitlines() if ln.strip()]
    if not lines:
        return ""
    line = lines[0]
    if len(lines) > 1 and line.endswith(":"):
        line = f"{line} ... {lines[-1]}"
    return line[:300]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keras-src", required=True,
                        help="keras checkout/extract holding " + str(TEST_DIR))
    parser.add_argument("--against", choices=("tfaug", "keras"), default="tfaug",
                        help="whose classes the tests run against (default tfaug)")
    parser.add_argument("--layers", nargs="*", help="only these layers (keras names)")
    parser.add_argument("--report", help="write every test's outcome as JSON here")
    parser.add_argument("--junit", help="write pytest's JUnit XML here")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per test")
    parser.add_argument("--keep-tmp", action="store_true",
                        help="keep the temporary folder (plugin, logs)")
    args = parser.parse_args(argv)

    root, test_dir = find_test_dir(args.keras_src)
    prefix = test_dir.relative_to(root).as_posix() + "/" if test_dir != root else ""
    wanted = set(args.layers or LAYER_TESTS.values())
    unknown = wanted - set(LAYER_TESTS.values())
    if unknown:
        parser.error(f"--layers: unknown {sorted(unknown)}; "
                     f"known: {sorted(LAYER_TESTS.values())}")
    files = [f for f, layer in LAYER_TESTS.items() if layer in wanted]
    absent = [f for f in files if not (test_dir / f).is_file()]
    files = [f for f in files if f not in absent]

    started = time.time()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="tfaug_kref_"))
    (tmp / "tfaug_kref_plugin.py").write_text(PLUGIN)
    (tmp / "pytest.ini").write_text(PYTEST_INI)

    # 1. Every test id, collected with Keras' own classes.
    collected, _, collect_log = run_pytest(root, test_dir, files, "keras", tmp, [],
                                           args.timeout, collect_only=True)
    universe = [r["collected"] for r in collected if "collected" in r]
    universe_errors = {r["collect_error"]: r["message"] for r in collected
                       if "collect_error" in r}

    # 2. The run.
    extra = [f"--junitxml={os.path.abspath(args.junit)}"] if args.junit else []
    records, rc, run_log = run_pytest(root, test_dir, files, args.against, tmp, extra,
                                      args.timeout, collect_only=False)
    bound = next((r["bound"] for r in records if "bound" in r), None)
    tfaug_error = next((r.get("tfaug_error") for r in records if "bound" in r), None)
    keras_file = next((r.get("keras_file") for r in records if "bound" in r), None)
    collect_errors = {r["collect_error"]: r["message"] for r in records
                      if "collect_error" in r}

    # Per test: failed if any phase failed, skipped if skipped, else passed.
    results = {}
    for r in records:
        if "nodeid" not in r:
            continue
        cur = results.setdefault(r["nodeid"], {"outcome": "passed", "reason": ""})
        if r["outcome"] == "failed" and cur["outcome"] != "failed":
            cur.update(outcome="failed", reason=reason_of(r["message"]),
                       detail=(r["message"] or "")[-1500:])
        elif r["outcome"] == "skipped" and cur["outcome"] == "passed":
            cur.update(outcome="skipped", reason=reason_of(r["message"]))

    tests = []
    for nodeid in dict.fromkeys(universe + list(results)):
        file = nodeid.split("::")[0]
        short = nodeid[len(prefix):] if nodeid.startswith(prefix) else nodeid
        layer = LAYER_TESTS.get(pathlib.PurePath(file).name)
        if layer is None:
            continue
        res = results.get(nodeid)
        if bound is not None and bound.get(layer) is None and args.against == "tfaug":
            res = {"outcome": "failed",
                   "reason": "missing" + (f" ({tfaug_error})" if tfaug_error else "")}
        elif res is None:
            err = collect_errors.get(file) or universe_errors.get(file)
            res = {"outcome": "failed",
                   "reason": ("import error: " + reason_of(err)) if err else
                             f"no result (pytest exited with {rc}; see the log)"}
        tests.append({"id": short, "layer": layer, **res,
                      "excluded": excluded_reason(short),
                      "keras_transform_api": uses_keras_transform_api(short)})
    # A test file that fails to import even with Keras' classes has no test ids at all.
    for file in files:
        if not any(t["id"].split("::")[0] == file for t in tests):
            err = (collect_errors.get(prefix + file) or universe_errors.get(prefix + file)
                   or "no tests found")
            tests.append({"id": file, "layer": LAYER_TESTS[file], "outcome": "failed",
                          "reason": "import error: " + reason_of(err), "excluded": None,
                          "keras_transform_api": False})

    def tally(items):
        c = collections.Counter(t["outcome"] for t in items)
        return {"passed": c["passed"], "failed": c["failed"], "skipped": c["skipped"],
                "total": len(items)}

    per_layer = {}
    for layer in sorted(wanted):
        mine = [t for t in tests if t["layer"] == layer]
        per_layer[layer] = {
            "class": None if bound is None else bound.get(layer, None),
            **tally([t for t in mine if not t["excluded"]]),
            "excluded": sum(1 for t in mine if t["excluded"])}
    summary = {
        "against": args.against,
        "keras_src": str(test_dir),
        "keras_src_version": keras_source_version(root),
        "keras_installed": _installed_keras_version(),
        # The keras package the tests ran against: must be the installed one.
        "keras_used": keras_file and str(pathlib.Path(keras_file).parent),
        "layers": per_layer,
        "target": tally([t for t in tests if not t["excluded"]]),
        "keras_transform_api": tally([t for t in tests if t["keras_transform_api"]
                                      and not t["excluded"]]),
        "excluded": tally([t for t in tests if t["excluded"]]),
        "all": tally(tests),
        "missing_test_files": absent,
        "pytest_rc": rc,
        "seconds": round(time.time() - started, 1),
    }
    if args.report:
        _write(args.report, json.dumps({"summary": summary, "tests": tests}, indent=1))
    if args.keep_tmp:
        print(f"temporary folder kept: {tmp} (logs: {collect_log.name}, {run_log.name})",
              file=sys.stderr)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(summary))
    return 0


def _installed_keras_version():
    out = subprocess.run([sys.executable, "-c", "import keras; print(keras.__version__)"],
                         capture_output=True, text=True,
                         env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else None


def _write(path, text):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
