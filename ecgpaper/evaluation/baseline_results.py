"""The numbers of the Baselines chapter for one set of results, as data: the extended
Table 3 (every model of the book on the same test records, with 95 % intervals, beside
the paper's Table 3 where it has the row), what each network costs, each related design
against experiment 1 and the two non-neural baselines against every network, as paired
macro-F1 differences on the same test records. Nothing here writes a sentence."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..training import artifacts as art
from ..training.experiments import EXPERIMENTS, MODEL_LABELS, get_experiment
from ..training.variants import ABLATION_REFERENCE as REF
from ..training.variants import BASELINES
from .bootstrap import PairedDifference
from .comparisons import compare_predictions

NON_NEURAL = tuple(e.id for e in BASELINES if not e.neural)
DESIGNS = tuple(e.id for e in BASELINES if e.neural)


def entries() -> dict[str, str]:
    """Every model of the extended Table 3, in reading order: config -> label."""
    out = {e: f"experiment {e} ({x.name})" for e, x in EXPERIMENTS.items()}
    out["ablation-no-se"] = "plain ResNet-18 (ablation)"
    out.update({e.id: MODEL_LABELS[e.model] for e in BASELINES})
    return out


def _paired(profile, a: str, b: str, n: int) -> PairedDifference:
    """Macro-F1 of run b minus run a on the same test records."""
    return compare_predictions(art.load_predictions(profile, a),
                               art.load_predictions(profile, b), n=n, seed=profile.seed,
                               metrics=("f1_macro",))["f1_macro"]


def score_rows(profile) -> pd.DataFrame:
    """Accuracy, macro-F1 and macro-AUC with 95 % bounds of every finished model."""
    rows = []
    for config, label in entries().items():
        if config not in art.available(profile, [config]):
            continue
        m = art.load_metrics(profile, config)
        row = {"config": config, "model": label}
        for k in ("accuracy", "f1_macro", "auc_macro"):
            ci = (m.get("ci") or {}).get(k) or {}
            row[k] = (m.get("metrics") or {}).get(k)
            row[f"{k}_low"], row[f"{k}_high"] = ci.get("low"), ci.get("high")
        rows.append(row)
    return pd.DataFrame(rows)


def versus(profile, reference: str, others, n_boot: int = 200) -> pd.DataFrame:
    """Each of `others` minus `reference` in macro-F1, paired on the same test records
    (rows only for finished pairs): config, model, difference, low, high, excludes_zero."""
    labels = entries()
    rows = []
    for other in others:
        if other == reference or len(art.available(profile, [reference, other])) < 2:
            continue
        d = _paired(profile, reference, other, n_boot)
        rows.append({"config": other, "model": labels[other], "difference": d.difference,
                     "low": d.low, "high": d.high, "excludes_zero": d.excludes_zero})
    return pd.DataFrame(rows, columns=["config", "model", "difference", "low", "high",
                                       "excludes_zero"])


def networks(profile) -> list[str]:
    """The finished neural models of the extended Table 3."""
    return [c for c in art.available(profile, list(entries())) if get_experiment(c).neural]


def floor_comparison(profile, n_boot: int = 200) -> pd.DataFrame:
    """Each non-neural baseline minus each finished network, paired macro-F1: columns
    network, baseline, difference, low, high, excludes_zero."""
    frames = []
    for network in networks(profile):
        d = versus(profile, network, NON_NEURAL, n_boot)
        frames.append(d.assign(network=network).rename(columns={"config": "baseline"}))
    if not frames:
        return pd.DataFrame(columns=["network", "baseline", "difference", "low", "high",
                                     "excludes_zero"])
    out = pd.concat(frames, ignore_index=True)
    return out[["network", "baseline", "difference", "low", "high", "excludes_zero"]]


def beaten_by(floor: pd.DataFrame, baseline: str) -> list[str]:
    """The networks `baseline` beats: higher macro-F1 with a paired interval above 0."""
    rows = floor[(floor["baseline"] == baseline) & (floor["difference"] > 0)
                 & floor["excludes_zero"].astype(bool)]
    return [short_name(c) for c in rows["network"]]


def short_name(config: str) -> str:
    """'experiment 2' for the paper's configurations, the model's label for the rest."""
    return f"experiment {config}" if config in EXPERIMENTS else entries()[config]


@dataclass(frozen=True)
class BaselineResults:
    scores: pd.DataFrame            # `score_rows`
    designs_vs_reference: pd.DataFrame    # each related design minus experiment 1
    floor: pd.DataFrame             # each non-neural baseline minus each network

    @property
    def best(self) -> pd.Series | None:
        """The row of the model with the highest test macro-F1."""
        if self.scores.empty:
            return None
        return self.scores.loc[self.scores["f1_macro"].astype(float).idxmax()]


def baseline_results(profile, n_boot: int = 200) -> BaselineResults:
    """Every number of the chapter's comparisons for `profile`'s finished runs."""
    return BaselineResults(scores=score_rows(profile),
                           designs_vs_reference=versus(profile, REF, DESIGNS, n_boot),
                           floor=floor_comparison(profile, n_boot))


def model_cost_row(profile, config: str) -> dict:
    """Parameters, forward GFLOP per record and median batch-1 CPU latency of the network
    of a finished run, measured on its architecture at the profile's size (cost does not
    depend on the weights, so no checkpoint is needed), and its training time."""
    from ..models.cost import model_cost
    from ..models.registry import build_model, n_parameters
    from ..training.settings import effective_profile, model_config
    exp = get_experiment(config)
    m = art.load_metrics(profile, config)
    eprof = effective_profile(profile, exp)
    n_features = int((m.get("input") or {}).get("n_features") or 0)
    model = build_model(model_config(eprof, exp, n_features))
    cost = model_cost(model, 10 * int(eprof.fs))
    seconds = (m.get("timing") or {}).get("train_seconds")
    return {"model": entries()[config], "parameters": n_parameters(model),
            "GFLOP per record": cost["gflop"], "latency, batch 1 (ms)": cost["latency_ms"],
            "training (min)": None if seconds is None else seconds / 60}


# --- for reading ---------------------------------------------------------------------------

def scores_table(res: BaselineResults) -> pd.DataFrame:
    """The extended Table 3 for reading: ours with 95 % intervals beside the paper's
    accuracy and macro-F1 (only its seven configurations have them)."""
    from ..report import fmt_ci, fmt_number
    s = res.scores
    out = pd.DataFrame({"model": s["model"]})
    for k, name in (("accuracy", "accuracy"), ("f1_macro", "macro-F1"),
                    ("auc_macro", "macro-AUC")):
        out[f"{name} (95 % CI)"] = [fmt_ci(v, lo, hi) for v, lo, hi in
                                    zip(s[k], s[f"{k}_low"], s[f"{k}_high"])]
    for k, name in (("accuracy", "accuracy"), ("f1_macro", "macro-F1")):
        out[f"paper's {name}"] = [fmt_number(EXPERIMENTS[c].paper.get(k))
                                  if c in EXPERIMENTS else "—" for c in s["config"]]
    return out


def difference_table(diffs: pd.DataFrame, column: str = "model") -> pd.DataFrame:
    """Paired differences for reading: 'difference (low to high)' and the verdict."""
    from ..report import fmt_number
    from ..report import signed
    return pd.DataFrame({
        column: diffs["model"],
        "macro-F1 difference (paired 95 % CI)": [
            f"{signed(d)} ({fmt_number(lo)} to {fmt_number(hi)})"
            for d, lo, hi in zip(diffs["difference"], diffs["low"], diffs["high"])],
        "interval": ["excludes 0" if x else "includes 0" for x in diffs["excludes_zero"]]})


def floor_table(floor: pd.DataFrame) -> pd.DataFrame:
    """One row per network, one column per non-neural baseline: baseline minus network
    in macro-F1 with its paired 95 % interval."""
    from ..report import fmt_number
    from ..report import signed
    labels = entries()
    cells = floor.assign(text=[f"{signed(d)} ({fmt_number(lo)} to {fmt_number(hi)})"
                               for d, lo, hi in zip(floor["difference"], floor["low"],
                                                    floor["high"])])
    wide = cells.pivot(index="network", columns="baseline", values="text")
    order = [c for c in labels if c in wide.index]
    wide = wide.reindex(order)[[b for b in NON_NEURAL if b in wide.columns]]
    wide.index = [labels[c] for c in wide.index]
    wide.columns = [f"{labels[b]} − network" for b in wide.columns]
    return wide.rename_axis("network").reset_index()


def cost_table(rows: list[dict]) -> pd.DataFrame:
    """`model_cost_row` results for reading, one number format per column."""
    from ..report import fixed
    return pd.DataFrame({
        "model": [r["model"] for r in rows],
        "parameters": [fixed(r["parameters"], 0) for r in rows],
        "GFLOP per record": [fixed(r["GFLOP per record"], 3) for r in rows],
        "latency, batch 1 (ms)": [fixed(r["latency, batch 1 (ms)"], 1) for r in rows],
        "training (min)": [fixed(r["training (min)"], 1) for r in rows]})


def difference_values(diffs: pd.DataFrame) -> str:
    """The first paired difference of `diffs` as 'difference (95 % CI low to high)', or
    'not measured' when the pair has not finished."""
    from ..report import fmt_number
    from ..report import signed
    if diffs.empty:
        return "not measured yet (a run has not finished)"
    d = diffs.iloc[0]
    return f"{signed(d['difference'])} (paired 95 % CI {fmt_number(d['low'])} to " \
           f"{fmt_number(d['high'])})"


def not_usable(checks) -> str:
    """The models of `checks` (`run_checks.RunCheck`s) that did not converge or learned no
    more than the majority class, by short name ('none' when every one is usable)."""
    return _names([short_name(c.config) for c in checks if not c.usable])


def usable_sentence(checks) -> str:
    """How many models of `checks` can be ranked, as a sentence: all of them, or which
    did not converge or learned no more than the majority class."""
    usable = sum(c.usable for c in checks)
    if usable == len(checks):
        return (f"All {usable} models there converged and learned more than the majority "
                "class, so their ranking compares designs at one budget.")
    return (f"Only {usable} of the {len(checks)} models there converged and learned more "
            f"than the majority class (the others: {not_usable(checks)}), so a ranking "
            "that involves the others describes their training, not their design.")


def _names(items: list[str]) -> str:
    return ", ".join(items) if items else "none"


def glue_values(res: BaselineResults) -> dict[str, str]:
    """The chapter's glued values of one set of results, by short name."""
    from ..report import fmt_ci
    labels = entries()
    out = {}
    best = res.best
    out["best_model"] = "—" if best is None else str(best["model"])
    out["best_f1"] = "—" if best is None else fmt_ci(best["f1_macro"], best["f1_macro_low"],
                                                     best["f1_macro_high"])
    scores = res.scores.set_index("config") if not res.scores.empty else res.scores
    for b, key in zip(NON_NEURAL, ("gbm", "rules")):
        row = scores.loc[b] if b in scores.index else None
        out[f"{key}_f1"] = "—" if row is None else fmt_ci(row["f1_macro"], row["f1_macro_low"],
                                                          row["f1_macro_high"])
        beaten = beaten_by(res.floor, b)
        out[f"{key}_beats"] = _names(beaten)
        out[f"{key}_beats_n"] = str(len(beaten))
        out[f"{key}_label"] = labels[b]
    out["networks_n"] = str(res.floor["network"].nunique())
    d = res.designs_vs_reference
    better = d[(d["difference"] > 0) & d["excludes_zero"].astype(bool)]["config"].tolist()
    worse = d[(d["difference"] < 0) & d["excludes_zero"].astype(bool)]["config"].tolist()
    better, worse = [short_name(c) for c in better], [short_name(c) for c in worse]
    out["designs_better"], out["designs_worse"] = _names(better), _names(worse)
    if d.empty:
        out["designs_better"] = out["designs_worse"] = "not measured yet"
    out["designs_n"] = str(len(d))
    return out



def summary_table(results: dict) -> pd.DataFrame:
    """One row per finding, one column per set of results (label -> BaselineResults)."""
    rows = {
        "highest test macro-F1 (95 % CI)": lambda v: f"{v['best_model']}: {v['best_f1']}",
        "gradient boosting on the measurements, macro-F1": lambda v: v["gbm_f1"],
        "rule-based, macro-F1": lambda v: v["rules_f1"],
        "networks gradient boosting beats (paired interval above 0)":
            lambda v: f"{v['gbm_beats_n']} of {v['networks_n']}",
        "networks the rules beat (paired interval above 0)":
            lambda v: f"{v['rules_beats_n']} of {v['networks_n']}",
        "related designs above experiment 1": lambda v: v["designs_better"],
        "related designs below experiment 1": lambda v: v["designs_worse"],
    }
    values = {label: glue_values(r) for label, r in results.items()}
    return pd.DataFrame([{"finding": name, **{label: f(v) for label, v in values.items()}}
                         for name, f in rows.items()])


def design_notes() -> dict[str, str]:
    """What each related design's paper leaves open and what the project chose: the
    module docstring of each design (its first paragraph, the title, left out), so the
    choices are written once, beside the code that makes them."""
    import importlib
    import inspect
    out = {}
    for e in BASELINES:
        if not e.neural:
            continue
        doc = inspect.getdoc(importlib.import_module(f"ecgpaper.models.{e.model}")) or ""
        paragraphs = [" ".join(p.split()) for p in doc.split("\n\n")]
        out[e.id] = " ".join(paragraphs[1:])
    return out
