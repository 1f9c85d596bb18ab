"""A thin shim: tfaug's packaging lives in pyproject.toml (PEP 621).

Kept for tools that still run ``python setup.py ...``; ``pip install .``,
``pip install -e .`` and ``python -m build`` read pyproject.toml.
"""

from setuptools import setup

setup()
