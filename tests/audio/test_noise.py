"""BackgroundNoise and ApplyImpulseResponse: achieved SNR, bank segments, reverb."""

import importlib.util
import json
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug.audio import io, noise

RATE = 8000
SEED = tf.constant([4, 2], tf.int64)
PYGAME = pathlib.Path(importlib.util.find_spec("pygame").origin).parent / "examples/data"


def tones(batch=4, length=800):
    t = np.arange(length) / RATE
    freqs = 300.0 + 200.0 * np.arange(batch)
    return (0.5 * np.sin(2 * np.pi * freqs[:, None] * t)).astype(np.float32)


def snr_db(clean, out):
    clean = clean.astype(np.float64)
    return 10 * np.log10(np.mean(clean ** 2, 1) / np.mean((out - clean) ** 2, 1))


def expected_segment(bank, lengths, index, fraction, length):
    """NumPy model of the segment: contiguous from the offset, tiled when short."""
    n = lengths[index]
    span = n - length + 1 if n > length else n
    offset = min(int(np.floor(fraction * span)), span - 1)
    return bank[index][:n][(offset + np.arange(length)) % n]


@pytest.mark.parametrize("noise_length", [300, 2000])
def test_background_noise_snr_and_segment_from_bank(noise_length):
    rng = np.random.default_rng(0)
    bank = rng.normal(size=(5, noise_length)).astype(np.float32)
    x = tones(6)
    layer = noise.BackgroundNoise(bank, 0, 20, sample_rate=RATE, seed=1)
    out = layer(x, training=True, seed=SEED).numpy()
    params = {k: v.numpy() for k, v in layer.sample(6, SEED).items()}
    np.testing.assert_allclose(snr_db(x, out), params["snr_db"], atol=0.01)
    assert len(set(params["index"])) > 1
    lengths = np.full(5, noise_length)
    for b in range(6):
        segment = expected_segment(bank, lengths, params["index"][b],
                                   params["offset_fraction"][b], 800)
        added = out[b] - x[b]
        # The added noise is that bank segment, scaled.
        assert np.corrcoef(added, segment)[0, 1] > 0.9999


def test_background_noise_silent_clip_unchanged():
    x = tones(3)
    x[1] = 0.0
    layer = noise.BackgroundNoise(np.ones((2, 100), np.float32), sample_rate=RATE, seed=0)
    out = layer(x, training=True, seed=SEED).numpy()
    np.testing.assert_array_equal(out[1], 0.0)
    assert np.all(np.isfinite(out))


def test_background_noise_from_wav_paths(tmp_path):
    rng = np.random.default_rng(1)
    paths = []
    for i, length in enumerate((500, 1200)):
        paths.append(str(io.write_wav(tmp_path / f"n{i}.wav",
                                      0.3 * rng.uniform(-1, 1, length), RATE)))
    layer = noise.BackgroundNoise(paths, 10, 10, sample_rate=RATE, seed=0)
    assert layer.get_config()["noises"] == paths
    np.testing.assert_array_equal(layer.bank_lengths().numpy(), [500, 1200])
    x = tones(6)
    out = layer(x, training=True, seed=SEED).numpy()
    np.testing.assert_allclose(snr_db(x, out), 10.0, atol=0.01)
    params = {k: v.numpy() for k, v in layer.sample(6, SEED).items()}
    bank = layer.bank().numpy()
    for b in range(6):
        segment = expected_segment(bank, [500, 1200], params["index"][b],
                                   params["offset_fraction"][b], 800)
        assert np.corrcoef(out[b] - x[b], segment)[0, 1] > 0.9999
    # A path bank survives a .keras round trip (weights hold the decoded bank).
    inp = keras.Input((800,))
    model = keras.Model(inp, layer(inp))
    model.save(tmp_path / "m.keras")
    inner = keras.models.load_model(tmp_path / "m.keras").layers[-1]
    np.testing.assert_array_equal(inner(x, training=True, seed=SEED).numpy(), out)


def test_background_noise_real_pygame_clips():
    paths = [PYGAME / "whiff.wav", PYGAME / "car_door.wav"]
    layer = noise.BackgroundNoise(paths, 5, 5, sample_rate=11025, seed=0)
    x = tones(3, 2000)
    out = layer(x, training=True, seed=SEED).numpy()
    np.testing.assert_allclose(snr_db(x, out), 5.0, atol=0.01)


def test_bank_sample_rate_mismatch_names_both_rates():
    with pytest.raises(ValueError) as info:
        noise.BackgroundNoise([PYGAME / "whiff.wav"], sample_rate=16000)
    assert "11025" in str(info.value) and "16000" in str(info.value)


def test_array_bank_config_is_small_and_rebuilds():
    bank = np.random.default_rng(2).normal(size=(3, 400)).astype(np.float32)
    layer = noise.BackgroundNoise(bank, sample_rate=RATE, seed=0)
    config = layer.get_config()
    assert config["noises"] == {"shape": [3, 400]}
    clone = tfaug.deserialize(json.loads(json.dumps(tfaug.serialize(layer))))
    np.testing.assert_array_equal(clone.bank().numpy(), 0.0)
    clone.set_weights(layer.get_weights())
    x = tones()
    np.testing.assert_array_equal(clone(x, training=True, seed=SEED).numpy(),
                                  layer(x, training=True, seed=SEED).numpy())


# ------------------------------------------------------- ApplyImpulseResponse
@pytest.mark.parametrize("keep_level", [True, False])
def test_delta_impulse_response_is_identity(keep_level):
    ir = np.zeros((1, 32), np.float32)
    ir[0, 0] = 1.0
    x = tones()
    out = noise.ApplyImpulseResponse(ir, keep_level=keep_level, sample_rate=RATE, seed=0)(
        x, training=True, seed=SEED).numpy()
    np.testing.assert_allclose(out, x, atol=1e-5)


def test_impulse_response_matches_numpy_convolve():
    rng = np.random.default_rng(3)
    irs = (rng.normal(size=(3, 100)) * np.exp(-np.arange(100) / 20)).astype(np.float32)
    x = tones(5)
    layer = noise.ApplyImpulseResponse(irs, keep_level=False, sample_rate=RATE, seed=0)
    out = layer(x, training=True, seed=SEED).numpy()
    index = layer.sample(5, SEED)["index"].numpy()
    assert len(set(index)) > 1
    for row, i, y in zip(x, index, out):
        np.testing.assert_allclose(y, np.convolve(row, irs[i])[:800], atol=1e-4)
    kept = noise.ApplyImpulseResponse(irs, sample_rate=RATE, seed=0)(
        x, training=True, seed=SEED).numpy()
    np.testing.assert_allclose(np.sqrt(np.mean(kept ** 2, 1)), np.sqrt(np.mean(x ** 2, 1)),
                               rtol=1e-4)


def test_impulse_response_delay_and_tail_cut():
    ir = np.zeros(50, np.float32)
    ir[10] = 0.5
    x = tones(2)
    out = noise.ApplyImpulseResponse(ir, keep_level=False, sample_rate=RATE)(
        x, training=True, seed=SEED).numpy()
    np.testing.assert_allclose(out[:, 10:], 0.5 * x[:, :-10], atol=1e-5)
    np.testing.assert_allclose(out[:, :10], 0.0, atol=1e-5)


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize("make, fragment", [
    (lambda: noise.BackgroundNoise([]), "`noises` must be a non-empty float array"),
    (lambda: noise.BackgroundNoise(np.zeros((2, 3, 4))), "`noises` must be a non-empty"),
    (lambda: noise.BackgroundNoise([[np.nan, 1.0]]), "`noises` holds NaN or Inf"),
    (lambda: noise.BackgroundNoise({"shape": [2]}), "{'shape': [N, L]}"),
    (lambda: noise.BackgroundNoise(["/no/such.wav"]), "no WAV file at '/no/such.wav'"),
    (lambda: noise.BackgroundNoise(np.ones((1, 9)), 20, 5), "`min_snr_db` must be <="),
    (lambda: noise.BackgroundNoise([PYGAME / "secosmic_lo.wav"], sample_rate=11025),
     "unsupported WAV format"),
    (lambda: noise.ApplyImpulseResponse(np.zeros((2, 8))), "`irs` entries [0, 1] are all zeros"),
    (lambda: noise.ApplyImpulseResponse(np.ones(4), keep_level=1), "`keep_level` must be"),
])
def test_bad_arguments(make, fragment):
    with pytest.raises(ValueError) as info:
        make()
    assert fragment in str(info.value), str(info.value)
