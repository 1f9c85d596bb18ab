"""README.md runs: every ```python block, in order, in one fresh Python process.

The blocks are joined into one script (as a user pasting them one after the
other would), each preceded by a marker naming its number and README line, and
run in a temporary folder with the repository on ``PYTHONPATH``. The README
defines its own data (scikit-image photos, scikit-learn's bundled digits and
breast-cancer table, sentences and WAV files it writes), so nothing is
downloaded. After some blocks a few checks are inserted (``CHECKS``): they test
that the block did what the prose around it says, without cluttering the README.

Automatic XLA compilation is off (see ``build_script``). The whole script is kept
to about a minute on a busy 2-core machine: small images, one epoch on a few hundred
samples.
"""

import os
import pathlib
import re
import subprocess
import sys
import textwrap
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MIN_BLOCKS = 20
TIMEOUT_S = 420
MARKER = "@@README-BLOCK"
DONE = "@@README-DONE"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})(?P<info>[^`]*)$")

# Anchor (a string found in exactly one python block) -> code run right after that
# block, in the same process, while the block's names still hold its values.
CHECKS = {
    # A layer on a batch: each sample is either left alone or mirrored; not training
    # returns the input unchanged; uint8 stays uint8.
    "also = flip(images)": """
        import numpy as _np
        _x = images.numpy()
        for _name, _out in (("out", out), ("also", also)):
            assert _out.dtype == tf.uint8, (_name, _out.dtype)
            _o = _out.numpy()
            for _i in range(len(_x)):
                assert (_o[_i] == _x[_i]).all() or (_o[_i] == _x[_i][:, ::-1]).all(), (
                    f"{_name}[{_i}] is neither the image nor its mirror")
        assert (same.numpy() == _x).all(), "training=False changed the images"
        # Called directly (no `training`), the layer augments: some call flips something.
        assert any((flip(images).numpy() != _x).any() for _ in range(8)), (
            "flip(images) never flipped: a direct call should augment")
    """,
    # Dict inputs: masks move exactly like images; labels ride along.
    '"masks": tf.cast(images[..., 0] > 128, tf.int32)': """
        _img, _msk = batch["images"].numpy(), batch["masks"].numpy()
        for _i in range(len(_img)):
            _moved = [(_f(_img[_i]), _f(_msk[_i])) for _f in (
                lambda a: a, lambda a: a[:, ::-1], lambda a: a[::-1], lambda a: a[::-1, ::-1])]
            _hits = [(_a == out["images"][_i].numpy()).all() and
                     (_m == out["masks"][_i].numpy()).all() for _a, _m in _moved]
            assert any(_hits), f"sample {_i}: the mask did not move like the image"
        assert (out["labels"].numpy() == batch["labels"].numpy()).all()
    """,
    # Seeds: the same seed gives the same output; XLA gives the same draws.
    "xla_rotate = tf.function(": """
        assert (a.numpy() == b.numpy()).all(), "the same seed gave different outputs"
        _eager = rotate(images, training=True, seed=seed).numpy().astype(int)
        assert abs(c.numpy().astype(int) - _eager).max() <= 1, "XLA drew differently"
    """,
    # Inside a model: identity in predict(), so two predictions agree.
    'model.save("model.keras")': """
        _p1, _p2 = model.predict(x_val[:16], verbose=0), model.predict(x_val[:16], verbose=0)
        assert (_p1 == _p2).all(), "predict() is not deterministic: augmentation is on"
    """,
    # Serialization round trip.
    "clone = tfaug.deserialize(text)": """
        assert tfaug.serialize(clone) == config, "deserialize(serialize(aug)) differs"
    """,
    # Pure ops: brightness adds the delta on [0, 1] images.
    "brighter = ops.adjust_brightness": """
        _want = tf.clip_by_value(x + 0.1, 0.0, 1.0)
        assert float(tf.reduce_max(tf.abs(brighter - _want))) < 1e-6
    """,
    # Policy files: the saved file loads back to the same augmentation.
    'tfaug.policies.save(aug, "my_policy.json")': """
        assert tfaug.serialize(tfaug.policies.load("my_policy.json")) == tfaug.serialize(aug)
    """,
    # Intensity: the strengths the block sets.
    "rot = tfaug.image.RandomRotation(0.1, strength=0.5)": """
        assert rot.get_strength() == 0.5, rot.get_strength()
    """,
    # Export of the augmentation alone: the loaded function gives tfaug's output.
    'loaded = tf.saved_model.load("aug_model/")': """
        _mine = tfaug.policies.load("digits_safe")(x_val[:8], training=True,
                                                  seed=tf.constant([1, 2], tf.int64))
        assert out.dtype == tf.uint8 and out.shape == (8, 32, 32, 3), (out.dtype, out.shape)
        assert abs(out.numpy().astype(int) - _mine.numpy().astype(int)).max() <= 1
    """,
    # Tabular: the exported model serves the classifier alone (augmentation off).
    'tfaug.export.export_model(model, "served/")': """
        _loaded = tf.saved_model.load("served/")
        _served = _loaded.serve(x[:16])
        _direct = model(x[:16], training=False)
        assert float(tf.reduce_max(tf.abs(_served - _direct))) < 1e-5
        _bx, _by = next(iter(ds))
        _counts = tf.math.bincount(tf.cast(_by, tf.int32)).numpy()
        assert _counts[0] == _counts[1], f"SMOTE left the batch unbalanced: {_counts}"
    """,
    # Text: num_aug=4 variants a sentence, labels repeated with them.
    "eda = tfaug.text.EDA(": """
        assert variants.shape[0] == 4 * len(texts), variants.shape
        assert sorted(variant_labels.numpy().tolist()) == sorted(labels * 4)
        assert variants.dtype == tf.string and len(set(variants.numpy())) > len(texts)
    """,
    # Audio: one augmented batch of four 1 s clips, read from the WAV files.
    'batch = next(iter(ds))': """
        assert batch.shape == (4, 16000) and batch.dtype == tf.float32, batch.shape
        assert bool(tf.reduce_all(tf.math.is_finite(batch)))
        assert float(tf.reduce_max(tf.abs(batch - clips))) > 1e-3, "audio not augmented"
    """,
    # Previews: the files named in the block, written and non-empty.
    'path="preview.png"': """
        for _f in ("preview.png", "eda.html", "audio.png", "audio_0_orig.wav", "smote.png"):
            assert _os_check.path.getsize(_f) > 1000, _f
        assert open("preview.png", "rb").read(8) == b"\\x89PNG\\r\\n\\x1a\\n"
        assert p.to_image().dtype.name == "uint8"
    """,
    # Callbacks: TensorBoard event files were written.
    'AugmentationPreview("logs"': """
        _events = [f for _d, _s, _fs in _os_check.walk("logs") for f in _fs if "tfevents" in f]
        assert _events, "no TensorBoard event files under logs/"
    """,
}


def python_blocks(text):
    """``(line, code)`` of every ```python block of ``text``; ``line`` is the first
    code line (1-based). Indented blocks (inside a list item) are dedented."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        info = m.group("info").strip()
        close = re.compile(r"^[ \t]*" + re.escape(m.group("ticks")[0]) + "{"
                           + str(len(m.group("ticks"))) + r",}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        assert j < len(lines), f"README.md:{i + 1}: code fence never closed"
        if info == "python":
            blocks.append((i + 2, textwrap.dedent("\n".join(lines[i + 1:j]))))
        i = j + 1
    return blocks


def fence_languages(text):
    return [m.group("info").strip() for m in map(_FENCE.match, text.splitlines())
            if m and m.group("info").strip()]


def build_script(blocks):
    """The blocks joined into one script, markers and CHECKS in place."""
    # As in the rest of the suite (tests/conftest.py), tfaug's automatic XLA
    # compilation of training calls is off: compiling every small layer once costs
    # about as much as the rest of the README; the compiled path is tested by
    # tests/test_harness.py, and the README's own jit_compile=True block still compiles.
    parts = ["import os as _os_check\n"
             "import tfaug.core as _tfaug_core\n"
             "_tfaug_core.set_auto_compile(False)\n"]
    for number, (line, code) in enumerate(blocks, 1):
        parts.append(f"# ---- README block {number} (README.md line {line}) ----\n"
                     f"print({MARKER!r}, {number}, {line}, flush=True)\n{code}\n")
        for anchor, check in CHECKS.items():
            if anchor in code:
                parts.append(f"# checks after block {number}\n{textwrap.dedent(check)}\n")
    parts.append(f"print({DONE!r}, flush=True)\n")
    return "\n".join(parts)


def test_readme_blocks_are_all_found():
    text = README.read_text(encoding="utf-8")
    blocks = python_blocks(text)
    assert len(blocks) >= MIN_BLOCKS, (
        f"README.md has {len(blocks)} python blocks; expected at least {MIN_BLOCKS}")
    # Every Python-looking fence is a ```python block, so none escapes the run.
    odd = [lang for lang in fence_languages(text)
           if lang != "python" and lang.lower().startswith(("py", "ipython"))]
    assert not odd, f"README.md has code fences {odd}: write ```python (they run)"
    for anchor in CHECKS:
        holders = [line for line, code in blocks if anchor in code]
        assert len(holders) == 1, (
            f"check anchor {anchor!r} is in {len(holders)} README python blocks "
            f"(lines {holders}); update CHECKS in tests/test_readme.py")
    assert not [line for line, code in blocks if not code.strip()], "empty python block"


def test_readme_runs(tmp_path):
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= MIN_BLOCKS
    script = tmp_path / "readme_blocks.py"
    script.write_text(build_script(blocks), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    start = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, str(script)], cwd=work, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as err:
        out = (err.stdout or b"").decode() if isinstance(err.stdout, bytes) else err.stdout
        raise AssertionError(f"README blocks ran past {TIMEOUT_S} s; last output:\n"
                             f"{(out or '')[-3000:]}") from None
    elapsed = time.monotonic() - start
    ran = [int(n) for n in re.findall(re.escape(MARKER) + r" (\d+) \d+", proc.stdout)]
    if proc.returncode != 0 or DONE not in proc.stdout:
        last = ran[-1] if ran else None
        where = (f"block {last} (README.md line {blocks[last - 1][0]})" if last
                 else "before the first block")
        raise AssertionError(
            f"README.md failed in {where}, exit code {proc.returncode}:\n"
            f"{proc.stderr[-4000:]}\n--- stdout ---\n{proc.stdout[-2000:]}")
    assert ran == list(range(1, len(blocks) + 1)), f"blocks run: {ran}"
    print(f"README: {len(blocks)} python blocks ran in {elapsed:.1f} s")
