"""The Data realism chapter's tables: how far the measurements alone go (twin and real
table), and the twin's signals set beside real recordings (rhythm strips, amplitudes,
noise, spectra and intervals)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

AMPLITUDE_RECORDS = 48      # enough for the boxes; the running-median baseline is slow
REALISM_RECORDS = 120       # profile records measured for the signal statistics

DIFFICULTY_LABELS = {"accuracy": "accuracy", "macro_f1": "macro-F1",
                     "macro_auc": "macro AUC", "n_train": "train records",
                     "n_test": "test records"}


@dataclass(frozen=True)
class Difficulty:
    """The metadata-only baseline: the table shown, and the figures the prose quotes."""
    table: pd.DataFrame
    accuracy: float             # on the active profile
    macro_f1: float
    real_accuracy: float        # on the real table, measured here or the stored figure
    real_macro_f1: float
    real_source: str            # "measured here" or "stored figure, measured <date>"


def difficulty(table: pd.DataFrame) -> Difficulty:
    """Read `twin.quality.difficulty_comparison`'s table: its first row is the active
    profile, the row named 'real table …' the real database."""
    real_name = next(name for name in table.index if name.startswith("real table"))
    real = table.loc[real_name]
    shown = table.rename_axis("data").rename(columns=DIFFICULTY_LABELS)
    return Difficulty(shown, float(table["accuracy"].iloc[0]),
                      float(table["macro_f1"].iloc[0]), float(real["accuracy"]),
                      float(real["macro_f1"]),
                      real_name.removeprefix("real table").strip(" ()"))


def rhythm_strips(real_records, records: pd.DataFrame, store, profile_name: str) -> list:
    """(title, signal in µV, fs) strips: each real example rhythm (once per class), then
    a record of the same class from the active profile (its second, when it has two)."""
    strips, seen = [], set()
    labels = records["label"].to_numpy()
    for record in real_records:
        if record.label is None or record.label in seen:
            continue
        seen.add(record.label)
        strips.append((f"real {record.label} ({record.record_id})", record.in_microvolts(),
                       record.fs))
        rows = np.flatnonzero(labels == record.label)
        if len(rows):
            row = int(rows[min(1, len(rows) - 1)])
            strips.append((f"{profile_name} {record.label} ({records['record_id'].iloc[row]})",
                           store.signal(row), store.fs))
        else:
            strips.append((f"{profile_name}: no {record.label} record",
                           np.zeros_like(record.signal), record.fs))
    return strips


@dataclass(frozen=True)
class Amplitudes:
    """Peak-to-peak amplitude per lead (µV) of real examples and of profile records."""
    real: pd.DataFrame
    profile: pd.DataFrame
    table: pd.DataFrame         # per lead: real median, profile median, profile 10–90 %


def amplitudes(real_records, store, profile_name: str) -> Amplitudes:
    """Amplitudes of the real examples beside the first profile records."""
    from ..twin.quality import amplitude_table
    real = amplitude_table(np.stack([r.in_microvolts() for r in real_records]))
    n = min(len(store.index), AMPLITUDE_RECORDS)
    profile = amplitude_table(store.signals(np.arange(n)))
    table = pd.DataFrame({
        "real records, median (µV)": real.median().round(0),
        f"{profile_name}, median (µV)": profile.median().round(0),
        f"{profile_name}, 10–90 % (µV)": [f"{lo:,.0f}–{hi:,.0f}" for lo, hi in
                                          zip(profile.quantile(0.1), profile.quantile(0.9))],
    }).rename_axis("lead")
    return Amplitudes(real, profile, table)


@dataclass(frozen=True)
class SignalStatistics:
    """Per-record signal statistics of real recordings and profile records."""
    records: pd.DataFrame       # one row per record, `kind` real or the profile's name
    summary: pd.DataFrame       # per statistic: median and IQR of each kind
    n_real: int
    n_profile: int


def signal_statistics(shared, store, records: pd.DataFrame,
                      profile_name: str) -> SignalStatistics:
    """`twin.realism` statistics of every labelled real recording beside the project and
    of the first profile records, both through the same algorithms."""
    from ..twin.realism import compare, real_table, signals_table
    real = real_table(shared)
    n = min(len(records), REALISM_RECORDS)
    profile = signals_table(store.signals(np.arange(n)), records["label"].iloc[:n],
                            profile_name, store.fs)
    both = pd.concat([real, profile], ignore_index=True)
    return SignalStatistics(both, compare(both), len(real), n)
