"""SavedModel export (``tfaug.export``): a Keras model for serving with every
augmentation off (:func:`export_model`), and an augmentation layer or policy
alone as a seeded ``(inputs, seed) -> outputs`` function
(:func:`export_augmentation`); both load where tfaug is not installed."""

from tfaug.export.saved_model import export_augmentation, export_model
