"""Read preview inputs from files: images, WAV clips, text lines, CSV tables.

What ``tfaug preview POLICY INPUT...`` reads; usable alone to preview your own
files in a notebook (``tfaug.viz.read_inputs(paths, "image")``).
"""

from __future__ import annotations

from collections.abc import Sequence
import csv
import os
import pathlib
from typing import Any

import numpy as np

from tfaug.data.readers_media import IMAGE_EXTENSIONS as IMAGE_SUFFIXES
SUFFIXES = {"image": IMAGE_SUFFIXES, "audio": (".wav",), "text": (".txt",),
            "tabular": (".csv",)}


def _expand(paths, suffixes):
    """Files of ``paths`` (folders expanded to their files with ``suffixes``, sorted)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files = []
    for path in paths:
        path = pathlib.Path(path)
        if path.is_dir():
            found = sorted(p for p in path.iterdir()
                           if p.is_file() and p.suffix.lower() in suffixes)
            if not found:
                raise ValueError(f"no {'/'.join(suffixes)} file in the folder {str(path)!r}.")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {str(path)!r}.")
    if not files:
        raise ValueError("`paths` is empty: give at least one file or folder.")
    return files


def read_images(paths, image_size=None, channels=3):
    """Images as uint8 arrays, never stretched.

    Args:
      paths: Image files (JPEG, PNG, BMP, GIF) or folders of them.
      image_size: ``(height, width)``: every image is scaled, keeping its
        aspect ratio, to fit inside it and padded with black to exactly that
        size (letterboxed), so they form one batch. None keeps each image at
        its own size.
      channels: 1, 3 or 4.

    Returns:
      A numpy uint8 array ``[N, H, W, channels]`` when ``image_size`` is
      given or every image has the same size; otherwise a list of ``[H, W,
      channels]`` arrays (:func:`tfaug.viz.preview` runs the layer on each
      image alone and shows each at its own shape).

    Raises:
      ValueError: a file is not an image, or a bad argument.

    Example:
      >>> def write_png(path, height, width):
      ...     pixels = tf.random.uniform([height, width, 3], 0, 256, tf.int32)
      ...     tf.io.write_file(path, tf.io.encode_png(tf.cast(pixels, tf.uint8)))
      >>> write_png("cat.png", 40, 60)
      >>> write_png("dog.png", 50, 50)
      >>> images = read_images(["cat.png", "dog.png"], image_size=(32, 32))
      >>> images.shape, images.dtype
      ((2, 32, 32, 3), dtype('uint8'))
    """
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    if channels not in (1, 3, 4):
        raise ValueError(f"`channels` must be 1, 3 or 4, got {channels!r}.")
    images = []
    for path in _expand(paths, IMAGE_SUFFIXES):
        try:
            image = tf.io.decode_image(tf.io.read_file(str(path)), channels=channels,
                                       expand_animations=False)
        except tf.errors.InvalidArgumentError:
            raise ValueError(f"{str(path)!r} is not an image tfaug can decode "
                             f"({', '.join(IMAGE_SUFFIXES)}).") from None
        if image_size is not None and tuple(image.shape[:2]) != tuple(image_size):
            image = tf.image.resize_with_pad(image, int(image_size[0]), int(image_size[1]),
                                             antialias=True)
            image = tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)
        images.append(image.numpy())
    if len({i.shape for i in images}) == 1:
        return np.stack(images)
    return images


def read_clips(paths, sample_rate):
    """WAV clips as float32 ``[N, T]`` at ``sample_rate`` (mono, zero-padded to the longest).

    Clips at another rate are resampled (:func:`tfaug.audio.ops.resample`).

    Args:
      paths: WAV files or folders of them.
      sample_rate: The rate the augmentation expects (Hz).

    Returns:
      ``(clips, lengths)``: numpy float32 ``[N, T]`` and each clip's length.

    Example:
      >>> path = tfaug.audio.write_wav("a.wav", np.zeros(1600, "float32"), 16000)
      >>> path = tfaug.audio.write_wav("b.wav", np.zeros(800, "float32"), 16000)
      >>> clips, lengths = read_clips(["a.wav", "b.wav"], 16000)
      >>> clips.shape, lengths  # zero-padded to the longest
      ((2, 1600), [1600, 800])
    """
    from tfaug import audio  # pylint: disable=import-outside-toplevel
    clips = []
    for path in _expand(paths, (".wav",)):
        clip, rate = audio.read_wav(path, mono=True)
        if rate != sample_rate:
            clip = audio.ops.resample(clip[None], rate, sample_rate)[0]
        clips.append(np.asarray(clip, np.float32))
    longest = max(len(c) for c in clips)
    out = np.zeros((len(clips), longest), np.float32)
    for i, clip in enumerate(clips):
        out[i, :len(clip)] = clip
    return out, [len(c) for c in clips]


def read_lines(paths):
    """Non-empty lines of text files (one sample a line), stripped.

    Example:
      >>> with open("reviews.txt", "w") as f:
      ...     _ = f.write("a gripping film\\n\\n  too long by half \\n")
      >>> read_lines(["reviews.txt"])
      ['a gripping film', 'too long by half']
    """
    lines = []
    for path in _expand(paths, (".txt",)):
        with open(path, encoding="utf-8") as f:
            lines += [line.strip() for line in f if line.strip()]
    if not lines:
        raise ValueError("the text files hold no non-empty line.")
    return lines


def read_table(paths, label_column="label", return_names=False):
    """Numeric CSV rows as ``(features float32 [N, F], labels int32 [N])``.

    Args:
      paths: CSV files with a header row (the same columns in each).
      label_column: Name of the integer class column; the other columns are
        features and must be numeric.
      return_names: Also return the feature columns' names (the header
        without the label column): ``(features, labels, names)``.

    Raises:
      ValueError: no such column, a non-numeric cell (its file, row and
        column are named), or files with different headers.

    Example:
      >>> with open("pima.csv", "w") as f:
      ...     _ = f.write("glucose,bmi,class\\n148,33.6,1\\n85,26.6,0\\n")
      >>> x, y = read_table(["pima.csv"], label_column="class")
      >>> x.tolist(), y.tolist()
      ([[148.0, 33.599998474121094], [85.0, 26.600000381469727]], [1, 0])
    """
    header, rows, labels = None, [], []
    for path in _expand(paths, (".csv",)):
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            names = next(reader, None)
            if names is None:
                raise ValueError(f"{str(path)!r} is empty (a header row is needed).")
            if header is None:
                header = names
                if label_column not in header:
                    raise ValueError(f"`label_column` {label_column!r} is not a column of "
                                     f"{str(path)!r}: {', '.join(header)}.")
            elif names != header:
                raise ValueError(f"{str(path)!r} has other columns than the first file.")
            index = header.index(label_column)
            for line, row in enumerate(reader, start=2):
                if not row:
                    continue
                try:
                    values = [float(v) for v in row]
                except ValueError:
                    raise ValueError(f"{str(path)!r} line {line}: every cell must be a "
                                     f"number, got {row!r}.") from None
                if len(values) != len(header):
                    raise ValueError(f"{str(path)!r} line {line}: {len(values)} cells, "
                                     f"the header has {len(header)}.")
                labels.append(int(values.pop(index)))
                rows.append(values)
    if not rows:
        raise ValueError("the CSV files hold no row.")
    features, labels = np.asarray(rows, np.float32), np.asarray(labels, np.int32)
    if return_names:
        return features, labels, [name for name in header if name != label_column]
    return features, labels


def read_inputs(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], modality: str,
                image_size: tuple[int, int] | None = None, sample_rate: int = 16000,
                label_column: str | None = "label") -> Any:
    """Reads preview inputs for ``modality`` from files or folders.

    Args:
      paths: Files or folders.
      modality: ``"image"`` (uint8 ``[N, H, W, 3]``, or a list of images
        when their sizes differ and no ``image_size`` is given), ``"audio"``
        (float32 ``[N, T]`` at ``sample_rate``), ``"text"`` (list of lines)
        or ``"tabular"`` (``{"features", "labels", "feature_names"}`` from
        CSV, the names from its header).
      image_size: See :func:`read_images`.
      sample_rate: See :func:`read_clips`.
      label_column: See :func:`read_table`.

    Returns:
      What :func:`tfaug.viz.preview` takes for that modality.

    Raises:
      ValueError: unknown modality or unreadable files.

    Example:
      >>> import os
      >>> os.makedirs("photos", exist_ok=True)
      >>> def write_png(path, height, width):
      ...     pixels = tf.random.uniform([height, width, 3], 0, 256, tf.int32)
      ...     tf.io.write_file(path, tf.io.encode_png(tf.cast(pixels, tf.uint8)))
      >>> for i in range(3):
      ...     write_png(f"photos/{i}.png", 40 + 10 * i, 48)
      >>> inputs = read_inputs(["photos/"], "image", image_size=(32, 32))
      >>> inputs.shape
      (3, 32, 32, 3)
    """
    if modality == "image":
        return read_images(paths, image_size)
    if modality == "audio":
        return read_clips(paths, sample_rate)[0]
    if modality == "text":
        return read_lines(paths)
    if modality == "tabular":
        features, labels, names = read_table(paths, label_column, return_names=True)
        return {"features": features, "labels": labels, "feature_names": names}
    raise ValueError(f"`modality` must be one of {', '.join(SUFFIXES)}, got {modality!r}.")
