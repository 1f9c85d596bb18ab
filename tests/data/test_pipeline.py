"""tfaug.data.pipeline: the immutable builder, seeds, evaluation builds, model side."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import load_digits

import tfaug
from tfaug.core import set_auto_compile
from tfaug.data import pipeline_augment
from tfaug.data.pipeline import PASS_SEED, Pipeline, batch_seed


@pytest.fixture(scope="module")
def digits():
    d = load_digits()
    x = np.round(d.images[:48] * (255.0 / 16.0)).astype(np.uint8)[..., None]
    return x, d.target[:48].astype(np.int32)


def _rows(ds):
    return list(ds.as_numpy_iterator())


def _same(a, b):
    return len(a) == len(b) and all(
        all(np.array_equal(u, v) for u, v in zip(tf.nest.flatten(p), tf.nest.flatten(q)))
        for p, q in zip(a, b))


def _pass_key(iteration=0):
    keys = tf.data.Dataset.random(seed=PASS_SEED, rerandomize_each_iteration=True).take(1)
    return [int(next(iter(keys))) for _ in range(iteration + 1)][-1]


# ------------------------------------------------------------------ builder
def test_builder_is_immutable_and_repr_lists_the_steps(digits):
    x, y = digits
    base = Pipeline.from_tensors(x, y)
    shuffled = base.shuffle(16, seed=0)
    batched = shuffled.batch(8)
    augmented = batched.augment(tfaug.image.RandomFlip(seed=0), seed=1)
    assert base.steps == () and len(shuffled.steps) == 1 and len(batched.steps) == 2
    assert [s.name for s in augmented.steps] == ["shuffle", "batch", "augment"]
    assert isinstance(augmented.steps, tuple)
    with pytest.raises(AttributeError, match="immutable"):
        base._steps = ()
    # Branching: two pipelines from one base do not see each other's steps.
    other = shuffled.batch(4)
    assert batched.steps[1].args["batch_size"] == 8 and other.steps[1].args["batch_size"] == 4
    text = repr(augmented)
    assert text.splitlines()[0].startswith("Pipeline.from_tensors(inputs=uint8[48, 8, 8, 1]")
    assert ".shuffle(buffer_size=16, seed=0)" in text
    assert ".augment(RandomFlip, seed=1, augment_on='dataset')" in text
    assert augmented.element_spec[0].shape.as_list() == [None, 8, 8, 1]


def test_evaluation_build_is_bit_identical_to_the_input(digits):
    x, y = digits
    pipe = (Pipeline.from_tensors(x, y).map(lambda a, b: (a, b)).cache().shuffle(48, seed=3)
            .repeat(3).batch(10).augment(tfaug.image.RandomRotation(0.3, seed=0), seed=2))
    rows = _rows(pipe.build(training=False))
    assert [len(r[0]) for r in rows] == [10, 10, 10, 10, 8]  # one pass, not shuffled
    np.testing.assert_array_equal(np.concatenate([r[0] for r in rows]), x)
    np.testing.assert_array_equal(np.concatenate([r[1] for r in rows]), y)
    train = _rows(pipe.build())
    assert len(train) == 15 and not np.array_equal(train[0][0], rows[0][0])


def test_same_seed_same_batches_over_two_epochs_matching_the_documented_seeds(digits):
    x, y = digits
    layer = tfaug.image.RandomRotation(0.3, seed=123)
    pipe = Pipeline.from_tensors(x, y).batch(16).repeat(2).augment(layer, seed=7)
    a, b = _rows(pipe.build()), _rows(pipe.build())
    assert len(a) == 6 and _same(a, b)
    # Each batch is layer(batch, seed=batch_seed(7, epoch, index, pass_key)),
    # computed here one by one (no parallelism): the parallel map agrees.
    key = _pass_key()
    for n, (images, labels) in enumerate(a):
        epoch, index = divmod(n, 3)
        clean = x[index * 16:(index + 1) * 16]
        want = layer(clean, training=True, seed=batch_seed(7, epoch, index, key))
        np.testing.assert_array_equal(images, want.numpy())
        np.testing.assert_array_equal(labels, y[index * 16:(index + 1) * 16])
    # Different epochs: same clean batch, different augmentation.
    assert not np.array_equal(a[0][0], a[3][0])
    # A different seed gives different batches.
    c = _rows(Pipeline.from_tensors(x, y).batch(16).repeat(2).augment(layer, seed=8).build())
    assert not any(np.array_equal(p[0], q[0]) for p, q in zip(a, c))


def test_parallelism_does_not_change_the_batches(digits):
    x, y = digits
    pipe = (Pipeline.from_tensors(x, y).shuffle(48, seed=1).batch(8).repeat(2)
            .augment(tfaug.image.RandomTranslation(0.2, 0.2, seed=5), seed=4))
    options = tf.data.Options()
    options.threading.private_threadpool_size = 1
    options.autotune.enabled = False
    serial = pipe.build().with_options(options)
    assert _same(_rows(pipe.build()), _rows(serial))


def test_each_iteration_without_repeat_is_a_new_reproducible_pass(digits):
    x, y = digits
    pipe = (Pipeline.from_tensors(x, y).shuffle(48, seed=2).batch(12)
            .augment(tfaug.image.RandomRotation(0.3, seed=0), seed=5))
    ds1, ds2 = pipe.build(), pipe.build()
    first1, second1 = _rows(ds1), _rows(ds1)
    first2, second2 = _rows(ds2), _rows(ds2)
    assert _same(first1, first2) and _same(second1, second2)
    assert not np.array_equal(first1[0][0], second1[0][0])
    # Every pass still holds every example once.
    assert sorted(np.concatenate([r[1] for r in second1]).tolist()) == sorted(y.tolist())


def test_shuffle_seed_gives_a_new_order_each_epoch_the_same_in_each_build(digits):
    x, y = digits
    pipe = Pipeline.from_tensors(x, y).shuffle(48, seed=9).repeat(2).batch(48)
    a, b = _rows(pipe.build()), _rows(pipe.build())
    assert _same(a, b)
    assert not np.array_equal(a[0][1], a[1][1])
    assert sorted(a[1][1].tolist()) == sorted(y.tolist())


def test_endless_repeat_keeps_counting_epochs(digits):
    x, y = digits
    layer = tfaug.image.RandomRotation(0.3, seed=1)
    ds = Pipeline.from_tensors(x[:16], y[:16]).batch(8).repeat().augment(layer, seed=3).build()
    assert ds.cardinality() == tf.data.INFINITE_CARDINALITY
    rows = _rows(ds.take(6))
    key = _pass_key()
    want = layer(x[8:16], training=True, seed=batch_seed(3, 2, 1, key))
    np.testing.assert_array_equal(rows[5][0], want.numpy())


# ---------------------------------------------------------- augmentations
def test_label_aware_layers_get_and_return_labels(digits):
    x, y = digits
    mixed = _rows(Pipeline.from_tensors(x, y).batch(16)
                  .augment(tfaug.image.MixUp(alpha=0.5, num_classes=10, seed=0), seed=1)
                  .build())
    labels = mixed[0][1]
    assert labels.shape == (16, 10) and labels.dtype == np.float32
    np.testing.assert_allclose(labels.sum(axis=1), 1.0, rtol=1e-5)
    flip = tfaug.image.RandomFlip("horizontal", rate=1.0, seed=0)
    routed = tfaug.ClassConditional(default=None, per_class={0: flip})
    rows = _rows(Pipeline.from_tensors(x, y).batch(48).augment(routed, seed=2).build())
    images, out_labels = rows[0]
    np.testing.assert_array_equal(out_labels, y)
    zero = y == 0
    np.testing.assert_array_equal(images[zero], x[zero][:, :, ::-1])
    np.testing.assert_array_equal(images[~zero], x[~zero])


def test_policy_names_keras_layers_and_callables(digits):
    x, y = digits
    base = Pipeline.from_tensors(x, y).batch(16)
    by_name = base.augment("digits_safe", seed=0)
    a, b = _rows(by_name.build()), _rows(by_name.build())
    assert _same(a, b) and not np.array_equal(a[0][0], x[:16])
    with pytest.raises(ValueError) as caught:
        base.augment("no_such_policy")
    with pytest.raises(ValueError) as direct:
        tfaug.policies.load("no_such_policy")
    assert str(caught.value) == str(direct.value)

    def invert(images, seed):
        del seed
        return 255 - images
    rows = _rows(base.augment(invert, seed=1).build())
    np.testing.assert_array_equal(rows[0][0], 255 - x[:16])
    keras_flip = keras.layers.RandomFlip("horizontal", seed=0)
    rows = _rows(base.augment(keras_flip).build())
    assert rows[0][0].shape == (16, 8, 8, 1)


def test_auto_compiled_layers_run_inside_the_dataset(digits):
    x, y = digits
    previous = set_auto_compile(True)
    try:
        layer = tfaug.image.RandomRotation(0.3, seed=0)
        rows = _rows(Pipeline.from_tensors(x[:16], y[:16]).batch(8).augment(layer, seed=6)
                     .build())
    finally:
        set_auto_compile(previous)
    want = layer(x[:8], training=True, seed=batch_seed(6, 0, 0, _pass_key()))
    np.testing.assert_array_equal(rows[0][0], want.numpy())


def test_file_cache_and_dataset_source(digits, tmp_path):
    x, y = digits
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    pipe = Pipeline.from_dataset(ds).map(lambda a, b: (tf.cast(a, tf.float32) / 255.0, b))
    pipe = pipe.cache(str(tmp_path / "cache")).batch(48)
    first, second = _rows(pipe.build()), _rows(pipe.build())
    assert _same(first, second)
    np.testing.assert_allclose(first[0][0], x / 255.0, rtol=1e-6)
    assert any(p.name.startswith("cache") for p in tmp_path.iterdir())


def test_build_through_the_tf_data_service(digits):
    from tfaug.data import service
    x, y = digits
    dispatcher = service.start_dispatcher()
    worker = service.start_worker(dispatcher.target)
    try:
        pipe = (Pipeline.from_tensors(x, y).batch(16).repeat(2)
                .augment(tfaug.image.RandomRotation(0.3, seed=0), seed=1))
        remote = _rows(pipe.build(data_service=dispatcher.target))
    finally:
        worker.stop()
        dispatcher.stop()
    assert _same(remote, _rows(pipe.build()))  # one worker: the same batches, in order


# ----------------------------------------------------------------- Keras
def _model():
    return keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Rescaling(1 / 255.0),
                             keras.layers.Flatten(), keras.layers.Dense(10, "softmax")])


def test_fit_one_epoch_on_the_built_dataset(digits):
    x, y = digits
    pipe = (Pipeline.from_tensors(x, y).shuffle(48, seed=0).batch(16)
            .augment("digits_safe", seed=0))
    model = _model()
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(pipe.build(), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert model.evaluate(pipe.build(training=False), verbose=0) > 0


def test_augment_on_model_runs_in_fit_and_is_off_at_inference(digits):
    x, y = digits
    pipe = (Pipeline.from_tensors(x, y).batch(16)
            .augment(tfaug.image.RandomRotation(0.2, seed=0), augment_on="model")
            .augment(lambda images: images, augment_on="model"))
    built = _rows(pipe.build())
    np.testing.assert_array_equal(np.concatenate([r[0] for r in built]), x)  # not augmented
    aug = pipe.augmentation_layers()
    assert isinstance(aug, keras.Sequential) and aug is not pipe.augmentation_layers()
    plain = _model()
    model = keras.Sequential([keras.Input((8, 8, 1)), aug] + plain.layers)
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(pipe.build(), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    np.testing.assert_array_equal(model.predict(x, verbose=0), plain.predict(x, verbose=0))
    out = aug(tf.constant(x[:8]), training=True)
    assert not np.array_equal(out.numpy(), x[:8])
    assert Pipeline.from_tensors(x, y).augmentation_layers() is None


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize("make,match", [
    (lambda p: p.batch(0), "batch_size"),
    (lambda p: p.batch(8, drop_remainder="yes"), "drop_remainder"),
    (lambda p: p.shuffle(0), "buffer_size"),
    (lambda p: p.shuffle(8, seed=-1), "seed"),
    (lambda p: p.repeat(0), "count"),
    (lambda p: p.prefetch(-5), "buffer_size"),
    (lambda p: p.cache(3), "filename"),
    (lambda p: p.map("not callable"), "fn"),
    (lambda p: p.batch(8).map(lambda a, b: (a, b)), "before .batch"),
    (lambda p: p.batch(8).batch(4), "already has"),
    (lambda p: p.augment(42), "layer_or_policy"),
    (lambda p: p.augment(tfaug.image.RandomFlip(), augment_on="gpu"), "augment_on"),
    (lambda p: p.augment(tfaug.image.RandomFlip(), seed=1, augment_on="model"), "seed"),
    (lambda p: p.augment(tfaug.image.MixUp(num_classes=10), augment_on="model"), "labels"),
    (lambda p: p.augment(tfaug.image.RandomFlip()).build(), "batch"),
    (lambda p: p.build(training="yes"), "training"),
])
def test_bad_arguments_are_named(digits, make, match):
    x, y = digits
    with pytest.raises(ValueError, match=match):
        make(Pipeline.from_tensors(x, y))


def test_bad_sources_are_named(digits):
    x, y = digits
    with pytest.raises(ValueError, match="labels"):
        Pipeline.from_tensors(x, y[:5])
    with pytest.raises(ValueError, match="ds"):
        Pipeline.from_dataset([1, 2, 3])
    with pytest.raises(ValueError, match="source"):
        Pipeline("not a source")


def test_reads_labels_finds_nested_label_layers():
    mix = tfaug.image.MixUp(num_classes=10)
    assert pipeline_augment.reads_labels(tfaug.Sequence([tfaug.image.RandomFlip(), mix]))
    assert not pipeline_augment.reads_labels(tfaug.image.RandomFlip())
    assert not pipeline_augment.reads_labels(keras.layers.RandomFlip())
