"""Policy files: load, save, list and validate ``tfaug.policy`` JSON files.

A policy file is one JSON object, the envelope of ``/work/shared/DESIGN.md``::

    {"format": "tfaug.policy", "version": 1, "name": "light_image",
     "modality": "image", "description": "...",
     "augmentation": {"class": "Sequence", "config": {"layers": [...]}}}

``augmentation`` is what :func:`tfaug.serialize` returns; arguments left out of a
``config`` take their defaults. The files of ``saved_policies/`` ship with the
package (``tfaug.saved_policies``) and load by name; any other file loads by path.

Every file is checked before anything is returned, and a bad one raises
:class:`PolicyError` whose message names the JSON path of the bad field, e.g.
``$.augmentation.config.layers[1].config.factor: must be non-negative ...``.
Nested layers are checked (and built) before the layer that holds them, so an
error points at the innermost bad field.
"""

from __future__ import annotations

from collections.abc import Mapping
import importlib.resources
import inspect
import json
import os
import pathlib
import re
import tempfile
from typing import Any

import keras

from tfaug.core import files, registry
from tfaug.core.base import Augmentation
from tfaug.core.validation import ArgumentError

FORMAT = "tfaug.policy"
VERSION = 1
MODALITIES = ("image", "text", "audio", "tabular")
FIELDS = ("format", "version", "name", "modality", "description", "augmentation")
PACKAGE = "tfaug.saved_policies"

# Keyword arguments every Keras layer takes besides its own ``__init__`` ones
# (``get_config`` writes ``name``).
_KERAS_KWARGS = frozenset(
    p for p in inspect.signature(keras.layers.Layer.__init__).parameters
    if p not in ("self", "args", "kwargs"))


def _base_kwargs(klass):
    """Keyword-only arguments of ``klass``'s tfaug base classes (``strength``;
    ``data_format``, ``bounding_box_format`` for image layers): ``get_config``
    writes them, subclasses take them through ``**kwargs``."""
    names = []
    for base in klass.__mro__[1:]:
        if isinstance(base, type) and issubclass(base, Augmentation) and "__init__" in vars(base):
            for p, spec in inspect.signature(base.__init__).parameters.items():
                if spec.kind == spec.KEYWORD_ONLY and p not in names:
                    names.append(p)
    return names

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class PolicyError(ValueError):
    """A policy file (or dict) that is not a valid ``tfaug.policy``.

    Attributes:
      json_path: JSON path of the bad field (``"$.version"``), or None when the
        text is not JSON at all.
      source: The file (or policy name) the policy came from, or None.
      detail: What is wrong, without the path and source.
    """

    def __init__(self, json_path: str | None, detail: str, source: str | None = None) -> None:
        self.json_path = json_path
        self.detail = detail
        self.source = source
        where = ": ".join(str(p) for p in (source, json_path) if p is not None)
        super().__init__(f"{where}: {detail}" if where else detail)


def _member(path, key):
    """JSON path of ``key`` inside the object at ``path``."""
    key = str(key)
    return f"{path}.{key}" if _IDENTIFIER.match(key) else f"{path}[{json.dumps(key)}]"


def _describe_type(value):
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "an integer", float: "a number", type(None): "null"}.get(
                type(value), type(value).__name__)


def _looks_like_layer(value):
    """A serialized layer: ``{"class": str, "config": {...}}`` (config optional)."""
    return (isinstance(value, dict) and "class" in value
            and set(value) <= {"class", "config"})


# --------------------------------------------------------------------- sources
def _package_dir():
    return importlib.resources.files(PACKAGE)


def _package_names():
    return sorted(p.name[:-len(".json")] for p in _package_dir().iterdir()
                  if p.name.endswith(".json"))


def _is_name(name_or_path):
    text = str(name_or_path)
    return (not isinstance(name_or_path, os.PathLike) and "/" not in text
            and os.sep not in text and not (os.altsep and os.altsep in text)
            and not text.endswith(".json"))


def _read_text(name_or_path):
    """Returns ``(text, source, expected_name)`` for a package name or a path."""
    if _is_name(name_or_path):
        name = str(name_or_path)
        names = _package_names()
        if name not in names:
            raise ValueError(f"Unknown policy {name!r}; the shipped policies are {names}. "
                             "Pass a path (with a '/' or ending in .json) to load a file.")
        text = (_package_dir() / f"{name}.json").read_text(encoding="utf-8")
        return text, f"{name}.json", name
    path = pathlib.Path(name_or_path)
    return path.read_text(encoding="utf-8"), str(path), None


def _parse(text, source):
    def reject_constant(constant):
        raise ValueError(f"{constant} is not valid JSON")

    try:
        return json.loads(text, parse_constant=reject_constant)
    except json.JSONDecodeError as error:
        raise PolicyError(None, f"invalid JSON at line {error.lineno}, column "
                          f"{error.colno}: {error.msg}", source) from None
    except ValueError as error:
        raise PolicyError(None, f"invalid JSON: {error}", source) from None


# ------------------------------------------------------------------ validation
def _check_envelope(policy, source=None, expected_name=None):
    """Checks every field but the layer tree (see :func:`_build`)."""
    if not isinstance(policy, dict):
        raise PolicyError("$", f"expected an object, got {_describe_type(policy)}", source)
    for field in FIELDS:
        if field not in policy:
            raise PolicyError(_member("$", field), "missing required field", source)
    for field in policy:
        if field not in FIELDS:
            raise PolicyError(_member("$", field), f"unknown field (allowed: "
                              f"{', '.join(FIELDS)})", source)
    if policy["format"] != FORMAT:
        raise PolicyError("$.format", f"expected {FORMAT!r}, got {policy['format']!r}",
                          source)
    version = policy["version"]
    if isinstance(version, bool) or version != VERSION or not isinstance(version, int):
        raise PolicyError("$.version", f"expected {VERSION}, got {json.dumps(version)}",
                          source)
    name = policy["name"]
    if not isinstance(name, str) or not name.strip():
        raise PolicyError("$.name", f"expected a non-empty string, got {name!r}", source)
    if expected_name is not None and name != expected_name:
        raise PolicyError("$.name", f"expected {expected_name!r} (the file name), got "
                          f"{name!r}", source)
    if policy["modality"] not in MODALITIES:
        raise PolicyError("$.modality", f"expected one of {list(MODALITIES)}, got "
                          f"{policy['modality']!r}", source)
    if not isinstance(policy["description"], str):
        raise PolicyError("$.description", "expected a string, got "
                          f"{_describe_type(policy['description'])}", source)
    if not isinstance(policy["augmentation"], dict):
        raise PolicyError("$.augmentation", "expected an object {\"class\", \"config\"}, "
                          f"got {_describe_type(policy['augmentation'])}", source)


def _build_children(value, path, source):
    """Builds the serialized layers inside a config value (any depth)."""
    if _looks_like_layer(value):
        return _build(value, path, source)
    if isinstance(value, list):
        return [_build_children(v, f"{path}[{i}]", source) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _build_children(v, _member(path, k), source) for k, v in value.items()}
    return value


def _build(node, path, source=None):
    """Checks and builds the serialized layer ``node`` found at JSON ``path``."""
    if not isinstance(node, dict):
        raise PolicyError(path, f"expected an object {{\"class\", \"config\"}}, got "
                          f"{_describe_type(node)}", source)
    for key in node:
        if key not in ("class", "config"):
            raise PolicyError(_member(path, key), "unknown field (allowed: class, config)",
                              source)
    if "class" not in node:
        raise PolicyError(_member(path, "class"), "missing required field", source)
    name = node["class"]
    known = registry.registered()
    if not isinstance(name, str) or name not in known:
        raise PolicyError(_member(path, "class"), f"unknown class {name!r} (known: "
                          f"{', '.join(sorted(known))})", source)
    klass = known[name]
    config = node.get("config", {})
    config_path = _member(path, "config")
    if not isinstance(config, dict):
        raise PolicyError(config_path, f"expected an object, got {_describe_type(config)}",
                          source)
    params = inspect.signature(klass.__init__).parameters
    allowed = [p for p, spec in params.items() if p != "self"
               and spec.kind not in (spec.VAR_KEYWORD, spec.VAR_POSITIONAL)]
    base = ([p for p in _base_kwargs(klass) if p not in allowed]
            if issubclass(klass, Augmentation) else [])
    for key in config:
        if key not in allowed and key not in base and key not in _KERAS_KWARGS:
            raise PolicyError(_member(config_path, key), f"unknown argument of {name} "
                              f"(allowed: {', '.join(allowed + base + ['name'])})", source)
    for key in allowed:
        if params[key].default is inspect.Parameter.empty and key not in config:
            raise PolicyError(_member(config_path, key), f"missing required argument of "
                              f"{name}", source)
    built = {k: _build_children(v, _member(config_path, k), source)
             for k, v in config.items()}
    try:
        return klass.from_config(built)
    except PolicyError:
        raise
    except Exception as error:  # any failure to build names the node's path
        message = str(error)
        # An ArgumentError names the bad argument: point at it when the file set it.
        argument = error.argument if isinstance(error, ArgumentError) else None
        if argument not in config:
            raise PolicyError(path, f"cannot build {name}: {message}", source) from None
        prefix = f"`{argument}` "
        detail = message[len(prefix):] if message.startswith(prefix) else message
        raise PolicyError(_member(config_path, argument), detail or message,
                          source) from None


def validate(policy, source=None, expected_name=None):
    """Checks a parsed policy dict and builds its layer.

    Args:
      policy: The parsed JSON object.
      source: File or name the policy came from, for error messages.
      expected_name: If given, ``name`` must equal it (package files: the stem).

    Returns:
      The built layer.

    Raises:
      PolicyError: naming the JSON path of the first bad field.

    Example:
      >>> import json
      >>> path = tfaug.policies.save(tfaug.image.RandomFlip(), "p.json")
      >>> with open("p.json") as f:
      ...     layer = tfaug.policies.io.validate(json.load(f))
      >>> type(layer).__name__
      'RandomFlip'
    """
    _check_envelope(policy, source, expected_name)
    layer = _build(policy["augmentation"], "$.augmentation", source)
    if layer.modality != policy["modality"]:
        raise PolicyError("$.modality", f"expected {layer.modality!r} (the modality of "
                          f"{policy['augmentation']['class']}), got "
                          f"{policy['modality']!r}", source)
    return layer


def _read_and_build(name_or_path):
    if isinstance(name_or_path, dict):
        return name_or_path, validate(name_or_path)
    text, source, expected = _read_text(name_or_path)
    policy = _parse(text, source)
    return policy, validate(policy, source, expected)


# ---------------------------------------------------------------------- public
def read(name_or_path: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """Reads and validates a policy file; returns its parsed JSON.

    Args:
      name_or_path: A shipped policy's name (``"randaugment_default"``: no
        path separator, no ``.json``), a path to a JSON file, or an already
        parsed policy dict.

    Returns:
      The policy as a dict (the envelope), after every check of :func:`load`.

    Raises:
      ValueError: an unknown name (the message lists the shipped ones).
      PolicyError: a bad file; the message names the JSON path.
      OSError: the file cannot be read.

    Example:
      >>> tfaug.policies.io.read("light_image")["description"]
      'Light, label-preserving augmentation for natural photos: ...'
    """
    return _read_and_build(name_or_path)[0]


def load(name_or_path: str | os.PathLike[str] | Mapping[str, Any]) -> Augmentation:
    """Loads a policy file and returns the augmentation layer it describes.

    Args:
      name_or_path: A shipped policy's name (see :func:`list_policies`), a path
        to a JSON policy file (``str`` with a separator or a ``.json`` suffix,
        or a ``pathlib.Path``), or a parsed policy dict.

    Returns:
      A new layer (``Sequence``, ``RandAugment``, ...).

    Raises:
      ValueError: an unknown name (the message lists the shipped ones).
      PolicyError: a bad file; the message names the JSON path of the bad
        field (unknown class, missing field, wrong format or version, wrong
        type, value out of range, unknown argument, invalid JSON).
      OSError: the file cannot be read.

    Example:
      >>> aug = tfaug.policies.load("randaugment_default")  # shipped with tfaug
      >>> type(aug).__name__
      'RandAugment'
      >>> import os
      >>> os.makedirs("configs", exist_ok=True)
      >>> path = tfaug.policies.save(tfaug.image.RandomFlip(), "configs/my_policy.json")
      >>> aug = tfaug.policies.load("configs/my_policy.json")  # a file of your own
      >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
      >>> out = aug(images, training=True)
    """
    return _read_and_build(name_or_path)[1]


def _current_umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def save(layer: keras.layers.Layer, path: str | os.PathLike[str], name: str | None = None,
         description: str = "", overwrite: bool = True) -> pathlib.Path:
    """Writes ``layer`` as a policy file, atomically.

    The envelope is validated (built back) first; the JSON is then written to a
    temporary file in the same folder, flushed to disk and renamed over
    ``path``, so ``path`` holds either the old file or the complete new one.

    Args:
      layer: A registered tfaug layer (with a ``modality``).
      path: Target file; must end in ``.json``.
      name: The policy's ``name``; defaults to the file stem.
      description: Free text saying what the policy is for.
      overwrite: If False, an existing ``path`` raises ``FileExistsError``.

    Returns:
      The path written, as a ``pathlib.Path``.

    Raises:
      ValueError: a bad argument (unregistered layer, no modality, bad path).

    Example:
      >>> tfaug.policies.save(tfaug.image.RandomFlip(), "flip.json",
      ...                     description="mirror left-right").name
      'flip.json'
      >>> aug = tfaug.policies.load("flip.json")
      >>> tfaug.policies.io.read("flip.json")["description"]
      'mirror left-right'
    """
    path = pathlib.Path(path)
    if path.suffix != ".json":
        raise ValueError(f"`path` must end in .json (load() reads other strings as "
                         f"names of shipped policies), got {str(path)!r}.")
    name = path.stem if name is None else name
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"`name` must be a non-empty string, got {name!r}.")
    if not isinstance(description, str):
        raise ValueError(f"`description` must be a string, got {description!r}.")
    modality = getattr(layer, "modality", None)
    if modality not in MODALITIES:
        raise ValueError(f"`layer` must have a modality in {list(MODALITIES)}, got "
                         f"{modality!r} ({type(layer).__name__}).")
    policy = {"format": FORMAT, "version": VERSION, "name": name, "modality": modality,
              "description": description, "augmentation": registry.serialize(layer)}
    validate(json.loads(json.dumps(policy)), source=str(path))
    if not overwrite and path.exists():
        raise FileExistsError(f"{str(path)!r} exists; pass overwrite=True to replace it.")
    mode = (path.stat().st_mode & 0o777) if path.exists() else 0o666 & ~_current_umask()
    folder = path.parent if str(path.parent) else pathlib.Path(".")

    def write(handle):
        json.dump(policy, handle, indent=2, ensure_ascii=False, allow_nan=False)
        handle.write("\n")

    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    files.write_atomically(path, write, temp, mode)
    return path


def list_policies() -> list[dict[str, Any]]:
    """The policies shipped with tfaug, sorted by name.

    Each file's envelope is checked (the layers are not built; :func:`load`
    does that).

    Returns:
      A list of dicts ``{"name", "modality", "class", "description"}``, where
      ``class`` is the top-level augmentation class.

    Example:
      >>> [p["name"] for p in tfaug.policies.list()]
      ['augmix_default', 'autoaugment_cifar10', ...]
    """
    rows = []
    for name in _package_names():
        text, source, expected = _read_text(name)
        policy = _parse(text, source)
        _check_envelope(policy, source, expected)
        rows.append({"name": policy["name"], "modality": policy["modality"],
                     "class": policy["augmentation"].get("class"),
                     "description": policy["description"]})
    return rows
