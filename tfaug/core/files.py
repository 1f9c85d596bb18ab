"""Durable file writes shared by everything tfaug puts on disk.

Nothing is overwritten half-written: a file is written under a temporary name,
flushed to disk and renamed over its target (``os.replace`` is atomic on one
file system), then the folder entry is flushed too. Policy files, the
manifests and sidecars of offline materialization and SavedModel exports all
go through these helpers.
"""

import os
import pathlib


def fsync_path(path):
    """Flushes a file or a folder's entry table to disk; ignores what cannot be
    (platforms without directory handles, a vanished file).

    Args:
      path: A file or folder.

    Example:
      >>> import os
      >>> os.makedirs("out", exist_ok=True)
      >>> fsync_path("out/")  # makes a rename inside out/ durable
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_tree(root):
    """Flushes every file (errors raise) and folder under ``root`` to disk.

    Args:
      root: A folder.

    Example:
      >>> import os
      >>> os.makedirs("export.tmp/assets", exist_ok=True)
      >>> fsync_tree("export.tmp/")  # before renaming it into place
    """
    for folder, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_path(folder)


def write_atomically(path, write, temp=None, mode=None, binary=False):
    """Writes a file at ``path`` so that ``path`` is always complete or absent.

    ``write(handle)`` fills ``temp`` (a path in ``path``'s folder), which is
    flushed to disk, gets ``mode`` if given, and is renamed over ``path``; the
    folder is flushed after the rename. On any failure ``temp`` is removed and the old
    ``path``, if any, is untouched.

    Args:
      path: The target file.
      write: Called with the open handle of ``temp``: text (UTF-8), or bytes
        with ``binary=True``.
      temp: The temporary file's path, in the same folder; None:
        ``.<name>.<pid>.tmp`` beside ``path``.
      mode: Permission bits for the new file, or None for the default.
      binary: Open ``temp`` for bytes instead of text.

    Returns:
      ``path`` as a ``pathlib.Path``.

    Example:
      >>> import os
      >>> os.makedirs("out", exist_ok=True)
      >>> path = write_atomically("out/notes.txt", lambda f: f.write("done\\n"),
      ...                         "out/.notes.txt.tmp")
      >>> path.read_text(), os.path.exists("out/.notes.txt.tmp")
      ('done\\n', False)
    """
    path = pathlib.Path(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp") if temp is None else \
        pathlib.Path(temp)
    try:
        with (open(temp, "wb") if binary else open(temp, "w", encoding="utf-8")) as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_path(path.parent if str(path.parent) else ".")
    return path
