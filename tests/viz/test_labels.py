"""What each preview says was drawn is what the output shows: labels are read
back from the preview and checked against the augmented data numerically."""

import re

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug import audio
from tfaug import image
from tfaug import policies
from tfaug import viz

RATE = 16000


def _number(pattern, label):
    match = re.search(pattern, label)
    assert match, f"{pattern!r} not in {label!r}"
    return float(match.group(1))


def _blob_image(size=65, radius=20):
    """A grey image with one bright blob ``radius`` px right of the centre."""
    yy, xx = np.mgrid[:size, :size].astype(np.float32)
    c = (size - 1) / 2
    blob = np.exp(-((xx - c - radius) ** 2 + (yy - c) ** 2) / (2 * 2.0 ** 2))
    return (20 + 230 * blob).astype(np.uint8)[..., None].repeat(3, -1)


def test_call_with_params_is_the_training_call_and_its_draw():
    images = tf.constant(np.random.RandomState(0).randint(0, 256, (3, 16, 16, 3)), tf.uint8)
    seed = tf.constant([4, 2], tf.int64)
    with tfaug.core.auto_compile_scope(False):
        for layer in [image.RandomRotation(0.2), policies.RandAugment(),
                      tfaug.OneOf([image.RandomFlip(), image.GaussianBlur(3)])]:
            out, params = layer.call_with_params(images, seed)
            np.testing.assert_array_equal(out, layer(images, training=True, seed=seed))
            assert len(layer.describe_draw(params)) == 3
    smote = tfaug.tabular.SMOTE()
    assert smote.describe_draw(None) is None
    with pytest.raises(ValueError, match="batch_size"):
        image.AutoContrast().describe_draw({})
    assert image.AutoContrast().describe_draw({}, batch_size=2) == ["applied"] * 2


def test_rotation_label_is_the_angle_measured_in_the_output():
    blob = _blob_image()
    p = viz.preview(image.RandomRotation(0.08, fill_mode="constant"), blob[None].repeat(3, 0),
                    n=3, variants=2, seed=3, path=None)
    c = (blob.shape[0] - 1) / 2
    yy, xx = np.mgrid[:blob.shape[0], :blob.shape[1]]
    for j, batch in enumerate(p.variants):
        for i, out in enumerate(batch):
            said = _number(r"angle=(-?[\d.]+)° ccw", p.labels[j][i])
            weight = np.clip(out[..., 0].astype(float) - 60, 0, None)
            x, y = (weight * xx).sum() / weight.sum(), (weight * yy).sum() / weight.sum()
            measured = np.degrees(np.arctan2(-(y - c), x - c))  # ccw on screen (y down)
            assert said == pytest.approx(measured, abs=1.0)
    assert len({round(float(_number(r"=(-?[\d.]+)", w)), 1) for v in p.labels for w in v}) > 3


def test_flip_label_says_which_axes_are_reversed(images):
    layer = image.RandomFlip("horizontal_and_vertical", independent=True)
    p = viz.preview(layer, images, n=4, variants=3, seed=1, path=None)
    seen = set()
    for j, batch in enumerate(p.variants):
        for i, out in enumerate(batch):
            h = "horizontal=yes" in p.labels[j][i]
            v = "vertical=yes" in p.labels[j][i]
            want = images[i][::-1 if v else 1, ::-1 if h else 1]
            np.testing.assert_array_equal(out, want)
            seen.add((h, v))
    assert len(seen) >= 3


def test_labels_are_printed_under_the_variants_without_overlap():
    images = np.random.RandomState(1).randint(0, 256, (2, 24, 24, 3)).astype(np.uint8)
    p = viz.preview(policies.RandAugment(num_ops=2, magnitude=9), images, n=2, variants=3,
                    path=None)
    fig = p.figure
    shown = {t.get_text().replace("\n", " "): t for t in fig.texts}
    renderer = fig.canvas.get_renderer()
    height = fig.get_figheight() * fig.dpi
    for j in range(3):
        for i in range(2):
            text = shown[p.labels[j][i].replace("; ", " ")]  # the label, wrapped
            box = text.get_window_extent(renderer)
            top, left, slot_h, slot_w = fig.tfaug_slots[(i, j + 1)]
            assert left - 1 <= box.x0 and box.x1 <= left + slot_w + 1  # inside its column
            assert height - box.y1 >= top + slot_h  # below its image
            if i == 0:  # above the next row's images
                assert height - box.y0 <= fig.tfaug_slots[(1, j + 1)][0]
            assert text.get_fontsize() >= 6


def test_policy_labels_name_the_op_each_sample_got():
    rng = np.random.RandomState(2)
    images = rng.randint(0, 256, (16, 8, 8, 3)).astype(np.uint8)
    layer = policies.RandAugment(num_ops=1, factor=(0.2, 1.0),
                                 ops=["invert", "posterize", "solarize", "brightness"])
    p = viz.preview(layer, images, n=16, variants=2, seed=0, path=None)
    ops = set()
    for j, batch in enumerate(p.variants):
        for x, out, label in zip(images.astype(int), batch.astype(int), p.labels[j]):
            op = label.split()[0]
            ops.add(op)
            if op == "invert":
                np.testing.assert_array_equal(out, 255 - x)
            elif op == "posterize":
                bits = int(_number(r"posterize (\d) bits", label))
                np.testing.assert_array_equal(out, x & (0xFF << (8 - bits)) & 0xFF)
            elif op == "solarize":
                t = _number(r"above (\d+)/255", label)
                np.testing.assert_array_equal(out[x < t - 1], x[x < t - 1])
                np.testing.assert_array_equal(out[x > t + 1], 255 - x[x > t + 1])
            else:
                factor = _number(r"brightness x([\d.]+)", label)
                assert np.abs(out - np.clip(x * factor, 0, 255)).max() <= 2.5
    assert ops == {"invert", "posterize", "solarize", "brightness"}


def test_composition_labels_name_the_branch_each_sample_took(images):
    layer = tfaug.OneOf([image.RandomFlip("horizontal", rate=1.0), image.Invert()])
    p = viz.preview(layer, images, n=4, variants=3, seed=0, path=None)
    branches = set()
    for j, batch in enumerate(p.variants):
        for x, out, label in zip(images, batch, p.labels[j]):
            branch = label.split(":")[0]
            branches.add(branch)
            want = x[:, ::-1] if branch == "RandomFlip" else 255 - x
            np.testing.assert_array_equal(out, want)
    assert branches == {"RandomFlip", "Invert"}
    apply = tfaug.RandomApply(image.Invert(), rate=0.5)
    p = viz.preview(apply, images, n=4, variants=2, seed=1, path=None)
    for j, batch in enumerate(p.variants):
        for x, out, label in zip(images, batch, p.labels[j]):
            assert label in ("Invert: applied", "not applied")
            np.testing.assert_array_equal(out, 255 - x if label != "not applied" else x)


def _tone(freq, seconds=0.5, amp=0.5):
    t = np.arange(int(seconds * RATE)) / RATE
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _peak_hz(clip):
    """The strongest frequency, to a fraction of a bin (parabolic interpolation)."""
    n = 8 * len(clip)
    spectrum = np.abs(np.fft.rfft(clip * np.hanning(len(clip)), n))
    k = int(np.argmax(spectrum))
    a, b, c = np.log(spectrum[k - 1:k + 2] + 1e-12)
    return (k + 0.5 * (a - c) / (a - 2 * b + c)) * RATE / n


def test_pitch_label_is_the_measured_frequency_ratio():
    clips = np.stack([_tone(440), _tone(600)])
    p = viz.preview(audio.PitchShift(-4, 4, sample_rate=RATE), clips, variants=2, seed=0,
                    path=None)
    for j, batch in enumerate(p.variants):
        for i, out in enumerate(batch):
            said = _number(r"pitch=(-?[\d.]+) semitones", p.labels[j][i])
            middle = out[2000:6000]  # away from the edges
            measured = 12 * np.log2(_peak_hz(middle) / _peak_hz(clips[i][2000:6000]))
            assert said == pytest.approx(measured, abs=0.05)


def test_snr_label_is_the_measured_snr():
    clips = np.stack([_tone(440), _tone(300, amp=0.1)])
    p = viz.preview(audio.GaussianNoiseSNR(0, 30, sample_rate=RATE), clips, variants=3,
                    seed=5, path=None)
    for j, batch in enumerate(p.variants):
        for clean, out, label in zip(clips, batch, p.labels[j]):
            said = _number(r"SNR=(-?[\d.]+) dB", label)
            noise = out.astype(np.float64) - clean
            measured = 10 * np.log10(np.mean(clean.astype(np.float64) ** 2) / np.mean(noise ** 2))
            assert said == pytest.approx(measured, abs=0.06)


def test_stretch_label_is_the_measured_tempo_change():
    t = np.arange(RATE) / RATE
    burst = ((t > 0.1) & (t < 0.3)) * 0.5 * np.sin(2 * np.pi * 500 * t)
    clips = burst.astype(np.float32)[None]

    def centre(x):
        energy = x.astype(np.float64) ** 2
        return (energy * t).sum() / energy.sum()

    p = viz.preview(audio.TimeStretch(0.7, 1.4, sample_rate=RATE), clips, variants=3,
                    seed=2, path=None)
    for j, batch in enumerate(p.variants):
        said = _number(r"stretch rate=([\d.]+)x", p.labels[j][0])
        assert said == pytest.approx(centre(clips[0]) / centre(batch[0]), rel=0.03)
    assert "stretch rate=" in " ".join(t.get_text() for a in p.figure.axes
                                       for t in [a.title])


def _spans(label, unit):
    """The frames/bins a ``masked <unit> a-b, c-d`` label names."""
    match = re.search(rf"masked {unit} ([\d, -]+)", label)
    if not match:
        return set()
    spans = [part.split("-") for part in match.group(1).split(", ")]
    return {k for a, b in spans for k in range(int(a), int(b) + 1)}


def test_spectrogram_mask_labels_name_the_masked_frames_and_bins():
    spec = np.random.RandomState(4).rand(3, 50, 16).astype(np.float32) + 0.5
    layer = tfaug.Sequence([audio.TimeMask(10, num_masks=2), audio.FrequencyMask(5)])
    p = viz.preview(layer, spec, variants=2, seed=1, path=None)
    assert p.spectrogram
    seen = 0
    for j, batch in enumerate(p.variants):
        for out, label in zip(batch, p.labels[j]):
            frames = set(np.nonzero(np.all(out == 0, axis=1))[0])
            bins = set(np.nonzero(np.all(out == 0, axis=0))[0])
            assert _spans(label.split("; ")[0], "frames") == frames
            assert _spans(label.split("; ")[1], "bins") == bins
            seen += len(frames) + len(bins)
    assert seen > 20
