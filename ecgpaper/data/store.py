"""The prepared store: every record read once into one memory-mapped array, so that
training and feature extraction never parse CSV or WFDB files again.

Layout of a store folder:
- `signals.npy`   (N, 12, T) int16, lead order I..V6; value x scale_uV of the record = µV.
                  scale_uV is 0.25 µV unless a record's amplitude needs more range (then
                  max|x|/32767), so nothing is ever clipped; rounding error <= scale/2.
- `index.parquet` one row per record in store order: record_id (Chapman FileName),
                  source_file (relative to the data folder), label, rhythm, split,
                  PatientAge, Gender, the measurements, Beat, flat_leads, scale_uV and
                  checksum (sha256 prefix of the record's stored bytes).
- `manifest.json` source, counts per class and split, dataset checksum, input fingerprint,
                  creation time, package version.

A store is written in a temporary folder and renamed into place. `prepare_store` on
unchanged input finds the existing store intact and does nothing; a damaged or partial
store fails its checks and is rebuilt.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import CLASS_INDEX, CLASSES, LEADS, MEASUREMENTS
from .validate import RecordError

FORMAT_VERSION = 1
SIGNALS, INDEX, MANIFEST = "signals.npy", "index.parquet", "manifest.json"
STEP_UV = 0.25
FS, N_SAMPLES = 500, 5000
SOURCES = ("chapman-csv", "chapman-wfdb")


class StoreError(RuntimeError):
    """A store that is missing, partial or corrupted (message names the folder and the check)."""


# --------------------------------------------------------------------------- encoding

def encode(signal_uV: np.ndarray) -> tuple[np.ndarray, float]:
    """(12, T) µV -> (int16 array, scale in µV per step)."""
    peak = float(np.max(np.abs(signal_uV))) if signal_uV.size else 0.0
    scale = STEP_UV if peak <= 32767 * STEP_UV else peak / 32767.0
    q = np.clip(np.rint(signal_uV / scale), -32767, 32767).astype(np.int16)
    return q, float(np.float32(scale))


def record_checksum(q: np.ndarray, scale: float) -> str:
    h = hashlib.sha256(np.ascontiguousarray(q).tobytes())
    h.update(np.float32(scale).tobytes())
    return h.hexdigest()[:32]


def dataset_checksum(index: pd.DataFrame) -> str:
    """sha256 over (record_id, label, split, checksum) of every row, in store order."""
    h = hashlib.sha256()
    for rid, label, split, cs in zip(index["record_id"], index["label"], index["split"],
                                     index["checksum"]):
        h.update(f"{rid},{label},{split},{cs}\n".encode())
    return h.hexdigest()


def file_sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- the store

@dataclass
class Store:
    """An opened store. `signal(i)`/`signals(rows)` return float32 µV in lead order I..V6."""
    path: Path
    index: pd.DataFrame
    manifest: dict
    data: np.ndarray                      # memory-mapped int16 (N, 12, T)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def fs(self) -> int:
        return int(self.manifest["fs"])

    @property
    def n_samples(self) -> int:
        return int(self.data.shape[2])

    @property
    def leads(self) -> tuple[str, ...]:
        return LEADS

    def __len__(self) -> int:
        return len(self.index)

    @property
    def scale(self) -> np.ndarray:
        if "scale" not in self._cache:
            self._cache["scale"] = self.index["scale_uV"].to_numpy(np.float32)
        return self._cache["scale"]

    def signal(self, i: int) -> np.ndarray:
        return self.data[int(i)].astype(np.float32) * self.scale[int(i)]

    def signals(self, rows) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        out = self.data[rows].astype(np.float32)
        out *= self.scale[rows][:, None, None]
        return out

    def rows(self, split: str | None = None) -> np.ndarray:
        """Store rows of a split ('train', 'val', 'test'; None = all)."""
        if split is None:
            return np.arange(len(self.index))
        if split not in ("train", "val", "test"):
            raise ValueError(f"unknown split {split!r}; expected train, val or test")
        return np.flatnonzero(self.index["split"].to_numpy() == split)

    def labels(self, rows=None) -> np.ndarray:
        """Class indices (constants.CLASSES order) of `rows` (default all)."""
        lab = self.index["label"].map(CLASS_INDEX).to_numpy(np.int64)
        return lab if rows is None else lab[np.asarray(rows)]

    def verify(self, progress: bool = False) -> None:
        """Recompute every record's checksum; StoreError names the first bad record."""
        from tqdm import tqdm
        checks = self.index["checksum"].to_numpy()
        for i in tqdm(range(len(self)), disable=not progress, desc="verify store",
                      mininterval=1.0):
            if record_checksum(self.data[i], self.scale[i]) != checks[i]:
                raise StoreError(f"{self.path}: record {self.index['record_id'].iat[i]} "
                                 f"(row {i}) does not match its checksum: store corrupted")


def open_store(path, verify: bool = False) -> Store:
    """Open a prepared store after structural checks (and every checksum if `verify`)."""
    path = Path(path)
    for name in (MANIFEST, INDEX, SIGNALS):
        if not (path / name).is_file():
            raise StoreError(f"{path}: {name} missing: not a complete store "
                             "(run `ecgpaper prepare`)")
    try:
        manifest = json.loads((path / MANIFEST).read_text())
        index = pd.read_parquet(path / INDEX)
        data = np.load(path / SIGNALS, mmap_mode="r")
    except Exception as exc:  # noqa: BLE001 - any failure here means a damaged store
        raise StoreError(f"{path}: unreadable store ({str(exc).splitlines()[0]})") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise StoreError(f"{path}: store format {manifest.get('format')}, expected "
                         f"{FORMAT_VERSION}")
    n = int(manifest.get("n_records", -1))
    if len(index) != n or data.shape != (n, len(LEADS), int(manifest["n_samples"])) \
            or data.dtype != np.int16:
        raise StoreError(f"{path}: partial store: manifest says {n} records x "
                         f"{manifest.get('n_samples')} samples, index has {len(index)} rows, "
                         f"signals.npy is {data.dtype} {data.shape}")
    if dataset_checksum(index) != manifest.get("dataset_checksum"):
        raise StoreError(f"{path}: index does not match the manifest's dataset checksum")
    store = Store(path=path, index=index, manifest=manifest, data=data)
    if verify:
        store.verify()
    return store


# --------------------------------------------------------------------------- planning

def find_diagnostics(data_dir: Path) -> Path:
    for cand in (data_dir / "Diagnostics.xlsx", data_dir / "metadata" / "Diagnostics.xlsx",
                 data_dir.parent / "Diagnostics.xlsx"):
        if cand.is_file():
            return cand
    raise FileNotFoundError(
        f"{data_dir}: Diagnostics.xlsx not found (looked in {data_dir} and "
        f"{data_dir / 'metadata'}). `prepare` needs the figshare Diagnostics.xlsx for labels "
        "and metadata; see `ecgpaper download chapman --dry-run` for where to get it.")


def plan(source: str, data_dir, *, denoised: bool = False, diagnostics=None,
         allow_missing: bool | None = None) -> dict:
    """Which files become which store rows, and the fingerprint of that input."""
    from .. import __version__
    from .chapman import read_diagnostics
    from .splits import paper_split

    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {list(SOURCES)}")
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir}: data folder not found")
    diag_path = Path(diagnostics).resolve() if diagnostics else find_diagnostics(data_dir)
    diag = read_diagnostics(diag_path)
    kept = diag[diag["label"].notna()]
    split = paper_split(kept["label"], seed=42)      # split on the whole table, always
    if source == "chapman-csv":
        folder = data_dir / ("ECGDataDenoised" if denoised else "ECGData")
        if not folder.is_dir():
            raise FileNotFoundError(
                f"{folder}: folder not found; chapman-csv expects DIR/"
                f"{folder.name}/<FileName>.csv and DIR/Diagnostics.xlsx")
        files = {i: folder / f"{name}.csv" for i, name in zip(kept.index, kept["FileName"])}
        allow_missing = False if allow_missing is None else allow_missing
    else:
        records = {p.stem: p.with_suffix("") for p in data_dir.rglob("JS*.hea")}
        files = {i: records.get(f"JS{i + 1:05d}") for i in kept.index}
        allow_missing = True if allow_missing is None else allow_missing
    present = {i: f for i, f in files.items()
               if f is not None and (Path(f).is_file() or Path(f"{f}.hea").is_file())}
    missing = [kept.at[i, "FileName"] if source == "chapman-csv" else f"JS{i + 1:05d}"
               for i in kept.index if i not in present]
    if missing and not allow_missing:
        raise FileNotFoundError(
            f"{data_dir}: {len(missing)} of {len(kept)} records listed in {diag_path.name} "
            f"have no file (e.g. {missing[:3]}); place the complete set or pass "
            "--allow-missing")
    rows = [i for i in kept.index if i in present]
    if not rows:
        raise FileNotFoundError(f"{data_dir}: none of the {len(kept)} records of "
                                f"{diag_path.name} has a {source} file there")
    stats = []
    for i in rows:
        f = present[i]
        p = Path(f) if source == "chapman-csv" else Path(f"{f}.hea")
        st = p.stat()
        rel = str(p.relative_to(data_dir)) if p.is_relative_to(data_dir) else str(p)
        extra = Path(f"{f}.mat").stat().st_size if source == "chapman-wfdb" and \
            Path(f"{f}.mat").is_file() else 0
        stats.append((rel, st.st_size, st.st_mtime_ns, extra))
    diag_sha = file_sha256(diag_path)
    fp = hashlib.sha256(json.dumps(
        [FORMAT_VERSION, __version__, source, denoised, diag_sha, stats]).encode()).hexdigest()
    return dict(source=source, data_dir=data_dir, denoised=denoised, diag_path=diag_path,
                diag=diag, diag_sha256=diag_sha, rows=rows, files=[present[i] for i in rows],
                rel=[s[0] for s in stats], split=split.loc[rows].to_numpy(),
                missing=missing, fingerprint=fp)


# --------------------------------------------------------------------------- building

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
            rec = read_wfdb(f, diagnostics=diag, allow_flat=True)
            if rec.meta["FileName"] != diag.at[diag_row, "FileName"]:
                raise RecordError(f"{f}: joined to the wrong Diagnostics row")
        uv = rec.in_microvolts()
        q, scale = encode(uv)
        data[pos] = q
        out.append((pos, scale, record_checksum(q, scale), ";".join(flat_leads(uv))))
    data.flush()
    del data
    return out


def _build(p: dict, tmp: Path, workers: int, progress: bool) -> None:
    from tqdm import tqdm

    from .. import __version__
    n = len(p["rows"])
    signals_path = tmp / SIGNALS
    arr = np.lib.format.open_memmap(signals_path, mode="w+", dtype=np.int16,
                                    shape=(n, len(LEADS), N_SAMPLES))
    del arr
    ctx = dict(signals=str(signals_path), diag=p["diag"], source=p["source"])
    tasks = [(pos, row, str(f)) for pos, (row, f) in enumerate(zip(p["rows"], p["files"]))]
    size = max(1, min(64, n // (4 * max(1, workers)) or 1))
    chunks = [tasks[k:k + size] for k in range(0, n, size)]
    results = []
    with tqdm(total=n, disable=not progress, desc=f"prepare {p['source']}", unit="rec") as bar:
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
    results.sort()
    diag = p["diag"].loc[p["rows"]]
    index = pd.DataFrame({
        "record_id": diag["FileName"].to_numpy(),
        "source_file": p["rel"],
        "label": diag["label"].to_numpy(),
        "rhythm": diag["Rhythm"].to_numpy(),
        "split": p["split"],
        "PatientAge": diag["PatientAge"].to_numpy(),
        "Gender": diag["Gender"].to_numpy(),
        **{m: diag[m].to_numpy() for m in MEASUREMENTS},
        "Beat": diag["Beat"].to_numpy(),
        "flat_leads": [r[3] for r in results],
        "scale_uV": np.array([r[1] for r in results], dtype=np.float32),
        "checksum": [r[2] for r in results],
    })
    index.to_parquet(tmp / INDEX, index=False)
    counts = {c: {s: int(((index["label"] == c) & (index["split"] == s)).sum())
                  for s in ("train", "val", "test")} for c in CLASSES}
    manifest = {
        "format": FORMAT_VERSION,
        "source": p["source"],
        "denoised": p["denoised"],
        "data_dir": str(p["data_dir"]),
        "diagnostics_file": str(p["diag_path"]),
        "diagnostics_sha256": p["diag_sha256"],
        "n_records": n,
        "fs": FS,
        "n_samples": N_SAMPLES,
        "leads": list(LEADS),
        "dtype": "int16",
        "step_uV": STEP_UV,
        "split": {"method": "train_test_split 70/30 then 50/50, stratified by class",
                  "seed": 42, "computed_on": "all kept rows of the Diagnostics table"},
        "counts": counts,
        "split_totals": {s: int((index["split"] == s).sum()) for s in ("train", "val", "test")},
        "missing_records": len(p["missing"]),
        "missing_examples": p["missing"][:20],
        "records_with_flat_leads": int((index["flat_leads"] != "").sum()),
        "dataset_checksum": dataset_checksum(index),
        "input_fingerprint": p["fingerprint"],
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "package_version": __version__,
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))


def store_status(out, fingerprint: str | None = None) -> tuple[bool, str]:
    """(usable, reason): is the store at `out` complete, intact and built from this input?"""
    out = Path(out)
    if not out.exists():
        return False, "no store yet"
    try:
        store = open_store(out, verify=True)
    except StoreError as exc:
        return False, f"damaged store ({exc})"
    if fingerprint is not None and store.manifest.get("input_fingerprint") != fingerprint:
        return False, "input changed since the store was built"
    return True, "up to date"


def prepare_store(source: str, data_dir, out, *, denoised: bool = False,
                  workers: int | None = None, progress: bool = True,
                  diagnostics=None, allow_missing: bool | None = None,
                  force: bool = False) -> Path:
    """Read every record of `data_dir` once into a store at `out` (no-op when current).

    source: "chapman-csv" (figshare ECGData/ or, with `denoised`, ECGDataDenoised/) or
    "chapman-wfdb" (JSnnnnn.hea/.mat anywhere below data_dir). Diagnostics.xlsx is taken
    from data_dir (or data_dir/metadata) unless `diagnostics` names it.
    """
    out = Path(out).resolve()
    p = plan(source, data_dir, denoised=denoised, diagnostics=diagnostics,
             allow_missing=allow_missing)
    say = print if progress else (lambda *a, **k: None)
    ok, reason = store_status(out, p["fingerprint"])
    if ok and not force:
        say(f"store {out} is up to date ({len(p['rows'])} records): nothing to do")
        return out
    if out.exists():
        say(f"rebuilding store {out}: {reason}")
    if p["missing"]:
        say(f"note: {len(p['missing'])} records of {p['diag_path'].name} have no "
            f"{source} file (e.g. {p['missing'][:3]}); the store holds the "
            f"{len(p['rows'])} present ones")
    workers = workers or min(os.cpu_count() or 1, 8)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _build(p, tmp, workers, progress)
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"store written to {out}: {len(p['rows'])} records")
    return out
