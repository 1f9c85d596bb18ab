"""SavedModel export: a model with its augmentation off, or the augmentation alone.

Two exports, both loadable with ``tf.saved_model.load`` in a process where tfaug
is not installed (text augmentations need ``import tensorflow_text`` there):

* :func:`export_model` writes a Keras model whose serving signature calls the
  model with ``training=False``, so every augmentation layer in it (tfaug's and
  Keras' own ``RandomFlip``, ``RandomRotation``, ...) is off. ``model.export``
  of Keras 3.15 leaves Keras' augmentation layers *on* in the served model.
* :func:`export_augmentation` writes an augmentation layer (or policy) as a
  function ``(inputs, seed) -> outputs`` that always augments, reproducibly for
  a given seed: the same draws as ``layer(inputs, training=True, seed=seed)``.

Both write to a temporary folder beside ``path``, flush it to disk and rename it
into place, so ``path`` never holds a half-written SavedModel.
"""

from __future__ import annotations

from collections.abc import Mapping
import os
import shutil
import tempfile
from typing import Any

import keras
import tensorflow as tf

from tfaug.core import files
from tfaug.core.base import Augmentation

# Key of the output (and of the input) of an augmentation signature whose
# inputs are one tensor.
OUTPUTS_KEY = "outputs"
INPUTS_KEY = "inputs"
SEED_KEY = "seed"
AUGMENT_SIGNATURE = "serving_default"


# ---------------------------------------------------------------- file system
def _check_path(path, overwrite):
    """Validates ``path`` and returns it as an absolute ``str``."""
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise ValueError(f"`path` must be a non-empty str or os.PathLike, got {path!r}.")
    path = os.path.abspath(os.fspath(path))
    if os.path.lexists(path) and not overwrite:
        raise FileExistsError(
            f"`path` {path!r} already exists; pass overwrite=True to replace it "
            f"(the old export is kept until the new one is complete).")
    parent = os.path.dirname(path)
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"`path` {path!r}: the parent folder {parent!r} "
                                f"does not exist.")
    return path


def _write_atomically(path, write):
    """Runs ``write(tmp_dir)`` on a temporary sibling of ``path``, then renames it.

    An existing ``path`` (only when the caller allowed overwriting) is first
    renamed aside and deleted once the new export is in place, so at every
    moment the old or the new export is complete on disk.
    """
    parent = os.path.dirname(path)
    base = os.path.basename(path)
    staging = tempfile.mkdtemp(prefix=f".{base}.tmp-", dir=parent)
    try:
        target = os.path.join(staging, "saved_model")
        write(target)
        files.fsync_tree(target)
        old = None
        if os.path.lexists(path):
            old = os.path.join(staging, "previous")
            os.replace(path, old)
        try:
            os.replace(target, path)
        except BaseException:
            if old is not None:
                os.replace(old, path)
            raise
        files.fsync_path(parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return path


# ------------------------------------------------------------------- specs
def _to_tensor_spec(spec, what):
    if isinstance(spec, tf.TensorSpec):
        return spec
    if isinstance(spec, keras.InputSpec):
        if spec.shape is None or spec.dtype is None:
            raise ValueError(f"`{what}`: a keras.InputSpec needs a shape and a dtype, "
                             f"got {spec!r}.")
        return tf.TensorSpec(spec.shape, spec.dtype, name=spec.name)
    if isinstance(spec, keras.KerasTensor):
        shape = (None,) + tuple(spec.shape[1:]) if spec.shape else spec.shape
        return tf.TensorSpec(shape, spec.dtype, name=spec.name)
    raise ValueError(f"`{what}` must be a tf.TensorSpec (or keras.InputSpec), or a "
                     f"list/tuple/dict of them; got {spec!r} of type "
                     f"{type(spec).__name__}.")


def _model_signature(model, input_signature):
    """The spec (structure) of the single argument ``x`` of ``model(x)``."""
    if input_signature is not None:
        if not isinstance(input_signature, (tf.TensorSpec, keras.InputSpec, list,
                                            tuple, dict)):
            _to_tensor_spec(input_signature, "input_signature")  # raises
        return tf.nest.map_structure(
            lambda s: _to_tensor_spec(s, "input_signature"), input_signature)
    try:
        struct = model.input  # Functional: the structure the model was built on
    except (AttributeError, ValueError):
        inputs = getattr(model, "inputs", None)
        struct = None
        if inputs:
            struct = inputs[0] if len(inputs) == 1 else list(inputs)
    if struct is None:
        raise ValueError(
            f"`input_signature` is required: the model {model.name!r} has no "
            f"`inputs` to infer it from (a subclassed or unbuilt model); pass e.g. "
            f"tf.TensorSpec([None, 32, 32, 3], tf.float32).")
    return tf.nest.map_structure(lambda s: _to_tensor_spec(s, "input_signature"),
                                 struct)


# ------------------------------------------------------------------- export
def export_model(model: keras.layers.Layer, path: str | os.PathLike[str],
                 input_signature: Any = None, endpoint: str = "serve",
                 overwrite: bool = False) -> str:
    """Writes a SavedModel of ``model`` for serving, with all augmentation off.

    The endpoint calls ``model(x, training=False)``, so every augmentation layer
    in the model (tfaug layers and policies, and Keras' ``RandomFlip``,
    ``RandomRotation``, ...) returns its input unchanged, and two calls on the
    same input give the same output. (``keras.Model.export`` in Keras 3.15 keeps
    Keras' random layers on in the served model.) The endpoint is also the
    ``"serving_default"`` signature, whose output key is ``"output_0"`` for a
    model with one output (Keras' naming).

    Args:
      model: A built Keras model (or layer).
      path: Folder to create (str or path-like). Its parent must exist.
      input_signature: The spec of the model's input ``x``: a ``tf.TensorSpec``
        (or ``keras.InputSpec``), or a list/tuple/dict of them for models with
        several inputs. None infers it from ``model.input(s)`` (with a
        dynamic batch size).
      endpoint: Name of the serving function (``loaded.serve(x)``).
      overwrite: Replace an existing ``path``. The old export is kept until the
        new one is complete on disk.

    Returns:
      The absolute path written.

    Raises:
      ValueError: ``model`` is not a Keras layer, is unbuilt, ``input_signature``
        is of a wrong type or cannot be inferred, or ``endpoint`` is not a
        non-empty identifier.
      FileExistsError: ``path`` exists and ``overwrite`` is False.
      FileNotFoundError: the parent folder of ``path`` does not exist.

    Example:
      >>> import os
      >>> os.makedirs("exports", exist_ok=True)
      >>> model = keras.Sequential([keras.Input((8, 8, 3)), tfaug.image.RandomFlip(),
      ...                           keras.layers.Flatten(), keras.layers.Dense(2)])
      >>> path = export_model(model, "exports/classifier")
      >>> served = tf.saved_model.load("exports/classifier")
      >>> images = tf.random.uniform([2, 8, 8, 3], maxval=255)
      >>> logits = served.serve(images)   # == model(images, training=False)
      >>> bool(tf.reduce_all(tf.abs(logits - model(images, training=False)) < 1e-5))
      True
    """
    if not isinstance(model, keras.layers.Layer):
        raise ValueError(f"`model` must be a Keras model or layer, got {model!r} of "
                         f"type {type(model).__name__}.")
    if not model.built:
        raise ValueError(f"`model` {model.name!r} is not built; call it once or build "
                         f"it before exporting.")
    if not isinstance(endpoint, str) or not endpoint.isidentifier():
        raise ValueError(f"`endpoint` must be a non-empty Python identifier, got "
                         f"{endpoint!r}.")
    spec = _model_signature(model, input_signature)
    path = _check_path(path, overwrite)

    def serve(x):
        return model(x, training=False)

    def write(target):
        archive = keras.export.ExportArchive()
        archive.track(model)
        archive.add_endpoint(endpoint, serve, input_signature=[spec])
        archive.write_out(target, verbose=False)

    return _write_atomically(path, write)


def _as_augmentation(layer_or_policy):
    if isinstance(layer_or_policy, (str, os.PathLike, dict)):
        from tfaug import policies  # policies sit above core; import lazily
        layer_or_policy = policies.load(layer_or_policy)
    if not isinstance(layer_or_policy, Augmentation):
        raise ValueError(
            f"`layer_or_policy` must be a tfaug augmentation layer "
            f"(tfaug.core.Augmentation), a policy name, a path to a policy file or "
            f"a policy dict; got {layer_or_policy!r} of type "
            f"{type(layer_or_policy).__name__}.")
    return layer_or_policy


def _augmentation_signature(input_signature):
    """Checks ``input_signature``; returns it with named ``tf.TensorSpec`` leaves."""
    if input_signature is None:
        raise ValueError("`input_signature` is required: a tf.TensorSpec of the "
                         "inputs (e.g. tf.TensorSpec([None, 32, 32, 3], tf.uint8)) "
                         "or a dict of them ({'images': ..., 'labels': ...}).")
    if isinstance(input_signature, dict):
        if not input_signature:
            raise ValueError("`input_signature` must not be an empty dict.")
        spec = {}
        for key, value in input_signature.items():
            if not isinstance(key, str) or not key.isidentifier() or key == SEED_KEY:
                raise ValueError(f"`input_signature` keys must be identifiers other "
                                 f"than {SEED_KEY!r}, got {key!r}.")
            if not isinstance(value, (tf.TensorSpec, keras.InputSpec)):
                raise ValueError(f"`input_signature[{key!r}]` must be a tf.TensorSpec, "
                                 f"got {value!r} of type {type(value).__name__}.")
            value = _to_tensor_spec(value, f"input_signature[{key!r}]")
            spec[key] = tf.TensorSpec(value.shape, value.dtype, name=key)
        return spec
    if isinstance(input_signature, (tf.TensorSpec, keras.InputSpec)):
        value = _to_tensor_spec(input_signature, "input_signature")
        return tf.TensorSpec(value.shape, value.dtype, name=INPUTS_KEY)
    raise ValueError(f"`input_signature` must be a tf.TensorSpec or a dict of them, "
                     f"got {input_signature!r} of type "
                     f"{type(input_signature).__name__}.")


def _output_dict(outputs, is_dict):
    if is_dict:
        if not isinstance(outputs, dict):
            raise ValueError(f"the augmentation returned {type(outputs).__name__} for "
                             f"dict inputs; a dict was expected.")
        return {str(k): v for k, v in outputs.items()}
    if isinstance(outputs, dict):
        return {str(k): v for k, v in outputs.items()}
    return {OUTPUTS_KEY: outputs}


def export_augmentation(
        layer_or_policy: keras.layers.Layer | str | os.PathLike[str] | Mapping[str, Any],
        path: str | os.PathLike[str], input_signature: tf.TensorSpec | Mapping[str, tf.TensorSpec],
        seed_dtype: tf.DType = tf.int64, overwrite: bool = False) -> str:
    """Writes the augmentation alone as a SavedModel: ``(inputs, seed) -> outputs``.

    The SavedModel holds a ``tf.Module`` that tracks the layer, so its variables
    (seed state, strength) are saved, and two functions that both call
    ``layer(inputs, training=True, seed=seed)`` (augmentation always on; the
    output for a given seed is the one tfaug gives in process):

    * ``loaded.augment(inputs, seed)``: ``inputs`` with the structure of
      ``input_signature`` (a tensor or a dict); returns the layer's output
      structure.
    * ``loaded.signatures["serving_default"]`` (for TF Serving and other
      signature clients): keyword arguments ``inputs`` (tensor input) or one per
      input key (dict input), plus ``seed``; returns a dict: ``{"outputs":
      tensor}`` for a tensor input, the layer's output keys (the input keys)
      for a dict input.

    ``seed`` is a ``[2]`` integer tensor of ``seed_dtype``. Layers that compile
    their training call with XLA keep doing so in the loaded model.

    Args:
      layer_or_policy: A tfaug augmentation layer, or a policy name, policy
        file path or policy dict (loaded with ``tfaug.policies.load``).
      path: Folder to create (str or path-like). Its parent must exist.
      input_signature: A ``tf.TensorSpec`` of the inputs (e.g.
        ``tf.TensorSpec([None, 32, 32, 3], tf.uint8)``), or a dict of them
        (``{"images": ..., "labels": ...}``), keys being identifiers other than
        ``"seed"``.
      seed_dtype: ``tf.int64`` (default) or ``tf.int32``.
      overwrite: Replace an existing ``path``. The old export is kept until the
        new one is complete on disk.

    Returns:
      The absolute path written.

    Raises:
      ValueError: ``layer_or_policy`` is not an augmentation (or a loadable
        policy), ``input_signature`` is missing or of a wrong type, or
        ``seed_dtype`` is not an integer dtype.
      FileExistsError: ``path`` exists and ``overwrite`` is False.
      FileNotFoundError: the parent folder of ``path`` does not exist.

    Example:
      >>> import os
      >>> os.makedirs("exports", exist_ok=True)
      >>> path = export_augmentation("light_image", "exports/aug",
      ...                            tf.TensorSpec([None, 32, 32, 3], tf.uint8))
      >>> aug = tf.saved_model.load("exports/aug")      # no tfaug needed
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> seed = tf.constant([1, 2], tf.int64)
      >>> out = aug.augment(images, seed)
      >>> same = aug.signatures["serving_default"](inputs=images, seed=seed)["outputs"]
      >>> bool(tf.reduce_all(out == same))  # same seed, same draws
      True
    """
    layer = _as_augmentation(layer_or_policy)
    spec = _augmentation_signature(input_signature)
    try:
        seed_dtype = tf.as_dtype(seed_dtype)
    except TypeError:
        seed_dtype = None
    if seed_dtype not in (tf.int32, tf.int64):
        raise ValueError(f"`seed_dtype` must be tf.int32 or tf.int64, got "
                         f"{seed_dtype!r}.")
    path = _check_path(path, overwrite)
    is_dict = isinstance(spec, dict)
    seed_spec = tf.TensorSpec([2], seed_dtype, name=SEED_KEY)

    def write(target):
        module = tf.Module()
        module.layer = layer
        module.augment = tf.function(
            lambda inputs, seed: layer(inputs, training=True, seed=seed),
            input_signature=[spec, seed_spec], autograph=False)
        keys = sorted(spec) if is_dict else None
        flat_spec = [spec[k] for k in keys] if is_dict else [spec]

        def serve(*args):
            inputs = dict(zip(keys, args[:-1])) if is_dict else args[0]
            return _output_dict(module.augment(inputs, args[-1]), is_dict)

        module.serve = tf.function(serve, input_signature=flat_spec + [seed_spec],
                                   autograph=False)
        tf.saved_model.save(module, target, signatures={
            AUGMENT_SIGNATURE: module.serve.get_concrete_function()})

    return _write_atomically(path, write)
