"""tfaug.callbacks.AugmentationPreview: previews and strength in TensorBoard event files."""

import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug import callbacks

pytest.importorskip("matplotlib")


def _events(folder):
    """``{tag: [(step, value)]}`` of every summary under ``folder``."""
    found = {}
    for path in sorted(pathlib.Path(folder).glob("events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                found.setdefault(value.tag, []).append(
                    (event.step, tf.make_ndarray(value.tensor),
                     value.metadata.plugin_data.plugin_name))
    return found


def _digits(n=24, size=16):
    from sklearn.datasets import load_digits  # pylint: disable=import-outside-toplevel
    digits = load_digits()
    x = np.kron(digits.images[:n], np.ones((2, 2)))[:, :size, :size, None] * 15
    return x.astype(np.float32), digits.target[:n].astype(np.int32)


def _model(front):
    return keras.Sequential([keras.Input((16, 16, 1)), front, keras.layers.Flatten(),
                             keras.layers.Dense(10)])


def test_images_and_strength_each_epoch_follow_the_schedule(tmp_path):
    x, y = _digits()
    aug = tfaug.Sequence([tfaug.image.RandomRotation(0.1, fill_mode="constant"),
                          tfaug.RandAugment(num_ops=1, magnitude=2, seed=0, name="ra")], name="aug")
    model = _model(aug)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    ramp = tfaug.callbacks.StrengthSchedule(lambda epoch: 0.5 + 0.25 * epoch)
    look = callbacks.AugmentationPreview(tmp_path, x[:3], n=3, variants=2)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[ramp, look])
    events = _events(tmp_path / "augmentation")
    images = events["aug/preview"]
    assert [step for step, _, _ in images] == [0, 1, 2]
    assert all(plugin == "images" for _, _, plugin in images)
    width, height = (int(v) for v in images[0][1][:2])
    assert width > 48 and height > 48  # a grid of 3 rows x 3 columns, not one image
    png = images[0][1][2]
    assert tf.io.decode_png(png).shape[-1] in (3, 4)
    # The strength scalar: 1 before training, then what the schedule set for each epoch.
    strength = [(step, float(v)) for step, v, _ in events["aug/strength"]]
    assert strength == [(0, 1.0), (1, 0.5), (2, 0.75)]
    assert [layer.get_strength() for layer in aug.layers] == [0.75, 0.75]  # forwarded


def test_every_n_epochs_and_the_tags_written(tmp_path):
    x, y = _digits()
    model = _model(tfaug.image.RandomFlip("horizontal", name="flip"))
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    look = callbacks.AugmentationPreview(tmp_path, x[:2], every_n_epochs=2, n=2, variants=1)
    model.fit(x, y, epochs=4, batch_size=12, verbose=0, callbacks=[look])
    assert look.written == [(step, tag) for step in (0, 2, 4)
                            for tag in ("flip/preview", "flip/strength")]
    # Every layer has a strength (RandomFlip's scales its probability).
    assert [float(v) for _, v, _ in _events(tmp_path / "augmentation")["flip/strength"]] == \
        [1.0, 1.0, 1.0]


def test_text_layer_given_outside_the_model(tmp_path):
    swap = tfaug.text.RandomSwap(n=1, seed=0, name="swap")
    look = callbacks.AugmentationPreview(
        tmp_path, ["the plot is thin but the actors are fine", "a slow film with heart"],
        layers=swap, n=2, variants=2)
    look.write(0)
    (entry,) = _events(tmp_path / "augmentation")["swap/preview"]
    assert entry[2] == "text"
    table = entry[1].item().decode()
    assert "actors" in table
    # One swap per variant, shown as a numbered pair (a move, not insert + delete).
    assert table.count("⇄1") == 2 * 2 * 2 and "~~" not in table


def test_audio_clips_are_written_as_audio(tmp_path):
    t = np.arange(2000) / 8000.0
    clips = np.stack([0.5 * np.sin(2 * np.pi * f * t) for f in (300, 600)]).astype(np.float32)
    gain = tfaug.audio.Gain(-6.0, 6.0, sample_rate=8000, name="gain")
    look = callbacks.AugmentationPreview(tmp_path, clips, layers=[gain], n=2, variants=1)
    tags = look.write(3)
    assert tags == ["gain/preview", "gain/audio", "gain/strength"]
    events = _events(tmp_path / "augmentation")
    (audio,) = events["gain/audio"]
    assert audio[0] == 3 and audio[2] == "audio" and audio[1].shape[0] == 2  # two clips


def test_errors():
    with pytest.raises(ValueError, match="`every_n_epochs`"):
        callbacks.AugmentationPreview("logs", np.zeros((1, 8, 8, 1)), every_n_epochs=0)
    with pytest.raises(ValueError, match="`n`"):
        callbacks.AugmentationPreview("logs", np.zeros((1, 8, 8, 1)), n=0)
    with pytest.raises(ValueError, match="`layers` holds no tfaug layer"):
        callbacks.AugmentationPreview("logs", np.zeros((1, 8, 8, 1)),
                                      layers=keras.layers.Dense(2))


def test_a_model_without_augmentation_is_refused_when_training_starts(tmp_path):
    x, y = _digits(8)
    model = _model(keras.layers.Identity())
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    look = callbacks.AugmentationPreview(tmp_path, x[:2])
    with pytest.raises(ValueError, match="found no tfaug layer in the model"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[look])


def test_outermost_augmentations_skips_children():
    inner = tfaug.image.RandomFlip()
    seq = tfaug.Sequence([inner, tfaug.image.RandomRotation(0.1)])
    model = _model(seq)
    assert callbacks.outermost_augmentations(model) == [seq]
    assert callbacks.outermost_augmentations([inner]) == [inner]
