"""WAV reading/writing: round trips, formats, real files, errors."""

import importlib.util
import pathlib
import struct
import wave

import numpy as np
import pytest
import scipy.io.wavfile
import tensorflow as tf

from tfaug.audio import io

PYGAME = pathlib.Path(importlib.util.find_spec("pygame").origin).parent / "examples/data"
ALSA = pathlib.Path("/usr/share/sounds/alsa/Front_Center.wav")


def noise(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


@pytest.mark.parametrize("shape", [(1000,), (700, 2)])
def test_round_trip_exact_to_16_bit(tmp_path, shape):
    x = noise(shape)
    path = io.write_wav(tmp_path / "a.wav", x, 8000)
    y, rate = io.read_wav(path)
    assert rate == 8000 and y.shape == shape and y.dtype == tf.float32
    assert np.abs(y.numpy() - x).max() <= 1 / 32768
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]  # no temporary left


def test_write_clips_and_overwrites(tmp_path):
    path = tmp_path / "a.wav"
    io.write_wav(path, np.zeros(10, np.float32), 8000)
    io.write_wav(path, np.array([2.0, -3.0, 0.5], np.float32), 16000)
    y, rate = io.read_wav(path)
    assert rate == 16000
    np.testing.assert_allclose(y.numpy(), [1.0, -1.0, 0.5], atol=1 / 32768)


def test_mono_mix_down(tmp_path):
    x = noise((500, 2))
    io.write_wav(tmp_path / "s.wav", x, 8000)
    mono, _ = io.read_wav(tmp_path / "s.wav", mono=True)
    assert mono.shape == (500,)
    np.testing.assert_allclose(mono.numpy(), x.mean(1), atol=1 / 32768)


def test_decode_encode_in_a_dataset(tmp_path):
    for i in range(3):
        io.write_wav(tmp_path / f"{i}.wav", noise((400,), i), 8000)
    ds = tf.data.Dataset.list_files(str(tmp_path / "*.wav"), shuffle=False).map(
        lambda p: io.decode_wav(tf.io.read_file(p)))
    got = list(ds)
    assert len(got) == 3
    for i, (audio, rate) in enumerate(got):
        assert int(rate) == 8000 and audio.shape == (400,)
        np.testing.assert_allclose(audio.numpy(), noise((400,), i), atol=1 / 32768)
    encoded = tf.function(lambda a: io.encode_wav(a, 8000))(tf.constant(noise((64,))))
    back, _ = io.decode_wav(encoded)
    np.testing.assert_allclose(back.numpy(), noise((64,)), atol=1 / 32768)


def test_16_bit_matches_tf_decode_wav(tmp_path):
    path = io.write_wav(tmp_path / "a.wav", noise((300, 3)), 22050)
    contents = tf.io.read_file(str(path))
    ref, ref_rate = tf.audio.decode_wav(contents)
    ours, rate = io.decode_wav(contents, mono=False)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())
    assert int(rate) == int(ref_rate) == 22050


@pytest.mark.parametrize("name", ["boom.wav", "car_door.wav", "punch.wav", "whiff.wav"])
def test_real_pygame_wavs_decode(name):
    audio, rate = io.read_wav(PYGAME / name)
    with wave.open(str(PYGAME / name)) as w:  # 8-bit unsigned PCM, mono
        assert w.getsampwidth() == 1 and w.getnchannels() == 1
        raw = np.frombuffer(w.readframes(w.getnframes()), np.uint8)
        assert rate == w.getframerate() == 11025
    np.testing.assert_array_equal(audio.numpy(), (raw.astype(np.float32) - 128) / 128)


@pytest.mark.parametrize("width", [3, 4])
def test_24_and_32_bit_pcm(tmp_path, width):
    ints = np.array([[0, 1], [-1, 2 ** (8 * width - 1) - 1], [-2 ** (8 * width - 1), 12345]])
    raw = b"".join(int(v).to_bytes(width, "little", signed=True) for v in ints.ravel())
    path = tmp_path / "a.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(width)
        w.setframerate(48000)
        w.writeframes(raw)
    audio, rate = io.read_wav(path)
    assert rate == 48000 and audio.shape == (3, 2)
    np.testing.assert_allclose(audio.numpy(), ints / 2.0 ** (8 * width - 1), rtol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_wavs(tmp_path, dtype):
    x = noise((200,)).astype(dtype)
    scipy.io.wavfile.write(tmp_path / "f.wav", 16000, x)
    audio, rate = io.read_wav(tmp_path / "f.wav")
    assert rate == 16000
    np.testing.assert_array_equal(audio.numpy(), x.astype(np.float32))


def test_extensible_header(tmp_path):
    pcm = (noise((100,)) * 32767).astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHHHHIH14s", 0xFFFE, 1, 8000, 16000, 2, 16, 22, 16, 4, 1,
                      b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x008\x9bq")
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack(
        "<I", len(pcm)) + pcm
    path = tmp_path / "ext.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    audio, rate = io.read_wav(path)
    assert rate == 8000
    np.testing.assert_array_equal(audio.numpy(),
                                  np.frombuffer(pcm, "<i2").astype(np.float32) / 32768)


def test_header_sample_rate_without_decoding(tmp_path):
    # A LIST chunk before 'fmt ' (odd size: padded) is skipped; real files agree with decoding.
    pcm = (noise((50,)) * 32767).astype("<i2").tobytes()
    info = b"INFOISFT\x05\x00\x00\x00tool\x00\x00"
    fmt = struct.pack("<HHIIHH", 1, 1, 22050, 44100, 2, 16)
    body = (b"WAVE" + b"LIST" + struct.pack("<I", len(info) - 1) + info + b"fmt "
            + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(pcm)) + pcm)
    path = tmp_path / "list.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    assert io.wav_sample_rate(path) == 22050 == io.read_wav(path)[1]
    for name in ("punch.wav", "house_lo.wav"):
        assert io.wav_sample_rate(PYGAME / name) == int(
            io.decode_wav(tf.io.read_file(str(PYGAME / name)))[1])
    (tmp_path / "x.wav").write_bytes(b"RIFF\x04\x00\x00\x00WAVE")
    with pytest.raises(ValueError, match=r"x\.wav.*no complete 'fmt ' chunk"):
        io.wav_sample_rate(tmp_path / "x.wav")
    (tmp_path / "y.wav").write_bytes(b"just text, no header")
    with pytest.raises(ValueError, match=r"y\.wav.*not a WAV file"):
        io.wav_sample_rate(tmp_path / "y.wav")
    with pytest.raises(FileNotFoundError, match="no WAV file"):
        io.wav_sample_rate(tmp_path / "missing.wav")


@pytest.mark.skipif(not ALSA.exists(), reason="Debian's alsa-utils sounds not installed")
def test_debian_speech_wav():
    audio, rate = io.read_wav(ALSA)
    ref, _ = tf.audio.decode_wav(tf.io.read_file(str(ALSA)))
    assert rate == 48000
    np.testing.assert_array_equal(audio.numpy(), ref.numpy()[:, 0])


def test_unsupported_and_bad_files(tmp_path):
    with pytest.raises(ValueError) as info:
        io.read_wav(PYGAME / "secosmic_lo.wav")  # IMA ADPCM
    text = str(info.value)
    assert "unsupported WAV format" in text and "sox" in text and "16/24/32-bit" in text
    (tmp_path / "x.wav").write_bytes(b"not audio at all, just text")
    with pytest.raises(ValueError, match="not a WAV file"):
        io.read_wav(tmp_path / "x.wav")
    with pytest.raises(FileNotFoundError, match="no WAV file"):
        io.read_wav(tmp_path / "missing.wav")
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a WAV file"):
        tf.function(io.decode_wav)(tf.constant(b"RIFX...."))


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError) as info:
        io.read_wav(PYGAME / "punch.wav", sample_rate=16000)
    assert "11025" in str(info.value) and "16000" in str(info.value)
    with pytest.raises(ValueError, match="`sample_rate` must be a positive int"):
        io.write_wav(tmp_path / "a.wav", np.zeros(4, np.float32), 0)
    with pytest.raises(ValueError, match="NaN or Inf"):
        io.write_wav(tmp_path / "a.wav", np.array([np.nan], np.float32), 8000)
    with pytest.raises(ValueError, match="floating point"):
        io.write_wav(tmp_path / "a.wav", np.zeros(4, np.int16), 8000)
    with pytest.raises(ValueError, match=r"\[T\] or \[T, C\]"):
        io.encode_wav(np.zeros((1, 2, 3), np.float32), 8000)
    with pytest.raises(ValueError, match="scalar string"):
        io.decode_wav(tf.constant([b"a", b"b"]))
    assert not list(tmp_path.iterdir())
