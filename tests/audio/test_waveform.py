"""Waveform layers and ops: physical properties measured with NumPy."""

import numpy as np
import pytest
import tensorflow as tf

from tfaug.audio import waveform
from tfaug.audio.ops import waveform as ops

RATE = 8000
SEED = tf.constant([3, 5], tf.int64)


def tones(batch=4, length=1600, rate=RATE, amp=0.5):
    t = np.arange(length) / rate
    freqs = 220.0 * (1 + np.arange(batch))
    rng = np.random.default_rng(0)
    x = amp * np.sin(2 * np.pi * freqs[:, None] * t) + 0.01 * rng.normal(size=(batch, length))
    return x.astype(np.float32)


def params_of(layer, batch, seed=SEED):
    """The parameters the layer draws for a call with ``seed``."""
    return {k: v.numpy() for k, v in layer.sample(batch, seed).items()}


def rms(x):
    return np.sqrt(np.mean(np.square(x.astype(np.float64)), axis=-1))


def db(ratio):
    return 10 * np.log10(ratio)


# --------------------------------------------------------------------- Gain
def test_gain_is_exact_in_db():
    x = tones()
    layer = waveform.Gain(-12, 12, sample_rate=RATE, seed=0)
    out = layer(x, training=True, seed=SEED).numpy()
    drawn = params_of(layer, 4)["gain_db"]
    measured = 20 * np.log10(rms(out) / rms(x))
    np.testing.assert_allclose(measured, drawn, atol=1e-4)
    assert np.all((drawn >= -12) & (drawn <= 12)) and np.ptp(drawn) > 1.0


def test_gain_op_fixed_values():
    x = tones(2)
    out = ops.gain_db(x, [6.0, -20.0]).numpy()
    np.testing.assert_allclose(out[0], x[0] * 10 ** (6 / 20), rtol=1e-6)
    np.testing.assert_allclose(out[1], x[1] * 0.1, rtol=1e-6)


# ------------------------------------------------------- PolarityInversion
def test_polarity_inversion_flips_sign_exactly():
    x = tones()
    out = waveform.PolarityInversion(sample_rate=RATE)(x, training=True, seed=SEED).numpy()
    np.testing.assert_array_equal(out, -x)


def test_polarity_inversion_probability_decides_per_clip():
    x = tones(16, 200)
    layer = waveform.PolarityInversion(sample_rate=RATE, probability=0.5, seed=1)
    out = layer(x, training=True, seed=SEED).numpy()
    flipped = np.all(out == -x, axis=1)
    kept = np.all(out == x, axis=1)
    assert np.all(flipped | kept) and flipped.any() and kept.any()


# ---------------------------------------------------------------- TimeShift
@pytest.mark.parametrize("rollover", [True, False])
def test_time_shift_is_an_exact_roll_or_zero_fill(rollover):
    x = tones(6, 400)
    layer = waveform.TimeShift(0.5, rollover=rollover, sample_rate=RATE, seed=0)
    out = layer(x, training=True, seed=SEED).numpy()
    shifts = np.round(params_of(layer, 6)["fraction"] * 400).astype(int)
    assert np.abs(shifts).max() <= 200 and len(set(shifts)) > 1
    for row, s, y in zip(x, shifts, out):
        expected = np.roll(row, s)
        if not rollover:
            if s > 0:
                expected[:s] = 0
            elif s < 0:
                expected[s:] = 0
        np.testing.assert_array_equal(y, expected)


def test_shift_op_edges():
    x = np.arange(1, 6, dtype=np.float32)[None].repeat(3, 0)
    out = ops.shift(x, [0, 5, -2], rollover=False).numpy()
    np.testing.assert_array_equal(out, [[1, 2, 3, 4, 5], [0, 0, 0, 0, 0], [3, 4, 5, 0, 0]])
    np.testing.assert_array_equal(ops.shift(x, [7, -1, 2]).numpy(),
                                  [np.roll(x[0], 7), np.roll(x[0], -1), np.roll(x[0], 2)])


# --------------------------------------------------------- GaussianNoiseSNR
def test_gaussian_noise_snr_hits_10_db():
    x = tones(8)
    layer = waveform.GaussianNoiseSNR(10, 10, sample_rate=RATE, seed=0)
    out = layer(x, training=True, seed=SEED).numpy()
    added = out - x
    snr = db(np.mean(x.astype(np.float64) ** 2, 1) / np.mean(added.astype(np.float64) ** 2, 1))
    np.testing.assert_allclose(snr, 10.0, atol=0.5)
    np.testing.assert_allclose(snr, 10.0, atol=0.01)  # scaled to the exact power
    # White: the noise has no tone in it and differs from clip to clip.
    spectrum = np.abs(np.fft.rfft(added, axis=1)) ** 2
    assert spectrum.max(1).mean() < 30 * spectrum.mean()
    assert abs(np.corrcoef(added[0], added[1])[0, 1]) < 0.1


def test_gaussian_noise_snr_draws_in_range_and_silent_clip_unchanged():
    x = tones(6)
    x[2] = 0.0
    layer = waveform.GaussianNoiseSNR(5, 40, sample_rate=RATE, seed=0)
    out = layer(x, training=True, seed=SEED).numpy()
    assert np.all(np.isfinite(out))
    np.testing.assert_array_equal(out[2], 0.0)
    drawn = params_of(layer, 6)["snr_db"]
    keep = np.arange(6) != 2
    snr = db(np.mean(x[keep] ** 2.0, 1) / np.mean((out - x)[keep] ** 2.0, 1))
    np.testing.assert_allclose(snr, drawn[keep], atol=0.01)


def test_mix_at_snr_silent_noise_adds_nothing():
    x = tones(2)
    out = ops.mix_at_snr(x, np.zeros_like(x), [0.0, 10.0]).numpy()
    np.testing.assert_array_equal(out, x)


# ------------------------------------------------ random ops (seed first)
def _per_clip_db(out, x):
    return 20 * np.log10(rms(out) / rms(x))


def test_random_gain_db_op_draws_per_clip_in_range_and_is_stateless():
    x = tones(8)
    out = ops.random_gain_db(SEED, x, -6.0, 6.0).numpy()
    gains = _per_clip_db(out, x)
    assert np.all((gains >= -6 - 1e-4) & (gains < 6 + 1e-4)) and np.ptp(gains) > 1.0
    # Each clip is only scaled (exact gain, no other change).
    np.testing.assert_allclose(out, x * (10 ** (gains / 20))[:, None], rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(ops.random_gain_db(SEED, x, -6.0, 6.0).numpy(), out)
    other = ops.random_gain_db(tf.constant([4, 5], tf.int64), x, -6.0, 6.0).numpy()
    assert not np.allclose(other, out)
    fixed = ops.random_gain_db(SEED, x, 3.0, 3.0).numpy()
    np.testing.assert_allclose(_per_clip_db(fixed, x), 3.0, atol=1e-4)


@pytest.mark.parametrize("rollover", [True, False])
def test_random_shift_op_is_a_whole_sample_shift_within_bound(rollover):
    x = np.arange(1, 101, dtype=np.float32)[None].repeat(6, 0) * np.arange(1, 7)[:, None]
    out = ops.random_shift(SEED, x, 0.2, rollover=rollover).numpy()
    found = []
    for row, y in zip(x, out):
        matches = [s for s in range(-20, 21)
                   if np.array_equal(y, ops.shift(row[None], [s], rollover).numpy()[0])]
        assert matches, "each clip is a shift of at most 0.2 * T samples"
        found.append(matches[0])
    assert len(set(found)) > 1  # drawn per clip
    np.testing.assert_array_equal(ops.random_shift(SEED, x, 0.2, rollover).numpy(), out)
    np.testing.assert_array_equal(ops.random_shift(SEED, x, 0.0, rollover).numpy(), x)


def test_random_gaussian_noise_snr_op_hits_a_drawn_snr_per_clip():
    x = tones(8)
    out = ops.random_gaussian_noise_snr(SEED, x, 5.0, 30.0).numpy()
    added = (out - x).astype(np.float64)
    snr = db(np.mean(x.astype(np.float64) ** 2, 1) / np.mean(added ** 2, 1))
    assert np.all((snr > 5 - 0.01) & (snr < 30 + 0.01)) and np.ptp(snr) > 1.0
    np.testing.assert_array_equal(ops.random_gaussian_noise_snr(SEED, x, 5.0, 30.0).numpy(),
                                  out)
    fixed = ops.random_gaussian_noise_snr(SEED, x, 12.0, 12.0).numpy() - x
    snr = db(np.mean(x.astype(np.float64) ** 2, 1) / np.mean(fixed.astype(np.float64) ** 2, 1))
    np.testing.assert_allclose(snr, 12.0, atol=0.01)


# --------------------------------------------------------- Clip / percentile
def test_percentile_matches_numpy():
    x = np.random.default_rng(3).normal(size=(6, 333)).astype(np.float32)
    x[1] = np.round(x[1] * 2) / 2  # many repeated values
    x[2, :150] = -0.0
    x[5] = 0.25  # constant
    q = np.array([0.0, 12.5, 50.0, 97.3, 100.0, 40.0], np.float32)
    np.testing.assert_allclose(ops.percentile(x, q).numpy(),
                               [np.percentile(r, p) for r, p in zip(x, q)], rtol=1e-5, atol=1e-6)


def test_clip_flattens_the_drawn_percentage():
    x = tones(6)
    layer = waveform.Clip(10, 40, sample_rate=RATE, seed=0)
    out = layer(x, training=True, seed=SEED).numpy()
    percent = params_of(layer, 6)["percent"]
    for row, p, y in zip(x, percent, out):
        lo, hi = np.percentile(row, p / 2), np.percentile(row, 100 - p / 2)
        np.testing.assert_allclose(y, np.clip(row, lo, hi), atol=1e-6)
        flat = np.mean((y <= lo + 1e-7) | (y >= hi - 1e-7)) * 100
        assert abs(flat - p) < 1.0, (flat, p)


def test_clip_op_threshold():
    np.testing.assert_allclose(ops.clip([[-0.9, 0.2, 0.7]], [0.5]).numpy(), [[-0.5, 0.2, 0.5]],
                               rtol=1e-7)


# ----------------------------------------------------------- TanhDistortion
def _tanh_reference(x, d):
    threshold = np.percentile(np.abs(x), 100 - 99 * d)
    y = np.tanh(x * 0.5 / (threshold + 1e-6))
    return y * rms(x) / rms(y)


def test_tanh_distortion_keeps_rms_and_matches_reference():
    x = tones(4)
    layer = waveform.TanhDistortion(0.2, 0.9, sample_rate=RATE, seed=0)
    out = layer(x, training=True, seed=SEED).numpy()
    np.testing.assert_allclose(rms(out), rms(x), rtol=1e-5)
    for row, d, y in zip(x, params_of(layer, 4)["distortion"], out):
        np.testing.assert_allclose(y, _tanh_reference(row, d), atol=2e-5)


def test_tanh_distortion_adds_odd_harmonics():
    length = 8000
    t = np.arange(length) / RATE
    x = (0.5 * np.sin(2 * np.pi * 200 * t))[None].astype(np.float32)
    harmonic = []
    for d in (0.05, 0.9):
        y = ops.tanh_distortion(x, [d]).numpy()[0]
        spectrum = np.abs(np.fft.rfft(y))
        harmonic.append(spectrum[600] / spectrum[200])  # 3rd harmonic over fundamental
    assert harmonic[1] > 5 * harmonic[0] and harmonic[1] > 0.1


def test_tanh_distortion_silent_clip():
    out = ops.tanh_distortion(np.zeros((1, 100), np.float32), [0.5]).numpy()
    np.testing.assert_array_equal(out, 0.0)


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize("make, fragment", [
    (lambda: waveform.Gain(6, -6), "`min_db` must be <= `max_db`"),
    (lambda: waveform.Gain("loud", 6), "`min_db` must be a number"),
    (lambda: waveform.TimeShift(1.5), "`max_fraction` must be in [0.0, 1.0]"),
    (lambda: waveform.TimeShift(rollover="yes"), "`rollover` must be True or False"),
    (lambda: waveform.GaussianNoiseSNR(30, 10), "`min_snr_db` must be <= `max_snr_db`"),
    (lambda: waveform.Clip(0, 120), "`max_percentile` must be in [0.0, 100.0]"),
    (lambda: waveform.TanhDistortion(-0.1, 0.5), "`min_distortion` must be in [0.0, 1.0]"),
    (lambda: waveform.Gain(sample_rate=0), "`sample_rate` must be a finite positive number"),
    (lambda: waveform.Gain(sample_rate=float("inf")),
     "`sample_rate` must be a finite positive number of samples per second (Hz), got inf."),
    (lambda: waveform.Gain(probability=2), "`probability` must be in"),
])
def test_bad_arguments(make, fragment):
    with pytest.raises(ValueError) as info:
        make()
    assert fragment in str(info.value), str(info.value)


def test_bad_inputs():
    layer = waveform.Gain(sample_rate=RATE, seed=0)
    with pytest.raises(ValueError, match="integer PCM needs a scale"):
        layer(np.zeros((2, 100), np.int16), training=True)
    with pytest.raises(ValueError, match=r"must have shape \[B, T\]"):
        layer(np.zeros((2, 100, 1), np.float32), training=True)
    with pytest.raises(tf.errors.InvalidArgumentError, match="NaN or Inf"):
        tf.function(lambda a: layer(a, training=True))(np.full((2, 100), np.nan, np.float32))


def test_one_clip_and_float64_keep_shape_and_dtype():
    x = tones(1)[0].astype(np.float64)
    out = waveform.Gain(6, 6, sample_rate=RATE, seed=0)(x, training=True)
    assert out.shape == x.shape and out.dtype == tf.float64
    np.testing.assert_allclose(out.numpy(), x * 10 ** (6 / 20), rtol=1e-6)
