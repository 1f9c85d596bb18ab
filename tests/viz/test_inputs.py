"""tfaug.viz.inputs: reading preview inputs from image, WAV, text and CSV files."""

import numpy as np
import pytest

from tfaug import audio
from tfaug.viz import inputs


def test_images_keep_their_sizes_or_are_letterboxed(tmp_path):
    from PIL import Image  # pylint: disable=import-outside-toplevel
    a = np.arange(12 * 10 * 3, dtype=np.uint8).reshape(12, 10, 3)
    Image.fromarray(a).save(tmp_path / "a.png")
    Image.fromarray(np.full((24, 60, 3), 200, np.uint8)).save(tmp_path / "b.png")
    (tmp_path / "notes.md").write_text("not an image")
    images = inputs.read_images(tmp_path)  # a folder: only image files, sorted
    # Different sizes: a list, each image at its own size (never stretched).
    assert [i.shape for i in images] == [(12, 10, 3), (24, 60, 3)]
    np.testing.assert_array_equal(images[0], a)  # bit for bit
    same = inputs.read_images([tmp_path / "a.png", tmp_path / "a.png"])
    assert same.shape == (2, 12, 10, 3) and same.dtype == np.uint8  # one size: a batch
    # image_size: scaled to fit, aspect kept (60x24 -> 30x12 in 30x30), padded with black.
    boxed = inputs.read_images([tmp_path / "b.png"], image_size=(30, 30))
    assert boxed.shape == (1, 30, 30, 3)
    rows = np.nonzero(boxed[0, :, :, 0] > 100)[0]
    assert rows.max() - rows.min() + 1 == 12 and np.all(boxed[0, :9] == 0)
    (tmp_path / "bad.png").write_bytes(b"no png")
    with pytest.raises(ValueError, match="bad.png.*not an image"):
        inputs.read_images([tmp_path / "bad.png"])
    with pytest.raises(ValueError, match="`channels` must be 1, 3 or 4"):
        inputs.read_images(tmp_path, channels=2)


def test_clips_are_resampled_to_the_rate_and_padded(tmp_path):
    t = np.arange(1600) / 16000.0
    audio.write_wav(tmp_path / "a.wav", (0.5 * np.sin(2 * np.pi * 500 * t)).astype(np.float32),
                    16000)
    audio.write_wav(tmp_path / "b.wav", np.full(400, 0.25, np.float32), 8000)
    clips, lengths = inputs.read_clips(tmp_path, 8000)
    assert lengths == [800, 400] and clips.shape == (2, 800)
    assert np.all(clips[1, 400:] == 0)
    spectrum = np.abs(np.fft.rfft(clips[0]))
    assert np.argmax(spectrum) * 8000 / 800 == pytest.approx(500, abs=10)  # the tone kept


def test_lines_and_tables(tmp_path):
    (tmp_path / "a.txt").write_text("first line\n\n  second line  \n", encoding="utf-8")
    assert inputs.read_lines([tmp_path / "a.txt"]) == ["first line", "second line"]
    (tmp_path / "t.csv").write_text("x,y,label\n1,2,0\n3,4.5,1\n", encoding="utf-8")
    x, y = inputs.read_table([tmp_path / "t.csv"])
    np.testing.assert_array_equal(x, [[1, 2], [3, 4.5]])
    np.testing.assert_array_equal(y, [0, 1])
    assert inputs.read_table([tmp_path / "t.csv"], return_names=True)[2] == ["x", "y"]
    table = inputs.read_inputs([tmp_path / "t.csv"], "tabular")
    assert table["feature_names"] == ["x", "y"]  # the header, less the label column
    np.testing.assert_array_equal(table["labels"], [0, 1])
    with pytest.raises(ValueError, match="`label_column` 'cls' is not a column"):
        inputs.read_table([tmp_path / "t.csv"], label_column="cls")
    (tmp_path / "bad.csv").write_text("x,label\n1,0\n2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3: 1 cells, the header has 2"):
        inputs.read_table([tmp_path / "bad.csv"])


def test_read_inputs_dispatch_and_errors(tmp_path):
    (tmp_path / "a.txt").write_text("hello world\n", encoding="utf-8")
    assert inputs.read_inputs([tmp_path / "a.txt"], "text") == ["hello world"]
    with pytest.raises(ValueError, match="`modality` must be one of"):
        inputs.read_inputs([tmp_path / "a.txt"], "video")
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        inputs.read_lines([tmp_path / "missing.txt"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no .wav file in the folder"):
        inputs.read_clips(tmp_path / "empty", 8000)
