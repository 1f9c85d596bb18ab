"""Spectral ops, SpecAugment layers and the Spectrogram / MelSpectrogram layers.

Properties are measured against numpy/scipy references; librosa (not a test
dependency) is compared only when it is installed.
"""

import importlib.util
import json
import pathlib

import keras
import numpy as np
import pytest
import scipy.io.wavfile
import scipy.signal
import tensorflow as tf

from tfaug.audio import spectrogram as spec_layers
from tfaug.audio.ops import specaugment as sa
from tfaug.audio.ops import spectral as sp

SR = 8000
RNG = np.random.default_rng(0)


def _tone(freq, length=2000, sr=SR, amp=0.5):
    return (amp * np.sin(2 * np.pi * freq * np.arange(length) / sr)).astype(np.float32)


def _np_stft(x, n_fft, hop, win, window="hann", center=True, pad_mode="constant"):
    """numpy reference: librosa's framing (centred window, centre padding)."""
    w = scipy.signal.get_window(window, win, fftbins=True)
    left = (n_fft - win) // 2
    w = np.pad(w, (left, n_fft - win - left))
    if center:
        x = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(n_fft // 2, n_fft // 2)], mode=pad_mode)
    n = 1 + (x.shape[-1] - n_fft) // hop
    idx = np.arange(n)[:, None] * hop + np.arange(n_fft)[None, :]
    return np.fft.rfft(x[..., idx] * w, axis=-1)


def _slaney_mel(f):
    f = np.asarray(f, np.float64)
    return np.where(f >= 1000, 15 + np.log(np.maximum(f, 1e-10) / 1000) / (np.log(6.4) / 27),
                    f * 3 / 200)


def _slaney_hz(m):
    return np.where(m >= 15, 1000 * np.exp((np.log(6.4) / 27) * (m - 15)), m * 200 / 3)


def _pygame_clip():
    spec = importlib.util.find_spec("pygame")
    if spec is None:
        pytest.skip("pygame (test dependency, ships WAV files) is not installed")
    path = pathlib.Path(spec.origin).parent / "examples/data/punch.wav"
    rate, pcm = scipy.io.wavfile.read(path)  # 11025 Hz unsigned 8-bit
    return rate, ((pcm.astype(np.float32) - 128.0) / 128.0)[:3000]


# ------------------------------------------------------------------ STFT ops
@pytest.mark.parametrize("kw", [
    dict(n_fft=256, hop=64, win=256),
    dict(n_fft=256, hop=100, win=200, window="hamming"),
    dict(n_fft=128, hop=32, win=128, center=False),
    dict(n_fft=128, hop=32, win=96, pad_mode="reflect", window="blackman"),
])
def test_stft_matches_numpy_reference(kw):
    x = RNG.normal(size=(3, 1000)).astype(np.float32)
    ref = _np_stft(x, kw["n_fft"], kw["hop"], kw["win"], kw.get("window", "hann"),
                   kw.get("center", True), kw.get("pad_mode", "constant"))
    out = sp.stft(x, kw["n_fft"], kw["hop"], kw["win"], kw.get("window", "hann"),
                  kw.get("center", True), kw.get("pad_mode", "constant")).numpy()
    assert out.shape == ref.shape
    np.testing.assert_allclose(out, ref, atol=2e-4 * np.abs(ref).max())
    assert out.shape[1] == sp.num_frames(1000, kw["n_fft"], kw["hop"], kw["win"],
                                         kw.get("center", True))


def test_pure_tone_peaks_in_its_bin():
    n_fft = 256
    freqs = [20 * SR / n_fft, 57 * SR / n_fft, 100 * SR / n_fft]  # bin centres 20, 57, 100
    x = np.stack([_tone(f) for f in freqs])
    s = sp.spectrogram(x, n_fft=n_fft, hop_length=64).numpy()
    assert s.shape == (3, 1 + 2000 // 64, n_fft // 2 + 1)
    interior = s[:, 3:-3]
    np.testing.assert_array_equal(interior.argmax(-1),
                                  np.broadcast_to([[20], [57], [100]], interior.shape[:2]))
    # Power of a Hann-windowed tone at a bin centre: (A * sum(w) / 2) ** 2.
    w_sum = scipy.signal.get_window("hann", n_fft).sum()
    np.testing.assert_allclose(interior.max(-1), (0.5 * w_sum / 2) ** 2, rtol=1e-3)
    mag = sp.spectrogram(x, n_fft=n_fft, hop_length=64, power=1.0).numpy()
    np.testing.assert_allclose(mag ** 2, s, rtol=1e-4, atol=1e-6)


def test_stft_compiles_with_xla_and_keeps_leading_dims():
    x = RNG.normal(size=(2, 3, 500)).astype(np.float32)
    fn = tf.function(lambda v: sp.mel_spectrogram(v, SR, 128, 32, num_mel_bins=20),
                     jit_compile=True)
    out = fn(x).numpy()
    assert out.shape == (2, 3, 1 + 500 // 32, 20)
    np.testing.assert_allclose(out, sp.mel_spectrogram(x, SR, 128, 32, num_mel_bins=20),
                               rtol=1e-4, atol=1e-6)


# -------------------------------------------------------------------- mel
@pytest.mark.parametrize("htk", [False, True])
def test_mel_filterbank_slaney_area_and_centres(htk):
    n_fft, mels, fmin, fmax = 1024, 24, 100.0, 3800.0
    fb = sp.mel_filterbank(mels, n_fft, SR, fmin, fmax, htk=htk).numpy()
    assert fb.shape == (n_fft // 2 + 1, mels) and fb.min() >= 0
    df = SR / n_fft
    # Slaney norm: each triangle has unit area in Hz (filters are many bins wide).
    np.testing.assert_allclose(fb.sum(0) * df, 1.0, rtol=0.05)
    if htk:
        to_mel = lambda f: 2595 * np.log10(1 + f / 700)  # noqa: E731
        to_hz = lambda m: 700 * (10 ** (m / 2595) - 1)  # noqa: E731
    else:
        to_mel, to_hz = _slaney_mel, _slaney_hz
    edges = to_hz(np.linspace(to_mel(fmin), to_mel(fmax), mels + 2))
    # Each filter peaks in the bin nearest its centre, and is 0 outside its edges.
    np.testing.assert_allclose(fb.argmax(0) * df, edges[1:-1], atol=df)
    freqs = np.arange(n_fft // 2 + 1) * df
    outside = (freqs[:, None] <= edges[None, :-2]) | (freqs[:, None] >= edges[None, 2:])
    assert np.all(fb[outside] == 0)
    np.testing.assert_allclose(fb.max(0), 2 / (edges[2:] - edges[:-2]), rtol=0.05)


def test_mel_filterbank_unnormalized_peaks_at_one_and_slaney_scale():
    fb = sp.mel_filterbank(10, 2048, 16000, norm=None).numpy()
    assert np.all(fb.max(0) <= 1 + 1e-6) and np.all(fb.max(0) > 0.9)
    # Slaney scale: 1 kHz is mel 15, linear below, 27 mels per log(6.4) above.
    np.testing.assert_allclose(sp.hz_to_mel([0.0, 500.0, 1000.0, 6400.0]).numpy(),
                               [0.0, 7.5, 15.0, 42.0], atol=1e-9)
    np.testing.assert_allclose(sp.mel_to_hz(sp.hz_to_mel([123.0, 4321.0])).numpy(),
                               [123.0, 4321.0], rtol=1e-12)


def test_mel_spectrogram_is_spectrogram_times_filterbank_and_power_to_db():
    x = RNG.normal(size=(2, 1200)).astype(np.float32)
    mel = sp.mel_spectrogram(x, SR, 256, 80, num_mel_bins=16).numpy()
    ref = np.abs(_np_stft(x, 256, 80, 256)) ** 2 @ sp.mel_filterbank(16, 256, SR).numpy()
    np.testing.assert_allclose(mel, ref, rtol=1e-3, atol=1e-5)
    db = sp.power_to_db(mel, top_db=30.0).numpy()
    raw = 10 * np.log10(np.maximum(mel, 1e-10))
    expect = np.maximum(raw, raw.max(axis=(1, 2), keepdims=True) - 30.0)  # per example
    np.testing.assert_allclose(db, expect, atol=1e-3)
    assert np.all(db.max(axis=(1, 2)) - db.min(axis=(1, 2)) <= 30.0 + 1e-3)
    db_max = sp.power_to_db(mel, ref="max", top_db=None).numpy()
    np.testing.assert_allclose(db_max.max(axis=(1, 2)), 0.0, atol=1e-4)
    np.testing.assert_allclose(sp.amplitude_to_db(np.sqrt(mel), top_db=None).numpy(),
                               sp.power_to_db(mel, amin=1e-10, top_db=None), atol=1e-3)
    np.testing.assert_allclose(sp.log_spectrogram(mel, 1e-3).numpy(), np.log(mel + 1e-3),
                               rtol=1e-5, atol=1e-5)


def test_matches_librosa_when_installed():
    librosa = pytest.importorskip("librosa")
    x = RNG.normal(size=(2, 1500)).astype(np.float32)
    for kw in (dict(n_fft=256, hop_length=64), dict(n_fft=200, hop_length=50, win_length=120),
               dict(n_fft=128, center=False), dict(n_fft=128, pad_mode="reflect")):
        ref = librosa.stft(x, **kw).transpose(0, 2, 1)
        np.testing.assert_allclose(sp.stft(x, **kw).numpy(), ref,
                                   atol=1e-5 * np.abs(ref).max())
    for htk in (False, True):
        ref = librosa.filters.mel(sr=SR, n_fft=512, n_mels=30, fmin=60, fmax=3500, htk=htk)
        np.testing.assert_allclose(sp.mel_filterbank(30, 512, SR, 60, 3500, htk).numpy(),
                                   ref.T, atol=1e-7)
    ref = librosa.feature.melspectrogram(y=x, sr=SR, n_fft=256, hop_length=64, n_mels=20)
    mel = sp.mel_spectrogram(x, SR, 256, 64, num_mel_bins=20).numpy()
    np.testing.assert_allclose(mel, ref.transpose(0, 2, 1), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(sp.power_to_db(mel).numpy(),
                               np.stack([librosa.power_to_db(m) for m in mel]), atol=1e-3)


@pytest.mark.parametrize("call, match", [
    (lambda: sp.stft(np.zeros([2, 100], np.int16)), "int16"),
    (lambda: sp.stft(np.zeros([2, 100], np.float32), n_fft=0), "n_fft"),
    (lambda: sp.stft(np.zeros([2, 100], np.float32), 64, hop_length=0), "hop_length"),
    (lambda: sp.stft(np.zeros([2, 100], np.float32), 64, win_length=65), "win_length"),
    (lambda: sp.stft(np.zeros([2, 100], np.float32), window="kaiser"), "window"),
    (lambda: sp.stft(np.zeros([2, 100], np.float32), pad_mode="edge"), "pad_mode"),
    (lambda: sp.stft(np.zeros([2, 10], np.float32), 64, pad_mode="reflect"), "reflect"),
    (lambda: sp.spectrogram(np.zeros([2, 100], np.float32), power=0), "power"),
    (lambda: sp.mel_filterbank(0), "num_mel_bins"),
    (lambda: sp.mel_filterbank(10, 512, 8000, fmax=5000), "fmax"),
    (lambda: sp.mel_filterbank(10, 512, 8000, fmin=3000, fmax=2000), "fmin"),
    (lambda: sp.mel_filterbank(10, 512, 8000, norm="l2"), "norm"),
    (lambda: sp.power_to_db(np.ones([1, 2, 2]), ref=0), "ref"),
    (lambda: sp.power_to_db(np.ones([1, 2, 2]), top_db=-1), "top_db"),
    (lambda: sa.time_mask(np.ones([2, 3]), [[0], [1]], [[1], [1]]), r"\[B, time, freq\]"),
    (lambda: sa.time_mask(np.ones([1, 3, 3], np.int32), [[0]], [[1]]), "int32"),
    (lambda: sa.random_time_mask([1, 2], np.ones([1, 3, 3]), -1), "max_width"),
    (lambda: sa.random_time_warp([1, 2], np.ones([1, 3, 3]), -2), "max_distance"),
])
def test_op_argument_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------ SpecAugment ops
def test_time_and_frequency_mask_ops_exact_regions():
    x = RNG.normal(size=(2, 12, 6)).astype(np.float32) + 5.0
    out = sa.time_mask(x, [[2, 10], [0, 5]], [[3, 9], [0, 0]], mask_value=-1.0).numpy()
    expect = x.copy()
    expect[0, 2:5] = -1.0
    expect[0, 10:] = -1.0  # clipped to the axis
    np.testing.assert_array_equal(out, expect)  # example 1: width 0 masks nothing
    out = sa.frequency_mask(x, [1, 4], [2, 1], mask_value=[7.0, 8.0]).numpy()
    expect = x.copy()
    expect[0, :, 1:3] = 7.0
    expect[1, :, 4] = 8.0
    np.testing.assert_array_equal(out, expect)


def test_time_warp_op_properties():
    ramp = np.broadcast_to(np.arange(30, dtype=np.float32)[None, :, None], (3, 30, 4))
    x = ramp.copy()
    np.testing.assert_array_equal(sa.time_warp(x, [10, 15, 20], [0, 0, 0]).numpy(), x)
    out = sa.time_warp(x, [10, 15, 20], [4, -6, 3]).numpy()
    np.testing.assert_array_equal(out[:, 0], x[:, 0])
    np.testing.assert_array_equal(out[:, -1], x[:, -1])
    for b, (c, d) in enumerate([(10, 4), (15, -6), (20, 3)]):
        np.testing.assert_allclose(out[b, c + d], x[b, c], atol=1e-5)
    assert np.all(np.diff(out[..., 0], axis=1) >= -1e-6)  # a ramp stays monotone
    assert np.all(np.diff(out[0, :, 0]) > 0) and not np.allclose(out, x)
    noisy = RNG.normal(size=(2, 16, 5))  # float64 in, float64 out
    warped = sa.time_warp(noisy, [5, 8], [2, -3])
    assert warped.dtype == tf.float64
    np.testing.assert_allclose(warped.numpy()[0, 7], noisy[0, 5], atol=1e-12)
    short = RNG.normal(size=(1, 2, 3)).astype(np.float32)  # < 3 frames: unchanged
    np.testing.assert_array_equal(sa.time_warp(short, [1], [1]).numpy(), short)


def test_random_ops_under_xla_match_eager():
    x = RNG.normal(size=(4, 40, 12)).astype(np.float32)

    def fn(v):
        v = sa.random_time_warp([3, 4], v, 6)
        v = sa.random_time_mask([5, 6], v, 8, num_masks=2)
        return sa.random_frequency_mask([7, 8], v, 4, max_fraction=0.3)

    np.testing.assert_allclose(tf.function(fn, jit_compile=True)(x).numpy(), fn(x).numpy(),
                               atol=1e-5)


# ---------------------------------------------------------------- SpecAugment layers
def _specs(batch=6, time=40, freq=20, same=False):
    x = RNG.normal(size=(1 if same else batch, time, freq)).astype(np.float32) + 3.0
    return np.repeat(x, batch, 0) if same else x


@pytest.mark.parametrize("cls, axis", [(spec_layers.TimeMask, 1),
                                       (spec_layers.FrequencyMask, 2)])
def test_mask_layers_mask_exactly_the_drawn_regions(cls, axis):
    layer = cls(max_width=7, num_masks=3, mask_value=-9.0, seed=0)
    x = _specs(batch=8, same=True)
    seed = tf.constant([4, 2], tf.int64)
    out = layer(x, training=True, seed=seed).numpy()
    params = layer.sample(8, seed)  # what the call with this seed drew
    starts, widths = (v.numpy() for v in layer.mask_regions(params, x.shape[axis]))
    assert starts.shape == widths.shape == (8, 3)
    assert widths.min() >= 0 and widths.max() <= 7
    assert np.all(starts >= 0) and np.all(starts + widths <= x.shape[axis])
    expect = x.copy()
    for b in range(8):
        for s, w in zip(starts[b], widths[b]):
            if axis == 1:
                expect[b, s:s + w] = -9.0
            else:
                expect[b, :, s:s + w] = -9.0
    np.testing.assert_array_equal(out, expect)
    # Identical inputs, per-example draws: the masks differ between examples.
    masked = (out == -9.0).any(axis=3 - axis)
    assert len({m.tobytes() for m in masked}) > 1


def test_mask_layer_width_bounds_mean_fill_and_gate():
    x = _specs(batch=16, time=50)
    layer = spec_layers.TimeMask(max_width=30, max_fraction=0.1, num_masks=1, seed=1)
    params = layer.sample(16, tf.constant([1, 1], tf.int64))
    _, widths = layer.mask_regions(params, 50)
    assert widths.numpy().max() <= 5  # floor(0.1 * 50)
    zero = spec_layers.FrequencyMask(max_width=0, seed=1)
    np.testing.assert_array_equal(zero(x, training=True).numpy(), x)
    mean = spec_layers.FrequencyMask(max_width=20, num_masks=2, mask_value="mean", seed=3)
    out = mean(x, training=True, seed=[1, 2]).numpy()
    changed = out != x
    per_example_mean = x.mean(axis=(1, 2))
    for b in range(16):
        np.testing.assert_allclose(out[b][changed[b]], per_example_mean[b], rtol=1e-5)
    off = spec_layers.TimeMask(max_width=10, probability=0.0, seed=2)
    np.testing.assert_array_equal(off(x, training=True).numpy(), x)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)  # not training: identity


def test_time_warp_layer_moves_the_drawn_centre():
    ramp = np.broadcast_to(np.arange(40, dtype=np.float32)[None, :, None], (8, 40, 3)).copy()
    layer = spec_layers.TimeWarp(max_distance=6, seed=0)
    seed = tf.constant([9, 9], tf.int64)
    out = layer(ramp, training=True, seed=seed).numpy()
    centers, distances = (v.numpy() for v in layer.warp_points(layer.sample(8, seed), 40))
    assert np.all(np.abs(distances) <= 6) and len(set(distances.tolist())) > 1
    assert np.all(centers - 6 >= 1) and np.all(centers + 6 <= 38)
    for b in range(8):
        np.testing.assert_allclose(out[b, centers[b] + distances[b]], ramp[b, centers[b]],
                                   atol=1e-4)
    np.testing.assert_array_equal(out[:, [0, -1]], ramp[:, [0, -1]])
    assert np.all(np.diff(out[..., 0], axis=1) >= -1e-5)
    still = spec_layers.TimeWarp(max_distance=0, seed=0)
    np.testing.assert_array_equal(still(ramp, training=True).numpy(), ramp)


@pytest.mark.parametrize("make, match", [
    (lambda: spec_layers.TimeMask(max_width=-1), "max_width"),
    (lambda: spec_layers.TimeMask(max_width=2.5), "max_width"),
    (lambda: spec_layers.TimeMask(num_masks=0), "num_masks"),
    (lambda: spec_layers.FrequencyMask(mask_value="median"), "mask_value"),
    (lambda: spec_layers.FrequencyMask(mask_value=float("nan")), "mask_value"),
    (lambda: spec_layers.FrequencyMask(max_fraction=0.0), "max_fraction"),
    (lambda: spec_layers.TimeWarp(max_distance=-3), "max_distance"),
    (lambda: spec_layers.TimeWarp(sample_rate=0), "sample_rate"),
    (lambda: spec_layers.TimeMask(probability=2.0), "probability"),
])
def test_layer_argument_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_specaugment_input_errors():
    layer = spec_layers.TimeMask(max_width=3, seed=0)
    with pytest.raises(ValueError, match="rank"):
        layer(np.zeros([2, 3, 4, 5], np.float32), training=True)
    with pytest.raises(ValueError, match="int32"):
        layer(np.zeros([2, 3, 4], np.int32), training=True)
    with pytest.raises(ValueError, match="spectrogram"):
        layer({"audio": np.zeros([2, 3, 4], np.float32)}, training=True)
    bad = np.ones([2, 5, 4], np.float32)
    bad[1, 2, 3] = np.nan
    with pytest.raises(tf.errors.InvalidArgumentError, match="NaN"):
        layer(bad, training=True)


# ---------------------------------------------------------- feature layers
def _mel_layer(**kw):
    args = dict(sample_rate=SR, n_fft=256, hop_length=64, num_mel_bins=24, scale="db")
    args.update(kw)
    return spec_layers.MelSpectrogram(**args)


def test_feature_layers_match_references_on_a_real_clip():
    rate, clip = _pygame_clip()
    x = np.stack([clip, clip[::-1]])
    spec = spec_layers.Spectrogram(n_fft=256, hop_length=80, power=1.0)(x).numpy()
    np.testing.assert_allclose(spec, np.abs(_np_stft(x, 256, 80, 256)), rtol=1e-3, atol=1e-4)
    mel = _mel_layer(sample_rate=rate, scale="linear")(x).numpy()
    ref = np.abs(_np_stft(x, 256, 64, 256)) ** 2 @ sp.mel_filterbank(24, 256, rate).numpy()
    np.testing.assert_allclose(mel, ref, rtol=1e-3, atol=1e-5)
    db = _mel_layer(sample_rate=rate, top_db=60.0)(x).numpy()
    raw = 10 * np.log10(np.maximum(ref, 1e-10))
    np.testing.assert_allclose(db, np.maximum(raw, raw.max((1, 2), keepdims=True) - 60),
                               atol=2e-2)
    log = _mel_layer(sample_rate=rate, scale="log", log_offset=1e-4)(x[0]).numpy()
    np.testing.assert_allclose(log, np.log(ref[0] + 1e-4), atol=1e-3)  # unbatched [T]
    mag_db = spec_layers.Spectrogram(n_fft=256, hop_length=80, power=1.0, scale="db",
                                     top_db=None)(x).numpy()
    np.testing.assert_allclose(mag_db, 20 * np.log10(np.maximum(spec, 1e-5)), atol=1e-2)


def test_feature_layers_config_keras_tf_data_xla_saved_model(tmp_path):
    x = np.stack([_tone(440, 1600), _tone(1000, 1600)])
    layer = _mel_layer(fmin=50.0, htk=True)
    config = layer.get_config()
    json.dumps(config)
    clone = spec_layers.MelSpectrogram.from_config(config)
    assert clone.get_config() == config
    ref = layer(x).numpy()
    assert ref.shape == (2, 1 + 1600 // 64, 24)
    np.testing.assert_array_equal(clone(x).numpy(), ref)
    np.testing.assert_array_equal(layer(x, training=True).numpy(), ref)  # always on
    # Inside a .keras model.
    inp = keras.Input((1600,))
    model = keras.Model(inp, layer(inp))
    assert model.output_shape == (None, 1 + 1600 // 64, 24)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded(x).numpy(), ref, atol=1e-4)
    assert any(type(l) is spec_layers.MelSpectrogram for l in loaded.layers)
    # tf.data and XLA.
    ds = tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)
    np.testing.assert_allclose(next(iter(ds)).numpy(), ref, atol=1e-4)
    xla = tf.function(lambda v: layer(v), jit_compile=True)(x)
    np.testing.assert_allclose(xla.numpy(), ref, atol=1e-2)
    # SavedModel, unknown clip length, float64 in.
    module = tf.Module()
    module.layer = layer
    module.f = tf.function(lambda v: layer(v), input_signature=[tf.TensorSpec([None, None])])
    tf.saved_model.save(module, str(tmp_path / "sm"))
    np.testing.assert_allclose(tf.saved_model.load(str(tmp_path / "sm")).f(x).numpy(), ref,
                               atol=1e-4)
    np.testing.assert_allclose(layer(x.astype(np.float64)).numpy(), ref, atol=1e-3)
    spec = spec_layers.Spectrogram(n_fft=128, window="hamming", center=False, ref="max")
    assert spec_layers.Spectrogram.from_config(spec.get_config()).get_config() == \
        spec.get_config()


@pytest.mark.parametrize("make, match", [
    (lambda: spec_layers.Spectrogram(n_fft=0), "n_fft"),
    (lambda: spec_layers.Spectrogram(hop_length=-1), "hop_length"),
    (lambda: spec_layers.Spectrogram(scale="mel"), "scale"),
    (lambda: spec_layers.Spectrogram(power=-2), "power"),
    (lambda: spec_layers.Spectrogram(top_db=-5), "top_db"),
    (lambda: spec_layers.Spectrogram(log_offset=0), "log_offset"),
    (lambda: spec_layers.Spectrogram(ref="min"), "ref"),
    (lambda: spec_layers.MelSpectrogram(sample_rate=-1), "sample_rate"),
    (lambda: spec_layers.MelSpectrogram(sample_rate=8000, fmax=6000), "fmax"),
    (lambda: spec_layers.MelSpectrogram(num_mel_bins=0), "num_mel_bins"),
])
def test_feature_layer_argument_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_feature_layer_input_errors():
    layer = spec_layers.Spectrogram(n_fft=64)
    with pytest.raises(ValueError, match="int16"):
        layer(np.zeros([2, 200], np.int16))
    with pytest.raises(ValueError, match="shape"):
        layer(np.zeros([2, 3, 200], np.float32))
    bad = np.zeros([2, 200], np.float32)
    bad[0, 5] = np.inf
    with pytest.raises(tf.errors.InvalidArgumentError, match="NaN or Inf"):
        layer(bad)
