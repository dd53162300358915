"""Skip-if-unchanged for the book: a chapter's fingerprint (notebook source, parameters,
package code) and its declared inputs are stamped after a successful run; a chapter runs
again only when one of them changed, and the reason is printed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .chapters import Chapter
from .fileio import atomic_write_text, file_sha256

EXECUTED = "executed"          # folder of executed notebooks, relative to the book root
STAMPS = ".stamps"             # inside EXECUTED: one JSON per successfully run chapter


def package_fingerprint(package_dir: Path | None = None) -> str:
    """Hash of the package source: a code change re-executes the chapters."""
    package_dir = package_dir or Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".json", ".yaml"} \
                and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(package_dir)).encode())
            h.update(file_sha256(path).encode())
    return h.hexdigest()


def inputs_fingerprint(chapter: Chapter, work_path: Path) -> dict[str, str]:
    """Content hash of every file matching the chapter's declared input patterns."""
    found: dict[str, str] = {}
    for pattern in chapter.inputs:
        for path in sorted(work_path.glob(pattern)):
            if path.is_file():
                found[str(path.relative_to(work_path))] = file_sha256(path)
    return found


def committed_fingerprint(root: Path) -> str:
    """Hash of the committed measurements under book/measurements (the reference
    edition, benchmark files): the pages that show them must run again when they change,
    though nothing in the work folder did."""
    folder = root / "book" / "measurements"
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode())
            h.update(file_sha256(path).encode())
    return h.hexdigest()


def chapter_fingerprint(chapter: Chapter, root: Path, params: dict,
                        package_hash: str) -> dict:
    """Everything that, when changed, makes a chapter's executed notebook out of date."""
    source = (root / "notebooks" / chapter.notebook).read_bytes()
    return {
        "notebook": hashlib.sha256(source).hexdigest(),
        "parameters": json.loads(json.dumps(params, sort_keys=True, default=str)),
        "package": package_hash,
        "committed": committed_fingerprint(root),
    }


def why_stale(chapter: Chapter, root: Path, fingerprint: dict, work_path: Path) -> str | None:
    """None when the chapter is up to date, else the reason it must run."""
    executed = root / EXECUTED / f"{chapter.name}.ipynb"
    stamp_file = root / EXECUTED / STAMPS / f"{chapter.name}.json"
    if not executed.is_file() or not stamp_file.is_file():
        return "never executed"
    try:
        stamp = json.loads(stamp_file.read_text())
    except ValueError:
        return "its stamp is unreadable"
    for key, label in (("notebook", "notebook source"), ("parameters", "parameters"),
                       ("package", "ecgpaper package code"),
                       ("committed", "committed measurements (book/measurements)")):
        if stamp.get(key) != fingerprint[key]:
            return f"{label} changed"
    if stamp.get("inputs") != inputs_fingerprint(chapter, work_path):
        return "declared inputs changed"
    return None


def write_stamp(chapter: Chapter, root: Path, fingerprint: dict, work_path: Path) -> None:
    stamp = root / EXECUTED / STAMPS / f"{chapter.name}.json"
    stamp.parent.mkdir(parents=True, exist_ok=True)
    data = dict(fingerprint, inputs=inputs_fingerprint(chapter, work_path))
    atomic_write_text(stamp, json.dumps(data, indent=1, sort_keys=True))
