"""Media readers: image folders (one folder per class) and WAV files.

The :class:`tfaug.data.pipeline.Pipeline` constructors ``from_image_directory``
and ``from_wav`` call these. Files are listed and checked in Python when the
reader is called; decoding runs in ``tf.data`` (parallel, order kept).
"""

import os

import tensorflow as tf

from tfaug.audio import decode_wav, wav_sample_rate
from tfaug.audio.ops import resample as resample_op
from tfaug.core import validation
from tfaug.data.sources import AUTOTUNE, Source, describe_files, expand_files

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                  "gaussian", "mitchellcubic")


def _class_folders(directory):
    folders = sorted(name for name in tf.io.gfile.listdir(directory)
                     if tf.io.gfile.isdir(os.path.join(directory, name.rstrip("/"))))
    return [name.rstrip("/") for name in folders]


def _check_class_names(class_names, folders, directory):
    if (not isinstance(class_names, (list, tuple)) or not class_names
            or not all(isinstance(c, str) for c in class_names)
            or len(set(class_names)) != len(class_names)):
        raise ValueError("`class_names` must be a non-empty list of distinct folder names, "
                         f"got {class_names!r}.")
    missing = [c for c in class_names if c not in folders]
    if missing:
        raise ValueError(f"`class_names` {missing} have no folder in {directory!r}; its "
                         f"class folders are {folders}.")
    return list(class_names)


def image_directory(directory, image_size=None, channels=3, class_names=None,
                    interpolation="bilinear"):
    """Images in ``directory/<class>/*.{jpg,jpeg,png,bmp,gif}``, labelled by folder.

    Every image is decoded with ``tf.io.decode_image(channels=channels,
    expand_animations=False)`` and resized to ``image_size`` (images already of
    that size are returned as decoded, bit for bit); the output is uint8
    ``[H, W, channels]`` (``image_size=None`` keeps each image's stored size:
    they must then all be equal to be batched). The label (int32) is the class folder's index in
    ``class_names``: by default every sub-folder, sorted by name. Files are
    read class by class, sorted by name.

    Args:
      directory: Folder holding one sub-folder per class.
      image_size: ``(height, width)`` (or one int for a square), or None to
        keep the stored sizes.
      channels: 1 (grey), 3 (RGB) or 4 (RGBA).
      class_names: Folder names to read, in label order; other folders are
        skipped. None: every sub-folder, sorted.
      interpolation: ``tf.image.resize`` method.

    Returns:
      A :class:`tfaug.data.sources.Source` of ``(image, label)``; its ``info``
      has ``class_names`` and ``files``.

    Raises:
      FileNotFoundError: ``directory`` does not exist.
      ValueError: no class folders, no images, or bad arguments.
    """
    if not isinstance(directory, (str, os.PathLike)):
        raise ValueError(f"`directory` must be a folder path, got {directory!r}.")
    directory = os.fspath(directory)
    if not tf.io.gfile.isdir(directory):
        raise FileNotFoundError(f"`directory`: no folder {directory!r} (expected one "
                                "sub-folder per class holding JPEG/PNG images).")
    height, width = ((None, None) if image_size is None
                     else validation.check_size("image_size", image_size))
    if isinstance(channels, bool):
        raise ValueError(f"`channels` must be one of [1, 3, 4], got {channels!r}.")
    channels = validation.check_choice("channels", channels, (1, 3, 4))
    interpolation = validation.check_choice("interpolation", interpolation, INTERPOLATIONS)
    folders = _class_folders(directory)
    if not folders:
        raise ValueError(f"`directory` {directory!r} has no class folders; expected one "
                         "sub-folder per class (directory/<class>/<image files>).")
    names = folders if class_names is None else _check_class_names(class_names, folders,
                                                                     directory)
    files, labels = [], []
    for label, name in enumerate(names):
        folder = os.path.join(directory, name)
        found = sorted(f for f in tf.io.gfile.listdir(folder)
                       if f.lower().endswith(IMAGE_EXTENSIONS))
        files.extend(os.path.join(folder, f) for f in found)
        labels.extend([label] * len(found))
    if not files:
        raise ValueError(f"`directory` {directory!r}: the class folders {names} hold no "
                         f"image files ({', '.join(IMAGE_EXTENSIONS)}).")
    size = None if image_size is None else tf.constant([height, width], tf.int32)

    def load(path, label):
        image = tf.io.decode_image(tf.io.read_file(path), channels=channels,
                                   expand_animations=False, dtype=tf.uint8)
        image.set_shape([None, None, channels])
        if image_size is None:
            return image, label

        def resize():
            out = tf.image.resize(image, size, method=interpolation)
            return tf.cast(tf.clip_by_value(tf.round(out), 0.0, 255.0), tf.uint8)
        same = tf.reduce_all(tf.equal(tf.shape(image)[:2], size))
        image = tf.cond(same, lambda: image, resize)
        return tf.ensure_shape(image, [height, width, channels]), label

    def make():
        pairs = tf.data.Dataset.from_tensor_slices((files, tf.constant(labels, tf.int32)))
        return pairs.map(load, num_parallel_calls=AUTOTUNE, deterministic=True)

    return Source("from_image_directory", make,
                  f"{directory!r}, image_size={None if height is None else (height, width)}, "
                  f"channels={channels}, "
                  f"{len(names)} classes, {len(files)} images",
                  {"class_names": list(names), "files": files})


def wav(paths_or_pattern, labels=None, sample_rate=None, length=None, resample=True):
    """WAV files decoded with :func:`tfaug.audio.decode_wav` into mono float32 ``[T]``.

    8-bit, 16-bit, 24-bit and 32-bit PCM and float WAVs are read (a graph op,
    unlike ``tf.audio.decode_wav``, which reads 16-bit PCM only). Multi-channel
    files are averaged to mono. Every file's sample rate is read from its
    header when the reader is called; a file whose rate differs from the
    pipeline's (``sample_rate``, or when None the first file's) is resampled
    to it in the pipeline with :func:`tfaug.audio.ops.resample` (band-limited
    windowed sinc), or, with ``resample=False``, refused there and then with a
    ``ValueError`` that names the file and both rates.

    Args:
      paths_or_pattern: A glob pattern (files sorted) or a list of paths.
      labels: Optional labels, one per file; then ``paths_or_pattern`` must be
        a list (its order is the labels' order).
      sample_rate: The pipeline's rate in Hz, or None for the first file's rate.
      length: Pad with zeros or crop each clip to this many samples (after
        resampling), so clips of different lengths batch; None keeps each
        clip's length.
      resample: Resample files of another rate (True) or refuse them (False).

    Returns:
      A :class:`tfaug.data.sources.Source` of ``waveform`` or
      ``(waveform, label)``; ``info["sample_rate"]`` is the rate and
      ``info["file_rates"]`` each file's own rate.

    Raises:
      FileNotFoundError: no file matches.
      ValueError: bad arguments, labels that do not match the files, a file
        that is not a WAV file, or (``resample=False``) a file of another rate.
    """
    files = expand_files(paths_or_pattern, "paths_or_pattern")
    if labels is not None:
        if not isinstance(paths_or_pattern, (list, tuple)):
            raise ValueError("`labels` needs `paths_or_pattern` as a list of paths (their "
                             "order is the labels' order), got the pattern "
                             f"{paths_or_pattern!r}.")
        try:
            labels = tf.convert_to_tensor(labels)
        except (TypeError, ValueError) as err:
            raise ValueError(f"`labels` must be an array of numbers, got {labels!r}.") from err
        if labels.shape.rank == 0 or labels.shape[0] != len(files):
            raise ValueError(f"`labels` must have one entry per file ({len(files)} files), "
                             f"got shape {labels.shape}.")
    resample = validation.check_bool("resample", resample)
    rates = [wav_sample_rate(path) for path in files]
    if sample_rate is None:
        sample_rate = rates[0]
    sample_rate = validation.check_int("sample_rate", sample_rate, 1)
    if length is not None:
        length = validation.check_int("length", length, 1)
    others = [(path, rate) for path, rate in zip(files, rates) if rate != sample_rate]
    if others and not resample:
        path, rate = others[0]
        raise ValueError(
            f"WAV file {path!r} has sample rate {rate} Hz, not the pipeline's "
            f"`sample_rate` {sample_rate} Hz ({len(others)} of {len(files)} files differ); "
            "pass resample=True to resample them, or convert them first (e.g. "
            f"`sox in.wav -r {sample_rate} out.wav`).")
    distinct = sorted(set(rates))
    rate_index = [distinct.index(rate) for rate in rates]

    def to_pipeline_rate(wave, index):
        branches = [lambda r=r: resample_op(wave, r, sample_rate) for r in distinct]
        return branches[0]() if len(branches) == 1 else tf.switch_case(index, branches)

    def load(path, index, header_rate):
        wave, rate = decode_wav(tf.io.read_file(path), mono=True)
        check = tf.debugging.Assert(
            tf.equal(rate, header_rate),
            ["WAV file", path, "now has sample rate", rate,
             "Hz, not the", header_rate, "Hz its header had when the pipeline was built"])
        with tf.control_dependencies([check]):
            wave = tf.identity(wave)
        if others:
            wave = to_pipeline_rate(wave, index)
        if length is not None:
            wave = wave[:length]
            wave = tf.pad(wave, [[0, length - tf.shape(wave)[0]]])
            wave = tf.ensure_shape(wave, [length])
        return wave

    def make():
        paths = tf.data.Dataset.from_tensor_slices(
            (files, tf.constant(rate_index, tf.int32), tf.constant(rates, tf.int32)))
        waves = paths.map(load, num_parallel_calls=AUTOTUNE, deterministic=True)
        if labels is None:
            return waves
        return tf.data.Dataset.zip((waves, tf.data.Dataset.from_tensor_slices(labels)))

    return Source("from_wav", make,
                  f"{describe_files(paths_or_pattern)}, {len(files)} files, "
                  f"sample_rate={sample_rate}, length={length}",
                  {"sample_rate": sample_rate, "files": files, "file_rates": rates})
