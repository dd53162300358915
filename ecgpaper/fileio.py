"""Writing files so that a crash never leaves a half-written one, and hashing them.

Every file the project writes goes through `atomic_write_*`: the bytes land in a hidden
temporary file beside the target, are flushed to disk and then renamed over it, so a
reader sees either the old file or the new one. Temporary names carry the writer's
process id and never land on an existing file; `markers.remove_stale_temporaries`
deletes the marked temporary folders of a process that is gone (a run killed with -9
cannot clean up after itself).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


def unwritable_problem(folder, given=None) -> str | None:
    """Why nothing can be written in `folder` (None: it can), named as the user `given`
    it. Probed by making and removing a folder in it, or in its nearest existing parent,
    so a command fails before its work instead of at its first write, where the error
    would name an internal temporary path."""
    folder = Path(folder).absolute()
    given = folder if given is None else given
    base = folder
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        return f"{given}: {base} is not a folder, expected a folder that can be written"
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".ecgpaper-probe-", dir=base))
    except OSError as exc:
        return (f"{given}: cannot write in {base} ({exc.strerror or type(exc).__name__}), "
                "expected a folder this user can create files in")
    return None


def temporary_name(path) -> Path:
    """The hidden temporary sibling `.NAME.tmp-PID` of `path`."""
    path = Path(path)
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def unused_temporary_name(path) -> Path:
    """`temporary_name(path)`, or `.NAME.tmp-PID-K` for the first K not taken: a
    temporary must never land on something that is already there."""
    first = temporary_name(path)
    candidate, k = first, 0
    while candidate.exists() or candidate.is_symlink():
        k += 1
        candidate = first.with_name(f"{first.name}-{k}")
    return candidate


@contextmanager
def atomic_path(path):
    """Yield a temporary path to write; rename it onto `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = unused_temporary_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists() or tmp.is_symlink():
            tmp.unlink()


def atomic_write_bytes(path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())


def atomic_write_text(path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path, obj, **dumps_kwargs) -> None:
    dumps_kwargs.setdefault("indent", 2)
    atomic_write_text(path, json.dumps(obj, **dumps_kwargs) + "\n")


def file_sha256(path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes, read in chunks (files may be gigabytes)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def process_alive(pid: int) -> bool:
    """True if process `pid` exists (this one included)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):     # gone, or no such process id
        return False
    except PermissionError:      # exists, owned by someone else
        return True
    return True
