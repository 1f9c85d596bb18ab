"""Data pipelines (``tfaug.data``): the tf.data builder, readers, offline
materialization and the tf.data service.

* :class:`Pipeline`: read (tensors, TFRecord, image folders, CSV, text, WAV,
  materialized shards), shuffle, batch, augment with per-batch seeds derived
  from ``(seed, epoch, batch index)``, prefetch; ``build()`` gives the
  ``(inputs, labels)`` dataset ``model.fit`` takes, ``build(training=False)``
  the same data unaugmented.
* :func:`materialize` / :func:`load_materialized`: augmented copies written as
  TFRecord shards with a manifest, resumable and crash safe
  (module :mod:`tfaug.data.offline`).
* :mod:`tfaug.data.service`: tf.data service dispatcher/workers
  (:func:`start_dispatcher`, :func:`start_worker`, :func:`distribute`).
* :class:`AugmentedModel`: augmentation that rewrites labels or adds rows
  (SMOTE, MixUp) inside a model's train step; serving runs the model alone.
"""

from tfaug.data.model import AugmentedModel
from tfaug.data.offline import load_materialized, materialize
from tfaug.data.pipeline import Pipeline, Step, batch_seed
from tfaug.data.service import distribute, start_dispatcher, start_worker
