"""Detects whether ops are being traced for XLA compilation.

Some ops have a fast TensorFlow kernel that XLA cannot compile (e.g.
``ImageProjectiveTransformV3`` on CPU) or data-dependent shapes (partitioning a
batch by the op each sample drew). Layers pick the kernel outside XLA and an
XLA-compatible formulation inside ``tf.function(jit_compile=True)``.
"""

from tensorflow.python.framework import ops as _ops
from tensorflow.python.ops import control_flow_util as _cfu


def in_xla_context():
    """True while tracing inside a ``jit_compile=True`` function."""
    return bool(_cfu.GraphOrParentsInXlaContext(_ops.get_default_graph()))
