"""`prepare`: read every record of a database folder once into a store.

The store is built in a hidden temporary folder beside the target (`.NAME.tmp-PID`)
and swapped in only when complete and checked, so a crash or `kill -9` never leaves a
half-written store. Both the temporary and the finished store carry a signed marker
(`ecgpaper.markers`): the next run removes a killed run's temporaries only when their
marker verifies, and an existing store is replaced only when `plan.check_replaceable`
proves it one (checked again just before the swap), and then only its own files are
deleted.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import CLASSES, LEADS, MEASUREMENTS
from ..fileio import atomic_write_json, file_sha256, unused_temporary_name, unwritable_problem
from ..markers import (MARKER, describe_kept, make_temporary_folder, remove_marked,
                       remove_stale_temporaries, write_marker)
from .plan import Plan, check_destination, check_replaceable, plan
from .store import (FORMAT_VERSION, FS, INDEX, MANIFEST, N_SAMPLES, SIGNALS, SPLITS,
                    STEP_UV, STORE_FILES, STORE_KIND, WRITTEN_BY, dataset_checksum, encode,
                    manifest_checksum, open_store, record_checksum, store_status)
from .validate import RecordError

_CTX: dict = {}


def _init_worker(ctx: dict) -> None:
    _CTX.clear()
    _CTX.update(ctx)


def _load_chunk(chunk: list[tuple[int, int, str]]) -> list[tuple[int, float, str, str]]:
    """Read records, write them into the memmap, return (pos, scale, checksum, flat)."""
    from .chapman import read_chapman_csv
    from .validate import flat_leads
    from .wfdb_io import read_wfdb

    data = np.load(_CTX["signals"], mmap_mode="r+")
    diag = _CTX["diag"]
    out = []
    for pos, diag_row, f in chunk:
        if _CTX["source"] == "chapman-csv":
            rec = read_chapman_csv(f, diagnostics=diag.loc[diag_row], allow_flat=True)
        else:
            rec = read_wfdb(f, diagnostics=diag, allow_flat=True, root=_CTX["root"])
            if rec.meta["FileName"] != diag.at[diag_row, "FileName"]:
                raise RecordError(f"{f}: joined to the wrong Diagnostics row")
        uv = rec.in_microvolts()
        q, scale = encode(uv)
        data[pos] = q
        out.append((pos, scale, record_checksum(q, scale), ";".join(flat_leads(uv))))
    data.flush()
    del data
    return out


def _read_records(p: Plan, signals_path: Path, workers: int, progress: bool) -> list:
    """Fill the signals array; [(pos, scale, checksum, flat leads)] in store order."""
    from tqdm import tqdm

    n = len(p.rows)
    ctx = dict(signals=str(signals_path), diag=p.diag, source=p.source, root=p.data_dir)
    tasks = [(pos, row, str(f)) for pos, (row, f) in enumerate(zip(p.rows, p.files))]
    size = max(1, min(64, n // (4 * max(1, workers)) or 1))
    chunks = [tasks[k:k + size] for k in range(0, n, size)]
    results = []
    with tqdm(total=n, disable=not progress, desc=f"prepare {p.source}", unit="rec") as bar:
        if workers <= 1 or n < 64:
            _init_worker(ctx)
            for chunk in chunks:
                results += _load_chunk(chunk)
                bar.update(len(chunk))
        else:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            with ProcessPoolExecutor(workers, mp_context=mp.get_context(method),
                                     initializer=_init_worker, initargs=(ctx,)) as pool:
                for res in pool.map(_load_chunk, chunks):
                    results += res
                    bar.update(len(res))
    return sorted(results)


def _check_duplicates(p: Plan, checksums: list[str]) -> None:
    """Two records with identical samples mean a copied file or a header pointing at
    another record's signals: either way a record would sit in two places (or splits)."""
    first: dict[str, int] = {}
    for pos, cs in enumerate(checksums):
        if cs in first:
            a, b = first[cs], pos
            raise RecordError(f"{p.data_dir / p.rel[b]}: identical signals to "
                              f"{p.data_dir / p.rel[a]} (records "
                              f"{p.diag.at[p.rows[b], 'FileName']} and "
                              f"{p.diag.at[p.rows[a], 'FileName']}); expected every record "
                              "to have its own recording: remove the copy")
        first[cs] = pos


def _index(p: Plan, results: list) -> pd.DataFrame:
    diag = p.diag.loc[p.rows]
    return pd.DataFrame({
        "record_id": diag["FileName"].to_numpy(),
        "source_file": p.rel,
        "label": diag["label"].to_numpy(),
        "rhythm": diag["Rhythm"].to_numpy(),
        "split": p.split,
        "PatientAge": diag["PatientAge"].to_numpy(),
        "Gender": diag["Gender"].to_numpy(),
        **{m: diag[m].to_numpy() for m in MEASUREMENTS},
        "Beat": diag["Beat"].to_numpy(),
        "flat_leads": [r[3] for r in results],
        "scale_uV": np.array([r[1] for r in results], dtype=np.float32),
        "checksum": [r[2] for r in results],
    })


def _manifest(p: Plan, index: pd.DataFrame) -> dict:
    from .. import __version__
    counts = {c: {s: int(((index["label"] == c) & (index["split"] == s)).sum())
                  for s in SPLITS} for c in CLASSES}
    manifest = {
        "format": FORMAT_VERSION,
        "written_by": WRITTEN_BY,
        "source": p.source,
        "denoised": p.denoised,
        "data_dir": str(p.data_dir),
        "diagnostics_file": str(p.diag_path),
        "diagnostics_sha256": file_sha256(p.diag_path),
        "n_records": len(index),
        "fs": FS,
        "n_samples": N_SAMPLES,
        "leads": list(LEADS),
        "dtype": "int16",
        "step_uV": STEP_UV,
        "split": {"method": "train_test_split 70/30 then 50/50, stratified by class",
                  "seed": 42, "computed_on": "all kept rows of the Diagnostics table"},
        "counts": counts,
        "split_totals": {s: int((index["split"] == s).sum()) for s in SPLITS},
        "missing_records": len(p.missing),
        "missing_examples": p.missing[:20],
        "skipped_files": len(p.skipped),
        "excluded_rows": {str(k): int(v) for k, v in p.excluded.items()},
        "records_with_flat_leads": int((index["flat_leads"] != "").sum()),
        "dataset_checksum": dataset_checksum(index),
        "input_fingerprint": p.fingerprint,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "package_version": __version__,
    }
    manifest["manifest_checksum"] = manifest_checksum(manifest)
    return manifest


def _build(p: Plan, tmp: Path, workers: int, progress: bool) -> None:
    n = len(p.rows)
    arr = np.lib.format.open_memmap(tmp / SIGNALS, mode="w+", dtype=np.int16,
                                    shape=(n, len(LEADS), N_SAMPLES))
    del arr
    results = _read_records(p, tmp / SIGNALS, workers, progress)
    _check_duplicates(p, [r[2] for r in results])
    index = _index(p, results)
    index.to_parquet(tmp / INDEX, index=False)
    atomic_write_json(tmp / MANIFEST, _manifest(p, index))
    open_store(tmp)                      # the new store must pass its own checks
    write_marker(tmp, STORE_KIND, STORE_FILES, finished=STORE_FILES)


def _remove_store(folder: Path) -> None:
    """Delete a store proven ours: only its own files, then the folder if that emptied
    it (a store written before markers existed has no marker to list them)."""
    if (folder / MARKER).is_file():
        remove_marked(folder)
        return
    for name in STORE_FILES:
        (folder / name).unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass                             # something else appeared in it: leave it


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Move the finished store at `tmp` to `out` (absent, empty or a proven store)."""
    check_replaceable(out)               # again: the build took a while
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()
    if not out.exists():
        os.replace(tmp, out)
        return
    aside = unused_temporary_name(out.with_name(f"{out.name}.old"))
    os.replace(out, aside)
    os.replace(tmp, out)
    _remove_store(aside)


def prepare_store(source: str, data_dir, out, *, denoised: bool = False,
                  workers: int | None = None, progress: bool = True,
                  diagnostics=None, allow_missing: bool | None = None,
                  force: bool = False, strict: bool = False, report=print) -> Path:
    """Read every record of `data_dir` once into a store at `out` (no-op when current).

    source: "chapman-csv" (figshare ECGData/ or, with `denoised`, ECGDataDenoised/) or
    "chapman-wfdb" (JSnnnnn.hea/.mat anywhere below data_dir). Diagnostics.xlsx is taken
    from data_dir (or data_dir/metadata) unless `diagnostics` names it. What is left out
    is always passed to `report` line by line; `strict` makes any skipped file or row
    an error.
    """
    given, out = out, Path(out).resolve()
    problem = unwritable_problem(out.parent, given)     # before reading any record
    if problem:
        raise RecordError(f"--out: {problem}")
    p = plan(source, data_dir, denoised=denoised, diagnostics=diagnostics,
             allow_missing=allow_missing)
    check_destination(out, p.data_dir, p.diag_path)
    say = report or (lambda *a, **k: None)
    for line in p.summary():
        say(line)
    if strict and p.n_skipped:
        raise RecordError(f"{p.data_dir}: --strict: {p.n_skipped} file(s) or Diagnostics "
                          "row(s) would be skipped (listed above); expected every file to "
                          "become a record")
    for name in (out.name, f"{out.name}.old"):
        removed, kept = remove_stale_temporaries(out.parent, name, STORE_KIND)
        for stale in removed:
            say(f"removed {stale}, left behind by an interrupted run")
        for line in describe_kept(kept):
            say(line)
    ok, reason = store_status(out, p.fingerprint)
    if ok and not force:
        if progress:
            say(f"store {out} is up to date ({len(p.rows)} records): nothing to do")
        return out
    if out.exists():
        say(f"rebuilding store {out}: {'--force' if ok else reason}")
    workers = workers or min(os.cpu_count() or 1, 8)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_temporary_folder(out, STORE_KIND, STORE_FILES)
    try:
        _build(p, tmp, workers, progress)
        _swap_into_place(tmp, out)
    finally:
        if tmp.exists():
            remove_marked(tmp)
    if progress:
        say(f"store written to {out}: {len(p.rows)} records")
    return out
