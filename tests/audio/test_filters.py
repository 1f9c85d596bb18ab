"""Filter layers and ops: Butterworth responses measured with NumPy FFTs."""

import importlib.util
import pathlib

import numpy as np
import pytest
import tensorflow as tf

from tfaug.audio import filters, io
from tfaug.audio.ops import filters as ops

RATE = 16000
LENGTH = 4096
SEED = tf.constant([2, 9], tf.int64)


def response_db(filtered_impulse, freq_hz):
    """Gain (dB) at ``freq_hz`` of a filtered centred impulse (zero-phase: the
    spectrum's magnitude is the response)."""
    spectrum = np.abs(np.fft.rfft(filtered_impulse.astype(np.float64)))
    bins = np.fft.rfftfreq(len(filtered_impulse), 1 / RATE)
    return 20 * np.log10(np.interp(freq_hz, bins, spectrum))


def impulse(batch=1):
    x = np.zeros((batch, LENGTH), np.float32)
    x[:, LENGTH // 2] = 1.0
    return x


def tone_gain_db(fn, freq_hz, length=8000):
    """Amplitude gain (dB) of a tone through ``fn``, fitted on the clip's middle half
    (away from the zero-padded ends)."""
    t = np.arange(length) / RATE
    x = (0.5 * np.sin(2 * np.pi * freq_hz * t))[None].astype(np.float32)
    y = fn(x)[0].astype(np.float64)
    mid = slice(length // 4, 3 * length // 4)
    phase = 2 * np.pi * freq_hz * t[mid]
    basis = np.stack([np.sin(phase), np.cos(phase)], 1)
    coef = np.linalg.lstsq(basis, y[mid], rcond=None)[0]
    return 20 * np.log10(np.hypot(*coef) / 0.5)


@pytest.mark.parametrize("order", [2, 4])
def test_lowpass_response(order):
    out = ops.lowpass(impulse(), RATE, [1000.0], order).numpy()[0]
    assert abs(response_db(out, 1000.0) + 3.01) < 0.1
    assert abs(response_db(out, 100.0)) < 0.05
    # Two octaves above: 10 log10(1 + 4 ** (2 n)) dB down (12.04 n).
    expected = -10 * np.log10(1 + 4.0 ** (2 * order))
    assert abs(response_db(out, 4000.0) - expected) < 0.5


def test_lowpass_tones():
    fn = lambda x: ops.lowpass(x, RATE, [1000.0], 4).numpy()  # noqa: E731
    assert abs(tone_gain_db(fn, 250.0)) < 0.05  # far in the passband
    assert abs(tone_gain_db(fn, 1000.0) + 3.01) < 0.1
    assert abs(tone_gain_db(fn, 4000.0) + 48.16) < 1.0  # two octaves into the stopband


def test_highpass_response_and_tones():
    out = ops.highpass(impulse(), RATE, [1000.0], 4).numpy()[0]
    assert abs(response_db(out, 1000.0) + 3.01) < 0.1
    assert abs(response_db(out, 6000.0)) < 0.05
    fn = lambda x: ops.highpass(x, RATE, [1000.0], 4).numpy()  # noqa: E731
    assert abs(tone_gain_db(fn, 4000.0)) < 0.05
    assert abs(tone_gain_db(fn, 250.0) + 48.16) < 1.0
    assert abs(np.mean(fn(np.full((1, 2000), 0.3, np.float32))[0, 500:1500])) < 1e-3  # no DC


def test_bandpass_response():
    low, high = [v.numpy()[0] for v in ops.band_edges([1000.0], [1.0])]
    assert (low, high) == (500.0, 1500.0)
    out = ops.bandpass(impulse(), RATE, [1000.0], [1.0], 4).numpy()[0]
    assert abs(response_db(out, 500.0) + 3.01) < 0.1
    assert abs(response_db(out, 1500.0) + 3.01) < 0.1
    assert abs(response_db(out, np.sqrt(500 * 1500))) < 0.05
    fn = lambda x: ops.bandpass(x, RATE, [1000.0], [1.0], 4).numpy()  # noqa: E731
    assert tone_gain_db(fn, 6000.0) < -40 and tone_gain_db(fn, 100.0) < -40


def test_per_clip_cutoffs_from_the_layer_params():
    layer = filters.LowPass(300, 3000, sample_rate=RATE, seed=0)
    out = layer(impulse(5), training=True, seed=SEED).numpy()
    cutoffs = layer.sample(5, SEED)["cutoff_hz"].numpy()
    assert np.all((cutoffs >= 300) & (cutoffs <= 3000)) and np.ptp(cutoffs) > 100
    for row, cutoff in zip(out, cutoffs):
        assert abs(response_db(row, cutoff) + 3.01) < 0.1


@pytest.mark.parametrize("layer, passes, stops", [
    (filters.LowPass(1000, 1000, sample_rate=RATE), 250.0, 4000.0),
    (filters.HighPass(1000, 1000, sample_rate=RATE), 4000.0, 250.0),
    (filters.BandPass(1000, 1000, min_bandwidth_fraction=0.5, max_bandwidth_fraction=0.5,
                      sample_rate=RATE), 1000.0, 4000.0),
])
def test_layers_pass_and_stop_tones(layer, passes, stops):
    fn = lambda x: layer(x, training=True, seed=SEED).numpy()  # noqa: E731
    assert abs(tone_gain_db(fn, passes)) < 0.1
    assert tone_gain_db(fn, stops) < -40


def test_lowpass_on_a_real_clip():
    folder = pathlib.Path(importlib.util.find_spec("pygame").origin).parent / "examples/data"
    audio, rate = io.read_wav(folder / "punch.wav")
    layer = filters.LowPass(500, 500, sample_rate=rate)
    out = layer(audio, training=True, seed=SEED).numpy()
    bins = np.fft.rfftfreq(len(audio), 1 / rate)

    def high_energy(x):
        return np.sum(np.abs(np.fft.rfft(x))[bins > 2000] ** 2)

    assert high_energy(out) < 1e-4 * high_energy(audio.numpy())


def test_fft_convolve_matches_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 300)).astype(np.float32)
    k = rng.normal(size=(3, 40)).astype(np.float32)
    out = ops.fft_convolve(x, k).numpy()
    for row, kern, y in zip(x, k, out):
        np.testing.assert_allclose(y, np.convolve(row, kern)[:300], atol=1e-4)


def test_filters_compile_with_xla():
    fn = tf.function(lambda x: ops.bandpass(x, RATE, [800.0, 1200.0], [0.5, 1.0]),
                     jit_compile=True)
    x = impulse(2)
    np.testing.assert_allclose(fn(x).numpy(), ops.bandpass(x, RATE, [800.0, 1200.0],
                                                           [0.5, 1.0]).numpy(), atol=1e-5)


@pytest.mark.parametrize("make, fragments", [
    (lambda: filters.LowPass(100, 5000, sample_rate=8000), ["`max_cutoff_hz`", "4000", "5000"]),
    (lambda: filters.HighPass(0, 1000), ["`min_cutoff_hz` must be > 0"]),
    (lambda: filters.LowPass(2000, 1000), ["`min_cutoff_hz` must be <= `max_cutoff_hz`"]),
    (lambda: filters.LowPass(order=0), ["`order` must be an integer in [1, 16]"]),
    (lambda: filters.BandPass(200, 3000, min_bandwidth_fraction=0.5,
                              max_bandwidth_fraction=1.5, sample_rate=8000),
     ["Nyquist", "5250", "4000"]),
    (lambda: filters.BandPass(200, 1000, min_bandwidth_fraction=0.5, max_bandwidth_fraction=2.5),
     ["`max_bandwidth_fraction` must be in (0, 2)"]),
])
def test_bad_arguments(make, fragments):
    with pytest.raises(ValueError) as info:
        make()
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)
