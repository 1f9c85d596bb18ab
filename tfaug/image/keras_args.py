"""Keras' argument conventions shared by the Keras-named image layers.

Keras 3's image preprocessing layers parse ``factor`` and ``value_range`` the
same way and draw "apply this image?" flags the same way; these helpers do it
once, with Keras' error sentences (as :class:`tfaug.core.validation.ArgumentError`,
naming the argument, the value and what is allowed).
"""

import tensorflow as tf

from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.core.base import GATE


def keras_factor(name, value, low, high):
    """Keras' ``factor`` parsing for a layer whose factor lies in ``[low, high]``.

    A number ``f`` means ``(max(-|f|, low), |f|)`` (so ``(-f, f)`` for bounds
    ``(-1, 1)`` and ``(0, f)`` for ``(0, 1)``); a pair is sorted. Returns
    ``(stored, [lower, upper])``: ``stored`` is the argument in its JSON form
    (for ``get_config``); errors begin with Keras' sentence
    (:func:`tfaug.core.validation.check_keras_factor`).
    """
    bounds = validation.check_keras_factor(name, value, low, high)
    if validation.is_number(value):
        return float(value), bounds
    return [float(v) for v in value], bounds


def keras_value_range(value):
    """``value_range`` with Keras' error sentence for a non-pair (the base
    class checks the rest)."""
    if not (isinstance(value, (list, tuple)) and len(value) == 2):
        error = (validation.ArgumentError if isinstance(value, (list, tuple))
                 else validation.ArgumentTypeError)
        raise error(
            "value_range", value, "a list of two numbers",
            "The `value_range` argument should be a list of two numbers. "
            f"Received: value_range={value!r}")
    return value


def keras_apply_flags(bounds, batch_size, seed):
    """Keras' per-sample "apply" draw: ``p ~ U(bounds)``, then ``u < p`` (bool ``[B]``)."""
    p_seed, u_seed = tf.unstack(seeds_lib.split(seed, 2))
    p = seeds_lib.uniform([batch_size], p_seed, *bounds)
    return seeds_lib.uniform([batch_size], u_seed) < p


# ------------------------------------------------- Keras' transform API (keys)
def keras_rows(value, batch_size, dtype=tf.float32, inner=()):
    """A Keras transformation value as ``[B, *inner]`` rows of ``dtype``: a
    scalar or one row is broadcast to every sample; singleton axes (Keras'
    ``[B, 1, 1, 1]`` factors) are dropped."""
    inner = [int(d) for d in inner]
    value = tf.reshape(tf.cast(tf.convert_to_tensor(value), dtype), [-1] + inner)
    shape = tf.concat([tf.reshape(tf.cast(batch_size, tf.int32), [1]),
                       tf.constant(inner, tf.int32, shape=[len(inner)])], 0)
    return tf.broadcast_to(value, shape)


def with_gate(flags, params):
    """``flags`` (bool ``[B]``) and the layer's per-sample gate, if drawn."""
    return flags & params[GATE] if GATE in params else flags


def zero_ungated(params, *values):
    """``values`` (each ``[B]``) with 0 on the rows the gate leaves out (as
    Keras reports a layer that does not apply), unchanged without a gate."""
    if GATE not in params:
        return values
    return tuple(tf.where(params[GATE], v, tf.zeros_like(v)) for v in values)
