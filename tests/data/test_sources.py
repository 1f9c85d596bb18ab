"""Readers behind Pipeline.from_*: arrays, image folders, TFRecord, CSV, text, WAV."""

import csv

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from sklearn.datasets import load_breast_cancer, load_digits, load_sample_images

import tfaug
from tfaug.data import sources
from tfaug.data.pipeline import Pipeline


def _rows(pipe, training=False):
    return list(pipe.build(training=training).as_numpy_iterator())


@pytest.fixture(scope="module")
def digits():
    d = load_digits()
    keep = np.concatenate([np.flatnonzero(d.target == c)[:10] for c in range(3)])
    x = np.round(d.images[keep] * (255.0 / 16.0)).astype(np.uint8)
    return x, d.target[keep]


@pytest.fixture
def digit_tree(digits, tmp_path):
    """3 classes x 10 digits as PNG: tmp/digits/<zero|one|two>/NN.png."""
    x, y = digits
    names = ["zero", "one", "two"]
    for i, (image, label) in enumerate(zip(x, y)):
        folder = tmp_path / "digits" / names[label]
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(folder / f"{i:02d}.png")
    (tmp_path / "digits" / "one" / "notes.txt").write_text("not an image")
    return tmp_path / "digits"


# ------------------------------------------------------------------- arrays
def test_tensors_with_dict_inputs(digits):
    x, y = digits
    rows = _rows(Pipeline.from_tensors({"images": x, "ids": np.arange(30)}, y).batch(30))
    (inputs, labels), = rows
    np.testing.assert_array_equal(inputs["images"], x)
    np.testing.assert_array_equal(inputs["ids"], np.arange(30))
    np.testing.assert_array_equal(labels, y)
    (as_lists,) = _rows(Pipeline.from_tensors([[1, 2], [3, 4], [5, 6]], [0, 1, 0]).batch(3))
    np.testing.assert_array_equal(as_lists[0], [[1, 2], [3, 4], [5, 6]])
    unlabelled = _rows(Pipeline.from_tensors(x).batch(30))
    np.testing.assert_array_equal(unlabelled[0], x)
    with pytest.raises(ValueError, match="inputs"):
        Pipeline.from_tensors(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="inputs"):
        Pipeline.from_tensors({"a": np.zeros((3, 2)), "b": np.zeros((4, 2))})


# ------------------------------------------------------------ image folders
def test_tensors_from_pandas_columns():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"text": ["a good film", "not good"], "label": [1, 0]})
    frame["text"] = frame["text"].astype("string")  # an extension array, not numpy
    pipe = Pipeline.from_tensors(frame["text"].values, labels=frame["label"])
    assert "string[2]" in repr(pipe)
    assert _rows(pipe) == [(b"a good film", 1), (b"not good", 0)]


def test_png_directory_reads_back_the_digits(digits, digit_tree):
    x, y = digits
    pipe = Pipeline.from_image_directory(digit_tree, image_size=(8, 8), channels=1)
    assert pipe.class_names == ["one", "two", "zero"]  # sorted folder names
    images, labels = zip(*_rows(pipe))
    images, labels = np.stack(images), np.array(labels)
    assert images.dtype == np.uint8 and images.shape == (30, 8, 8, 1)
    # Folder order: "one" (digit 1) -> 0, "two" -> 1, "zero" -> 2; files sorted.
    order = np.concatenate([np.flatnonzero(y == 1), np.flatnonzero(y == 2),
                            np.flatnonzero(y == 0)])
    np.testing.assert_array_equal(images[..., 0], x[order])  # bit for bit (no resize)
    np.testing.assert_array_equal(labels, np.repeat([0, 1, 2], 10))


def test_image_directory_class_names_resize_and_channels(digits, digit_tree):
    x, y = digits
    pipe = Pipeline.from_image_directory(digit_tree, image_size=16, channels=3,
                                         class_names=["zero", "two"])
    rows = _rows(pipe.batch(20))
    images, labels = rows[0]
    assert images.shape == (20, 16, 16, 3) and images.dtype == np.uint8
    np.testing.assert_array_equal(labels, np.repeat([0, 1], 10))
    np.testing.assert_array_equal(images[..., 0], images[..., 2])  # grey -> RGB
    want = tf.image.resize(x[y == 0][..., None].astype(np.float32), (16, 16))
    np.testing.assert_array_equal(images[:10, ..., :1], np.round(want.numpy()))


def test_jpeg_photos_are_decoded_and_resized(tmp_path):
    photos = load_sample_images().images  # china, flower: 427 x 640 x 3
    for name, photo in zip(["china", "flower"], photos):
        (tmp_path / "photos" / name).mkdir(parents=True)
        Image.fromarray(photo).save(tmp_path / "photos" / name / "a.jpg", quality=95)
        Image.fromarray(photo[::-1]).save(tmp_path / "photos" / name / "b.JPEG", quality=95)
    pipe = Pipeline.from_image_directory(tmp_path / "photos", image_size=(107, 160))
    rows = _rows(pipe)
    assert len(rows) == 4 and [int(r[1]) for r in rows] == [0, 0, 1, 1]
    want = tf.image.resize(photos[0].astype(np.float32), (107, 160)).numpy()
    assert rows[0][0].shape == (107, 160, 3)
    assert np.abs(rows[0][0].astype(float) - want).mean() < 3  # JPEG loss only


def test_image_directory_errors(tmp_path, digit_tree):
    with pytest.raises(FileNotFoundError, match="missing"):
        Pipeline.from_image_directory(tmp_path / "missing", image_size=(8, 8))
    flat = tmp_path / "flat"
    flat.mkdir()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(flat / "a.png")
    with pytest.raises(ValueError, match="no class folders"):
        Pipeline.from_image_directory(flat, image_size=(8, 8))
    (tmp_path / "empty" / "cls").mkdir(parents=True)
    with pytest.raises(ValueError, match="no image files"):
        Pipeline.from_image_directory(tmp_path / "empty", image_size=(8, 8))
    with pytest.raises(ValueError, match="class_names"):
        Pipeline.from_image_directory(digit_tree, image_size=(8, 8), class_names=["nine"])
    with pytest.raises(ValueError, match="image_size"):
        Pipeline.from_image_directory(digit_tree, image_size=(8, 0))
    with pytest.raises(ValueError, match="channels"):
        Pipeline.from_image_directory(digit_tree, image_size=(8, 8), channels=2)


# ------------------------------------------------------------------ TFRecord
def _write_shards(digits, folder):
    x, y = digits
    folder.mkdir()
    for shard, rows in enumerate(np.array_split(np.arange(len(x)), 2)):
        with tf.io.TFRecordWriter(str(folder / f"part-{shard}.tfrecord")) as writer:
            for i in rows:
                example = tf.train.Example(features=tf.train.Features(feature={
                    "pixels": tf.train.Feature(
                        int64_list=tf.train.Int64List(value=x[i].reshape(-1))),
                    "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[y[i]])),
                }))
                writer.write(example.SerializeToString())
    return str(folder / "part-*.tfrecord")


def test_tfrecord_with_features_and_parse_fn(digits, tmp_path):
    x, y = digits
    pattern = _write_shards(digits, tmp_path / "records")
    features = {"pixels": tf.io.FixedLenFeature([64], tf.int64),
                "label": tf.io.FixedLenFeature([], tf.int64)}
    pipe = Pipeline.from_tfrecord(pattern, features, label_key="label", cycle_length=2,
                                  verify=True).batch(30)
    (inputs, labels), = _rows(pipe)
    # deterministic interleave of 2 shards (cycle 2): rows alternate between them
    expect = np.ravel(np.stack([np.arange(15), np.arange(15, 30)], axis=1))
    np.testing.assert_array_equal(inputs["pixels"], x.reshape(30, 64)[expect])
    np.testing.assert_array_equal(labels, y[expect])

    def parse(record):
        parsed = tf.io.parse_single_example(record, features)
        return tf.reshape(tf.cast(parsed["pixels"], tf.uint8), [8, 8, 1]), parsed["label"]
    pipe = Pipeline.from_tfrecord(pattern, parse_fn=parse, cycle_length=1).batch(30)
    (images, labels), = _rows(pipe)
    np.testing.assert_array_equal(images[..., 0], x)  # cycle 1: shards one after another
    np.testing.assert_array_equal(labels, y)


def test_tfrecord_errors(digits, tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing-here-"):
        Pipeline.from_tfrecord(str(tmp_path / "nothing-here-*.tfrecord"),
                               {"a": tf.io.FixedLenFeature([], tf.int64)})
    pattern = _write_shards(digits, tmp_path / "records")
    with pytest.raises(ValueError, match="features"):
        Pipeline.from_tfrecord(pattern)
    with pytest.raises(ValueError, match="label_key"):
        Pipeline.from_tfrecord(pattern, {"a": tf.io.FixedLenFeature([], tf.int64)},
                               label_key="b")
    with pytest.raises(ValueError, match="num_parallel_reads"):
        Pipeline.from_tfrecord(pattern, parse_fn=lambda r: r, num_parallel_reads=0)
    damaged = tmp_path / "records" / "part-1.tfrecord"
    data = damaged.read_bytes()
    damaged.write_bytes(data[:-7] + b"garbage")
    pipe = Pipeline.from_tfrecord(pattern, parse_fn=lambda r: r)
    with pytest.raises(tf.errors.DataLossError):
        _rows(pipe)
    with pytest.raises(tf.errors.DataLossError, match="part-1.tfrecord"):
        Pipeline.from_tfrecord(pattern, parse_fn=lambda r: r, verify=True)


# ----------------------------------------------------------------- tables
@pytest.fixture(scope="module")
def cancer_csv(tmp_path_factory):
    data = load_breast_cancer()
    path = tmp_path_factory.mktemp("csv") / "breast_cancer.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(list(data.feature_names) + ["target"])
        for row, target in zip(data.data, data.target):
            writer.writerow([repr(float(v)) for v in row] + [int(target)])
    return path, data


def test_csv_table(cancer_csv):
    path, data = cancer_csv
    (features, labels), = _rows(Pipeline.from_csv(path, "target").batch(1000))
    assert features.dtype == np.float32 and features.shape == (569, 30)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(features, data.data.astype(np.float32))
    np.testing.assert_array_equal(labels, data.target)
    assert labels.sum() == 357
    cols = ["worst area", "mean radius"]
    (some, _), = _rows(Pipeline.from_csv(str(path), "target", columns=cols).batch(1000))
    np.testing.assert_array_equal(some, data.data[:, [23, 0]].astype(np.float32))
    # A float column as the label reads as float32.
    (_, radius), = _rows(Pipeline.from_csv(path, "mean radius").batch(1000))
    assert radius.dtype == np.float32
    np.testing.assert_allclose(radius, data.data[:, 0], rtol=1e-6)


def test_csv_errors(cancer_csv, tmp_path):
    path, _ = cancer_csv
    with pytest.raises(FileNotFoundError, match="nope"):
        Pipeline.from_csv(tmp_path / "nope*.csv", "target")
    with pytest.raises(ValueError, match="label_column"):
        Pipeline.from_csv(path, "label")
    with pytest.raises(ValueError, match="columns"):
        Pipeline.from_csv(path, "target", columns=["mean radius", "target"])
    with pytest.raises(ValueError, match="columns"):
        Pipeline.from_csv(path, "target", columns=["no such column"])


# -------------------------------------------------------------------- text
def test_text_lines_and_text_csv(tmp_path):
    lines = ["a gripping, well acted thriller", "dull", "", "the plot holds together"]
    (tmp_path / "a.txt").write_text("\n".join(lines[:2]) + "\n")
    (tmp_path / "b.txt").write_text("\n".join(lines[2:]) + "\n")
    got = [t.decode() for t in _rows(Pipeline.from_text_lines(str(tmp_path / "*.txt")))]
    assert got == lines
    path = tmp_path / "reviews.csv"
    rows = [("fresh", 'a "sharp", funny script'), ("rotten", "flat,\nlifeless"),
            ("fresh", "moving")]
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["label", "text"])
        writer.writerows(rows)
    pipe = Pipeline.from_text_csv(path, "text", "label")
    assert pipe.class_names == ["fresh", "rotten"]
    got = _rows(pipe)
    assert [(t.decode(), int(l)) for t, l in got] == [(t, int(l == "rotten")) for l, t in rows]
    pipe = Pipeline.from_text_csv(path, "text", "label", class_names=["rotten", "fresh"])
    assert [int(l) for _, l in _rows(pipe)] == [1, 0, 1]
    only_text = _rows(Pipeline.from_text_csv(path, "text"))
    assert only_text[2] == b"moving"
    with pytest.raises(ValueError, match="text_column"):
        Pipeline.from_text_csv(path, "review", "label")
    with pytest.raises(FileNotFoundError, match="gone.txt"):
        Pipeline.from_text_lines(tmp_path / "gone.txt")


# ------------------------------------------------------------------- audio
def _tone(path, freq, seconds, rate=8000, channels=1):
    t = np.arange(int(seconds * rate)) / rate
    wave = (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    audio = np.stack([wave] * channels, axis=1)
    path.write_bytes(tf.audio.encode_wav(audio, rate).numpy())
    return wave


def test_wav_tones(tmp_path):
    a = _tone(tmp_path / "a.wav", 440, 0.25)
    b = _tone(tmp_path / "b.wav", 660, 0.10, channels=2)
    pipe = Pipeline.from_wav([tmp_path / "a.wav", tmp_path / "b.wav"], labels=[3, 5])
    assert pipe.sample_rate == 8000
    (wa, la), (wb, lb) = _rows(pipe)
    assert wa.dtype == np.float32 and wa.shape == (2000,) and wb.shape == (800,)
    np.testing.assert_allclose(wa, a, atol=1.0 / 32767)  # 16-bit PCM
    np.testing.assert_allclose(wb, b, atol=1.0 / 32767)  # stereo averaged to mono
    assert (la, lb) == (3, 5)
    fixed = Pipeline.from_wav(str(tmp_path / "*.wav"), length=1000).batch(2)
    (batch,) = _rows(fixed)
    assert batch.shape == (2, 1000)
    np.testing.assert_allclose(batch[0], a[:1000], atol=1.0 / 32767)  # cropped
    np.testing.assert_array_equal(batch[1, 800:], 0.0)  # padded


def test_wav_reads_8_bit_and_24_bit_files(tmp_path):
    import wave as wavfile  # pylint: disable=import-outside-toplevel
    t = np.arange(400) / 8000
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    pcm = {1: (np.round(tone * 127) + 128).astype(np.uint8).tobytes(),  # unsigned 8-bit
           3: b"".join(int(round(v * (2 ** 23 - 1))).to_bytes(3, "little", signed=True)
                       for v in tone)}
    for width, frames in pcm.items():
        with wavfile.open(str(tmp_path / f"w{width}.wav"), "wb") as f:
            f.setnchannels(1)
            f.setsampwidth(width)
            f.setframerate(8000)
            f.writeframes(frames)
    w8, w24 = _rows(Pipeline.from_wav([tmp_path / "w1.wav", tmp_path / "w3.wav"]))
    np.testing.assert_allclose(w8, tone, atol=1.0 / 127)  # tf.audio.decode_wav refuses these
    np.testing.assert_allclose(w24, tone, atol=1.0 / 2 ** 22)


def _peak_hz(wave, rate):
    spectrum = np.abs(np.fft.rfft(wave * np.hanning(len(wave))))
    return np.argmax(spectrum) * rate / len(wave)


def test_wav_resamples_other_rates_to_the_pipeline_rate(tmp_path):
    _tone(tmp_path / "a.wav", 440, 0.5, rate=16000)
    _tone(tmp_path / "b.wav", 1000, 0.5, rate=11025)
    _tone(tmp_path / "c.wav", 660, 0.5, rate=8000)
    pipe = Pipeline.from_wav(str(tmp_path / "*.wav"), labels=None, sample_rate=16000)
    assert pipe.sample_rate == 16000
    a, b, c = _rows(pipe)
    assert (len(a), len(b), len(c)) == (8000, 8000, 8000)  # 0.5 s at 16 kHz each
    for wave, hz in ((a, 440), (b, 1000), (c, 660)):  # the pitch survives resampling
        assert abs(_peak_hz(wave, 16000) - hz) <= 2.0
        assert np.sqrt(np.mean(wave[400:-400] ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.02)
    expected = tfaug.audio.ops.resample(
        tfaug.audio.read_wav(tmp_path / "b.wav")[0], 11025, 16000).numpy()
    np.testing.assert_allclose(b, expected, atol=1e-6)  # tfaug's own resampler
    fixed = Pipeline.from_wav(str(tmp_path / "*.wav"), sample_rate=16000, length=4000)
    assert all(w.shape == (4000,) for w in _rows(fixed))


def test_wav_errors(tmp_path):
    _tone(tmp_path / "a.wav", 440, 0.1, rate=8000)
    _tone(tmp_path / "b.wav", 440, 0.1, rate=16000)
    with pytest.raises(ValueError, match=r"b\.wav.*16000 Hz.*`sample_rate` 8000 Hz"):
        Pipeline.from_wav(str(tmp_path / "*.wav"), resample=False)  # at build time
    with pytest.raises(ValueError, match="resample"):
        Pipeline.from_wav(str(tmp_path / "*.wav"), resample="no")
    (tmp_path / "bad.wav").write_bytes(b"not a wav file at all")
    with pytest.raises(ValueError, match=r"bad\.wav.*not a WAV"):
        Pipeline.from_wav([tmp_path / "bad.wav"])
    (tmp_path / "bad.wav").unlink()
    with pytest.raises(ValueError, match="labels"):
        Pipeline.from_wav(str(tmp_path / "*.wav"), labels=[0, 1])
    with pytest.raises(ValueError, match="labels"):
        Pipeline.from_wav([tmp_path / "a.wav"], labels=[0, 1])
    with pytest.raises(ValueError, match="length"):
        Pipeline.from_wav([tmp_path / "a.wav"], length=0)
    with pytest.raises(FileNotFoundError, match="nothing"):
        Pipeline.from_wav(str(tmp_path / "nothing*.wav"))


def test_expand_files_keeps_list_order(tmp_path):
    for name in ("b", "a"):
        (tmp_path / name).write_text("x")
    files = sources.expand_files([tmp_path / "b", tmp_path / "a"], "paths")
    assert [f[-1] for f in files] == ["b", "a"]
    with pytest.raises(ValueError, match="paths"):
        sources.expand_files([], "paths")
