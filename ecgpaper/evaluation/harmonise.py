"""One definition of the sinus rhythms for every database.

Chapman-Shaoxing names a sinus rhythm by its rate: sinus bradycardia below 60 bpm, sinus
tachycardia above 100 bpm, sinus rhythm in between. PTB-XL's and the CinC 2021 sources'
labels are a cardiologist's reading, and a cardiologist often writes "sinus rhythm" for a
calm 55 bpm. A network trained on Chapman's rule that answers SB there is scored wrong
as labelled, although it applied the rule it was taught. Harmonised scoring relabels
every record its source calls SR, SB or ST by its measured rate (lead II, NeuroKit2 R
peaks, median RR interval over the whole recording) with Chapman's thresholds; a record
whose rate cannot be measured keeps its source's label and is counted. Other rhythms
(AFIB, AF, SVT, SA, AT) are not defined by a rate and are never relabelled.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

SINUS = ("SB", "SR", "ST")
SB_BELOW_BPM = 60.0           # Chapman-Shaoxing: sinus bradycardia below 60 bpm
ST_ABOVE_BPM = 100.0          # sinus tachycardia above 100 bpm
MIN_RR_INTERVALS = 3          # fewer beats than 4 give no trustworthy median
PLAUSIBLE_BPM = (20.0, 300.0)  # outside: the detector counted noise or missed beats

RELABELLED = "relabelled by its rate"
AGREES = "rate agrees with the label"
NOT_SINUS = "not a sinus label (kept)"
NOT_MEASURED = "rate not measured (kept)"
COLUMNS = ("source", "record_id", "label", "bpm", "harmonised", "relabelled", "status",
           "why_not_measured")


def rate_from_rr(rr_s) -> float:
    """Heart rate (bpm) from RR intervals in seconds: 60 / median RR, so that one missed
    or extra beat does not move it; NaN with fewer than MIN_RR_INTERVALS intervals."""
    rr = np.asarray(rr_s, dtype=float)
    rr = rr[np.isfinite(rr) & (rr > 0)]
    if len(rr) < MIN_RR_INTERVALS:
        return float("nan")
    return float(60.0 / np.median(rr))


def rate_label(bpm: float) -> str:
    """The sinus class Chapman-Shaoxing's rule gives a rate: SB, SR or ST."""
    if not np.isfinite(bpm):
        raise ValueError(f"rate {bpm!r}: expected a measured rate in bpm, not NaN")
    return "SB" if bpm < SB_BELOW_BPM else "ST" if bpm > ST_ABOVE_BPM else "SR"


def lead_ii_rate(lead_mv, fs: float) -> tuple[float, str | None]:
    """(bpm, None) from one lead II in mV, or (NaN, why) when no rate can be read."""
    import neurokit2 as nk
    x = np.asarray(lead_mv, dtype=float)
    if not np.isfinite(x).all():
        return float("nan"), "lead II holds NaN or Inf samples"
    if np.ptp(x) == 0:
        return float("nan"), "lead II is flat"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            clean = nk.ecg_clean(x, sampling_rate=int(round(fs)))
            _, info = nk.ecg_peaks(clean, sampling_rate=int(round(fs)))
        except Exception as exc:  # noqa: BLE001 - NeuroKit2 fails in many ways on noise
            return float("nan"), f"NeuroKit2 found no R peaks ({type(exc).__name__})"
    peaks = np.asarray(info["ECG_R_Peaks"], dtype=int)
    bpm = rate_from_rr(np.diff(peaks) / fs)
    if not np.isfinite(bpm):
        return bpm, f"{len(peaks)} R peaks, expected at least {MIN_RR_INTERVALS + 1}"
    low, high = PLAUSIBLE_BPM
    if not low <= bpm <= high:
        return float("nan"), f"median RR gives {bpm:.0f} bpm, outside {low:.0f}-{high:.0f}"
    return bpm, None


def record_rate(record) -> tuple[float, str | None]:
    """(bpm, why not) of a `data.record.Record` from its lead II."""
    if "II" not in record.leads:
        return float("nan"), "no lead II"
    lead = np.asarray(record.lead("II"), dtype=float)
    if record.units == "uV":
        lead = lead / 1000.0
    return lead_ii_rate(lead, record.fs)


def harmonise_one(label: str, bpm: float, why_not: str | None = None) -> dict:
    """The harmonised label of one record and why it changed or did not."""
    if label not in SINUS:
        return {"harmonised": label, "relabelled": False, "status": NOT_SINUS}
    if not np.isfinite(bpm):
        return {"harmonised": label, "relabelled": False, "status": NOT_MEASURED,
                "why_not_measured": why_not or "no rate"}
    new = rate_label(bpm)
    return {"harmonised": new, "relabelled": new != label,
            "status": RELABELLED if new != label else AGREES}


def harmonise(records, progress: bool = False) -> pd.DataFrame:
    """One row per external record (`data.external.ExternalRecord`): source, record_id,
    its source's label, the measured rate (sinus labels only; NaN otherwise), the
    harmonised label, whether it was relabelled and why (not). A sinus record that fails
    to load keeps its label, with the reader's complaint as the reason."""
    from tqdm import tqdm

    from ..data.validate import RecordError
    rows = []
    for item in tqdm(list(records), disable=not progress, desc="heart rates", unit="rec"):
        bpm, why = float("nan"), None
        if item.label in SINUS:
            try:
                bpm, why = record_rate(item.load())
            except (RecordError, FileNotFoundError) as exc:
                why = f"record not readable ({type(exc).__name__})"
        rows.append({"source": item.source, "record_id": item.record_id,
                     "label": item.label, "bpm": bpm, "why_not_measured": None,
                     **harmonise_one(item.label, bpm, why)})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def harmonised_predictions(predictions: pd.DataFrame, harmonised: pd.DataFrame
                           ) -> pd.DataFrame:
    """`predictions` (source, record_id, label, pred, ...) with each label replaced by
    its harmonised one; every scored record must have been harmonised."""
    keys = ["source", "record_id"]
    table = harmonised.drop_duplicates(keys).set_index(keys)["harmonised"]
    index = pd.MultiIndex.from_frame(predictions[keys])
    missing = ~index.isin(table.index)
    if missing.any():
        first = predictions[keys][missing].iloc[0]
        raise ValueError(f"harmonised_predictions: record {first['record_id']} of "
                         f"{first['source']} was scored but not harmonised; expected "
                         "`harmonise` over the same external set")
    out = predictions.copy()
    out["label"] = table.reindex(index).to_numpy()
    return out


def scored_only(harmonised: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """The rows of `harmonised` whose record was scored (a copy of a recording shipped
    by two sources is scored once, so it is counted once here too)."""
    keys = ["source", "record_id"]
    return harmonised.merge(predictions[keys].drop_duplicates(), on=keys, how="inner")


def relabel_counts(harmonised: pd.DataFrame) -> pd.DataFrame:
    """Per source: records, those with a sinus label, how many of them were measured,
    relabelled and kept unmeasured, and each move (e.g. "SR→SB") with its count."""
    rows = []
    for source, group in harmonised.groupby("source", sort=True):
        sinus = group[group["label"].isin(SINUS)]
        moved = sinus[sinus["relabelled"]]
        moves = (moved["label"] + "→" + moved["harmonised"]).value_counts().sort_index()
        rows.append({"source": source, "records": len(group), "sinus_labelled": len(sinus),
                     "rate_measured": int(sinus["bpm"].notna().sum()),
                     "relabelled": len(moved),
                     "rate_not_measured": int((sinus["status"] == NOT_MEASURED).sum()),
                     "moves": ", ".join(f"{m} {n}" for m, n in moves.items()) or "none"})
    return pd.DataFrame(rows)


def relabel_totals(counts: pd.DataFrame) -> dict:
    """The relabel counts summed over sources (numbers for the prose)."""
    keys = ("records", "sinus_labelled", "rate_measured", "relabelled", "rate_not_measured")
    return {k: int(counts[k].sum()) if len(counts) else 0 for k in keys}
