"""Policy files shipped with tfaug (JSON, one policy a file).

This folder is installed as the data package ``tfaug.saved_policies`` (see
``setup.py``), so ``importlib.resources.files("tfaug.saved_policies")`` lists the
files in a regular and in an editable install alike. It holds no code.
"""
