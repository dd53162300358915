"""Every answer on disk, so that no request is ever paid for twice and the book
re-executes offline.

Layout under `profile.work_path / "llm"`:
- `answers/<kk>/<key>.json`: one answer, keyed by (image sha256, prompt hash, model,
  parameters); written atomically, so a killed run leaves whole answers or none;
- `images/<sha256>.png`: the images exactly as sent;
- `runs/<model>_<condition>.json`: one manifest per run (sample, prompt hash, model,
  endpoint host, date, counts, tokens): what `ecgpaper llm score` and the chapter read.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from ..fileio import atomic_write_bytes, atomic_write_json


def llm_dir(profile) -> Path:
    return Path(profile.work_path) / "llm"


def answer_key(image_sha256: str, prompt_hash: str, model: str, params: dict) -> str:
    blob = json.dumps({"image": image_sha256, "prompt": prompt_hash, "model": model,
                       "params": params}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


class AnswerCache:
    """Answers by key in `folder/answers`, images by hash in `folder/images`."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", key):
            raise ValueError(f"answer key {key!r}: expected 64 hex digits")
        return self.folder / "answers" / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: damaged cached answer ({exc}); delete the file and "
                             "rerun `ecgpaper llm run` to ask again") from None
        if not isinstance(entry, dict) or entry.get("key") != key or "text" not in entry:
            raise ValueError(f"{path}: expected a cached answer with 'key' {key[:12]}… and "
                             "'text'; delete the file and rerun `ecgpaper llm run`")
        return entry

    def put(self, key: str, entry: dict) -> None:
        atomic_write_json(self.path(key), dict(entry, key=key), sort_keys=True)

    def image_path(self, sha256: str) -> Path:
        return self.folder / "images" / f"{sha256}.png"

    def put_image(self, png: bytes, sha256: str) -> None:
        path = self.image_path(sha256)
        if not path.is_file():
            atomic_write_bytes(path, png)


def run_name(model: str, condition: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", model).strip("-") + "_" + condition


def write_run(folder, manifest: dict) -> Path:
    path = Path(folder) / "runs" / f"{run_name(manifest['model'], manifest['condition'])}.json"
    atomic_write_json(path, manifest, sort_keys=True)
    return path


RUN_FIELDS = ("model", "condition", "prompt_hash", "params", "date", "sample", "items")


def read_runs(folder) -> list[dict]:
    """Every run manifest under `folder/runs`, sorted by model then condition."""
    runs = []
    for path in sorted((Path(folder) / "runs").glob("*.json")):
        try:
            run = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: damaged run manifest ({exc}); rerun "
                             "`ecgpaper llm run` to rewrite it") from None
        missing = [f for f in RUN_FIELDS if not isinstance(run, dict) or f not in run]
        if missing:
            raise ValueError(f"{path}: run manifest lacks {missing}; rerun "
                             "`ecgpaper llm run` to rewrite it")
        run["path"] = str(path)
        runs.append(run)
    return sorted(runs, key=lambda r: (r["model"], r["condition"]))
