"""Text previews: each original and its variants with the edits marked, and
under each variant the words it changed.

Words are whitespace tokens. :func:`diff_tokens` tells five kinds of edit
apart: two words that exchanged places are a *swap* (one marked pair, not two
deletions and two insertions), a word found again elsewhere is a *move*, a
word put in place of another a *replacement*, and what is left an
*insertion* or a *deletion*. The three forms mark them as follows (terminal;
HTML, ``Preview.html`` and the file; Markdown, for TensorBoard):

* swapped: ``<1:word>``; a blue ``<span class="swap">`` with the pair's
  number; a code span followed by ``⇄1``.
* moved: ``^word^``; a purple ``<span class="move">``; ``_word_``.
* replaced: ``[old->new]``; a yellow ``<span class="rep">`` holding the old
  word struck through, an arrow and the new word; ``~~old~~→**new**``.
* inserted: ``{+word+}``; ``<ins>`` (green); ``**word**``.
* deleted: ``[-word-]``; ``<del>`` (red, struck through); ``~~word~~``.

With the option ``color=True`` the terminal form uses ANSI colours instead
(swapped cyan, moved magenta, replaced reverse video, inserted green,
deleted struck through). Each variant is followed by its label
(:func:`describe_diff`: ``swapped 'a' ⇄ 'b'``, ``replaced 'good' → 'fine'``,
``inserted 'very'``, ``deleted 'not'``, ``moved 'day'``, or ``unchanged``).
"""

from __future__ import annotations

from collections.abc import Sequence
import difflib
import html as html_lib
import re
import typing

import numpy as np
import tensorflow as tf

from tfaug.viz import base

OPTIONS = ("color", "title")
SAME, INSERTED, DELETED, REPLACED, SWAPPED, MOVED = (
    "same", "inserted", "deleted", "replaced", "swapped", "moved")
CHANGED_KINDS = (INSERTED, REPLACED, SWAPPED, MOVED)
REVERSE, STRIKE, RESET = "\x1b[7m", "\x1b[9m", "\x1b[0m"
_ANSI = {SWAPPED: "\x1b[46m", MOVED: "\x1b[45m", REPLACED: REVERSE, INSERTED: "\x1b[42m",
         DELETED: STRIKE}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~|#])")


class Edit(typing.NamedTuple):
    """One token of a diff, in reading order.

    Attributes:
      token: The word (for ``deleted``: the original's word; otherwise the
        variant's).
      kind: ``"same"``, ``"inserted"``, ``"deleted"``, ``"replaced"``,
        ``"swapped"`` or ``"moved"``.
      ref: ``replaced``: the original word it replaced; ``swapped``: the pair
        number (1, 2, ...; the two words of a pair share it); ``moved``: the
        word's position in the original; else None.
    """

    token: str
    kind: str
    ref: object = None


def _permuted(a, b):
    """Edits when ``b`` is a reordering of ``a`` (same words, same length), else
    None: words of exchanged pairs are ``swapped``, other words not at their
    place ``moved`` (``ref``: where they stood)."""
    if len(a) != len(b) or a == b or sorted(a) != sorted(b):
        return None
    differ = [i for i in range(len(a)) if a[i] != b[i]]
    pair, used = {}, set()
    for i in differ:
        j = next((j for j in differ if j > i and i not in used and j not in used and
                  a[i] == b[j] and a[j] == b[i]), None)
        if j is not None:
            used.update((i, j))
            pair[i] = pair[j] = len(pair) // 2 + 1
    sources = [i for i in differ if i not in used]  # the rest: a cycle of moves
    out = []
    for j, token in enumerate(b):
        if j in pair:
            out.append(Edit(token, SWAPPED, pair[j]))
        elif j in used or a[j] == token:
            out.append(Edit(token, SAME))
        else:
            i = next(i for i in sources if a[i] == token)
            sources.remove(i)
            out.append(Edit(token, MOVED, i))
    return out


def diff_tokens(original: str, variant: str) -> list[Edit]:
    """Token-level diff of ``original`` and ``variant`` as :class:`Edit` s.

    Reorderings first: when ``variant`` holds the words of ``original`` in
    another order, words of exchanged pairs are ``swapped`` (each pair
    numbered) and any other word not at its place ``moved``. Otherwise a
    ``difflib`` sequence match; a word removed in one place and added in
    another is ``moved``; a changed stretch that lost as many words as it
    gained is ``replaced`` word for word (the new word, ``ref`` the old one);
    otherwise its words are ``deleted`` / ``inserted``. Deleted words appear where they
    stood in the original, before what replaced them.

    Args:
      original: The original string.
      variant: The augmented string.

    Returns:
      A list of :class:`Edit`.

    Example:
      >>> [tuple(e) for e in diff_tokens("a good day", "a fine day")]
      [('a', 'same', None), ('fine', 'replaced', 'good'), ('day', 'same', None)]
      >>> [e.kind for e in diff_tokens("not a good day", "not a day good")]
      ['same', 'same', 'swapped', 'swapped']
    """
    a, b = str(original).split(), str(variant).split()
    reordered = _permuted(a, b)
    if reordered is not None:
        return reordered
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    removed = [(i, a[i]) for tag, i0, i1, _, _ in ops if tag != "equal" for i in range(i0, i1)]
    added = [(j, b[j]) for tag, _, _, j0, j1 in ops if tag != "equal" for j in range(j0, j1)]
    moved_from, moved_to = {}, {}
    for j, token in added:  # a word removed in one place and added in another
        i = next((i for i, t in removed if t == token and i not in moved_from), None)
        if i is not None:
            moved_from[i], moved_to[j] = j, i
    out = []
    for tag, i0, i1, j0, j1 in ops:
        if tag == "equal":
            out.extend(Edit(t, SAME) for t in b[j0:j1])
            continue
        gone = [i for i in range(i0, i1) if i not in moved_from]
        new = [j for j in range(j0, j1) if j not in moved_to]
        # Word for word only when the stretch lost as many words as it gained;
        # otherwise which old word became which new one is unknown.
        paired = len(gone) if tag == "replace" and len(gone) == len(new) else 0
        replaced_by = dict(zip(new[:paired], gone[:paired]))
        out.extend(Edit(a[i], DELETED) for i in gone[paired:])
        for j in range(j0, j1):
            if j in moved_to:
                out.append(Edit(b[j], MOVED, moved_to[j]))
            elif j in replaced_by:
                out.append(Edit(b[j], REPLACED, a[replaced_by[j]]))
            else:
                out.append(Edit(b[j], INSERTED))
    return out


def describe_diff(edits: Sequence[Edit]) -> str:
    """The words a variant changed, in words (the text preview's label).

    Args:
      edits: A list of :class:`Edit` (:func:`diff_tokens`).

    Returns:
      ``"swapped 'a' ⇄ 'b'; replaced 'good' → 'fine'; inserted 'x';
      deleted 'y'; moved 'z'"`` (the edits present, in that order;
      consecutive inserted or deleted words as one phrase), or
      ``"unchanged"``.

    Example:
      >>> describe_diff(diff_tokens("a good day", "a fine day"))
      "replaced 'good' → 'fine'"
    """
    pairs = {}
    for e in edits:
        if e.kind == SWAPPED:
            pairs.setdefault(e.ref, []).append(e.token)
    parts = [f"swapped '{p[1]}' ⇄ '{p[0]}'" for _, p in sorted(pairs.items())]
    parts += [f"replaced '{e.ref}' → '{e.token}'" for e in edits if e.kind == REPLACED]
    parts += [f"inserted '{run}'" for run in _runs(edits, INSERTED)]
    parts += [f"deleted '{run}'" for run in _runs(edits, DELETED)]
    parts += [f"moved '{e.token}'" for e in edits if e.kind == MOVED]
    return "; ".join(parts) or "unchanged"


def _runs(edits, kind):
    """Consecutive words of ``kind`` joined into phrases (``inserted 'in the least'``)."""
    runs, current = [], []
    for e in edits:
        if e.kind == kind:
            current.append(e.token)
        elif current:
            runs.append(" ".join(current))
            current = []
    return runs + ([" ".join(current)] if current else [])


def text_diff(original: str, variant: str) -> list[tuple[str, bool]]:
    """The variant's tokens with a changed flag: ``[(token, changed)]``.

    Swapped, moved, replacing and inserted tokens are changed; deleted tokens
    are not in the list (see :func:`diff_tokens`, which keeps them).

    Args:
      original: The original string.
      variant: The augmented string.

    Returns:
      A list of ``(token, bool)``, one per whitespace token of ``variant``.

    Example:
      >>> text_diff("i am not happy", "i am not glad")
      [('i', False), ('am', False), ('not', False), ('glad', True)]
    """
    return [(e.token, e.kind in CHANGED_KINDS) for e in diff_tokens(original, variant)
            if e.kind != DELETED]


def _md_escape(value):
    return _MD_SPECIAL.sub(r"\\\1", value)


def _terminal_edit(e, color):
    if e.kind == SAME:
        return e.token
    if color:
        shown = f"{e.ref}->{e.token}" if e.kind == REPLACED else e.token
        return _ANSI[e.kind] + shown + RESET
    return {SWAPPED: f"<{e.ref}:{e.token}>", MOVED: f"^{e.token}^",
            REPLACED: f"[{e.ref}->{e.token}]", INSERTED: f"{{+{e.token}+}}",
            DELETED: f"[-{e.token}-]"}[e.kind]


def _html_edit(e):
    t = html_lib.escape(e.token)
    if e.kind == SAME:
        return t
    if e.kind == SWAPPED:
        return (f'<span class="swap" title="swapped (pair {e.ref})">{t}'
                f'<sub>{e.ref}</sub></span>')
    if e.kind == MOVED:
        return f'<span class="move" title="moved from word {e.ref + 1}">{t}</span>'
    if e.kind == REPLACED:
        old = html_lib.escape(str(e.ref))
        return f'<span class="rep" title="replaced {old}"><s>{old}</s>&rarr;{t}</span>'
    return f"<ins>{t}</ins>" if e.kind == INSERTED else f"<del>{t}</del>"


def _markdown_edit(e):
    t = _md_escape(e.token)
    if e.kind == SAME:
        return t
    return {SWAPPED: f"`{e.token}`⇄{e.ref}", MOVED: f"_{t}_",
            REPLACED: f"~~{_md_escape(str(e.ref))}~~→**{t}**", INSERTED: f"**{t}**",
            DELETED: f"~~{t}~~"}[e.kind]


_STYLE = ("<style>body{font-family:sans-serif;line-height:1.6} ol{padding-left:1.5em}"
          " .orig{color:#333} .label{color:#555;font-size:0.85em;margin-left:0.5em}"
          " .swap{background:#9fd8ff;border:1px solid #1a7fc1;border-radius:3px;padding:0 2px}"
          " .move{background:#e4c6ff;border-radius:3px;padding:0 2px}"
          " .rep{background:#ffe066;border-radius:3px;padding:0 2px} .rep s{color:#8a6d00}"
          " ins{background:#c8f7c5;text-decoration:none} del{color:#b00}"
          " .legend span,.legend ins,.legend del{margin-right:0.8em}</style>")


def render(originals, variants, color=False, title=None):
    """The terminal, HTML and Markdown forms of a text preview.

    Args:
      originals: ``list[str]``, one per sample.
      variants: A list (one per variant) of ``list[str]`` aligned with
        ``originals``.
      color: Terminal form with ANSI colours instead of bracket marks.
      title: Heading of the HTML and Markdown forms.

    Returns:
      ``(text, html, markdown, labels)``: ``labels[j][i]`` is
      :func:`describe_diff` of variant ``j`` of sample ``i``.
    """
    title = title or "tfaug text preview"
    term = [title]
    page = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\">",
            f"<title>{html_lib.escape(title)}</title>", _STYLE,
            "</head><body>", f"<h3>{html_lib.escape(title)}</h3>",
            '<p class="legend">Marks: <span class="swap">swapped pair<sub>1</sub></span>'
            '<span class="move">moved</span><span class="rep"><s>old</s>&rarr;new</span>'
            "<ins>inserted</ins><del>deleted</del></p>", "<ol>"]
    md = [f"### {_md_escape(title)}", ""]
    labels = [[] for _ in variants]
    for i, original in enumerate(originals):
        term.append(f"[{i}] original: {original}")
        page.append(f"<li><div class=\"orig\">{html_lib.escape(original)}</div><ul>")
        md.append(f"{i + 1}. original: {_md_escape(original)}")
        for j, batch in enumerate(variants):
            edits = diff_tokens(original, batch[i])
            label = describe_diff(edits)
            labels[j].append(label)
            term.append(f"    v{j}: {' '.join(_terminal_edit(e, color) for e in edits)}"
                        f"    ({label})")
            page.append(f"<li>v{j}: {' '.join(_html_edit(e) for e in edits)}"
                        f"<span class=\"label\">({html_lib.escape(label)})</span></li>")
            md.append(f"    - v{j}: {' '.join(_markdown_edit(e) for e in edits)} "
                      f"({_md_escape(label)})")
        page.append("</ul></li>")
    page += ["</ol>", "</body></html>"]
    return "\n".join(term) + "\n", "\n".join(page) + "\n", "\n".join(md) + "\n", labels


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
    text, page, markdown, labels = render(originals, outs, color=bool(color), title=title)
    result = base.Preview("text", originals, outs, text=text, html=page, markdown=markdown,
                          seed=seed, writer=write)
    result.labels = labels
    return result


def html_path(path):
    """Where the HTML of a text preview goes: ``path`` with suffix ``.html``
    (``.html``/``.htm`` kept, any other suffix such as ``.png`` replaced)."""
    if path.suffix.lower() in (".html", ".htm"):
        return path
    return path.with_suffix(".html")


def write(preview, path):
    """Writer of text previews: the HTML page."""
    return [base.write_bytes_atomically(html_path(path), preview.html.encode("utf-8"))]
