"""Proof that ecgpaper wrote a folder, checked before a command replaces or deletes one.

Users point `--out` at folders that may hold their only copy of something, and a folder
name or a set of file names proves nothing. So every folder that a command may later
replace or remove (a store, the synthetic twin, the hidden temporary folder either is
built in) carries `MARKER`: a small JSON file naming what the folder is (`kind`), the
entries it may hold, the size and sha256 of each file finished in it, and a signature
(sha256 over all of these). A folder counts as ecgpaper's only when that signature
verifies, the folder holds nothing the marker does not name, and, once files are
finished, at least one of them is still byte for byte as written. Anything else is left
alone and named in the message.

Temporary folders are named `.NAME.tmp-PID` (or `.NAME.tmp-PID-K` when that name is
taken); `remove_stale_temporaries` deletes those whose process is gone, and only when
they are empty or carry a verifying marker.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import shutil
from pathlib import Path

from .fileio import atomic_write_json, file_sha256, process_alive, unused_temporary_name

MARKER = ".ecgpaper-marker.json"
WRITTEN_BY = "ecgpaper"
_TMP = re.compile(r"^\.(?P<name>.+)\.tmp-(?P<pid>\d+)(?:-\d+)?$")


def _signature(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def write_marker(folder, kind: str, may_hold, finished=()) -> None:
    """Mark `folder` as a `kind` folder that may hold the entries `may_hold`; record the
    size and sha256 of the `finished` files (written last, after those files)."""
    folder = Path(folder)
    body = {"written_by": WRITTEN_BY, "kind": kind, "may_hold": sorted(set(may_hold)),
            "files": {name: {"size": (folder / name).stat().st_size,
                             "sha256": file_sha256(folder / name)} for name in finished},
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
    atomic_write_json(folder / MARKER, {**body, "signature": _signature(body)})


def _read_marker(folder: Path) -> tuple[dict | None, str]:
    """(marker, "") when `folder`'s marker verifies, else (None, what is wrong)."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, f"no {MARKER}"
    except (OSError, UnicodeError, ValueError):
        return None, f"{MARKER} is unreadable"
    if not isinstance(marker, dict):
        return None, f"{MARKER} is not a JSON object"
    body = {k: v for k, v in marker.items() if k != "signature"}
    if marker.get("signature") != _signature(body) or marker.get("written_by") != WRITTEN_BY:
        return None, f"{MARKER} does not match its signature"
    if not isinstance(marker.get("may_hold"), list) or \
            not isinstance(marker.get("files"), dict):
        return None, f"{MARKER} lacks its lists of entries and files"
    return marker, ""


def _named(name: str, marker: dict) -> bool:
    """Is `name` an entry the marker allows, or the temporary of one (a write cut short)?"""
    allowed = {str(n) for n in marker["may_hold"]} | {MARKER}
    m = _TMP.match(name)
    return name in allowed or (m is not None and m["name"] in allowed)


def _unchanged(path: Path, entry) -> bool:
    return (isinstance(entry, dict) and path.is_file() and not path.is_symlink()
            and path.stat().st_size == entry.get("size")
            and file_sha256(path) == entry.get("sha256"))


def marker_problem(folder, kind: str) -> str | None:
    """Why `folder` cannot be proven a `kind` folder that ecgpaper wrote (None: it can)."""
    folder = Path(folder)
    if not folder.is_dir() or folder.is_symlink():
        return "not a folder"
    marker, problem = _read_marker(folder)
    if marker is None:
        return problem
    if marker.get("kind") != kind:
        return f"{MARKER} marks a {marker.get('kind')!r} folder, expected {kind!r}"
    foreign = sorted(e.name for e in folder.iterdir() if not _named(e.name, marker))
    if foreign:
        return (f"it holds {len(foreign)} item(s) ecgpaper did not put there, "
                f"e.g. {foreign[:3]}")
    files = marker["files"]
    if files and not any(_unchanged(folder / str(n), e) for n, e in files.items()):
        return f"none of the files {MARKER} lists is as it was written"
    return None


def remove_marked(folder) -> None:
    """Delete a folder whose marker was verified: the entries it names (and their
    temporaries), the marker last, then the folder (left in place if anything else
    appeared in it meanwhile)."""
    folder = Path(folder)
    marker, _ = _read_marker(folder)
    if marker is None:
        return
    for entry in sorted(folder.iterdir(), key=lambda e: e.name == MARKER):  # marker last
        if not _named(entry.name, marker):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    try:
        folder.rmdir()
    except OSError:
        pass


def make_temporary_folder(target, kind: str, may_hold) -> Path:
    """Create the hidden, marked temporary folder a `kind` folder for `target` is built in;
    never one that already exists."""
    while True:
        tmp = unused_temporary_name(target)
        try:
            tmp.mkdir()
        except FileExistsError:        # appeared between the check and mkdir: next name
            continue
        try:
            write_marker(tmp, kind, may_hold)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)   # just made by us, still empty
            raise
        return tmp


def remove_stale_temporaries(folder, target_name: str, kind: str
                             ) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Remove the temporaries `.TARGET.tmp-PID[-K]` in `folder` left by a process that is
    gone: empty ones, and folders whose `kind` marker verifies. Returns (removed, kept),
    kept with the reason each was left alone."""
    removed: list[Path] = []
    kept: list[tuple[Path, str]] = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed, kept
    for entry in sorted(folder.iterdir()):
        m = _TMP.match(entry.name)
        if not m or m["name"] != target_name or process_alive(int(m["pid"])):
            continue
        if entry.is_dir() and not entry.is_symlink() and not any(entry.iterdir()):
            entry.rmdir()
            removed.append(entry)
            continue
        problem = marker_problem(entry, kind)
        if problem is None:
            remove_marked(entry)
            removed.append(entry)
        else:
            kept.append((entry, problem))
    return removed, kept


def describe_kept(kept: list[tuple[Path, str]]) -> list[str]:
    """One line per temporary-looking entry that was left alone."""
    return [f"left {path} in place: it is named like an interrupted run's temporary but "
            f"cannot be proven one ({problem}); expected the {MARKER} ecgpaper writes into "
            "its temporaries (remove it yourself if it is not yours)"
            for path, problem in kept]

