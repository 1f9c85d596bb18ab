"""Image previews: the grid's first column is the originals, variants are the
layer's outputs under the derived seeds, masks and boxes follow."""

import numpy as np
import pytest
import tensorflow as tf

from tfaug import image
from tfaug import viz
from tests.viz.conftest import listing


def _cell(rendered, fig, row, col):
    top, left, height, width = fig.tfaug_cells[(row, col)]
    return rendered[top:top + height, left:left + width]


def _block_centers(cell, size):
    """The centre pixel of each of the ``size x size`` blocks of a cell."""
    zoom = cell.shape[0] // size
    centers = zoom // 2 + zoom * np.arange(size)
    return cell[centers][:, centers]


def test_first_column_is_the_originals(images):
    p = viz.preview(image.RandomRotation(0.1), images, n=3, variants=2, path=None)
    np.testing.assert_array_equal(p.originals, images[:3])
    rendered = p.to_image()
    assert rendered.dtype == np.uint8 and rendered.ndim == 3 and rendered.shape[2] == 3
    for row in range(3):
        shown = _block_centers(_cell(rendered, p.figure, row, 0), 16).astype(int)
        assert np.abs(shown - images[row].astype(int)).max() <= 1
    # A rotated variant is not the original, in the data and in the picture.
    assert not np.array_equal(p.variants[0], images[:3])


def test_variants_are_the_layer_under_derived_seeds(images):
    layer = image.RandomRotation(0.2)
    p = viz.preview(layer, images, n=2, variants=3, seed=5, path=None)
    assert len(p.variants) == 3
    for j, got in enumerate(p.variants):
        want = layer(tf.constant(images[:2]), training=True, seed=viz.variant_seed(5, j))
        np.testing.assert_array_equal(got, want.numpy())
    rendered = p.to_image()
    for j in range(3):
        shown = _block_centers(_cell(rendered, p.figure, 1, j + 1), 16).astype(int)
        assert np.abs(shown - p.variants[j][1].astype(int)).max() <= 1


def test_same_seed_same_preview_other_seed_differs(images):
    layer = image.RandomBrightness(0.5)
    a = viz.preview(layer, images, n=4, seed=1, path=None)
    b = viz.preview(layer, images, n=4, seed=1, path=None)
    c = viz.preview(layer, images, n=4, seed=2, path=None)
    for x, y in zip(a.variants, b.variants):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.to_image(), b.to_image())
    assert any(not np.array_equal(x, y) for x, y in zip(a.variants, c.variants))


def test_flip_variants_are_mirrored_originals(images):
    p = viz.preview(image.RandomFlip("horizontal", rate=1.0), images, n=4, variants=2,
                    path=None)
    for variant in p.variants:
        np.testing.assert_array_equal(variant, images[:, :, ::-1])


def test_grey_float_images_under_value_range():
    grey = np.linspace(0.0, 1.0, 2 * 16 * 16, dtype=np.float32).reshape(2, 16, 16, 1)
    layer = image.RandomFlip("vertical", rate=1.0, value_range=(0, 1))
    p = viz.preview(layer, grey, n=2, variants=1, path=None)
    cell = _block_centers(_cell(p.to_image(), p.figure, 1, 0), 16).astype(int)
    assert np.array_equal(cell[..., 0], cell[..., 1]) and np.array_equal(cell[..., 1],
                                                                         cell[..., 2])
    assert np.abs(cell[..., 0] - np.round(grey[1, ..., 0] * 255)).max() <= 1


def test_one_unbatched_image(images):
    p = viz.preview(image.RandomFlip("horizontal", rate=1.0), images[0], variants=1,
                    path=None)
    assert p.originals.shape == (1, 16, 16, 3)
    np.testing.assert_array_equal(p.variants[0][0], images[0, :, ::-1])


def test_a_list_of_same_size_uint8_images_stays_uint8(images):
    listed = [images[0], tf.constant(images[1])]
    p = viz.preview(image.RandomFlip("horizontal", rate=1.0), listed, variants=1, path=None)
    assert p.originals.dtype == np.uint8
    np.testing.assert_array_equal(p.variants[0], images[:2, :, ::-1])


def test_dict_with_masks_and_boxes(images, in_tmp):
    masks = np.zeros([4, 16, 16], np.int32)
    masks[:, :, :4] = 1
    boxes = np.array([[[1, 2, 5, 9], [-1, -1, -1, -1]]] * 4, np.float32)
    inputs = {"images": images, "labels": np.arange(4), "masks": masks, "boxes": boxes}
    p = viz.preview(image.RandomFlip("horizontal", rate=1.0), inputs, n=2, variants=1,
                    path="grid.png")
    assert sorted(p.originals) == ["boxes", "images", "labels", "masks"]
    out = p.variants[0]
    np.testing.assert_array_equal(out["masks"], masks[:2, :, ::-1])
    np.testing.assert_allclose(out["boxes"][:, 0], [[11, 2, 15, 9]] * 2)
    np.testing.assert_array_equal(out["boxes"][:, 1], -np.ones([2, 4]))
    assert listing(in_tmp) == ["grid.png"]
    # The overlay tints the masked strip of the original cell, not the rest.
    rendered = p.to_image()
    plain = viz.preview(image.RandomFlip("horizontal", rate=1.0), images, n=2, variants=1,
                        path=None).to_image()
    cell, ref = _cell(rendered, p.figure, 0, 0), _cell(plain, p.figure, 0, 0)
    zoom = cell.shape[1] // 16
    assert not np.array_equal(cell[:, :4 * zoom - 1], ref[:, :4 * zoom - 1])


def test_image_grid_alone():
    originals = np.zeros([2, 8, 8, 3], np.uint8)
    fig = viz.image_grid(originals, [originals + 255], value_range=(0, 255))
    assert set(fig.tfaug_cells) == {(r, c) for r in range(2) for c in range(2)}
    with pytest.raises(ValueError, match="masks"):
        viz.image_grid(originals, [originals], masks=[np.zeros([2, 8, 8])])
    with pytest.raises(ValueError, match="value_range"):
        viz.image_grid(originals, [originals], value_range=(1, 1))


def test_small_cells_keep_titles_apart():
    originals = np.zeros([2, 28, 28], np.uint8)
    fig = viz.image_grid(originals, [originals] * 4, cell_size=40,
                         title="RandAugment: originals (left), 4 variants (seed 0)")
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.texts]
    width = fig.get_figwidth() * fig.dpi
    title, columns = boxes[0], boxes[1:]
    assert len(columns) == 5 and 0 <= title.x0 and title.x1 <= width
    assert all(a.x1 < b.x0 for a, b in zip(columns, columns[1:]))  # no overlap
    assert [t.get_text() for t in fig.texts[1:]] == ["orig.", "v0", "v1", "v2", "v3"]
    assert fig.texts[0].get_text().count("\n") == 1  # wrapped onto two lines
    many = viz.image_grid(originals, [originals] * 4, cell_size=12,
                          column_titles=[f"column number {j}" for j in range(5)])
    assert all(t.get_fontsize() < 8 for t in many.texts)  # shrunk to fit


def test_wrong_inputs_for_images(images):
    with pytest.raises(TypeError, match="image `inputs`"):
        viz.preview(image.RandomFlip(), ["a sentence"], path=None)
    with pytest.raises(TypeError, match="uint8 or float"):
        viz.preview(image.RandomFlip(), images.astype(np.int32), path=None)
    with pytest.raises(ValueError, match=r"\[B, H, W, C\]"):
        viz.preview(image.RandomFlip(), np.zeros([16, 16], np.uint8), path=None)
    with pytest.raises(ValueError, match="'images'"):
        viz.preview(image.RandomFlip(), {"pixels": images}, path=None)


def test_bad_image_options(images):
    with pytest.raises(ValueError, match="`cell_size`"):
        viz.preview(image.RandomFlip(), images, path=None, cell_size=2)
    with pytest.raises(ValueError, match="`mask_alpha`"):
        viz.preview(image.RandomFlip(), images, path=None, mask_alpha=0)


def _content_box(rendered, slot):
    """(height, width) of the non-white pixels inside a slot (the rest is padding)."""
    top, left, height, width = slot
    region = rendered[top:top + height, left:left + width]
    rows, cols = np.nonzero(np.any(region < 245, axis=-1))
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


def test_images_of_other_sizes_keep_their_aspect_ratio():
    rng = np.random.RandomState(0)
    wide = rng.randint(0, 200, (20, 60, 3)).astype(np.uint8)
    tall = rng.randint(0, 200, (60, 20, 3)).astype(np.uint8)
    layer = image.RandomFlip("horizontal", rate=1.0)
    p = viz.preview(layer, [wide, tall], variants=2, seed=3, path=None)
    assert [o.shape for o in p.originals] == [(20, 60, 3), (60, 20, 3)]
    rendered = p.to_image()
    for row, original in enumerate((wide, tall)):
        for col in range(3):
            height, width = _content_box(rendered, p.figure.tfaug_slots[(row, col)])
            # Padded, not stretched: the shown box has the image's own shape.
            assert width / height == pytest.approx(original.shape[1] / original.shape[0],
                                                   rel=0.02)
            assert (height, width) == p.figure.tfaug_cells[(row, col)][2:]
        for j in range(2):  # each image ran alone under its own seed
            np.testing.assert_array_equal(p.variants[j][row], original[:, ::-1])
            want = layer(tf.constant(original[None]), training=True,
                         seed=viz.image.image_seed(3, j, row))
            np.testing.assert_array_equal(p.variants[j][row], want.numpy()[0])
    # In one batch, a crop shows at its own (smaller, other-shaped) size, labelled so.
    batch = rng.randint(0, 200, (2, 32, 32, 3)).astype(np.uint8)
    p = viz.preview(image.RandomCrop(16, 24), batch, variants=1, path=None)
    rendered = p.to_image()
    assert _content_box(rendered, p.figure.tfaug_slots[(0, 1)]) == (4 * 16, 4 * 24)
    assert p.figure.tfaug_cells[(0, 0)][2:] == (128, 128)
    assert "out 16x24 px" in " ".join(t.get_text() for t in p.figure.texts)
