"""The ``Augmentation`` base layer: the contract every tfaug layer follows.

A layer keeps two things apart:

* ``sample(batch_size, seed) -> dict``: draws *all* randomness for a batch; every
  leaf has a leading batch dimension ``[B, ...]`` (per-sample decisions).
* ``apply(data, params) -> data``: deterministic; every target in ``data``
  (images, labels, masks, boxes, ...) reads the same ``params``.

``call(inputs, training=None, seed=None)`` glues them together. Outside training
the layer returns its input unchanged (layers whose output size differs, such as
crops, apply their deterministic inference transform instead so that shapes stay
consistent). ``seed`` (a shape ``[2]`` integer tensor) makes the call stateless;
without it the layer advances its own seed state, a non-trainable variable that is
saved with the layer.

Modalities subclass this base: they implement ``standardize`` (user inputs ->
internal dict) and ``restore`` (internal dict -> user outputs), and leaf layers
implement ``sample_params`` and ``transform``.
"""

import contextlib
import inspect
import threading
import weakref

import keras
import tensorflow as tf

from tfaug.core import seeds as seeds_lib
from tfaug.core import validation
from tfaug.core.batch import blend_rows
from tfaug.core.xla import in_xla_context

# Keys of ``params`` reserved by the base class.
GATE = "gate"


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


_AUTO_COMPILE = [True]
_LOCAL = threading.local()  # per-thread override of _AUTO_COMPILE (auto_compile_scope())
_COMPILED = weakref.WeakKeyDictionary()


def _auto_compile_enabled():
    override = getattr(_LOCAL, "auto_compile", None)
    return _AUTO_COMPILE[0] if override is None else override


@contextlib.contextmanager
def auto_compile_scope(enabled):
    """Context manager: automatic XLA compilation on or off in this thread only.

    Unlike :func:`set_auto_compile`, other threads (a ``tf.data`` pipeline, a
    training loop) keep the global setting. Previews use it to run a few
    calls op by op instead of paying an XLA compilation for them.

    Args:
      enabled: bool.

    Example:
      >>> with tfaug.core.auto_compile_scope(False):
      ...     out = layer(images, training=True)
    """
    previous = getattr(_LOCAL, "auto_compile", None)
    _LOCAL.auto_compile = bool(enabled)
    try:
        yield
    finally:
        _LOCAL.auto_compile = previous


def set_auto_compile(enabled):
    """Turns automatic XLA compilation of training calls on (default) or off.

    With it on, a layer (or ``Sequence``) whose ops all compile, called for
    training on inputs whose sizes are static, runs as one XLA program: about
    1.3-1.5x the throughput of op-by-op execution on CPU, and the same draws.
    The first call per input signature pays a compilation. Turn it off to
    debug op by op, or where XLA is unavailable.

    Args:
      enabled: bool.

    Returns:
      The previous setting.

    Example:
      >>> previous = tfaug.core.set_auto_compile(False)
    """
    previous = _AUTO_COMPILE[0]
    _AUTO_COMPILE[0] = bool(enabled)
    return previous


def _compiled_train(layer):
    """The layer's training call as one XLA-compiled function (cached per layer)."""
    return compiled(layer, "train", lambda lay, inputs, seed: lay._train_ops(inputs, seed))


def compiled(layer, key, fn):
    """``fn(layer, *args)`` as an XLA-compiled function, cached per layer and ``key``.

    The cache holds the layer weakly (it must not keep a layer alive) and the
    function calls back through a weak reference.
    """
    per_layer = _COMPILED.setdefault(layer, {})
    if key not in per_layer:
        ref = weakref.ref(layer)
        per_layer[key] = tf.function(lambda *args: fn(ref(), *args), jit_compile=True)
    return per_layer[key]


def _handle(variable):
    """Resource handle of a Keras (or TF) variable."""
    if isinstance(variable, keras.Variable):
        return variable.value.handle
    return variable.handle


class Augmentation(keras.layers.Layer):
    """Base class of every tfaug augmentation layer.

    Subclasses store each ``__init__`` argument as an attribute of the same name;
    ``get_config`` returns exactly those arguments (JSON-native), so
    ``cls.from_config(layer.get_config())`` rebuilds the layer.

    Args:
      probability: Per-sample chance in ``[0, 1]`` that the layer applies.
      seed: Optional int; the initial value of the layer's seed state. ``None``
        draws one from the OS at construction.
      **kwargs: Keras layer arguments (``name``).

    Class attributes a subclass may set:
      changes_size: output spatial size differs from the input's.
      changes_labels: the layer rewrites labels (mixing), so it handles its own
        gate instead of the generic per-sample blend.
      xla_exempt: the layer needs an op XLA cannot compile (a codec); the test
        harness lists these explicitly.
      auto_compile: a training call on static-size inputs runs as one XLA
        program (``tf.function(jit_compile=True)``, traced once per input
        signature): one fused pass over memory instead of one per op. False
        for compositions that route rows per sample.
      modality: "image", "text", "audio" or "tabular".
      magnitude_attr: name of the ``__init__`` argument that sets the layer's
        strength (usually ``"magnitude"``), held in a float32 variable made
        with :meth:`add_magnitude`; None for layers without a strength. The
        variable can be changed between epochs (:meth:`set_magnitude`, or
        ``tfaug.callbacks``) without retracing any ``tf.function`` or
        ``tf.data`` pipeline.
    """

    changes_size = False
    changes_labels = False
    xla_exempt = False
    auto_compile = True
    modality = None
    magnitude_attr = None

    def __init__(self, probability=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.probability = validation.check_probability("probability", probability)
        self.seed = validation.check_seed("seed", seed)
        # Inputs are dicts of mixed dtypes; never let Keras cast them.
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True
        self.supports_jit = True
        self._seed_state = self.add_weight(
            name="seed_state", shape=(3,), dtype="int64", trainable=False,
            initializer=keras.initializers.Constant(seeds_lib.initial_state(seed)))

    # ------------------------------------------------------------------ config
    def get_config(self):
        """Returns exactly the ``__init__`` arguments, JSON-native."""
        config = {}
        params = inspect.signature(type(self).__init__).parameters.items()
        for pname, param in params:
            if pname == "self" or param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
                continue
            config[pname] = _json_native(getattr(self, pname))
        config["name"] = self.name
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def build(self, input_shape=None):
        for layer in getattr(self, "layers", []) or []:
            if not layer.built:
                layer.build(input_shape)
        self.built = True

    # ---------------------------------------------------------------- magnitude
    def add_magnitude(self, name, value, low=0.0, high=None):
        """Creates the strength variable (float32 scalar, not trainable).

        A subclass calls it in ``__init__`` and stores the result under the
        argument's name (``self.magnitude = self.add_magnitude("magnitude",
        magnitude)``); ``get_config`` then reports the variable's current
        value. Reads inside ``sample_params`` see later assignments without a
        retrace.

        Args:
          name: The ``__init__`` argument (``magnitude_attr``).
          value: Initial value, checked against ``[low, high]``.
          low: Smallest allowed value.
          high: Largest allowed value, or None.

        Returns:
          The variable.
        """
        value = validation.check_number(name, value, low, high)
        self._magnitude_bounds = (low, high)
        return self.add_weight(name=name, shape=(), dtype="float32", trainable=False,
                               initializer=keras.initializers.Constant(value))

    @property
    def magnitude_variable(self):
        """The strength variable, or None when the layer has no strength."""
        if not self.magnitude_attr:
            return None
        return getattr(self, self.magnitude_attr)

    @property
    def magnitude_bounds(self):
        """``(low, high)`` allowed for the strength (``high`` None = unbounded)."""
        return getattr(self, "_magnitude_bounds", (0.0, None))

    def get_magnitude(self):
        """Current strength as a Python float (None without a strength)."""
        var = self.magnitude_variable
        return None if var is None else float(var.numpy())

    def set_magnitude(self, value):
        """Sets the strength; takes effect on the next batch without a retrace.

        Args:
          value: New value of the ``magnitude_attr`` argument, checked against
            the layer's allowed range.

        Raises:
          ValueError: the layer has no strength, or the value is out of range.
        """
        var = self.magnitude_variable
        if var is None:
            raise ValueError(f"{type(self).__name__} has no magnitude to set.")
        low, high = self.magnitude_bounds
        var.assign(validation.check_number(self.magnitude_attr, value, low, high))

    def magnitude_tensor(self):
        """The strength read as a float32 scalar tensor (for ``sample_params``)."""
        return tf.convert_to_tensor(self.magnitude_variable, tf.float32)

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

    # --------------------------------------------------------------- randomness
    def sample(self, batch_size, seed):
        """Draws every random parameter for a batch of ``batch_size``.

        Args:
          batch_size: Scalar int (may be a tensor).
          seed: Shape ``[2]`` integer seed.

        Returns:
          A dict of tensors, each with leading dimension ``batch_size``. Key
          ``"gate"`` (bool ``[B]``) says which samples the layer applies to; it is
          present when ``probability < 1``.
        """
        gate_seed, param_seed = self.split_seed(seed)
        params = dict(self.sample_params(batch_size, param_seed))
        if self.probability < 1.0:
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
        from a parallel ``tf.data`` map never share a seed.
        """
        state = tf.raw_ops.RngReadAndSkip(
            resource=_handle(self._seed_state), alg=1, delta=tf.constant(1, tf.uint64))
        return tf.stack([state[2], state[0]])

    def call(self, inputs, training=None, seed=None):
        training = False if training is None else training
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
        if self._compile_call(inputs):
            # XLA drops assertions: run the input checks before the program.
            with tf.control_dependencies(self.input_checks(inputs)):
                seed = tf.identity(seed)
            return self._compiled_call(inputs, seed)
        return self._train_ops(inputs, seed)

    def _compiled_call(self, inputs, seed):
        """The training call through XLA: one program by default."""
        return _compiled_train(self)(inputs, seed)

    def _train_ops(self, inputs, seed):
        data, spec = self.standardize(inputs)
        params = self.sample(self.batch_size(data), seed)
        return self.restore(self.apply(data, params), spec)

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
                and all(l.compiles() for l in getattr(self, "layers", None) or []))

    def _compile_call(self, inputs):
        """Compile this call with XLA? Only when enabled (:func:`set_auto_compile`),
        outside XLA, for layers that :meth:`compile <compiles>`, on dense inputs
        whose sizes (all but the batch) are static: a new size costs a compilation."""
        if not _auto_compile_enabled() or not self.compiles() or in_xla_context():
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


def augmentations(root):
    """Every tfaug :class:`Augmentation` inside ``root`` (nested ones too), each once.

    Args:
      root: A layer, a Keras model, or a list/tuple of them.

    Returns:
      A list of layers (``root`` itself included when it is one).

    Example:
      >>> strong = [l for l in augmentations(model) if l.magnitude_attr]
    """
    found, seen = [], set()
    for top in layer_roots(root, "root"):
        for layer in top._flatten_layers(include_self=True, recursive=True):
            if isinstance(layer, Augmentation) and id(layer) not in seen:
                seen.add(id(layer))
                found.append(layer)
    return found


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
      >>> layer_roots([model, [aug]], "layers")
    """
    if isinstance(root, (list, tuple)):
        return [layer for item in root for layer in layer_roots(item, argument)]
    if not isinstance(root, keras.layers.Layer):
        raise ValueError(f"`{argument}` must be a Keras layer, a model, or a list of "
                         f"them, got {root!r}.")
    return [root]
