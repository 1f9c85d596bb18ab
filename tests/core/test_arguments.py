"""Every registered layer refuses NaN, ±inf and wrong types in its numeric
arguments at construction, with an ArgumentError naming the argument.

The layers come from the harness cases (``tests/**/cases_*.py``, one per
registered class, see ``tests/harness.py``), so a new layer is covered without
a test entry here. For each layer, every config entry that is a number (not a
bool) is rebuilt through ``from_config`` with NaN, inf, -inf, a string and a
bool (booleans are not numbers); every entry that is a list of numbers (pairs,
ranges, weights) with NaN/inf in its first and last element and a string in its
first. Nested layer configs
(compositions' ``layers``, ``default``, ...) are not numbers and are skipped:
each nested class is covered by its own case. Construction only: no layer is
called, so the whole file runs in seconds.
"""

import math
import numbers

import pytest

from tests import harness
from tfaug.core import ArgumentError, ArgumentTypeError

CASES = harness.discover_cases()
NAMES = sorted(CASES)

NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
WRONG_TYPES = {"str": "x", "bool": True}

# Config keys that are not user numbers.
SKIP_KEYS = frozenset({"name"})

# (layer, argument) -> (the bad values it accepts, why). Kept short and
# explicit: test_allow_list_is_not_stale fails when an entry stops applying.
ALLOWED = {
    ("FeatureMask", "mask_value"): (
        {"nan"}, "NaN is the missing-value marker masked entries are set to (the "
                 "default); ±inf is still refused"),
}


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _numbers_list(value):
    return (isinstance(value, (list, tuple)) and len(value) > 0
            and all(_is_number(v) for v in value))


def bad_values(config):
    """Yields ``(key, label, bad config value, bad element, wrong_type)`` for
    every numeric entry (the element is the bad value itself, or the one put
    into a list)."""
    for key, value in config.items():
        if key in SKIP_KEYS:
            continue
        if _is_number(value):
            for label, bad in NON_FINITE.items():
                yield key, label, bad, bad, False
            for label, bad in WRONG_TYPES.items():
                yield key, label, bad, bad, True
        elif _numbers_list(value):
            for i in sorted({0, len(value) - 1}):
                for label, bad in NON_FINITE.items():
                    yield key, f"{label}@{i}", type(value)(
                        bad if j == i else v for j, v in enumerate(value)), bad, False
            bad = WRONG_TYPES["str"]
            yield key, "str@0", type(value)([bad, *value[1:]]), bad, True


def _check(klass, config, key, bad, element, wrong_type):
    """None when ``bad`` for ``key`` is refused as it should be, else the problem."""
    try:
        klass.from_config({**config, key: bad})
    except ArgumentError as err:
        if err.argument != key:
            return f"names `{err.argument}`, not `{key}`: {err}"
        if f"`{key}`" not in str(err) or repr(element) not in str(err) or not err.allowed:
            return (f"message does not name `{key}`, the value {element!r} and what is "
                    f"allowed: {err}")
        # A string where only numbers go raises ArgumentTypeError; an argument
        # that also takes strings ("mean", "max") refuses "x" as a bad value. A
        # bool is never a number.
        if bad is True and not isinstance(err, ArgumentTypeError):
            return f"a bool raised {type(err).__name__}, not ArgumentTypeError: {err}"
        if not wrong_type and "finite" not in str(err) and not isinstance(
                err, ArgumentTypeError):
            return f"message does not say finite numbers are required: {err}"
        return None
    except Exception as err:  # pylint: disable=broad-except
        return f"raised {type(err).__name__} (not ArgumentError): {err}"
    return "accepted"


@pytest.mark.parametrize("name", NAMES)
def test_numeric_arguments_are_validated(name):
    layer = CASES[name].make()
    klass, config = type(layer), layer.get_config()
    klass.from_config(config)  # the unchanged config builds: failures below are the bad value
    problems = []
    for key, label, bad, element, wrong_type in bad_values(config):
        accepted, _ = ALLOWED.get((name, key), (set(), ""))
        problem = _check(klass, config, key, bad, element, wrong_type)
        if label in accepted:
            problem = None if problem == "accepted" else f"allow-listed but {problem}"
        if problem:
            problems.append(f"{key}={label}: {problem}")
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


def test_registry_cases_have_numeric_arguments():
    """The sweep is not vacuous: it finds hundreds of (layer, argument) pairs."""
    pairs = {(name, key) for name in NAMES
             for key, *_ in bad_values(CASES[name].make().get_config())}
    layers = {name for name, _ in pairs}
    assert len(layers) >= len(NAMES) - 5, sorted(set(NAMES) - layers)
    assert len(pairs) >= 200, len(pairs)


def test_allow_list_is_not_stale():
    for (name, key), (accepted, reason) in ALLOWED.items():
        assert name in CASES and reason, name
        config = CASES[name].make().get_config()
        labels = {label for k, label, *_ in bad_values(config) if k == key}
        assert accepted <= labels, (name, key, "is no longer a numeric config entry")
