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
    for key, reason in (("s of signal", "shorter than the model's 10 s window"),
                        ("flat", "flat leads"), ("amplitude", "implausible amplitude"),
                        ("Einthoven", "limb leads inconsistent"),
                        ("metadata", "clinical metadata missing"),
                        ("NaN", "NaN or Inf samples")):
        if key in text:
            return reason
    return "failed the record checks"
