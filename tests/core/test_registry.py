"""Registry: registration, lookup, (de)serialization, Keras integration, policy files."""

import json
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug.core import registry
from tfaug.image import ImageAugmentation, RandomFlip

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def scratch_registry():
    """Restores tfaug's and Keras's registries after a test registers classes
    (a leftover test class would lack a harness case)."""
    before = dict(registry._REGISTRY)
    custom = keras.saving.get_custom_objects()
    keras_before = dict(custom)
    yield
    registry._REGISTRY.clear()
    registry._REGISTRY.update(before)
    custom.clear()
    custom.update(keras_before)


def test_builtin_layers_are_registered():
    names = tfaug.registered()
    for name in ("RandomFlip", "Sequence", "OneOf", "SomeOf", "RandomApply"):
        assert name in names
    assert names["RandomFlip"] is RandomFlip
    assert registry.get("Sequence") is tfaug.Sequence
    # registered() is a copy: mutating it changes nothing.
    names.pop("RandomFlip")
    assert "RandomFlip" in tfaug.registered()


def test_every_registered_class_is_an_augmentation_and_keras_serializable():
    for name, klass in tfaug.registered().items():
        assert issubclass(klass, tfaug.Augmentation), name
        assert keras.saving.get_registered_object(f"tfaug>{name}") is klass, name
        assert keras.saving.get_registered_name(klass) == f"tfaug>{name}"


def test_unknown_name_lists_known_names():
    with pytest.raises(ValueError, match="NoSuchLayer") as err:
        registry.get("NoSuchLayer")
    assert "RandomFlip" in str(err.value)
    with pytest.raises(ValueError, match="NoSuchLayer"):
        tfaug.deserialize({"class": "NoSuchLayer", "config": {}})


def test_register_and_duplicate_names(scratch_registry):
    @tfaug.register(name="ScratchInvertForTest")
    class Scratch(ImageAugmentation):
        def transform(self, data, params):
            return dict(data, images=1.0 - data["images"])

    assert tfaug.registered()["ScratchInvertForTest"] is Scratch
    # Registering the same class again is a no-op; another class under the name fails.
    assert tfaug.register(name="ScratchInvertForTest")(Scratch) is Scratch
    with pytest.raises(ValueError, match="ScratchInvertForTest.*already registered"):
        @tfaug.register(name="ScratchInvertForTest")
        class Other(ImageAugmentation):
            pass
    layer = Scratch(seed=1)
    envelope = tfaug.serialize(layer)
    assert envelope["class"] == "ScratchInvertForTest"
    clone = tfaug.deserialize(json.dumps(envelope))
    assert type(clone) is Scratch
    x = tf.constant([[[[0], [255]]]], tf.uint8)
    np.testing.assert_array_equal(clone(x, training=True), [[[[255], [0]]]])


def test_serialize_unregistered_class_names_the_fix():
    class NotRegistered(RandomFlip):
        pass

    with pytest.raises(ValueError, match="unregistered class NotRegistered.*register"):
        tfaug.serialize(NotRegistered())


def test_serialize_envelope_is_json_and_round_trips():
    layer = RandomFlip("vertical", rate=0.25, probability=0.5, value_range=(0, 1),
                      seed=9, name="flip_v")
    envelope = tfaug.serialize(layer)
    assert envelope == {"class": "RandomFlip", "config": {
        "mode": "vertical", "seed": 9, "data_format": "channels_last", "rate": 0.25,
        "independent": False, "probability": 0.5, "value_range": [0.0, 1.0],
        "strength": 1.0, "name": "flip_v", "bounding_box_format": None}}
    clone = tfaug.deserialize(json.loads(json.dumps(envelope)))
    assert clone.get_config() == layer.get_config()
    # Config defaults are filled in when a policy file leaves them out.
    minimal = tfaug.deserialize({"class": "RandomFlip", "config": {"mode": "vertical"}})
    assert minimal.rate == 0.5 and minimal.mode == "vertical"


@pytest.mark.parametrize("bad", [[1, 2], {"config": {}}, "[]", 3])
def test_deserialize_rejects_malformed_input(bad):
    with pytest.raises(ValueError, match="deserialize expects"):
        tfaug.deserialize(bad)


def test_composition_accepts_serialized_children():
    seq = tfaug.Sequence([{"class": "RandomFlip", "config": {"mode": "vertical"}},
                          RandomFlip("horizontal")])
    assert [type(l) for l in seq.layers] == [RandomFlip, RandomFlip]
    assert seq.layers[0].mode == "vertical"


def test_layer_in_a_keras_model_saves_and_loads(tmp_path):
    model = keras.Sequential([keras.Input((4, 4, 1)),
                              tfaug.OneOf([RandomFlip("horizontal"), RandomFlip("vertical")],
                                          seed=3)])
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    inner = loaded.layers[0]
    assert type(inner) is tfaug.OneOf
    assert inner.get_config() == model.layers[0].get_config()


def _policy_files():
    return sorted((ROOT / "saved_policies").glob("*.json"))


@pytest.mark.parametrize("path", _policy_files(), ids=lambda p: p.name)
def test_saved_policy_files_are_valid_envelopes(path):
    policy = json.loads(path.read_text(encoding="utf-8"))
    assert policy["format"] == "tfaug.policy" and policy["version"] == 1
    assert policy["name"] == path.stem
    assert policy["modality"] in ("image", "text", "audio", "tabular")
    assert policy["description"]
    layer = tfaug.deserialize(policy["augmentation"])
    assert layer.modality == policy["modality"]
    assert tfaug.serialize(layer)["class"] == policy["augmentation"]["class"]
    if layer.modality == "image":
        x = tf.cast(tf.reshape(tf.range(2 * 16 * 16 * 3) % 256, [2, 16, 16, 3]), tf.uint8)
        out = layer(x, training=True, seed=tf.constant([1, 2], tf.int64))
        assert out.dtype == tf.uint8 and out.shape == x.shape
        assert not np.array_equal(out, x)
