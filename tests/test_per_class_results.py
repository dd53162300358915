"""The per-class chapter's numbers: hardest classes, Wilson intervals for small classes,
Table 6 beside the paper's, and the named confusions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecgpaper import paper
from ecgpaper.constants import CLASSES
from ecgpaper.evaluation import per_class_results as pc
from ecgpaper.profiles import get_profile

from fake_runs import labels, proba_with_accuracy, write_run


def test_hardest_orders_by_f1_leaves_out_undefined_and_breaks_ties_by_class_order():
    f1 = pd.Series({"SB": 0.9, "SR": 0.4, "AFIB": 0.4, "ST": np.nan, "AT": 0.1})
    assert pc.hardest(f1) == ["AT", "SR", "AFIB"]
    assert pc.hardest(f1, k=1) == ["AT"]


def test_paper_hardest_are_its_three_lowest_f1_classes():
    f1 = {c: row[3] for c, row in paper.TABLE6.items()}
    assert pc.paper_hardest() == sorted(f1, key=f1.get)[:3]


@pytest.fixture()
def run(tmp_path):
    p = get_profile("demo", work_dir=str(tmp_path), bootstrap=100)
    y = labels({"SB": 60, "SR": 40, "AFIB": 40, "ST": 40, "SVT": 25, "AF": 25, "SA": 25,
                "AT": 6})
    proba = proba_with_accuracy(y, 0.9, seed=3)
    af, at = np.flatnonzero(y == CLASSES.index("AF")), np.flatnonzero(y == CLASSES.index("AT"))
    proba[af[:5]] = np.eye(8)[CLASSES.index("AFIB")]         # five flutters read as AFIB
    proba[at[:3]] = np.eye(8)[CLASSES.index("SVT")]          # half the AT as SVT
    write_run(p, "2", y, proba)
    return p


def test_per_class_results_of_a_run(run):
    res = pc.per_class_results(run, "2")
    assert "AT" in res.wilson_classes and "SB" not in res.wilson_classes   # AT: under 20
    assert res.hardest[0] == "AT"
    values = pc.glue_values(res)
    assert int(values["AF_confused"]) >= 5 and values["AF_n"] == "25"
    assert values["AT_n"] == "6" and "AT" in values["wilson"]
    assert not any(v in ("nan", "None") or "nan" in v for v in values.values())


def test_tables_for_reading(run):
    res = pc.per_class_results(run, "2")
    part = pc.table6_part(res, ("sensitivity", "f1"))
    assert list(part.columns) == ["class", "sensitivity, ours (95 % CI)",
                                  "sensitivity, paper", "F1, ours (95 % CI)", "F1, paper",
                                  "test records, ours / paper", "interval, ours"]
    assert part.set_index("class").loc["AT", "interval, ours"] == "Wilson"
    assert part.set_index("class").loc["SB", "interval, ours"].startswith("bootstrap")
    assert "test records, ours / paper" not in pc.table6_part(res, ("specificity", "ppv"))
    side = pc.f1_side_by_side({"reference": res, "build": res})
    assert side.shape == (8, 7) and side["F1, paper"].iloc[0] == f"{paper.TABLE6['SB'][3]:.3f}"
    confusions = pc.confusions_table(res)
    assert confusions.set_index("true class").loc["AT", "paper (reported)"] == "no count given"


def test_configurations_lists_the_papers_choice_first_and_each_once(run):
    assert pc.configurations(run, "2", "2") == ["2"]
    assert pc.configurations(run, "5", "2") == ["2"]          # 5 has not finished
    assert pc.configurations(run, None, "2") == ["2"]
