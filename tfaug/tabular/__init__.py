"""Tabular augmentation: the SMOTE family, noise, masking and a generative model."""
