"""Audio previews: figure, WAVs of originals and variants, spectrogram layers."""

import numpy as np
import pytest
import tensorflow as tf

from tfaug import audio
from tfaug import viz
from tests.viz.conftest import listing

RATE = 8000


def _clips(count=2, length=2000):
    t = np.arange(length) / RATE
    return np.stack([0.4 * np.sin(2 * np.pi * (300 + 200 * i) * t)
                     for i in range(count)]).astype(np.float32)


def test_wavs_hold_the_originals_and_variants(in_tmp):
    layer = audio.Gain(-6.0, 0.0, sample_rate=RATE)
    clips = _clips()
    p = viz.preview(layer, clips, variants=2, path="clips/prev.png")
    assert p.sample_rate == RATE and p.modality == "audio"
    names = ["prev.png"] + [f"prev_{i}_{s}.wav" for i in range(2)
                            for s in ("orig", "v0", "v1")]
    assert listing(in_tmp / "clips") == sorted(names)
    assert sorted(x.name for x in p.paths) == sorted(names)
    for i in range(2):
        back, rate = audio.read_wav(in_tmp / "clips" / f"prev_{i}_orig.wav")
        assert rate == RATE
        np.testing.assert_allclose(back.numpy(), clips[i], atol=1.0 / 32768 + 1e-7)
        for j in range(2):
            back, _ = audio.read_wav(in_tmp / "clips" / f"prev_{i}_v{j}.wav")
            np.testing.assert_allclose(back.numpy(), p.variants[j][i],
                                       atol=1.0 / 32768 + 1e-7)


def test_variants_are_the_layer_under_derived_seeds():
    layer = audio.GaussianNoiseSNR(10.0, 20.0, sample_rate=RATE)
    clips = _clips(3)
    p = viz.preview(layer, clips, n=2, variants=2, seed=9, path=None)
    np.testing.assert_array_equal(p.originals, clips[:2])
    for j in range(2):
        want = layer(tf.constant(clips[:2]), training=True, seed=viz.variant_seed(9, j))
        np.testing.assert_array_equal(p.variants[j], want.numpy())
    same = viz.preview(layer, clips, n=2, variants=2, seed=9, path=None)
    other = viz.preview(layer, clips, n=2, variants=2, seed=10, path=None)
    np.testing.assert_array_equal(same.variants[1], p.variants[1])
    assert not np.array_equal(other.variants[0], p.variants[0])
    rendered = p.to_image()
    assert rendered.dtype == np.uint8 and rendered.shape[2] == 3


def test_clips_of_different_lengths_are_padded():
    clips = [np.full(500, 0.1, np.float32), np.full(800, -0.1, np.float32)]
    p = viz.preview(audio.PolarityInversion(sample_rate=RATE), clips, variants=1, path=None)
    assert p.originals.shape == (2, 800)
    np.testing.assert_array_equal(p.originals[0, 500:], 0.0)
    np.testing.assert_allclose(p.variants[0], -p.originals)


def test_spectrogram_layer_previews_spectrograms(in_tmp):
    spec = np.random.RandomState(0).rand(2, 40, 12).astype(np.float32)
    layer = audio.TimeMask(8, sample_rate=16000)
    p = viz.preview(layer, spec, variants=2, path="spec.png")
    assert p.variants[0].shape == (2, 40, 12) and p.sample_rate == 16000
    assert listing(in_tmp) == ["spec.png"]  # no WAVs for spectrograms
    want = layer(tf.constant(spec), training=True, seed=viz.variant_seed(0, 1))
    np.testing.assert_array_equal(p.variants[1], want.numpy())


def test_log_mel_and_audio_figure_alone():
    clips = _clips(1, 1000)
    mel = viz.log_mel(clips, RATE, num_mel_bins=16)
    assert mel.ndim == 3 and mel.shape[0] == 1 and mel.shape[2] == 16
    fig = viz.audio_figure(clips, [clips * 0.5], RATE)
    assert len(fig.axes) == 4  # waveform + log-mel, original + one variant
    with pytest.raises(ValueError, match=r"\[B, T\]"):
        viz.audio_figure(clips[0], [clips], RATE)


def test_notebook_html_has_players():
    p = viz.preview(audio.Gain(sample_rate=RATE), _clips(1, 400), variants=1, path=None)
    html = p._repr_html_()
    assert html.count("<audio") == 2 and "data:image/png;base64," in html
    assert p._repr_png_() is None  # the figure is in the HTML: a notebook keeps one copy
    assert p.to_image().shape[-1] == 3


def test_wrong_inputs_for_audio():
    with pytest.raises(TypeError, match="float samples"):
        viz.preview(audio.Gain(sample_rate=RATE), np.zeros([2, 100], np.int16), path=None)
    with pytest.raises(TypeError, match="float samples"):
        viz.preview(audio.Gain(sample_rate=RATE), ["not audio"], path=None)
    with pytest.raises(ValueError, match=r"\[B, T\]"):
        viz.preview(audio.Gain(sample_rate=RATE), np.zeros([2, 3, 4], np.float32), path=None)
