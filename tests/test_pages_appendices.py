"""The tables and quoted figures of the Training, Training runs, Performance, Deployment
and Provenance chapters (`ecgpaper.pages`), on small made-up inputs whose right answers
are known."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from ecgpaper.constants import LEADS
from ecgpaper.pages import deployment, performance, provenance, runs, training
from ecgpaper.profiles import get_profile
from ecgpaper.scheduling import BUILD_JOBS, BUILD_STARTED
from ecgpaper.training.experiments import get_experiment

# --- Training -----------------------------------------------------------------------------


def test_table2_reads_the_code_and_counts_epochs_in_words():
    demo = get_profile("demo", max_epochs=1)
    table = training.table2(demo, get_profile("full"))
    assert list(table.columns) == ["setting", "paper (Table 2)", "this code, full profile",
                                   "this code, demo profile"]
    rows = table.set_index("setting")
    assert rows.loc["Optimizer", "this code, full profile"] == "AdamW"
    assert rows.loc["Early stopping", "this code, demo profile"].endswith("(at most 1 epoch)")
    assert "epochs)" in rows.loc["Early stopping", "this code, full profile"]
    assert rows.loc["Optimizer", "this code, demo profile"] == "same"
    assert list(training.table2(get_profile("full"), get_profile("full")).columns) == [
        "setting", "paper (Table 2)", "this code, full profile"]


def test_each_augmentation_alone_changes_the_recording_and_masks_are_counted():
    rng = np.random.default_rng(0)
    signal = rng.normal(0, 100, (len(LEADS), 1000)).astype(np.float32)
    variants = training.augmentations_alone(signal, 100, seed=1)
    assert list(variants) == ["original", *training.ALONE]
    assert np.allclose(variants["original"], signal[[LEADS.index("II"), LEADS.index("V1")]])
    for name in training.ALONE:
        assert variants[name].shape == (2, 1000)
        assert not np.allclose(variants[name], variants["original"]), name
    assert np.allclose(variants["gain ×1.2"], 1.2 * variants["original"], rtol=1e-5)
    masks = training.dropout_masks(seed=3, batches=8, per_batch=6)
    assert masks.shape == (8, 6, len(LEADS)) and masks.dtype == bool
    facts = training.training_facts(get_profile("demo", max_epochs=1), masks)
    full = int(masks.all(axis=(1, 2)).sum())
    assert facts["training_max_epochs"] == "1 epoch"
    assert facts["training_dropout_full_batches"] == f"{full} batch{'' if full == 1 else 'es'}"


# --- Training runs ------------------------------------------------------------------------


def made_up_runs(names):
    return [{"epochs_run": 1, "timing": {"train_seconds": 2.25}, "reused": k == 0,
             "metrics": {"accuracy": 0.5}} for k, _ in enumerate(names)]


def test_runs_table_says_what_each_run_changes_and_its_epochs_against_the_cap():
    names = ["ablation-no-se", "ablation-no-smoothing", "seed-1-1", "baseline-rescnn-bigru",
             "baseline-gbm"]
    experiments = [get_experiment(n) for n in names]
    table = runs.runs_table(get_profile("demo", max_epochs=3), experiments, made_up_runs(names))
    rows = table.set_index("run name")
    assert rows.loc["ablation-no-se", "differs from the paper's recipe in"] == "SE blocks: no"
    assert rows.loc["ablation-no-smoothing",
                    "differs from the paper's recipe in"] == "label smoothing: 0"
    assert rows.loc["seed-1-1", "differs from the paper's recipe in"] == "seed offset: 1"
    assert rows.loc["baseline-gbm", "differs from the paper's recipe in"] == "model family"
    assert rows.loc["ablation-no-se", "epochs run / cap"] == "1 / 3"
    assert rows.loc["baseline-gbm", "epochs run / cap"] == "—"
    assert rows.loc["baseline-rescnn-bigru", "demo: smaller network"] == "channels 32"
    assert rows.loc["seed-1-1", "training seconds"] == "2.2"
    assert rows.loc["seed-1-1", "test accuracy"] == "0.500"
    full = runs.runs_table(get_profile("full"), experiments, made_up_runs(names))
    assert "demo: smaller network" not in full.columns


def test_run_facts_count_in_words():
    facts = runs.run_facts(made_up_runs(["a"]))
    assert facts == {"runs_seconds": "2.2", "runs_reused": 1, "runs_count": "1 run"}
    assert runs.run_facts(made_up_runs(["a", "b", "c"]))["runs_count"] == "3 runs"


# --- Performance --------------------------------------------------------------------------


def test_prepare_and_twin_facts_check_the_targets():
    prep = pd.DataFrame({"full_database_s": [678.3, 12.04]}, index=pd.Index(
        ["prepare store from chapman-csv (parallel)", "first pass over a fresh store"],
        name="measurement"))
    facts = performance.prepare_facts(prep)
    assert facts == {"performance_prepare_csv_s": "678.3",
                     "performance_prepare_csv_met": "not met",
                     "performance_store_pass_s": "12.0", "performance_store_pass_met": "not met"}
    fast = performance.twin_facts(pd.DataFrame({"records_per_s": [55.0]}))
    assert fast == {"performance_twin_records_per_s": "55.0", "performance_twin_met": "met"}
    assert performance.target_facts()["performance_target_store_pass_s"] == "2"


def test_timing_tables_drop_the_device_and_count_epochs():
    times = pd.DataFrame({"configuration": ["a", "b"], "epochs": [1.0, None],
                          "device": ["cpu", "cpu"], "threads": [1, 1],
                          "training seconds": [3.0, 120.5]},
                         index=pd.Index(["x", "y"], name="experiment"))
    table = performance.timing_table(times)
    assert list(table.columns) == ["experiment", "configuration", "epochs", "training seconds"]
    assert table["epochs"].tolist() == ["1", "—"]
    assert table["training seconds"].tolist() == ["3.0", "120.5"]
    facts = performance.training_facts(times, times, demo=False)
    assert facts["performance_train_minutes"] == "2.1"
    assert facts["performance_train_met"] == "the target is for the demo profile"
    assert facts["performance_times_device"] == "CPU, 1 thread"
    assert performance.training_facts(times, times, demo=True)["performance_train_met"] == "met"


def test_measured_table_moves_shared_settings_to_the_caption_and_finds_the_serving_figure():
    records = [{"model": "SE-ResNet18", "backend": b, "device": "cpu", "width": 1.0,
                "stage": "end to end", "n": 12, "p50_ms": ms, "p95_ms": ms + 10,
                "p99_ms": ms + 20, "errors": 0} for b, ms in (("torch", 114.9), ("onnx", 98.25))]
    entry = {"benchmark": "serve", "records": records}
    table, shared = performance.measured_table(entry)
    assert shared == "model SE-ResNet18; device cpu; width 1; stage end to end; requests 12"
    assert list(table.columns) == ["backend", "median (ms)", "95th percentile (ms)"]
    assert table["median (ms)"].tolist() == ["114.9", "98.2"]
    facts = performance.serve_facts([entry], 47)
    assert facts["performance_serve_backend"] == "onnx"
    assert facts["performance_serve_ms"] == "98.2" and facts["performance_serve_met"] == "not met"
    assert facts["performance_paper_serve_ms"] == "47"
    assert performance.serve_facts([], 47)["performance_serve_ms"] == "—"


# --- Deployment ---------------------------------------------------------------------------


def made_up_store():
    signal = np.arange(len(LEADS) * 8, dtype=float).reshape(len(LEADS), 8) + 0.04
    return SimpleNamespace(fs=100, signal=lambda row: signal * (row + 1),
                           index=pd.DataFrame({"record_id": ["R0", "R1"], "label": ["SB", "AF"]}))


def test_request_body_names_every_lead_and_the_preview_is_short():
    body = deployment.request_body(made_up_store(), 1, ("II", "V1"))
    assert body["fs"] == 100 and body["units"] == "uV" and body["record_id"] == "R1"
    assert list(body["leads"]) == ["II", "V1"]
    assert body["leads"]["II"][:2] == [16.1, 18.1]
    shown = deployment.preview(deployment.request_body(made_up_store(), 0))
    assert shown.startswith("```json\n") and shown.endswith("\n```")
    assert '"I"' in shown and '"II"' in shown and '"III"' not in shown and "…" in shown


def test_latency_and_precision_tables_and_facts():
    stats = {"12 leads": {"n": 10, "p50_ms": 163.84, "p95_ms": 218.2},
             "lead II": {"n": 10, "p50_ms": 48.1, "p95_ms": 77.25}}
    table = deployment.latency_table(stats, stats, 47)
    assert table["backend"].tolist()[-1] == "paper (reported)"
    assert table["median (ms)"].tolist() == ["163.8", "48.1", "163.8", "48.1", "47.0"]
    assert table["requests"].tolist()[-1] == "—"
    precision = pd.DataFrame({"backend": ["torch", "onnx", "onnx-int8", "onnx-fp16"],
                              "median_ms": [2.0, 1.0, 0.5, 0.8], "file_mb": [0.6] * 4,
                              "records": [40] * 4, "identical_share": [1, 1, 0.975, 1.0],
                              "max_abs_diff": [0, 0, 0.02, 0.001]})
    shown = deployment.precision_table(precision)
    assert shown["backend"].tolist()[2] == "ONNX Runtime int8"
    assert shown["same class as fp32 (%)"].tolist()[2] == "97.5"
    facts = deployment.precision_facts(precision, 0.995)
    assert facts["deployment_int8_verdict"] == "misses"
    assert facts["deployment_int8_records"] == "40 test records"
    assert facts["deployment_int8_speedup"] == "2.0" and facts["deployment_fp16_same"] == "100.0"


# --- Provenance ---------------------------------------------------------------------------


def made_up_chapters() -> pd.DataFrame:
    return pd.DataFrame({"chapter": ["data", "performance"], "seconds": [61.0, 119.0],
                         "git_commit": ["unknown (not", "unknown (not"],
                         "data_checksum": ["038781c41143"] * 2, "seed": [42, 42],
                         "profile": ["demo", "demo"]})


def test_provenance_tables_and_build_facts():
    chapters = made_up_chapters()
    assert provenance.chapter_table(chapters)["git_commit"].tolist() == ["unknown"] * 2
    assert provenance.consistency_table(chapters)["same on every page"].all()
    env = {BUILD_STARTED: "1000.0", BUILD_JOBS: "1"}
    facts = provenance.build_facts(chapters, env, now=1000.0 + 390)
    assert facts == {"repro_n_chapters": "2 chapters", "repro_total_minutes": "3.0",
                     "repro_jobs": "1 chapter", "repro_wall_minutes": "6.5 minutes"}
    assert provenance.build_facts(chapters, {})["repro_wall_minutes"].startswith("not recorded")
    table = provenance.profile_table({"max_epochs": 1, "data_dir": None, "compile": False,
                                      "extra": {}})
    assert table["value"].tolist() == ["1", "—", "no"]
    assert table.iloc[0, 0] == "`max_epochs`"
    from ecgpaper.paths import REPO_ROOT
    folders = provenance.profile_table({"external_dir": "/home/someone/ecg/ptbxl",
                                        "work_dir": str(REPO_ROOT / "_work"),
                                        "data_dir": "data/chapman"})
    assert folders["value"].tolist() == ["…/ecg/ptbxl", "_work", "data/chapman"]
    entry = provenance.citation("0.1.0", "abc123", "demo", 2026)
    assert entry.startswith("@misc{ecgpaper_book,") and "commit abc123, profile demo" in entry
