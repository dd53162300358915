"""The prepared store: every record read once into one memory-mapped array, so that
training and feature extraction never parse CSV or WFDB files again.

Layout of a store folder (nothing else lives in it; `ownership_problem` refuses to
replace any folder it cannot prove is one):
- `signals.npy`   (N, 12, T) int16, lead order I..V6; value x scale_uV of the record = µV.
                  scale_uV is 0.25 µV unless a record's amplitude needs more range (then
                  max|x|/32767), so nothing is ever clipped; rounding error <= scale/2.
- `index.parquet` one row per record in store order: record_id (Chapman FileName),
                  source_file (relative to the data folder), label, rhythm, split,
                  PatientAge, Gender, the measurements, Beat, flat_leads, scale_uV and
                  checksum (sha256 prefix of the record's stored bytes).
- `manifest.json` source, counts per class and split, dataset checksum, input fingerprint,
                  creation time, package version, and a checksum over all of these.
- `.ecgpaper-marker.json` the marker `prepare` writes last (`ecgpaper.markers`): the
                  size and sha256 of the three files above, signed.

`open_store` trusts nothing: every manifest field is type-checked and covered by the
manifest checksum, the index must match the dataset checksum, and the counts must agree
with the index, so a damaged or forged store is reported (and `prepare` rebuilds it).
Building a store is `ecgpaper.data.prepare`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import CLASS_INDEX, CLASSES, LEADS
from ..markers import MARKER, marker_problem

FORMAT_VERSION = 2
SIGNALS, INDEX, MANIFEST = "signals.npy", "index.parquet", "manifest.json"
STORE_FILES = (SIGNALS, INDEX, MANIFEST)
STORE_KIND = "store"                 # the kind of folder its marker names
WRITTEN_BY = "ecgpaper"
STEP_UV = 0.25
FS, N_SAMPLES = 500, 5000
SOURCES = ("chapman-csv", "chapman-wfdb")
SPLITS = ("train", "val", "test")
INDEX_COLUMNS = ("record_id", "source_file", "label", "split", "flat_leads", "scale_uV",
                 "checksum")
# manifest field -> the type it must have
MANIFEST_FIELDS = {
    "format": int, "written_by": str, "source": str, "n_records": int, "fs": int,
    "n_samples": int, "dataset_checksum": str, "input_fingerprint": str,
    "counts": dict, "split_totals": dict, "missing_records": int,
    "records_with_flat_leads": int, "manifest_checksum": str,
}


class StoreError(RuntimeError):
    """A store that is missing, partial or corrupted (message names the folder and the check)."""


def ownership_problem(path) -> str | None:
    """Why `path` cannot be proven a store that `prepare` wrote (None: it can), so that
    only a proven store is ever replaced. The proof is the store's marker; a store
    written before markers existed is proven by a manifest whose checksum verifies,
    beside nothing but store files."""
    path = Path(path)
    if (path / MARKER).exists() or not path.is_dir() or path.is_symlink():
        return marker_problem(path, STORE_KIND)
    foreign = sorted(e.name for e in path.iterdir() if e.name not in STORE_FILES)
    if foreign:
        return f"no {MARKER}, and it holds {foreign[:3]} besides store files"
    try:
        _read_manifest(path)
    except StoreError as exc:
        return f"no {MARKER}, and {exc}"
    return None


def manifest_checksum(manifest: dict) -> str:
    """sha256 over every manifest field except the checksum itself (canonical JSON)."""
    body = {k: v for k, v in manifest.items() if k != "manifest_checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


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


def _read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except (OSError, UnicodeError, ValueError) as exc:
        raise StoreError(f"{path / MANIFEST}: unreadable ({type(exc).__name__}), expected "
                         "the JSON manifest written by `ecgpaper prepare`") from None
    if not isinstance(manifest, dict):
        raise StoreError(f"{path / MANIFEST}: a JSON {type(manifest).__name__}, expected an "
                         "object with the store's fields")
    if manifest.get("format") != FORMAT_VERSION:
        raise StoreError(f"{path / MANIFEST}: store format {manifest.get('format')!r}, "
                         f"expected {FORMAT_VERSION} (rebuild with `ecgpaper prepare`)")
    for key, kind in MANIFEST_FIELDS.items():
        value = manifest.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise StoreError(f"{path / MANIFEST}: field {key!r} is "
                             f"{type(value).__name__ if key in manifest else 'missing'}, "
                             f"expected {kind.__name__}")
    if manifest["manifest_checksum"] != manifest_checksum(manifest):
        raise StoreError(f"{path / MANIFEST}: fields do not match the manifest checksum "
                         "(edited or corrupted)")
    return manifest


def _check_counts(path: Path, index: pd.DataFrame, manifest: dict) -> None:
    totals = {s: int((index["split"] == s).sum()) for s in SPLITS}
    if totals != manifest["split_totals"]:
        raise StoreError(f"{path / MANIFEST}: split totals {manifest['split_totals']} but the "
                         f"index holds {totals}")
    unknown = sorted(map(str, set(index["label"]) - set(CLASSES)))
    if unknown:
        raise StoreError(f"{path / INDEX}: label(s) {unknown[:3]} outside the 8 classes")
    try:
        scale = index["scale_uV"].to_numpy(np.float64)
    except (TypeError, ValueError):
        scale = np.array([np.nan])
    if not (np.isfinite(scale).all() and (scale > 0).all()):
        raise StoreError(f"{path / INDEX}: column scale_uV holds non-numeric or non-positive "
                         "values, expected the positive µV step of each record")


def open_store(path, verify: bool = False) -> Store:
    """Open a prepared store after structural checks (and every checksum if `verify`)."""
    path = Path(path)
    for name in STORE_FILES:
        if not (path / name).is_file():
            raise StoreError(f"{path}: {name} missing: not a complete store "
                             "(run `ecgpaper prepare`)")
    manifest = _read_manifest(path)
    try:
        index = pd.read_parquet(path / INDEX)
        data = np.load(path / SIGNALS, mmap_mode="r")
    except Exception as exc:  # noqa: BLE001 - any failure here means a damaged store
        raise StoreError(f"{path}: unreadable {INDEX} or {SIGNALS} ({type(exc).__name__}); "
                         "rebuild with `ecgpaper prepare`") from None
    missing = [c for c in INDEX_COLUMNS if c not in index.columns]
    if missing:
        raise StoreError(f"{path / INDEX}: column(s) {missing} missing, expected "
                         f"{list(INDEX_COLUMNS)}")
    n = manifest["n_records"]
    if len(index) != n or data.shape != (n, len(LEADS), manifest["n_samples"]) \
            or data.dtype != np.int16:
        raise StoreError(f"{path}: partial store: manifest says {n} records x "
                         f"{manifest['n_samples']} samples, index has {len(index)} rows, "
                         f"signals.npy is {data.dtype} {data.shape}")
    try:
        checksum = dataset_checksum(index)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"{path / INDEX}: malformed ({type(exc).__name__})") from None
    if checksum != manifest["dataset_checksum"]:
        raise StoreError(f"{path}: index does not match the manifest's dataset checksum")
    _check_counts(path, index, manifest)
    store = Store(path=path, index=index, manifest=manifest, data=data)
    if verify:
        store.verify()
    return store


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
