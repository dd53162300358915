"""The Data chapter's tables: the split per class beside the paper's Table 1, one
example record per rhythm, and the measurements per class with their units."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import paper
from ..constants import CLASS_NAMES, CLASSES
from ..measurements import MEASUREMENTS_DIR

SPLITS = (("total", "total"), ("train", "train"), ("val", "validation"), ("test", "test"))

# The measurements drawn per class, and those whose median the chapter tabulates.
MEASUREMENT_COLUMNS = ("VentricularRate", "AtrialRate", "QRSDuration", "QTInterval",
                       "QTCorrected", "RAxis", "TAxis", "PatientAge", "QRSCount")
MEDIAN_LABELS = {"VentricularRate": "ventricular rate (bpm)",
                 "QRSDuration": "QRS duration (ms)", "QTInterval": "QT interval (ms)",
                 "PatientAge": "age (years)"}


def split_counts(records: pd.DataFrame) -> pd.DataFrame:
    """Records per class (rows, in the paper's order, plus 'Total') and split."""
    counts = pd.crosstab(records["label"], records["split"]).reindex(
        index=list(CLASSES), columns=["train", "val", "test"], fill_value=0)
    counts.insert(0, "total", counts.sum(axis=1))
    counts.loc["Total"] = counts.sum()
    return counts


def table1(records: pd.DataFrame) -> pd.DataFrame:
    """The split of `records` beside the paper's Table 1, each cell 'ours / paper'."""
    ours = split_counts(records)
    theirs = paper.table1_frame()
    theirs.loc["Total"] = theirs.sum()
    table = pd.DataFrame({"class": [f"{c} ({CLASS_NAMES[c]})" for c in CLASSES] + ["Total"]})
    for column, name in SPLITS:
        table[f"{name} (ours / paper)"] = [
            f"{mine:,} / {reported:,}" for mine, reported in
            zip(ours[column].to_numpy(), theirs.loc[list(ours.index), column].to_numpy())]
    return table


def split_sizes(records: pd.DataFrame) -> dict[str, int]:
    """Numbers the chapter quotes: records in all and per split, rhythms present."""
    split = records["split"]
    return {"data_n_records": int(len(records)), "data_n_train": int((split == "train").sum()),
            "data_n_val": int((split == "val").sum()), "data_n_test": int((split == "test").sum()),
            "data_n_rhythms": len(set(records["label"]) & set(CLASSES))}


@dataclass(frozen=True)
class RhythmExample:
    """The first record of one rhythm in the store, with what its caption quotes."""
    rhythm: str
    name: str
    row: int
    record_id: str
    ventricular_rate: float
    qrs_duration: float


def rhythm_examples(records: pd.DataFrame) -> list[RhythmExample]:
    """One record per rhythm present, in the paper's class order."""
    out = []
    labels = records["label"].to_numpy()
    for rhythm in CLASSES:
        rows = (labels == rhythm).nonzero()[0]
        if len(rows):
            row = int(rows[0])
            record = records.iloc[row]
            out.append(RhythmExample(rhythm, CLASS_NAMES[rhythm], row, str(record["record_id"]),
                                     float(record["VentricularRate"]),
                                     float(record["QRSDuration"])))
    return out


def real_diagnostics(shared: Path | None) -> pd.DataFrame | None:
    """The real Chapman–Shaoxing measurement table kept beside the project, with the
    class under the chapter's code (the table writes SI for sinus arrhythmia); None when
    it is not on this machine."""
    path = Path(shared) / "chapman" / "metadata" / "Diagnostics.xlsx" if shared else None
    if path is None or not path.is_file():
        return None
    table = pd.read_excel(path)
    table["Rhythm"] = table["Rhythm"].replace({"SI": "SA"})
    return table


def measurement_tables(records: pd.DataFrame, real: pd.DataFrame | None,
                       profile_name: str) -> dict[str, pd.DataFrame]:
    """The tables the measurement figure draws side by side, named for its legend."""
    tables = {f"{profile_name} profile": records}
    if real is not None:
        tables["real table"] = real
    return tables


def class_medians(records: pd.DataFrame) -> pd.DataFrame:
    """Median of a few measurements per class, labelled with their units."""
    medians = (records.groupby("label")[list(MEDIAN_LABELS)].median()
               .reindex(list(CLASSES)).round(0))
    return medians.rename(columns=MEDIAN_LABELS).rename_axis("class")


# ----------------------------------------------------------------- checks on real ECGs

CALIBRATION_FILE = MEASUREMENTS_DIR / "quality" / "calibration.json"
NOT_MEASURED = "not measured"


def quality_calibration(path: Path = CALIBRATION_FILE) -> dict | None:
    """The committed calibration of the refusal checks and quality flags on real
    recordings (`scripts/calibrate_quality.py`), or None when it is missing."""
    import json
    path = Path(path)
    return json.loads(path.read_text()) if path.is_file() else None


def calibration_table(entry: dict) -> pd.DataFrame:
    """One row per kind of damage: the flag meant to catch it and how many of the
    damaged real records it caught, how many the checks refused, and how many passed
    without a word (some carry another flag instead)."""
    rows = []
    for damage, d in entry["calibration"]["damage"].items():
        rows.append({"damage to the published record": damage, "its flag": f"`{d['flag']}`",
                     "records": d["records"], "caught by its flag": d["flagged"],
                     "refused": d["refused"], "another flag only": d["other_flag"],
                     "no word": d["silent"]})
    return pd.DataFrame(rows)


def calibration_facts(entry: dict | None) -> dict:
    """What the text quotes from the calibration: record counts, false alarms per flag,
    where and when it was measured (NOT_MEASURED without the file)."""
    if entry is None:
        return {f"quality_{k}": NOT_MEASURED for k in
                ("records", "refused", "flagged", "flag_counts", "clean", "measured",
                 "folders")}
    cal, prov = entry["calibration"], entry.get("provenance", {})
    counts = ", ".join(f"`{code}` {n}" for code, n in cal["flags"].items()) or "none"
    return {"quality_records": cal["records"], "quality_refused": len(cal["refused"]),
            "quality_flagged": cal["flagged"], "quality_flag_counts": counts,
            "quality_clean": cal["clean_records"],
            "quality_folders": ", ".join(f"{name} {n}" for name, n in
                                         entry.get("folders", {}).items()) or "not recorded",
            "quality_measured": f"{str(prov.get('measured', '?'))[:10]}, commit "
                                f"{str(prov.get('git_commit') or '?')[:9]}"}
