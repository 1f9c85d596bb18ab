"""The Keras-named geometric layers against keras.layers' own classes.

Same arguments (order, defaults, meaning) and, where both are deterministic
given the drawn parameters, the same values: Resizing, CenterCrop and the
smart-resize fallback of the crops, Shear's and Perspective's maps; the random
layers' distributions otherwise (RandomFlip's joint flip, the factor parsing,
RandomElasticTransform's displacement size).
"""

import inspect
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug import image
from tfaug.image.ops import affine
from tfaug.image.ops import elastic as elastic_ops

SEED = tf.constant([4, 7], tf.int64)


def _images(b=2, h=9, w=13, c=3, seed=0):
    return (np.random.default_rng(seed).random((b, h, w, c)) * 255).astype(np.float32)


def _keras_args(name):
    """Keras' own positional-or-keyword arguments of ``name`` (no **kwargs)."""
    params = inspect.signature(getattr(keras.layers, name).__init__).parameters.values()
    return [(p.name, p.default) for p in params
            if p.name != "self" and p.kind == p.POSITIONAL_OR_KEYWORD]


@pytest.mark.parametrize("name", ["RandomFlip", "RandomRotation", "RandomZoom",
                                  "RandomTranslation", "RandomShear", "RandomCrop",
                                  "CenterCrop", "Resizing", "RandomPerspective",
                                  "RandomElasticTransform"])
def test_keras_arguments_come_first_in_keras_order(name):
    ours = [(p.name, p.default) for p in
            inspect.signature(getattr(image, name).__init__).parameters.values()
            if p.name != "self" and p.kind == p.POSITIONAL_OR_KEYWORD]
    assert ours == _keras_args(name)


# ----------------------------------------------------------------- Resizing
def test_resizing_equals_keras_for_every_method():
    x = _images(2, 10, 13)
    for interpolation in ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5", "area"):
        for crop, pad in ((False, False), (True, False), (False, True)):
            for antialias in (False, True):
                kw = dict(interpolation=interpolation, crop_to_aspect_ratio=crop,
                          pad_to_aspect_ratio=pad, antialias=antialias, fill_value=7.0)
                ours = image.Resizing(6, 5, **kw)(x, training=False).numpy()
                ref = np.clip(keras.layers.Resizing(6, 5, **kw)(x).numpy(), 0, 255)
                np.testing.assert_allclose(ours, ref, atol=2e-3, err_msg=str(kw))


def test_resizing_pixel_values_and_uint8():
    img = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    near = image.Resizing(2, 2, interpolation="nearest")(img)
    np.testing.assert_allclose(near.numpy()[0, ..., 0], [[5, 7], [13, 15]], atol=1e-4)
    crop = image.Resizing(4, 2, interpolation="nearest", crop_to_aspect_ratio=True)(img)
    np.testing.assert_allclose(crop.numpy()[0, ..., 0], [[1, 2], [5, 6], [9, 10], [13, 14]],
                               atol=1e-4)
    u8 = _images(2, 9, 9).astype(np.uint8)
    ours = image.Resizing(5, 7, interpolation="bicubic")(u8)
    assert ours.dtype == tf.uint8
    np.testing.assert_array_equal(ours.numpy(),
                                  keras.layers.Resizing(5, 7, interpolation="bicubic")(u8))


def test_resizing_boxes_and_masks_follow_the_images():
    x = _images(1, 10, 8)
    boxes = np.array([[[2.0, 1.0, 4.0, 3.0], [6.0, 4.0, 8.0, 6.0]]], np.float32)
    masks = np.zeros((1, 10, 8, 1), np.int32)
    masks[0, 1:3, 2:4] = 1
    cases = {(True, False): [[6, 2, 10, 6], [14, 8, 18, 12]],   # pad 1 px left and right
             (False, False): [[5, 2, 10, 6], [15, 8, 20, 12]],  # stretch
             (False, True): [[5, 0, 10, 5], [15, 7.5, 20, 12.5]]}  # crop rows 1..8
    for (pad, crop), want in cases.items():
        layer = image.Resizing(20, 20, pad_to_aspect_ratio=pad, crop_to_aspect_ratio=crop)
        out = layer({"images": x, "boxes": boxes, "masks": masks})
        np.testing.assert_allclose(out["boxes"].numpy()[0], want, atol=1e-4)
        ys, xs = np.nonzero(out["masks"].numpy()[0, ..., 0])
        np.testing.assert_allclose([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1],
                                   want[0], atol=1.0)


def test_resizing_runs_under_xla_where_tf_allows():
    x = tf.constant(_images(2, 6, 11))
    layer = image.Resizing(10, 17)  # enlarging by a non-integer ratio
    out = tf.function(lambda t: layer(t, training=True), jit_compile=True)(x)
    np.testing.assert_allclose(out.numpy(), keras.layers.Resizing(10, 17)(x).numpy(),
                               atol=2e-3)
    assert layer.compiles()
    assert not image.Resizing(4, 4, interpolation="bicubic").compiles()


@pytest.mark.parametrize("make, arg", [
    (lambda: image.Resizing(4, 4, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
     "pad_to_aspect_ratio"),
    (lambda: image.Resizing(4, 4, fill_mode="reflect"), "fill_mode"),
    (lambda: image.Resizing(4, 4, interpolation="gaussian"), "interpolation"),
    (lambda: image.Resizing(0, 4), "height"),
    (lambda: image.Resizing(4, 4, antialias=1), "antialias"),
    (lambda: image.Resizing(4, 4, fill_value=float("nan")), "fill_value"),
])
def test_resizing_bad_arguments(make, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        make()


# -------------------------------------------------------------------- crops
def test_crops_take_keras_positional_arguments():
    x = _images(2, 8, 8)
    crop = image.RandomCrop(4, 5, 3, "channels_last", "crop")
    assert (crop.seed, crop.data_format, crop.name) == (3, "channels_last", "crop")
    assert crop(x, training=True).shape == (2, 4, 5, 3)
    center = image.CenterCrop(4, 6, "channels_last")
    np.testing.assert_allclose(center(x).numpy(), x[:, 2:6, 1:7], atol=1e-3)


# ------------------------------------------------------------------- flips
def test_keras_tuple_transformations_of_the_crops_and_resizing():
    """Keras' RandomCrop draws ``(h_start, w_start)`` for the batch, and the
    resizing layers' transformation is the input size: tfaug reads both."""
    x = np.random.default_rng(0).uniform(0, 255, (2, 16, 12, 3)).astype("float32")
    keras_crop = keras.layers.RandomCrop(8, 6)
    for start in ((0, 0), (3, 5), (8, 6)):
        ours = image.RandomCrop(8, 6, probability=0.5).transform_images(x, start)
        want = x[:, start[0]:start[0] + 8, start[1]:start[1] + 6]
        np.testing.assert_allclose(np.asarray(ours), want, atol=1e-3)
        theirs = keras_crop.transform_images(x, tuple(tf.constant(v) for v in start))
        np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), atol=1e-3)
    for ours, theirs in ((image.Resizing(8, 8), keras.layers.Resizing(8, 8)),
                         (image.CenterCrop(8, 8), keras.layers.CenterCrop(8, 8))):
        t = theirs.get_random_transformation(x, training=True)
        np.testing.assert_allclose(np.asarray(ours.transform_images(x, t)),
                                   np.asarray(theirs.transform_images(x, t)), atol=1e-3)
    with pytest.raises(ValueError, match="`transformation` must be a dict"):
        image.RandomFlip().transform_images(x, (1, 2))
    with pytest.raises(ValueError, match="h_start, w_start"):
        image.RandomCrop(8, 6).transform_images(x, (1, 2, 3))


def test_flip_horizontal_and_vertical_is_one_draw_as_keras():
    one = _images(1, 5, 6)
    x = np.repeat(one, 128, axis=0)
    out = image.RandomFlip(seed=3)(x, training=True).numpy()  # Keras' default mode
    turned = np.all(np.abs(out - one[:, ::-1, ::-1]) < 1e-3, axis=(1, 2, 3))
    kept = np.all(np.abs(out - one) < 1e-3, axis=(1, 2, 3))
    assert np.all(turned ^ kept) and 40 < turned.sum() < 88
    layer = image.RandomFlip("vertical", 1, "channels_last", rate=1.0)
    assert (layer.mode, layer.seed, layer.data_format) == ("vertical", 1, "channels_last")
    np.testing.assert_allclose(layer(one, training=True).numpy(), one[:, ::-1], atol=1e-4)


# ----------------------------------------------------------- factor parsing
def test_factors_are_parsed_as_keras_parses_them():
    assert image.RandomRotation(-0.2).factor == [-0.2, 0.2]
    assert image.RandomRotation((0.3, -0.1)).factor == [-0.1, 0.3]
    zoom = image.RandomZoom((-0.4, -0.5), -0.3)
    assert zoom.height_factor == [-0.5, -0.4] and zoom.width_factor == [-0.3, 0.3]
    assert image.RandomZoom(1.0).height_factor == [-1.0, 1.0]  # Keras allows it
    move = image.RandomTranslation(-0.1, (0.2, -0.2))
    assert move.height_factor == [-0.1, 0.1] and move.width_factor == [-0.2, 0.2]
    assert image.RandomShear(0.3, (0.5, 0.2)).y_factor == [0.2, 0.5]
    with pytest.raises(ValueError, match="The `height_factor` and `width_factor` arguments"):
        image.RandomZoom(-1.0)
    with pytest.raises(ValueError, match="should be a number"):
        image.RandomShear(-0.1)
    # A zoom of 1.0 can draw -1 (a collapsed image in Keras): clamped.
    draws = image.RandomZoom(1.0).sample(512, SEED)["zoom_y"].numpy()
    assert draws.min() >= -0.99 and draws.max() > 0.9


# -------------------------------------------------------------------- shear
@pytest.mark.parametrize("kx, ky", [(0.3, 0.0), (0.0, -0.2), (0.25, 0.1)])
def test_shear_map_equals_keras(kx, ky):
    x = _images(1, 5, 7, 1)
    layer = image.RandomShear(0.5, 0.5, fill_mode="constant")
    m = layer.matrix({"shear_x": tf.constant([kx]), "shear_y": tf.constant([ky])}, 5, 7)
    ours = affine.transform(tf.constant(x), m, (5, 7), "bilinear", "constant", 0.0)
    ref = keras.layers.RandomShear(0.5, 0.5, fill_mode="constant").transform_images(
        x, {"shear_factor": tf.constant([[kx, ky]]), "input_shape": x.shape})
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), atol=1e-4)


def test_shear_moves_the_centre_pixel():
    img = np.zeros((1, 5, 5, 3), np.float32)
    img[0, 1:4, 1:4] = 1.0
    img[0, 2, 2] = [0.0, 1.0, 0.0]
    out = image.RandomShear((0.2, 0.3), (0.2, 0.3), fill_mode="constant", seed=42,
                            value_range=(0, 1))(img, training=True).numpy()
    assert np.abs(out[0, 2, 2] - img[0, 2, 2]).max() > 0.05


# -------------------------------------------------------------- perspective
def test_perspective_map_equals_keras():
    x = _images(1, 6, 7, 1) / 255.0
    moves = np.array([[[0.0, 0.0], [-0.2, 0.1], [0.1, -0.3], [-0.25, 0.2]]], np.float32)
    layer = image.RandomPerspective(scale=0.6)
    m = layer.matrix({"apply": tf.constant([True]), "moves": tf.constant(moves)}, 6, 7)
    ours = affine.transform(tf.constant(x), m, (6, 7), "bilinear", "constant", 0.0)
    start = np.array([[[0, 0], [6, 0], [0, 5], [6, 5]]], np.float32)
    ref = keras.layers.RandomPerspective(scale=0.6).transform_images(
        x, {"apply_perspective": np.array([True]), "start_points": start,
            "end_points": start * (1 + moves), "input_shape": x.shape})
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), atol=1e-4)


def test_perspective_factor_is_keras_apply_chance():
    # factor f: the chance p is drawn from (0, f), so on average f / 2 apply.
    applied = image.RandomPerspective().sample(2000, SEED)["apply"].numpy().mean()
    assert 0.45 < applied < 0.55
    always = image.RandomPerspective((1.0, 1.0)).sample(64, SEED)["apply"].numpy()
    assert always.all()


# ------------------------------------------------------------------ elastic
def test_elastic_transform_identity_cases_and_apply_chance():
    x = _images(4, 8, 8)
    for kw in ({"factor": 0.0}, {"scale": 0.0}):
        out = image.RandomElasticTransform(**kw)(x, training=True)
        np.testing.assert_allclose(out.numpy(), x, atol=1e-3)
    amount = image.RandomElasticTransform(scale=(0.5, 0.5)).sample(2000, SEED)["amount"]
    assert 0.45 < (amount.numpy() > 0).mean() < 0.55
    np.testing.assert_allclose(np.unique(amount.numpy()), [0.0, 0.5])


def test_elastic_transform_displacement_matches_keras_in_size():
    # A ramp in x: each output pixel's value is where it read from (interior only).
    h = w = 40
    ramp = np.tile(np.arange(w, dtype=np.float32)[None, :, None], (h, 1, 1))
    x = np.repeat(ramp[None], 4, 0)
    kw = dict(factor=(1.0, 1.0), scale=(1.0, 1.0), value_range=(0, 255))
    ref = keras.layers.RandomElasticTransform(seed=1, **kw)(x).numpy() - x
    ours = image.RandomElasticTransform(seed=1, **kw)(x, training=True).numpy() - x
    inner = np.s_[:, 8:-8, 8:-8, 0]
    expect = 0.1 * w / (2 * math.sqrt(math.pi))  # Keras' alpha / (2 sqrt(pi))
    for d in (ref[inner], ours[inner]):
        assert 0.7 * expect < d.std() < 1.4 * expect, (d.std(), expect)
        # As smooth as Keras' field (sigma = 2 pixels here).
        corr = np.corrcoef(d[:, :, 1:].ravel(), d[:, :, :-1].ravel())[0, 1]
        assert 0.85 < corr < 0.99, corr


def test_elastic_transform_grid_follows_the_scale():
    assert image.RandomElasticTransform(scale=1.0).grid_size == 20
    assert image.RandomElasticTransform(scale=0.25).grid_size == 32
    noise = tf.ones([1, 20, 20, 2])
    field = elastic_ops.elastic_field(noise, 16, 16).numpy()
    np.testing.assert_allclose(field, 1.0, atol=1e-5)  # normalized weights


def test_registered_and_exported():
    for name in ("Resizing", "RandomElasticTransform"):
        assert tfaug.registered()[name] is getattr(image, name)


# ----------------------------------------------- Keras' transform API (hooks)
_BOXES = {"boxes": np.array([[2.0, 1.0, 4.0, 3.0], [6.0, 4.0, 8.0, 6.0]]),
          "labels": np.array([1, 2])}
_SIZE = (10, 8, 3)  # H = 10, W = 8


@pytest.mark.parametrize("mode, expected", [
    ("horizontal", [[4, 1, 6, 3], [0, 4, 2, 6]]),
    ("vertical", [[2, 7, 4, 9], [6, 4, 8, 6]]),
    ("horizontal_and_vertical", [[4, 7, 6, 9], [0, 4, 2, 6]])])
def test_flip_reads_keras_flips(mode, expected):
    layer = image.RandomFlip(mode, bounding_box_format="xyxy")
    out = layer.transform_bounding_boxes(dict(_BOXES), {"flips": np.array([[True]]),
                                                        "input_shape": _SIZE})
    np.testing.assert_allclose(out["boxes"].numpy(), expected)
    kept = layer.transform_bounding_boxes(dict(_BOXES), {"flips": np.array([[False]]),
                                                         "input_shape": _SIZE})
    np.testing.assert_allclose(kept["boxes"].numpy(), _BOXES["boxes"])
    x = _images(2, 3, 4)
    flips = np.array([True, False]).reshape(2, 1, 1, 1)
    ref = keras.layers.RandomFlip(mode).transform_images(x, {"flips": flips})
    np.testing.assert_allclose(layer.transform_images(x, {"flips": flips}).numpy(),
                               ref.numpy(), atol=1e-4)


def test_box_batching_follows_the_boxes_in_tf_data():
    # Inside a tf.data map (graph mode): a batched input_shape, unbatched boxes.
    layer = image.RandomTranslation(0.5, 0.5, bounding_box_format="xyxy")
    ds = tf.data.Dataset.from_tensor_slices({"boxes": _BOXES["boxes"][None],
                                             "labels": _BOXES["labels"][None]})
    t = {"translations": np.array([[1.0, 2.0]]), "input_shape": (1,) + _SIZE}
    out = next(iter(ds.map(lambda b: layer.transform_bounding_boxes(b, t))))
    np.testing.assert_allclose(out["boxes"].numpy(), [[3, 3, 5, 5], [7, 6, 8, 8]])
    # Batched boxes with an unbatched input_shape.
    t = {"translations": np.array([[-1.0, -2.0]]), "input_shape": _SIZE}
    out = layer.transform_bounding_boxes(
        {"boxes": _BOXES["boxes"][None], "labels": _BOXES["labels"][None]}, t)
    np.testing.assert_allclose(out["boxes"].numpy(), [[[1, 0, 3, 1], [5, 2, 7, 4]]])


def _keras_keys(name):
    return {"RandomRotation": ("angle", "rotation_matrix", "image_height", "image_width",
                               "batch_size"),
            "RandomZoom": ("height_zoom", "width_zoom"),
            "RandomTranslation": ("translations",),
            "RandomShear": ("shear_factor",),
            "RandomPerspective": ("apply_perspective", "start_points", "end_points"),
            "RandomFlip": ("flips",)}[name]


_MAKERS = {"RandomRotation": lambda m: m.RandomRotation(0.2, fill_mode="constant"),
           "RandomZoom": lambda m: m.RandomZoom(0.3, 0.2, fill_mode="constant"),
           "RandomTranslation": lambda m: m.RandomTranslation(0.2, 0.3, fill_mode="constant"),
           "RandomShear": lambda m: m.RandomShear(0.3, 0.2, fill_mode="constant"),
           "RandomPerspective": lambda m: m.RandomPerspective(scale=0.5),
           "RandomFlip": lambda m: m.RandomFlip()}


@pytest.mark.parametrize("name", sorted(_MAKERS))
def test_keras_keys_alone_give_what_keras_gives(name):
    # tfaug draws; Keras' keys alone (as Keras' own class reads them) give tfaug
    # the same pixels as the whole transformation, and as Keras' class.
    x = _images(3, 9, 11)
    ours = _MAKERS[name](image)
    t = ours.get_random_transformation(x, seed=SEED)
    keys = {k: t[k] for k in _keras_keys(name)}
    keys["input_shape"] = x.shape
    full = ours.transform_images(x, t).numpy()
    np.testing.assert_allclose(ours.transform_images(x, keys).numpy(), full, atol=1e-3)
    ref = np.clip(_MAKERS[name](keras.layers).transform_images(x, keys).numpy(), 0, 255)
    np.testing.assert_allclose(full, ref, atol=2e-3)


@pytest.mark.parametrize("make", [
    lambda: image.RandomFlip(seed=1), lambda: image.RandomFlip(independent=True),
    lambda: image.RandomRotation(0.2, probability=0.5), lambda: image.RandomZoom(0.3, 0.2),
    lambda: image.RandomTranslation(0.2, 0.3), lambda: image.RandomShear(0.3, 0.2),
    lambda: image.RandomPerspective(scale=0.5), lambda: image.RandomElasticTransform()])
def test_random_transformation_then_transform_equals_a_seeded_call(make):
    layer = make()
    x = _images(3, 9, 11)
    t = layer.get_random_transformation(x, seed=SEED)
    out = layer.transform_images(x, t).numpy()
    np.testing.assert_allclose(out, layer(x, training=True, seed=SEED).numpy(), atol=1e-3)


def test_keras_keys_have_keras_shapes_and_meanings():
    x = _images(3, 9, 11)
    t = image.RandomZoom(0.3).get_random_transformation(x, seed=SEED)
    assert t["height_zoom"].shape == (3, 1)
    np.testing.assert_allclose(t["height_zoom"].numpy()[:, 0], 1.0 + t["zoom_y"].numpy())
    t = image.RandomTranslation(0.2, 0.3).get_random_transformation(x, seed=SEED)
    np.testing.assert_allclose(t["translations"].numpy(),
                               np.stack([t["dx"] * 11, t["dy"] * 9], -1), rtol=1e-6)
    t = image.RandomRotation(0.2).get_random_transformation(x, seed=SEED)
    np.testing.assert_allclose(t["angle"].numpy(), np.degrees(t["radians"].numpy()), rtol=1e-5)
    assert t["rotation_matrix"].shape == (3, 8)
    assert (t["image_height"], t["image_width"]) == (9, 11)
    t = image.RandomFlip("horizontal", seed=1).get_random_transformation(x, seed=SEED)
    assert t["flips"].shape == (3, 1, 1, 1)
    np.testing.assert_array_equal(t["flips"].numpy().ravel(), t["horizontal"].numpy())
    t = image.RandomPerspective(scale=0.5).get_random_transformation(x, seed=SEED)
    np.testing.assert_allclose(t["start_points"].numpy()[0], [[0, 0], [10, 0], [0, 8], [10, 8]])
    # A probability gate shows in Keras' keys: no zoom where the layer is off.
    t = image.RandomZoom(0.3, probability=0.5).get_random_transformation(
        _images(64, 4, 4), seed=SEED)
    off = ~t["gate"].numpy()
    assert off.any() and np.all(t["width_zoom"].numpy()[off] == 1.0)


def test_perspective_takes_any_four_points():
    x = _images(1, 6, 7, 1)
    start = np.array([[[1.0, 1.0], [5.0, 1.0], [1.0, 4.0], [5.0, 4.0]]], np.float32)
    end = np.array([[[0.0, 0.5], [6.0, 1.0], [1.5, 5.0], [5.0, 4.5]]], np.float32)
    t = {"apply_perspective": np.array([True]), "start_points": start, "end_points": end,
         "input_shape": x.shape}
    ours = image.RandomPerspective().transform_images(x, t).numpy()
    ref = np.clip(keras.layers.RandomPerspective().transform_images(x, t).numpy(), 0, 255)
    np.testing.assert_allclose(ours, ref, atol=2e-3)
    t["apply_perspective"] = np.array([False])
    np.testing.assert_allclose(image.RandomPerspective().transform_images(x, t).numpy(), x,
                               atol=1e-3)


def test_elastic_reads_keras_keys():
    x = np.zeros((8, 8, 1), np.float32)
    x[3:5, 3:5] = 255.0
    layer = image.RandomElasticTransform()
    t = {"apply_transform": np.array([True]), "distortion_factor": np.float32(0.9), "seed": 42}
    out = layer.transform_images(x, t).numpy()
    assert out.shape == x.shape and np.abs(out - x).max() > 10.0
    np.testing.assert_array_equal(layer.transform_images(x, t).numpy(), out)  # seeded field
    t["apply_transform"] = np.array([False])
    np.testing.assert_allclose(layer.transform_images(x, t).numpy(), x, atol=1e-3)


def test_zoom_boxes_follow_the_image_content():
    # Keras moves boxes with its pixel-index matrix (centre (W-1)/2), half a
    # pixel off its own images; tfaug's boxes follow the zoomed content.
    h, w = 60, 40
    x = np.zeros((h, w, 1), np.float32)
    x[10:30, 8:24] = 255.0
    t = {"height_zoom": np.array([[1.9]]), "width_zoom": np.array([[1.9]]),
         "input_shape": x.shape}
    layer = image.RandomZoom(0.5, fill_mode="constant", bounding_box_format="xyxy")
    moved = layer.transform_images(x, t).numpy()[..., 0]
    ys, xs = np.mgrid[0:h, 0:w] + 0.5
    centroid = [(xs * moved).sum() / moved.sum(), (ys * moved).sum() / moved.sum()]
    box = layer.transform_bounding_boxes({"boxes": np.array([[8.0, 10.0, 24.0, 30.0]])},
                                         t)["boxes"].numpy()[0]
    np.testing.assert_allclose([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2], centroid,
                               atol=0.05)


def test_singular_shear_flags_boxes_instead_of_failing():
    # k_x = k_y = 1 collapses the image onto a line (Keras' tests use it).
    t = {"shear_factor": np.array([[1.0, 1.0]]), "input_shape": _SIZE}
    out = image.RandomShear(0.5, 0.5).transform_bounding_boxes(dict(_BOXES), t)
    np.testing.assert_array_equal(out["boxes"].numpy(), -1.0)
    np.testing.assert_array_equal(out["labels"].numpy(), -1)


def test_center_crop_reads_a_keras_transformation():
    # Keras' CenterCrop transformation is only {"input_shape"}.
    x = _images(2, 9, 11)
    layer = image.CenterCrop(5, 6)
    out = layer.transform_images(x, {"input_shape": x.shape})
    np.testing.assert_allclose(out.numpy(), x[:, 2:7, 2:8], atol=1e-3)
    boxes = layer.transform_bounding_boxes({"boxes": np.array([[3.0, 3.0, 6.0, 6.0]])},
                                           {"input_shape": x.shape[1:]})
    np.testing.assert_allclose(boxes["boxes"].numpy(), [[1.0, 1.0, 4.0, 4.0]])
