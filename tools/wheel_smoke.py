#!/usr/bin/env python3
"""Smoke test of an installed tfaug wheel (no extras), run inside the venv it went into.

Checks that ``tfaug`` is imported from that venv (not from a checkout), that the
package data arrived (the policy files, the WordNet table), that image, audio and
tabular layers transform a small batch as they should, and that a text layer
without TensorFlow Text raises the ImportError naming the ``[text]`` extra.
``tensorflow_text`` is made unimportable first, as if the extra were not installed.

Used by ``make wheel-check`` (a fresh venv, real dependency resolution) and
tests/test_packaging.py (a venv borrowing the dependencies of .venv). Run it with
``-I`` from outside the repository so the checkout's ``tfaug`` is not on sys.path.

Usage::

    venv/bin/python -I tools/wheel_smoke.py SAVED_POLICIES_DIR [--fresh]

``SAVED_POLICIES_DIR`` is the repository's ``saved_policies/`` (the JSON files the
wheel must hold); ``--fresh`` also asserts that pip did not install
``tensorflow_text`` (the venv has only the wheel and its required dependencies).
It prints ``SMOKE OK: ...`` and exits 0, or fails on the first broken check.
"""

import argparse
import importlib.metadata
import importlib.resources
import importlib.util
import pathlib
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("saved_policies", type=pathlib.Path,
                        help="the repository's saved_policies/ folder")
    parser.add_argument("--fresh", action="store_true",
                        help="also assert that tensorflow_text is not installed")
    args = parser.parse_args(argv)
    expected_policies = sorted(p.name for p in args.saved_policies.glob("*.json"))
    assert expected_policies, f"no policy files in {args.saved_policies}"
    if args.fresh:
        assert importlib.util.find_spec("tensorflow_text") is None, (
            "tensorflow_text is installed although no extra was asked for")
    sys.modules["tensorflow_text"] = None  # as if it were not installed

    import numpy as np  # pylint: disable=import-outside-toplevel
    import tfaug  # pylint: disable=import-outside-toplevel
    from tfaug._version import DISTRIBUTION  # pylint: disable=import-outside-toplevel

    venv = pathlib.Path(sys.prefix).resolve()
    where = pathlib.Path(tfaug.__file__).resolve()
    assert venv in where.parents, f"tfaug imported from {where}, not from the venv {venv}"
    dist = importlib.metadata.distribution(DISTRIBUTION)
    assert venv in pathlib.Path(dist.locate_file("tfaug")).resolve().parents, (
        f"the {DISTRIBUTION} metadata found first is not the venv's")
    assert dist.version == tfaug.__version__, (dist.version, tfaug.__version__)

    # Package data from the wheel: the policy files and the WordNet table.
    policies = importlib.resources.files("tfaug.saved_policies")
    names = sorted(p.name for p in policies.iterdir() if p.name.endswith(".json"))
    assert names == expected_policies, names
    assert ([pathlib.Path(n).stem for n in names]
            == [p["name"] for p in tfaug.policies.list()])
    policy = tfaug.policies.load("randaugment_default")
    synonyms = tfaug.text.load_synonyms("wordnet")
    assert len(synonyms.keys) > 10000 and "happy" in set(synonyms.keys)

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (2, 8, 8, 3)).astype("uint8")  # uint8 in -> uint8 out
    flip = tfaug.image.RandomFlip("horizontal", rate=1.0, seed=0)
    np.testing.assert_array_equal(np.asarray(flip(images, training=True)),
                                  images[:, :, ::-1])
    augmented = np.asarray(policy(images, training=True))
    assert augmented.dtype == np.uint8 and augmented.shape == images.shape

    clips = rng.normal(0, 0.1, (2, 800)).astype("float32")
    inverted = tfaug.audio.PolarityInversion(seed=0)(clips, training=True)
    np.testing.assert_array_equal(np.asarray(inverted), -clips)
    louder = tfaug.audio.Gain(6.0, 6.0, seed=0)(clips, training=True)
    np.testing.assert_allclose(np.asarray(louder), clips * 10 ** (6 / 20), rtol=1e-5)

    rows = rng.normal(size=(16, 3)).astype("float32")
    mask = tfaug.tabular.FeatureMask(rate=1.0, mask_value=0.0, seed=0)
    np.testing.assert_array_equal(np.asarray(mask(rows, training=True)),
                                  np.zeros_like(rows))

    try:
        tfaug.text.RandomSwap(n=1)
    except ImportError as err:
        assert f'pip install "{DISTRIBUTION}[text]"' in str(err), err
    else:
        raise AssertionError("a text layer was built without TensorFlow Text")
    assert sys.modules["tensorflow_text"] is None  # nothing imported it
    print(f"SMOKE OK: {DISTRIBUTION} {tfaug.__version__} from {where.parent}")


if __name__ == "__main__":
    main()
