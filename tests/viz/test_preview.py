"""tfaug.viz.preview: dispatch, policies, argument checks, atomic writes."""

import os
import pathlib
import sys

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug import image
from tfaug import viz
from tfaug.viz import base
from tests.viz.conftest import listing


def test_policy_by_name_and_by_path(images, in_tmp):
    by_name = viz.preview("light_image", images, n=2, variants=2, path="a.png")
    assert by_name.modality == "image" and listing(in_tmp) == ["a.png"]
    layer = tfaug.policies.load("light_image")
    for j in range(2):
        want = layer(tf.constant(images[:2]), training=True, seed=viz.variant_seed(0, j))
        np.testing.assert_array_equal(by_name.variants[j], want.numpy())
    tfaug.policies.save(image.RandomFlip("horizontal", rate=1.0), in_tmp / "flip.json")
    by_path = viz.preview(pathlib.Path("flip.json"), images, n=2, variants=1, path=None)
    np.testing.assert_array_equal(by_path.variants[0], images[:2, :, ::-1])


def test_default_path_and_path_none(images, in_tmp):
    viz.preview(image.RandomFlip(), images, n=1, variants=1, path=None)
    assert listing(in_tmp) == []
    p = viz.preview(image.RandomFlip(), images, n=1, variants=1)
    assert listing(in_tmp) == ["preview.png"] and p.paths == [pathlib.Path("preview.png")]
    assert (in_tmp / "preview.png").read_bytes().startswith(b"\x89PNG")
    p.save(in_tmp / "sub" / "again.png")
    assert (in_tmp / "sub" / "again.png").exists()


def test_write_is_atomic(images, in_tmp, monkeypatch):
    viz.preview(image.RandomFlip(), images, n=1, variants=1, path="keep.png")
    before = (in_tmp / "keep.png").read_bytes()

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        viz.preview(image.RandomRotation(0.2), images, n=2, variants=2, path="keep.png")
    with pytest.raises(OSError, match="disk full"):
        viz.preview(image.RandomFlip(), images, n=1, variants=1, path="new.png")
    # The old file is untouched, no new file and no temporary file is left.
    assert listing(in_tmp) == ["keep.png"]
    assert (in_tmp / "keep.png").read_bytes() == before


def test_modality_argument_and_attribute(images):
    class Plain(tf.keras.layers.Layer):  # a layer without `modality`
        def call(self, x, training=None, seed=None):
            return x[:, ::-1] if training else x

    with pytest.raises(ValueError, match="pass modality="):
        viz.preview(Plain(), images, path=None)
    p = viz.preview(Plain(), images, n=2, variants=1, modality="image", path=None)
    np.testing.assert_array_equal(p.variants[0], images[:2, ::-1])
    with pytest.raises(ValueError, match="`modality` must be one of"):
        viz.preview(image.RandomFlip(), images, modality="video", path=None)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n": 0}, ValueError, "`n` must be an int >= 1, got 0"),
    ({"n": 2.5}, ValueError, "`n`"),
    ({"variants": 0}, ValueError, "`variants` must be an int >= 1, got 0"),
    ({"seed": "x"}, ValueError, "`seed`"),
    ({"path": 3}, TypeError, "`path`"),
    ({"colour": True}, TypeError, "unknown option"),
])
def test_bad_arguments(images, kwargs, error, match):
    with pytest.raises(error, match=match):
        viz.preview(image.RandomFlip(), images, **{"path": None, **kwargs})


def test_unknown_policy_and_non_layers(images):
    with pytest.raises(ValueError, match="no_such_policy"):
        viz.preview("no_such_policy", images, path=None)
    with pytest.raises(ValueError):
        viz.preview(pathlib.Path("/nonexistent/policy.json"), images, path=None)
    with pytest.raises(TypeError, match="`layer_or_policy`"):
        viz.preview(42, images, path=None)


def test_preview_reprs(images):
    p = viz.preview(image.RandomFlip(), images, n=1, variants=1, path=None)
    assert p._repr_png_().startswith(b"\x89PNG") and p._repr_html_() is None
    assert "modality='image'" in repr(p)
    assert p.png_data_uri().startswith("data:image/png;base64,")


def test_missing_matplotlib_names_the_extra(images, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "tfaugment\[viz\]"'):
        viz.preview(image.RandomFlip(), images, path=None)
    # Text previews need no matplotlib.
    p = viz.preview(tfaug.text.RandomSwap(n=1), ["a b c d"], path=None)
    assert p.figure is None


def test_variant_seed():
    np.testing.assert_array_equal(viz.variant_seed(7, 3).numpy(), [7, 3])
    assert viz.variant_seed(7, 3).dtype == tf.int64
    assert base.leaves(tfaug.Sequence([image.RandomFlip(), image.RandomZoom(0.1)]))[2] \
        .__class__.__name__ == "RandomZoom"


def test_to_png_is_the_figure_as_png_bytes():
    import tfaug  # pylint: disable=import-outside-toplevel
    p = tfaug.viz.preview(tfaug.image.RandomFlip(), np.zeros((1, 8, 8, 3), np.uint8), path=None)
    assert p.to_png().startswith(b"\x89PNG")
    assert tfaug.viz.preview(tfaug.text.RandomSwap(n=1), ["a b c"], path=None).to_png() is None
