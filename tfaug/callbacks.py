"""Keras callbacks that control augmentation strength during training.

``MagnitudeSchedule`` sets the strength of tfaug layers from a schedule at the
start of each epoch; ``AdaptiveAugmentation`` raises or lowers it from an
overfitting heuristic (StyleGAN2-ADA style). See :mod:`tfaug.policies.callbacks`.

Example:
  >>> ramp = tfaug.callbacks.MagnitudeSchedule.linear(0.0, 1.0, epochs=10)
  >>> model.fit(x, y, epochs=20, callbacks=[ramp])
"""

from tfaug.policies.callbacks import AdaptiveAugmentation
from tfaug.policies.callbacks import MagnitudeSchedule
from tfaug.policies.callbacks import strength_layers

__all__ = ["AdaptiveAugmentation", "MagnitudeSchedule", "strength_layers"]
