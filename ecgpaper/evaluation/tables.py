"""Tables the results chapters show, assembled from experiment artifacts only (never
retraining): ours with 95 % CIs beside the paper's reported figures. No table subtracts
the paper's figure from ours: the two come from different data (on the demo profile,
synthetic against real) and a bare difference of two estimates has no interval. A
difference is shown only between two of our runs, paired on the same test records
(`comparisons.compare_predictions`). They live here, not in `training`, because reading
results must never need the code that produced them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..constants import LEADS
from ..paper import BEST_EXPERIMENT as PAPER_BEST_EXPERIMENT
from ..paper import CONFUSIONS as PAPER_CONFUSIONS
from ..paper import TABLE4 as PAPER_TABLE4
from ..paper import TABLE5 as PAPER_TABLE5
from ..paper import TABLE6 as PAPER_TABLE6
from ..training import artifacts as art
from ..training.experiments import EXPERIMENTS, LEAD_CONFIGS

TABLE3_METRICS = ("accuracy", "precision_macro", "f1_macro", "auc_macro")
LABELS = {"accuracy": "Accuracy", "precision_macro": "Precision (macro)",
          "recall_macro": "Recall (macro)", "f1_macro": "F1 (macro)",
          "f1_weighted": "F1 (weighted)", "auc_macro": "AUC (macro, OvR)",
          "kappa": "Cohen's kappa", "mcc": "MCC", "log_loss": "Log loss",
          "top2_accuracy": "Top-2 accuracy"}


def _ci(block: dict, metric: str) -> tuple[float, float, float]:
    c = (block.get("ci") or {}).get(metric) or {}
    value = (block.get("metrics") or {}).get(metric)
    nan = float("nan")
    f = lambda v: nan if v is None else float(v)
    return f(value), f(c.get("low")), f(c.get("high"))


def fmt_ci(value, low, high, digits: int = 3) -> str:
    from ..evaluation.bootstrap import format_ci
    return format_ci(value, low, high, digits)


def metric_table(block: dict, paper: dict | None = None, metrics=None) -> pd.DataFrame:
    """One row per metric: ours, CI bounds and the paper's figure beside it."""
    metrics = metrics or list((block.get("metrics") or {}).keys())
    rows = []
    for m in metrics:
        v, lo, hi = _ci(block, m)
        p = (paper or {}).get(m, np.nan)
        rows.append({"metric": m, "label": LABELS.get(m, m), "ours": v, "low": lo, "high": hi,
                     "ours (95 % CI)": fmt_ci(v, lo, hi), "paper": p})
    return pd.DataFrame(rows).set_index("metric")


def table3(profile) -> pd.DataFrame:
    """Tidy Table 3 of every finished experiment: <metric>, <metric>_low/_high,
    <metric>_paper, plus inputs and training time."""
    rows = []
    for e in art.available(profile):
        m = art.load_metrics(profile, e)
        exp = EXPERIMENTS[e]
        inp = m.get("input", {})
        ours_input = (f"{inp.get('n_leads', 12)} leads × {inp.get('n_samples')}"
                      + (f" + {inp.get('n_features')} feat" if inp.get("n_features") else ""))
        if exp.universal:
            ours_input = f"1–12 leads × {inp.get('n_samples')}"
        row = {"experiment": e, "configuration": exp.name, "input (ours)": ours_input,
               "input (paper)": exp.paper_input,
               "best val F1": m.get("best_val_f1_macro"), "best epoch": m.get("best_epoch"),
               "epochs": m.get("epochs_run"),
               "train s": (m.get("timing") or {}).get("train_seconds")}
        for k in TABLE3_METRICS:
            v, lo, hi = _ci(m, k)
            p = exp.paper.get(k, np.nan)
            row.update({k: v, f"{k}_low": lo, f"{k}_high": hi, f"{k}_paper": p})
        rows.append(row)
    return pd.DataFrame(rows).set_index("experiment") if rows else pd.DataFrame()


def table3_display(t3: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Table 3 for reading: 'value [low, high]' columns beside the paper's values."""
    if t3.empty:
        return t3
    out = t3[["configuration", "input (ours)", "input (paper)"]].copy()
    for k in TABLE3_METRICS:
        out[f"{LABELS[k]} ours (95 % CI)"] = [fmt_ci(v, lo, hi, digits) for v, lo, hi in
                                              zip(t3[k], t3[f"{k}_low"], t3[f"{k}_high"])]
        out[f"{LABELS[k]} paper"] = t3[f"{k}_paper"]
    return out


def best_experiment(profile) -> str | None:
    """The finished experiment with the highest validation macro-F1 (ties: lower id).
    Selection uses validation data only, never the test set."""
    best, score = None, -np.inf
    for e in art.available(profile):
        s = art.load_metrics(profile, e).get("best_val_f1_macro")
        if s is not None and s > score:
            best, score = e, s
    return best


def table4(profile, exp_id: str = PAPER_BEST_EXPERIMENT) -> pd.DataFrame:
    """All ten Table 4 metrics of one experiment with CIs, beside the paper's Table 4
    (which is experiment 2's)."""
    m = art.load_metrics(profile, exp_id)
    return metric_table(m, PAPER_TABLE4, list(LABELS))


def table5(metrics: dict) -> pd.DataFrame:
    """Universal model per lead configuration, ours with CIs beside the paper's Table 5."""
    rows = []
    for k, names in LEAD_CONFIGS.items():
        block = (metrics.get("lead_configs") or {}).get(str(k))
        if block is None:
            continue
        row = {"configuration": f"{k}-lead", "leads": ", ".join(names)}
        for mname in ("accuracy", "f1_macro", "f1_weighted", "auc_macro"):
            v, lo, hi = _ci(block, mname)
            p = PAPER_TABLE5[k][mname]
            row.update({f"{mname}": v, f"{mname} (95 % CI)": fmt_ci(v, lo, hi),
                        f"{mname} paper": p})
        rows.append(row)
    return pd.DataFrame(rows).set_index("configuration")


def attention_by_lead(profile, exp_id: str = "7") -> pd.DataFrame:
    """Mean test-set attention weight of each lead, one column per lead configuration."""
    from ..evaluation.leads import lead_attention_stats
    cols = {}
    for k, names in LEAD_CONFIGS.items():
        try:
            a = art.load_attention(profile, exp_id, k)
        except FileNotFoundError:
            continue
        sel = [LEADS.index(n) for n in names]
        sub = a[:, sel]
        idx = np.tile(np.asarray(sel), (len(sub), 1))
        stats = lead_attention_stats(sub, idx)
        cols[f"{k}-lead"] = stats.set_index("lead")["mean"]
    return pd.DataFrame(cols).reindex(list(LEADS))


def paper_table6() -> pd.DataFrame:
    """The paper's Table 6 (experiment 2) in the column names of `evaluation.table6`."""
    return pd.DataFrame(PAPER_TABLE6, index=["sensitivity", "specificity", "ppv", "f1",
                                             "support"]).T.rename_axis("class")


def per_class(profile, exp_id: str, n_boot: int | None = None) -> pd.DataFrame:
    """Table 6 of one experiment (sensitivity, specificity, PPV, F1 with 95 % bounds,
    support, and the interval method of each class: stratified bootstrap, or Wilson for
    small classes; see `bootstrap.per_class_ci`) from its stored test predictions."""
    from ..evaluation.bootstrap import per_class_ci
    pred = art.load_predictions(profile, exp_id)
    n = profile.bootstrap if n_boot is None else n_boot
    return per_class_ci(pred["label"].astype(str).to_numpy(),
                        pred["pred"].astype(str).to_numpy(), n=n, seed=profile.seed)


def per_class_display(ours: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Ours 'value [low, high]' beside the paper's Table 6 values."""
    paper = paper_table6()
    out = pd.DataFrame(index=ours.index)
    for m in ("sensitivity", "specificity", "ppv", "f1"):
        out[f"{m} (ours, 95 % CI)"] = [fmt_ci(v, lo, hi, digits) for v, lo, hi in
                                       zip(ours[m], ours[f"{m}_low"], ours[f"{m}_high"])]
        out[f"{m} (paper)"] = paper[m]
    out["N test (ours)"] = ours["support"].astype(int)
    out["N test (paper)"] = paper["support"].astype(int)
    if "interval" in ours.columns:
        out["interval (ours)"] = ours["interval"]
    return out


def plot_table3(t3: pd.DataFrame, metrics=TABLE3_METRICS):
    """Ours (dots with 95 % CI bars) vs the paper (crosses), one panel per metric."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics), 3.4), sharey=True)
    y = np.arange(len(t3))[::-1]
    for ax, m in zip(np.atleast_1d(axes), metrics):
        v = t3[m].to_numpy(float)
        err = np.vstack([v - t3[f"{m}_low"].to_numpy(float), t3[f"{m}_high"].to_numpy(float) - v])
        err = np.where(np.isfinite(err), np.clip(err, 0, None), 0.0)
        ax.errorbar(v, y, xerr=err, fmt="o", capsize=3, label="ours (95 % CI)")
        ax.scatter(t3[f"{m}_paper"].to_numpy(float), y, marker="x", color="black", zorder=3,
                   label="paper (reported)")
        ax.set_title(LABELS[m], fontsize=10)
        lows = np.concatenate([t3[f"{m}_low"].to_numpy(float), t3[m].to_numpy(float)])
        lows = lows[np.isfinite(lows)]
        ax.set_xlim(min(0.5, float(lows.min()) - 0.05) if len(lows) else 0.0, 1.02)
        ax.grid(axis="x", alpha=0.3)
    first = np.atleast_1d(axes)[0]
    first.set_yticks(y, [f"{e}: {c}" for e, c in zip(t3.index, t3["configuration"])])
    first.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig


def named_confusions(pred: pd.DataFrame) -> pd.DataFrame:
    """The confusions the paper discusses (AF→AFIB, SA→SR, AT→SVT/ST), counted from our
    predictions, beside the paper's counts."""
    rows = []
    for true, targets, paper_count, paper_n in PAPER_CONFUSIONS:
        is_true = pred["label"].astype(str) == true
        n = int(is_true.sum())
        k = int((is_true & pred["pred"].astype(str).isin(targets)).sum())
        rows.append({"true class": true, "predicted as": "/".join(targets),
                     "ours": k, "ours n": n, "ours share": k / n if n else np.nan,
                     "paper": paper_count, "paper n": paper_n,
                     "paper share": (paper_count / paper_n) if paper_count is not None
                     else np.nan})
    return pd.DataFrame(rows)


def confusion_matrix(pred: pd.DataFrame) -> pd.DataFrame:
    from ..evaluation.metrics import confusion
    return confusion(pred["label"].astype(str).to_numpy(), pred["pred"].astype(str).to_numpy())


__all__ = ["table3", "table3_display", "table4", "table5", "best_experiment",
           "attention_by_lead", "per_class", "per_class_display", "paper_table6",
           "named_confusions", "confusion_matrix", "metric_table", "plot_table3"]


def training_times(profile, experiments=None) -> pd.DataFrame:
    """Seconds spent training each experiment (from metrics.json), for the performance
    page; `experiments` names other configurations than the seven."""
    rows = []
    for e in art.available(profile, experiments):
        m = art.load_metrics(profile, e)
        t = m.get("timing") or {}
        rows.append({"experiment": e, "configuration": m.get("name"),
                     "epochs": m.get("epochs_run"), "device": t.get("device"),
                     "threads": t.get("threads"),
                     "seconds per epoch": t.get("seconds_per_epoch"),
                     "training seconds": t.get("train_seconds")})
    return pd.DataFrame(rows).set_index("experiment")
