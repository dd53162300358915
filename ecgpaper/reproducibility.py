"""Read back the provenance that `ecgpaper.book` stores in each executed notebook."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def provenance_table(executed_dir: Path) -> pd.DataFrame:
    """One row per executed chapter: when, how long, which code, data and settings."""
    rows = []
    for path in sorted(Path(executed_dir).glob("*.ipynb")):
        meta = json.loads(path.read_text()).get("metadata", {}).get("ecgpaper")
        if not meta:
            continue
        prov = meta["provenance"]
        rows.append({
            "chapter": meta["chapter"],
            "executed (UTC)": prov["created"],
            "seconds": prov.get("seconds", float("nan")),
            "git_commit": prov["git_commit"][:12] + ("+dirty" if prov["git_commit"].endswith("+dirty") else ""),
            "profile": prov["profile"]["name"],
            "seed": prov["seed"],
            "data_source": prov["data_source"],
            "data_checksum": (prov.get("data_checksum") or "none")[:12],
            "torch": prov["packages"].get("torch"),
        })
    if not rows:
        raise FileNotFoundError(f"no executed chapters with provenance in {executed_dir}")
    return pd.DataFrame(rows).set_index("chapter")
