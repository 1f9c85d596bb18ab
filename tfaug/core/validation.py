"""Argument checks shared by every augmentation.

Each checker raises ``ValueError`` naming the argument, the bad value and what is
allowed, and returns the value in its canonical (JSON-native) form.
"""

import numbers


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_number(name, value, low=None, high=None, *, low_inclusive=True,
                 high_inclusive=True):
    """Checks that ``value`` is a real number inside ``[low, high]``."""
    if not _is_number(value):
        raise ValueError(f"`{name}` must be a number, got {value!r}.")
    value = float(value)
    lo_ok = low is None or (value >= low if low_inclusive else value > low)
    hi_ok = high is None or (value <= high if high_inclusive else value < high)
    if not (lo_ok and hi_ok):
        lb = "[" if low_inclusive else "("
        hb = "]" if high_inclusive else ")"
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"`{name}` must be in {lb}{lo}, {hi}{hb}, got {value!r}.")
    return value


def check_int(name, value, low=None, high=None):
    """Checks that ``value`` is an integer inside ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"`{name}` must be an integer, got {value!r}.")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"`{name}` must be an integer in [{lo}, {hi}], got {value!r}.")
    return value


def check_probability(name, value):
    """Checks a probability in ``[0, 1]``."""
    return check_number(name, value, 0.0, 1.0)


def check_choice(name, value, allowed):
    """Checks that ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"`{name}` must be one of {list(allowed)}, got {value!r}.")
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
    if _is_number(value):
        v = float(value)
        if symmetric:
            if v < 0:
                raise ValueError(f"`{name}` must be non-negative when given as a "
                                 f"single number (meaning [-{name}, {name}]), got {value!r}.")
            pair = [-v, v]
        else:
            pair = [v, v]
    elif isinstance(value, (list, tuple)) and len(value) == 2 and all(
            _is_number(v) for v in value):
        pair = [float(value[0]), float(value[1])]
        if pair[0] > pair[1]:
            raise ValueError(f"`{name}` must be an ordered pair (low, high) with "
                             f"low <= high, got {tuple(value)!r}.")
    else:
        raise ValueError(f"`{name}` must be a number or a pair (low, high), "
                         f"got {value!r}.")
    for v in pair:
        if (low is not None and v < low) or (high is not None and v > high):
            lo = "-inf" if low is None else low
            hi = "inf" if high is None else high
            raise ValueError(f"`{name}` values must lie in [{lo}, {hi}], got {value!r}.")
    return pair


def check_value_range(name, value):
    """Checks a ``value_range`` pair with ``low < high``."""
    if not (isinstance(value, (list, tuple)) and len(value) == 2
            and all(_is_number(v) for v in value)):
        raise ValueError(f"`{name}` must be a pair (low, high) of numbers, got {value!r}.")
    lo, hi = float(value[0]), float(value[1])
    if not lo < hi:
        raise ValueError(f"`{name}` must satisfy low < high, got ({lo}, {hi}) "
                         "(reversed or empty range).")
    return [lo, hi]


def check_size(name, value):
    """Checks an output size: an int or a pair ``(height, width)`` of positive ints."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value, value)
    if not (isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0
            for v in value)):
        raise ValueError(f"`{name}` must be a positive int or a pair (height, width) "
                         f"of positive ints, got {value!r}.")
    return [int(value[0]), int(value[1])]


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
      ValueError: naming the argument that is out of range, or both when
        ``low > high``.

    Example:
      >>> check_bounds("min_db", -6, "max_db", 6)
      (-6.0, 6.0)
    """
    low = check_number(low_name, low, lo, hi, low_inclusive=not positive)
    high = check_number(high_name, high, lo, hi, low_inclusive=not positive)
    if low > high:
        raise ValueError(f"`{low_name}` must be <= `{high_name}`, got {low_name}={low!r} "
                         f"and {high_name}={high!r}.")
    return low, high
