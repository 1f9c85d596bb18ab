"""Argument validation: every bad argument raises ValueError naming the argument,
the bad value and what is allowed, at construction."""

import pytest

import tfaug
from tfaug.core import validation as v
from tfaug.image import RandomFlip


# ---------------------------------------------------------------- checkers
def test_check_number():
    assert v.check_number("x", 3) == 3.0 and isinstance(v.check_number("x", 3), float)
    assert v.check_number("x", 0.0, 0.0, 1.0) == 0.0
    with pytest.raises(ValueError, match=r"`x` must be in \(0.0, 1.0\], got 0.0"):
        v.check_number("x", 0.0, 0.0, 1.0, low_inclusive=False)
    with pytest.raises(ValueError, match=r"`x` must be in \[-inf, 2\], got 3.0"):
        v.check_number("x", 3, high=2)
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
    with pytest.raises(ValueError, match="`weights` must be in"):
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
