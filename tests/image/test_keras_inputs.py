"""Keras' input conventions on every image layer (issue 18, item 3): both
``data_format`` layouts, integer dtypes of any width, Keras' dict keys
(``bounding_boxes``, ``segmentation_masks``) and every ``bounding_box_format``;
box format conversion; deterministic layers own no variables."""

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug import image
from tfaug.image.ops import convert_boxes
from tfaug.image.ops.boxes import FORMATS

SEED = tf.constant([3, 8], tf.int64)


def _hflip(**kwargs):
    return image.RandomFlip("horizontal", rate=1.0, seed=0, **kwargs)


def _images(b=2, h=5, w=6, c=3, dtype=np.uint8):
    return ((np.arange(b * h * w * c).reshape(b, h, w, c) * 7) % 256).astype(dtype)


# ------------------------------------------------------------ data_format
@pytest.mark.parametrize("batched", [True, False])
def test_channels_first_equals_channels_last_transposed(batched):
    x = _images()
    if not batched:
        x = x[0]
    perm = (0, 3, 1, 2) if batched else (2, 0, 1)
    last = _hflip()(x, training=True, seed=SEED).numpy()
    first = _hflip(data_format="channels_first")(np.transpose(x, perm), training=True,
                                                  seed=SEED).numpy()
    np.testing.assert_array_equal(first, np.transpose(last, perm))
    np.testing.assert_array_equal(last, x[..., ::-1, :])  # a flip: reversed columns


def test_channels_first_masks_follow_the_layout():
    x = _images(c=3)
    masks = (np.arange(2 * 5 * 6 * 2).reshape(2, 2, 5, 6) % 4).astype(np.int32)
    out = _hflip(data_format="channels_first")(
        {"images": np.transpose(x, (0, 3, 1, 2)), "segmentation_masks": masks},
        training=True, seed=SEED)
    assert set(out) == {"images", "segmentation_masks"}
    np.testing.assert_array_equal(out["segmentation_masks"], masks[..., ::-1])


def test_data_format_default_and_bad_value():
    assert _hflip().data_format == "channels_last"
    with pytest.raises(ValueError, match="`data_format`"):
        _hflip(data_format="NCHW")
    layer = _hflip(data_format="channels_first")
    clone = type(layer).from_config(layer.get_config())
    assert clone.data_format == "channels_first"


# ---------------------------------------------------------------- dtypes
@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint16])
def test_integer_images_come_back_as_float32_with_their_values(dtype):
    # keras.layers' rule for integer images (uint8 alone keeps its dtype in tfaug).
    x = _images(dtype=dtype) % 100
    out = _hflip()(x, training=True, seed=SEED)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), x[..., ::-1, :].astype(np.float32), rtol=1e-6)


def test_integer_images_are_read_under_value_range():
    x = np.array([[[[0], [1000]], [[500], [250]]]], np.int32)
    out = image.RandomBrightness(0.5, value_range=(0, 1000), seed=0, probability=0.0)(
        x, training=True, seed=SEED)  # gate closed: values survive the round trip
    np.testing.assert_allclose(out.numpy(), x, rtol=1e-6)


# ------------------------------------------------------------ Keras keys
@pytest.mark.parametrize("fmt", FORMATS)
def test_bounding_boxes_in_every_format(fmt):
    h, w = 10, 20
    xyxy = np.array([[[2.0, 1.0, 6.0, 4.0], [10.0, 5.0, 19.0, 9.0]]], np.float32)
    boxes = convert_boxes(xyxy, "xyxy", fmt, (h, w)).numpy()
    data = {"images": np.zeros((1, h, w, 3), np.float32),
            "bounding_boxes": {"boxes": boxes, "labels": np.array([[3, 4]])}}
    out = _hflip(bounding_box_format=fmt)(data, training=True, seed=SEED)
    assert set(out) == {"images", "bounding_boxes"}
    assert set(out["bounding_boxes"]) == {"boxes", "labels"}
    got = convert_boxes(out["bounding_boxes"]["boxes"], fmt, "xyxy", (h, w)).numpy()
    flipped = np.stack([w - xyxy[..., 2], xyxy[..., 1], w - xyxy[..., 0], xyxy[..., 3]], -1)
    np.testing.assert_allclose(got, flipped, atol=1e-4)
    np.testing.assert_array_equal(out["bounding_boxes"]["labels"], [[3, 4]])


def test_box_labels_of_boxes_that_leave_the_image_become_minus_one():
    data = {"images": np.zeros((1, 10, 10, 1), np.float32),
            "bounding_boxes": {"boxes": np.array([[[0.0, 0.0, 2.0, 2.0], [4.0, 4.0, 6.0, 6.0]]],
                                                 np.float32),
                               "labels": np.array([[1, 2]], np.int32)}}
    # Translate right by half the width: the first box stays, ... both stay; move far.
    layer = image.RandomTranslation(0.0, (0.7, 0.7), fill_mode="constant", seed=0)
    out = layer(data, training=True, seed=SEED)
    boxes = out["bounding_boxes"]["boxes"].numpy()[0]
    labels = out["bounding_boxes"]["labels"].numpy()[0]
    np.testing.assert_allclose(boxes[0], [7.0, 0.0, 9.0, 2.0], atol=1e-4)
    assert labels[0] == 1 and labels[1] == -1 and (boxes[1] == -1).all()


def test_both_names_of_one_target_are_refused():
    x = _images()
    m = np.zeros((2, 5, 6, 1), np.int32)
    with pytest.raises(ValueError, match="both 'masks' and 'segmentation_masks'"):
        _hflip()({"images": x, "masks": m, "segmentation_masks": m}, training=True)
    with pytest.raises(ValueError, match="`bounding_boxes` must be a dict"):
        _hflip()({"images": x, "bounding_boxes": np.zeros((2, 1, 4))}, training=True)


def test_bounding_box_format_is_checked():
    with pytest.raises(ValueError, match="`bounding_box_format`"):
        _hflip(bounding_box_format="xyzw")


def test_keras_keys_pass_through_a_composition_and_a_policy():
    data = {"images": _images(h=16, w=16),
            "bounding_boxes": {"boxes": np.array([[[0.1, 0.1, 0.5, 0.5]]] * 2, np.float32),
                               "labels": np.array([[1]] * 2)},
            "segmentation_masks": np.zeros((2, 16, 16, 2), np.int32)}
    aug = tfaug.Sequence([_hflip(bounding_box_format="rel_xyxy"),
                          tfaug.RandAugment(num_ops=1, ops=["rotate"], bounding_box_format="rel_xyxy")],
                         seed=0)
    out = aug(data, training=True, seed=SEED)
    assert set(out) == set(data)
    assert out["segmentation_masks"].shape == (2, 16, 16, 2)
    boxes = out["bounding_boxes"]["boxes"].numpy()
    assert ((boxes >= 0) & (boxes <= 1)).all()


# --------------------------------------------------------- box conversion
@pytest.mark.parametrize("fmt", FORMATS)
def test_convert_boxes_round_trips_and_keeps_flags(fmt):
    boxes = np.array([[12.0, 4.0, 30.0, 9.0], [-1.0, -1.0, -1.0, -1.0]], np.float32)
    there = convert_boxes(boxes, "xyxy", fmt, (10, 40))
    np.testing.assert_allclose(convert_boxes(there, fmt, "xyxy", (10, 40)), boxes, atol=1e-5)
    np.testing.assert_array_equal(there.numpy()[1], -1.0)


def test_convert_boxes_known_values():
    box = np.array([[10.0, 20.0, 30.0, 60.0]], np.float32)  # xyxy pixels, image 100 x 200
    expect = {"yxyx": [20, 10, 60, 30], "xywh": [10, 20, 20, 40],
              "center_xywh": [20, 40, 20, 40], "center_yxhw": [40, 20, 40, 20],
              "rel_xyxy": [0.05, 0.2, 0.15, 0.6], "yolo": [0.1, 0.4, 0.1, 0.4]}
    for fmt, value in expect.items():
        np.testing.assert_allclose(convert_boxes(box, "xyxy", fmt, (100, 200))[0], value,
                                   rtol=1e-5, err_msg=fmt)
    with pytest.raises(ValueError, match="`image_shape`"):
        convert_boxes(box, "xyxy", "rel_xyxy")
    with pytest.raises(ValueError, match="`target`"):
        convert_boxes(box, "xyxy", "xyzw", (1, 1))


# ------------------------------------------------ Keras' transform API
@pytest.mark.parametrize("make", [
    lambda: image.RandomAffine(degrees=20, translate=(0.1, 0.1), seed=0),
    lambda: tfaug.RandAugment(num_ops=2, magnitude=9, ops=["rotate", "contrast"], seed=0),
], ids=["RandomAffine", "RandAugment"])
def test_transform_api_equals_a_call_with_the_same_seed(make):
    layer = make()
    x = _images(h=12, w=10).astype(np.float32)
    boxes = {"boxes": np.array([[[1.0, 2.0, 6.0, 9.0]]] * 2, np.float32),
             "labels": np.array([[4]] * 2)}
    masks = (np.arange(2 * 12 * 10).reshape(2, 12, 10, 1) % 3).astype(np.int32)
    t = layer.get_random_transformation(x, seed=SEED)
    assert layer.get_random_transformation(x, training=False) is None
    called = layer({"images": x, "bounding_boxes": boxes, "segmentation_masks": masks},
                   training=True, seed=SEED)
    np.testing.assert_allclose(layer.transform_images(x, t), called["images"], atol=1e-4)
    got = layer.transform_bounding_boxes(boxes, t)
    np.testing.assert_allclose(got["boxes"], called["bounding_boxes"]["boxes"], atol=1e-4)
    np.testing.assert_array_equal(got["labels"], called["bounding_boxes"]["labels"])
    np.testing.assert_array_equal(layer.transform_segmentation_masks(masks, t),
                                  called["segmentation_masks"])
    np.testing.assert_array_equal(layer.transform_images(x, t, training=False), x)
    labels = np.arange(2)
    np.testing.assert_array_equal(layer.transform_labels(labels, t), labels)


def test_transform_api_needs_the_input_shape_for_boxes():
    layer = image.RandomAffine(degrees=20, seed=0)
    with pytest.raises(ValueError, match="input_shape"):
        layer.transform_bounding_boxes({"boxes": np.zeros((1, 1, 4), np.float32)}, {"x": 1})


def test_integer_images_at_inference_come_back_as_float_values_unchanged():
    # Keras' rule: the output dtype does not depend on `training`, and inference
    # leaves the values alone (no clipping to value_range).
    x = (np.arange(2 * 4 * 4 * 3).reshape(2, 4, 4, 3) * 3).astype(np.int64)
    out = image.RandomHue(0.2, (0, 1))(x, training=False)
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(out.numpy(), x.astype(np.float32))
    data = image.RandomHue(0.2, (0, 1))({"images": x, "labels": np.arange(2)}, training=False)
    assert data["images"].dtype == tf.float32 and set(data) == {"images", "labels"}
