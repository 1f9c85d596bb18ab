"""Smoke runs of experiments/image_cnn.py and experiments/audio_digits.py.

Each script is imported by path and run with ``--smoke``; the tests check the
files it writes and that its tables hold the rows and columns they promise.
"""

import math
import shutil

import pytest

from tests.experiments.scripts import first_table, load_script, outputs


def test_image_cnn_smoke(tmp_path):
    module = load_script("image_cnn")
    result = module.main(["--smoke", "--out", str(tmp_path)])
    markdown, data = outputs(tmp_path, "image_cnn")
    policies, sizes = ["none", "light_image", "randaugment_default"], data["sizes"]
    assert data["policies"] == policies and data["dataset"] == "mnist"
    assert result["accuracy"] == data["accuracy"]
    for p in policies:
        for n in sizes:
            accs = data["accuracy"][p][str(n)]
            assert len(accs) == data["seeds"]
            assert all(0.0 <= a <= 1.0 for a in accs)
    # Accuracy table: one row per policy, one column per N, "mean ± std" cells.
    header, rows = first_table(markdown, "policy")
    assert header == ["policy"] + [f"N={n}" for n in sizes]
    assert [r[0] for r in rows[:3]] == policies
    for row in rows[:3]:
        for cell in row[1:]:
            mean, std = (float(v) for v in cell.split(" ± "))
            assert 0.0 <= mean <= 100.0 and std >= 0.0
    # Data-equivalent factor: a second table with the augmented policies.
    assert "Data-equivalent factor" in markdown
    later = markdown.split("Data-equivalent factor", 1)[1]
    fheader, frows = first_table(later, "policy")
    assert fheader == header and [r[0] for r in frows] == policies[1:]
    for p in policies[1:]:
        for n in sizes:
            f = data["factor"][p][str(n)]
            assert f["text"]
            if f["value"] is None:
                assert f["text"][0] in "<>"
            else:
                assert f["value"] > 0 and math.isfinite(f["value"])
    # --render rebuilds the same page from the saved numbers, without training.
    again = module.main(["--render", str(tmp_path / "image_cnn.json"),
                         "--out", str(tmp_path / "again")])
    assert (tmp_path / "again" / "image_cnn.md").read_text() == markdown
    assert again["factor"] == data["factor"]


def test_equivalent_factor():
    module = load_script("image_cnn")
    sizes, base = [100, 1000], [0.5, 0.7]
    value, _ = module.equivalent_factor(sizes, base, 0.6, 100)
    assert value == pytest.approx(math.sqrt(10))        # halfway in log N
    assert module.equivalent_factor(sizes, base, 0.7, 100)[0] == pytest.approx(10)
    assert module.equivalent_factor(sizes, base, 0.8, 100) == (None, "> 10")
    assert module.equivalent_factor(sizes, base, 0.4, 1000) == (None, "< 0.1")
    # A dip in the baseline is ignored (running maximum).
    assert module.equivalent_factor([1, 10, 100], [0.5, 0.4, 0.6], 0.5, 1)[0] == 1


@pytest.mark.skipif(shutil.which("espeak-ng") is None,
                    reason="Debian's espeak-ng (speech synthesizer) not installed")
def test_audio_digits_smoke(tmp_path):
    module = load_script("audio_digits")
    module.main(["--smoke", "--out", str(tmp_path), "--cache", str(tmp_path / "cache")])
    markdown, data = outputs(tmp_path, "audio_digits")
    assert data["conditions"] == ["none", "waveform", "waveform+specaugment"]
    tests = list(data["tests"])
    assert tests[0] == "test_a"
    for c in data["conditions"]:
        for t in tests:
            accs = data["accuracy"][c][t]
            assert len(accs) == data["seeds"] and all(0.0 <= a <= 1.0 for a in accs)
    header, rows = first_table(markdown, "augmentation")
    assert len(header) == 1 + len(tests)
    assert [r[0] for r in rows] == data["conditions"]
    assert all(" ± " in cell for r in rows for cell in r[1:])
    assert data["train_size"] == len(module.espeak_specs(module.SMOKE["train"]))
    assert data["tests"]["test_a"]["size"] == len(module.espeak_specs(module.SMOKE["test_a"]))
    again = module.main(["--render", str(tmp_path / "audio_digits.json"),
                         "--out", str(tmp_path / "again")])
    assert (tmp_path / "again" / "audio_digits.md").read_text() == markdown
    assert again["accuracy"] == data["accuracy"]
    # Clips were synthesized into the cache, not the output folder.
    assert list((tmp_path / "cache").glob("*.wav"))
    assert not list(tmp_path.glob("*.wav"))


def test_audio_digits_without_espeak(monkeypatch, tmp_path):
    module = load_script("audio_digits")
    monkeypatch.setattr(module.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="espeak-ng"):
        module.main(["--smoke", "--out", str(tmp_path)])
