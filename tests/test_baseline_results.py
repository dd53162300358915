"""The Baselines chapter's numbers: the extended Table 3, paired differences against
experiment 1 and between the non-neural baselines and the networks, and costs."""

from __future__ import annotations

import pytest

from ecgpaper.evaluation import baseline_results as br
from ecgpaper.profiles import get_profile
from ecgpaper.training.experiments import EXPERIMENTS

from fake_runs import labels, proba_with_accuracy, write_run

COUNTS = {"SB": 60, "SR": 40, "AFIB": 40, "ST": 40, "SVT": 20, "AF": 20, "SA": 20, "AT": 10}


@pytest.fixture()
def profile(tmp_path):
    p = get_profile("demo", work_dir=str(tmp_path), bootstrap=100)
    y = labels(COUNTS)
    write_run(p, "1", y, proba_with_accuracy(y, 0.6, seed=1),
              input={"n_features": 0}, timing={"train_seconds": 120.0})
    write_run(p, "baseline-cnn-gru", y, proba_with_accuracy(y, 0.95, seed=2),
              input={"n_features": 0}, timing={"train_seconds": 60.0})
    write_run(p, "baseline-gbm", y, proba_with_accuracy(y, 0.9, seed=3))
    write_run(p, "baseline-rules", y, proba_with_accuracy(y, 0.2, seed=4))
    return p


def test_paired_comparisons_name_who_beats_whom(profile):
    res = br.baseline_results(profile, n_boot=100)
    assert list(res.scores["config"]) == ["1", "baseline-cnn-gru", "baseline-gbm",
                                          "baseline-rules"]
    assert res.best["config"] == "baseline-cnn-gru"
    assert br.beaten_by(res.floor, "baseline-gbm") == ["experiment 1"]
    assert br.beaten_by(res.floor, "baseline-rules") == []
    values = br.glue_values(res)
    assert values["gbm_beats"] == "experiment 1" and values["gbm_beats_n"] == "1"
    assert values["rules_beats"] == "none" and values["networks_n"] == "2"
    assert values["designs_better"] == "Lightweight CNN-GRU"
    assert values["designs_worse"] == "none" and values["designs_n"] == "1"


def test_tables_for_reading(profile):
    res = br.baseline_results(profile, n_boot=50)
    scores = br.scores_table(res).set_index("model")
    first = scores.loc["experiment 1 (Signal only)"]
    assert first["paper's macro-F1"] == f"{EXPERIMENTS['1'].paper['f1_macro']:.3f}"
    assert scores.loc["Rule-based", "paper's macro-F1"] == "—"
    assert len(scores.columns) == 5                     # the page's width: six columns
    floor = br.floor_table(res.floor)
    assert list(floor.columns) == ["network", "Gradient boosting (metadata) − network",
                                   "Rule-based − network"]
    assert list(floor["network"]) == ["experiment 1 (Signal only)", "Lightweight CNN-GRU"]
    diffs = br.difference_table(res.designs_vs_reference)
    assert diffs.iloc[0]["interval"] == "excludes 0"
    assert diffs.iloc[0]["macro-F1 difference (paired 95 % CI)"].startswith("+0.")
    summary = br.summary_table({"a": res})
    assert summary.set_index("finding").loc["rule-based, macro-F1", "a"] == \
        br.glue_values(res)["rules_f1"]


def test_an_unfinished_pair_is_not_measured(profile):
    import shutil
    from ecgpaper.training import artifacts as art
    shutil.rmtree(art.experiment_dir(profile, "baseline-cnn-gru"))
    values = br.glue_values(br.baseline_results(profile, n_boot=20))
    assert values["designs_better"] == values["designs_worse"] == "not measured yet"
    assert br.versus(profile, "1", ["baseline-multiscale-se"]).empty
    assert br.difference_values(br.versus(profile, "1", ["baseline-multiscale-se"])) \
        .startswith("not measured")


def test_cost_is_measured_on_the_architecture(profile):
    from ecgpaper.models.registry import build_model, n_parameters
    from ecgpaper.training.experiments import get_experiment
    from ecgpaper.training.settings import model_config
    row = br.model_cost_row(profile, "baseline-cnn-gru")
    model = build_model(model_config(profile, get_experiment("baseline-cnn-gru"), 0))
    assert row["parameters"] == n_parameters(model)
    assert row["GFLOP per record"] > 0 and row["training (min)"] == pytest.approx(1.0)
    table = br.cost_table([row])
    assert table.iloc[0]["training (min)"] == "1.0"


def test_design_notes_quote_each_modules_choices():
    notes = br.design_notes()
    assert set(notes) == set(br.DESIGNS)
    for text in notes.values():
        assert "our" in text.lower() and "\n" not in text and len(text) > 200


def test_not_usable_names_the_runs_that_cannot_carry_a_conclusion(profile):
    from ecgpaper.evaluation.run_checks import run_checks
    checks = run_checks(profile, br.entries())
    named = br.not_usable(checks)
    assert "Rule-based" in named and "Lightweight CNN-GRU" not in named
