"""Resampling ops: rates, aliasing, scipy agreement, real clips, errors."""

import importlib.util
import pathlib
import wave

import numpy as np
import pytest
import scipy.signal
import tensorflow as tf

from tfaug.audio.ops import resampling as rs


def tone(freq, rate, seconds, amp=0.5):
    t = np.arange(int(round(rate * seconds))) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def rms(x):
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def band_amplitude(x, rate, freq, width=50.0):
    """Peak spectral amplitude (of a unit sine) within +-width Hz of freq."""
    win = np.hanning(len(x))
    spec = np.abs(np.fft.rfft(x * win, 16 * len(x))) * 2 / win.sum()
    f = np.fft.rfftfreq(16 * len(x), 1 / rate)
    return float(spec[np.abs(f - freq) <= width].max())


@pytest.mark.parametrize("rate_in,rate_out,expected", [
    (48000, 16000, (1, 3)), (16000, 48000, (3, 1)), (44100, 16000, (160, 441)),
    (8000, 8000, (1, 1)), (22050.0, 16000.0, (320, 441))])
def test_rational_ratio(rate_in, rate_out, expected):
    assert rs.rational_ratio(rate_in, rate_out) == expected


@pytest.mark.parametrize("rate_in,rate_out", [(48000, 16000), (16000, 48000),
                                              (44100, 16000), (8000, 11025)])
def test_output_length_is_ceil(rate_in, rate_out):
    for n in (1, 7, 1001):
        y = rs.resample(np.zeros([2, n], np.float32), rate_in, rate_out)
        assert y.shape == (2, int(np.ceil(n * rate_out / rate_in)))


def test_round_trip_keeps_1k_tone_energy():
    x = tone(1000, 48000, 0.25)
    down = rs.resample(x, 48000, 16000).numpy()
    assert down.shape == (4000,)
    assert abs(band_amplitude(down, 16000, 1000) - 0.5) < 0.01
    back = rs.resample(down, 16000, 48000).numpy()
    assert back.shape == x.shape
    inner = slice(1000, -1000)  # away from the edges
    assert abs(rms(back[inner]) ** 2 / rms(x[inner]) ** 2 - 1) < 0.01
    np.testing.assert_allclose(back[inner], x[inner], atol=5e-3)


def test_no_alias_above_new_nyquist():
    x = tone(10000, 48000, 0.25)  # above 8 kHz: would alias to 6 kHz
    y = rs.resample(x, 48000, 16000).numpy()
    assert rms(y[100:-100]) < 0.01 * rms(x)
    assert band_amplitude(y[100:-100], 16000, 6000) < 0.005


@pytest.mark.parametrize("rate_in,rate_out", [(48000, 16000), (16000, 48000),
                                              (44100, 16000), (16000, 8000)])
def test_close_to_scipy_resample_poly(rate_in, rate_out):
    rng = np.random.default_rng(0)
    x = (tone(300, rate_in, 0.1) + tone(2500, rate_in, 0.1, 0.2)
         + 0.01 * rng.normal(size=int(rate_in * 0.1))).astype(np.float32)
    ours = rs.resample(x, rate_in, rate_out).numpy()
    up, down = rs.rational_ratio(rate_in, rate_out)
    ref = scipy.signal.resample_poly(x.astype(np.float64), up, down)
    assert ours.shape == ref.shape
    edge = 64
    err = ours[edge:-edge] - ref[edge:-edge]
    assert np.max(np.abs(err)) < 5e-3
    assert not np.array_equal(ours, ref.astype(np.float32))  # close, not the same filter


def test_batch_and_graph_modes_agree():
    x = np.stack([tone(440, 16000, 0.1), tone(1000, 16000, 0.1)])
    eager = rs.resample(x, 16000, 8000).numpy()
    graph = tf.function(lambda v: rs.resample(v, 16000, 8000),
                        input_signature=[tf.TensorSpec([None, None], tf.float32)])(x)
    xla = tf.function(lambda v: rs.resample(v, 16000, 8000), jit_compile=True)(x)
    np.testing.assert_allclose(graph, eager, atol=1e-5)
    np.testing.assert_allclose(xla, eager, atol=1e-4)
    np.testing.assert_allclose(rs.resample(x[1], 16000, 8000), eager[1], atol=1e-6)


def _pygame_wav(name):
    spec = importlib.util.find_spec("pygame")
    if spec is None:
        pytest.skip("pygame (test data) is not installed")
    path = pathlib.Path(spec.origin).parent / "examples" / "data" / name
    if not path.exists():
        pytest.skip(f"{path} missing")
    with wave.open(str(path)) as w:
        rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
        raw = w.readframes(w.getnframes())
    dtype = {1: np.uint8, 2: np.int16}[width]
    x = np.frombuffer(raw, dtype).astype(np.float32)
    x = (x - 128) / 128 if width == 1 else x / 32768
    return x.reshape(-1, channels)[:, 0], rate


def test_real_clip_survives_round_trip():
    x, rate = _pygame_wav("punch.wav")
    x = x[: rate // 2]
    mid = rate * 2 // 3  # through a lower rate: only content below its Nyquist survives
    back = rs.resample(rs.resample(x, rate, mid), mid, rate).numpy()
    assert back.shape == x.shape
    # Below the intermediate Nyquist the clip is unchanged (same low-pass on both).
    sos = scipy.signal.butter(12, 0.8 * mid / 2, fs=rate, output="sos")
    ref = scipy.signal.sosfiltfilt(sos, x.astype(np.float64))
    low = scipy.signal.sosfiltfilt(sos, back.astype(np.float64))
    err = rms(low[200:-200] - ref[200:-200]) / rms(ref[200:-200])
    assert err < 0.02, err
    # Past the transition band (lowpass_width=6: ~0.2 Nyquist wide), nothing is left.
    sos_hi = scipy.signal.butter(12, 1.25 * mid / 2, btype="high", fs=rate, output="sos")
    assert rms(scipy.signal.sosfiltfilt(sos_hi, back.astype(np.float64))[200:-200]) < (
        0.01 * rms(x))
    # Up 2x and back: unchanged below the transition band of the original rate.
    same = rs.resample(rs.resample(x, rate, 2 * rate), 2 * rate, rate).numpy()
    sos = scipy.signal.butter(12, 0.75 * rate / 2, fs=rate, output="sos")
    ref = scipy.signal.sosfiltfilt(sos, x.astype(np.float64))
    low = scipy.signal.sosfiltfilt(sos, same.astype(np.float64))
    assert rms(low[200:-200] - ref[200:-200]) / rms(ref) < 0.02


def test_resample_by_reads_at_factor():
    x = np.stack([tone(440, 8000, 0.5)] * 3)
    y = rs.resample_by(x, [1.0, 2.0, 0.5], output_length=1000).numpy()
    assert y.shape == (3, 1000)
    np.testing.assert_allclose(y[0, 20:-20], x[0, 20:980], atol=2e-3)
    for row, freq in zip(y, (440, 880, 220)):
        assert abs(band_amplitude(row[:1000], 8000, freq, 10) - 0.5) < 0.03


def test_resample_by_anti_aliases_when_reading_fast():
    x = tone(3000, 8000, 0.25)[None]  # read 2x: 6 kHz > new Nyquist
    y = rs.resample_by(x, [2.0], output_length=800).numpy()[0]
    assert rms(y[40:900 // 2 - 40]) < 0.01


def test_speed_perturb_shortens_and_raises_pitch():
    x = np.zeros([1, 8000], np.float32)
    x[0, :4000] = tone(440, 8000, 0.5)
    y = rs.speed_perturb(x, [1.1]).numpy()[0]
    assert y.shape == (8000,)
    env = np.convolve(y ** 2, np.ones(80) / 80, "same")
    on = np.flatnonzero(env > 0.5 * env.max())
    assert abs((on[-1] - on[0]) / 8000 - 0.5 / 1.1) < 0.01
    seg = y[200:3400]
    f = np.fft.rfftfreq(len(seg) * 8, 1 / 8000)
    peak = f[np.argmax(np.abs(np.fft.rfft(seg * np.hanning(len(seg)), len(seg) * 8)))]
    assert abs(peak / 440 - 1.1) < 0.01


@pytest.mark.parametrize("rate_in,rate_out", [(0, 16000), (16000, -1), (16000, float("nan")),
                                              ("16k", 8000), (True, 8000)])
def test_bad_rates(rate_in, rate_out):
    with pytest.raises(ValueError, match="rate"):
        rs.resample(np.zeros([1, 10], np.float32), rate_in, rate_out)


def test_bad_inputs():
    with pytest.raises(ValueError, match="rank 3"):
        rs.resample(np.zeros([1, 2, 10], np.float32), 16000, 8000)
    with pytest.raises(ValueError, match="zero-length"):
        rs.resample(np.zeros([2, 0], np.float32), 16000, 8000)
    with pytest.raises(ValueError, match="float"):
        rs.resample(np.zeros([2, 10], np.int16), 16000, 8000)
    with pytest.raises(ValueError, match="rolloff"):
        rs.resample(np.zeros([2, 10], np.float32), 16000, 8000, rolloff=0)
    with pytest.raises(ValueError, match="window"):
        rs.resample(np.zeros([2, 10], np.float32), 16000, 8000, window="box")
    with pytest.raises(ValueError, match="factors"):
        rs.resample_by(np.zeros([2, 10], np.float32), [1.0, 0.0])
    with pytest.raises(ValueError, match="factors"):
        rs.resample_by(np.zeros([2, 10], np.float32), [[1.0]])
    with pytest.raises(ValueError, match="zero-length"):
        rs.resample_by(np.zeros([2, 0], np.float32), [1.0, 1.0])
