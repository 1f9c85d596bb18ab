"""XLA in tfaug: the one switch, the compiled programs, and the XLA-context test.

Every XLA program tfaug makes goes through this module:

* a layer's training call compiled as one program (:meth:`Augmentation.compiles`);
* module-level op programs (the resampler, colour levels, the policy op groups,
  the k-NN search), declared with :func:`program`.

One switch controls all of them: :func:`set_auto_compile` (process-wide) and
:func:`auto_compile_scope` (this thread only). With it off no XLA program is
made or run, module-level ones included. Compiled programs are cached per owner (the
layer whose call is running, or the process for calls outside any layer) in
bounded caches (:data:`CACHE_SIZE` programs each, least recently used dropped),
and each cached program is traced for one input signature only, so a new shape
makes a new program instead of a retrace (no retracing warnings).
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
import contextlib
import threading
import weakref

import tensorflow as tf

try:  # The public API has no "inside jit_compile" test; guarded private use.
    from tensorflow.python.framework import ops as _tf_ops
    from tensorflow.python.ops import control_flow_util as _tf_cfu
    _tf_cfu.GraphOrParentsInXlaContext  # pylint: disable=pointless-statement
    _tf_ops.get_default_graph  # pylint: disable=pointless-statement
except (ImportError, AttributeError):  # pragma: no cover - depends on the TF version
    # Fallback: tfaug's own record of the XLA programs it is tracing (below).
    _tf_ops = _tf_cfu = None

# Programs per owner (layer or process) before the least recently used is dropped.
CACHE_SIZE = 64

_ENABLED = [True]
_LOCAL = threading.local()  # auto_compile_scope() override and the running owner
_CACHES = weakref.WeakKeyDictionary()
_PROCESS = type("ProcessOwner", (), {})()  # owner of programs run outside any layer
_LOCK = threading.Lock()


def in_xla_context() -> bool:
    """True while tracing inside a ``jit_compile=True`` function.

    Where TensorFlow's private XLA-context test is missing (another TensorFlow
    version), only tfaug's own XLA programs (every layer's compiled call and
    op group, see :func:`jit`) are recognized. A layer inside a user's own
    ``jit_compile=True`` function then still picks its XLA-safe ops where its
    call is itself one of those programs (:meth:`Augmentation.compiles`, the
    switch of :func:`set_auto_compile` on: the default).

    Example:
      >>> tfaug.core.in_xla_context()
      False
    """
    if getattr(_LOCAL, "xla_traces", 0):
        return True
    if _tf_cfu is None:
        return False
    return bool(_tf_cfu.GraphOrParentsInXlaContext(_tf_ops.get_default_graph()))


def auto_compile_enabled() -> bool:
    """The switch as seen from this thread (a scope's value, else the process's).

    Example:
      >>> with tfaug.core.auto_compile_scope(False):
      ...     tfaug.core.auto_compile_enabled()
      False
    """
    override = getattr(_LOCAL, "enabled", None)
    return _ENABLED[0] if override is None else override


def set_auto_compile(enabled: bool) -> bool:
    """Turns every XLA program tfaug makes on (default) or off, process-wide.

    With it on, a layer (or ``Sequence``) whose ops all compile, called for
    training on inputs whose sizes are static, runs as one XLA program (about
    1.3-1.5x the throughput of op-by-op execution on CPU, the same draws), and
    op groups declared with :func:`program` (resampler, colour levels, policy
    op groups, k-NN) run compiled. With it off nothing is compiled with XLA
    (op groups run as plain graph functions): to debug, or where XLA is
    unavailable. Programs compiled before the switch
    are not used while it is off.

    Args:
      enabled: bool.

    Returns:
      The previous setting.

    Example:
      >>> previous = tfaug.core.set_auto_compile(False)
      >>> tfaug.core.set_auto_compile(previous)
      False
    """
    previous = _ENABLED[0]
    _ENABLED[0] = bool(enabled)
    return previous


@contextlib.contextmanager
def auto_compile_scope(enabled: bool) -> Iterator[None]:
    """Context manager: the switch of :func:`set_auto_compile` in this thread only.

    Other threads (a ``tf.data`` pipeline, a training loop) keep the process
    setting. Previews use it to run a few calls op by op instead of paying an
    XLA compilation for them.

    Args:
      enabled: bool.

    Example:
      >>> layer = tfaug.image.RandomRotation(0.1)
      >>> with tfaug.core.auto_compile_scope(False):  # op by op, no XLA compilation
      ...     out = layer(tf.zeros([2, 8, 8, 3]), training=True)
    """
    previous = getattr(_LOCAL, "enabled", None)
    _LOCAL.enabled = bool(enabled)
    try:
        yield
    finally:
        _LOCAL.enabled = previous


@contextlib.contextmanager
def owner_scope(owner):
    """Programs run inside are cached under ``owner`` (a layer) in this thread."""
    previous = getattr(_LOCAL, "owner", None)
    _LOCAL.owner = owner
    try:
        yield
    finally:
        _LOCAL.owner = previous


def current_owner():
    """The layer whose call is running in this thread (the process otherwise)."""
    return getattr(_LOCAL, "owner", None) or _PROCESS


def cache_of(owner):
    """The bounded program cache (an ``OrderedDict``) of ``owner``."""
    with _LOCK:
        cache = _CACHES.get(owner)
        if cache is None:
            cache = _CACHES[owner] = collections.OrderedDict()
        return cache


def cached_program(owner, key, make):
    """The program cached under ``(owner, key)``, made with ``make()`` if absent.

    Args:
      owner: A weak-referenceable object (a layer).
      key: Hashable key of the program within the owner.
      make: Zero-argument callable returning a ``tf.function``.

    Returns:
      The program.
    """
    cache = cache_of(owner)
    with _LOCK:
        fn = cache.get(key)
        if fn is None:
            fn = cache[key] = make()
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        return fn


def programs(owner):
    """Keys of the programs cached for ``owner`` (a layer), oldest first.

    Example:
      >>> layer = tfaug.image.RandomFlip()
      >>> with tfaug.core.auto_compile_scope(True):
      ...     out = layer(tf.zeros([2, 8, 8, 3]), training=True)
      >>> [key[0] for key in tfaug.core.xla.programs(layer)]
      ['train']
    """
    return list(cache_of(owner))


def signature(value):
    """Hashable trace key of one argument: shape and dtype of tensors, the value
    of Python constants."""
    if isinstance(value, (tf.Tensor, tf.Variable)) or hasattr(value, "dtype") and hasattr(
            value, "shape"):
        return ("T", tuple(tf.TensorShape(value.shape).as_list())
                if tf.TensorShape(value.shape).rank is not None else None,
                tf.as_dtype(value.dtype).name)
    if isinstance(value, dict):
        return ("D",) + tuple((k, signature(v)) for k, v in sorted(value.items()))
    if isinstance(value, (list, tuple)):
        return ("L",) + tuple(signature(v) for v in value)
    return ("C", value)


class _Traced:
    """A callable wrapping ``fn`` for one ``tf.function``.

    TensorFlow counts traces per Python code object and warns about
    "retracing" after five; every cached program is traced once, for its own
    signature, so each gets its own callable object (counted apart).
    """

    def __init__(self, fn, xla_program=False):
        self.fn = fn
        self.xla_program = xla_program

    def __call__(self, *args):
        if not self.xla_program:
            return self.fn(*args)
        # Runs while the program is traced: in_xla_context() holds inside.
        _LOCAL.xla_traces = getattr(_LOCAL, "xla_traces", 0) + 1
        try:
            return self.fn(*args)
        finally:
            _LOCAL.xla_traces -= 1


def jit(fn):
    """``tf.function(fn, jit_compile=True)``, traced and counted on its own.

    Without AutoGraph: tfaug's code is graph code already (``tf.cond``,
    ``tf.where``, no Python control flow on tensors), and converting it
    function by function cost about 5 s on the first compiled call of a
    process (RandomRotation on 16x16 images: 5.2 s -> 1.4 s).

    Args:
      fn: A function of tensors.

    Returns:
      The compiled function.
    """
    return tf.function(_Traced(fn, xla_program=True), jit_compile=True, autograph=False)


class Program:
    """A function of tensors run as one XLA program when the switch is on.

    Created with :func:`program`. Inside an XLA context the function runs
    inline; otherwise a ``tf.function(jit_compile=True)`` per input signature
    (with the switch off: a plain ``tf.function``, no XLA) is taken from the
    running layer's bounded cache.
    """

    def __init__(self, fn, name):
        self.python_function = fn
        self.name = name

    def __call__(self, *args):
        if in_xla_context():
            return self.python_function(*args)
        enabled = auto_compile_enabled()
        key = (self.name, enabled, signature(args))
        fn = self.python_function
        # Switch off: a plain graph function (no XLA, no AutoGraph, as in
        # jit()), traced once per signature.
        make = (lambda: jit(fn)) if enabled else (lambda: tf.function(_Traced(fn), autograph=False))
        return cached_program(current_owner(), key, make)(*args)


def program(fn=None, *, name=None):
    """Declares ``fn`` an XLA program governed by :func:`set_auto_compile`.

    Args:
      fn: A function of tensors (and hashable Python constants).
      name: Cache key prefix; defaults to the function's qualified name.

    Returns:
      A :class:`Program`.

    Example:
      >>> @program
      ... def levels(images, table):
      ...     return tf.gather(table, images)
      >>> levels(tf.constant([[0, 2]]), tf.constant([10, 20, 30])).numpy().tolist()
      [[10, 30]]
    """
    if fn is None:
        return lambda f: program(f, name=name)
    return Program(fn, name or f"{fn.__module__}.{fn.__qualname__}")
