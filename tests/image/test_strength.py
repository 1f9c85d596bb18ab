"""The ``strength`` of the tfaug.image layers.

Every layer holds ``strength`` (a scale >= 0) in a variable: 1 is the layer as
configured, 0 the identity. Layers with parameters scale them
(``strength_scales = "parameters"``): in between every drawn parameter's
deviation from its neutral value is scaled. The others apply to each sample with
probability ``probability * strength``. Changing it reaches
already-traced ``tf.function``s and ``tf.data`` pipelines without a retrace.
"""

import json
import math

import numpy as np
import pytest
import tensorflow as tf

import tfaug
from tfaug import image

SEED = tf.constant([3, 17], tf.int64)
SIZE = (12, 12)
B = 3
N_CLASSES = 4


def _dev(*keys, neutral=0.0):
    """Extractor: ``[(param, neutral), ...]`` for linearly scaled parameters."""
    return lambda p: [(p[k], neutral) for k in keys]


# name -> (factory(**kwargs), extractor of (param, neutral) pairs, or a check)
LAYERS = {
    "RandomAffine": (lambda **kw: image.RandomAffine(
        degrees=20, translate=(0.1, 0.2), scale=(0.7, 1.3), shear=15, **kw),
        lambda p: _dev("angle", "translate_x", "translate_y", "shear_x", "shear_y")(p)
        + [(p["scale"], 1.0)]),
    "RandomRotation": (lambda **kw: image.RandomRotation(0.2, **kw), _dev("angle")),
    "RandomZoom": (lambda **kw: image.RandomZoom((-0.3, 0.4), (-0.2, 0.2), **kw),
                   _dev("zoom_x", "zoom_y")),
    "RandomTranslation": (lambda **kw: image.RandomTranslation(0.2, 0.3, **kw),
                          _dev("dx", "dy")),
    "RandomShear": (lambda **kw: image.RandomShear(0.3, 0.2, **kw),
                    _dev("shear_x", "shear_y")),
    "RandomPerspective": (lambda **kw: image.RandomPerspective((1.0, 1.0), 0.6, **kw),
                          _dev("moves")),
    "RandomElasticTransform": (lambda **kw: image.RandomElasticTransform(
        (1.0, 1.0), 0.5, **kw), _dev("amount")),
    "RandomElastic": (lambda **kw: image.RandomElastic(alpha=3.0, grid=3, **kw),
                      _dev("displacement")),
    "RandomResizedCrop": (lambda **kw: image.RandomResizedCrop(8, 10, **kw),
                          _dev("area", neutral=1.0)),
    "RandomBrightness": (lambda **kw: image.RandomBrightness(0.3, **kw), _dev("delta")),
    "RandomContrast": (lambda **kw: image.RandomContrast(0.5, **kw),
                       _dev("factor", neutral=1.0)),
    "RandomSaturation": (lambda **kw: image.RandomSaturation(0.9, **kw),
                         _dev("factor", neutral=0.5)),
    "RandomHue": (lambda **kw: image.RandomHue(0.3, **kw), _dev("delta")),
    "ColorJitter": (lambda **kw: image.ColorJitter(0.4, 0.4, 0.4, 0.2, **kw),
                    lambda p: _dev("brightness", "contrast", "saturation", neutral=1.0)(p)
                    + _dev("hue")(p)),
    "Solarize": (lambda **kw: image.Solarize((64, 192), **kw),
                 _dev("threshold", neutral=256.0)),
    "Posterize": (lambda **kw: image.Posterize((1, 7), **kw), "posterize"),
    "Sharpness": (lambda **kw: image.Sharpness((0.0, 3.0), **kw),
                  _dev("factor", neutral=1.0)),
    "GaussianNoise": (lambda **kw: image.GaussianNoise((0.02, 0.1), **kw), _dev("stddev")),
    "GaussianBlur": (lambda **kw: image.GaussianBlur(3, (0.5, 2.0), **kw), _dev("sigma")),
    "JpegQuality": (lambda **kw: image.JpegQuality(20, 90, **kw), "jpeg"),
    "RandomErasing": (lambda **kw: image.RandomErasing(scale=(0.1, 0.3), num_holes=2, **kw),
                      "erasing"),
    "GridMask": (lambda **kw: image.GridMask(0.6, rotate=20, **kw), _dev("ratio")),
    "RandomColorJitter": (lambda **kw: image.RandomColorJitter(
        brightness_factor=0.3, contrast_factor=0.5, saturation_factor=0.9, hue_factor=0.3,
        **kw), lambda p: _dev("brightness", "hue")(p) + _dev("contrast", neutral=1.0)(p)
        + _dev("saturation", neutral=0.5)(p)),
    "Solarization": (lambda **kw: image.Solarization(0.3, (0.2, 0.8), **kw),
                     lambda p: _dev("addition")(p) + _dev("threshold",
                                                          neutral=256.0 / 255.0)(p)),
    "RandomPosterization": (lambda **kw: image.RandomPosterization((1, 7), **kw),
                            "posterize"),
    "RandomSharpness": (lambda **kw: image.RandomSharpness(1.0, **kw),
                        _dev("factor", neutral=1.0)),
    "RandomGaussianBlur": (lambda **kw: image.RandomGaussianBlur((1, 1), 3, (0.5, 2.0), **kw),
                           _dev("sigma")),
    "MixUp": (lambda **kw: image.MixUp(0.4, num_classes=N_CLASSES, **kw),
              _dev("lam", neutral=1.0)),
    "CutMix": (lambda **kw: image.CutMix(1.0, num_classes=N_CLASSES, **kw),
               _dev("lam", neutral=1.0)),
}
NAMES = sorted(LAYERS)
BY_PROBABILITY = {
    "RandomFlip": lambda: image.RandomFlip(seed=0),
    "RandomCrop": lambda: image.RandomCrop(8, 8, seed=0),
    "CenterCrop": lambda: image.CenterCrop(8, 8),
    "Resize": lambda: image.Resize(8, 8),
    "Resizing": lambda: image.Resizing(8, 8),
    "RandomGrayscale": lambda: image.RandomGrayscale(0.5, seed=0),
    "Equalize": lambda: image.Equalize(seed=0),
    "AutoContrast": lambda: image.AutoContrast(seed=0),
    "Invert": lambda: image.Invert(seed=0),
    "Equalization": lambda: image.Equalization(seed=0),
    "RandomInvert": lambda: image.RandomInvert((1, 1), seed=0),
}


def make(name, **kwargs):
    return LAYERS[name][0](seed=5, **kwargs)


def inputs(size=SIZE, batch=B):
    """Float images with integer levels in 0..255, plus one-hot labels."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (batch, *size, 3)).astype(np.float32)
    labels = tf.one_hot(np.arange(batch) % N_CLASSES, N_CLASSES)
    return {"images": tf.constant(images), "labels": labels}


def run(layer, data, seed=SEED):
    return layer(data, training=True, seed=seed)


def assert_close(a, b, atol=0.0):
    for x, y in zip(tf.nest.flatten(a), tf.nest.flatten(b)):
        np.testing.assert_allclose(np.asarray(x, np.float64), np.asarray(y, np.float64),
                                   atol=atol, rtol=0)


def test_every_registered_image_layer_is_classified():
    image_leaves = {n for n, c in tfaug.registered().items()
                    if c.__module__.startswith("tfaug.image.")}
    assert image_leaves == set(LAYERS) | set(BY_PROBABILITY)
    for name in LAYERS:
        assert getattr(image, name).strength_scales == "parameters", name
    for name in BY_PROBABILITY:
        assert getattr(image, name).strength_scales == "probability", name


@pytest.mark.parametrize("name", NAMES)
def test_strength_one_is_the_configured_layer(name):
    data = inputs()
    default, explicit = make(name), make(name, strength=1.0)
    assert default.get_strength() == 1.0
    out = run(default, data)
    assert_close(out, run(explicit, data))
    assert not np.array_equal(out["images"], data["images"])


@pytest.mark.parametrize("name", NAMES)
def test_strength_zero_is_the_identity(name):
    layer = make(name, strength=0.0)
    if name == "RandomResizedCrop":  # the inference transform: a central crop
        data = inputs(size=(10, 16))
        want = layer(data["images"], training=False)
        assert_close(run(layer, data)["images"], want, atol=1e-3)
        return
    data = inputs()
    out = run(layer, data)
    assert_close(out["images"], data["images"], atol=1e-3)
    assert_close(out["labels"], data["labels"])


@pytest.mark.parametrize("name", NAMES)
def test_half_strength_draws_half_way(name):
    layer = make(name)
    full = layer.sample(B, SEED)
    layer.set_strength(0.5)
    half = layer.sample(B, SEED)
    check = LAYERS[name][1]
    if check == "posterize":
        want = np.round(8.0 - 0.5 * (8.0 - full["bits"].numpy()))
        np.testing.assert_array_equal(half["bits"], want)
    elif check == "jpeg":
        want = np.round(100.0 - 0.5 * (100.0 - full["quality"].numpy()))
        np.testing.assert_array_equal(half["quality"], want)
    elif check == "erasing":
        np.testing.assert_allclose(half["side"], math.sqrt(0.5), rtol=1e-6)
        h, w = 32, 32
        a_full = tf.reduce_sum(tf.cast(layer.hole_mask(full, h, w), tf.float32), [1, 2])
        a_half = tf.reduce_sum(tf.cast(layer.hole_mask(half, h, w), tf.float32), [1, 2])
        ratio = (a_half / a_full).numpy()  # whole-pixel sides: about 1/2
        assert np.all((ratio > 0.35) & (ratio < 0.65)), ratio
    else:
        pairs_full, pairs_half = check(full), check(half)
        for (f, neutral), (h, _) in zip(pairs_full, pairs_half):
            f, h = np.asarray(f, np.float64), np.asarray(h, np.float64)
            assert np.any(f != neutral)
            np.testing.assert_allclose(h - neutral, 0.5 * (f - neutral), atol=1e-4)


def test_resized_crop_window_moves_toward_the_inference_one():
    layer = image.RandomResizedCrop(10, 40, seed=5)  # output aspect 4
    k = layer.ATTEMPTS
    h, w = 40, 40  # drawn aspect 1 (log 0); half way: aspect 2
    for m, want_aspect, want_offset in [(1.0, 1.0, 0.0), (0.5, 2.0, 0.25), (0.0, 4.0, 0.5)]:
        params = {"area": tf.fill([1, k], 0.25), "log_ratio": tf.zeros([1, k]),
                  "offset_y": tf.zeros([1]), "offset_x": tf.zeros([1]),
                  "strength": tf.fill([1], m)}
        y0, x0, ch, cw = layer.windows(params, h, w)
        np.testing.assert_allclose(cw / ch, [want_aspect], rtol=1e-5)
        np.testing.assert_allclose(cw * ch, [0.25 * h * w], rtol=1e-5)
        np.testing.assert_allclose(y0, want_offset * (h - ch), rtol=1e-5)
        np.testing.assert_allclose(x0, want_offset * (w - cw), rtol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_set_strength_reaches_a_traced_function(name):
    layer = make(name)
    data = inputs()
    traces = []

    @tf.function
    def fn(x, seed):
        traces.append(1)
        return layer(x, training=True, seed=seed)

    first = fn(data, SEED)
    layer.set_strength(0.25)
    # Graph and eager kernels may round differently (float32 ulps).
    assert_close(fn(data, SEED), run(make(name, strength=0.25), data), atol=1e-3)
    layer.set_strength(1.0)
    assert_close(fn(data, SEED), first)
    assert len(traces) == 1, "set_strength retraced the function"


# One layer per file and per way of carrying the strength into ``apply``.
SUBSET = ["RandomAffine", "RandomResizedCrop", "ColorJitter", "JpegQuality",
          "RandomErasing", "CutMix"]


@pytest.mark.parametrize("name", SUBSET)
def test_set_strength_reaches_a_dataset_pipeline(name):
    layer = make(name)
    data = inputs()
    traces = []

    def mapped(x):
        traces.append(1)
        return layer(x, training=True, seed=SEED)

    ds = tf.data.Dataset.from_tensors(data).repeat(2).map(mapped, num_parallel_calls=2)
    for m in (1.0, 0.25):
        layer.set_strength(m)
        want = run(make(name, strength=m), data)
        for out in ds:  # a new iterator each time: no retrace
            assert_close(out, want, atol=1e-3)
    assert len(traces) == 1, "set_strength retraced the map function"


@pytest.mark.parametrize("name", ["RandomAffine", "RandomResizedCrop", "Posterize",
                                  "RandomErasing"])
def test_set_strength_under_jit_compile(name):
    layer = make(name)
    data = inputs()
    traces = []

    @tf.function(jit_compile=True)
    def fn(x, seed):
        traces.append(1)
        return layer(x, training=True, seed=seed)

    for m in (0.5, 0.0):
        layer.set_strength(m)
        want = run(make(name, strength=m), data)
        np.testing.assert_allclose(fn(data, SEED)["images"], want["images"], atol=0.5)
    assert len(traces) == 1


def test_saved_model_reads_the_saved_variable(tmp_path):
    layer = make("RandomRotation", strength=0.5)
    data = inputs()["images"]
    module = tf.Module()
    module.layer = layer
    module.augment = tf.function(lambda x, s: layer(x, training=True, seed=s),
                                 input_signature=[tf.TensorSpec(data.shape, tf.float32),
                                                  tf.TensorSpec([2], tf.int64)])
    tf.saved_model.save(module, str(tmp_path / "saved"))
    loaded = tf.saved_model.load(str(tmp_path / "saved"))
    assert_close(loaded.augment(data, SEED), run(layer, data), atol=1e-4)
    # The loaded variable still steers the loaded function.
    assert float(loaded.layer.strength_variable.numpy()) == 0.5
    loaded.layer.strength_variable.assign(0.0)
    assert_close(loaded.augment(data, SEED), data, atol=1e-3)


@pytest.mark.parametrize("name", ["RandomAffine", "GaussianBlur", "MixUp"])
def test_config_reports_the_current_value(name):
    layer = make(name, strength=2.0)
    assert layer.get_config()["strength"] == 2.0
    layer.set_strength(0.25)
    config = layer.get_config()
    assert config["strength"] == 0.25
    assert type(layer).from_config(config).get_strength() == 0.25
    clone = tfaug.deserialize(json.loads(json.dumps(tfaug.serialize(layer))))
    assert clone.get_strength() == 0.25
    data = inputs()
    assert_close(run(clone, data), run(layer, data))


@pytest.mark.parametrize("name", ["RandomRotation", "Solarize", "CutMix"])
def test_negative_strength_is_rejected(name):
    with pytest.raises(ValueError, match="`strength`"):
        make(name, strength=-0.5)
    layer = make(name)
    with pytest.raises(ValueError, match="`strength`"):
        layer.set_strength(-1)
    assert layer.get_strength() == 1.0


@pytest.mark.parametrize("name", sorted(BY_PROBABILITY))
def test_strength_scales_the_probability_of_parameterless_layers(name):
    layer = BY_PROBABILITY[name]()
    assert layer.get_strength() == 1.0 and layer.get_config()["strength"] == 1.0
    data = inputs(size=(20, 24), batch=32)  # >= 255 pixels: Equalize changes them
    inference = layer(data, training=False)
    full = run(layer, data)
    layer.set_strength(0.0)
    # 0: no sample drawn, so each gets the inference output (the input, or the
    # central crop / the resize of the size-changing layers), up to the float
    # round trip through the unit range.
    assert_close(run(layer, data), inference, atol=1e-3)
    layer.set_strength(0.5)
    half = run(layer, data)
    if name in ("CenterCrop", "Resize", "Resizing"):  # deterministic: nothing to scale
        assert_close(half, full)
        return
    # Each sample is changed as at strength 1 or left as at 0; some of each.
    def same(a, b):
        return np.all(np.abs(np.asarray(a["images"]) - np.asarray(b["images"])) <= 1e-3,
                      axis=(1, 2, 3))

    as_full, as_none = same(half, full), same(half, inference)
    assert np.all(as_full | as_none)
    assert np.any(as_full & ~as_none) and np.any(as_none & ~as_full)


@pytest.mark.parametrize("m", [1.5, 4.0])
def test_above_one_extrapolates_within_valid_parameters(m):
    # Clamped where the scaled parameter would turn invalid; outputs stay finite.
    data = inputs()
    for name in ["RandomAffine", "RandomZoom", "RandomPerspective", "RandomContrast",
                 "Solarize", "Posterize", "GridMask", "MixUp", "RandomResizedCrop"]:
        layer = make(name, strength=m)
        out = run(layer, data)
        assert np.all(np.isfinite(out["images"])), name
        params = layer.sample(B, SEED)
        if name == "RandomAffine":
            assert np.all(params["scale"] > 0) and np.all(np.abs(params["shear_x"]) <= 89)
        if name == "RandomZoom":
            assert np.all(params["zoom_y"] > -1)
        if name == "MixUp":
            assert np.all((params["lam"] >= 0) & (params["lam"] <= 1))
        if name == "Posterize":
            assert np.all((params["bits"] >= 1) & (params["bits"] <= 8))
    full = make("RandomRotation").sample(B, SEED)["angle"]
    np.testing.assert_allclose(make("RandomRotation", strength=m).sample(B, SEED)["angle"],
                               m * full.numpy(), rtol=1e-6)


def test_fused_sequence_uses_each_layers_own_strength():
    rot, shift = make("RandomRotation"), make("RandomTranslation")
    seq = tfaug.Sequence([rot, shift], seed=0)
    data = inputs()
    params = seq.sample(B, SEED)
    std, _ = seq.standardize(data)
    for m_rot, m_shift in [(0.0, 1.0), (1.0, 0.0), (0.0, 0.0)]:
        rot.set_strength(m_rot)
        shift.set_strength(m_shift)
        params = seq.sample(B, SEED)
        fused = seq.apply(std, params)["images"]
        alone = std["images"]
        if m_rot:
            alone = rot.apply(std, params["0"])["images"]
        if m_shift:
            alone = shift.apply(std, params["1"])["images"]
        assert_close(fused, alone, atol=1e-5)
    assert len(seq._groups()) == 1  # the two really were fused
