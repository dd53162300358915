"""The one call notebooks and commands use to get data: `ensure_store(profile)` (and
`store_records` for the data chapters, which also want the records as a table).

Demo profile: the synthetic twin is generated under `work_path/twin` (figshare layout)
and prepared through exactly the same chapman-csv reader as the real database. Real
profiles read `profile.data_dir`. The store lives in `work_path/store`; a second call
finds it current and only opens it.
"""

from __future__ import annotations

from pathlib import Path

from .data.prepare import prepare_store
from .data.store import Store, open_store


def ensure_store(profile, progress: bool = True) -> Store:
    if profile.data_source == "twin":
        from .twin.writer import generate_twin
        data_dir = Path(profile.work_path) / "twin"
        generate_twin(data_dir, n=profile.twin_records, seed=profile.seed, progress=progress)
        source, denoised = "chapman-csv", False
    elif profile.data_source in ("chapman-csv", "chapman-wfdb"):
        if not profile.data_dir:
            raise ValueError(f"profile {profile.name!r}: data_source {profile.data_source!r} "
                             "needs data_dir (the folder with Diagnostics.xlsx and the ECG "
                             "files; see `ecgpaper download chapman --dry-run`)")
        data_dir = Path(profile.data_dir)
        source, denoised = profile.data_source, profile.denoised
    else:
        raise ValueError(f"profile {profile.name!r}: unknown data_source "
                         f"{profile.data_source!r}; expected twin, chapman-csv or chapman-wfdb")
    out = prepare_store(source, data_dir, Path(profile.work_path) / "store",
                        denoised=denoised, progress=progress)
    return open_store(out)


def store_records(profile):
    """(store, records): the profile's store and a copy of its index with the class also
    under the Diagnostics column name `Rhythm`, as the data chapters' plots expect."""
    store = ensure_store(profile, progress=False)
    records = store.index.copy()
    records["Rhythm"] = records["label"]
    return store, records
