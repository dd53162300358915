"""The External validation chapter's tables and quoted numbers: what the external folder
holds, the trained networks' scores on it as labelled and harmonised (sinus labels by
measured heart rate), what the harmonisation relabelled, and what could not be scored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from ..constants import CLASSES
from ..data.external import PTBXL_100_HZ
from ..evaluation.external import (ALL_SOURCES, AS_LABELLED, HARMONISED, both_ways_table,
                                   pooled_both_ways, recall_table, scores_both_ways,
                                   summary_table)
from ..evaluation.harmonise import harmonised_predictions, relabel_counts, scored_only
from ..report import fmt_ci

MODELS = {"1": "SE-ResNet18, experiment 1 (signal only)",
          "7": "UniversalECGNet, experiment 7 (12 leads)"}
NETWORK_KEYS = ("ref1", "ref7", "1", "7")      # reference edition first, then this build
NOT_MEASURED = "not measured"


@dataclass
class ModelScores:
    """One trained network over the external set: its predictions, the records it could
    not score (source, reason) -> count, and its scores as labelled and harmonised."""
    title: str
    predictions: pd.DataFrame
    not_scored: Counter
    both: dict[str, dict]


def training_data(settings) -> str:
    """What this build's networks were trained on, as a phrase for the page's note."""
    if settings.is_synthetic:
        return (f"the synthetic Chapman–Shaoxing twin only (profile {settings.name}, "
                f"{settings.twin_records:,} records, seed {settings.seed})")
    return f"the real Chapman–Shaoxing database ({settings.data_source})"


def counts_table(external) -> pd.DataFrame:
    """Labelled records per source (rows) and rhythm (columns), with a total column."""
    counts = pd.DataFrame(external.counts()).T.fillna(0).astype(int)
    counts = counts.reindex(columns=[c for c in CLASSES if c in counts.columns])
    counts["total"] = counts.sum(axis=1)
    return counts.rename_axis("source")


def reasons_table(counter: Counter) -> pd.DataFrame:
    """(source, reason) -> count as a table, for records not used or not scored."""
    return pd.DataFrame([{"source": s, "reason": r, "records": n}
                         for (s, r), n in sorted(counter.items())],
                        columns=["source", "reason", "records"])


FOLDER_FACTS = ("external_records", "external_sources", "external_not_used",
                "external_ptbxl_100hz")
RELABEL_FACTS = ("external_sinus_labelled", "external_relabelled",
                 "external_rate_not_measured", "external_sr_below_60", "external_sr_measured")


def folder_facts(external) -> dict:
    """Numbers the section on the external records quotes (NOT_MEASURED without data)."""
    if external is None:
        return dict.fromkeys(FOLDER_FACTS, NOT_MEASURED)
    return {"external_records": str(len(external.records)),
            "external_sources": str(len(external.sources())),
            "external_not_used": str(sum(external.skipped.values())),
            "external_ptbxl_100hz": str(external.notes.get(("PTB-XL", PTBXL_100_HZ), 0))}


@dataclass(frozen=True)
class Network:
    """A trained network the chapter scores: `key` names its glued numbers."""
    key: str
    title: str
    profile: object
    experiment: str


def networks(settings) -> list[Network]:
    """The networks to score, main first: the reference edition's committed experiment 1
    (database-size twin) and experiment 7 (its smaller twin) where their weights are
    committed, then this build's experiments 1 and 7 where it trained them."""
    from ..reference import editions
    from ..training import artifacts
    out = []
    for twin, experiment in (("database", "1"), ("small", "7")):
        for e in editions(settings, twin=twin, needs=(experiment,)):
            weights = artifacts.experiment_dir(e.profile, experiment) / "best.pt"
            if e.is_reference and weights.is_file():
                out.append(Network(f"ref{experiment}", f"Reference edition "
                                   f"({e.twin_records:,}-record twin), {MODELS[experiment]}",
                                   e.profile, experiment))
    finished = artifacts.available(settings)
    out += [Network(experiment, f"This build, {title}", settings, experiment)
            for experiment, title in MODELS.items() if experiment in finished]
    return out


def score_models(settings, external, rates: pd.DataFrame) -> dict[str, ModelScores]:
    """Every network of `networks` over the external set, scored as labelled and
    harmonised with the measured rates `rates`, by network key."""
    from ..inference.artifact import load_artifact
    from ..inference.external import predict_external
    from ..inference.route import ModelSet
    from ..training import artifacts
    out = {}
    for net in networks(settings):
        weights = artifacts.experiment_dir(net.profile, net.experiment) / "best.pt"
        predictions, not_scored = predict_external(ModelSet([load_artifact(weights)]),
                                                   external)
        both = scores_both_ways(predictions, rates, n_boot=settings.bootstrap,
                                seed=settings.seed)
        out[net.key] = ModelScores(net.title, predictions, not_scored, both)
    return out


def scored_rates(rates: pd.DataFrame, results: dict[str, ModelScores]) -> pd.DataFrame:
    """The measured rates of the records some network scored (a recording two sources
    ship counts once); all of them when no network was scored."""
    if not results:
        return rates
    scored = pd.concat([r.predictions[["source", "record_id"]] for r in results.values()])
    return scored_only(rates, scored)


def relabel_table(rates: pd.DataFrame) -> pd.DataFrame:
    """What the harmonisation did per source, for reading."""
    return relabel_counts(rates).set_index("source").rename(columns={
        "sinus_labelled": "SB, SR or ST", "rate_measured": "rate measured",
        "rate_not_measured": "no rate (kept)", "moves": "moves"})


def rate_summary(rates: pd.DataFrame) -> pd.DataFrame:
    """Per source and sinus label: records measured and the median, lowest and highest
    measured rate (bpm), beside the figure."""
    sinus = rates[rates["label"].isin(("SB", "SR", "ST")) & rates["bpm"].notna()]
    table = sinus.groupby(["source", "label"])["bpm"].agg(
        records="count", median="median", lowest="min", highest="max")
    return table.round(0).astype(int).rename(columns={
        "median": "median bpm", "lowest": "lowest bpm", "highest": "highest bpm"})


def rule_facts() -> dict:
    """The harmonisation's thresholds, as the method paragraph quotes them."""
    from ..evaluation import harmonise as h
    low, high = h.PLAUSIBLE_BPM
    return {"rule_sb_below": f"{h.SB_BELOW_BPM:g}", "rule_st_above": f"{h.ST_ABOVE_BPM:g}",
            "rule_min_peaks": str(h.MIN_RR_INTERVALS + 1),
            "rule_plausible": f"{low:g}–{high:g}"}


def relabel_facts(rates: pd.DataFrame | None) -> dict:
    """Totals the harmonisation section quotes (NOT_MEASURED without data)."""
    if rates is None:
        return dict.fromkeys(RELABEL_FACTS, NOT_MEASURED)
    counts = relabel_counts(rates)
    keys = ("sinus_labelled", "relabelled", "rate_not_measured")
    facts = {f"external_{k}": int(counts[k].sum()) if len(counts) else 0 for k in keys}
    sr = rates[(rates["label"] == "SR") & rates["bpm"].notna()]
    facts["external_sr_below_60"] = int((sr["bpm"] < 60).sum())
    facts["external_sr_measured"] = len(sr)
    return {k: str(v) for k, v in facts.items()}


def pooled_facts(results: dict[str, ModelScores]) -> dict:
    """Each network's pooled accuracy and balanced recall, as labelled and harmonised,
    formatted with their intervals, under its key (NETWORK_KEYS); NOT_MEASURED for a
    network that is not committed or not trained (or without external data)."""
    out = {}
    for net in NETWORK_KEYS:
        pooled = pooled_both_ways(results[net].both) if net in results else {}
        for metric in ("accuracy", "balanced_recall_common"):
            for way in ("as_labelled", "harmonised"):
                value = pooled.get(f"{metric}_{way}")
                out[f"external_{metric}_{way}_{net}"] = (
                    fmt_ci(*value, digits=2) if value is not None else NOT_MEASURED)
        out[f"external_scored_{net}"] = str(pooled["records"]) if pooled else NOT_MEASURED
    return out


def abstract_sentence(facts: dict) -> str:
    """The abstract's sentence on real recordings, from `pooled_facts`: the reference
    edition's experiment 1 (else this build's) scored harmonised, or why nothing was."""
    for net, who in (("ref1", "the reference edition's experiment 1"),
                     ("1", "this build's experiment 1")):
        n = facts.get(f"external_scored_{net}", NOT_MEASURED)
        if n != NOT_MEASURED:
            return (f"On {n} real recordings of other databases, with sinus labels "
                    f"harmonised by heart rate, {who} reaches an accuracy of "
                    f"{facts[f'external_accuracy_harmonised_{net}']} (External validation "
                    "chapter).")
    return ("No real recordings were beside this build, so the External validation "
            "chapter scored none.")


def scores_table(result: ModelScores) -> pd.DataFrame:
    """Accuracy and balanced recall per source, as labelled and harmonised; `n` is the
    number of records scored."""
    return both_ways_table(result.both).rename(columns={"records": "n"})


def full_scores_table(result: ModelScores) -> pd.DataFrame:
    """Every summary score per source (with macro-F1 and the classes a source lacks),
    both ways, one row per source and way."""
    frames = [summary_table(result.both[way]).assign(scored=way)
              for way in (AS_LABELLED, HARMONISED)]
    table = pd.concat(frames).set_index(["source", "scored"]).sort_index(level=0,
                                                                         sort_remaining=False)
    return table.drop(columns=["records"])


def recall_by_source(result: ModelScores, way: str = HARMONISED) -> pd.DataFrame:
    """Recall per rhythm (rows) and source (columns), scored `way`."""
    recall = recall_table(result.both[way]).pivot(index="class", columns="source",
                                                  values="recall")
    columns = [c for c in recall.columns if c != ALL_SOURCES] + [ALL_SOURCES]
    return recall.reindex(index=list(CLASSES), columns=columns)


def confusion_frames(result: ModelScores, rates: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """{way: confusion matrix over all sources} as labelled and harmonised."""
    from ..evaluation.metrics import confusion
    harmonised = harmonised_predictions(result.predictions, rates)
    return {AS_LABELLED: confusion(result.predictions["label"], result.predictions["pred"]),
            HARMONISED: confusion(harmonised["label"], harmonised["pred"])}


def not_scored_table(results: dict[str, ModelScores]) -> pd.DataFrame:
    """Records some network could not score, per source and reason: how many, and which
    networks ("all" when every network scored here left them out)."""
    found: dict[tuple, list] = {}
    for r in results.values():
        for (source, reason), n in sorted(r.not_scored.items()):
            found.setdefault((source, reason), []).append((r.title, n))
    rows = [{"source": source, "reason": reason,
             "records": ", ".join(sorted({str(n) for _, n in pairs})),
             "networks": "all" if len(pairs) == len(results) else
                         "; ".join(title for title, _ in pairs)}
            for (source, reason), pairs in found.items()]
    return pd.DataFrame(rows, columns=["source", "reason", "records", "networks"])


def most_not_scored(results: dict[str, ModelScores]) -> str:
    """The most records any one network left unscored (NOT_MEASURED without networks)."""
    if not results:
        return NOT_MEASURED
    return str(max(sum(r.not_scored.values()) for r in results.values()))
