"""Tabular ops (``tfaug.tabular.ops``): the SMOTE family as pure TF ops.

Exact blocked nearest neighbours, imbalanced-learn's ``sampling_strategy``,
the SMOTE table (``build_table`` once, ``sample_table`` per batch) and the
functional resamplers. Everything runs eagerly, in ``tf.function`` and in
``tf.data``, with stateless randomness.
"""

from tfaug.tabular.ops.neighbors import nearest_neighbors
from tfaug.tabular.ops.smote import draw_rows, generate, sample_table, smote, smote_nc
from tfaug.tabular.ops.strategy import (check_strategy, class_counts, class_targets,
                                         targeted_classes)
from tfaug.tabular.ops.table import VARIANTS, build_table
from tfaug.tabular.ops.variants import (adasyn, adasyn_counts, borderline_smote,
                                        random_oversample)

__all__ = [
    "VARIANTS",
    "adasyn",
    "adasyn_counts",
    "borderline_smote",
    "build_table",
    "check_strategy",
    "class_counts",
    "class_targets",
    "draw_rows",
    "generate",
    "nearest_neighbors",
    "random_oversample",
    "sample_table",
    "targeted_classes",
    "smote",
    "smote_nc",
]
