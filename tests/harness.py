"""The shared layer harness: one abstract test body, run in every mode.

Each registered layer needs a :class:`Case` in a ``tests/**/cases_*.py`` module
(``CASES = [...]``). ``tests/test_harness.py`` discovers them and fails when a
registered layer has none. Modes: eager, ``tf.function``, ``tf.data`` (batched
map with ``num_parallel_calls``), XLA (``jit_compile=True``), config/JSON round
trip, ``.keras`` save/load, SavedModel round trip, identity when not training,
determinism under a seed, uint8 and float32.
"""

import dataclasses
import importlib.util
import json
import pathlib
from typing import Any, Callable, Optional

import numpy as np
import tensorflow as tf

import tfaug

# Layers allowed to skip XLA: JpegQuality needs a codec XLA cannot compile;
# SMOTE and GenerativeOversampler append a number of rows that depends on the
# batch's labels (a data-dependent shape). Kept explicit so the list cannot
# grow silently: test_harness checks it equals the set of registered classes
# with ``xla_exempt = True``.
XLA_EXEMPT = frozenset({"JpegQuality", "SMOTE", "GenerativeOversampler"})


@dataclasses.dataclass
class Case:
    """How to build and feed one layer in the harness.

    Attributes:
      name: Registered class name (the case's id).
      make: Zero-argument callable returning a new layer (seeded).
      size: (height, width) of the test images.
      random: False for layers with no randomness (Invert, Resize, ...): the
        "different seeds differ" check is skipped.
      labels: None, "int" or "onehot": what labels to feed (mixing layers).
      targets: Keys besides images the layer must carry ("masks", "boxes").
      output_size: Expected (h, w) of the output when it differs from ``size``.
      needs_labels: The layer cannot run without labels (ClassConditional):
        every mode feeds a dict with labels.
      modality: "image", "tabular", "text", "audio" (waveforms ``[B, T]``) or
        "spectrogram" (``[B, time, freq]``): which inputs to build and check
        (text layers skip the XLA mode: XLA has no string type).
      grows_batch: Training output may have more rows than the input (SMOTE).
      stateful: The layer holds adapted state outside its config (SMOTE's
        table): the JSON round trip copies it with save/load_own_variables.
      copy_state: Optional ``fn(layer, clone)`` that copies state the config
        does not hold (a nested model's weights) for the JSON round trip.
      note: Free text.
    """

    name: str
    make: Callable[[], Any]
    size: tuple = (16, 16)
    random: bool = True
    labels: Optional[str] = None
    targets: tuple = ("masks", "boxes")
    output_size: Optional[tuple] = None
    needs_labels: bool = False
    modality: str = "image"
    grows_batch: bool = False
    stateful: bool = False
    copy_state: Optional[Callable[[Any, Any], None]] = None
    note: str = ""


def discover_cases():
    """Imports every ``tests/**/cases_*.py`` and returns ``{name: Case}``."""
    root = pathlib.Path(__file__).parent
    cases = {}
    for path in sorted(root.rglob("cases_*.py")):
        spec = importlib.util.spec_from_file_location(
            "harness_" + "_".join(path.relative_to(root).with_suffix("").parts), path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for case in module.CASES:
            if case.name in cases:
                raise ValueError(f"two harness cases named {case.name!r}")
            cases[case.name] = case
    return cases


NUM_CLASSES = 5


TABULAR_ROWS = 12

# Text inputs: real-looking sentences (negations, capitals, punctuation, UTF-8,
# an empty and a whitespace-only string).
TEXT_SAMPLES = (
    "The movie was not good, but the acting is great.",
    "A dark, dull thriller with a parting shot that misfires.",
    "I never liked the ending. The music is beautiful! Would watch again?",
    "Café society: an ÉLÉGANT and funny film about people.",
    "",
    "   ",
    "It starts slow. Then it soars! Who knew a remake could be this good?",
)


def make_tabular_inputs(case, dtype=tf.float32, dict_inputs=False):
    """Rows for a tabular ``case``: 3 well-separated classes (4 rows each).

    ``dtype`` float32 or (the harness's "uint8" slot) float64 features.
    ``dict_inputs``: ``{"features", "labels"}``; otherwise the ``[B, F]`` matrix.
    """
    rng = np.random.default_rng(0)
    labels = np.arange(TABULAR_ROWS) % 3
    x = rng.normal(size=(TABULAR_ROWS, 5)) + 4.0 * labels[:, None]
    x = x.astype(np.float32 if dtype == tf.float32 else np.float64)
    if not (dict_inputs or case.needs_labels):
        return tf.constant(x)
    return {"features": tf.constant(x), "labels": tf.constant(labels, tf.int32)}


def make_text_inputs(case, dict_inputs=False):
    """:data:`TEXT_SAMPLES` as strings ``[6]`` or ``{"text", "labels"}``."""
    texts = tf.constant(TEXT_SAMPLES)
    if not (dict_inputs or case.needs_labels):
        return texts
    return {"text": texts, "labels": tf.constant(np.arange(len(TEXT_SAMPLES)) % 2, tf.int32)}


AUDIO_RATE = 8000
AUDIO_LENGTH = 800  # 0.1 s at 8 kHz
SPECTROGRAM_SHAPE = (24, 16)  # (time frames, frequency bins)


def make_audio_inputs(case, dtype=tf.float32, dict_inputs=False, batch=4):
    """Waveforms ``[B, 800]`` (a tone of 300, 500, ... Hz at 8 kHz with a little
    noise, peak ~0.5) or, for "spectrogram" cases, log-power ``[B, 24, 16]``.

    ``dtype`` float32 or (the harness's "uint8" slot) float64.
    """
    rng = np.random.default_rng(0)
    if case.modality == "spectrogram":
        key = "spectrogram"
        t = np.arange(SPECTROGRAM_SHAPE[0])[None, :, None]
        f = np.arange(SPECTROGRAM_SHAPE[1])[None, None, :]
        x = np.sin(0.3 * t + 0.7 * f + np.arange(batch)[:, None, None]) + 0.1 * rng.normal(
            size=(batch,) + SPECTROGRAM_SHAPE) + 2.0
    else:
        key = "audio"
        t = np.arange(AUDIO_LENGTH) / AUDIO_RATE
        freqs = 300.0 + 200.0 * np.arange(batch)
        x = 0.45 * np.sin(2 * np.pi * freqs[:, None] * t) + 0.02 * rng.normal(
            size=(batch, AUDIO_LENGTH))
    x = tf.constant(x.astype(np.float32 if dtype == tf.float32 else np.float64))
    if not (dict_inputs or case.needs_labels):
        return x
    return {key: x, "labels": tf.constant(np.arange(batch) % 2, tf.int32)}


def make_inputs(case, dtype=tf.uint8, batch=4, dict_inputs=None):
    """Deterministic test inputs for ``case`` (a smooth gradient plus texture).

    Text cases get :data:`TEXT_SAMPLES` whatever ``dtype`` says."""
    if case.modality == "tabular":
        return make_tabular_inputs(case, dtype, bool(dict_inputs))
    if case.modality == "text":
        return make_text_inputs(case, bool(dict_inputs))
    if case.modality in ("audio", "spectrogram"):
        return make_audio_inputs(case, dtype, bool(dict_inputs), batch)
    h, w = case.size
    rng = np.random.default_rng(0)
    yy, xx = np.meshgrid(np.linspace(0, 1, h), np.linspace(0, 1, w), indexing="ij")
    base = np.stack([xx, yy, 0.5 * (xx + yy)], -1)
    imgs = np.stack([np.clip(base + 0.3 * rng.random((h, w, 3)) - 0.15, 0, 1)
                     for _ in range(batch)])
    imgs = (imgs * 255).round()
    images = tf.constant(imgs.astype(np.uint8)) if dtype == tf.uint8 else tf.constant(
        imgs.astype(np.float32))
    use_dict = dict_inputs if dict_inputs is not None else bool(case.labels)
    use_dict = use_dict or case.needs_labels
    if not use_dict:
        return images
    data = {"images": images}
    if case.labels == "int":
        data["labels"] = tf.constant(np.arange(batch) % NUM_CLASSES, tf.int32)
    elif case.labels == "onehot":
        data["labels"] = tf.one_hot(np.arange(batch) % NUM_CLASSES, NUM_CLASSES)
    if "masks" in case.targets:
        m = np.zeros((batch, h, w), np.int32)
        m[:, h // 4: h // 2, w // 4: w // 2] = 1
        data["masks"] = tf.constant(m)
    if "boxes" in case.targets:
        data["boxes"] = tf.constant([[[w / 4, h / 4, w / 2, h / 2],
                                      [1.0, 1.0, w - 1.0, h - 1.0]]] * batch, tf.float32)
    return data


MAIN_KEYS = {"image": "images", "tabular": "features", "text": "text", "audio": "audio",
             "spectrogram": "spectrogram"}


def images_of(out):
    """The main tensor of an output: images, or a tabular layer's features."""
    if isinstance(out, tuple):
        return out[0]
    if isinstance(out, dict):
        for key in MAIN_KEYS.values():
            if key in out:
                return out[key]
    return out


def to_numpy(structure):
    return tf.nest.map_structure(
        lambda t: t.to_tensor(-1).numpy() if isinstance(t, tf.RaggedTensor) else np.asarray(t),
        structure)


def assert_same(a, b, atol=0.0):
    a, b = to_numpy(a), to_numpy(b)
    tf.nest.assert_same_structure(a, b)
    for x, y in zip(tf.nest.flatten(a), tf.nest.flatten(b)):
        assert x.shape == y.shape, (x.shape, y.shape)
        if atol and x.dtype.kind not in "OSU":
            np.testing.assert_allclose(x.astype(np.float64), y.astype(np.float64), atol=atol)
        else:
            np.testing.assert_array_equal(x, y)


def expected_hw(case):
    return tuple(case.output_size or case.size)


def check_tabular_output(case, inputs, out):
    x_in, x_out = images_of(inputs), images_of(out)
    assert x_out.dtype == x_in.dtype, (x_out.dtype, x_in.dtype)
    assert x_out.shape[1:] == x_in.shape[1:], (x_out.shape, x_in.shape)
    if case.grows_batch:
        assert x_out.shape[0] >= x_in.shape[0]
    else:
        assert x_out.shape[0] == x_in.shape[0]
    if isinstance(inputs, dict):
        assert set(out) == set(inputs), (set(out), set(inputs))
        assert out["labels"].shape[0] == x_out.shape[0]


def check_text_output(case, inputs, out):
    t_in, t_out = images_of(inputs), images_of(out)
    assert t_out.dtype == tf.string, t_out.dtype
    assert t_out.shape.rank == t_in.shape.rank == 1, (t_in.shape, t_out.shape)
    if case.grows_batch:
        assert t_out.shape[0] >= t_in.shape[0] and t_out.shape[0] % t_in.shape[0] == 0
    else:
        assert t_out.shape[0] == t_in.shape[0]
    for text in t_out.numpy():
        text.decode("utf-8")  # valid UTF-8, never cut inside a character
    if isinstance(inputs, dict):
        assert set(out) == set(inputs), (set(out), set(inputs))
        assert out["labels"].shape[0] == t_out.shape[0]


def check_audio_output(case, inputs, out):
    x_in, x_out = images_of(inputs), images_of(out)
    assert x_out.dtype == x_in.dtype, (x_out.dtype, x_in.dtype)
    assert x_out.shape == x_in.shape, (x_out.shape, x_in.shape)
    assert np.all(np.isfinite(x_out.numpy()))
    if isinstance(inputs, dict):
        assert set(out) == set(inputs), (set(out), set(inputs))
        assert out["labels"].shape[0] == x_out.shape[0]


def check_output(case, inputs, out):
    """Structure, shape and dtype of a training-mode output."""
    if case.modality == "tabular":
        return check_tabular_output(case, inputs, out)
    if case.modality == "text":
        return check_text_output(case, inputs, out)
    if case.modality in ("audio", "spectrogram"):
        return check_audio_output(case, inputs, out)
    images_in, images_out = images_of(inputs), images_of(out)
    assert images_out.dtype == images_in.dtype, (images_out.dtype, images_in.dtype)
    h, w = expected_hw(case)
    assert tuple(images_out.shape[1:3]) == (h, w), images_out.shape
    assert images_out.shape[0] == images_in.shape[0]
    if isinstance(inputs, dict):
        assert set(out) == set(inputs), (set(out), set(inputs))
        if "masks" in inputs:
            assert out["masks"].dtype == inputs["masks"].dtype
            assert tuple(out["masks"].shape[1:3]) == (h, w)
        if "boxes" in inputs:
            assert out["boxes"].shape == inputs["boxes"].shape
    arr = to_numpy(images_out).astype(np.float64)
    assert np.all(np.isfinite(arr))
    if images_in.dtype == tf.float32:
        assert arr.min() >= -1e-3 and arr.max() <= 255 + 1e-3, (arr.min(), arr.max())


SEED = tf.constant([7, 11], tf.int64)
OTHER_SEED = tf.constant([123, 4], tf.int64)


def run_eager(layer, inputs, seed=SEED):
    return layer(inputs, training=True, seed=seed)


def run_function(layer, inputs, seed=SEED, jit_compile=False):
    fn = tf.function(lambda x, s: layer(x, training=True, seed=s), jit_compile=jit_compile)
    return fn(inputs, seed)


def keras_inputs(inputs):
    """``keras.Input`` structure matching one batch of ``inputs``."""
    import keras  # pylint: disable=import-outside-toplevel
    if isinstance(inputs, dict):
        return {k: keras.Input(v.shape[1:], dtype=v.dtype.name, name=k)
                for k, v in inputs.items()}
    return keras.Input(inputs.shape[1:], dtype=inputs.dtype.name)


class Wrapper:
    """A Keras model around ``layer``, called as ``model(x)`` (training unset).

    Built lazily so that importing the harness does not import Keras models."""

    def __new__(cls, layer):
        import keras  # pylint: disable=import-outside-toplevel

        class _Model(keras.Model):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def call(self, x):
                return self.inner(x)

        return _Model(layer)


def run_dataset(layer, inputs, seed=SEED):
    ds = tf.data.Dataset.from_tensors(inputs).repeat(2)
    ds = ds.map(lambda x: layer(x, training=True, seed=seed),
                num_parallel_calls=tf.data.AUTOTUNE)
    outs = list(ds)
    return outs[0], outs[1]


def json_round_trip(layer):
    text = json.dumps(tfaug.serialize(layer))
    return tfaug.deserialize(json.loads(text))
