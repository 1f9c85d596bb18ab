"""Keras callbacks for augmentation: strength control and TensorBoard previews.

``StrengthSchedule`` sets the strength of tfaug layers from a schedule at the
start of each epoch; ``AdaptiveAugmentation`` raises or lowers it from an
overfitting heuristic (StyleGAN2-ADA style); see :mod:`tfaug.policies.callbacks`.
``AugmentationPreview`` writes what the augmentation currently does (images,
audio, text, tabular plots) and its strength to TensorBoard.

Example:
  >>> x = np.random.default_rng(0).integers(0, 256, (16, 8, 8, 3)).astype("float32")
  >>> y = np.arange(16) % 2
  >>> model = keras.Sequential([keras.Input((8, 8, 3)), tfaug.image.RandomContrast(0.5), keras.layers.Flatten(),
  ...                           keras.layers.Dense(2)])
  >>> model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
  >>> ramp = tfaug.callbacks.StrengthSchedule.linear(0.0, 1.0, epochs=2)
  >>> look = tfaug.callbacks.AugmentationPreview("logs", x[:2], variants=2)
  >>> history = model.fit(x, y, epochs=2, callbacks=[ramp, look], verbose=0)
  >>> history.history["strength"]
  [0.0, 0.5]
"""

from __future__ import annotations

from collections.abc import Sequence
import os
from typing import Any

import keras
import numpy as np

from tfaug.core.base import Augmentation, augmentations
from tfaug.core.validation import ArgumentError, ArgumentTypeError, check_int
from tfaug.policies.callbacks import AdaptiveAugmentation
from tfaug.policies.callbacks import StrengthSchedule
from tfaug.policies.callbacks import strength_layers

__all__ = ["AdaptiveAugmentation", "AugmentationPreview", "StrengthSchedule",
           "outermost_augmentations", "strength_layers"]


def outermost_augmentations(
        root: keras.layers.Layer | Sequence[keras.layers.Layer]) -> list[Augmentation]:
    """The tfaug layers of ``root`` that are not inside another tfaug layer.

    Args:
      root: A layer, a Keras model, or a list/tuple of them.

    Returns:
      The outermost :class:`~tfaug.core.Augmentation` layers, in order, each once
      (a ``Sequence`` at the front of a model, not its children).

    Example:
      >>> aug = tfaug.Sequence([tfaug.image.RandomFlip(), tfaug.image.RandomZoom(0.1)])
      >>> model = keras.Sequential([keras.Input((8, 8, 3)), aug, keras.layers.Flatten()])
      >>> outermost_augmentations(model) == [aug]  # not its children
      True
    """
    return augmentations(root, outermost=True)


class AugmentationPreview(keras.callbacks.Callback):
    """Writes previews of the augmentation and its strength to TensorBoard.

    Every ``every_n_epochs`` epochs (and once before training) each
    augmentation is applied to the same ``inputs`` with the same seeds
    (:func:`tfaug.viz.preview`), so from one step to the next only the
    layer's strength changes what you see. Written under
    ``<log_dir>/augmentation`` (a run beside the ``train`` and ``validation``
    runs of ``keras.callbacks.TensorBoard``), at step = epoch:

    * images: the preview grid (originals in the first column) as an image
      ``<layer name>/preview``;
    * audio: the augmented clips (``<layer name>/audio``, first variant of each
      clip) and the waveform/mel figure (``<layer name>/preview``);
    * text: markdown, each variant's edits marked (a swap as one numbered
      pair) with what changed (``<layer name>/preview``);
    * tabular: the PCA and histogram figure (``<layer name>/preview``);
    * strength: ``<layer name>/strength``, the layer's strength (every layer
      has one; a composition's is the one it forwards to its children), the
      value the next batches use.

    Args:
      log_dir: TensorBoard log folder (the same as ``keras.callbacks.TensorBoard``'s).
      inputs: A few samples in the form the augmentation takes (kept small:
        images ``[n, H, W, C]``, a list of strings, ``[n, T]`` clips, or
        ``(features, labels)`` rows).
      every_n_epochs: Write every this many epochs (>= 1).
      layers: The augmentation(s) to preview; default: the outermost tfaug
        layers inside the model being trained (augmentation applied in a
        ``tf.data`` pipeline is not in the model: pass it here).
      n: Samples shown (>= 1).
      variants: Augmented versions per sample (>= 1).
      seed: Seed of the previews (the same every time).

    Raises:
      ValueError: A bad argument, or (when training starts) no tfaug layer to
        preview.

    Example:
      >>> x = np.random.default_rng(0).integers(0, 256, (16, 8, 8, 3)).astype("float32")
      >>> y = np.arange(16) % 2
      >>> aug = tfaug.policies.load("light_image")
      >>> ds = tfaug.data.Pipeline.from_tensors(x, y).batch(8).augment(aug)
      >>> model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),
      ...                           keras.layers.Dense(2)])
      >>> model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
      >>> history = model.fit(ds.build(), epochs=1, verbose=0, callbacks=[
      ...     tfaug.callbacks.AugmentationPreview("logs", x[:2], layers=aug, variants=2)])
      >>> import os
      >>> len(os.listdir("logs")) > 0  # TensorBoard event files
      True
    """

    def __init__(self, log_dir: str | os.PathLike[str], inputs: Any, every_n_epochs: int = 1,
                 layers: keras.layers.Layer | Sequence[keras.layers.Layer] | None = None,
                 n: int = 8, variants: int = 4, seed: int = 0) -> None:
        super().__init__()
        if not isinstance(log_dir, (str, os.PathLike)):
            raise ArgumentTypeError("log_dir", log_dir, "a folder path")
        self.log_dir = os.fspath(log_dir)
        self.inputs = inputs
        self.every_n_epochs = check_int("every_n_epochs", every_n_epochs, 1)
        self.n = check_int("n", n, 1)
        self.variants = check_int("variants", variants, 1)
        self.seed = check_int("seed", seed)
        self._given = None if layers is None else outermost_augmentations(layers)
        if self._given is not None and not self._given:
            raise ArgumentError("layers", layers, "layers holding a tfaug layer",
                                f"`layers` holds no tfaug layer, got {layers!r}.")
        self._writer = None
        self.written = []  # (step, tag) of every summary written, for inspection

    @property
    def writer_dir(self):
        """The folder the summaries go to: ``<log_dir>/augmentation``."""
        return os.path.join(self.log_dir, "augmentation")

    def _layers(self):
        if self._given is not None:
            return self._given
        found = outermost_augmentations(self.model) if self.model is not None else []
        if not found:
            raise ValueError("AugmentationPreview found no tfaug layer in the model: pass "
                             "the augmentation as `layers=` (e.g. the one applied in "
                             "tf.data).")
        return found

    def on_train_begin(self, logs=None):
        import tensorflow as tf  # pylint: disable=import-outside-toplevel
        self._writer = tf.summary.create_file_writer(self.writer_dir)
        self.write(0)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs == 0:
            self.write(epoch + 1)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def write(self, step):
        """Writes the previews and strengths of every layer at ``step``; returns the tags."""
        import tensorflow as tf  # pylint: disable=import-outside-toplevel
        from tfaug import viz  # pylint: disable=import-outside-toplevel
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.writer_dir)
        tags = []
        names = _unique_names(self._layers())
        with self._writer.as_default(step=int(step)):
            for name, layer in names:
                preview = viz.preview(layer, self.inputs, n=self.n, seed=self.seed,
                                      path=None, variants=self.variants)
                tags += _write_preview(tf, name, preview)
                tag = f"{name}/strength"
                tf.summary.scalar(tag, layer.get_strength())
                tags.append(tag)
        self._writer.flush()
        self.written += [(int(step), tag) for tag in tags]
        return tags


def _unique_names(layers):
    seen, named = {}, []
    for layer in layers:
        count = seen.get(layer.name, 0)
        seen[layer.name] = count + 1
        named.append((layer.name if count == 0 else f"{layer.name}_{count}", layer))
    return named


def _write_preview(tf, name, preview):
    tag = f"{name}/preview"
    if preview.modality == "text":
        tf.summary.text(tag, preview.markdown)
        return [tag]
    tf.summary.image(tag, preview.to_image()[None])
    tags = [tag]
    if preview.modality == "audio" and not preview.spectrogram:  # waveforms
        clips = np.asarray(preview.variants[0], np.float32)
        if clips.ndim == 2:
            peak = max(float(np.max(np.abs(clips))), 1.0)  # TensorBoard wants [-1, 1]
            tf.summary.audio(f"{name}/audio", clips[:, :, None] / peak,
                             int(preview.sample_rate), max_outputs=len(clips))
            tags.append(f"{name}/audio")
    return tags

