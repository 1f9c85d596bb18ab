"""Griffe extension for the docs build: tfaug's docstring conventions for mkdocstrings.

* Sphinx roles (``:class:`Pipeline```, ``:func:`~tfaug.audio.ops.resample```) would
  print literally in Markdown: each becomes a code span of the name (the last
  component when the target starts with ``~``).
* tfaug (like Keras) heads its doctests ``Example:``; griffe's Google parser knows
  only ``Examples:``, and would render the ``>>>`` lines as Markdown quotes.
* A reStructuredText literal-block marker (``Usage::`` ending a line) loses its
  second colon; the indented block after it is a Markdown code block already.

Loaded by mkdocs.yml; the sources are not changed.
"""

import re

import griffe

_EXAMPLE_HEADING = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)
_LITERAL_MARKER = re.compile(r"(?<=\w)::$", re.MULTILINE)
_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj|const):`(~?)([^`]+)`")


def _code(match):
    name = match.group(2)
    if match.group(1):
        name = name.rsplit(".", 1)[-1]
    return f"`{name}`"


def rewrite(text):
    r"""A docstring as mkdocstrings should read it (see the module docstring).

    Example:
        >>> rewrite("Uses :func:`~tfaug.audio.ops.resample`.\n\n  Example:\n    >>> 1\n")
        'Uses `resample`.\n\n  Examples:\n    >>> 1\n'
        >>> rewrite("Usage::\n\n    tfaug layers\n")
        'Usage:\n\n    tfaug layers\n'
    """
    text = _LITERAL_MARKER.sub(":", strip_roles(text))
    return _EXAMPLE_HEADING.sub(r"\1Examples:", text)


def strip_roles(text):
    """``:class:`~a.B``` -> ```B```; other text unchanged.

    Example:
        >>> strip_roles("see :func:`~tfaug.audio.ops.resample` and :class:`Pipeline`")
        'see `resample` and `Pipeline`'
    """
    return _ROLE.sub(_code, text)


class TfaugDocstrings(griffe.Extension):
    """Applies :func:`rewrite` to every docstring griffe loads."""

    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value)
