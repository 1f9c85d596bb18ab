"""Policy files: the shipped ones, load/save round trips, validation with JSON
paths, and atomic writes."""

import importlib.resources
import json
import os
import pathlib

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug.image import RandomContrast, RandomFlip, RandomRotation
from tfaug.policies import io as policy_io
from tfaug.policies.io import PolicyError

SHIPPED = ("autoaugment_imagenet", "autoaugment_cifar10", "autoaugment_svhn",
           "randaugment_default", "trivialaugment_wide", "augmix_default", "light_image",
           "digits_safe")
# Policies of whole-image ops are meant for CIFAR-size images and up.
SIZE = {"light_image": 16, "digits_safe": 16}
SEED = tf.constant([3, 4], tf.int64)


def _images(size):
    """A uint8 batch ``[4, size, size, 3]`` with structure (gradients + a square)."""
    y, x = np.mgrid[0:size, 0:size]
    base = np.stack([x * 255 // size, y * 255 // size, (x + y) * 127 // size], -1)
    base[size // 4: size // 2, size // 4: size // 2] = 255
    batch = np.stack([np.roll(base, 3 * i, axis=1) for i in range(4)])
    return tf.constant(batch.astype(np.uint8))


def _shipped_text(name):
    return (importlib.resources.files("tfaug.saved_policies") / f"{name}.json").read_text(
        encoding="utf-8")


def _policy(**augmentation):
    return {"format": "tfaug.policy", "version": 1, "name": "test", "modality": "image",
            "description": "test policy", "augmentation": augmentation}


def _light_dict():
    return _policy(**{"class": "Sequence", "config": {"layers": [
        {"class": "RandomFlip", "config": {"mode": "horizontal"}},
        {"class": "RandomContrast", "config": {"factor": 0.2}},
        {"class": "RandomRotation", "config": {"factor": 0.05}}]}})


def _write(tmp_path, policy, name="policy.json"):
    path = tmp_path / name
    path.write_text(policy if isinstance(policy, str) else json.dumps(policy, indent=2),
                    encoding="utf-8")
    return path


# ------------------------------------------------------------------ shipped files
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_policy_loads_runs_and_round_trips(name, tmp_path):
    layer = policy_io.load(name)
    assert layer.modality == "image"
    x = _images(SIZE.get(name, 32))
    out = layer(x, training=True, seed=SEED)
    assert out.dtype == tf.uint8 and out.shape == x.shape
    assert not np.array_equal(out.numpy(), x.numpy()), "the policy changed nothing"
    assert np.array_equal(layer(x, training=False).numpy(), x.numpy())
    # Same seed, same draws.
    assert np.array_equal(layer(x, training=True, seed=SEED).numpy(), out.numpy())

    path = policy_io.save(layer, tmp_path / "copy.json", description="a copy")
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert list(saved) == list(policy_io.FIELDS)
    assert (saved["format"], saved["version"], saved["name"], saved["modality"]) == (
        "tfaug.policy", 1, "copy", "image")
    assert saved["augmentation"] == tfaug.serialize(layer)
    again = policy_io.load(path)
    assert type(again) is type(layer) and again.get_config() == layer.get_config()
    assert np.array_equal(again(x, training=True, seed=SEED).numpy(), out.numpy())


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_file_is_a_pretty_envelope_named_after_its_file(name):
    text = _shipped_text(name)
    policy = json.loads(text)
    assert policy["name"] == name
    assert "\n  " in text, "pretty-printed"
    assert len(policy["description"]) >= 60, "a useful description"
    assert policy_io.read(name) == policy


def test_list_has_every_shipped_policy():
    rows = policy_io.list_policies()
    names = [r["name"] for r in rows]
    assert names == sorted(names) and set(SHIPPED) <= set(names)
    assert "image_light" not in names  # renamed to light_image
    for row in rows:
        assert set(row) == {"name", "modality", "class", "description"}
        assert row["modality"] == "image" and row["description"]
    by_name = {r["name"]: r for r in rows}
    assert by_name["randaugment_default"]["class"] == "RandAugment"
    assert by_name["light_image"]["class"] == "Sequence"


def test_shipped_configs_say_what_they_promise():
    ra = policy_io.load("randaugment_default")
    assert (ra.num_ops, ra.magnitude, ra.get_strength()) == (2, 9.0, 1.0)
    assert {policy_io.load(f"autoaugment_{p}").policy for p in ("imagenet", "cifar10",
                                                                "svhn")} == {
        "imagenet", "cifar10", "svhn"}
    light = [type(l).__name__ for l in policy_io.load("light_image").layers]
    assert light == ["RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast",
                     "RandomBrightness"]
    # Digits: no flips, rotations of at most ~10 degrees, constant fill.
    digits = policy_io.load("digits_safe").layers
    assert [type(l).__name__ for l in digits] == ["RandomRotation", "RandomTranslation"]
    assert digits[0].factor == [-0.0278, 0.0278]  # of a turn: about 10 degrees
    assert 9.5 <= max(digits[0].factor) * 360 <= 10.5
    assert all(l.fill_mode == "constant" for l in digits)
    assert "flip" in policy_io.read("digits_safe")["description"].lower()


def test_digits_safe_never_mirrors_an_asymmetric_digit():
    """A left-heavy bar stays on the left: a flip (or a large turn) would move it."""
    image = np.zeros([8, 16, 16, 1], np.uint8)
    image[:, 3:13, 3:6] = 255
    out = policy_io.load("digits_safe")(tf.constant(image), training=True, seed=SEED)
    mass = out.numpy().astype(float)[..., 0]
    left, right = mass[:, :, :8].sum(axis=(1, 2)), mass[:, :, 8:].sum(axis=(1, 2))
    assert np.all(left > 4 * right)


# ---------------------------------------------------------------------- load/save
def test_load_by_path_str_and_pathlib(tmp_path):
    path = _write(tmp_path, _shipped_text("light_image"), "mine.json")
    for source in (str(path), path):
        layer = policy_io.load(source)
        assert [type(l).__name__ for l in layer.layers][0] == "RandomFlip"
    assert policy_io.read(path)["name"] == "light_image"  # user files keep their name


def test_load_a_parsed_dict():
    layer = policy_io.load(_light_dict())
    assert isinstance(layer, tfaug.Sequence) and len(layer.layers) == 3


def test_unknown_name_lists_the_shipped_ones():
    with pytest.raises(ValueError, match="light_image") as info:
        policy_io.load("no_such_policy")
    assert "randaugment_default" in str(info.value)
    with pytest.raises(FileNotFoundError):
        policy_io.load("no/such/file.json")


def test_save_round_trips_class_conditional_and_nested_compositions(tmp_path):
    safe = RandomRotation(0.03, seed=1)
    layer = tfaug.ClassConditional(
        default=tfaug.Sequence([RandomFlip(seed=2),
                                tfaug.SomeOf([RandomContrast(0.3), safe], n=1, seed=3)]),
        per_class={6: RandomRotation(0.02), 9: None}, seed=4)
    path = policy_io.save(layer, tmp_path / "cc.json", name="digits_rules",
                          description="label-aware")
    policy = json.loads(path.read_text())
    assert policy["name"] == "digits_rules" and policy["description"] == "label-aware"
    loaded = policy_io.load(path)
    assert type(loaded) is tfaug.ClassConditional
    assert loaded.get_config() == layer.get_config()
    assert sorted(loaded.per_class) == [6, 9] and loaded.per_class[9] is None


def test_strength_is_saved_loaded_and_checked(tmp_path):
    layer = tfaug.Sequence([RandomFlip(seed=1), tfaug.RandAugment(magnitude=9, seed=2)])
    layer.set_strength(0.25)
    path = policy_io.save(layer, tmp_path / "weak.json")
    config = json.loads(path.read_text())["augmentation"]["config"]
    assert config["strength"] == 0.25
    assert [l["config"]["strength"] for l in config["layers"]] == [0.25, 0.25]
    loaded = policy_io.load(path)
    assert [l.get_strength() for l in [loaded] + loaded.layers] == [0.25] * 3
    assert loaded.layers[1].magnitude == 9.0  # the paper's M is not the strength
    # A file may set `strength` on any layer; a bad value names its JSON path.
    policy = _light_dict()
    _layers(policy)[1]["config"]["strength"] = 0.5
    assert policy_io.load(policy).layers[1].get_strength() == 0.5
    _layers(policy)[1]["config"]["strength"] = -1
    with pytest.raises(PolicyError) as info:
        policy_io.load(policy)
    assert info.value.json_path == "$.augmentation.config.layers[1].config.strength"


def test_save_overwrites_only_when_asked_and_checks_arguments(tmp_path):
    path = tmp_path / "p.json"
    policy_io.save(RandomFlip(), path)
    policy_io.save(RandomFlip("vertical"), path)  # overwrite=True by default
    assert policy_io.load(path).mode == "vertical"
    with pytest.raises(FileExistsError):
        policy_io.save(RandomFlip(), path, overwrite=False)
    with pytest.raises(ValueError, match="`path`"):
        policy_io.save(RandomFlip(), tmp_path / "p.txt")
    with pytest.raises(ValueError, match="`description`"):
        policy_io.save(RandomFlip(), path, description=None)
    with pytest.raises(ValueError, match="unregistered"):
        policy_io.save(_Unregistered(), path)
    assert policy_io.load(path).mode == "vertical"


class _Unregistered(tfaug.image.RandomFlip):
    pass


def _leftovers(folder, keep):
    return sorted(p.name for p in pathlib.Path(folder).iterdir() if p.name != keep)


def test_interrupted_dump_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    policy_io.save(RandomFlip("vertical"), path)
    before = path.read_bytes()

    def half_dump(obj, handle, **kwargs):
        handle.write('{"format": "tfaug.policy", "vers')
        handle.flush()
        raise OSError("disk full")

    monkeypatch.setattr(json, "dump", half_dump)
    with pytest.raises(OSError, match="disk full"):
        policy_io.save(RandomFlip("horizontal"), path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path, "p.json") == []


def test_interrupted_rename_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    policy_io.save(RandomFlip("vertical"), path)
    before = path.read_bytes()

    def fail_replace(src, dst):
        assert pathlib.Path(src).parent == path.parent  # temp file beside the target
        assert json.loads(pathlib.Path(src).read_text())["augmentation"]["config"][
            "mode"] == "horizontal", "complete before the rename"
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", fail_replace)
    with pytest.raises(KeyboardInterrupt):
        policy_io.save(RandomFlip("horizontal"), path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path, "p.json") == []
    # A save into a missing target leaves nothing behind either.
    with pytest.raises(KeyboardInterrupt):
        policy_io.save(RandomFlip("horizontal"), tmp_path / "new.json")
    assert _leftovers(tmp_path, "p.json") == []


def test_save_validates_before_writing(tmp_path):
    layer = RandomContrast(0.2)
    layer.factor = -1.0  # corrupted after construction: the file would not load
    with pytest.raises(PolicyError, match=r"\$\.augmentation\.config\.factor"):
        policy_io.save(layer, tmp_path / "bad.json")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------- validation
def _mutate(fn):
    policy = _light_dict()
    fn(policy)
    return policy


def _layers(policy):
    return policy["augmentation"]["config"]["layers"]


BAD = {
    "unknown_class": (
        lambda p: _layers(p)[0].update({"class": "Foo"}),
        r"$.augmentation.config.layers[0].class: unknown class 'Foo' (known: "),
    "unknown_top_class": (
        lambda p: p["augmentation"].update({"class": "NoSuchLayer"}),
        "$.augmentation.class: unknown class 'NoSuchLayer'"),
    "missing_augmentation": (lambda p: p.pop("augmentation"),
                             "$.augmentation: missing required field"),
    "missing_format": (lambda p: p.pop("format"), "$.format: missing required field"),
    "wrong_format": (lambda p: p.update(format="albumentations"),
                     "$.format: expected 'tfaug.policy', got 'albumentations'"),
    "version_2": (lambda p: p.update(version=2), "$.version: expected 1, got 2"),
    "version_string": (lambda p: p.update(version="1"), '$.version: expected 1, got "1"'),
    "unknown_field": (lambda p: p.update(author="me"), "$.author: unknown field"),
    "bad_modality": (lambda p: p.update(modality="video"), "$.modality: expected one of"),
    "modality_mismatch": (lambda p: p.update(modality="audio"),
                          "$.modality: expected 'image'"),
    "description_type": (lambda p: p.update(description=3),
                         "$.description: expected a string"),
    "nested_out_of_range": (
        lambda p: _layers(p)[1]["config"].update(factor=-1),
        "$.augmentation.config.layers[1].config.factor: The `factor` argument should be a number"),
    "nested_wrong_type": (
        lambda p: _layers(p)[2]["config"].update(factor="big"),
        "$.augmentation.config.layers[2].config.factor: The `factor` argument should be a number"),
    "unknown_config_key": (
        lambda p: _layers(p)[0]["config"].update(colour=True),
        "$.augmentation.config.layers[0].config.colour: unknown argument of RandomFlip"),
    "missing_required_argument": (
        lambda p: _layers(p)[2].update(config={}),
        "$.augmentation.config.layers[2].config.factor: missing required argument"),
    "layers_not_a_list": (
        lambda p: p["augmentation"]["config"].update(layers=[]),
        "$.augmentation.config.layers: must be a non-empty list"),
    "config_not_an_object": (
        lambda p: _layers(p)[0].update(config=[1]),
        "$.augmentation.config.layers[0].config: expected an object, got an array"),
    "deep_class_conditional": (
        lambda p: p.update(augmentation={"class": "ClassConditional", "config": {
            "default": {"class": "RandomApply", "config": {"layer": {
                "class": "RandomFlip", "config": {"rate": 2}}}},
            "per_class": {"3": None}}}),
        "$.augmentation.config.default.config.layer.config.rate: must be in [0.0, 1.0]"),
    "per_class_value": (
        lambda p: p.update(augmentation={"class": "ClassConditional", "config": {
            "default": None, "per_class": {"3": {"class": "RandomRotation",
                                                 "config": {"factor": 5}}}}}),
        '$.augmentation.config.per_class["3"].config.factor: The `factor` argument should be'),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_names_the_json_path(case, tmp_path):
    mutate, expected = BAD[case]
    path = _write(tmp_path, _mutate(mutate))
    with pytest.raises(PolicyError) as info:
        policy_io.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert expected in message, message
    assert info.value.json_path == expected.split(":")[0]
    assert isinstance(info.value, ValueError)
    with pytest.raises(PolicyError):  # the same checks without a file
        policy_io.read(_mutate(mutate))


def test_invalid_json_gives_line_and_column(tmp_path):
    path = _write(tmp_path, '{\n  "format": "tfaug.policy",\n  "version": 1\n  "name": "x"\n}')
    with pytest.raises(PolicyError, match=r"invalid JSON at line 4, column 3") as info:
        policy_io.load(path)
    assert info.value.json_path is None and str(path) in str(info.value)
    path = _write(tmp_path, '{"version": NaN}')
    with pytest.raises(PolicyError, match="NaN is not valid JSON"):
        policy_io.load(path)
    with pytest.raises(PolicyError, match=r"\$: expected an object, got an array"):
        policy_io.load(_write(tmp_path, "[1, 2]"))


def test_package_file_name_must_match_its_stem(tmp_path, monkeypatch):
    policy = json.loads(_shipped_text("light_image"))
    _write(tmp_path, policy, "other_name.json")
    monkeypatch.setattr(policy_io, "_package_dir", lambda: tmp_path)
    with pytest.raises(PolicyError, match=r"\$\.name: expected 'other_name' \(the file "
                       r"name\), got 'light_image'"):
        policy_io.load("other_name")
    with pytest.raises(PolicyError, match=r"\$\.name"):
        policy_io.list_policies()
