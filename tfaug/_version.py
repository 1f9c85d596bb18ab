"""Version and distribution name of tfaug (single source; stdlib only, no imports).

The import name is ``tfaug``; the distribution on PyPI is ``tfaugment`` (``tfaug``
on PyPI is an unrelated project). pyproject.toml reads ``__version__`` from here.

Example:
    >>> from tfaug._version import DISTRIBUTION, __version__
    >>> f"pip install {DISTRIBUTION}=={__version__}"
    'pip install tfaugment==0.2.0'
"""

__version__ = "0.2.0"
DISTRIBUTION = "tfaugment"
