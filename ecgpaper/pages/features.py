"""The Features chapter's tables: the 14 clinical inputs, the 28 NeuroKit2 features and
their fallbacks (summarised per family, in full on request), the delineator comparison,
two checks of the detections, and the MLP input width of each experiment."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import paper
from ..constants import CLASSES
from ..features import metadata, morphology
from ..features.morphology.extract import FEATURE_SPECS

RATE_TOLERANCE_BPM = 10     # our heart rate against the MUSE VentricularRate
MEDIAN_FEATURES = ("hr_mean", "hrv_rmssd", "hrv_cvnn", "p_duration", "pr_interval",
                   "qrs_duration", "qt_interval")
UNITS = {f.name: f.unit for f in FEATURE_SPECS}
GROUPS = {f.name: f.group for f in FEATURE_SPECS}


def feature_table(store, profile) -> tuple[pd.DataFrame, float, bool]:
    """The store's feature table, the seconds this call took and whether it was read
    from the cache (False: computed now), so the page can say which it timed."""
    from ..features.morphology.table import cache_paths
    table_path, _ = cache_paths(profile, store.manifest["dataset_checksum"])
    cached = table_path.is_file()
    start = time.perf_counter()
    table = morphology.morphology_table(store, profile, progress=False)
    return table, time.perf_counter() - start, cached


def classes_present(records: pd.DataFrame) -> list[str]:
    """The paper's classes that have records in this store, in the paper's order."""
    return [c for c in CLASSES if c in set(records["label"])]


def metadata_tables(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(definitions with missing counts, median per class) of the 14 clinical inputs."""
    summary = metadata.summary(records).set_index("input")
    medians = [c for c in summary.columns if c.startswith("median ")]
    definitions = summary.drop(columns=medians).rename(columns={"missing": "missing values"})
    per_class = summary[medians].rename(columns=lambda c: c.removeprefix("median "))
    per_class.index = [f"{name} ({unit})" for name, unit in
                       zip(summary.index, summary["unit"])]
    return definitions, per_class.rename_axis("input (unit)").round(1)


def atrial_zero(records: pd.DataFrame, real: pd.DataFrame | None) -> pd.DataFrame:
    """Records with AtrialRate = 0 (no atrial activity measured) per rhythm, in this
    store and, when it is present, in the real table (Rhythm column, SI read as SA)."""
    def per_rhythm(labels, rates):
        zero = pd.to_numeric(rates, errors="coerce") == 0
        return labels[zero].value_counts()
    counts = {"this store": per_rhythm(records["label"], records["AtrialRate"])}
    if real is not None:
        counts["real table"] = per_rhythm(real["Rhythm"], real["AtrialRate"])
    table = pd.concat(counts, axis=1).fillna(0).astype(int)
    table = table.sort_values(list(table.columns)[::-1], ascending=False)
    table.loc["all rhythms"] = table.sum()
    return table.rename_axis("rhythm")


@dataclass(frozen=True)
class DelineatorVerdict:
    """Which delineator was fastest and which closest to the MUSE QRS durations, and
    how many of those two comparisons the one the feature table uses leads."""
    chosen: str
    fastest: str
    closest: str
    leads: str                  # "both" | "one" | "neither"


def delineator_verdict(methods: pd.DataFrame,
                       chosen: str = morphology.DEFAULT_METHOD) -> DelineatorVerdict:
    """Read `morphology.compare_methods`' table."""
    fastest = str(methods.loc[methods["ms_per_record"].idxmin(), "method"])
    closest = str(methods.loc[methods["qrs_vs_QRSDuration_ms"].idxmin(), "method"])
    wins = (fastest == chosen) + (closest == chosen)
    return DelineatorVerdict(chosen, fastest, closest, ("neither", "one", "both")[wins])


def feature_families() -> pd.DataFrame:
    """The 28 features in their four families: how many, and which."""
    definitions = morphology.feature_definitions()
    return (definitions.groupby("group", sort=False)["name"]
            .agg(features="size", names=lambda names: ", ".join(names))
            .rename_axis("family"))


@dataclass(frozen=True)
class Fallbacks:
    """Fallback bookkeeping of the feature table."""
    full: pd.DataFrame          # one row per feature
    by_family: pd.DataFrame     # one row per family: the summary the page shows first
    filtered: list[str]         # the paper's filtered variant: <= 5 % on the train split
    rate_min: float
    rate_max: float
    n_delineated: int           # records whose delineation did not fail as a whole
    failed: dict[str, int]      # records that failed as a whole, per reason


def fallbacks(table: pd.DataFrame, train_rows) -> Fallbacks:
    """Fallback counts and rates per feature (all records and the training split)."""
    rates_all = morphology.fallback_rates(table)
    rates_train = morphology.fallback_rates(table, train_rows)
    filtered = morphology.filtered_columns(table)
    full = pd.DataFrame({
        "family": [GROUPS[f] for f in morphology.NAMES],
        "fallbacks": rates_all["n_fallback"], "rate (all records)": rates_all["rate"],
        "rate (train)": rates_train["rate"],
        "kept in filtered": [f in filtered for f in morphology.NAMES],
    }).rename_axis("feature")
    by_family = full.groupby("family", sort=False).agg(
        features=("fallbacks", "size"), lowest_rate=("rate (all records)", "min"),
        highest_rate=("rate (all records)", "max"),
        kept=("kept in filtered", "sum")).rename(columns={
            "lowest_rate": "lowest rate (all records)",
            "highest_rate": "highest rate (all records)", "kept": "kept in filtered"})
    status = table["status"].value_counts()
    return Fallbacks(full, by_family, filtered, float(rates_all["rate"].min()),
                     float(rates_all["rate"].max()), int(status.get("ok", 0)),
                     {str(k): int(v) for k, v in status.items() if k != "ok"})


def fallback_share_by_class(table: pd.DataFrame, classes: list[str]) -> pd.DataFrame:
    """Share of fallback values per rhythm class (rows) and feature (columns)."""
    flags = [f + morphology.FLAG_SUFFIX for f in morphology.NAMES]
    share = table.groupby("label")[flags].mean().reindex(classes)
    share.columns = list(morphology.NAMES)
    return share


def delineation_example(table: pd.DataFrame) -> int:
    """Row of a record to draw the delineation on: the first delineated sinus rhythm or
    bradycardia, else the first delineated record, else the first record."""
    delineated = table["status"].to_numpy() == "ok"
    sinus = np.flatnonzero(delineated & table["label"].isin(["SR", "SB"]).to_numpy())
    candidates = sinus if len(sinus) else np.flatnonzero(delineated)
    return int(candidates[0]) if len(candidates) else 0


def feature_medians(table: pd.DataFrame, classes: list[str]) -> pd.DataFrame:
    """Median per class of a few features, fallbacks left out, labelled with units."""
    columns = list(MEDIAN_FEATURES)
    flags = table[[c + morphology.FLAG_SUFFIX for c in columns]].to_numpy()
    valid = table[columns].where(~flags)
    valid["label"] = table["label"]
    medians = valid.groupby("label")[columns].median().reindex(classes)
    return medians.rename(columns={c: f"{c} ({UNITS[c]})" for c in columns}).rename_axis("class")


@dataclass(frozen=True)
class RateCheck:
    """Our heart rate against the MUSE VentricularRate on the records where ours is valid."""
    median_abs_bpm: float
    share_off: float            # share differing by more than RATE_TOLERANCE_BPM
    n_checked: int
    by_class: pd.DataFrame


def rate_check(table: pd.DataFrame, records: pd.DataFrame, classes: list[str]) -> RateCheck:
    """How often a plausible-looking R-peak detection is wrong, estimated by the rate."""
    valid = ~table["hr_mean" + morphology.FLAG_SUFFIX].to_numpy()
    difference = (table["hr_mean"] - pd.to_numeric(records["VentricularRate"],
                                                   errors="coerce"))[valid]
    off = difference.abs() > RATE_TOLERANCE_BPM
    by_class = (pd.DataFrame({"class": table["label"][valid], "off": off})
                .groupby("class")["off"].agg(["mean", "size"]).reindex(classes))
    by_class.columns = [f"share off by more than {RATE_TOLERANCE_BPM} bpm",
                        "delineated records"]
    return RateCheck(float(difference.abs().median()) if len(off) else float("nan"),
                     float(off.mean()) if len(off) else float("nan"), int(len(off)), by_class)


def input_widths(n_filtered: int) -> pd.DataFrame:
    """MLP inputs per experiment: the paper's stated width beside ours."""
    n_meta, n_age_gender = len(metadata.FULL), len(metadata.AGE_GENDER)
    rows = [("2", "signal + metadata", n_meta),
            ("3", "+ all NeuroKit2", n_meta + morphology.N_FEATURES),
            ("4", "+ filtered NeuroKit2", n_meta + n_filtered),
            ("5", "signal + age/gender", n_age_gender),
            ("6", "+ age/gender + filtered NeuroKit2", n_age_gender + n_filtered)]
    return pd.DataFrame([(e, what, paper.MLP_INPUTS[e], ours) for e, what, ours in rows],
                        columns=["experiment", "configuration", "inputs (paper)",
                                 "inputs (ours)"])
