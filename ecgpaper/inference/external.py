"""A trained model over an external set (`data.external`): one prediction per record,
through exactly the inference path the service uses, and every record that could not be
scored counted with its reason (failed the record checks, shorter than the model's
window, metadata the model needs but the source lacks). A recording that two sources
ship (CinC 2021 re-distributes PTB-XL records under other names) is scored once, under
the first source that has it, so that no recording weighs twice in the scores."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..constants import CLASSES
from ..data.external import ExternalSet
from ..data.store import encode, record_checksum
from ..data.validate import RecordError, to_microvolts
from .preprocess import InputError, Signal
from .route import ModelSet


def predict_external(models: ModelSet, external: ExternalSet, progress: bool = False
                     ) -> tuple[pd.DataFrame, Counter]:
    """(predictions, skipped): a frame with source, record_id, label, pred, model and
    prob_<class> per scored record, and a Counter of (source, reason) for the others."""
    from tqdm import tqdm

    rows, skipped, seen = [], Counter(), {}
    for item in tqdm(external.records, disable=not progress, desc="external records",
                     unit="rec"):
        try:
            record = item.load()
        except (RecordError, FileNotFoundError) as exc:
            skipped[(item.source, _reason(str(exc)))] += 1
            continue
        key = signal_fingerprint(record)
        if key in seen:
            skipped[(item.source, f"same recording as in {seen[key]} (scored once)")] += 1
            continue
        seen[key] = item.source
        try:
            result = models.predict(Signal.from_record(record))
        except InputError as exc:
            skipped[(item.source, _reason(str(exc)))] += 1
            continue
        rows.append({"source": item.source, "record_id": item.record_id, "label": item.label,
                     "pred": result.rhythm, "model": result.model,
                     **{f"prob_{c}": result.probabilities[c] for c in CLASSES}})
    return pd.DataFrame(rows), skipped


def signal_fingerprint(record) -> str:
    """The store's checksum of the record's samples (in µV, at the common rate): equal for
    one recording however it was named or packaged."""
    return record_checksum(*encode(to_microvolts(record.signal, record.units)))


def _reason(message: str) -> str:
    """The kind of problem, without the record's path or numbers (for counting)."""
    text = message.split(": ", 1)[-1]
    for key, reason in (("resolves outside", "a file outside the data folder (symlink)"),
                        ("s of signal", "shorter than the model's 10 s window"),
                        ("flat", "flat leads"), ("amplitude", "implausible amplitude"),
                        ("Einthoven", "limb leads inconsistent"),
                        ("metadata", "clinical metadata missing"),
                        ("NaN", "NaN or Inf samples")):
        if key in text:
            return reason
    return "failed the record checks"


def average_predictions(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The prediction of a seed ensemble: the mean of the `prob_<class>` columns of
    several networks' prediction frames (the same records in the same order, as
    `predict_external` or a run's predictions.csv give them) and its argmax. Networks
    that differ only in their initialisation err on different borderline records, so the
    mean is steadier than any one of them."""
    if not frames:
        raise ValueError("average_predictions: no prediction frames given, expected one "
                         "per network")
    keys = [c for c in ("source", "record_id", "label") if c in frames[0].columns]
    for k, f in enumerate(frames[1:], start=2):
        if len(f) != len(frames[0]) or not f[keys].reset_index(drop=True).equals(
                frames[0][keys].reset_index(drop=True)):
            raise ValueError(f"average_predictions: frame {k} does not hold the same "
                             f"records ({', '.join(keys)}) in the same order as frame 1")
    columns = [f"prob_{c}" for c in CLASSES]
    proba = sum(f[columns].to_numpy(dtype=float) for f in frames) / len(frames)
    out = frames[0][keys].reset_index(drop=True).copy()
    out["pred"] = [CLASSES[i] for i in proba.argmax(axis=1)]
    if "model" in frames[0].columns:
        out["model"] = f"mean of {len(frames)} networks"
    out[columns] = proba
    return out
