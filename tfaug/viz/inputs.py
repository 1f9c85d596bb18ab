"""Read preview inputs from files: images, WAV clips, text lines, CSV tables.

What ``tfaug preview POLICY INPUT...`` reads; usable alone to preview your own
files in a notebook (``tfaug.viz.read_inputs(paths, "image")``).
"""

import csv
import os
import pathlib

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
    """Images as uint8 ``[N, H, W, channels]``.

    Args:
      paths: Image files (JPEG, PNG, BMP, GIF) or folders of them.
      image_size: ``(height, width)`` to resize every image to; None keeps the
        size of the first image and resizes the others to it.
      channels: 1, 3 or 4.

    Returns:
      A numpy uint8 array.

    Raises:
      ValueError: a file is not an image, or a bad argument.

    Example:
      >>> images = read_images(["cat.jpg", "dog.png"], image_size=(224, 224))
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
        if image_size is None:
            image_size = tuple(image.shape[:2])
        if tuple(image.shape[:2]) != tuple(image_size):
            image = tf.cast(tf.clip_by_value(tf.round(tf.image.resize(image, image_size)),
                                             0, 255), tf.uint8)
        images.append(image.numpy())
    return np.stack(images)


def read_clips(paths, sample_rate):
    """WAV clips as float32 ``[N, T]`` at ``sample_rate`` (mono, zero-padded to the longest).

    Clips at another rate are resampled (:func:`tfaug.audio.ops.resample`).

    Args:
      paths: WAV files or folders of them.
      sample_rate: The rate the augmentation expects (Hz).

    Returns:
      ``(clips, lengths)``: numpy float32 ``[N, T]`` and each clip's length.

    Example:
      >>> clips, lengths = read_clips(["a.wav", "b.wav"], 16000)
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
      >>> read_lines(["reviews.txt"])
      ['a gripping film', ...]
    """
    lines = []
    for path in _expand(paths, (".txt",)):
        with open(path, encoding="utf-8") as f:
            lines += [line.strip() for line in f if line.strip()]
    if not lines:
        raise ValueError("the text files hold no non-empty line.")
    return lines


def read_table(paths, label_column="label"):
    """Numeric CSV rows as ``(features float32 [N, F], labels int32 [N])``.

    Args:
      paths: CSV files with a header row (the same columns in each).
      label_column: Name of the integer class column; the other columns are
        features and must be numeric.

    Raises:
      ValueError: no such column, a non-numeric cell (its file, row and
        column are named), or files with different headers.

    Example:
      >>> x, y = read_table(["pima.csv"], label_column="class")
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
    return np.asarray(rows, np.float32), np.asarray(labels, np.int32)


def read_inputs(paths, modality, image_size=None, sample_rate=16000, label_column="label"):
    """Reads preview inputs for ``modality`` from files or folders.

    Args:
      paths: Files or folders.
      modality: ``"image"`` (uint8 ``[N, H, W, 3]``), ``"audio"`` (float32
        ``[N, T]`` at ``sample_rate``), ``"text"`` (list of lines) or
        ``"tabular"`` (``(features, labels)`` from CSV).
      image_size: See :func:`read_images`.
      sample_rate: See :func:`read_clips`.
      label_column: See :func:`read_table`.

    Returns:
      What :func:`tfaug.viz.preview` takes for that modality.

    Raises:
      ValueError: unknown modality or unreadable files.

    Example:
      >>> inputs = read_inputs(["photos/"], "image", image_size=(128, 128))
    """
    if modality == "image":
        return read_images(paths, image_size)
    if modality == "audio":
        return read_clips(paths, sample_rate)[0]
    if modality == "text":
        return read_lines(paths)
    if modality == "tabular":
        return read_table(paths, label_column)
    raise ValueError(f"`modality` must be one of {', '.join(SUFFIXES)}, got {modality!r}.")
