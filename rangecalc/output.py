"""Writing results to files: whole or not at all, and never over anything but a regular file.

Shared by the command line (``-o FILE``) and the Python API (``Result.save``); ``what`` names the argument in
messages and ``force_hint`` says how to allow overwriting.
"""

import os
import stat
import tempfile
from pathlib import Path

from .errors import DataError, UsageError


def check_path(path, force=False, what="--output", force_hint="add --force to overwrite it"):
    """Refuse ``path`` before any work is done: an empty name, anything but a regular file (a device,
    FIFO, folder or symbolic link is never replaced), a missing folder, an existing file without ``force``.
    Returns the existing file's permission bits to keep, or None for a new file."""
    text = str(path)
    if not text.strip() or text == ".":  # click turns '' into '.'
        raise UsageError(
            f"{what} is empty; give a file name" + (", or '-' for stdout" if what == "--output" else "")
        )
    if "\x00" in text:
        raise UsageError(f"{what}: {text!r} contains a NUL character, which no file name may hold")
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        kind = "a symbolic link" if path.is_symlink() else "not a regular file"
        raise UsageError(f"{what}: {text!r} is {kind}; rangecalc only writes or replaces regular files")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"{what}: folder {str(directory)!r} does not exist")
    if path.exists():
        if not force:
            raise UsageError(f"{what}: {text!r} exists; {force_hint}")
        return stat.S_IMODE(path.stat().st_mode)
    return None


def write_atomically(path, content, force=False, what="--output", force_hint="add --force to overwrite it"):
    """Write ``content`` (str, or bytes) to ``path``: a temporary file in the same folder (its name within
    NAME_MAX whatever the path's), then a rename, keeping the permissions of a file it replaces."""
    keep_mode = check_path(path, force, what, force_hint)
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        stem = path.name.encode("utf-8")[:100].decode("utf-8", "ignore")
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{stem}.", suffix=".tmp")
        try:
            binary = isinstance(content, bytes)
            mode = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": ""}
            with os.fdopen(handle, **mode) as stream:
                stream.write(content)
            if keep_mode is None:
                umask = os.umask(0)
                os.umask(umask)
                keep_mode = 0o666 & ~umask  # mkstemp makes it private; give it the usual permissions
            os.chmod(temporary, keep_mode)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise DataError(f"{what}: cannot write {str(path)!r}: {exc.strerror or exc}") from None
