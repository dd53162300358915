"""`ecgpaper data summary`: counts per class and split of a store or a Diagnostics table."""

from __future__ import annotations

import argparse

HELP = "Summarise a prepared store (or a Diagnostics table): counts per class and split."


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("summary", help="counts per class and split")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--store", help="a store folder made by `ecgpaper prepare`")
    src.add_argument("--diagnostics", help="Diagnostics.xlsx alone (split computed)")
    p.add_argument("--json", action="store_true", help="print JSON")


def summary_table(store=None, diagnostics=None):
    """(counts DataFrame with total/train/val/test per class, info dict)."""
    from ..data.splits import paper_split, split_counts
    if store is not None:
        from ..data.store import open_store
        s = open_store(store)
        labels, split = s.index["label"], s.index["split"]
        info = {k: s.manifest[k] for k in ("source", "n_records", "dataset_checksum",
                                           "missing_records", "records_with_flat_leads")}
    else:
        from ..data.chapman import read_diagnostics
        diag = read_diagnostics(diagnostics)
        kept = diag[diag["label"].notna()]
        labels, split = kept["label"], paper_split(kept["label"])
        info = {"source": "diagnostics", "n_rows": len(diag), "n_records": len(kept),
                "dropped": diag.loc[diag["label"].isna(), "Rhythm"].value_counts().to_dict()}
    table = split_counts(labels, split)
    table.loc["total"] = table.sum()
    return table, info


def run(args) -> int:
    import json
    table, info = summary_table(args.store, args.diagnostics)
    if args.json:
        print(json.dumps({"info": info, "counts": {c: {k: int(v) for k, v in row.items()}
                                                   for c, row in table.iterrows()}}, indent=2))
    else:
        for k, v in info.items():
            print(f"{k}: {v}")
        print(table.to_string())
    return 0
