"""The ``Pipeline.from_*`` constructors (a base class of ``Pipeline``).

Each checks its arguments and files now and hands ``cls`` a
:class:`tfaug.data.sources.Source`; the readers live in
:mod:`tfaug.data.sources`, :mod:`tfaug.data.readers_table` and
:mod:`tfaug.data.readers_media`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
import os
from typing import TYPE_CHECKING, Any

import tensorflow as tf

from tfaug.data import readers_media, readers_table, sources

if TYPE_CHECKING:  # the constructors return the subclass; no import cycle at run time
    from tfaug.data.pipeline import Pipeline

AUTOTUNE = tf.data.AUTOTUNE


class SourceConstructors:
    """Class methods that start a pipeline from a source (``cls(source)``)."""

    __slots__ = ()

    @classmethod
    def from_tensors(cls, inputs: Any, labels: Any = None) -> Pipeline:
        """Arrays, tensors or dicts of them (``N`` examples along axis 0).

        Args:
          inputs: Array/tensor or dict of them.
          labels: Optional array/tensor with ``N`` labels.

        Returns:
          A ``Pipeline``.

        Raises:
          ValueError: empty data or sizes that disagree.

        Example:
          >>> x_train, y_train = np.zeros([100, 4], "float32"), np.arange(100) % 3
          >>> pipe = tfaug.data.Pipeline.from_tensors(x_train, y_train).batch(32)
          >>> [t.shape for t in next(iter(pipe.build()))]
          [TensorShape([32, 4]), TensorShape([32])]
        """
        return cls(sources.tensors(inputs, labels))

    @classmethod
    def from_dataset(cls, ds: tf.data.Dataset) -> Pipeline:
        """Wraps an existing dataset.

        Args:
          ds: A ``tf.data.Dataset`` of unbatched ``inputs`` or
            ``(inputs, labels)`` elements.

        Returns:
          A ``Pipeline``.

        Raises:
          ValueError: ``ds`` is not a dataset.
        """
        return cls(sources.dataset(ds))

    @classmethod
    def from_tfrecord(cls, file_pattern: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                      features: Mapping[str, Any] | Callable[..., Any] | None = None,
                      parse_fn: Callable[[tf.Tensor], Any] | None = None,
                      label_key: str | None = None, cycle_length: int | None = None,
                      num_parallel_reads: int = AUTOTUNE, deterministic: bool = True,
                      verify: bool = False) -> Pipeline:
        """TFRecord shards, listed sorted and read with a deterministic interleave.

        Args:
          file_pattern: Path, glob pattern or list of them.
          features: dict of ``tf.io`` feature specs for
            ``tf.io.parse_single_example`` (elements are dicts), or a function.
          parse_fn: ``serialized -> element``; instead of ``features``.
          label_key: The ``features`` entry that holds the labels.
          cycle_length: Shards read at once (None: TensorFlow's default).
          num_parallel_reads: Parallel calls of the interleave.
          deterministic: Keep the element order when reading in parallel.
          verify: Read every record now; a damaged shard fails here, named.

        Returns:
          A ``Pipeline`` (details: :func:`tfaug.data.sources.tfrecord`).

        Raises:
          FileNotFoundError: nothing matches ``file_pattern``.
          ValueError: bad arguments.
          tf.errors.DataLossError: ``verify`` found a damaged file.

        Example:
          >>> import os
          >>> os.makedirs("data", exist_ok=True)
          >>> with tf.io.TFRecordWriter("data/train-0.tfrecord") as writer:
          ...     for i in range(4):
          ...         example = tf.train.Example(features=tf.train.Features(feature={
          ...             "x": tf.train.Feature(float_list=tf.train.FloatList(value=[i] * 4)),
          ...             "y": tf.train.Feature(int64_list=tf.train.Int64List(value=[i % 2]))}))
          ...         writer.write(example.SerializeToString())
          >>> pipe = tfaug.data.Pipeline.from_tfrecord("data/train-*.tfrecord",
          ...     {"x": tf.io.FixedLenFeature([4], tf.float32),
          ...      "y": tf.io.FixedLenFeature([], tf.int64)}, label_key="y")
          >>> features, label = next(iter(pipe.build()))
          >>> features["x"].numpy().tolist(), int(label)
          ([0.0, 0.0, 0.0, 0.0], 0)
        """
        return cls(sources.tfrecord(file_pattern, features, parse_fn, label_key, cycle_length,
                                    num_parallel_reads, deterministic, verify))

    @classmethod
    def from_image_directory(cls, directory: str | os.PathLike[str], image_size: tuple[int, int],
                             channels: int = 3, class_names: Sequence[str] | None = None,
                             interpolation: str = "bilinear") -> Pipeline:
        """Images in ``directory/<class>/``: uint8 ``[H, W, C]``, int32 labels.

        Args:
          directory: Folder with one sub-folder per class.
          image_size: ``(height, width)`` every image is resized to.
          channels: 1, 3 or 4.
          class_names: Folders to read, in label order (None: all, sorted).
          interpolation: ``tf.image.resize`` method.

        Returns:
          A ``Pipeline`` (details: :func:`tfaug.data.readers_media.image_directory`).

        Raises:
          FileNotFoundError: no such folder.
          ValueError: no class folders or no images.

        Example:
          >>> import os
          >>> for label in ["cats", "dogs"]:  # a folder of PNGs per class
          ...     os.makedirs(f"train/{label}", exist_ok=True)
          ...     for i in range(4):
          ...         pixels = tf.random.uniform([40, 48, 3], 0, 256, tf.int32)
          ...         png = tf.io.encode_png(tf.cast(pixels, tf.uint8))
          ...         tf.io.write_file(f"train/{label}/{i}.png", png)
          >>> pipe = tfaug.data.Pipeline.from_image_directory("train/", image_size=(32, 32))
          >>> image, label = next(iter(pipe.build()))
          >>> image.shape, image.dtype, pipe.class_names
          (TensorShape([32, 32, 3]), tf.uint8, ['cats', 'dogs'])
        """
        return cls(readers_media.image_directory(directory, image_size, channels, class_names,
                                                 interpolation))

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                 label_column: str | None, columns: Sequence[str] | None = None,
                 class_names: Sequence[str] | None = None) -> Pipeline:
        """A CSV table: float32 features ``[F]`` and a label.

        Args:
          path: CSV file, glob pattern or list of them (with a header row).
          label_column: The label column (None: features only).
          columns: Feature columns in order (None: all others).
          class_names: Classes of text labels, in label order.

        Returns:
          A ``Pipeline`` (details: :func:`tfaug.data.readers_table.csv_table`).

        Raises:
          FileNotFoundError: no file matches ``path``.
          ValueError: unknown columns.
        """
        return cls(readers_table.csv_table(path, label_column, columns, class_names))

    @classmethod
    def from_text_lines(
            cls,
            path_or_paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> Pipeline:
        """One ``tf.string`` per line of text files (no labels).

        Args:
          path_or_paths: File, glob pattern or list of them.

        Returns:
          A ``Pipeline``.

        Raises:
          FileNotFoundError: no file matches.
        """
        return cls(readers_table.text_lines(path_or_paths))

    @classmethod
    def from_text_csv(cls, path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                      text_column: str, label_column: str | None = None,
                      class_names: Sequence[str] | None = None) -> Pipeline:
        """Texts (``tf.string``) and labels from two CSV columns.

        Args:
          path: CSV file, glob pattern or list of them.
          text_column: The text column.
          label_column: The label column (None: texts only).
          class_names: Classes of text labels, in label order (None: sorted).

        Returns:
          A ``Pipeline`` (details: :func:`tfaug.data.readers_table.text_csv`).

        Raises:
          FileNotFoundError: no file matches ``path``.
          ValueError: unknown columns.
        """
        return cls(readers_table.text_csv(path, text_column, label_column, class_names))

    @classmethod
    def from_wav(cls, paths_or_pattern: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                 labels: Sequence[Any] | None = None, sample_rate: int | None = None,
                 length: int | None = None, resample: bool = True) -> Pipeline:
        """WAV clips as mono float32 ``[T]`` at one sample rate.

        Args:
          paths_or_pattern: Glob pattern, or a list of paths.
          labels: One label per path (needs a list of paths).
          sample_rate: The pipeline's rate in Hz (None: the first file's).
          length: Pad or crop every clip to this many samples.
          resample: Files of another rate are resampled to ``sample_rate``
            (True) or refused when the pipeline is built (False: a
            ``ValueError`` naming the file and both rates).

        Returns:
          A ``Pipeline`` (details: :func:`tfaug.data.readers_media.wav`).

        Raises:
          FileNotFoundError: no file matches.
          ValueError: bad arguments.
        """
        return cls(readers_media.wav(paths_or_pattern, labels, sample_rate, length, resample))

    @classmethod
    def from_materialized(cls, directory: str | os.PathLike[str]) -> Pipeline:
        """Data written by ``tfaug.data.materialize``.

        Args:
          directory: The folder; read with
            ``tfaug.data.load_materialized(directory)``.

        Returns:
          A ``Pipeline`` of its unbatched ``(inputs, labels)``.
        """
        from tfaug.data import offline  # pylint: disable=import-outside-toplevel
        ds = offline.load_materialized(directory)
        source = sources.dataset(ds)
        return cls(sources.Source("from_materialized", source.make,
                                  repr(os.fspath(directory))))
