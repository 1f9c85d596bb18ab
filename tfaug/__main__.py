"""``python -m tfaug ...``: the ``tfaug`` command (see :mod:`tfaug_cli`).

Python imports the ``tfaug`` package (and TensorFlow) before running this
module, so ``python -m tfaug --help`` takes seconds; ``tfaug --help`` and
``python -m tfaug_cli --help`` answer without TensorFlow.

Example:
    $ python -m tfaug layers --modality tabular
"""

import sys

import tfaug_cli

if __name__ == "__main__":
    sys.exit(tfaug_cli.main())
