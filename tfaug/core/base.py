"""The ``Augmentation`` base layer: the contract every tfaug layer follows.

A layer keeps two things apart:

* ``sample(batch_size, seed) -> dict``: draws *all* randomness for a batch; every
  leaf has a leading batch dimension ``[B, ...]`` (per-sample decisions).
* ``apply(data, params) -> data``: deterministic; every target in ``data``
  (images, labels, masks, boxes, ...) reads the same ``params``.

``call(inputs, training=None, seed=None)`` glues them together, with Keras' call
semantics made safe for inference:

* ``training=True`` augments; ``training=False`` does not (layers whose output
  size differs, such as crops, apply their deterministic inference transform).
* ``training=None`` (not given, and not set by an outer Keras call) augments
  when the layer is called directly (a ``tf.data`` map, a script), as
  keras.layers' image layers do, and does not when the layer runs inside a
  model (``model(x)``, ``predict``, ``evaluate``, exported serving functions).

``seed`` (a shape ``[2]`` integer tensor) makes the call stateless; without it
the layer advances its own seed state, a TensorFlow variable saved with the
layer (under every Keras backend).

Modalities subclass this base: they implement ``standardize`` (user inputs ->
the modality's one internal form) and ``restore`` (internal form -> user
outputs), and leaf layers implement ``sample_params`` and ``transform``. A
composition standardizes once, runs its children's ``apply`` on the internal
form, and restores once.
"""

from __future__ import annotations

from collections.abc import Sequence
import inspect
from typing import Any
import weakref

import keras
import numpy as np
import tensorflow as tf

from tfaug.core import describe as describe_lib
from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.core import xla
from tfaug.core.batch import blend_rows
from tfaug.core.xla import auto_compile_scope, in_xla_context, set_auto_compile

try:  # Keras has no public "which layer started this call" API: guarded private use
    # (the fallback, _entry_layer_on_stack, reads the Python stack instead).
    from keras.src.backend.common import global_state as _keras_state
    _keras_state.get_global_attribute  # pylint: disable=pointless-statement
except (ImportError, AttributeError):  # pragma: no cover - other Keras versions
    _keras_state = None

__all__ = ["GATE", "Augmentation", "BatchAugmentation", "augmentations", "layer_roots",
           "auto_compile_scope", "set_auto_compile", "compiled"]

# Keys of ``params`` reserved by the base class.
GATE = "gate"
_MISSING = object()


def _json_native(value):
    if isinstance(value, tuple):
        return [_json_native(v) for v in value]
    if isinstance(value, list):
        return [_json_native(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_native(v) for k, v in value.items()}
    if isinstance(value, (keras.Variable, tf.Variable)):
        return _json_native(value.numpy())
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return value.tolist()  # numpy scalars and arrays -> Python values
    return value


def compiled(layer, key, fn):
    """``fn(layer, *args)`` as an XLA program in ``layer``'s bounded cache.

    Returns a callable; each distinct input signature gets its own program
    (traced once: a new shape never retraces an old program).

    Args:
      layer: The owning layer (held weakly by the cache).
      key: Hashable name of the program within the layer.
      fn: ``fn(layer, *args)``.

    Example:
      >>> layer = tfaug.image.RandomFlip("horizontal")
      >>> train = compiled(layer, "train", lambda lay, x, s: lay.train_ops(x, s))
      >>> out = train(tf.zeros([2, 8, 8, 3], tf.uint8), tf.constant([1, 2], tf.int64))
      >>> out.shape
      TensorShape([2, 8, 8, 3])
    """
    def run(*args):
        def make():
            ref = weakref.ref(layer)
            return xla.jit(lambda *a: fn(ref(), *a))
        return xla.cached_program(layer, (key, xla.signature(args)), make)(*args)
    return run


def _state_variable(layer, name, shape, dtype, value):
    """A non-trainable state variable that works under every Keras backend.

    Under the TensorFlow backend it is a Keras weight (tracked, saved in
    ``.keras`` files and SavedModels, never autocast under mixed precision).
    Under JAX or torch, tfaug layers run in ``tf.data`` (TensorFlow graphs), so
    the state is a ``tf.Variable`` that ``save_own_variables`` stores.
    """
    init = np.asarray(value, dtype=dtype).reshape(shape)
    if keras.backend.backend() == "tensorflow":
        return layer.add_weight(name=name, shape=shape, dtype=dtype, trainable=False,
                                initializer=keras.initializers.Constant(init),
                                autocast=False)
    variable = tf.Variable(init, trainable=False, name=name, dtype=dtype)
    layer._tf_state = getattr(layer, "_tf_state", []) + [variable]
    return variable


def _tf_variable(variable):
    """The ``tf.Variable`` behind a Keras weight (or the variable itself)."""
    if isinstance(variable, keras.Variable):
        return variable.value
    return variable


def read(variable, dtype=None):
    """A state variable read as a tensor (Keras or TF variable, any backend).

    Args:
      variable: The variable.
      dtype: Optional dtype to cast to.

    Returns:
      A tensor.
    """
    value = tf.convert_to_tensor(_tf_variable(variable))
    return value if dtype is None else tf.cast(value, dtype)


def _entry_layer_on_stack():
    """The outermost Keras layer whose ``__call__`` runs in this thread, read from
    the Python stack (public stand-in for Keras' private call context)."""
    entry = None
    frame = inspect.currentframe()
    while frame is not None:
        if frame.f_code.co_name == "__call__":
            owner = frame.f_locals.get("self")
            if isinstance(owner, keras.layers.Layer):
                entry = owner
        frame = frame.f_back
    return entry


def _called_directly():
    """True unless a non-tfaug Keras layer or model started the current call, or
    Keras is only inferring output shapes (a functional model being built: the
    inference path gives the same spec, and traces far less).

    Without Keras' private call state (another Keras version) the first layer
    is found on the Python stack, and shape inference traces the training
    path (the same output spec).
    """
    entry = _MISSING
    if _keras_state is not None:
        if _keras_state.get_global_attribute("symbolic_scope") is not None:
            return False
        context = _keras_state.get_global_attribute("current_call_ctx")
        entry = getattr(context, "entry_layer", _MISSING)
    if entry is _MISSING:
        entry = _entry_layer_on_stack()
    return entry is None or isinstance(entry, Augmentation)


class Augmentation(keras.layers.Layer):
    """Base class of every tfaug augmentation layer.

    Subclasses store each ``__init__`` argument as an attribute of the same name;
    ``get_config`` returns exactly those arguments (JSON-native) plus
    ``strength``, so ``cls.from_config(layer.get_config())`` rebuilds the layer.

    Args:
      probability: Per-sample chance in ``[0, 1]`` that the layer applies.
      seed: Optional int; the initial value of the layer's seed state. ``None``
        draws one from the OS at construction.
      strength: Keyword-only, ``>= 0``: 0 is the identity, 1 the layer as
        configured. Held in a variable, so :meth:`set_strength` (or the
        schedules in ``tfaug.callbacks``) changes it between epochs without
        retracing a ``tf.function`` or ``tf.data`` pipeline. How a layer reads
        it is its ``strength_scales`` (below).
      **kwargs: Keras layer arguments (``name``, ``dtype``).

    Class attributes (every flag a layer may set, in one place):
      modality: ``"image"``, ``"text"``, ``"audio"``, ``"spectrogram"`` or
        ``"tabular"``; layers of one modality share one internal form.
      strength_scales: ``"parameters"``: ``sample_params`` scales its drawn
        parameters toward their neutral values by :meth:`strength_tensor`;
        ``"probability"`` (default): the layer applies to each sample with
        probability ``probability * strength`` (capped at 1); ``"children"``:
        compositions, whose children carry the strength.
      changes_size: The output's spatial size differs from the input's (crops,
        resizes): inference applies a deterministic transform, and per-sample
        compositions refuse the layer.
      changes_labels: The layer rewrites labels (mixing): it reads
        ``params["gate"]`` itself instead of the generic per-sample blend.
      deterministic: The layer draws nothing (``Resizing``, ``CenterCrop``):
        it owns no variables (no seed state, no strength variable: its
        strength is always 1 and :meth:`set_strength` leaves it as it is), and
        it applies the same transform in training and inference.
      xla_exempt: The layer needs an op XLA cannot compile (a codec, a
        data-dependent row count); the test harness lists these explicitly.
      auto_compile: A training call on static-size inputs may run as one XLA
        program (see :mod:`tfaug.core.xla`); False for layers that route rows
        per sample (policies, ``OneOf``), where XLA would run every branch on
        every row.

    Layers that change the number of rows derive from :class:`BatchAugmentation`.
    """

    changes_size = False
    changes_labels = False
    deterministic = False
    xla_exempt = False
    auto_compile = True
    modality = None
    strength_scales = "probability"

    def __init__(self, probability: float = 1.0, seed: int | None = None, *, strength: float = 1.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.probability = validation.check_probability("probability", probability)
        self.seed = validation.check_seed("seed", seed)
        strength = validation.check_number("strength", strength, 0.0)
        # Inputs are dicts of mixed dtypes; never let Keras cast them.
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True
        self.supports_jit = True
        if self.deterministic:
            if strength != 1.0:
                raise validation.ArgumentError(
                    "strength", strength, "1.0",
                    f"{type(self).__name__} is deterministic (no random parameters): "
                    f"it has no `strength` other than 1.0, got {strength!r}.")
            self._seed_state = self.strength_variable = None
            return
        self._seed_state = _state_variable(self, "seed_state", (3,), "int64",
                                           seeds_lib.initial_state(seed))
        self.strength_variable = _state_variable(self, "strength", (), "float32", strength)

    # ------------------------------------------------------------------ config
    def get_config(self):
        """Returns exactly the ``__init__`` arguments, JSON-native."""
        config = {}
        params = inspect.signature(type(self).__init__).parameters.items()
        for pname, param in params:
            if pname == "self" or param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
                continue
            config[pname] = _json_native(getattr(self, pname))
        config["strength"] = self.get_strength()
        config["name"] = self.name
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def build(self, input_shape=None):
        for layer in self.children():
            if not layer.built:
                layer.build(input_shape)
        self.built = True

    def children(self):
        """The augmentation layers this one runs (compositions); empty for leaves."""
        return list(getattr(self, "layers", None) or [])

    def save_own_variables(self, store):
        super().save_own_variables(store)
        for i, variable in enumerate(getattr(self, "_tf_state", [])):
            store[f"tf_state_{i}"] = variable.numpy()

    def load_own_variables(self, store):
        state = getattr(self, "_tf_state", [])
        if not state:  # the TensorFlow backend: the state is in Keras' weights
            super().load_own_variables(store)
            return
        names = [f"tf_state_{i}" for i in range(len(state))]
        super().load_own_variables({k: store[k] for k in store.keys() if k not in names})
        self.load_tf_state(store)

    def load_tf_state(self, store):
        """Restores the ``tf.Variable`` state (seed, strength) that
        :meth:`save_own_variables` wrote under JAX/torch; nothing under TensorFlow."""
        for i, variable in enumerate(getattr(self, "_tf_state", [])):
            if f"tf_state_{i}" in store.keys():
                variable.assign(store[f"tf_state_{i}"])

    # ----------------------------------------------------------------- strength
    def get_strength(self):
        """The current strength as a Python float.

        Example:
          >>> tfaug.image.RandomRotation(0.1).get_strength()
          1.0
        """
        if self.strength_variable is None:  # a deterministic layer
            return 1.0
        return float(read(self.strength_variable).numpy())

    def set_strength(self, value):
        """Sets the strength (0 = identity, 1 = as configured) of this layer and
        of every layer it holds; takes effect on the next batch, no retrace.

        Args:
          value: A finite number ``>= 0``.

        Raises:
          ValueError: a negative, NaN or infinite value.

        Example:
          >>> aug = tfaug.Sequence([tfaug.image.RandomRotation(0.1)])
          >>> aug.set_strength(0.5)
          >>> aug.layers[0].get_strength()  # forwarded to the children
          0.5
        """
        value = validation.check_number("strength", value, 0.0)
        if self.strength_variable is not None:  # deterministic layers keep theirs
            _tf_variable(self.strength_variable).assign(value)
        for layer in self.children():
            layer.set_strength(value)

    def strength_tensor(self):
        """The strength read as a float32 scalar tensor (for ``sample_params``)."""
        if self.strength_variable is None:
            return tf.constant(1.0)
        return read(self.strength_variable, tf.float32)

    # ----------------------------------------------------------------- modality
    def standardize(self, inputs):
        """Validates user inputs; returns ``(data, spec)`` with ``data`` batched."""
        raise NotImplementedError

    def restore(self, data, spec):
        """Inverse of :meth:`standardize`: internal dict -> user structure."""
        raise NotImplementedError

    def batch_size(self, data):
        """Dynamic batch size of internal ``data``."""
        raise NotImplementedError

    def accept_form(self, data):
        """``data`` in the encoding ``transform`` takes (a modality with more than
        one encoding of its internal form converts here); as is by default."""
        return data

    def float_form(self, data):
        """``data`` in the modality's plain (float) encoding; as is by default."""
        return data

    def output_dtype(self, dtype):
        """The dtype returned for inputs of ``dtype``: the same, except floating
        inputs under a mixed-precision policy come out in the compute dtype."""
        dtype = tf.as_dtype(dtype)
        policy = self.dtype_policy
        if dtype.is_floating and policy.compute_dtype != policy.variable_dtype:
            return tf.as_dtype(policy.compute_dtype)
        return dtype

    # --------------------------------------------------------------- randomness
    def sample(self, batch_size, seed):
        """Draws every random parameter for a batch of ``batch_size``.

        Args:
          batch_size: Scalar int (may be a tensor).
          seed: Shape ``[2]`` integer seed.

        Returns:
          A dict of tensors, each with leading dimension ``batch_size``. Key
          ``"gate"`` (bool ``[B]``) says which samples the layer applies to; it is
          present when ``probability < 1`` or the strength scales the probability.
        """
        gate_seed, param_seed = self.split_seed(seed)
        params = dict(self.sample_params(batch_size, param_seed))
        if self.strength_scales == "probability":
            rate = tf.minimum(self.probability * self.strength_tensor(), 1.0)
            params[GATE] = seeds_lib.uniform([batch_size], gate_seed) < rate
        elif self.probability < 1.0:
            params[GATE] = seeds_lib.uniform([batch_size], gate_seed) < self.probability
        return params

    @staticmethod
    def split_seed(seed):
        """A call seed -> ``(gate_seed, param_seed)``: the gate's draw and the
        seed :meth:`sample_params` gets."""
        return tf.unstack(seeds_lib.split(seed, 2))

    def sample_params(self, batch_size, seed):
        """Layer-specific draws; override. Default: no parameters."""
        del batch_size, seed
        return {}

    # ------------------------------------------------------------ deterministic
    def apply(self, data, params):
        """Applies the layer to standardized ``data`` with drawn ``params``."""
        data = self.accept_form(data)
        out = self.transform(data, params)
        if GATE in params and not self.handles_gate:
            out = blend_rows(params[GATE], out, data)
        return out

    @property
    def handles_gate(self):
        """True when ``transform`` reads ``params["gate"]`` itself."""
        return self.changes_size or self.changes_labels

    def transform(self, data, params):
        """Layer-specific deterministic transform; override."""
        raise NotImplementedError

    def inference(self, data):
        """What the layer does when not training. Identity unless the size changes."""
        return data

    # --------------------------------------------------------------------- call
    def next_seed(self):
        """Advances the layer's seed state and returns a fresh ``[2]`` seed.

        The read and the advance are one atomic op (``RngReadAndSkip``), so calls
        from a parallel ``tf.data`` map never share a seed. A deterministic
        layer has no state and draws nothing: its seed is a constant.
        """
        if self._seed_state is None:
            return tf.zeros([2], tf.int64)
        state = tf.raw_ops.RngReadAndSkip(
            resource=_tf_variable(self._seed_state).handle, alg=1,
            delta=tf.constant(1, tf.uint64))
        return tf.stack([state[2], state[0]])

    def __call__(self, inputs, *args, **kwargs):
        if keras.backend.backend() != "tensorflow":
            _check_tensorflow_inputs(self, inputs)
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs, training=None, seed=None):
        if training is None:
            training = _called_directly()
        if isinstance(training, bool) or not tf.is_tensor(training):
            return self._train(inputs, seed) if bool(training) else self._infer(inputs)
        return tf.cond(tf.cast(training, tf.bool),
                       lambda: self._train(inputs, seed),
                       lambda: self._infer(inputs))

    def _infer(self, inputs):
        if not self.changes_size:
            return inputs
        data, spec = self.standardize(inputs)
        return self.restore(self.inference(data), spec)

    def _train(self, inputs, seed):
        seed = self.next_seed() if seed is None else seeds_lib.as_seed(seed)
        with xla.owner_scope(self):
            if self._compile_call(inputs):
                # XLA drops assertions: run the input checks before the program.
                with tf.control_dependencies(self.input_checks(inputs)):
                    seed = tf.identity(seed)
                return self.compiled_call(inputs, seed)
            return self.train_ops(inputs, seed)

    def compiled_call(self, inputs, seed):
        """The training call through XLA: one program by default."""
        return compiled(self, "train", lambda lay, x, s: lay.train_ops(x, s))(inputs, seed)

    def train_ops(self, inputs, seed):
        """The training call op by op: standardize, sample, apply, restore."""
        return self._sample_and_apply(inputs, seed)[0]

    def _sample_and_apply(self, inputs, seed):
        """``(outputs, params, data)`` of a training call (``data`` standardized)."""
        data, spec = self.standardize(inputs)
        params = self.sample(self.batch_size(data), seed)
        return self.restore(self.apply(data, params), spec), params, data

    # ------------------------------------------------------------ what was drawn
    def call_with_params(self, inputs, seed):
        """A training call that also returns what it drew: ``(outputs, params)``.

        It runs what ``layer(inputs, training=True, seed=seed)`` runs op by op
        (standardize, :meth:`sample`, :meth:`apply`, restore), so ``outputs``
        are that call's outputs (bit for bit outside XLA), and ``params`` are
        the parameters each sample got; :meth:`describe_draw` words them.

        Args:
          inputs: A batch, as the layer takes it.
          seed: The call seed: an int pair or an integer tensor ``[2]``.

        Returns:
          ``(outputs, params)``: ``params`` is the dict :meth:`sample` drew
          (leaves ``[B, ...]``; with :meth:`resolve_params`' additions), or
          None for a layer that draws inside its own ``train_ops``
          (:class:`BatchAugmentation`).

        Example:
          >>> images = tf.cast(tf.random.uniform([2, 32, 32, 3], 0, 256, tf.int32), tf.uint8)
          >>> layer = tfaug.image.RandomRotation(0.1)
          >>> out, params = layer.call_with_params(images, seed=[0, 1])
          >>> out.shape, len(layer.describe_draw(params))  # one description per sample
          (TensorShape([2, 32, 32, 3]), 2)
          >>> layer.describe_draw(params)[0]
          'angle=...'
        """
        outputs, params, data = self._sample_and_apply(inputs, seeds_lib.as_seed(seed))
        return outputs, self.resolve_params(params, data)

    def resolve_params(self, params, data):
        """``params`` plus what they mean for this input, for
        :meth:`describe_draw` (e.g. a mask's span in frames, when the layer
        draws a fraction and the frame count comes from the input); ``params``
        itself by default. ``data`` is the standardized input."""
        del data
        return params

    # How describe_draw words a drawn parameter: {key: (label, scale, unit)}
    # (e.g. radians shown in degrees); other keys are shown as ``key=value``.
    param_words = {}

    def describe_draw(self, params, batch_size=None):
        """What :meth:`call_with_params` drew, in words: one string per sample.

        Each sample's parameters are shown as ``name=value`` (scaled and with
        the unit given by the class's ``param_words``; ``_db``/``_hz`` keys in
        dB/Hz), random-number keys and large fields left out (see
        :mod:`tfaug.core.describe`); ``"not applied"`` for samples the
        layer's gate skipped, ``"applied"`` for a layer that draws nothing
        else. Policies name each op with its level and value, compositions
        the children each sample went through (``"; "`` between steps).

        Args:
          params: The ``params`` of :meth:`call_with_params` (tensors or numpy arrays).
          batch_size: The number of samples; needed only when ``params``
            holds no per-sample leaf (a layer that drew nothing).

        Returns:
          A list of ``B`` strings, or None when ``params`` is None.

        Raises:
          ValueError: ``params`` has no per-sample leaf and no ``batch_size``.

        Example:
          >>> clips = tf.random.normal([2, 8000]) * 0.1
          >>> shift = tfaug.audio.PitchShift(-4, 4, sample_rate=16000)
          >>> out, params = shift.call_with_params(clips, seed=[0, 0])
          >>> shift.describe_draw(params)
          ['pitch=... semitones', 'pitch=... semitones']
        """
        if params is None:
            return None
        params = describe_lib.to_numpy(params)
        batch = describe_lib.batch_size(params, batch_size)
        if batch is None:
            raise ValueError("`params` holds no per-sample value: pass `batch_size`.")
        return describe_lib.gated(self._words(params, batch), params, GATE)

    def _words(self, params, batch):
        """Per-sample words of numpy ``params`` (the gate is applied by the
        caller); override where draws mean something only together."""
        words = {k: v for k, v in params.items() if k != GATE}
        return describe_lib.generic_words(words, batch, self.param_words)

    def input_checks(self, inputs):
        """Run-time assertions on raw ``inputs`` (those ``standardize`` makes
        when a size is only known at run time); a list of ops."""
        del inputs
        return []

    # ------------------------------------------------------------ compilation
    def compiles(self):
        """True when a training call may run as one XLA program.

        False for layers with a codec (``xla_exempt``), for compositions that
        route rows per sample (``OneOf``...: under XLA every branch would run
        on every row), and for any composition that holds one of those.
        """
        return (self.auto_compile and not self.xla_exempt
                and all(l.compiles() for l in self.children()))

    def _compile_call(self, inputs):
        """Compile this call with XLA? Only when enabled (:func:`set_auto_compile`),
        outside XLA, for layers that :meth:`compile <compiles>`, on dense inputs
        whose sizes (all but the batch) are static: a new size costs a compilation."""
        if not xla.auto_compile_enabled() or not self.compiles() or in_xla_context():
            return False
        for leaf in tf.nest.flatten(inputs):
            if isinstance(leaf, (tf.RaggedTensor, tf.SparseTensor)) or not hasattr(leaf, "shape"):
                return False
            if getattr(leaf, "dtype", None) == tf.string:  # XLA has no strings
                return False
            shape = tf.TensorShape(leaf.shape)
            if shape.rank is None or not shape[1:].is_fully_defined():
                return False
        return True


class BatchAugmentation(Augmentation):
    """Base of layers that change the number of rows (``SMOTE``, ``EDA(num_aug>1)``).

    They read labels (so that labels follow the rows they add), never run under
    a per-sample gate (``probability`` is 1), cannot sit in a per-sample
    composition (``OneOf``/``SomeOf``/``RandomApply``) and are the identity at
    inference. ``strength`` scales how many rows are added (0: none).
    A subclass implements :meth:`train_ops` (inputs, seed -> outputs).
    """

    changes_labels = True
    strength_scales = "parameters"

    @property
    def changes_batch(self):
        """True when a training call may return more (or fewer) rows."""
        return True

    @property
    def reads_labels(self):
        """True when labels must come with the inputs (they follow the rows)."""
        return self.changes_batch

    def train_ops(self, inputs, seed):
        raise NotImplementedError

    def call_with_params(self, inputs, seed):
        """The training call; ``params`` is None (these layers draw inside
        ``train_ops``: compare the outputs with the inputs to see what changed)."""
        return self.train_ops(inputs, seeds_lib.as_seed(seed)), None


def _check_tensorflow_inputs(layer, inputs):
    """Under JAX/torch, tfaug layers run in ``tf.data``, never inside a model."""
    for leaf in tf.nest.flatten(inputs):
        if tf.is_tensor(leaf) or isinstance(leaf, (tf.RaggedTensor, tf.SparseTensor,
                                                   np.ndarray, np.generic, str, bytes,
                                                   int, float)):
            continue
        raise RuntimeError(
            f"{type(layer).__name__} runs TensorFlow ops, and Keras runs the "
            f"'{keras.backend.backend()}' backend: a tfaug layer cannot sit inside a "
            f"{keras.backend.backend()} model (it got {type(leaf).__name__}). Run it in "
            "tf.data instead: tfaug.data.Pipeline....augment(layer, augment_on=\"dataset\") "
            "(the default), or dataset.map(lambda x, y: (layer(x, training=True), y)).")
def augmentations(root: keras.layers.Layer | Sequence[keras.layers.Layer],
                  outermost: bool = False) -> list[Augmentation]:
    """Every tfaug :class:`Augmentation` inside ``root`` (nested ones too), each once.

    Args:
      root: A layer, a Keras model, or a list/tuple of them.
      outermost: Only the tfaug layers not inside another one (a composition,
        not its children).

    Returns:
      A list of layers (``root`` itself included when it is one).

    Example:
      >>> aug = tfaug.Sequence([tfaug.image.RandomFlip(), tfaug.image.RandomZoom(0.1)])
      >>> model = keras.Sequential([keras.Input((8, 8, 3)), aug, keras.layers.Flatten()])
      >>> [type(layer).__name__ for layer in augmentations(model)]
      ['Sequence', 'RandomFlip', 'RandomZoom']
      >>> [type(layer).__name__ for layer in augmentations(model, outermost=True)]
      ['Sequence']
    """
    found, seen = [], set()

    def walk(layer):
        if id(layer) in seen:
            return
        seen.add(id(layer))
        if isinstance(layer, Augmentation):
            found.append(layer)
            if outermost:
                return
        for sub in sublayers(layer):
            walk(sub)

    for top in layer_roots(root, "root"):
        walk(top)
    return found


def sublayers(layer):
    """The layers directly inside ``layer``: an augmentation's children, else
    Keras' tracked sublayers (a private walk, guarded) or a model's public
    ``layers``."""
    if isinstance(layer, Augmentation):
        return layer.children()
    flatten = getattr(layer, "_flatten_layers", None)
    if flatten is not None:
        try:
            return list(flatten(include_self=False, recursive=False))
        except TypeError:  # pragma: no cover - another Keras signature
            pass
    return list(getattr(layer, "layers", None) or [])


def layer_roots(root, argument):
    """The Keras layers of ``root``: a layer, a model, or (nested) lists of them.

    Args:
      root: What a caller was given.
      argument: Its argument name, for the error message.

    Returns:
      The layers, in order (repeats kept).

    Raises:
      ValueError: something in ``root`` is not a Keras layer.

    Example:
      >>> flip = tfaug.image.RandomFlip()
      >>> model = keras.Sequential([keras.Input((8, 8, 3)), flip])
      >>> layer_roots([model, [flip]], "layers") == [model, flip]
      True
    """
    if isinstance(root, (list, tuple)):
        return [layer for item in root for layer in layer_roots(item, argument)]
    if not isinstance(root, keras.layers.Layer):
        raise validation.ArgumentTypeError(
            argument, root, "a Keras layer, a model, or a list of them",
            f"`{argument}` must be a Keras layer, a model, or a list of "
            f"them, got {root!r}.")
    return [root]
