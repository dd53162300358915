"""The LLM-vision chapter's tables: what the paper reports, the sample, the two prompt
conditions, and for every cached run its provenance, how its answers were read, its
recall per class, the networks on the same records and the few-shot comparison."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import paper
from ..constants import CLASS_NAMES, CLASSES
from ..llm.parse import OUTCOMES
from ..llm.score import MISSING, mcnemar, networks_beside, score_run
from ..report import fmt_ci, fmt_number


def reported_table() -> pd.DataFrame:
    """The paper's two accuracies, as it reports them."""
    return pd.DataFrame({
        "classifier": ["GPT-4o Vision (zero-shot, rendered images)",
                       f"SE-ResNet18 + clinical metadata (experiment {paper.BEST_EXPERIMENT})"],
        "test records": [f"{paper.GPT4O_RECORDS} (random)",
                         f"{paper.TEST_SIZE:,} (whole test split)"],
        "accuracy (paper)": [fmt_number(paper.GPT4O_ACCURACY),
                             fmt_number(paper.TABLE4["accuracy"])],
    })


def sample_counts(store, sample) -> pd.DataFrame:
    """Records per class in the test split and in the sample."""
    test = pd.Series([CLASSES[i] for i in store.labels(store.rows("test"))])
    return pd.DataFrame({
        "class": list(CLASSES), "rhythm": [CLASS_NAMES[c] for c in CLASSES],
        "test split": [int((test == c).sum()) for c in CLASSES],
        "sample": [sample.labels.count(c) for c in CLASSES]})


def sample_ids(sample) -> pd.DataFrame:
    """The sampled record ids, one row per class."""
    return pd.DataFrame({"class": list(CLASSES), "records": [
        ", ".join(r for r, label in zip(sample.record_ids, sample.labels) if label == c) or "—"
        for c in CLASSES]})


def prompts_table(zero_shot, few_shot, k: int) -> pd.DataFrame:
    """The two conditions: images per request, prompt hash, the command that runs it."""
    return pd.DataFrame({
        "condition": [zero_shot.condition, few_shot.condition],
        "images per request": [1, 1 + len(few_shot.examples)],
        "prompt hash": [zero_shot.hash[:16] + "…", few_shot.hash[:16] + "…"],
        "command": ["ecgpaper llm run", f"ecgpaper llm run --few-shot {k}"]})


def parameters_text(params: dict) -> str:
    """Sampling parameters as 'name = value' pairs."""
    return ", ".join(f"{k} = {v}" for k, v in params.items())


@dataclass(frozen=True)
class RunReport:
    """One cached run, scored: every table its section shows."""
    title: str                  # "<model>, <condition>"
    tag: str                    # for figure and table names
    model: str
    condition: str
    n: int
    accuracy: tuple[float, float, float]
    provenance: pd.DataFrame
    outcomes: pd.DataFrame
    recall: pd.DataFrame
    confusion: pd.DataFrame
    networks: pd.DataFrame      # empty when no network can be set beside it
    answers: pd.DataFrame


def _provenance(run: dict, prompt_note: str, networks_note: str) -> pd.DataFrame:
    tokens, cost = run.get("tokens", {}), run.get("cost_usd")
    sample = run["sample"]
    return pd.DataFrame({"item": [
        "model", "endpoint", "answers dated", "prompt hash", "prompt", "sampling parameters",
        "records (seed)", "data", "tokens in / out", "cost (list price)", "networks beside"],
        "value": [
        run["model"], run.get("endpoint", "—"),
        f"{run.get('first_date') or '—'} to {run['date'] or '—'}",
        run["prompt_hash"][:16] + "…", prompt_note, parameters_text(run["params"]),
        f"{len(run['items'])} ({sample['seed']}"
        + (", stratified" if sample.get("stratified") else "") + ")",
        f"profile {run.get('profile', '—')}, "
        + ("synthetic twin records" if run.get("synthetic") else "real records"),
        f"{tokens.get('prompt', 0):,} / {tokens.get('completion', 0):,}",
        f"${cost:.2f}" if cost is not None else "unknown for this model", networks_note]})


def _networks(profile, run, answers, n_boot, seed) -> tuple[pd.DataFrame, str]:
    """The networks on the run's records, and a note on what could be set beside it."""
    try:
        nets = networks_beside(profile, run, answers, n_boot, seed)
    except ValueError as exc:
        return pd.DataFrame(), f"not comparable: {exc}"
    if nets.empty:
        return nets, "none trained under this profile yet"
    return nets, ", ".join(nets["classifier"])


def run_report(run: dict, cache, profile, shown_hashes) -> RunReport:
    """Score one cached run (`llm.score.score_run`) and lay out its tables."""
    res = score_run(run, cache, profile.bootstrap, profile.seed)
    title = f"{run['model']}, {run['condition']}"
    acc, lo, hi = res["accuracy"]
    nets, networks_note = _networks(profile, run, res["answers"], profile.bootstrap,
                                    profile.seed)
    prompt_note = ("the one shown above" if run["prompt_hash"] in shown_hashes else
                   "differs from the one shown above; scored under its own hash")
    outcomes = res["outcomes"]
    recall = res["per_class"]
    per_class = pd.DataFrame({
        "class": recall.index, "records": recall["support"].astype(int),
        "correct": recall["correct"].astype(int),
        "recall (95 % CI)": [fmt_ci(v, a, b) if n else "—" for v, a, b, n in zip(
            recall["recall"], recall["recall_low"], recall["recall_high"], recall["support"])]})
    beside = pd.DataFrame()
    if not nets.empty:
        beside = pd.DataFrame({
            "classifier": [title, *nets["classifier"]],
            "records": [f"{res['n']:,}", *(f"{n:,}" for n in nets["records"])],
            "accuracy (95 % CI)": [fmt_ci(acc, lo, hi), *(fmt_ci(v, a, b) for v, a, b in zip(
                nets["accuracy"], nets["accuracy_low"], nets["accuracy_high"]))],
            "only the network right": ["—", *(f"{k:,}" for k in nets["only network right"])],
            "only the LLM right": ["—", *(f"{k:,}" for k in nets["only LLM right"])],
            "McNemar p": ["—", *("< 0.001" if v < 0.001 else fmt_number(v)
                                 for v in nets["McNemar p"])]})
    return RunReport(
        title, f"{run['model']}-{run['condition']}".replace(".", "-").replace("_", "-"),
        run["model"], run["condition"], res["n"], (acc, lo, hi),
        _provenance(run, prompt_note, networks_note),
        pd.DataFrame({"answers read": [*OUTCOMES, MISSING],
                      "records": [int(outcomes[k]) for k in [*OUTCOMES, MISSING]]}),
        per_class, res["confusion"], beside, res["answers"])


def few_shot_pairs(reports: list[RunReport]) -> pd.DataFrame:
    """Zero-shot against each few-shot run of the same model on the same records, with
    McNemar's exact test on the records where exactly one of the two is right."""
    rows = []
    for zero in (r for r in reports if r.condition == "zero-shot"):
        for few in reports:
            if few.model != zero.model or not few.condition.startswith("few-shot") or \
                    list(few.answers["record_id"]) != list(zero.answers["record_id"]):
                continue
            test = mcnemar(few.answers["correct"], zero.answers["correct"])
            rows.append({"model": zero.model, "few-shot condition": few.condition,
                         "zero-shot accuracy": zero.accuracy[0],
                         "few-shot accuracy": few.accuracy[0],
                         "only few-shot right": test["only_a"],
                         "only zero-shot right": test["only_b"], "McNemar p": test["p_value"]})
    return pd.DataFrame(rows)
