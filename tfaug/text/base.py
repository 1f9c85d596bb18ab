"""Text layer base: input forms and the internal dict.

A text layer accepts:

* a string tensor ``[B]`` (or one string, a scalar);
* a tuple ``(texts, labels)`` — what a ``tf.data`` map of ``(x, y)`` gets;
* a dict with a ``"text"`` key (``[B]`` strings) and any other batched keys
  (``"labels"``, ...), carried along unchanged.

Inside, a layer sees ``{"text": [B], ...}``. Layers that make several variants
of each string (``EDA(num_aug=4)``) repeat every other key row by row.
Text ops cannot run under XLA (XLA has no string type): text layers never
auto-compile, and a ``jit_compile=True`` function cannot hold them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import tensorflow as tf

from tfaug.core import keyed
from tfaug.core import validation
from tfaug.core.base import Augmentation
from tfaug.text.ops import eda as ops
from tfaug.text.ops import flat as flat_lib
from tfaug.text.ops import words as words_lib

TEXT = "text"


class TextAugmentation(Augmentation):
    """Base of text layers.

    Args:
      protected_words: Words never replaced, deleted or moved across, added
        to the default list (``tfaug.text.ops.DEFAULT_PROTECTED``: not, no,
        never, nor, n't, without, ...), which stays protected. ``None``: the
        default list alone. Entries starting with ``'`` or ``n'`` are clitics
        (``n't`` protects "don't").
      replace_default: Keyword-only: ``protected_words`` replaces the default
        list instead of adding to it (``protected_words=[],
        replace_default=True`` protects nothing).
      probability: Per-sample chance that the layer applies.
      seed: Initial seed state.
      **kwargs: Keras layer arguments, and the keyword-only ``strength`` of
        every layer (0 = the identity, 1 = as configured; a variable, see
        ``set_strength``). Layers that change a number of words (``rate``,
        ``n``, ``p``) scale it (``strength_scales = "parameters"``, see
        :meth:`counts`); the others apply to each sample with probability
        ``probability * strength``.
    """

    modality = "text"
    auto_compile = False

    def __init__(self, *, protected_words: Iterable[str] | None = None,
                 replace_default: bool = False, probability: float = 1.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        flat_lib.tf_text()  # TensorFlow Text (the [text] extra): fail here, naming it
        super().__init__(probability=probability, seed=seed, **kwargs)
        self.replace_default = validation.check_bool("replace_default", replace_default)
        self.protected_words, self._protected_regex = words_lib.protected_list(
            protected_words, self.replace_default)

    def get_config(self):
        """The ``__init__`` arguments, with ``replace_default`` (a base-class
        keyword that layers taking ``protected_words`` forward in ``kwargs``)."""
        config = super().get_config()
        if "protected_words" in config:
            config["replace_default"] = self.replace_default
        return config

    # ------------------------------------------------- shared argument handling
    def set_stop_words(self, stop_words):
        """Sets ``stop_words`` (config) and its pattern; None: ``STOP_WORDS``."""
        self.stop_words, self._stop_regex = words_lib.word_list(
            "stop_words", stop_words, words_lib.STOP_WORDS)

    def set_count(self, rate, n, default_rate):
        """``rate`` xor ``n``: a fraction of the words in ``[0, 1]``
        (``default_rate`` when neither is given) or a fixed count; both are
        stored as given and scaled by the strength in :meth:`counts`."""
        if rate is not None and n is not None:
            raise validation.ArgumentError(
                "n", n, "None when `rate` is given",
                f"give `rate` or `n`, not both (got rate={rate!r}, n={n!r}).")
        if n is not None:
            self.n, self.rate = validation.check_int("n", n, 1), None
            return
        self.n = None
        self.rate = validation.check_number("rate", default_rate if rate is None else rate,
                                            0.0, 1.0)

    def counts(self, analysis):
        """Words to change per row (int32 ``[B]``) at strength ``s``: ``n``
        becomes ``max(1, round(s n))``, and ``rate`` EDA's
        ``max(1, int(min(s rate, 1) * words))``; at ``s = 0`` no word changes
        (the identity). ``analysis`` dense or flat."""
        return scaled_counts(analysis, self.rate, self.n, self.strength_tensor())

    # ------------------------------------------------------------------ inputs
    def standardize(self, inputs):
        if isinstance(inputs, tuple):
            if len(inputs) != 2:
                raise ValueError("tuple `inputs` must be (texts, labels), got a tuple of "
                                 f"{len(inputs)}.")
            data = {TEXT: inputs[0], "labels": inputs[1]}
            form = "tuple"
        elif isinstance(inputs, dict):
            if TEXT not in inputs:
                raise ValueError(f"dict `inputs` needs a 'text' key (strings), got keys "
                                 f"{sorted(inputs)}.")
            data, form = dict(inputs), "dict"
        else:
            data, form = {TEXT: inputs}, "tensor"
        text = data[TEXT]
        if isinstance(text, tf.RaggedTensor) or isinstance(text, tf.SparseTensor):
            raise ValueError("`inputs` text must be a dense string tensor [B] or a scalar.")
        text = tf.convert_to_tensor(text)
        if text.dtype != tf.string:
            raise ValueError(f"`inputs` text must be tf.string, got {text.dtype.name}.")
        if text.shape.rank not in (0, 1):
            raise ValueError("`inputs` text must have shape [B] (or be one string), got "
                             f"rank {text.shape.rank} (shape {text.shape}); squeeze a "
                             "[B, 1] column first.")
        batched = text.shape.rank == 1
        out = {}
        for key, value in data.items():
            value = tf.convert_to_tensor(value)
            out[key] = value if batched else value[None]
        out[TEXT] = text if batched else text[None]
        return out, {"form": form, "batched": batched}

    def restore(self, data, spec):
        if not spec["batched"]:
            data = {k: v[0] for k, v in data.items()}
        if spec["form"] == "tensor":
            return data[TEXT]
        if spec["form"] == "tuple":
            return data[TEXT], data["labels"]
        return data

    def batch_size(self, data):
        return tf.shape(data[TEXT])[0]

    def sample_params(self, batch_size, seed):
        """One int64 key per row; the ops derive every per-token draw from it."""
        return {"keys": keyed.draw_keys(seed, batch_size)}


def scaled_counts(analysis, rate, n, strength):
    """Words to change per row (int32 ``[B]``): a fixed count ``n`` (when not
    None) or EDA's ``max(1, int(rate * words))``, scaled by ``strength``
    (float32 scalar): ``n -> max(1, round(strength n))``, ``rate ->
    min(strength rate, 1)``, and 0 words at strength 0. At strength 1 the
    counts are the unscaled ones exactly."""
    if n is not None:
        scaled = tf.maximum(tf.round(float(n) * strength), 1.0)
        count = tf.fill(tf.shape(ops.count_words(analysis)), tf.cast(scaled, tf.int32))
    else:
        count = ops.counts_from_rate(analysis, tf.minimum(rate * strength, 1.0))
    return tf.where(strength > 0.0, count, 0)
