"""Text previews: each original and its variants with the changed words marked.

Words are whitespace tokens, compared with ``difflib`` (a sequence matcher
on the token lists): tokens a variant replaced or inserted are *changed*;
tokens it deleted are *deleted* (they are not in the variant). The three
forms mark them as follows:

* terminal (``Preview.text``): changed ``[[word]]``, deleted ``[-word-]``;
  with the option ``color=True``, changed in ANSI reverse video
  (``ESC[7m``) and deleted struck through (``ESC[9m``) instead.
* HTML (``Preview.html``, the ``.html`` file): changed in ``<mark>``,
  deleted in ``<del>``.
* Markdown (``Preview.markdown``, for TensorBoard): changed in ``**bold**``,
  deleted in ``~~strike~~``.
"""

import difflib
import html as html_lib
import re

import numpy as np
import tensorflow as tf

from tfaug.viz import base

OPTIONS = ("color", "title")
SAME, CHANGED, DELETED = "same", "changed", "deleted"
REVERSE, STRIKE, RESET = "\x1b[7m", "\x1b[9m", "\x1b[0m"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~|#])")


def diff_tokens(original, variant):
    """Token-level diff: ``[(token, kind)]`` in reading order, ``kind`` one of
    ``"same"``, ``"changed"`` (replaced or inserted: in the variant) and
    ``"deleted"`` (only in the original).

    Args:
      original: The original string.
      variant: The augmented string.

    Returns:
      A list of ``(token, kind)``.

    Example:
      >>> diff_tokens("a good day", "a fine day")
      [('a', 'same'), ('good', 'deleted'), ('fine', 'changed'), ('day', 'same')]
    """
    a, b = str(original).split(), str(variant).split()
    out = []
    for tag, i0, i1, j0, j1 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend((t, SAME) for t in b[j0:j1])
            continue
        out.extend((t, DELETED) for t in a[i0:i1])
        out.extend((t, CHANGED) for t in b[j0:j1])
    return out


def text_diff(original, variant):
    """The variant's tokens with a changed flag: ``[(token, changed)]``.

    Replaced and inserted tokens are changed; deleted tokens are not in the
    list (see :func:`diff_tokens`, which keeps them).

    Args:
      original: The original string.
      variant: The augmented string.

    Returns:
      A list of ``(token, bool)``, one per whitespace token of ``variant``.

    Example:
      >>> text_diff("i am not happy", "i am not glad")
      [('i', False), ('am', False), ('not', False), ('glad', True)]
    """
    return [(t, kind == CHANGED) for t, kind in diff_tokens(original, variant) if kind != DELETED]


def _md_escape(value):
    return _MD_SPECIAL.sub(r"\\\1", value)


def _render(tokens, changed, deleted, escape=str):
    """Joins ``tokens``; changed/deleted ones through the ``{}`` templates."""
    return " ".join(escape(token) if kind == SAME else
                    (changed if kind == CHANGED else deleted).format(escape(token))
                    for token, kind in tokens)


def _terminal(tokens, color):
    if color:
        return _render(tokens, REVERSE + "{}" + RESET, STRIKE + "{}" + RESET)
    return _render(tokens, "[[{}]]", "[-{}-]")


def _html(tokens):
    return _render(tokens, "<mark>{}</mark>", "<del>{}</del>", html_lib.escape)


def _markdown(tokens):
    return _render(tokens, "**{}**", "~~{}~~", _md_escape)


def render(originals, variants, color=False, title=None):
    """The terminal, HTML and Markdown forms of a text preview.

    Args:
      originals: ``list[str]``, one per sample.
      variants: A list (one per variant) of ``list[str]`` aligned with
        ``originals``.
      color: Terminal form with ANSI marks instead of brackets.
      title: Heading of the HTML and Markdown forms.

    Returns:
      ``(text, html, markdown)``.
    """
    title = title or "tfaug text preview"
    term = [title]
    page = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\">",
            f"<title>{html_lib.escape(title)}</title>",
            "<style>body{font-family:sans-serif} mark{background:#ffe066}"
            " del{color:#b00} ol{padding-left:1.5em} .orig{color:#333}</style>",
            "</head><body>", f"<h3>{html_lib.escape(title)}</h3>", "<ol>"]
    md = [f"### {_md_escape(title)}", ""]
    for i, original in enumerate(originals):
        term.append(f"[{i}] original: {original}")
        page.append(f"<li><div class=\"orig\">{html_lib.escape(original)}</div><ul>")
        md.append(f"{i + 1}. original: {_md_escape(original)}")
        for j, batch in enumerate(variants):
            tokens = diff_tokens(original, batch[i])
            term.append(f"    v{j}: {_terminal(tokens, color)}")
            page.append(f"<li>v{j}: {_html(tokens)}</li>")
            md.append(f"    - v{j}: {_markdown(tokens)}")
        page.append("</ul></li>")
    page += ["</ol>", "</body></html>"]
    return "\n".join(term) + "\n", "\n".join(page) + "\n", "\n".join(md) + "\n"


# ------------------------------------------------------------------- preview
def _strings(value, what):
    if isinstance(value, tf.RaggedTensor):
        raise TypeError(f"text `inputs` must be strings [B], got a ragged tensor ({what}).")
    if isinstance(value, str):
        return [value], True
    if isinstance(value, bytes):
        return [value.decode("utf-8")], True
    array = value.numpy() if tf.is_tensor(value) else np.asarray(value, dtype=object)
    if array.ndim == 0:
        array = array[None]
    if array.ndim != 1 or array.size == 0 or not all(isinstance(v, (str, bytes)) for v in array):
        raise TypeError(f"text `inputs` must be a non-empty list/array/tensor of str [B] "
                        f"({what}), got {type(value).__name__} of shape "
                        f"{getattr(array, 'shape', None)}.")
    return [v.decode("utf-8") if isinstance(v, bytes) else v for v in array], False


def prepare(inputs, n):
    """User inputs -> (what the layer is called on, list of the n originals, unwrap)."""
    if isinstance(inputs, tuple):
        if len(inputs) != 2:
            raise TypeError(f"text `inputs` tuple must be (texts, labels), got {len(inputs)} "
                            "items.")
        texts, _ = _strings(inputs[0], "tuple")
        labels = np.asarray(base.to_numpy(inputs[1]))[:n]
        return (tf.constant(texts[:n]), tf.constant(labels)), texts[:n], lambda out: out[0]
    if isinstance(inputs, dict):
        if "text" not in inputs:
            raise ValueError(f"text `inputs` dict needs a 'text' key, got keys "
                             f"{sorted(inputs)}.")
        texts, _ = _strings(inputs["text"], "dict")
        batch = {k: tf.constant(np.asarray(base.to_numpy(v))[:n]) for k, v in inputs.items()
                 if k != "text"}
        batch["text"] = tf.constant(texts[:n])
        return batch, texts[:n], lambda out: out["text"]
    texts, _ = _strings(inputs, "tensor")
    return tf.constant(texts[:n]), texts[:n], lambda out: out


def _decode(out, count):
    """Layer output -> ``count`` strings; a layer making ``k`` strings per input
    (``EDA(num_aug=k)``) shows the first of each sample's ``k``."""
    values = [v.decode("utf-8") if isinstance(v, bytes) else str(v)
              for v in np.asarray(base.to_numpy(out)).reshape(-1)]
    if len(values) != count and len(values) % count == 0:
        values = values[::len(values) // count]
    return values


def build(layer, inputs, n, seed, variants, color=False, title=None):
    """Runs ``layer`` and builds the text :class:`~tfaug.viz.base.Preview`."""
    batch, originals, unwrap = prepare(inputs, n)
    outs = [_decode(unwrap(layer(batch, training=True, seed=base.variant_seed(seed, j))),
                    len(originals)) for j in range(variants)]
    if title is None:
        title = f"{type(layer).__name__}: {variants} variants (seed {seed})"
    text, page, markdown = render(originals, outs, color=bool(color), title=title)
    return base.Preview("text", originals, outs, text=text, html=page, markdown=markdown,
                        seed=seed, writer=write)


def html_path(path):
    """Where the HTML of a text preview goes: ``path`` with suffix ``.html``
    (``.html``/``.htm`` kept, any other suffix such as ``.png`` replaced)."""
    if path.suffix.lower() in (".html", ".htm"):
        return path
    return path.with_suffix(".html")


def write(preview, path):
    """Writer of text previews: the HTML page."""
    return [base.write_bytes_atomically(html_path(path), preview.html.encode("utf-8"))]
