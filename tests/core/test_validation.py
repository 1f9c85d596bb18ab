"""Argument validation: every bad argument raises ValueError naming the argument,
the bad value and what is allowed, at construction."""

import math
import pickle

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug.core import validation as v
from tfaug.image import RandomFlip


# ---------------------------------------------------------------- checkers
def test_check_number():
    assert v.check_number("x", 3) == 3.0 and isinstance(v.check_number("x", 3), float)
    assert v.check_number("x", 0.0, 0.0, 1.0) == 0.0
    with pytest.raises(ValueError, match=r"`x` must be in \(0.0, 1.0\], got 0.0"):
        v.check_number("x", 0.0, 0.0, 1.0, low_inclusive=False)
    with pytest.raises(ValueError, match=r"`x` must be <= 2, got 3.0"):
        v.check_number("x", 3, high=2)
    with pytest.raises(ValueError, match=r"`x` must be > 0, got -1.0"):
        v.check_number("x", -1, 0, low_inclusive=False)
    for bad in ("1", None, True, [1]):
        with pytest.raises(ValueError, match="`x` must be a number"):
            v.check_number("x", bad)


def test_check_int():
    assert v.check_int("n", 4, 0, 5) == 4
    with pytest.raises(ValueError, match=r"`n` must be an integer in \[0, 5\], got 6"):
        v.check_int("n", 6, 0, 5)
    for bad in (1.0, True, "2"):
        with pytest.raises(ValueError, match="`n` must be an integer"):
            v.check_int("n", bad)


def test_check_probability_and_choice():
    assert v.check_probability("p", 1) == 1.0
    with pytest.raises(ValueError, match=r"`p` must be in \[0.0, 1.0\], got -0.1"):
        v.check_probability("p", -0.1)
    assert v.check_choice("mode", "a", ("a", "b")) == "a"
    with pytest.raises(ValueError, match=r"`mode` must be one of \['a', 'b'\], got 'c'"):
        v.check_choice("mode", "c", ("a", "b"))


def test_check_range():
    assert v.check_range("f", 0.2, symmetric=True) == [-0.2, 0.2]
    assert v.check_range("f", 0.2) == [0.2, 0.2]
    assert v.check_range("f", (1, 3)) == [1.0, 3.0]
    with pytest.raises(ValueError, match="`f` must be non-negative.*got -0.2"):
        v.check_range("f", -0.2, symmetric=True)
    with pytest.raises(ValueError, match=r"`f` must be an ordered pair.*\(3, 1\)"):
        v.check_range("f", (3, 1))
    with pytest.raises(ValueError, match=r"`f` values must lie in \[0, 1\]"):
        v.check_range("f", (0.5, 1.5), 0, 1)
    for bad in ((1, 2, 3), "0.1", (1, "2"), None):
        with pytest.raises(ValueError, match="`f` must be a number or a pair"):
            v.check_range("f", bad)


def test_check_value_range_size_seed():
    assert v.check_value_range("value_range", (0, 1)) == [0.0, 1.0]
    with pytest.raises(ValueError, match=r"`value_range` must satisfy low < high.*reversed"):
        v.check_value_range("value_range", (255, 0))
    with pytest.raises(ValueError, match="`value_range` must be a pair"):
        v.check_value_range("value_range", 255)
    assert v.check_size("size", 8) == [8, 8]
    assert v.check_size("size", (4, 6)) == [4, 6]
    for bad in (0, (4,), (4, 0), (4.0, 4), True):
        with pytest.raises(ValueError, match="`size` must be a positive int"):
            v.check_size("size", bad)
    assert v.check_seed("seed", None) is None and v.check_seed("seed", 0) == 0
    for bad in (-1, 2**31, 1.5, "1"):
        with pytest.raises(ValueError, match="`seed` must be an integer"):
            v.check_seed("seed", bad)


# ------------------------------------------------------------ error classes
NAN, INF = float("nan"), float("inf")


def test_argument_error_carries_argument_value_and_allowed():
    err = v.ArgumentError("factor", 2.0, "in [0.0, 1.0]")
    assert isinstance(err, ValueError) and not isinstance(err, TypeError)
    assert (err.argument, err.value, err.allowed) == ("factor", 2.0, "in [0.0, 1.0]")
    assert str(err) == "`factor` must be in [0.0, 1.0], got 2.0."
    # A checker's own wording is kept, and the attributes still name all three.
    custom = v.ArgumentError("n", 0, ">= 1", "give `n` >= 1, got 0.")
    assert str(custom) == "give `n` >= 1, got 0." and custom.argument == "n"
    # Both classes survive pickling (tf.data / multiprocessing workers).
    for e in (err, custom, v.ArgumentTypeError("x", "s", "a number")):
        back = pickle.loads(pickle.dumps(e))
        assert type(back) is type(e) and str(back) == str(e)
        assert (back.argument, back.value, back.allowed) == (e.argument, e.value, e.allowed)
    assert tfaug.core.ArgumentError is v.ArgumentError
    assert tfaug.core.ArgumentTypeError is v.ArgumentTypeError


def test_wrong_types_raise_argument_type_error():
    cases = [
        (v.check_number, ("x", "1")), (v.check_number, ("x", True)),
        (v.check_number, ("x", None)), (v.check_int, ("x", 2.0)),
        (v.check_int, ("x", False)), (v.check_probability, ("x", "0.5")),
        (v.check_range, ("x", "0.1")), (v.check_range, ("x", (0, "1"))),
        (v.check_value_range, ("x", 255)), (v.check_size, ("x", 4.0)),
        (v.check_seed, ("x", 1.5)), (v.check_bool, ("x", 1)),
        (v.check_numbers, ("x", (1, "2"))), (v.check_numbers, ("x", 3)),
        (v.check_choice, ("x", 3, ("a", "b"))),
    ]
    for check, args in cases:
        with pytest.raises(v.ArgumentTypeError) as info:
            check(*args)
        err = info.value
        assert isinstance(err, TypeError) and isinstance(err, ValueError), check
        assert err.argument == "x" and err.allowed, (check, args)
        assert str(err).startswith("`x` "), str(err)
    # A wrong value of the right type is a ValueError only.
    with pytest.raises(v.ArgumentError) as info:
        v.check_choice("mode", "c", ("a", "b"))
    assert not isinstance(info.value, TypeError)


@pytest.mark.parametrize("bad", [NAN, INF, -INF], ids=["nan", "inf", "-inf"])
def test_non_finite_numbers_are_refused(bad):
    checks = [
        lambda: v.check_number("x", bad),
        lambda: v.check_number("x", bad, 0.0, 1.0),
        lambda: v.check_number("x", bad, 0.0),  # one-sided: inf was "in range"
        lambda: v.check_probability("x", bad),
        lambda: v.check_range("x", bad, symmetric=True),
        lambda: v.check_range("x", (0.1, bad)),
        lambda: v.check_range("x", (bad, 0.1), -1.0, 1.0),
        lambda: v.check_value_range("x", (0, bad)),
        lambda: v.check_value_range("x", (bad, 255)),
        lambda: v.check_bounds("x", bad, "y", 1.0),
        lambda: v.check_bounds("y", 0.0, "x", bad),
        lambda: v.check_numbers("x", [1.0, bad]),
    ]
    for check in checks:
        with pytest.raises(v.ArgumentError) as info:
            check()
        err = info.value
        assert err.argument == "x", str(err)
        assert "finite" in str(err) and "finite" in err.allowed, str(err)
        assert repr(bad) in str(err), str(err)
    # Integers cannot be NaN or inf: a float there is the wrong type.
    with pytest.raises(v.ArgumentTypeError, match="`n` must be an integer"):
        v.check_int("n", bad)


def test_nan_is_let_through_only_when_asked():
    assert math.isnan(v.check_number("fill", NAN, allow_nan=True))
    assert v.check_number("fill", 2, allow_nan=True) == 2.0
    for bad in (INF, -INF):
        with pytest.raises(v.ArgumentError, match="finite number or NaN"):
            v.check_number("fill", bad, allow_nan=True)


def test_check_numbers_and_bool():
    assert v.check_numbers("w", (1, 2.5)) == [1.0, 2.5]
    assert v.check_numbers("t", [0, 1], 2, 0.0, 1.0) == [0.0, 1.0]
    with pytest.raises(v.ArgumentError, match=r"`t` must be a list of 2 numbers in "
                                              r"\[0.0, 1.0\], got \[0, 2\]"):
        v.check_numbers("t", [0, 2], 2, 0.0, 1.0)
    with pytest.raises(v.ArgumentError, match="`t` must be a list of 2 numbers"):
        v.check_numbers("t", [0, 0.5, 1], 2, 0.0, 1.0)
    assert v.check_bool("b", False) is False
    with pytest.raises(v.ArgumentTypeError, match="`b` must be True or False, got None"):
        v.check_bool("b", None)


def test_bounds_order_error_names_both():
    with pytest.raises(v.ArgumentError) as info:
        v.check_bounds("min_db", 6, "max_db", -6)
    assert info.value.argument == "min_db"
    assert "`min_db` must be <= `max_db`" in str(info.value)


@pytest.mark.parametrize("make, argument", [
    (lambda: tfaug.image.RandomRotation(NAN), "factor"),
    (lambda: tfaug.image.RandomRotation(0.1, fill_value=NAN), "fill_value"),
    (lambda: tfaug.image.RandomBrightness((NAN, 0.1)), "factor"),
    (lambda: tfaug.image.RandomContrast(NAN), "factor"),
    (lambda: tfaug.image.ColorJitter(brightness=INF), "brightness"),
    (lambda: tfaug.image.RandomFlip(value_range=(0, INF)), "value_range"),
    (lambda: tfaug.audio.Gain(sample_rate=INF), "sample_rate"),
    (lambda: tfaug.tabular.GaussianNoise(feature_std=[1.0, INF]), "feature_std"),
    (lambda: tfaug.tabular.FeatureMask(mask_value=-INF), "mask_value"),
], ids=["rotation-factor", "fill_value", "pair", "contrast", "jitter", "value_range",
        "sample_rate", "feature_std", "mask_value"])
def test_issue_examples_raise_at_construction(make, argument):
    with pytest.raises(v.ArgumentError) as info:
        make()
    assert info.value.argument == argument
    assert f"`{argument}`" in str(info.value) and "finite" in str(info.value)


# ------------------------------------------------------------ at construction
@pytest.mark.parametrize("kwargs, match", [
    ({"mode": "diagonal"}, "`mode` must be one of.*'diagonal'"),
    ({"rate": 1.5}, r"`rate` must be in \[0.0, 1.0\], got 1.5"),
    ({"rate": -0.5}, r"`rate` must be in \[0.0, 1.0\], got -0.5"),
    ({"probability": 2}, "`probability` must be in"),
    ({"value_range": (1, 0)}, "`value_range` must satisfy low < high"),
    ({"value_range": (0, 0)}, "`value_range` must satisfy low < high"),
    ({"seed": -3}, "`seed` must be an integer"),
    ({"seed": "abc"}, "`seed` must be an integer"),
])
def test_layer_arguments_checked_at_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RandomFlip(**kwargs)


def test_composition_arguments():
    flip = RandomFlip()
    with pytest.raises(ValueError, match="`layers` must be a non-empty list"):
        tfaug.Sequence([])
    with pytest.raises(ValueError, match="`layers` must be a non-empty list"):
        tfaug.Sequence(flip)
    with pytest.raises(ValueError, match="`layers` must hold tfaug augmentation layers"):
        tfaug.Sequence([flip, "flip"])
    with pytest.raises(ValueError, match="`weights` must be a list of 2"):
        tfaug.OneOf([RandomFlip(), RandomFlip()], weights=[1.0])
    with pytest.raises(ValueError, match=r"`weights` must be >= 0.0, got -1.0"):
        tfaug.OneOf([RandomFlip(), RandomFlip()], weights=[1.0, -1.0])
    with pytest.raises(ValueError, match="`weights` must not all be zero"):
        tfaug.OneOf([RandomFlip(), RandomFlip()], weights=[0, 0])
    with pytest.raises(ValueError, match=r"`n` must be an integer in \[0, 2\], got 3"):
        tfaug.SomeOf([RandomFlip(), RandomFlip()], n=3)
    with pytest.raises(ValueError, match=r"`rate` must be in \[0.0, 1.0\]"):
        tfaug.RandomApply(RandomFlip(), rate=1.2)


def test_compositions_require_one_value_range():
    with pytest.raises(ValueError, match="disagree on `value_range`"):
        tfaug.Sequence([RandomFlip(value_range=(0, 1)), RandomFlip()])
    # Nested compositions report their children's range.
    inner = tfaug.OneOf([RandomFlip(value_range=(0, 1)), RandomFlip(value_range=(0, 1))])
    with pytest.raises(ValueError, match="disagree on `value_range`"):
        tfaug.Sequence([RandomFlip(), inner])
    ok = tfaug.Sequence([RandomFlip(value_range=(0, 1)), inner])
    assert ok.value_range == [0.0, 1.0]


def test_compositions_require_one_data_format_and_box_format():
    with pytest.raises(ValueError, match="disagree on `data_format`"):
        tfaug.Sequence([RandomFlip(data_format="channels_first"), RandomFlip()])
    with pytest.raises(ValueError, match="disagree on `bounding_box_format`"):
        tfaug.OneOf([RandomFlip(bounding_box_format="yxyx"), RandomFlip()])
    # None is pixel xyxy: the same setting.
    tfaug.Sequence([RandomFlip(bounding_box_format="xyxy"), RandomFlip()])
    inner = tfaug.OneOf([RandomFlip(data_format="channels_first")] * 2)
    with pytest.raises(ValueError, match="disagree on `data_format`"):
        tfaug.Sequence([RandomFlip(), inner])
    # Agreeing channels_first children: read and written once, in that layout.
    seq = tfaug.Sequence([inner, RandomFlip("horizontal", data_format="channels_first")])
    assert seq.data_format == "channels_first"
    x = tf.reshape(tf.range(2 * 3 * 4 * 5, dtype=tf.float32), [2, 3, 4, 5])
    out = seq(x, training=True, seed=(1, 2)).numpy()
    assert out.shape == (2, 3, 4, 5)
    for i in range(2):  # each sample is its image flipped along H and/or W only
        assert any(np.allclose(out[i], v, atol=1e-4) for v in (
            x[i].numpy(), x[i].numpy()[:, ::-1], x[i].numpy()[:, :, ::-1],
            x[i].numpy()[:, ::-1, ::-1]))
