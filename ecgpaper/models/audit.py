"""Parameter audit: our counts against every count the paper states for UniversalECGNet.

Counts are computed in closed form (no model is built), so a whole grid of plausible
configurations can be searched for the one the paper's numbers come from; tests check the
closed form against the real modules.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, asdict

import pandas as pd

from .. import paper

# Every parameter count stated by Kisialeu & Nedzved (paper), Section 4 (`ecgpaper.paper`).
PAPER_COUNTS: dict[str, int] = paper.PARAMETER_COUNTS


@dataclass(frozen=True)
class CountConfig:
    """What decides the count of the shared single-channel backbone and the heads."""
    in_channels: int = 1
    kernel_size: int = 7
    stem_kernel: int = 7
    width: float = 1.0
    reduction: int = 16
    conv_bias: bool = False
    se_bias: bool = False
    batchnorm: bool = True
    se: bool = True
    shortcut_kernel: int = 1
    layers: tuple[int, ...] = (2, 2, 2, 2)
    lead_dim: int = 64
    n_leads: int = 12
    proj_dim: int = 512
    attn_hidden: int = 128
    n_classes: int = 8


def backbone_params(c: CountConfig) -> int:
    ch = [max(1, int(round(v * c.width))) for v in (64, 128, 256, 512)]

    def conv(cin, cout, k):
        return cin * cout * k + (cout if c.conv_bias else 0) + (2 * cout if c.batchnorm else 0)

    n = conv(c.in_channels, ch[0], c.stem_kernel)
    cin = ch[0]
    for i, (co, nb) in enumerate(zip(ch, c.layers)):
        for j in range(nb):
            stride = 2 if (i > 0 and j == 0) else 1
            n += conv(cin, co, c.kernel_size) + conv(co, co, c.kernel_size)
            if c.se:
                h = max(1, int(round(co / c.reduction)))
                n += 2 * co * h + ((h + co) if c.se_bias else 0)
            if stride != 1 or cin != co:
                n += conv(cin, co, c.shortcut_kernel)
            cin = co
    return n


def universal_breakdown(c: CountConfig = CountConfig()) -> dict[str, int]:
    """Parameters per component of UniversalECGNet (and the total)."""
    feat = max(1, int(round(512 * c.width)))
    parts = {
        "backbone": backbone_params(c),
        "lead_embedding": c.n_leads * c.lead_dim,
        "projection": (feat + c.lead_dim) * c.proj_dim + c.proj_dim,
        "attention_pool": c.proj_dim * c.attn_hidden + c.attn_hidden + c.attn_hidden + 1,
        "head": c.proj_dim * c.n_classes + c.n_classes,
    }
    parts["total"] = sum(parts.values())
    return parts


def audit_table(text_config: CountConfig = CountConfig(stem_kernel=7),
                matching_config: CountConfig = CountConfig(stem_kernel=15)) -> pd.DataFrame:
    """Paper's stated count vs ours, per component, for the configuration the text
    describes (stem kernel 7) and the one that reproduces the stated total (stem 15)."""
    a, b = universal_breakdown(text_config), universal_breakdown(matching_config)
    rows = []
    for part in ("backbone", "lead_embedding", "projection", "attention_pool", "head", "total"):
        paper = PAPER_COUNTS.get(part)
        rows.append({"component": part, "paper": paper,
                     f"ours (stem {text_config.stem_kernel})": a[part],
                     f"ours (stem {matching_config.stem_kernel})": b[part],
                     "difference (paper - ours stem 15)": None if paper is None else paper - b[part]})
    stated_sum = sum(PAPER_COUNTS[k] for k in ("backbone", "lead_embedding", "projection",
                                               "attention_pool"))
    rows.insert(5, {"component": "sum of the stated parts", "paper": stated_sum,
                    f"ours (stem {text_config.stem_kernel})": None,
                    f"ours (stem {matching_config.stem_kernel})": None,
                    "difference (paper - ours stem 15)": None})
    return pd.DataFrame(rows).convert_dtypes()


def search_configurations(stem_kernels=(3, 5, 7, 9, 11, 13, 15), kernels=(3, 5, 7, 9),
                          reductions=(4, 8, 16), shortcut_kernels=(1, 3, 7),
                          attn_hidden=(128,)) -> pd.DataFrame:
    """Every combination of the open choices with its backbone and total count and whether
    it reproduces the paper's stated backbone / total exactly."""
    rows = []
    for sk, k, r, cb, sb, bn, sck, ah in itertools.product(
            stem_kernels, kernels, reductions, (False, True), (False, True), (True, False),
            shortcut_kernels, attn_hidden):
        c = CountConfig(stem_kernel=sk, kernel_size=k, reduction=r, conv_bias=cb, se_bias=sb,
                        batchnorm=bn, shortcut_kernel=sck, attn_hidden=ah)
        p = universal_breakdown(c)
        rows.append({**{key: v for key, v in asdict(c).items()
                        if key in ("stem_kernel", "kernel_size", "reduction", "conv_bias",
                                   "se_bias", "batchnorm", "shortcut_kernel", "attn_hidden")},
                     "backbone": p["backbone"], "total": p["total"],
                     "matches_backbone": p["backbone"] == PAPER_COUNTS["backbone"],
                     "matches_total": p["total"] == PAPER_COUNTS["total"]})
    return pd.DataFrame(rows)


# Numbers the paper's prose states (beside its tables), used by `paper_checks`.
PAPER_TEXT: dict[str, object] = paper.TEXT


def paper_checks() -> pd.DataFrame:
    """Every internal consistency check of the paper's numbers that we could compute:
    one row per check with what the paper states, what follows from its other numbers
    (or from our count), and whether they agree."""
    from ..constants import DIAGNOSTICS_COLUMNS
    PAPER_TABLE1, PAPER_TABLE3, PAPER_TABLE4 = paper.TABLE1, paper.TABLE3, paper.TABLE4
    PAPER_TABLE5 = {str(k): v for k, v in paper.TABLE5.items()}
    PAPER_TABLE6 = paper.table6_frame()

    rows = []

    keys = iter(["parts_sum", "attention", "backbone_any", "stem", "query", "n_meta", "ponset",
                 "exp3_inputs", "filtered_nk2", "nk2_implied", "best", "at_train"])

    def add(topic, check, paper, computed, agrees):
        rows.append({"key": next(keys, f"check_{len(rows)}"), "topic": topic, "check": check,
                     "paper": paper, "computed": computed, "agrees": bool(agrees)})

    t = PAPER_TEXT
    parts = universal_breakdown(CountConfig(stem_kernel=7))
    stated_sum = sum(PAPER_COUNTS[k] for k in ("backbone", "lead_embedding", "projection",
                                               "attention_pool"))
    add("parameters", "stated parts add up to the stated total", f"{PAPER_COUNTS['total']:,}",
        f"{stated_sum:,}", stated_sum == PAPER_COUNTS["total"])
    add("parameters", "attention pool 512->128, tanh, 128->1", f"{PAPER_COUNTS['attention_pool']:,}",
        f"{parts['attention_pool']:,}", parts["attention_pool"] == PAPER_COUNTS["attention_pool"])
    grid = search_configurations()
    add("parameters", "some backbone configuration gives the stated backbone",
        f"{PAPER_COUNTS['backbone']:,}",
        f"{int(grid['matches_backbone'].sum())} of {len(grid)} configurations",
        grid["matches_backbone"].any())
    match = grid[grid["matches_total"]]
    add("parameters", "the stated total with the stated stem kernel 7", f"{PAPER_COUNTS['total']:,}",
        f"{parts['total']:,} (stem 7); total reproduced only with a stem kernel of "
        f"{' or '.join(str(k) for k in sorted(set(match['stem_kernel'])))}",
        parts["total"] == PAPER_COUNTS["total"])
    add("architecture", "attention is a learned 512-d query (dot product) vs a two-layer tanh pool",
        "both descriptions", "query: 512 parameters; two-layer pool: "
        f"{parts['attention_pool']:,}; stated {PAPER_COUNTS['attention_pool']:,}", False)
    listed = t["metadata_features"]
    add("inputs", "metadata inputs listed = 14", t["n_metadata"], len(listed),
        len(listed) == t["n_metadata"])
    add("inputs", "POnset is a column of Diagnostics.xlsx", "listed as an input",
        "POnset" in DIAGNOSTICS_COLUMNS, "POnset" in DIAGNOSTICS_COLUMNS)
    mi = t["mlp_inputs"]
    add("inputs", "experiment 3 inputs = 14 metadata + 28 NeuroKit2", mi["3"],
        t["n_metadata"] + t["n_nk2"], mi["3"] == t["n_metadata"] + t["n_nk2"])
    add("inputs", "NeuroKit2 features kept by the filter (exp. 4: 27 - 14; exp. 6: 16 - 3)",
        "same filter", f"{mi['4'] - mi['2']} and {mi['6'] - mi['5']}",
        mi["4"] - mi["2"] == mi["6"] - mi["5"])
    add("inputs", "NeuroKit2 features implied by exp. 3 (36 - 14)", t["n_nk2"], mi["3"] - mi["2"],
        mi["3"] - mi["2"] == t["n_nk2"])
    best = {m: max(PAPER_TABLE3, key=lambda e: PAPER_TABLE3[e][m])
            for m in ("accuracy", "precision_macro", "f1_macro", "auc_macro")}
    add("results", "experiment 2 is the best configuration (Table 3)", f"experiment {t['best_experiment']}",
        ", ".join(f"{m}: exp. {e}" for m, e in best.items()),
        all(e == t["best_experiment"] for e in best.values()))
    at_train = PAPER_TABLE1["AT"][1]
    add("data", "AT training samples", t["at_training_samples"],
        f"{at_train} in Table 1 (121 is the total)", t["at_training_samples"] == at_train)
    t6 = PAPER_TABLE6
    n = t6["support"]
    derived = {
        "recall_macro": t6["sensitivity"].mean(), "precision_macro": t6["ppv"].mean(),
        "f1_macro": t6["f1"].mean(), "accuracy": (t6["sensitivity"] * n).sum() / n.sum(),
        "f1_weighted": (t6["f1"] * n).sum() / n.sum()}
    for k, v in derived.items():
        add("tables 4 and 6", f"Table 4 {k} from Table 6", PAPER_TABLE4[k], round(v, 4),
            abs(v - PAPER_TABLE4[k]) < 0.0015)
    f1_from = 2 * t6["ppv"] * t6["sensitivity"] / (t6["ppv"] + t6["sensitivity"])
    add("tables 4 and 6", "per-class F1 = harmonic mean of PPV and sensitivity",
        "Table 6 F1", f"max difference {float((f1_from - t6['f1']).abs().max()):.4f}",
        float((f1_from - t6["f1"]).abs().max()) < 0.0015)
    add("tables 4 and 6", "mean specificity ~0.99 (discussion)", t["mean_specificity"],
        round(float(t6["specificity"].mean()), 4), round(float(t6["specificity"].mean()), 2) == 0.99)
    diffs = [abs(PAPER_TABLE5[k][m] - v) for k, d in t["table5_text"].items() for m, v in d.items()]
    add("table 5", "lead-configuration numbers in the text = Table 5", "text",
        f"{len(diffs)} numbers, max difference {max(diffs):.3f}", max(diffs) == 0)
    drop = round(100 * (PAPER_TABLE5["12"]["f1_macro"] - PAPER_TABLE5["1"]["f1_macro"]), 1)
    add("table 5", "macro F1 drop from 12 leads to lead II", f"{t['f1_drop_1lead_pp']} pp",
        f"{drop} pp", round(drop) == t["f1_drop_1lead_pp"])
    add("table 5", "Table 3 experiment 7 = Table 5 12-lead",
        "Table 3", f"acc {PAPER_TABLE5['12']['accuracy']}, F1 {PAPER_TABLE5['12']['f1_macro']}, "
        f"AUC {PAPER_TABLE5['12']['auc_macro']}",
        all(PAPER_TABLE3["7"][m] == PAPER_TABLE5["12"][m] for m in ("accuracy", "f1_macro", "auc_macro")))
    return pd.DataFrame(rows).set_index("key")
