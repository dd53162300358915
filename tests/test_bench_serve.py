"""`bench serve`'s derived columns and the service's thread split, on made-up numbers."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from ecgpaper.benchmarks.serve import with_overhead
from ecgpaper.commands.serve import model_threads


def table(rows):
    base = {"model": "SE-ResNet18", "leads": 12, "backend": "onnx", "device": "cpu"}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_overhead_is_the_http_p50_minus_the_model_p50_and_share_uses_all_cores():
    out = with_overhead(table([
        {"stage": "model", "p50_ms": 8.0, "req_per_s": None},
        {"stage": "model, 2 at once", "p50_ms": 8.5, "req_per_s": 230.0},
        {"stage": "end to end, binary", "p50_ms": 10.5, "req_per_s": None},
        {"stage": "load, 4 clients", "p50_ms": 20.0, "req_per_s": 200.0}]))
    by = out.set_index("stage")
    assert by.loc["end to end, binary", "overhead_ms"] == pytest.approx(2.5)
    assert pd.isna(by.loc["model", "overhead_ms"]) and pd.isna(by.loc["model, 2 at once",
                                                                       "overhead_ms"])
    # 200 req/s against the 230 the model alone sustains on both cores, not 1000 / 8
    assert by.loc["load, 4 clients", "share_of_model_rate"] == pytest.approx(200 / 230)


def test_share_falls_back_to_one_call_at_a_time_in_older_tables():
    out = with_overhead(table([{"stage": "model", "p50_ms": 10.0, "req_per_s": None},
                               {"stage": "load, 4 clients", "p50_ms": 30, "req_per_s": 50.0}]))
    assert out.set_index("stage").loc["load, 4 clients", "share_of_model_rate"] == \
        pytest.approx(0.5)


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="Linux only")
def test_inferences_at_once_share_the_cores(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)))
    assert model_threads(1) == 8
    assert model_threads(4) == 2
    assert model_threads(16) == 1
    assert model_threads(2, asked=3) == 3


def test_paper_size_table_takes_only_the_full_width_se_resnet_and_adds_the_paper():
    from ecgpaper.pages.deployment import paper_size_latency
    rec = {"model": "SE-ResNet18", "width": 1.0, "backend": "onnx-int8", "device": "cpu"}
    entry = {"benchmark": "serve", "provenance": {"device": {"kind": "cpu", "cores": 2}},
             "records": [{**rec, "stage": "model", "p50_ms": 7.9},
                         {**rec, "stage": "end to end", "p50_ms": 18.3},
                         {**rec, "stage": "end to end, binary", "p50_ms": 9.4},
                         {**rec, "width": 0.125, "stage": "model", "p50_ms": 0.2},
                         {**rec, "model": "UniversalECGNet", "stage": "model", "p50_ms": 30}]}
    table = paper_size_latency([entry, {"benchmark": "train", "records": []}], 47)
    assert list(table.iloc[:, 0]) == ["ONNX Runtime int8", "paper (reported)"]
    assert list(table.iloc[0, 2:]) == ["7.9", "18.3", "9.4"]
    assert table.iloc[1, 3] == "47.0" and table.iloc[1, 1] == "RTX 3060 GPU"
    assert len(paper_size_latency([], 47)) == 1
