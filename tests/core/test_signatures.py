"""Signatures of every registered layer (issue 18, items 3 and 7).

* A class named like a keras.layers image augmentation layer takes Keras'
  arguments, in Keras' order, with Keras' defaults; tfaug's own extras come
  after them, keyword-only.
* Every other layer takes at most three arguments positionally (its main
  parameters); the rest are keyword-only.

The classes come from the registry, so a new layer is covered without an entry here.
"""

import inspect

import keras
import pytest

from tfaug.core import registry

# The keras.layers image augmentation layers tfaug mirrors (issue 18's list).
KERAS_NAMES = (
    "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomShear",
    "RandomCrop", "CenterCrop", "Resizing", "RandomContrast", "RandomBrightness",
    "RandomSaturation", "RandomHue", "RandomGrayscale", "RandomColorJitter", "Solarization",
    "RandomPosterization", "RandomSharpness", "Equalization", "AutoContrast", "RandomInvert",
    "RandomErasing", "RandomGaussianBlur", "RandomPerspective", "RandomElasticTransform",
    "MixUp", "CutMix", "RandAugment", "AugMix")
MAX_POSITIONAL = 4  # ColorJitter(brightness, contrast, saturation, hue), as torchvision
CLASSES = registry.registered()


def _params(klass):
    return [p for n, p in inspect.signature(klass.__init__).parameters.items()
            if n != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]


def _positional(klass):
    return [p for p in _params(klass) if p.kind == p.POSITIONAL_OR_KEYWORD]


def test_every_keras_name_is_registered():
    missing = [n for n in KERAS_NAMES if n not in CLASSES]
    assert not missing, f"keras.layers names tfaug lacks: {missing}"


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_keras_named_layer_takes_keras_arguments_in_keras_order(name):
    ours = CLASSES[name]
    theirs = [p for p in _params(getattr(keras.layers, name)) if p.name != "name"]
    positional = [p for p in _positional(ours) if p.name != "name"]
    assert [p.name for p in positional] == [p.name for p in theirs], (
        f"{name}: positional arguments {[p.name for p in positional]}, Keras has "
        f"{[p.name for p in theirs]}")
    for mine, keras_param in zip(positional, theirs):
        default = keras_param.default
        if isinstance(default, tuple):
            default = list(default)
        got = list(mine.default) if isinstance(mine.default, tuple) else mine.default
        assert got == default or (default is None and mine.name == "data_format"), (
            f"{name}({mine.name}=...): default {mine.default!r}, Keras' {keras_param.default!r}")


@pytest.mark.parametrize("name", sorted(set(CLASSES) - set(KERAS_NAMES)))
def test_arguments_after_the_first_few_are_keyword_only(name):
    positional = [p.name for p in _positional(CLASSES[name])]
    assert len(positional) <= MAX_POSITIONAL, (
        f"{name} takes {positional} positionally; at most {MAX_POSITIONAL} (its main "
        "parameters) may be, the rest keyword-only")
    for option in ("probability", "seed", "value_range", "sample_rate"):
        assert option not in positional, f"{name}: `{option}` must be keyword-only"
