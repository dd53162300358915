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
        {"stage": "checks", "p50_ms": 1.5, "req_per_s": None},
        {"stage": "end to end, binary", "p50_ms": 10.5, "req_per_s": None},
        {"stage": "load, 4 clients", "p50_ms": 20.0, "req_per_s": 200.0}]))
    by = out.set_index("stage")
    assert by.loc["end to end, binary", "overhead_ms"] == pytest.approx(2.5)
    assert pd.isna(by.loc["checks", "overhead_ms"])        # not an HTTP row
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


def test_a_paired_overhead_is_kept_and_others_are_filled_in():
    out = with_overhead(table([
        {"stage": "model", "p50_ms": 8.0, "req_per_s": None},
        {"stage": "end to end", "p50_ms": 12.0, "req_per_s": None, "overhead_ms": 1.5},
        {"stage": "end to end, binary", "p50_ms": 10.5, "req_per_s": None}]))
    by = out.set_index("stage")
    assert by.loc["end to end", "overhead_ms"] == pytest.approx(1.5)      # paired, kept
    assert by.loc["end to end, binary", "overhead_ms"] == pytest.approx(2.5)
    assert pd.isna(by.loc["model", "overhead_ms"])


def test_paired_overhead_is_what_the_server_adds_to_the_call():
    """A stub service that answers after 30 ms, a 'network call' of 5 ms: the paired
    overhead is the 25 ms the server adds, the requests' p50 the full 30 ms."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from ecgpaper.benchmarks.http_load import paired_overhead

    class Slow(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(0.03)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        stats, extra, errors = paired_overhead(lambda: time.sleep(0.005), url, b"{}", 6)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert errors == 0 and stats["n"] == 6
    assert stats["p50_ms"] >= 30 and 20 <= extra <= stats["p50_ms"] - 4


def test_run_quick_names_an_unknown_benchmark():
    from ecgpaper.benchmarks.registry import run_quick
    with pytest.raises(ValueError, match=r"unknown benchmark\(s\) \['nope'\], expected some "
                                         r"of \['models', 'prepare', 'serve', 'train', 'twin'\]"):
        run_quick(("nope",))


def _serve_entry(binary_overhead: float, share: float, name: str = "Test CPU") -> dict:
    rows = []
    for backend in ("torch", "onnx"):
        rec = {"model": "SE-ResNet18", "width": 1.0, "backend": backend, "device": "cpu",
               "leads": 12}
        rows += [{**rec, "stage": "model", "p50_ms": 10.0, "req_per_s": None},
                 {**rec, "stage": "checks", "p50_ms": 2.5, "req_per_s": None},
                 {**rec, "stage": "model, 2 at once", "p50_ms": 11.0, "req_per_s": 100.0},
                 {**rec, "stage": "end to end", "p50_ms": 19.0, "req_per_s": None,
                  "overhead_ms": 9.0},
                 {**rec, "stage": "end to end, binary", "p50_ms": 12.0, "req_per_s": None,
                  "overhead_ms": binary_overhead},
                 {**rec, "stage": "load, 4 clients", "p50_ms": 40.0, "p99_ms": 55.0,
                  "req_per_s": 100.0 * share}]
    records = with_overhead(pd.DataFrame(rows)).to_dict(orient="records")
    return {"benchmark": "serve", "records": records,
            "provenance": {"device": {"name": name, "cores": 2}}}


def test_serve_targets_are_judged_from_the_committed_numbers():
    from ecgpaper.pages.serve_targets import checks_table, serve_target_facts, \
        serve_targets, serve_targets_table
    targets = serve_targets([_serve_entry(2.5, 0.85), _serve_entry(3.5, 0.70, "Other CPU"),
                             {"benchmark": "train", "records": []}])
    assert len(targets) == 4
    onnx = targets[targets["backend"] == "ONNX Runtime fp32"].set_index("machine")
    assert list(onnx["overhead target met"]) == ["yes", "no"]
    assert list(onnx["concurrency target met"]) == ["yes", "no"]
    torch_rows = targets[targets["backend"] == "PyTorch"]
    assert (torch_rows["overhead target met"] == "(target is for ONNX)").all()
    facts = serve_target_facts(targets)
    assert facts["deployment_overhead_met"].startswith("met in 1 of 2 measurements")
    assert "3.5 ms" in facts["deployment_overhead_met"]
    assert "85.0 %" in facts["deployment_share_met"]
    assert facts["deployment_json_overhead"] == "9.0–9.0 ms, within the target in 0 of 2"
    shown = serve_targets_table(targets)
    assert "4 clients, share of model rate (%)" in shown.columns
    assert "checks and flags (ms)" not in shown.columns
    assert onnx["share left beside the checks"].tolist() == pytest.approx([0.8, 0.8])
    assert "2.5 ms beside a 10.0 ms network, which leaves at most 80 % (measured 85 %)" \
        in facts["deployment_checks_cost"]
    checks = checks_table(targets)
    assert list(checks["checks and flags (ms)"]) == ["2.5"] * 4
    assert list(checks_table(serve_targets([])).iloc[0]) == ["no committed `bench serve` file"]
    older = serve_targets([{**_serve_entry(2.5, 0.85), "records": [
        r for r in _serve_entry(2.5, 0.85)["records"] if r["stage"] != "checks"]}])
    assert set(checks_table(older)["checks and flags (ms)"]) == {"not measured"}
    assert "not measured" in serve_target_facts(serve_targets([]))["deployment_overhead_met"]


def _int8_entry(shares):
    names = ["kept", "all int8"]
    return {"agreement": [{"choice": c, "fp32_convolutions": k, "all_convolutions": 36,
                           "records": 1000, "identical_share": s}
                          for c, k, s in zip(names, (26, 0), shares)],
            "paper_size_timing": [{"choice": c, "int8_median_ms": ms, "fp32_median_ms": 20.0}
                                  for c, ms in zip(names, (8.0, 5.0))]}


def test_int8_reference_facts_name_the_choice_that_meets_the_target():
    from ecgpaper.pages.deployment import int8_reference_facts, int8_reference_table
    facts = int8_reference_facts(_int8_entry((0.997, 0.988)), 0.995)
    assert "meets the target" in facts["deployment_int8_reference"]
    assert "misses the target" in facts["deployment_int8_reference"]
    choice = facts["deployment_int8_choice"]
    assert choice.startswith("the target is met with kept") and "costs 3.0 ms" in choice
    assert "2.5 times as fast" in choice
    both = int8_reference_facts(_int8_entry((0.999, 0.996)), 0.995)["deployment_int8_choice"]
    assert "with all int8" in both and "fastest choice" in both
    none = int8_reference_facts(_int8_entry((0.98, 0.97)), 0.995)["deployment_int8_choice"]
    assert none.startswith("no choice")
    assert "not been measured" in int8_reference_facts(None, 0.995)["deployment_int8_choice"]
    table = int8_reference_table(_int8_entry((0.997, 0.988)))
    assert list(table["classes changed"]) == ["3", "12"]
    assert list(table["convolutions kept in fp32"]) == ["26 of 36", "0 of 36"]


def test_checks_are_timed_on_a_whole_recording_each_time():
    """The checks row times what a request pays: measures computed afresh every call."""
    from ecgpaper.benchmarks.serve import _bodies, _checks_only
    stats = _checks_only(_bodies()[12], 3)
    assert stats["n"] == 3 and 0 < stats["p50_ms"] < 1000
