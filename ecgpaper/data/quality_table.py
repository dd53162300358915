"""Quality flags per record of an external set, for the book's tables: which records of
each source carry which `data.quality` flag (a record is read as its scoring reads it)."""

from __future__ import annotations

import pandas as pd

from .quality import quality_flags
from .validate import RecordError


def flags_table(external) -> pd.DataFrame:
    """One row per record of an `external.ExternalSet`: source, record, its flag codes
    (comma-separated, '' when none) and messages; a record the readers refuse is listed
    with the refusal instead, so no record disappears from the table."""
    rows = []
    for rec in external.records:
        try:
            record = rec.load()
        except (RecordError, FileNotFoundError) as exc:
            rows.append({"source": rec.source, "record": rec.record_id, "flags": "",
                         "messages": "", "refused": str(exc)})
            continue
        flags = quality_flags(record.in_microvolts(), record.fs, record.leads)
        rows.append({"source": rec.source, "record": rec.record_id,
                     "flags": ",".join(f.code for f in flags),
                     "messages": " | ".join(f.message for f in flags), "refused": ""})
    return pd.DataFrame(rows, columns=["source", "record", "flags", "messages", "refused"])


def flag_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Records per source carrying each flag, with the source's record count and how
    many carry none (a record with two flags counts in both columns)."""
    pairs = table[["source", "flags"]].assign(flag=table["flags"].str.split(","))
    pairs = pairs.explode("flag").reset_index(drop=True)
    pairs = pairs[pairs["flag"] != ""]
    counts = pd.crosstab(pairs["source"], pairs["flag"])
    out = pd.DataFrame({"records": table.groupby("source").size(),
                        "no flag": table[table["flags"] == ""].groupby("source").size(),
                        "refused": table[table["refused"] != ""].groupby("source").size()})
    out = out.join(counts).fillna(0).astype(int)
    out.index.name = "source"
    return out
