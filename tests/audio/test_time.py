"""Time stretch, pitch shift and speed layers/ops: measured pitch and duration."""

import json

import numpy as np
import pytest
import tensorflow as tf

from tfaug.audio import time as audio_time
from tfaug.audio.ops import vocoder as vc

SR = 16000


def tone(freq, seconds, rate=SR, amp=0.5):
    t = np.arange(int(round(rate * seconds))) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def burst(freq=440.0, start=0.1, length=0.25, total=0.5, rate=SR):
    """A tone burst of ``length`` s at ``start`` s inside a ``total`` s buffer."""
    x = np.zeros(int(total * rate), np.float32)
    a, n = int(start * rate), int(length * rate)
    x[a:a + n] = tone(freq, length, rate)
    return x


def peak_hz(x, rate=SR):
    x = np.asarray(x, np.float64)
    n = 16 * len(x)
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x)), n))
    return float(np.fft.rfftfreq(n, 1 / rate)[np.argmax(spec)])


def duration(x, rate=SR):
    """Seconds during which the energy envelope (10 ms) is above half its
    typical (median) level while sounding: robust to an onset transient."""
    env = np.convolve(np.square(x), np.ones(rate // 100) / (rate // 100), "same")
    level = np.median(env[env > 0.01 * env.max()])
    on = np.flatnonzero(env > 0.5 * level)
    return (on[-1] - on[0]) / rate, on[0], on[-1]


def test_pitch_shift_octave_up_same_duration():
    x = tone(440, 0.5)
    y = vc.pitch_shift(x, 12.0).numpy()
    assert y.shape == x.shape
    assert abs(peak_hz(y[1000:-1000]) / 880 - 1) < 0.01
    # Unchanged duration: a burst keeps its length and place.
    b = burst()
    yb = vc.pitch_shift(b, 12.0).numpy()
    d_in, start_in, _ = duration(b)
    d_out, start_out, _ = duration(yb)
    # The vocoder smears on- and offsets by about half a frame (16 ms).
    assert abs(d_out - d_in) < 0.03 and abs(start_out - start_in) < 0.02 * SR
    assert abs(peak_hz(yb[start_out:start_out + 3000]) / 880 - 1) < 0.01


@pytest.mark.parametrize("semitones", [-7.0, -1.5, 3.0])
def test_pitch_shift_fractions(semitones):
    y = vc.pitch_shift(tone(440, 0.4), semitones).numpy()
    assert abs(peak_hz(y[800:-800]) / (440 * 2 ** (semitones / 12)) - 1) < 0.01


def test_time_stretch_2x_half_as_long_same_pitch():
    b = burst(length=0.25, total=0.5)
    y = vc.time_stretch(b, 2.0).numpy()
    assert y.shape == b.shape
    d, start, end = duration(y)
    assert abs(d - 0.125) < 0.01, d
    assert abs(peak_hz(y[start:end]) / 440 - 1) < 0.01
    assert np.all(y[int(0.3 * SR):] == 0)  # the rest is zero padding


def test_time_stretch_slower_is_cropped_and_per_clip():
    b = burst(start=0.05, length=0.2, total=0.6)
    y = vc.time_stretch(np.stack([b, b]), [0.5, 1.0]).numpy()
    # On- and offsets smear by about a frame (32 ms) at rate 0.5.
    assert abs(duration(y[0])[0] - 0.4) < 0.045
    assert abs(duration(y[1])[0] - 0.2) < 0.015
    np.testing.assert_allclose(y[1, 2000:-2000], b[2000:-2000], atol=2e-3)  # rate 1 ~ identity
    b = burst(start=0.1, length=0.2, total=0.4)  # 0.2 + 0.4 s > 0.4 s: cut at the end
    y = vc.time_stretch(b, 0.5).numpy()
    assert y.shape == b.shape
    d, start, end = duration(y)
    assert abs(start / SR - 0.2) < 0.03 and end == len(b) - 1


def test_time_stretch_matches_librosa():
    librosa = pytest.importorskip("librosa")  # bench extra, not a test dependency
    rng = np.random.default_rng(0)
    x = (tone(440, 0.3) + tone(1250, 0.3, amp=0.2)
         + 0.01 * rng.normal(size=int(0.3 * SR))).astype(np.float32)
    ref = librosa.effects.time_stretch(x, rate=0.8, n_fft=512, hop_length=128)
    ours = vc.time_stretch(x, 0.8, 512, 128, output_length=len(ref)).numpy()
    inner = slice(512, -512)
    assert np.sqrt(np.mean((ours - ref)[inner] ** 2)) < 0.02 * np.sqrt(np.mean(ref ** 2))


def test_speed_perturb_layer_kaldi_factors():
    layer = audio_time.SpeedPerturb(factors=[1.1], sample_rate=SR, seed=0)
    b = burst(length=0.25, total=0.5)
    y = layer(b[None], training=True).numpy()[0]
    d, start, end = duration(y)
    assert abs(d - 0.25 / 1.1) < 0.01
    assert abs(peak_hz(y[start:end]) / (440 * 1.1) - 1) < 0.01


def test_layers_draw_per_clip_and_keep_shape():
    x = np.stack([tone(440, 0.25)] * 8)
    for layer in (audio_time.SpeedPerturb(factor_range=(0.8, 1.2), seed=1),
                  audio_time.TimeStretch(0.5, 2.0, seed=2),
                  audio_time.PitchShift(-6, 6, seed=3)):
        y = layer(x, training=True).numpy()
        assert y.shape == x.shape and np.all(np.isfinite(y))
        assert len({round(float(np.sum(r ** 2)), 3) for r in y}) > 2  # clips differ


def test_pitch_shift_layer_draws_in_range():
    layer = audio_time.PitchShift(4, 4, sample_rate=SR, seed=0)
    y = layer(tone(440, 0.25), training=True).numpy()
    assert abs(peak_hz(y[500:-500]) / (440 * 2 ** (4 / 12)) - 1) < 0.01


def test_default_n_fft_follows_sample_rate():
    assert vc.default_n_fft(16000) == 512
    assert vc.default_n_fft(8000) == 256
    assert audio_time.TimeStretch(sample_rate=44100)._stft == (1024, 256)


def test_config_round_trip():
    for layer in (audio_time.SpeedPerturb(factor_range=(0.9, 1.1), seed=1),
                  audio_time.SpeedPerturb(seed=1),
                  audio_time.TimeStretch(0.9, 1.1, n_fft=256, hop_length=64, seed=1),
                  audio_time.PitchShift(-2, 3, sample_rate=8000, seed=1)):
        config = json.loads(json.dumps(layer.get_config()))
        assert type(layer).from_config(config).get_config() == config


@pytest.mark.parametrize("make,match", [
    (lambda: audio_time.SpeedPerturb(factors=[0.9, 0.0]), "factors"),
    (lambda: audio_time.SpeedPerturb(factors=[]), "factors"),
    (lambda: audio_time.SpeedPerturb(factors=[1.0], factor_range=(0.9, 1.1)), "not both"),
    (lambda: audio_time.SpeedPerturb(factor_range=(1.1, 0.9)), "factor_range"),
    (lambda: audio_time.SpeedPerturb(factor_range=(0.0, 1.1)), "factor_range"),
    (lambda: audio_time.TimeStretch(0.0, 1.2), "min_rate"),
    (lambda: audio_time.TimeStretch(1.2, 0.8), "min_rate"),
    (lambda: audio_time.TimeStretch(n_fft=500, hop_length=128), "hop_length"),
    (lambda: audio_time.TimeStretch(n_fft=8), "n_fft"),
    (lambda: audio_time.PitchShift(3, -3), "min_semitones"),
    (lambda: audio_time.PitchShift(-30, 3), "min_semitones"),
    (lambda: audio_time.PitchShift(sample_rate=0), "sample_rate"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_inputs():
    with pytest.raises(ValueError, match="rates"):
        vc.time_stretch(np.zeros([2, 100], np.float32), [1.0, -1.0])
    with pytest.raises(ValueError, match="rank"):
        vc.time_stretch(np.zeros([1, 2, 100], np.float32), 1.0)
    with pytest.raises(ValueError, match="zero-length"):
        vc.pitch_shift(np.zeros([2, 0], np.float32), 1.0)
    with pytest.raises(ValueError, match="rank"):
        audio_time.PitchShift(seed=0)(np.zeros([1, 2, 100], np.float32), training=True)
    with pytest.raises(ValueError, match="zero-length"):
        audio_time.TimeStretch(seed=0)(np.zeros([2, 0], np.float32), training=True)
    with pytest.raises(tf.errors.InvalidArgumentError, match="rates"):
        fn = tf.function(lambda x, r: vc.time_stretch(x, r))
        fn(tf.zeros([2, 100]), tf.constant([1.0, 0.0]))


def test_short_clip_and_graph_modes():
    x = np.stack([tone(300, 0.01), tone(500, 0.01)])  # shorter than one frame
    for fn in (lambda v: vc.time_stretch(v, [1.3, 0.7]), lambda v: vc.pitch_shift(v, 2.0)):
        eager = fn(x).numpy()
        assert eager.shape == x.shape and np.all(np.isfinite(eager))
        dyn = tf.function(fn, input_signature=[tf.TensorSpec([None, None], tf.float32)])(x)
        np.testing.assert_allclose(dyn, eager, atol=1e-4)
