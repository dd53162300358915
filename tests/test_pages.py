"""The chapters' tables and quoted figures (`ecgpaper.pages`), and the notebook helpers
they are shown with, on small made-up inputs whose right answers are known."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecgpaper import paper
from ecgpaper.constants import CLASSES
from ecgpaper.features import morphology
from ecgpaper.pages import data, experiment, features, llm, realism


def made_up_records() -> pd.DataFrame:
    """Ten records: SB and AFIB in every split, AT only in train, the other classes absent."""
    rows = [("SB", "train"), ("SB", "train"), ("SB", "val"), ("SB", "test"),
            ("AFIB", "train"), ("AFIB", "val"), ("AFIB", "test"), ("AFIB", "test"),
            ("AT", "train"), ("AT", "train")]
    return pd.DataFrame({"record_id": [f"JS{i:05d}" for i in range(len(rows))],
                         "label": [r[0] for r in rows], "split": [r[1] for r in rows],
                         "VentricularRate": [50, 52, 54, 56, 110, 120, 130, 140, 100, 0],
                         "AtrialRate": [50, 0, 54, 56, 0, 0, 300, 280, 150, 0],
                         "QRSDuration": [80, 90, 100, 110, 80, 82, 84, 86, 88, 90],
                         "QTInterval": [400] * 10, "PatientAge": [60] * 10})


# --- Data ---------------------------------------------------------------------------------

def test_table1_sets_each_count_beside_the_paper():
    table = data.table1(made_up_records())
    assert list(table.columns) == ["class", "total (ours / paper)", "train (ours / paper)",
                                   "validation (ours / paper)", "test (ours / paper)"]
    sb = table.iloc[CLASSES.index("SB")]
    reported = paper.table1_frame().loc["SB"]
    assert sb["total (ours / paper)"] == f"4 / {reported['total']:,}"
    assert sb["test (ours / paper)"] == f"1 / {reported['test']:,}"
    total = table.iloc[-1]
    assert total["class"] == "Total" and total["train (ours / paper)"].startswith("5 / ")


def test_split_sizes_and_examples_skip_absent_rhythms():
    records = made_up_records()
    assert data.split_sizes(records) == {"data_n_records": 10, "data_n_train": 5,
                                         "data_n_val": 2, "data_n_test": 3, "data_n_rhythms": 3}
    examples = data.rhythm_examples(records)
    assert [e.rhythm for e in examples] == ["SB", "AFIB", "AT"]      # the paper's order
    assert (examples[1].row, examples[1].record_id, examples[1].ventricular_rate) == \
        (4, "JS00004", 110.0)


def test_class_medians_carry_units():
    medians = data.class_medians(made_up_records())
    assert "ventricular rate (bpm)" in medians.columns and "age (years)" in medians.columns
    assert medians.loc["SB", "QRS duration (ms)"] == 95
    assert medians.loc["SR"].isna().all()                 # absent class: a gap, not a zero


def test_quality_calibration_table_and_facts_from_a_made_up_entry(tmp_path):
    """Each damage's outcomes add up to its records; without the file every fact reads
    'not measured', never a number."""
    import json
    entry = {"provenance": {"measured": "2026-01-02T03:04:05", "git_commit": "abcdef0123"},
             "folders": {"ptbxl/records500": 3},
             "calibration": {"records": 3, "refused": [], "flagged": 1,
                             "flags": {"inverted": 1}, "clean_records": 2,
                             "damage": {"all leads inverted": {
                                 "flag": "inverted", "records": 2, "flagged": 1,
                                 "refused": 0, "other_flag": 0, "silent": 1}}}}
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(entry))
    loaded = data.quality_calibration(path)
    table = data.calibration_table(loaded)
    row = table.iloc[0]
    assert row["caught by its flag"] + row["refused"] + row["another flag only"] + \
        row["no word"] == row["records"] == 2
    facts = data.calibration_facts(loaded)
    assert facts["quality_flag_counts"] == "`inverted` 1"
    assert facts["quality_measured"] == "2026-01-02, commit abcdef012"
    assert facts["quality_folders"] == "ptbxl/records500 3"
    assert data.quality_calibration(tmp_path / "missing.json") is None
    assert set(data.calibration_facts(None).values()) == {"not measured"}


def test_real_diagnostics_is_none_without_the_table_and_reads_si_as_sa(tmp_path):
    assert data.real_diagnostics(None) is None
    assert data.real_diagnostics(tmp_path) is None
    folder = tmp_path / "chapman" / "metadata"
    folder.mkdir(parents=True)
    pd.DataFrame({"Rhythm": ["SI", "SB"], "AtrialRate": [70, 50]}).to_excel(
        folder / "Diagnostics.xlsx", index=False)
    assert data.real_diagnostics(tmp_path)["Rhythm"].tolist() == ["SA", "SB"]
    tables = data.measurement_tables(made_up_records(), data.real_diagnostics(tmp_path), "demo")
    assert list(tables) == ["demo profile", "real table"]


# --- Data realism ---------------------------------------------------------------------------

def test_difficulty_reads_the_active_profile_and_the_real_row():
    table = pd.DataFrame({"accuracy": [0.7, 0.8, 0.85], "macro_f1": [0.5, 0.55, 0.6],
                          "macro_auc": [0.9, 0.9, 0.93], "n_train": [100, 7000, 7430],
                          "n_test": [20, 1500, 1593]},
                         index=pd.Index(["active profile", "twin, real database size",
                                         "real table (stored figure, measured 2026-01-01)"],
                                        name="data"))
    result = realism.difficulty(table)
    assert (result.accuracy, result.macro_f1) == (0.7, 0.5)
    assert (result.real_accuracy, result.real_macro_f1) == (0.85, 0.6)
    assert result.real_source == "stored figure, measured 2026-01-01"
    assert "macro-F1" in result.table.columns and "train records" in result.table.columns


# --- Features -------------------------------------------------------------------------------

def made_up_feature_table(records: pd.DataFrame) -> pd.DataFrame:
    """Every feature valid except: r_amp fails on the first four records, hr_mean on the
    last; our heart rate equals VentricularRate except 20 bpm off on record 1."""
    n = len(records)
    table = records[["record_id", "split", "label"]].copy()
    for name in morphology.NAMES:
        table[name] = 1.0
        table[name + morphology.FLAG_SUFFIX] = False
    table.loc[:3, "r_amp" + morphology.FLAG_SUFFIX] = True
    table["hr_mean"] = records["VentricularRate"].astype(float)
    table.loc[1, "hr_mean"] += 20
    table.loc[n - 1, "hr_mean" + morphology.FLAG_SUFFIX] = True
    table["status"] = ["ok"] * (n - 1) + ["too few R peaks"]
    return table


def test_fallbacks_summarise_per_family_and_keep_every_feature():
    records = made_up_records()
    result = features.fallbacks(made_up_feature_table(records),
                                np.flatnonzero(records["split"] == "train"))
    assert len(result.full) == morphology.N_FEATURES
    assert result.full.loc["r_amp", "fallbacks"] == 4
    assert result.full.loc["r_amp", "rate (all records)"] == pytest.approx(0.4)
    assert result.full.loc["r_amp", "rate (train)"] == pytest.approx(0.4)    # 2 of 5
    assert "r_amp" not in result.filtered and "rr_mean" in result.filtered
    assert result.by_family["features"].sum() == morphology.N_FEATURES
    assert result.by_family.loc["R peaks", "highest rate (all records)"] == pytest.approx(0.4)
    assert (result.rate_min, result.n_delineated) == (0.0, 9)
    assert result.failed == {"too few R peaks": 1}


def test_rate_check_counts_detections_off_by_more_than_the_tolerance():
    records = made_up_records()
    check = features.rate_check(made_up_feature_table(records), records,
                                features.classes_present(records))
    assert check.n_checked == 9                     # the last record's rate is a fallback
    assert check.share_off == pytest.approx(1 / 9)
    assert check.by_class.loc["SB"].iloc[0] == pytest.approx(0.25)
    assert check.by_class.loc["AT", "delineated records"] == 1


def test_atrial_zero_counts_per_rhythm_with_a_total():
    records = made_up_records()
    real = pd.DataFrame({"Rhythm": ["SVT", "SVT", "SB"], "AtrialRate": [0, 0, 60]})
    table = features.atrial_zero(records, real)
    assert table.loc["AFIB", "this store"] == 2 and table.loc["AT", "this store"] == 1
    assert table.loc["SVT", "real table"] == 2 and table.loc["SVT", "this store"] == 0
    assert table.loc["all rhythms"].tolist() == [4, 2]
    assert list(features.atrial_zero(records, None).columns) == ["this store"]


@pytest.mark.parametrize("fastest, closest, leads", [
    ("prominence", "prominence", "both"), ("dwt", "prominence", "one"), ("dwt", "peak", "neither")])
def test_delineator_verdict(fastest, closest, leads):
    methods = pd.DataFrame({"method": ["prominence", "dwt", "peak"],
                            "ms_per_record": [5.0, 5.0, 5.0],
                            "qrs_vs_QRSDuration_ms": [9.0, 9.0, 9.0]}).set_index("method",
                                                                                  drop=False)
    methods.loc[fastest, "ms_per_record"] = 1.0
    methods.loc[closest, "qrs_vs_QRSDuration_ms"] = 1.0
    verdict = features.delineator_verdict(methods.reset_index(drop=True), "prominence")
    assert (verdict.fastest, verdict.closest, verdict.leads) == (fastest, closest, leads)


def test_input_widths_follow_our_feature_counts_and_show_the_papers():
    widths = features.input_widths(n_filtered=20).set_index("experiment")
    assert widths.loc["3", "inputs (ours)"] == 14 + morphology.N_FEATURES
    assert widths.loc["6", "inputs (ours)"] == 3 + 20
    assert widths["inputs (paper)"].to_dict() == paper.MLP_INPUTS


# --- LLM vision -----------------------------------------------------------------------------

def fake_report(model, condition, correct):
    answers = pd.DataFrame({"record_id": [f"r{i}" for i in range(len(correct))],
                            "correct": correct})
    return llm.RunReport(f"{model}, {condition}", "tag", model, condition, len(correct),
                         (float(np.mean(correct)), 0.0, 1.0), pd.DataFrame(), pd.DataFrame(),
                         pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), answers)


def test_few_shot_pairs_only_same_model_and_records():
    zero = fake_report("m", "zero-shot", [True, False, False, False])
    few = fake_report("m", "few-shot-1", [True, True, True, False])
    other_model = fake_report("n", "few-shot-1", [True, True, True, True])
    pairs = llm.few_shot_pairs([zero, few, other_model])
    assert len(pairs) == 1
    row = pairs.iloc[0]
    assert (row["only few-shot right"], row["only zero-shot right"]) == (2, 0)
    assert row["few-shot accuracy"] == 0.75
    assert llm.few_shot_pairs([zero]).empty


def test_sample_ids_list_every_class():
    sample = SimpleNamespace(record_ids=("a", "b", "c"), labels=("SB", "AT", "SB"))
    ids = llm.sample_ids(sample).set_index("class")["records"]
    assert ids["SB"] == "a, c" and ids["AT"] == "b" and ids["SR"] == "—"
    assert len(ids) == len(CLASSES)


# --- Experiment -----------------------------------------------------------------------------

def test_convergence_facts_word_every_reason():
    from ecgpaper.training.convergence import convergence
    still = experiment.convergence_facts(convergence([0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
                                                     stopped_early=False, max_epochs=6))
    assert (still["converged"], still["convergence_reason"]) == ("no", "still-improving")
    assert still["convergence_gain"] == "0.200"
    short = experiment.convergence_facts(convergence([0.1], stopped_early=False))
    assert short["convergence_reason"] == "too-few-epochs"
    assert "None" not in short["convergence_gain"]
    assert set(experiment.CONVERGENCE_PHRASES) == {"early-stopped", "plateau",
                                                   "still-improving", "too-few-epochs"}


def test_versus_experiment_1_verdicts():
    def diff(d, lo, hi):
        return SimpleNamespace(difference=d, low=lo, high=hi, excludes_zero=lo > 0 or hi < 0,
                               n_records=36, n_resamples=50)
    facts = experiment.versus_experiment_1({"f1_macro": diff(0.1, 0.02, 0.2),
                                            "accuracy": diff(0.01, -0.05, 0.06)}, False)
    assert facts["vs1_f1_macro_verdict"] == "the interval excludes 0"
    assert facts["vs1_accuracy_verdict"].startswith("the interval includes 0")
    assert (facts["vs1_f1_macro_low"], facts["vs1_n_records"]) == (0.02, 36)
    itself = experiment.versus_experiment_1({"f1_macro": diff(0.0, 0.0, 0.0)}, True)
    assert "this page is experiment 1" in itself["vs1_f1_macro_verdict"]


def test_summary_facts_without_errors_quote_no_confusion():
    summary = SimpleNamespace(best="SB", best_f1=(1.0, 1.0, 1.0), worst="AT",
                              worst_f1=(0.5, 0.2, 0.8), worst_support=2, confusion_true=None,
                              confusion_predicted=None, confusion_count=0, confusion_n_true=0)
    facts = experiment.summary_facts(summary)
    assert facts["top_error"].startswith("none") and facts["top_error_count"] == 0
    assert facts["worst_f1"] == "0.500 (0.200–0.800)"


# --- notebook helpers -----------------------------------------------------------------------

def test_collapsed_block_fence_outlasts_the_table_inside():
    from ecgpaper.notebook import collapsed_block
    inner = ":::{table} caption\n:name: t\n\n| a |\n|---|\n| 1 |\n:::"
    block = collapsed_block(inner, "All rows")
    assert block.startswith("::::{dropdown} All rows\n") and block.endswith("\n::::")
    assert inner in block


def test_data_note_phrases_name_the_source():
    from ecgpaper.notebook import data_kind, data_source
    from ecgpaper.profiles import get_profile
    demo = get_profile("demo", twin_records=240)
    assert data_kind(demo) == "Synthetic data."
    assert "synthetic Chapman twin" in data_source(demo) and "240 records" in data_source(demo)


def test_counts_carry_their_noun_and_differences_no_negative_zero():
    from ecgpaper.pages import counted
    assert counted(1, "epoch") == "1 epoch" and counted(0, "cached run") == "0 cached runs"
    assert counted(1593, "test record") == "1,593 test records"
    tiny = SimpleNamespace(difference=-0.0001, low=-0.0004, high=0.0002, excludes_zero=False,
                           n_records=36, n_resamples=50)
    facts = experiment.versus_experiment_1({"accuracy": tiny}, False)
    assert f"{facts['vs1_accuracy']:+.3f}" == "+0.000"
    assert f"{facts['vs1_accuracy_low']:+.3f}" == "+0.000"


def test_external_abstract_sentence_prefers_the_reference_edition_and_says_when_none():
    from ecgpaper.pages import external as pe
    facts = {"external_scored_ref1": "47", "external_accuracy_harmonised_ref1": "0.79",
             "external_scored_1": "47", "external_accuracy_harmonised_1": "0.50"}
    assert pe.abstract_sentence(facts).startswith(
        "On 47 real recordings of other databases, with sinus labels harmonised by heart "
        "rate, the reference edition's experiment 1 reaches an accuracy of 0.79")
    build_only = {**facts, "external_scored_ref1": pe.NOT_MEASURED}
    assert "this build's experiment 1 reaches an accuracy of 0.50" in \
        pe.abstract_sentence(build_only)
    none = {k: pe.NOT_MEASURED for k in facts}
    assert pe.abstract_sentence(none) == ("No real recordings were beside this build, so "
                                          "the External validation chapter scored none.")
