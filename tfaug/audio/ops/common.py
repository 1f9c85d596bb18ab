"""Small helpers the audio ops share: batching one clip and reading lengths."""

import tensorflow as tf


def as_batch(waveforms, name="waveforms"):
    """float32 ``[B, T]`` plus whether the input was one clip ``[T]``.

    Args:
      waveforms: Float ``[B, T]`` or ``[T]``.
      name: Argument name for error messages.

    Returns:
      ``(batch, single)``.

    Raises:
      ValueError: integer samples, another rank, or zero-length clips.

    Example:
      >>> x, single = as_batch(tf.zeros([100]))
      >>> x.shape, single
      (TensorShape([1, 100]), True)
    """
    x = tf.convert_to_tensor(waveforms)
    if not x.dtype.is_floating:
        raise ValueError(f"`{name}` must be float samples, got {x.dtype.name}.")
    rank = x.shape.rank
    if rank not in (1, 2):
        raise ValueError(f"`{name}` must have shape [B, T] or [T], got rank {rank} "
                         f"(shape {x.shape}).")
    if x.shape[-1] == 0:
        raise ValueError(f"`{name}` has zero-length clips (shape {x.shape}); every clip "
                         "needs at least one sample.")
    x = tf.cast(x, tf.float32)
    return (x[None] if rank == 1 else x), rank == 1


def axis_length(x, axis=-1):
    """Length of ``x`` along ``axis``: a Python int when static, else a scalar tensor.

    Example:
      >>> axis_length(tf.zeros([4, 800]))
      800
    """
    static = x.shape[axis]
    return static if static is not None else tf.shape(x)[axis]
