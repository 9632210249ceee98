"""Output files that are never half-written, and checked before any work.

Every file the harness writes (reports, JSON, golden files, corpus entries)
goes through :func:`atomic_write_text`: a temporary file in the same
directory, then ``os.replace``, so a reader sees the old file or the new one,
never a part. :func:`check_writable` is called by the command line before a
run starts, so an unwritable ``--json`` or ``--report`` fails in one line at
once instead of after the work.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_text", "check_writable", "Unwritable"]


class Unwritable(OSError):
    """An output path that cannot be written; the message names it and why."""


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600: give the file the usual permissions
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_writable(path: str | Path, *, directory: bool = False, what: str = "output") -> Path:
    """``path`` (a file, or a directory with ``directory=True``) can be created
    or replaced by this user; otherwise :class:`Unwritable` says why. Nothing is
    left behind by the check."""
    path = Path(path)
    target_dir = path if directory else path.parent
    probe = target_dir
    while not probe.exists():  # the nearest existing ancestor must be writable
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise Unwritable(f"{what} {str(path)!r} cannot be written: {str(probe)!r} is a file, not a directory")
    try:  # permissions alone do not tell (root, read-only mounts, /proc): try it
        fd, tmp = tempfile.mkstemp(dir=probe, prefix=".rparity-write-check-")
    except OSError as exc:
        raise Unwritable(f"{what} {str(path)!r} cannot be written: {exc.strerror or exc} in {str(probe)!r}") \
            from None
    os.close(fd)
    os.unlink(tmp)
    if directory and path.exists() and not path.is_dir():
        raise Unwritable(f"{what} {str(path)!r} is a file, not a directory")
    if not directory and path.is_dir():
        raise Unwritable(f"{what} {str(path)!r} is a directory, not a file")
    if not directory and path.exists() and not os.access(path, os.W_OK):
        raise Unwritable(f"{what} {str(path)!r} exists and is read-only")
    return path
