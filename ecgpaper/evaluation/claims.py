"""Verdicts on the paper's claims that the ablation, universal and baseline chapters
test, as sentences for the Conclusion's claims table, computed from stored artifacts.
Each returns "checked: ..." with our numbers, or "not checked yet: ..." naming the
missing run."""

from __future__ import annotations

import numpy as np

from ..constants import CLASSES, LEADS
from ..paper import ATTENTION, LEAD_DROPOUT_ABLATION_DROP
from ..report import fmt_ci, fmt_number
from ..training import artifacts as art
from ..training.experiments import get_experiment
from ..training.settings import effective_profile
from ..training.variants import ABLATION_REFERENCE
from . import variants as ev
from .lead_sets import attention_ci, set_metrics


def _missing(profile, names) -> list[str]:
    return [n for n in names if n not in art.available(profile, list(names))]


def _not_yet(missing) -> str:
    return "not checked yet: run " + ", ".join(f"`ecgpaper train -e {m}`" for m in missing)


def se_minority_f1(profile) -> str:
    runs = {"se": ABLATION_REFERENCE, "plain": "ablation-no-se"}
    missing = _missing(profile, runs.values())
    if missing:
        return _not_yet(missing)
    t = ev.per_class_pair(profile, runs, "f1", min(profile.bootstrap, 200))
    gains = {c: t.loc[c, "se"] - t.loc[c, "plain"] for c in ev.MINORITY}
    return ("checked: minority-class F1, SE minus plain ResNet-18: "
            + ", ".join(f"{c} {fmt_number(g)}" for c, g in gains.items())
            + f" (mean {fmt_number(float(np.nanmean(list(gains.values()))))}; paper +0.03 to "
            "+0.05).")


def smoothing_calibration(profile) -> str:
    runs = {"with": ABLATION_REFERENCE, "without": "ablation-no-smoothing"}
    missing = _missing(profile, runs.values())
    if missing:
        return _not_yet(missing)
    cal = ev.calibration_table(profile, runs, min(profile.bootstrap, 200)).set_index(
        "configuration")
    f = lambda k: fmt_ci(*cal.loc[k, ["ece", "ece_low", "ece_high"]])
    better = cal.loc["with", "ece"] < cal.loc["without", "ece"]
    return (f"checked: expected calibration error {f('with')} with smoothing, "
            f"{f('without')} without ({'lower' if better else 'not lower'} with smoothing).")


def _accuracy_by_set(profile, name: str, y) -> dict:
    specs, proba, _ = art.load_lead_sets(effective_profile(profile, get_experiment(name)), name)
    return set_metrics(specs, proba, y).set_index("name")["accuracy"].to_dict()


def _test_labels(profile, name: str) -> np.ndarray:
    pred = art.load_predictions(effective_profile(profile, get_experiment(name)), name)
    return pred["label"].astype(str).map({c: i for i, c in enumerate(CLASSES)}).to_numpy()


def lead_dropout(profile) -> str:
    ref, off = "7", "ablation-universal-no-lead-dropout"
    missing = _missing(profile, (ref, off))
    if missing:
        return _not_yet(missing)
    y = _test_labels(profile, ref)
    a, b = _accuracy_by_set(profile, ref, y), _accuracy_by_set(profile, off, y)
    reduced = ["table5-6", "table5-3", "table5-1"]
    diffs = [100 * (b[k] - a[k]) for k in reduced]
    low, high = LEAD_DROPOUT_ABLATION_DROP
    return (f"checked: without lead dropout, 12 leads {fmt_number(100 * (b['table5-12'] - a['table5-12']), 1)}"
            f" points; 6/3/1 leads " + " / ".join(fmt_number(d, 1) for d in diffs)
            + f" points (paper: 12 leads unchanged, reduced sets −{low:.0%} to −{high:.0%}).")


def lead_attention(profile) -> str:
    if _missing(profile, ["7"]):
        return _not_yet(["7"])
    specs, _, attn = art.load_lead_sets(effective_profile(profile, get_experiment("7")), "7")
    a12 = attn[[s["name"] for s in specs].index("table5-12")]
    t = attention_ci(a12, n_boot=min(profile.bootstrap, 200), seed=profile.seed)
    t = t[t["class"] == "all"].set_index("lead").reindex(list(LEADS))
    top = t["mean"].idxmax()
    named = "; ".join(f"{lead} {fmt_ci(*t.loc[lead, ['mean', 'low', 'high']])}"
                      for lead in ATTENTION)
    return f"checked: highest mean attention on lead {top}; {named}."


def seed_variation(profile) -> str:
    names = [f"seed-{e}-{k}" for e in ("1", "2") for k in range(3)]
    missing = _missing(profile, names)
    if missing:
        return _not_yet(missing)
    from .tables import table3
    s = ev.seed_summary(profile, {"1": names[:3], "2": names[3:]})
    sd = float(np.nanmean(s["f1_macro sd"]))
    t3 = table3(profile)
    spread = float(t3["f1_macro"].max() - t3["f1_macro"].min()) if len(t3) else float("nan")
    return (f"checked: macro-F1 sd between three seeds {fmt_number(sd)} (experiments 1 and 2); "
            f"the seven configurations span {fmt_number(spread)}.")
