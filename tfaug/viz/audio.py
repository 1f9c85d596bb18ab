"""Audio previews: per clip, the waveform and its log-mel spectrogram before
(first column) and after each variant, plus the clips as WAV files. Each
variant's title says what was drawn for it
(:meth:`tfaug.core.Augmentation.describe_draw`: the pitch shift in semitones,
the stretch rate, the SNR in dB, the gain, the mask widths).

Waveform layers get float ``[B, T]`` / ``[T]`` clips (a list of clips of
different lengths is zero-padded at the end to the longest). When the layer
is (or holds) a :class:`tfaug.audio.SpectrogramAugmentation` (SpecAugment's
masks and warp), or the option ``spectrogram=True`` is given, the inputs are
spectrograms ``[B, time, freq]`` / ``[time, freq]``: the figure shows them
before and after, and no WAV files are written (a spectrogram is not a clip).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
import html as html_lib
import textwrap
from typing import TYPE_CHECKING

import numpy as np
import tensorflow as tf

from tfaug import audio as audio_lib
from tfaug.viz import base

if TYPE_CHECKING:  # matplotlib (the [viz] extra) is imported on first use
    from matplotlib.figure import Figure

OPTIONS = ("sample_rate", "spectrogram", "num_mel_bins", "title")


def log_mel(clips: np.ndarray | tf.Tensor, sample_rate: int, num_mel_bins: int = 64) -> np.ndarray:
    """Log-mel spectrograms (dB) of float clips ``[B, T]`` -> ``[B, frames, mels]``,
    with :class:`tfaug.audio.MelSpectrogram` (``scale="db"``); the FFT size
    follows the clip length (512 samples, fewer for short clips)."""
    if isinstance(num_mel_bins, bool) or not isinstance(num_mel_bins, int) or num_mel_bins < 1:
        raise ValueError(f"`num_mel_bins` must be an int >= 1, got {num_mel_bins!r}.")
    clips = np.asarray(clips, np.float32)
    length = clips.shape[-1]
    n_fft = 512
    while n_fft > 32 and n_fft > length:
        n_fft //= 2
    mels = int(max(1, min(num_mel_bins, n_fft // 4)))
    layer = audio_lib.MelSpectrogram(sample_rate=sample_rate, n_fft=n_fft,
                                     hop_length=n_fft // 4, num_mel_bins=mels, scale="db")
    return layer(tf.constant(clips)).numpy()


def audio_figure(originals: np.ndarray, variants: Sequence[np.ndarray], sample_rate: int,
                 spectrogram: bool = False, num_mel_bins: int = 64, title: str | None = None,
                 labels: Sequence[Sequence[str] | None] | None = None) -> Figure:
    """The audio preview figure: for each clip, a waveform row and a log-mel
    row (``spectrogram=False``), or one spectrogram row (``spectrogram=True``);
    column 0 the original, column ``j + 1`` variant ``j``.

    Args:
      originals: float clips ``[B, T]`` (or spectrograms ``[B, time, freq]``).
      variants: A list of batches like ``originals`` (lengths may differ).
      sample_rate: Hz, for the time axis and the mel filters.
      spectrogram: The batches are spectrograms, shown as images.
      num_mel_bins: Mel bands of the log-mel rows.
      title: Optional figure title.
      labels: None or a list of ``1 + len(variants)`` lists of per-clip
        strings (or None), added under each column's title (a line per
        ``"; "``-separated step, wrapped to the column).

    Returns:
      A matplotlib ``Figure`` (Agg canvas).

    Example:
      >>> clips = np.random.default_rng(0).normal(size=(2, 8000)).astype("float32") * 0.1
      >>> louder = clips * 2.0
      >>> fig = audio_figure(clips, [louder], 16000, labels=[None, ["gain=6 dB"] * 2])
      >>> type(fig).__name__
      'Figure'
    """
    columns = [np.asarray(originals, np.float32)] + [np.asarray(v, np.float32)
                                                     for v in variants]
    rank = 3 if spectrogram else 2
    for c in columns:
        if c.ndim != rank or c.shape[0] != columns[0].shape[0]:
            shape = "[B, time, freq]" if spectrogram else "[B, T]"
            raise ValueError(f"audio batches must be {shape} "
                             f"with the originals' batch size, got shape {c.shape}.")
    samples, cols = columns[0].shape[0], len(columns)
    if labels is not None and len(labels) != cols:
        raise ValueError(f"`labels` must hold one list per column ({cols}), got "
                         f"{len(labels)}.")
    if spectrogram:
        images = columns
    else:
        images = [log_mel(c, sample_rate, num_mel_bins) for c in columns]
    per_sample = 1 if spectrogram else 2
    notes = [[_note(labels, c, i) for c in range(cols)] for i in range(samples)]
    extra = [12 * max(n.count("\n") for n in row) for row in notes]
    fig = base.new_figure(120 + 190 * cols, 40 + 100 * per_sample * samples + sum(extra))
    axes = fig.subplots(per_sample * samples, cols, squeeze=False)
    for i in range(samples):
        low = float(np.min(images[0][i]))
        high = max(float(np.max(images[0][i])), low + 1e-6)
        for c in range(cols):
            label = "original" if c == 0 else f"variant {c - 1}"
            if not spectrogram:
                wave = axes[2 * i, c]
                clip = columns[c][i]
                wave.plot(np.arange(clip.shape[0]) / sample_rate, clip, linewidth=0.5,
                          color="#1f77b4" if c == 0 else "#d62728")
                wave.set_ylim(-1.05, 1.05)
                wave.tick_params(labelsize=6)
                wave.set_title(f"clip {i} {label}{notes[i][c]}", fontsize=7)
                spec_axis = axes[2 * i + 1, c]
            else:
                spec_axis = axes[i, c]
                spec_axis.set_title(f"spectrogram {i} {label}{notes[i][c]}", fontsize=7)
            spec = images[c][i]
            # Log-mel rows span the clip's duration (the same seconds as the waveform).
            extent = None if spectrogram else (0, columns[c][i].shape[0] / sample_rate, 0,
                                               spec.shape[1])
            spec_axis.imshow(spec.T, origin="lower", aspect="auto", cmap="magma",
                             vmin=low, vmax=high, interpolation="nearest", extent=extent)
            spec_axis.tick_params(labelsize=6)
            if i == samples - 1:
                spec_axis.set_xlabel("frame" if spectrogram else "time (s)", fontsize=6)
            if c == 0:
                spec_axis.set_ylabel("freq bin" if spectrogram else "mel band", fontsize=6)
                if not spectrogram:
                    wave.set_ylabel("amplitude", fontsize=6)
    fig.suptitle(title or ("spectrograms" if spectrogram else
                           "waveforms and log-mel spectrograms (dB)"), fontsize=9)
    # Per-row margins: a variant's multi-line title takes room above its own row only.
    fig.set_layout_engine("constrained", h_pad=0.02, w_pad=0.02)
    return fig


def _note(labels, column, sample):
    """``"\\n" + label`` wrapped to a column (~34 characters a line), or ``""``."""
    if labels is None or labels[column] is None or not labels[column][sample]:
        return ""
    lines = []
    for step in str(labels[column][sample]).split("; "):
        lines += textwrap.wrap(step, 34, break_on_hyphens=False) or [""]
    return "\n" + "\n".join(lines)


# ------------------------------------------------------------------- preview
def _pad(clips):
    """A list of 1-D clips of different lengths -> ``[B, T]`` zero-padded."""
    arrays = [np.asarray(base.to_numpy(c)) for c in clips]
    if any(not np.issubdtype(a.dtype, np.floating) for a in arrays):
        raise TypeError("audio `inputs` must be float samples in [-1, 1]; the list holds "
                        f"dtypes {sorted({str(a.dtype) for a in arrays})}.")
    arrays = [a.astype(np.float32) for a in arrays]
    if not arrays or any(a.ndim != 1 or a.size == 0 for a in arrays):
        raise TypeError("audio `inputs` given as a list must hold non-empty 1-D clips [T], got "
                        f"shapes {[a.shape for a in arrays]}.")
    out = np.zeros([len(arrays), max(a.size for a in arrays)], np.float32)
    for i, a in enumerate(arrays):
        out[i, :a.size] = a
    return out


def _signal(value, rank):
    """Audio (or spectrogram) value -> batched float array of ``rank`` + 1."""
    if isinstance(value, (list, tuple)) and value and rank == 1 and \
            not isinstance(value[0], (int, float, np.number)):
        return _pad(value)
    if isinstance(value, (str, bytes)):
        raise TypeError(f"audio `inputs` must be float samples, got {type(value).__name__}.")
    array = np.asarray(base.to_numpy(value))
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"audio `inputs` must be float samples in [-1, 1], got dtype "
                        f"{array.dtype}; scale integer PCM first (pcm / 32768 for int16).")
    if array.ndim == rank:
        array = array[None]
    shape = "[B, time, freq] or [time, freq]" if rank == 2 else "[B, T] or [T]"
    if array.ndim != rank + 1 or array.size == 0:
        raise ValueError(f"audio `inputs` must have shape {shape}, got {array.shape}.")
    return array


def prepare(inputs, n, key, rank):
    """User inputs -> (batch the layer is called on, originals array, unwrap)."""
    if isinstance(inputs, dict):
        if key not in inputs:
            raise ValueError(f"audio `inputs` dict needs a {key!r} key, got keys "
                             f"{sorted(inputs)}.")
        data = _signal(inputs[key], rank)[:n]
        batch = {k: tf.constant(np.asarray(base.to_numpy(v))[:n]) for k, v in inputs.items()
                 if k != key}
        batch[key] = tf.constant(data)
        return batch, data, lambda out: out[key]
    if isinstance(inputs, tuple) and len(inputs) == 2 and not np.isscalar(inputs[1]):
        data = _signal(inputs[0], rank)[:n]
        labels = tf.constant(np.asarray(base.to_numpy(inputs[1]))[:n])
        return (tf.constant(data), labels), data, lambda out: out[0]
    data = _signal(inputs, rank)[:n]
    return tf.constant(data), data, lambda out: out


def _sample_rate(layer, value):
    if value is None:
        for leaf in base.leaves(layer):
            value = getattr(leaf, "sample_rate", None)
            if value is not None:
                break
    value = 16000 if value is None else value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0 or \
            not float(value).is_integer():
        raise ValueError(f"`sample_rate` must be a positive whole number of Hz, got {value!r}.")
    return int(value)


def is_spectrogram_layer(layer):
    """True when ``layer`` is or holds a SpecAugment (spectrogram) layer."""
    return any(isinstance(leaf, audio_lib.SpectrogramAugmentation)
               for leaf in base.leaves(layer))


def build(layer, inputs, n, seed, variants, sample_rate=None, spectrogram=None,
          num_mel_bins=64, title=None):
    """Runs ``layer`` and builds the audio :class:`~tfaug.viz.base.Preview`."""
    if spectrogram is None:
        spectrogram = is_spectrogram_layer(layer)
    rate = _sample_rate(layer, sample_rate)
    key = "spectrogram" if spectrogram else "audio"
    batch, originals, unwrap = prepare(inputs, n, key, 2 if spectrogram else 1)
    outs, words = [], []
    for j in range(variants):
        out, texts = base.run_variant(layer, batch, base.variant_seed(seed, j))
        outs.append(np.asarray(base.to_numpy(unwrap(out))))
        words.append(texts)
    if title is None:
        title = (f"{type(layer).__name__}: originals (left), {variants} variants "
                 f"(seed {seed}, {rate} Hz); each variant's title says what was drawn")
    figure = audio_figure(originals, outs, rate, spectrogram=spectrogram,
                          num_mel_bins=num_mel_bins, title=title, labels=[None] + words)
    preview = base.Preview("audio", originals, outs, figure=figure, sample_rate=rate,
                           seed=seed, writer=write)
    preview.spectrogram = bool(spectrogram)
    preview.labels = words
    if not spectrogram:  # waveforms: figure plus players (spectrograms: the PNG alone)
        preview._html_fn = lambda: _html(preview)
    return preview


def wav_paths(path, samples, variants):
    """``{(i, None): <stem>_<i>_orig.wav, (i, j): <stem>_<i>_v<j>.wav}`` next to
    ``path`` (``j`` 0-based, as in ``Preview.variants``)."""
    out = {}
    for i in range(samples):
        out[(i, None)] = path.with_name(f"{path.stem}_{i}_orig.wav")
        for j in range(variants):
            out[(i, j)] = path.with_name(f"{path.stem}_{i}_v{j}.wav")
    return out


def write(preview, path):
    """Writer of audio previews: the PNG at ``path`` and the WAVs beside it
    (none for spectrogram previews)."""
    written = base.write_figure(preview, path)
    if getattr(preview, "spectrogram", False):
        return written
    for (i, j), wav in wav_paths(path, len(preview.originals), len(preview.variants)).items():
        clip = preview.originals[i] if j is None else preview.variants[j][i]
        written.append(audio_lib.write_wav(wav, np.asarray(clip, np.float32),
                                           preview.sample_rate))
    return written


def _html(preview):
    """The figure and an audio player per clip (notebooks)."""
    parts = [f"<img src=\"{preview.png_data_uri()}\"/>"]
    if preview.spectrogram:
        return "\n".join(parts)
    parts.append("<table>")
    for i in range(len(preview.originals)):
        clips = [preview.originals[i]] + [v[i] for v in preview.variants]
        cells = []
        for c, clip in enumerate(clips):
            data = audio_lib.encode_wav(np.asarray(clip, np.float32), preview.sample_rate)
            uri = "data:audio/wav;base64," + base64.b64encode(data.numpy()).decode("ascii")
            label = "original" if c == 0 else f"variant {c - 1}"
            words = preview.labels[c - 1] if c and preview.labels else None
            if words is not None:
                label += f" ({html_lib.escape(words[i])})"
            cells.append(f"<td>{label}<br/><audio controls src=\"{uri}\"></audio></td>")
        parts.append(f"<tr><td>clip {i}</td>{''.join(cells)}</tr>")
    parts.append("</table>")
    return "\n".join(parts)
