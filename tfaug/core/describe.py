"""What a training call drew, in words: the helpers behind
:meth:`tfaug.core.Augmentation.describe_draw`.

A layer's :meth:`~tfaug.core.Augmentation.call_with_params` returns its outputs and the
parameters :meth:`~tfaug.core.Augmentation.sample` drew for them; these
helpers turn those per-sample parameters into one short string per sample
(``"angle=-12.3°"``, ``"snr=14.2 dB"``, ``"rotate -8.1° (L=0.27); posterize
6 bits (L=0.5)"``), which previews print under each variant.

The generic wording shows every per-sample number, flag or short vector a
layer drew as ``name=value`` (a ``_db`` / ``_hz`` suffix becomes the unit),
except random-number keys (``keys``, ``*_keys``: inputs of a hash, not
parameters) and large fields (more than :data:`MAX_VALUES` values a sample:
noise, displacement grids). A layer renames, rescales or gives a unit to a
parameter with its ``param_words`` (``{"angle": ("angle", 180 / pi, "°")}``);
layers whose draws mean something only together (policies, compositions)
override ``_words``, and layers whose draws mean something only for a given
input size (a mask drawn as a fraction of the axis) add the resolved values
in ``resolve_params``.

Parts of one sample's description are joined with ``", "``; steps (policy
ops, a composition's children) with ``"; "``, so a renderer may break lines
there.
"""

import numpy as np
import tensorflow as tf

NOT_APPLIED = "not applied"
MAX_VALUES = 4
STEP = "; "
_UNIT_SUFFIXES = {"_db": " dB", "_hz": " Hz"}


def to_numpy(params):
    """A (nested) dict of tensors -> the same dict of numpy arrays."""
    return {k: (to_numpy(v) if isinstance(v, dict) else
                (v.numpy() if tf.is_tensor(v) else np.asarray(v))) for k, v in params.items()}


def batch_size(params, default=None):
    """The leading dimension of the first array leaf of ``params``, else ``default``."""
    for value in params.values():
        found = batch_size(value) if isinstance(value, dict) else (
            value.shape[0] if np.ndim(value) else None)
        if found is not None:
            return int(found)
    return default


def number(value):
    """A number in at most 3 significant digits (whole above 1000), no exponent."""
    value = float(value)
    if value != value:  # NaN
        return "nan"
    if abs(value) >= 1000:
        return f"{value:.0f}"
    if value == 0:
        return "0"
    if abs(value) < 1e-3:
        return f"{value:.1e}"
    return f"{value:.3g}"


def is_key(name):
    """True for random-number keys (``keys``, ``*_keys``), never worded."""
    return name == "keys" or name.endswith("_keys")


def word(name, value, words=None):
    """One drawn parameter of one sample in words, or None when it is not shown
    (a random-number key, a field of more than :data:`MAX_VALUES` values).

    Args:
      name: The parameter's key in ``params``.
      value: Its value for one sample (a numpy scalar or array).
      words: Optional ``{name: (label, scale, unit)}`` (a layer's ``param_words``).

    Example:
      >>> word("snr_db", np.float32(14.24))
      'snr=14.2 dB'
      >>> word("angle", np.float32(0.5), {"angle": ("angle", 57.2958, "°")})
      'angle=28.6°'
    """
    if is_key(name):
        return None
    value = np.asarray(value)
    if value.size > MAX_VALUES:
        return None
    label, scale, unit = (words or {}).get(name, (name, 1.0, ""))
    if not unit:
        for suffix, suffix_unit in _UNIT_SUFFIXES.items():
            if label.endswith(suffix):
                label, unit = label[:-len(suffix)], suffix_unit
    if value.dtype == bool:
        text = " ".join("yes" if v else "no" for v in value.reshape(-1))
        return f"{label}={text}"
    if np.issubdtype(value.dtype, np.integer) and scale == 1.0:
        parts = [str(int(v)) for v in value.reshape(-1)]
    else:
        parts = [number(float(v) * scale) for v in value.reshape(-1)]
    text = parts[0] if value.ndim == 0 or value.size == 1 and value.ndim <= 1 else \
        "[" + " ".join(parts) + "]"
    return f"{label}={text}{unit}"


def generic_words(params, batch, words=None):
    """Per sample, every shown parameter (:func:`word`) joined with ``", "``;
    ``"applied"`` for a sample of a layer that drew nothing else."""
    out = []
    for b in range(batch):
        parts = [word(k, v[b], words) for k, v in params.items()
                 if not isinstance(v, dict) and np.ndim(v) >= 1]
        parts = [p for p in parts if p is not None]
        out.append(", ".join(parts) if parts else "applied")
    return out


def gated(words, params, gate_key):
    """``words`` with :data:`NOT_APPLIED` where ``params[gate_key]`` is false."""
    if gate_key not in params:
        return list(words)
    return [w if g else NOT_APPLIED for w, g in zip(words, np.asarray(params[gate_key]))]


def named(layer, text):
    """``"Name: text"`` with each step of ``text`` kept apart (nested steps are
    joined with ``" / "`` so that the outer ``"; "`` still separates children)."""
    return f"{type(layer).__name__}: " + text.replace(STEP, " / ")
