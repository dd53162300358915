"""The UniversalECGNet chapter's numbers: the uniform-attention rule, the lead-dropout
ablation as paired differences, Table 5 beside the paper's, and display values."""

from __future__ import annotations

import numpy as np
import pytest

from ecgpaper import paper
from ecgpaper.constants import LEADS
from ecgpaper.evaluation import universal_results as ur
from ecgpaper.profiles import get_profile

from fake_runs import labels, proba_with_accuracy, write_universal

COUNTS = {"SB": 30, "SR": 20, "AFIB": 20, "ST": 20, "SVT": 10, "AF": 8, "SA": 8, "AT": 4}


def _peaked(n: int, lead: str = "II", weight: float = 0.4) -> np.ndarray:
    a = np.full((n, 12), (1 - weight) / 11)
    a[:, LEADS.index(lead)] = weight
    return a


@pytest.fixture()
def profile(tmp_path):
    p = get_profile("demo", work_dir=str(tmp_path), twin_records=120)
    y = labels(COUNTS)
    good = proba_with_accuracy(y, 0.95, seed=1)
    write_universal(p, ur.REF, y, lambda s: good, _peaked(len(y)),
                    masking_check={"records": 16, "present_leads": 7,
                                   "max_attention_on_masked_leads": 0.0,
                                   "max_logit_difference_masked_vs_present_only": 3e-8})
    poor = proba_with_accuracy(y, 0.3, seed=2)
    # without lead dropout: as good on all 12 leads, poor on every reduced set
    write_universal(p, ur.NO_DROPOUT, y, lambda s: good if len(s["leads"]) == 12 else poor,
                    np.full((len(y), 12), 1 / 12))
    return p


def test_uniform_attention_is_recognised_and_a_preference_is_not():
    from ecgpaper.evaluation.lead_sets import attention_ci
    flat = np.full((50, 12), 1 / 12)
    att = ur.lead_attention(flat, attention_ci(flat, n_boot=10))
    assert att.uniform and att.max_deviation == pytest.approx(0)
    peaked = _peaked(50, "V1")
    att = ur.lead_attention(peaked, attention_ci(peaked, n_boot=10))
    assert not att.uniform and att.top_lead == "V1" and att.rank("V1") == 1


def test_uniform_means_with_peaked_records_are_not_uniform():
    """Each record prefers one lead, a different one each time: the means are uniform
    but the network does weight leads, so the rule must not call it uniform."""
    from ecgpaper.evaluation.lead_sets import attention_ci
    a = np.concatenate([_peaked(10, lead, 0.5) for lead in LEADS])
    att = ur.lead_attention(a, attention_ci(a, n_boot=10))
    assert att.max_deviation < ur.UNIFORM_TOLERANCE and not att.uniform


def test_dropout_effect_is_paired_and_finds_the_reduced_set_loss(profile):
    effect = ur.dropout_effect(profile, n_boot=100)
    assert list(effect["name"]) == list(ur.DROPOUT_SETS)
    assert effect.iloc[0]["difference"] == pytest.approx(0)
    reduced = effect.iloc[1:]
    assert (reduced["difference"] < -0.3).all() and reduced["excludes_zero"].all()
    values = ur.glue_values(ur.universal_results(profile, n_boot=50))
    assert values["dropout_12"] == "0.0" and values["dropout_state"] == "finished"
    assert values["dropout_reduced_lost"] == values["dropout_reduced_n"] == "5"


def test_dropout_effect_waits_for_both_runs(tmp_path):
    p = get_profile("demo", work_dir=str(tmp_path))
    y = labels(COUNTS)
    write_universal(p, ur.REF, y, lambda s: proba_with_accuracy(y, 0.9), _peaked(len(y)))
    assert ur.dropout_effect(p) is None
    values = ur.glue_values(ur.universal_results(p, n_boot=20))
    assert values["dropout_state"] == "not finished"
    assert not any(v in ("nan", "None", "") for v in values.values())


def test_glue_values_and_tables_read_the_runs(profile):
    res = ur.universal_results(profile, n_boot=50)
    values = ur.glue_values(res)
    assert values["top_lead"] == "II" and values["attention_verdict"] == "not uniform"
    assert values["masking_exact"] == "exact" and values["masking_records"] == "16"
    assert not any("nan" in v or "None" in v for v in values.values())
    t5 = ur.table5_compare({"ours": res}, "accuracy")
    assert list(t5["paper (reported)"]) == [f"{paper.TABLE5[k]['accuracy']:.3f}"
                                            for k in (12, 6, 3, 1)]
    assert t5["ours (95 % CI)"].str.match(r"0\.\d{3} \(").all()
    assert list(ur.attention_table(res.attention)["lead"]) == list(paper.ATTENTION)
    summary = ur.summary_table({"a": res, "b": res})
    assert list(summary.columns) == ["finding", "a", "b"]
    table = ur.dropout_table(res.dropout)
    assert table.iloc[0]["leads"] == "all 12"
