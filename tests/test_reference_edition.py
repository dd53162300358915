"""The committed reference edition: every finished job has the files the chapters read,
its convergence, and provenance without a machine's paths; its experiment-1 network
scores real recordings."""

from __future__ import annotations

import json
import shutil

import pytest

from ecgpaper.reference import (PLAN, REFERENCE_DIR, SETTINGS, finished_jobs,
                                load_edition, reference_profile, run_folder, score_real)
from ecgpaper.training import artifacts as art

edition = load_edition()
pytestmark = pytest.mark.skipif(edition is None, reason="no reference edition committed")


def test_every_finished_job_has_what_the_chapters_read():
    jobs = finished_jobs()
    assert jobs and jobs[0] == PLAN[0]
    for job in jobs:
        folder = run_folder(REFERENCE_DIR, job)
        for name in ("metrics.json", "predictions.csv", "config.json", "provenance.json"):
            assert (folder / name).is_file(), (job.key, name)
        metrics = json.loads((folder / "metrics.json").read_text())
        assert metrics["n_test"] > 0 and "ci" in metrics
        if "epochs_run" in metrics:
            assert "convergence" in metrics and (folder / "history.csv").is_file()
        assert edition["jobs"][job.key]["status"] == "finished", job.key


def test_provenance_names_no_machine_path():
    for path in REFERENCE_DIR.rglob("*.json"):
        text = path.read_text()
        assert "/work/" not in text and "/home/" not in text and "/tmp/" not in text, path


def test_chapter_functions_read_the_edition():
    profile = reference_profile("database")
    assert profile.twin_records == 10615 and profile.max_epochs == SETTINGS["max_epochs"] == 150
    assert "1" in art.available(profile)
    assert len(art.load_predictions(profile, "1")) == art.load_metrics(profile, "1")["n_test"]


def test_experiment_1_scores_real_recordings(shared_data, tmp_path):
    root = tmp_path / "reference"
    folder = run_folder(root, PLAN[0])
    shutil.copytree(run_folder(REFERENCE_DIR, PLAN[0]), folder)
    result = score_real(shared_data, root)
    assert result["records"] >= 40 and (root / "real.json").is_file()
    overall = result["scores"][result["overall"]]
    assert 0.5 < overall["accuracy"][0] <= 1
    committed = json.loads((REFERENCE_DIR / "real.json").read_text())
    assert committed["records"] == result["records"]
    assert committed["scores"][committed["overall"]]["accuracy"][0] == \
        pytest.approx(overall["accuracy"][0])
