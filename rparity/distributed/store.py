"""The results store: an append-only JSON-lines file, one record per finished task.

* Each record is one line, written with a single ``write`` and ``fsync``-ed
  before the next task's result is handled, so a record on disk is complete
  and a record handed back by a worker is never lost once written.
* A driver killed mid-write leaves at most one torn last line: readers skip it
  and the next append starts on a fresh line.
* Records are never rewritten. A task's *finished* record is its first record
  with ``status == "done"``; a task whose last record is ``"failed"`` is run
  again by the next run of the same campaign.
* One driver writes a store at a time (a lock file guards it).
"""
from __future__ import annotations

import fcntl
import json
import os
import warnings
from pathlib import Path
from typing import Iterator

from rparity_contract.errors import RParityError

from .._io import atomic_write_text

__all__ = ["ResultsStore", "ResultsLocked", "safe_name", "write_json_atomic"]


class ResultsLocked(RParityError):
    """Another run holds the results store's lock."""


def safe_name(s: str) -> str:
    """``s`` usable as one path component (engine names may be ``module:attribute``)."""
    return "".join(ch if ch.isalnum() or ch in "-._=" else "_" for ch in s)


class ResultsStore:
    """The JSONL file at ``path`` (created with its directories on first append)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock_fd: int | None = None

    # -- reading -----------------------------------------------------------------
    def records(self) -> list[dict]:
        """Every complete record, in the order written."""
        return list(self._iter())

    def _iter(self) -> Iterator[dict]:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        # the last element is b"" after a final newline, or a torn record
        for n, line in enumerate(lines[:-1], start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                warnings.warn(f"{self.path}:{n}: skipping an unreadable record (a torn write?)", stacklevel=3)
        # lines[-1] is an unterminated (torn) record, never counted

    def finished(self) -> dict[str, dict]:
        """key -> the task's first ``done`` record."""
        out: dict[str, dict] = {}
        for r in self._iter():
            if r.get("status") == "done" and r.get("key") not in out:
                out[r["key"]] = r
        return out

    def latest(self) -> dict[str, dict]:
        """key -> the finished record if any, else the last failed one."""
        out: dict[str, dict] = {}
        for r in self._iter():
            k = r.get("key")
            if k in out and out[k].get("status") == "done":
                continue
            out[k] = r
        return out

    # -- writing -----------------------------------------------------------------
    def open(self) -> "ResultsStore":
        """Take the writer's lock (one driver per store at a time)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ResultsLocked(f"another rparity run is writing {self.path}; wait for it or use another "
                                "--results directory") from None
        self._lock_fd = fd
        return self

    def close(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> "ResultsStore":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    def append(self, record: dict) -> None:
        """Append one record durably."""
        line = json.dumps(record, default=str).encode() + b"\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if not new and os.fstat(fd).st_size > 0 and not self._ends_with_newline():
                line = b"\n" + line  # close a torn record left by a killed driver
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        if new:
            _fsync_dir(self.path.parent)

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"\n"


def _fsync_dir(path: Path) -> None:
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


def write_json_atomic(path: str | Path, obj) -> Path:
    """Write ``obj`` as indented JSON (key order kept) to ``path`` atomically."""
    return atomic_write_text(path, json.dumps(obj, indent=1, default=str) + "\n")
