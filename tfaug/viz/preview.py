"""``tfaug.viz.preview``: one call that shows what an augmentation does.

The layer runs ``variants`` times on the first ``n`` samples, variant ``j``
as ``layer(inputs, training=True, seed=variant_seed(seed, j))`` with
``variant_seed(seed, j) = [seed, j]`` (int64): the same seed gives the same
preview, bit for bit. Each variant of each sample is labelled with what was
drawn for it (``Preview.labels``; see
:meth:`tfaug.core.Augmentation.describe_draw`). The modality's renderer draws
the result and, unless ``path`` is None, writes it (every file through a
temporary name and a rename, so none is ever half-written).
"""

from __future__ import annotations

from collections.abc import Mapping
import os
from typing import Any

import keras

from tfaug import core
from tfaug import policies
from tfaug.viz import audio as audio_viz
from tfaug.viz import base
from tfaug.viz import image as image_viz
from tfaug.viz import tabular as tabular_viz
from tfaug.viz import text as text_viz

_MODULES = {"image": image_viz, "text": text_viz, "audio": audio_viz, "tabular": tabular_viz}


def resolve_layer(layer_or_policy):
    """A layer, or a policy name / path loaded with ``tfaug.policies.load``.

    Raises:
      ValueError: an unknown policy name or a bad policy file.
      TypeError: neither a callable layer nor a str / PathLike.
    """
    if isinstance(layer_or_policy, (str, os.PathLike)):
        try:
            return policies.load(layer_or_policy)
        except FileNotFoundError as error:
            raise ValueError(f"`layer_or_policy` {os.fspath(layer_or_policy)!r} is neither a "
                             f"shipped policy nor a policy file: {error}") from None
    if isinstance(layer_or_policy, core.Augmentation) or callable(layer_or_policy):
        return layer_or_policy
    raise TypeError(f"`layer_or_policy` must be a tfaug layer or composition, or a policy "
                    f"name or path (str / os.PathLike), got {type(layer_or_policy).__name__}.")


def resolve_modality(layer, modality):
    """``modality`` if given, else ``layer.modality``; checked."""
    if modality is None:
        modality = getattr(layer, "modality", None)
        if modality is None:
            raise ValueError(f"cannot tell the modality of {type(layer).__name__} (it has no "
                             f"`modality`); pass modality= one of {list(base.MODALITIES)}.")
    if modality not in base.MODALITIES:
        raise ValueError(f"`modality` must be one of {list(base.MODALITIES)}, got "
                         f"{modality!r}.")
    return modality


def preview(layer_or_policy: keras.layers.Layer | str | os.PathLike[str] | Mapping[str, Any],
            inputs: Any, n: int = 16, seed: int = 0,
            path: str | os.PathLike[str] | None = "preview.png", variants: int = 4,
            modality: str | None = None, **options: Any) -> base.Preview:
    """Shows what an augmentation does to some inputs; writes it unless ``path=None``.

    Args:
      layer_or_policy: A tfaug layer or composition, or a policy name or path
        (``str`` / ``os.PathLike``) read with :func:`tfaug.policies.load`.
      inputs: What the layer takes. Image: uint8/float ``[B, H, W, C]`` or
        ``[H, W, C]``, a list of images of different sizes (each runs alone,
        image ``i`` of variant ``j`` with the seed
        ``tfaug.viz.image.image_seed(seed, j, i)``, and shows at its own
        aspect ratio), or a dict with ``images`` and optionally ``labels``,
        ``masks``, ``boxes``. Text: a list/array/tensor of str, ``(texts,
        labels)`` or a dict with ``text``. Audio: float ``[B, T]``, ``[T]``,
        a list of clips (zero-padded to the longest), ``(audio, labels)`` or a
        dict with ``audio``; spectrograms ``[B, time, freq]`` for SpecAugment
        layers. Tabular: ``(features, labels)``, ``{"features", "labels",
        "feature_names"}`` (what :func:`~tfaug.viz.read_inputs` makes of a
        CSV), a features matrix or a pandas DataFrame (its columns name the
        features).
      n: Samples shown (>= 1): the first ``n`` of ``inputs``. Tabular previews
        show every row given and ignore ``n``.
      seed: Int seed; variant ``j`` uses :func:`variant_seed` ``(seed, j)``.
      path: Where to write, or None to write nothing. Image and tabular: a
        PNG at ``path``. Audio: the PNG plus WAVs of the originals and
        variants next to it (``<stem>_<i>_orig.wav``, ``<stem>_<i>_v<j>.wav``,
        ``i`` the sample and ``j`` the variant, 0-based; none for
        spectrograms). Text: an HTML page at ``path`` with the suffix
        ``.html`` (a ``.png`` or other suffix is replaced).
      variants: Augmented versions per sample (>= 1); figures, file names and
        the text forms number them from 0, like ``Preview.variants``.
      modality: ``"image"``, ``"text"``, ``"audio"`` or ``"tabular"``;
        default ``layer.modality``.
      **options: Per modality. Image: ``value_range`` (default the layer's, or
        ``(0, 255)``), ``cell_size`` (128 for images of at most 128 px, else
        192), ``mask_alpha`` (0.45), ``title``. Text: ``color`` (ANSI colours
        in ``Preview.text`` instead of bracket marks), ``title``. Audio: ``sample_rate`` (default the
        layer's), ``spectrogram`` (default: True for SpecAugment layers),
        ``num_mel_bins`` (64), ``title``. Tabular: ``feature_names`` (wins
        over names the inputs carry), ``max_features`` (8), ``title``.

    Returns:
      A :class:`~tfaug.viz.base.Preview`. Tabular layers that need ``adapt``
      (``SMOTE``, ``GenerativeOversampler``) and are not adapted are adapted
      on ``inputs`` first, in place.

    Raises:
      ValueError: ``n`` or ``variants`` < 1, an unknown modality or policy,
        inputs of the right kind but a bad shape.
      TypeError: inputs of the wrong kind for the modality, unknown options,
        a ``layer_or_policy`` that is not a layer or a policy reference.
      ImportError: matplotlib is missing (``pip install "tfaugment[viz]"``).

    Example:
      >>> images = tf.cast(tf.random.uniform([4, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> p = tfaug.viz.preview(tfaug.image.RandomFlip(), images, n=4, path="flip.png")
      >>> p.variants[0].shape
      (4, 32, 32, 3)
    """
    n = base.check_count("n", n)
    variants = base.check_count("variants", variants)
    seed = base.check_seed(seed)
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a str, an os.PathLike or None, got {path!r}.")
    layer = resolve_layer(layer_or_policy)
    modality = resolve_modality(layer, modality)
    module = _MODULES[modality]
    base.check_options(modality, options, module.OPTIONS)
    if modality != "text":  # text previews are HTML / terminal strings only
        base.require_matplotlib()
    # A handful of calls: op by op, not an XLA compilation (seconds) for each new
    # input size; the draws are the same (only this thread is affected).
    with core.auto_compile_scope(False):
        result = module.build(layer, inputs, n=n, seed=seed, variants=variants, **options)
    if path is not None:
        result.save(path)
    return result
