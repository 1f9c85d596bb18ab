"""Argument checks shared by every augmentation.

Each checker raises :class:`ArgumentError` (a ``ValueError``; for a value of the
wrong type :class:`ArgumentTypeError`, also a ``TypeError``) naming the argument,
the bad value and what is allowed, and returns the value in its canonical
(JSON-native) form. Numbers must be finite: NaN and ±inf are refused everywhere,
inside pairs and ranges too (``allow_nan=True`` lets a NaN through where it is a
marker, e.g. a missing-value fill). Booleans are not numbers.
"""

from __future__ import annotations

import math
import numbers
from typing import Any


class ArgumentError(ValueError):
    """A constructor argument with a bad value.

    Attributes:
      argument: The argument's name (``"factor"``), as the constructor spells it.
      value: The bad value, as given.
      allowed: What is allowed, as text (``"a finite number in [0.0, 1.0]"``).

    The message is ``"`argument` must be <allowed>, got <value>."`` unless a
    checker words it otherwise; it always names all three.

    Example:
      >>> try:
      ...     tfaug.image.RandomRotation(float("nan"))
      ... except tfaug.core.ArgumentError as err:
      ...     err.argument
      'factor'
    """

    def __init__(self, argument: str, value: Any, allowed: str,
                 message: str | None = None) -> None:
        self.argument = argument
        self.value = value
        self.allowed = allowed
        if message is None:
            message = f"`{argument}` must be {allowed}, got {value!r}."
        else:  # a worded message (e.g. Keras' sentence): keep the contract's parts
            extra = []
            if f"`{argument}`" not in message:
                extra.append(f"`{argument}` must be {allowed}")
            if _has_non_finite(value) and "finite" not in message:
                extra.append("numbers must be finite (NaN and ±inf are refused)")
            if extra:
                message = f"{message.rstrip('.')} ({'; '.join(extra)})."
        super().__init__(message)

    def __reduce__(self):  # picklable (the default would call cls(message))
        return type(self), (self.argument, self.value, self.allowed, str(self))


def _has_non_finite(value):
    values = value if isinstance(value, (list, tuple)) else [value]
    return any(is_number(v) and not _finite(v) for v in values)


class ArgumentTypeError(ArgumentError, TypeError):
    """An :class:`ArgumentError` for a value of the wrong type (``"x"`` for a
    number, ``True`` or ``2.0`` for an integer); also a ``TypeError``."""


def is_number(value):
    """A real number that is not a bool (NaN and ±inf included)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _finite(value):
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def is_finite_number(value):
    """A real number, not a bool, neither NaN nor ±inf (nor too large for a float)."""
    return is_number(value) and _finite(value)


def _interval(low, high, low_inclusive=True, high_inclusive=True):
    """``"in [0, 1]"``, ``">= 0"``, ``"< 2"`` or ``""`` (no bound)."""
    if low is not None and high is not None:
        lb = "[" if low_inclusive else "("
        hb = "]" if high_inclusive else ")"
        return f"in {lb}{low}, {high}{hb}"
    if low is not None:
        return f"{'>=' if low_inclusive else '>'} {low}"
    if high is not None:
        return f"{'<=' if high_inclusive else '<'} {high}"
    return ""


def _joined(*parts):
    return " ".join(p for p in parts if p)


def check_number(name, value, low=None, high=None, *, low_inclusive=True,
                 high_inclusive=True, allow_nan=False):
    """Checks that ``value`` is a finite real number inside ``[low, high]``.

    ``allow_nan`` lets a NaN through (a missing-value marker); ±inf never passes.
    """
    interval = _interval(low, high, low_inclusive, high_inclusive)
    if not is_number(value):
        raise ArgumentTypeError(name, value, _joined("a number", interval))
    if allow_nan and value != value:  # NaN
        return float(value)
    if not _finite(value):
        allowed = _joined("a finite number", interval)
        raise ArgumentError(name, value, allowed + " or NaN" if allow_nan else allowed)
    value = float(value)
    lo_ok = low is None or (value >= low if low_inclusive else value > low)
    hi_ok = high is None or (value <= high if high_inclusive else value < high)
    if not (lo_ok and hi_ok):
        raise ArgumentError(name, value, interval)
    return value


def check_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """Checks that ``value`` is an integer inside ``[low, high]``."""
    interval = _interval(low, high)
    if not _is_int(value):
        raise ArgumentTypeError(name, value, _joined("an integer", interval))
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ArgumentError(name, value, _joined("an integer", interval))
    return value


def check_bool(name, value):
    """Checks that ``value`` is ``True`` or ``False`` (not 0/1, not None)."""
    if not isinstance(value, bool):
        raise ArgumentTypeError(name, value, "True or False")
    return value


def check_probability(name, value):
    """Checks a probability in ``[0, 1]``."""
    return check_number(name, value, 0.0, 1.0)


def check_choice(name, value, allowed):
    """Checks that ``value`` is one of ``allowed``."""
    allowed = list(allowed)
    if value not in allowed:
        error = (ArgumentTypeError if allowed and all(isinstance(a, str) for a in allowed)
                 and not isinstance(value, str) else ArgumentError)
        raise error(name, value, f"one of {allowed}")
    return value


def check_range(name, value, low=None, high=None, *, symmetric=False):
    """Checks a factor given as a number or an ordered pair ``(lo, hi)``.

    Args:
      name: Argument name for error messages.
      value: A number ``f`` or a pair ``(lo, hi)`` with ``lo <= hi``.
      low: Smallest allowed bound.
      high: Largest allowed bound.
      symmetric: If true, a single number ``f`` means ``(-f, f)`` and must be
        non-negative; otherwise a single number means exactly that value.

    Returns:
      A list ``[lo, hi]`` of floats.
    """
    if is_number(value):
        if not _finite(value):
            raise ArgumentError(name, value, "a finite number or a pair (low, high) of "
                                "finite numbers")
        v = float(value)
        if symmetric:
            if v < 0:
                raise ArgumentError(
                    name, value, "non-negative", f"`{name}` must be non-negative when "
                    f"given as a single number (meaning [-{name}, {name}]), got {value!r}.")
            pair = [-v, v]
        else:
            pair = [v, v]
    elif isinstance(value, (list, tuple)) and len(value) == 2 and all(
            is_number(v) for v in value):
        if not all(_finite(v) for v in value):
            raise ArgumentError(name, value, "a pair (low, high) of finite numbers")
        pair = [float(value[0]), float(value[1])]
        if pair[0] > pair[1]:
            raise ArgumentError(name, value, "an ordered pair (low, high) with low <= high",
                                f"`{name}` must be an ordered pair (low, high) with "
                                f"low <= high, got {tuple(value)!r}.")
    else:
        raise ArgumentTypeError(name, value, "a number or a pair (low, high)")
    for v in pair:
        if (low is not None and v < low) or (high is not None and v > high):
            bounds = _interval(low, high)
            where = f"lie {bounds}" if bounds.startswith("in") else f"be {bounds}"
            raise ArgumentError(name, value, f"values {bounds}",
                                f"`{name}` values must {where}, got {value!r}.")
    return pair


def check_numbers(name, value, length=None, low=None, high=None, *, low_inclusive=True,
                  high_inclusive=True):
    """Checks a list or tuple of finite numbers, each inside ``[low, high]``.

    Args:
      name: Argument name for error messages.
      value: The sequence (``weights``, ``mean``, a ``(lower, upper)`` pair).
      length: Required length, or None for any.
      low: Smallest allowed element, or None.
      high: Largest allowed element, or None.
      low_inclusive: ``low`` itself is allowed.
      high_inclusive: ``high`` itself is allowed.

    Returns:
      A list of floats.

    Example:
      >>> check_numbers("weights", (1, 2), low=0)
      [1.0, 2.0]
    """
    interval = _interval(low, high, low_inclusive, high_inclusive)
    shape = "a list of" if length is None else f"a list of {length}"
    if not (isinstance(value, (list, tuple)) and all(is_number(v) for v in value)):
        raise ArgumentTypeError(name, value, _joined(shape, "numbers", interval))
    if length is not None and len(value) != length:
        raise ArgumentError(name, value, _joined(shape, "numbers", interval))
    if not all(_finite(v) for v in value):
        raise ArgumentError(name, value, _joined(shape, "finite numbers", interval))
    out = [float(v) for v in value]
    for v in out:
        lo_ok = low is None or (v >= low if low_inclusive else v > low)
        hi_ok = high is None or (v <= high if high_inclusive else v < high)
        if not (lo_ok and hi_ok):
            raise ArgumentError(name, value, _joined(shape, "numbers", interval))
    return out


def check_value_range(name, value):
    """Checks a ``value_range`` pair with ``low < high``."""
    if not (isinstance(value, (list, tuple)) and len(value) == 2
            and all(is_number(v) for v in value)):
        raise ArgumentTypeError(name, value, "a pair (low, high) of numbers")
    if not all(_finite(v) for v in value):
        raise ArgumentError(name, value, "a pair (low, high) of finite numbers")
    lo, hi = float(value[0]), float(value[1])
    if not lo < hi:
        raise ArgumentError(name, value, "a pair with low < high",
                            f"`{name}` must satisfy low < high, got ({lo}, {hi}) "
                            "(reversed or empty range).")
    return [lo, hi]


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_size(name, value):
    """Checks an output size: an int or a pair ``(height, width)`` of positive ints."""
    allowed = "a positive int or a pair (height, width) of positive ints"
    pair = (value, value) if _is_int(value) else value
    if not (isinstance(pair, (list, tuple)) and all(_is_int(v) for v in pair)):
        raise ArgumentTypeError(name, value, allowed)
    if not (len(pair) == 2 and all(v > 0 for v in pair)):
        raise ArgumentError(name, value, allowed)
    return [int(pair[0]), int(pair[1])]


def check_seed(name, value):
    """Checks a construction-time seed: ``None`` or a non-negative int."""
    if value is None:
        return None
    return check_int(name, value, 0, 2**31 - 1)


def check_bounds(low_name, low, high_name, high, lo=None, hi=None, *, positive=False):
    """Checks a ``min_x`` / ``max_x`` argument pair: numbers in ``[lo, hi]``, ordered.

    Args:
      low_name: Name of the lower argument (``"min_db"``).
      low: Its value.
      high_name: Name of the upper argument (``"max_db"``).
      high: Its value.
      lo: Smallest allowed value, or None.
      hi: Largest allowed value, or None.
      positive: ``lo`` itself is not allowed (``(lo, hi]``).

    Returns:
      ``(low, high)`` as floats.

    Raises:
      ArgumentError: naming the argument that is out of range or not finite, or
        both when ``low > high`` (``argument`` is then ``low_name``).

    Example:
      >>> check_bounds("min_db", -6, "max_db", 6)
      (-6.0, 6.0)
    """
    low = check_number(low_name, low, lo, hi, low_inclusive=not positive)
    high = check_number(high_name, high, lo, hi, low_inclusive=not positive)
    if low > high:
        raise ArgumentError(low_name, low, f"<= `{high_name}` ({high!r})",
                            f"`{low_name}` must be <= `{high_name}`, got {low_name}={low!r} "
                            f"and {high_name}={high!r}.")
    return low, high


def check_keras_factor(name, value, low=0.0, high=1.0):
    """A Keras-style ``factor``: a number or a pair, read as keras.layers read it.

    A number ``f`` (``low <= f <= high``) means ``(max(-|f|, low), |f|)``; a pair
    is sorted. Every bound must lie in ``[low, high]`` and be finite. The error
    message begins with Keras' own sentence.

    Args:
      name: Argument name.
      value: A number or a pair.
      low: Smallest allowed bound (Keras' ``_FACTOR_BOUNDS[0]``).
      high: Largest allowed bound.

    Returns:
      A list ``[lower, upper]`` of floats.

    Example:
      >>> check_keras_factor("factor", 0.3)
      [0.0, 0.3]
    """
    allowed = f"a number (or a list of two numbers) in the range [{low}, {high}]"
    message = (f"The `{name}` argument should be {allowed}. Received: {name}={value!r} "
               f"(`{name}` must be finite numbers in [{low}, {high}]).")
    if is_number(value):
        if not _finite(value) or value < low or value > high:
            raise ArgumentError(name, value, allowed, message)
        f = abs(float(value))
        return [max(-f, float(low)), f]
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(is_number(v) for v in value):
        if not all(_finite(v) and low <= v <= high for v in value):
            raise ArgumentError(name, value, allowed, message)
        return sorted(float(v) for v in value)
    raise ArgumentTypeError(name, value, allowed, message)
