"""The convergence rule, the collapse check and the reference edition's bookkeeping."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ecgpaper.evaluation.collapse import collapse_check, run_collapse_check
from ecgpaper.reference import PLAN, collect_run, finished_jobs, load_edition, \
    reference_overrides, run_folder
from ecgpaper.training.convergence import convergence, run_convergence


def test_early_stopping_counts_as_converged():
    c = convergence([0.1, 0.5, 0.6, 0.58, 0.57], stopped_early=True, max_epochs=30)
    assert c.converged and c.reason == "early-stopped" and c.best_epoch == 3


def test_still_rising_at_the_cap_is_not_converged():
    c = convergence([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], stopped_early=False, max_epochs=6)
    assert not c.converged and c.reason == "still-improving"
    assert c.gain_last_third == pytest.approx(0.2)


def test_flat_last_third_is_a_plateau():
    scores = [0.2, 0.4, 0.5, 0.55, 0.6, 0.6, 0.605, 0.604, 0.601]
    c = convergence(scores, stopped_early=False, max_epochs=9)
    assert c.converged and c.reason == "plateau" and c.gain_last_third < 0.01


def test_a_gain_just_above_the_tolerance_is_not_a_plateau():
    c = convergence([0.2, 0.4, 0.5, 0.5, 0.5, 0.515], stopped_early=False)
    assert not c.converged


def test_one_or_two_epochs_cannot_show_a_plateau():
    assert convergence([0.3], stopped_early=False).reason == "too-few-epochs"
    assert not convergence([0.3, 0.3], stopped_early=False).converged
    assert not convergence([], stopped_early=False).converged


def test_run_convergence_prefers_the_stored_value_and_else_reads_the_history():
    stored = convergence([0.1, 0.5, 0.5, 0.5], stopped_early=False).to_dict()
    assert run_convergence({"convergence": stored}).reason == "plateau"
    hist = pd.DataFrame({"val_f1_macro": [0.1, 0.2, 0.3, 0.4]})
    assert run_convergence({"stopped_early": False}, hist).reason == "still-improving"
    assert run_convergence({"stopped_early": False}, None) is None


def test_collapse_onto_a_rare_class_is_flagged():
    y_true = [0] * 40 + [1] * 30 + [2] * 30
    check = collapse_check(y_true, [7] * 90 + [0] * 10)
    assert check.one_class and check.top_prediction == "AT" and not check.learned
    assert check.below_majority and check.majority_class == "SB"
    assert check.majority_accuracy == pytest.approx(0.4)


def test_answering_a_common_class_often_is_not_collapse():
    y_true = [0] * 70 + [1] * 30
    check = collapse_check(y_true, [0] * 70 + [1] * 30)
    assert check.learned and check.top_prediction_share == pytest.approx(0.7)


def test_collapse_check_reads_prediction_frames_and_refuses_mismatched_lengths():
    frame = pd.DataFrame({"label": ["SB", "SR", "SB"], "pred": ["SB", "SR", "AF"]})
    assert run_collapse_check(frame).accuracy == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="equally long"):
        collapse_check([0, 1], [0])


def test_reference_plan_runs_each_job_once_and_matches_the_costly_designs():
    keys = [j.key for j in PLAN]
    assert len(keys) == len(set(keys))
    small = {j.config for j in PLAN if j.twin == "small"}
    assert {"1", "7", "ablation-universal-no-lead-dropout"} <= small   # matched with 7
    assert PLAN[0].config == "1"                                         # most useful first
    o = reference_overrides("database", "w", {"width": 1.0})
    assert o["twin_records"] == 10615 and o["width"] == 1.0 and o["name"] == "reference"
    with pytest.raises(ValueError, match="unknown reference twin"):
        reference_overrides("huge", "w")


def test_collect_run_keeps_the_compact_files_only(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    for name in ("metrics.json", "history.csv", "config.json", "provenance.json"):
        (run / name).write_text("{}" if name.endswith("json") else "epoch\n1\n")
    (run / "best.pt").write_bytes(b"weights")
    pd.DataFrame({"record_id": ["a"], "label": ["SB"], "pred": ["SB"],
                  "prob_SB": [0.123456789]}).to_csv(run / "predictions.csv", index=False)
    dest = run_folder(tmp_path / "out", PLAN[0])
    names = collect_run(run, dest)
    assert "best.pt" not in names and not (dest / "best.pt").exists()
    assert pd.read_csv(dest / "predictions.csv")["prob_SB"][0] == pytest.approx(0.1235)
    assert finished_jobs(tmp_path / "out") == [PLAN[0]]
    assert load_edition(tmp_path / "out") is None
    (tmp_path / "out" / "edition.json").write_text(json.dumps({"jobs": {}}))
    assert load_edition(tmp_path / "out") == {"jobs": {}}


def test_committed_results_are_kept_only_for_the_same_settings_and_generator(tmp_path):
    from ecgpaper.profiles import get_profile
    from ecgpaper.reference import committed_matches
    from ecgpaper.training.artifacts import run_config
    from ecgpaper.training.experiments import get_experiment
    job = PLAN[0]
    profile = get_profile("demo", **reference_overrides(job.twin, tmp_path / "w"))
    config = run_config(get_experiment(job.config), profile, "checksum-a")
    assert not committed_matches(tmp_path, job, config, "6")          # nothing committed
    folder = run_folder(tmp_path, job)
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(config))
    (tmp_path / "edition.json").write_text(json.dumps({"generator_version": "6"}))
    other_twin = run_config(get_experiment(job.config), profile, None)
    assert committed_matches(tmp_path, job, other_twin, "6")
    assert not committed_matches(tmp_path, job, config, "7")          # a newer generator
    longer = get_profile("demo", **reference_overrides(job.twin, tmp_path / "w",
                                                       {"max_epochs": 50}))
    assert not committed_matches(tmp_path, job,
                                 run_config(get_experiment(job.config), longer, None), "6")


def test_an_early_stopped_run_is_kept_under_a_higher_cap_and_restamped(tmp_path):
    """A run its early stopping ended before the old cap is the run a higher cap trains
    (the schedule does not depend on the cap): kept, with the new cap in its files and
    the old one in `trained_under_cap`; a run that reached its cap, or one of other
    settings, is not."""
    from ecgpaper.profiles import get_profile
    from ecgpaper.reference import committed_matches, extends_to, restamp_cap
    from ecgpaper.training.artifacts import config_hash, run_config
    from ecgpaper.training.experiments import get_experiment
    job = PLAN[0]
    exp = get_experiment(job.config)

    def config(**extra):
        profile = get_profile("demo", **reference_overrides(job.twin, tmp_path / "w", extra))
        return run_config(exp, profile, None)
    folder = run_folder(tmp_path, job)
    folder.mkdir(parents=True)
    (tmp_path / "edition.json").write_text(json.dumps({"generator_version": "6"}))
    (folder / "config.json").write_text(json.dumps(config(max_epochs=30)))

    def metrics(stopped_early, epochs_run):
        (folder / "metrics.json").write_text(json.dumps({
            "stopped_early": stopped_early, "epochs_run": epochs_run, "max_epochs": 30,
            "convergence": {"max_epochs": 30, "reason": "early-stopped"}}))
    metrics(False, 30)
    assert not extends_to(tmp_path, job, config(max_epochs=70), "6", neural=True)
    assert extends_to(tmp_path, job, config(max_epochs=70), "6", neural=False)
    metrics(True, 19)
    assert not extends_to(tmp_path, job, config(max_epochs=70, lr=0.01), "6", neural=True)
    assert not extends_to(tmp_path, job, config(max_epochs=70), "7", neural=True)
    assert not extends_to(tmp_path, job, config(max_epochs=15), "6", neural=True)
    new = config(max_epochs=70)
    assert extends_to(tmp_path, job, new, "6", neural=True)
    assert restamp_cap(tmp_path, job, new) == 30
    m = json.loads((folder / "metrics.json").read_text())
    assert m["max_epochs"] == 70 and m["trained_under_cap"] == 30
    assert m["convergence"]["max_epochs"] == 70
    c = json.loads((folder / "config.json").read_text())
    assert c["profile_fields"]["max_epochs"] == 70 and c["hash"] == config_hash(c)
    assert committed_matches(tmp_path, job, new, "6")      # a later run keeps it as is


def test_two_plans_side_by_side_keep_each_others_job_entries(tmp_path):
    """Each run of the plan writes its own job into the edition file as it is on disk,
    so entries another run wrote meanwhile survive."""
    from ecgpaper.reference import record_job
    header = {"settings": {"max_epochs": 70}, "jobs": {"database/1": {"status": "stale"}}}
    record_job(tmp_path, header, "database/2", {"status": "finished"})
    record_job(tmp_path, {"settings": {"max_epochs": 70}}, "database/3", {"status": "finished"})
    edition = load_edition(tmp_path)
    assert edition["settings"] == {"max_epochs": 70}
    assert edition["jobs"] == {"database/2": {"status": "finished"},
                               "database/3": {"status": "finished"}}


def run(name, scores, stopped, cap, predictions):
    """A run's check from its validation scores and test predictions (toy test split)."""
    from ecgpaper.evaluation.run_checks import RunCheck
    return RunCheck(config=name, name=name, twin_records=3000, epochs_run=len(scores),
                    max_epochs=cap, patience=10,
                    convergence=convergence(scores, stopped_early=stopped, max_epochs=cap),
                    collapse=collapse_check([0] * 40 + [1] * 30 + [2] * 30, predictions))


def test_a_comparison_says_when_its_difference_is_not_a_result():
    from ecgpaper.evaluation.run_checks import comparison_verdict
    good = [0] * 40 + [1] * 30 + [2] * 30
    a = run("A", [0.3, 0.6, 0.7, 0.69], True, 150, good)
    b = run("B", [0.3, 0.6, 0.7, 0.69], True, 150, good)
    assert comparison_verdict([a, b]).startswith("Both runs converged")
    rising = run("B", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], False, 30, good)
    text = comparison_verdict([a, rising])
    assert text.startswith("This difference is not a result")
    assert "B had not converged (6 of 30 epochs, still improving)" in text
    assert "epoch caps 30 and 150" in text
    collapsed = run("C", [0.3, 0.6, 0.7, 0.69], True, 150, [7] * 100)
    assert "C learned no more than the majority class" in comparison_verdict([a, collapsed])


def test_the_ranking_sentence_names_the_models_that_cannot_be_ranked():
    from ecgpaper.evaluation.baseline_results import usable_sentence
    good = [0] * 40 + [1] * 30 + [2] * 30
    ok = [run(n, [0.3, 0.6, 0.7, 0.69], True, 150, good) for n in ("1", "2")]
    assert usable_sentence(ok).startswith("All 2 models there converged")
    rising = run("baseline-cnn-gru", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], False, 150, good)
    text = usable_sentence(ok + [rising])
    assert text.startswith("Only 2 of the 3 models") and "CNN-GRU" in text
