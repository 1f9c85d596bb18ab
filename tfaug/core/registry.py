"""Registry of augmentation classes and JSON-native (de)serialization.

Every public layer registers itself with :func:`register`, which also makes the
class Keras-serializable (``package="tfaug"``) so layers save and load inside a
``.keras`` model. :func:`serialize` turns a layer into the envelope
``{"class": name, "config": {...}}`` and :func:`deserialize` turns it back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import json
from typing import Any

import keras

_REGISTRY = {}


def register(cls: type | None = None, *, name: str | None = None) -> type | Callable[[type], type]:
    """Class decorator that registers an augmentation under ``name``.

    Args:
        cls: The class to register (when used as a bare decorator).
        name: Registered name; defaults to the class name.

    Returns:
        The class, unchanged apart from being Keras-serializable.

    Example:
        Not run as a doctest: the class would stay registered in the process.

        >>> @register  # doctest: +SKIP
        ... class MyLayer(tfaug.core.Augmentation): ...
    """

    def wrap(klass):
        key = name or klass.__name__
        if key in _REGISTRY and _REGISTRY[key] is not klass:
            raise ValueError(f"An augmentation named {key!r} is already registered "
                                              f"({_REGISTRY[key].__module__}).")
        _REGISTRY[key] = klass
        return keras.saving.register_keras_serializable(package="tfaug",
                                                                                                        name=key)(klass)

    return wrap(cls) if cls is not None else wrap


def registered() -> dict[str, type]:
    """Returns a copy of the registry: ``{name: class}``."""
    return dict(_REGISTRY)


def get(name: str) -> type:
    """Returns the class registered under ``name``.

    Raises:
        ValueError: if no class has that name; the message lists the known names.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"Unknown augmentation class {name!r}; registered classes "
                                          f"are: {sorted(_REGISTRY)}.") from None


def serialize(layer: keras.layers.Layer) -> dict[str, Any]:
    """Serializes a registered layer to a JSON-native dict.

    Args:
        layer: A tfaug augmentation layer.

    Returns:
        ``{"class": "<registered name>", "config": layer.get_config()}``.

    Example:
        >>> d = tfaug.serialize(tfaug.image.RandomFlip("horizontal"))
        >>> d["class"]
        'RandomFlip'
    """
    for key, klass in _REGISTRY.items():
        if type(layer) is klass:
            config = layer.get_config()
            # Fail here, not when the user writes the file, if a config is not JSON.
            json.dumps(config)
            return {"class": key, "config": config}
    raise ValueError(f"layer {layer!r} is of unregistered class "
                                      f"{type(layer).__name__}; decorate it with "
                                      "@tfaug.core.register.")


def deserialize(data: Mapping[str, Any] | str) -> keras.layers.Layer:
    """Builds a layer from the output of :func:`serialize`.

    Args:
        data: A dict ``{"class": name, "config": {...}}`` (or its JSON string).

    Returns:
        A new layer.

    Example:
        >>> layer = tfaug.deserialize({"class": "RandomFlip",
        ...                            "config": {"mode": "vertical"}})
        >>> type(layer).__name__, layer.mode
        ('RandomFlip', 'vertical')
    """
    if isinstance(data, str):
        data = json.loads(data)
    if not isinstance(data, dict) or "class" not in data:
        raise ValueError("deserialize expects a dict with keys 'class' and "
                                          f"'config', got {data!r}.")
    klass = get(data["class"])
    return klass.from_config(dict(data.get("config", {})))
