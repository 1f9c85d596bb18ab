"""WAV reading and writing with TensorFlow ops.

:func:`decode_wav` and :func:`encode_wav` are graph ops (usable inside a
``tf.data`` map or a ``tf.function``); :func:`read_wav` and :func:`write_wav`
are their eager file wrappers.

Decoding supports uncompressed WAV (RIFF/WAVE, plain or
WAVE_FORMAT_EXTENSIBLE): integer PCM of 8 (unsigned), 16, 24 or 32 bits and
IEEE float of 32 or 64 bits, any number of channels; samples come back as
float32 in ``[-1, 1]`` (integer PCM divided by ``2 ** (bits - 1)``, so 16-bit
matches ``tf.audio.decode_wav`` exactly). Compressed formats (ADPCM, mu-law,
MP3-in-WAV...) raise an error that says so; convert them first, e.g.
``sox in.wav -e signed -b 16 out.wav`` or ``ffmpeg -i in.wav -c:a pcm_s16le
out.wav``. Encoding writes 16-bit PCM (``tf.audio.encode_wav``).

Channel policy: :func:`decode_wav` returns ``[T]`` (channels averaged) by
default, ``[T, C]`` with ``mono=False``; :func:`read_wav` returns ``[T]`` for a
mono file and ``[T, C]`` for a multichannel one unless ``mono=True``.

Example:
  >>> import os
  >>> os.makedirs("clips", exist_ok=True)
  >>> tone = 0.3 * tf.sin(tf.range(16000.0) * 0.1)
  >>> path = write_wav("clips/speech.wav", tone, 16000)
  >>> audio, rate = read_wav("clips/speech.wav")
  >>> audio.shape, rate
  (TensorShape([16000]), 16000)
  >>> path = write_wav("clips/louder.wav", audio * 2.0, rate)
  >>> ds = tf.data.Dataset.list_files("clips/*.wav").map(
  ...     lambda p: decode_wav(tf.io.read_file(p))[0])
  >>> [clip.shape[0] for clip in ds]
  [16000, 16000]
"""

from __future__ import annotations

import os
import pathlib
import struct

import numpy as np
import tensorflow as tf

from tfaug.core import files

SUPPORTED = ("uncompressed WAV: 8-bit unsigned, 16/24/32-bit signed integer PCM, or 32/64-bit "
             "IEEE float")
CONVERT = ("convert it first, e.g. `sox in.wav -e signed -b 16 out.wav` or "
           "`ffmpeg -i in.wav -c:a pcm_s16le out.wav`")
_MAX_CHUNKS = 64

# Branches of the sample decoder, in order: (format tag, bits).
_KINDS = ((1, 8), (1, 16), (1, 24), (1, 32), (3, 32), (3, 64))


def _uint(contents, pos, size):
    """Little-endian unsigned integer of ``size`` (2 or 4) bytes at ``pos`` -> int64."""
    raw = tf.io.decode_raw(tf.strings.substr(contents, pos, size), tf.uint16, little_endian=True)
    raw = tf.cast(raw, tf.int64)
    return raw[0] if size == 2 else raw[0] + raw[1] * 65536


def _find_chunks(contents, length):
    """Walks the RIFF chunks: ``(fmt_pos, data_pos, data_size)`` (-1 when absent)."""
    minus = tf.constant(-1, tf.int64)

    def cond(i, pos, fmt_pos, data_pos, data_size):
        return (i < _MAX_CHUNKS) & (pos + 8 <= length) & ((fmt_pos < 0) | (data_pos < 0))

    def body(i, pos, fmt_pos, data_pos, data_size):
        cid = tf.strings.substr(contents, pos, 4)
        size = _uint(contents, pos + 4, 4)
        fmt_pos = tf.where(tf.equal(cid, "fmt "), pos + 8, fmt_pos)
        is_data = tf.equal(cid, "data")
        data_pos = tf.where(is_data, pos + 8, data_pos)
        data_size = tf.where(is_data, size, data_size)
        return i + 1, pos + 8 + size + size % 2, fmt_pos, data_pos, data_size

    start = (tf.constant(0), tf.constant(12, tf.int64), minus, minus, tf.constant(0, tf.int64))
    _, _, fmt_pos, data_pos, data_size = tf.while_loop(cond, body, start)
    return fmt_pos, data_pos, data_size


def _decode_samples(raw, kind):
    """Sample bytes -> float32 ``[N]`` for branch ``kind`` of :data:`_KINDS`."""

    def u8():
        x = tf.cast(tf.io.decode_raw(raw, tf.uint8), tf.float32)
        return (x - 128.0) / 128.0

    def s16():
        return tf.cast(tf.io.decode_raw(raw, tf.int16, little_endian=True), tf.float32) / 32768.0

    def s24():
        b = tf.reshape(tf.cast(tf.io.decode_raw(raw, tf.uint8), tf.int32), [-1, 3])
        v = b[:, 0] + b[:, 1] * 256 + b[:, 2] * 65536
        v = tf.where(v >= 1 << 23, v - (1 << 24), v)
        return tf.cast(v, tf.float32) / float(1 << 23)

    def s32():
        x = tf.io.decode_raw(raw, tf.int32, little_endian=True)
        return tf.cast(tf.cast(x, tf.float64) / float(1 << 31), tf.float32)

    def f32():
        return tf.io.decode_raw(raw, tf.float32, little_endian=True)

    def f64():
        return tf.cast(tf.io.decode_raw(raw, tf.float64, little_endian=True), tf.float32)

    return tf.switch_case(kind, [u8, s16, s24, s32, f32, f64])


def decode_wav(contents: tf.Tensor | bytes, mono: bool = True) -> tuple[tf.Tensor, tf.Tensor]:
    """Decodes the bytes of a WAV file (a graph op).

    Args:
      contents: Scalar ``tf.string``, a whole WAV file (``tf.io.read_file``).
      mono: True: channels averaged to ``[T]``; False: ``[T, C]``.

    Returns:
      ``(audio, sample_rate)``: float32 ``[T]`` or ``[T, C]`` in ``[-1, 1]``,
      and an int32 scalar (Hz).

    Raises:
      tf.errors.InvalidArgumentError: (when run) the bytes are not a RIFF/WAVE
        file, or its format is not one of :data:`SUPPORTED`; the message says
        how to convert.

    Example:
      >>> path = write_wav("clip.wav", tf.zeros([800]), 8000)
      >>> audio, rate = decode_wav(tf.io.read_file("clip.wav"))
      >>> audio.shape, int(rate)
      (TensorShape([800]), 8000)
    """
    contents = tf.convert_to_tensor(contents, tf.string)
    if contents.shape.rank != 0:
        raise ValueError(f"`contents` must be one WAV file (a scalar string), got shape "
                         f"{contents.shape}.")
    length = tf.cast(tf.strings.length(contents), tf.int64)
    is_wav = (length >= 12) & tf.equal(tf.strings.substr(contents, 0, 4), "RIFF") & tf.equal(
        tf.strings.substr(contents, 8, 4), "WAVE")
    checks = [tf.debugging.Assert(is_wav, [
        "not a WAV file (no RIFF/WAVE header); supported: " + SUPPORTED])]
    with tf.control_dependencies(checks):
        fmt_pos, data_pos, data_size = _find_chunks(contents, length)
    found = (fmt_pos >= 0) & (data_pos >= 0) & (fmt_pos + 16 <= length)
    with tf.control_dependencies([tf.debugging.Assert(found, [
            "WAV file without a complete 'fmt ' and 'data' chunk (truncated or damaged)"])]):
        fmt_pos = tf.maximum(fmt_pos, 0)
    tag = _uint(contents, fmt_pos, 2)
    channels = _uint(contents, fmt_pos + 2, 2)
    rate = _uint(contents, fmt_pos + 4, 4)
    bits = _uint(contents, fmt_pos + 14, 2)
    extensible = tf.equal(tag, 0xFFFE) & (fmt_pos + 26 <= length)
    tag = tf.where(extensible, _uint(contents, tf.minimum(fmt_pos + 24, length - 2), 2), tag)
    kind = tf.constant(-1)
    for index, (t, b) in enumerate(_KINDS):
        kind = tf.where(tf.equal(tag, t) & tf.equal(bits, b), index, kind)
    ok = (kind >= 0) & (channels > 0)
    with tf.control_dependencies([tf.debugging.Assert(ok, [
            "unsupported WAV format: format tag", tag, "bits per sample", bits, "channels",
            channels, "; supported: " + SUPPORTED + "; " + CONVERT])]):
        kind = tf.maximum(kind, 0)
        channels = tf.maximum(channels, 1)
    frame_bytes = channels * (tf.maximum(bits, 8) // 8)
    available = tf.maximum(tf.minimum(data_size, length - tf.maximum(data_pos, 0)), 0)
    frames = available // frame_bytes
    raw = tf.strings.substr(contents, tf.maximum(data_pos, 0), frames * frame_bytes)
    samples = _decode_samples(raw, kind)
    audio = tf.reshape(samples, tf.stack([frames, channels]))
    if mono:
        audio = tf.reduce_mean(audio, axis=1)
    return audio, tf.cast(rate, tf.int32)


def encode_wav(audio: tf.Tensor | np.ndarray, sample_rate: int | tf.Tensor) -> tf.Tensor:
    """Encodes audio as the bytes of a 16-bit PCM WAV file (a graph op).

    Args:
      audio: float ``[T]`` (mono) or ``[T, C]``, in ``[-1, 1]`` (clipped).
      sample_rate: Hz (int or int32 scalar tensor).

    Returns:
      Scalar ``tf.string``.

    Example:
      >>> audio = 0.5 * tf.sin(tf.range(1600.0) * 0.2)
      >>> tf.io.write_file("out.wav", encode_wav(audio, 16000))
      >>> read_wav("out.wav")[1]
      16000
    """
    audio = tf.convert_to_tensor(audio)
    if not audio.dtype.is_floating:
        raise ValueError(f"`audio` must be floating point samples in [-1, 1], got "
                         f"{audio.dtype.name}.")
    if audio.shape.rank not in (1, 2):
        raise ValueError(f"`audio` must be [T] or [T, C], got shape {audio.shape}.")
    audio = tf.clip_by_value(tf.cast(audio, tf.float32), -1.0, 1.0)
    if audio.shape.rank == 1:
        audio = audio[:, None]
    return tf.audio.encode_wav(audio, tf.cast(sample_rate, tf.int32))


def _assert_text(err):
    """The readable part of a failed ``tf.debugging.Assert``'s message."""
    text = err.message.split(" [Op:")[0]
    if "Summarized data:" in text:
        text = text.split("Summarized data:", 1)[1]
    return " ".join(part.strip().strip("b'\"") for part in text.split("\n") if part.strip())


def read_wav(path: str | os.PathLike[str], sample_rate: int | None = None,
             mono: bool = False) -> tuple[tf.Tensor, int]:
    """Reads a WAV file.

    Args:
      path: File path (str or ``os.PathLike``).
      sample_rate: Expected rate (Hz) or None. When given and the file's rate
        differs, a ``ValueError`` names both (no resampling is done).
      mono: Average the channels of a multichannel file to ``[T]``.

    Returns:
      ``(audio, rate)``: a float32 tensor ``[T]`` (mono file, or ``mono=True``)
      or ``[T, C]``, in ``[-1, 1]``; and the rate as a Python int.

    Raises:
      FileNotFoundError: no such file.
      ValueError: not a supported WAV file (see :data:`SUPPORTED`), or a rate
        other than ``sample_rate``.

    Example:
      >>> path = write_wav("speech.wav", tf.zeros([1600]), 16000)
      >>> audio, rate = read_wav("speech.wav", sample_rate=16000)
      >>> audio.shape
      TensorShape([1600])
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no WAV file at {path!r}.")
    contents = tf.io.read_file(path)
    try:
        audio, rate = decode_wav(contents, mono=False)
        rate = int(rate)
    except tf.errors.InvalidArgumentError as err:
        raise ValueError(f"cannot decode {path!r}: {_assert_text(err)}") from None
    if sample_rate is not None and rate != sample_rate:
        raise ValueError(f"{path!r} has sample rate {rate} Hz but {sample_rate} Hz was "
                         "expected (`sample_rate`); resample the file first (e.g. `sox in.wav "
                         f"-r {sample_rate} out.wav`).")
    if audio.shape[1] == 1 or mono:
        audio = tf.reduce_mean(audio, axis=1)
    return audio, rate


def wav_sample_rate(path: str | os.PathLike[str]) -> int:
    """A WAV file's sample rate, read from its header alone (no decoding).

    Reads the RIFF chunk headers up to the ``fmt `` chunk, so it costs a few
    small reads however long the file is (``tf.io.gfile``: local paths and
    the file systems TensorFlow knows, e.g. ``gs://``). The pipeline readers
    call it for every file when a pipeline is built.

    Args:
      path: File path (str or ``os.PathLike``).

    Returns:
      The rate in Hz, a Python int.

    Raises:
      FileNotFoundError: no such file.
      ValueError: not a RIFF/WAVE file, or no complete ``fmt `` chunk
        (the message names the file).

    Example:
      >>> path = write_wav("tone.wav", tf.zeros([800]), 8000)
      >>> wav_sample_rate("tone.wav")
      8000
    """
    path = os.fspath(path)
    if not tf.io.gfile.exists(path):
        raise FileNotFoundError(f"no WAV file at {path!r}.")
    with tf.io.gfile.GFile(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise ValueError(f"{path!r} is not a WAV file (no RIFF/WAVE header); "
                             f"supported: {SUPPORTED}.")
        for _ in range(_MAX_CHUNKS):
            chunk = f.read(8)
            if len(chunk) < 8:
                break
            cid, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if cid == b"fmt ":
                fmt = f.read(8)
                if len(fmt) == 8:
                    return int(struct.unpack("<I", fmt[4:8])[0])
                break
            f.seek(size + size % 2, 1)
    raise ValueError(f"{path!r} has no complete 'fmt ' chunk (truncated or damaged WAV).")


def write_wav(path: str | os.PathLike[str], audio: tf.Tensor | np.ndarray,
              sample_rate: int) -> pathlib.Path:
    """Writes 16-bit PCM WAV; the file is written under a temporary name and
    renamed, so ``path`` is never left half-written.

    Args:
      path: Target file (str or ``os.PathLike``); its folder must exist.
      audio: float ``[T]`` or ``[T, C]`` in ``[-1, 1]`` (clipped; a tensor or
        an array).
      sample_rate: Positive int (Hz).

    Returns:
      ``path`` as a ``pathlib.Path``.

    Raises:
      ValueError: a bad shape, dtype, sample rate, or non-finite samples.

    Example:
      >>> audio = 0.5 * tf.sin(tf.range(1600.0) * 0.2)
      >>> write_wav("clip.wav", audio, 16000).name
      'clip.wav'
    """
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or \
            not 0 < sample_rate < 2**31:
        raise ValueError(f"`sample_rate` must be a positive int (Hz), got {sample_rate!r}.")
    audio = tf.convert_to_tensor(audio)
    if audio.dtype.is_floating and not bool(tf.reduce_all(tf.math.is_finite(audio))):
        raise ValueError("`audio` holds NaN or Inf; WAV samples must be finite.")
    data = encode_wav(audio, int(sample_rate)).numpy()
    return files.write_atomically(path, lambda handle: handle.write(data), binary=True)
