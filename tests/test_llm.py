"""The LLM-vision comparison: images, sample, prompt, parsing, scoring, and the whole run
against an OpenAI-compatible stand-in server on 127.0.0.1 that answers from a fixed
table and injects a 429, a 500, a timeout, a prose answer and a refusal. No request
leaves this machine; no API key exists here."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import shutil
import threading
import time
from collections import Counter

import numpy as np
import pytest
from fastapi import FastAPI, Request           # module level: FastAPI resolves annotations
from fastapi.responses import JSONResponse     # by name in this module's globals

from ecgpaper.constants import CLASS_NAMES, CLASSES, LEADS
from ecgpaper.llm.cache import AnswerCache, answer_key, llm_dir, read_runs
from ecgpaper.llm.client import endpoint_from_env
from ecgpaper.llm.parse import parse_answer
from ecgpaper.llm.prompt import build_prompt, messages
from ecgpaper.llm.render import render_ecg
from ecgpaper.cli import main
from ecgpaper.llm.run import prepare, render_rows as RENDER_ROWS, run_llm
from ecgpaper.llm.sample import draw_examples, draw_sample
from ecgpaper.llm.score import accuracy_ci, mcnemar, networks_beside, per_class_recall, \
    score_run
from ecgpaper.paths import REPO_ROOT
from ecgpaper.profiles import get_profile

KEY = "sk-standin-" + "0123456789abcdef"
SETTINGS = {"twin_records": 240, "bootstrap": 50}
N = 10


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("llm_work")


@pytest.fixture(scope="module")
def profile(work):
    return get_profile("demo", work_dir=str(work), **SETTINGS)


@pytest.fixture(scope="module")
def store(profile):
    from ecgpaper.workspace import ensure_store
    return ensure_store(profile, progress=False)


# --- the stand-in server -----------------------------------------------------------------

def standin_app(table: dict, log: list):
    """OpenAI-compatible /v1/chat/completions answering per query image from `table`
    (sha256 -> list of behaviours, one per attempt: '429', '500', 'timeout' or a reply)."""
    app = FastAPI()
    attempts: Counter = Counter()

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        body = await request.json()
        parts = body["messages"][-1]["content"]
        url = next(p["image_url"]["url"] for p in parts if p["type"] == "image_url")
        sha = hashlib.sha256(base64.b64decode(url.split(",", 1)[1])).hexdigest()
        log.append({"sha": sha, "auth": request.headers.get("authorization"),
                    "model": body["model"], "n_messages": len(body["messages"])})
        script = table[sha]
        behaviour = script[min(attempts[sha], len(script) - 1)]
        attempts[sha] += 1
        if behaviour == "429":
            return JSONResponse({"error": {"message": "rate limited", "type": "rate"}},
                                status_code=429, headers={"retry-after": "0"})
        if behaviour == "401":
            return JSONResponse({"error": {"message": f"Incorrect API key provided: "
                                           f"{KEY[:8]}****{KEY[-4:]} ({KEY})",
                                           "type": "invalid_request_error"}},
                                status_code=401)
        if behaviour == "500":
            return JSONResponse({"error": {"message": "boom", "type": "server"}},
                                status_code=500)
        if behaviour == "timeout":
            await asyncio.sleep(2.5)
            behaviour = "too late"
        return {"id": "cmpl-1", "object": "chat.completion", "created": 0,
                "model": body["model"] + "-2025-01-01",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": behaviour}}],
                "usage": {"prompt_tokens": 1000, "completion_tokens": 10,
                          "total_tokens": 1010}}
    return app


@pytest.fixture()
def standin(monkeypatch):
    """Start the stand-in server; yields (base_url, table, log)."""
    import uvicorn
    table, log = {}, []
    config = uvicorn.Config(standin_app(table, log), host="127.0.0.1", port=0,
                            log_level="error", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "stand-in server did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("ECGPAPER_LLM_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("ECGPAPER_LLM_MODEL", "standin-vision")
    yield f"http://127.0.0.1:{port}/v1", table, log
    server.should_exit = True
    thread.join(timeout=10)


def copy_data(profile, dest) -> None:
    """The generated twin and its store, so another work folder finds them current."""
    for name in ("twin", "store"):
        shutil.copytree(profile.work_path / name, dest / name)


def answer(label: str) -> str:
    return json.dumps({"rhythm": label})


# --- images, sample, prompt --------------------------------------------------------------

def test_image_shows_leads_only_no_label_id_or_metadata(store):
    rows = store.rows("test")[:3]
    images = [render_ecg(store.signal(r), store.fs) for r in rows]
    footer = f"25 mm/s, 10 mm/mV, {store.fs} Hz"
    for r, img in zip(rows, images):
        meta = store.index.iloc[int(r)]
        assert set(img.texts) <= set(LEADS) | {footer}, img.texts
        assert sorted(set(img.texts) - {footer}) == sorted(LEADS)
        shown = " ".join(img.texts)
        assert meta["record_id"] not in shown and meta["record_id"].encode() not in img.png
        for cls in CLASSES:
            assert not re.search(rf"\b{cls}\b", shown), cls
            assert CLASS_NAMES[cls].lower() not in shown.lower()
        assert str(int(meta["PatientAge"])) not in shown.replace(footer, "")
        assert img.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len({(i.width_px, i.height_px) for i in images}) == 1      # fixed size
    assert render_ecg(store.signal(rows[0]), store.fs).sha256 == images[0].sha256


def test_sample_is_seeded_random_and_optionally_stratified(store):
    a, b = draw_sample(store, 20, seed=7), draw_sample(store, 20, seed=7)
    assert a.record_ids == b.record_ids and len(set(a.record_ids)) == 20
    assert draw_sample(store, 20, seed=8).record_ids != a.record_ids
    test_ids = set(store.index["record_id"].to_numpy()[store.rows("test")])
    assert set(a.record_ids) <= test_ids
    everything = draw_sample(store, 10_000, seed=1)
    assert set(everything.record_ids) == test_ids
    present = {CLASSES[i] for i in store.labels(store.rows("test"))}
    strat = draw_sample(store, len(present), seed=3, stratified=True)
    assert set(strat.labels) == present
    examples = draw_examples(store, 2, seed=3)
    train_ids = set(store.index["record_id"].to_numpy()[store.rows("train")])
    assert {rid for _, rid, _ in examples} <= train_ids
    per_class = Counter(lab for _, _, lab in examples)
    assert all(per_class[c] == 2 for c in per_class) and len(per_class) >= 6
    with pytest.raises(ValueError, match="--n"):
        draw_sample(store, 0)


def test_prompt_zero_and_few_shot(store):
    query = render_ecg(store.signal(store.rows("test")[0]), store.fs)
    zero = build_prompt()
    for cls in CLASSES:
        assert f"- {cls}: " in zero.instruction
    assert '{"rhythm": "<CODE>"}' in zero.instruction
    assert [m["role"] for m in messages(zero, query)] == ["system", "user"]
    ex = [(query, "AF"), (query, "SB")]
    few = build_prompt(ex)
    assert few.condition == "few-shot-1" and few.hash != zero.hash
    msgs = messages(few, query)
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user",
                                         "assistant", "user"]
    assert [parse_answer(m["content"]).label for m in msgs if m["role"] == "assistant"] \
        == ["AF", "SB"]
    assert build_prompt(ex).hash == few.hash and build_prompt(ex[::-1]).hash != few.hash
    with pytest.raises(ValueError, match="unknown class"):
        build_prompt([(query, "VT")])


@pytest.mark.parametrize("text, finish, label, outcome", [
    ('{"rhythm": "SB"}', "stop", "SB", "strict"),
    ('```json\n{"rhythm": "AFIB"}\n```', "stop", "AFIB", "strict"),
    ('{"rhythm": "Atrial flutter"}', "stop", "AF", "lenient"),
    ("The tracing shows sinus tachycardia at about 120/min.", "stop", "ST", "lenient"),
    ("Answer: AT", "stop", "AT", "lenient"),
    ("Normal sinus rhythm.", "stop", "SR", "lenient"),
    ("Either atrial fibrillation or atrial flutter.", "stop", None, "unparseable"),
    ("I'm sorry, I can't interpret this ECG. Please consult a cardiologist.", "stop",
     None, "refused"),
    ("", "content_filter", None, "refused"),
    ("it is what it is", "stop", None, "unparseable"),
    ('{"rhythm": "SB", "confidence": 0.9}', "stop", "SB", "lenient"),
])
def test_parse_strict_then_lenient(text, finish, label, outcome):
    parsed = parse_answer(text, finish)
    assert (parsed.label, parsed.outcome) == (label, outcome)


def test_scores_and_mcnemar():
    import pandas as pd
    df = pd.DataFrame({"label": ["SB"] * 4 + ["AF"] * 2,
                       "correct": [True, True, True, False, False, False]})
    rec = per_class_recall(df, n_boot=200, seed=0)
    assert rec.loc["SB", "recall"] == 0.75 and rec.loc["AF", "recall"] == 0.0
    assert rec.loc["SR", "support"] == 0 and np.isnan(rec.loc["SR", "recall"])
    acc, lo, hi = accuracy_ci(df["correct"], 500, 0)
    assert acc == 0.5 and 0 <= lo < acc < hi <= 1
    # 10 discordant pairs, all one way: two-sided exact p = 2 * 0.5**10
    a = np.array([True] * 10 + [True] * 5)
    b = np.array([False] * 10 + [True] * 5)
    res = mcnemar(a, b)
    assert (res["only_a"], res["only_b"]) == (10, 0)
    assert res["p_value"] == pytest.approx(2 * 0.5 ** 10)
    assert mcnemar(a, a)["p_value"] == 1.0


def test_missing_key_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(RuntimeError, match="OPENAI_API_KEY"):
        endpoint_from_env()
    assert main(["llm", "run", "--n", "3"]) == 2
    err = capsys.readouterr().err
    assert "OPENAI_API_KEY" in err and "Traceback" not in err


# --- the whole run against the stand-in --------------------------------------------------

def fake_network_predictions(profile, store, wrong: set[str]) -> None:
    """Experiment 1's predictions.csv for the test split, right except on `wrong` (a
    fixture for the pairing logic, not a result)."""
    from ecgpaper.training import artifacts
    rows = store.rows("test")
    ids = store.index["record_id"].to_numpy()[rows]
    y = store.labels(rows)
    pred = np.where(np.isin(ids, list(wrong)), (y + 1) % len(CLASSES), y)
    proba = np.full((len(y), len(CLASSES)), 0.02)
    proba[np.arange(len(y)), pred] = 1 - 0.02 * (len(CLASSES) - 1)
    folder = artifacts.experiment_dir(profile, "1")
    artifacts.write_csv(folder / "predictions.csv", artifacts.predictions_frame(ids, y, proba))
    artifacts.write_json(folder / "metrics.json", {"best_val_f1_macro": 0.5})


def memo_render(monkeypatch):
    """Render each row once in this test module (the run renders the same rows again)."""
    import ecgpaper.llm.run as llm_run
    memo = {}

    def render_rows(store, rows, progress=True):
        missing = [r for r in rows if r not in memo]
        for r, img in zip(missing, RENDER_ROWS(store, missing, progress)):
            memo[r] = img
        return [memo[r] for r in rows]
    monkeypatch.setattr(llm_run, "render_rows", render_rows)


def test_run_retries_caches_and_scores(profile, store, standin, monkeypatch, capsys):
    base_url, table, log = standin
    memo_render(monkeypatch)
    sample, images, _ = prepare(store, N, 0, profile.seed, progress=False)
    labels = sample.labels
    other = CLASSES[(CLASSES.index(labels[5]) + 1) % len(CLASSES)]
    scripts = [["429", answer(labels[0])], ["500", answer(labels[1])],
               ["timeout", answer(labels[2])],
               [f"Looking at the strip, this is {CLASS_NAMES[labels[3]].lower()}."],
               ["I'm sorry, but I can't help with interpreting this medical image."],
               [answer(other)]] + [[answer(lab)] for lab in labels[6:]]
    for img, script in zip(images, scripts):
        table[img.sha256] = script
    endpoint = endpoint_from_env(timeout_s=1.0, max_retries=3, backoff_s=0.01,
                                 concurrency=3)
    assert endpoint.model == "standin-vision" and endpoint.host == base_url[:-3]
    manifest = run_llm(profile, endpoint, n=N, progress=False, log=lambda *_: None)
    assert len(log) == N + 3                      # one retry each for 429, 500, timeout
    assert {e["auth"] for e in log} == {f"Bearer {KEY}"}
    assert manifest["requests"] == {"sent": N, "failed": 0, "cached_before": 0}
    assert manifest["tokens"]["prompt"] == 1000 * N
    assert all(it["answered"] for it in manifest["items"])
    assert [it["record_id"] for it in manifest["items"]] == list(sample.record_ids)
    folder = llm_dir(profile)
    assert len(list((folder / "answers").rglob("*.json"))) == N
    assert len(list((folder / "images").glob("*.png"))) == N
    # the key is never written to disk
    for path in folder.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path

    runs = read_runs(folder)
    assert len(runs) == 1 and runs[0]["prompt_hash"] == build_prompt().hash
    res = score_run(runs[0], AnswerCache(folder), n_boot=200, seed=0)
    assert res["accuracy"][0] == pytest.approx(0.8)            # 8 of 10 right
    assert dict(res["outcomes"]) == {"strict": 8, "lenient": 1, "refused": 1,
                                     "unparseable": 0, "not answered": 0}
    assert res["confusion"].to_numpy().sum() == N
    assert res["confusion"].loc[labels[4], "no class"] >= 1

    fake_network_predictions(profile, store, {sample.record_ids[6]})
    nets = networks_beside(profile, runs[0], res["answers"], 100, 0)
    row = nets.iloc[0]
    assert row["accuracy"] == pytest.approx(0.9)
    assert (row["only network right"], row["only LLM right"]) == (2, 1)
    assert row["McNemar p"] == pytest.approx(1.0)

    # a second run sends nothing
    log.clear()
    again = run_llm(profile, endpoint, n=N, progress=False, log=lambda *_: None)
    assert log == [] and again["requests"]["sent"] == 0
    # and the score command reads the cache offline
    capsys.readouterr()
    assert main(["llm", "score", "--profile", "demo", "--work-dir", str(profile.work_path),
                 "--bootstrap", "50", "--json",
                 *sum((["--set", f"{k}={v}"] for k, v in SETTINGS.items()), [])]) == 0
    scored = json.loads(capsys.readouterr().out)
    assert scored[0]["accuracy"][0] == pytest.approx(0.8)
    assert scored[0]["outcomes"]["refused"] == 1


def test_failed_request_is_recorded_not_cached(profile, store, standin, tmp_path,
                                               monkeypatch):
    _, table, log = standin
    memo_render(monkeypatch)
    local = get_profile("demo", work_dir=str(tmp_path), **SETTINGS)
    copy_data(profile, tmp_path)
    sample, images, _ = prepare(store, 2, 0, profile.seed, progress=False)
    table[images[0].sha256] = ["500"]
    table[images[1].sha256] = [answer(sample.labels[1])]
    endpoint = endpoint_from_env(timeout_s=1.0, max_retries=1, backoff_s=0.01)
    manifest = run_llm(local, endpoint, n=2, progress=False, log=lambda *_: None)
    assert manifest["requests"]["failed"] == 1 and len(log) == 3
    first = manifest["items"][0]
    assert not first["answered"] and "gave up after 2 attempts" in first["error"]
    key = answer_key(images[0].sha256, build_prompt().hash, "standin-vision",
                     endpoint.params)
    assert AnswerCache(llm_dir(local)).get(key) is None
    res = score_run(read_runs(llm_dir(local))[0], AnswerCache(llm_dir(local)), 0)
    assert res["outcomes"]["not answered"] == 1 and res["accuracy"][0] == 0.5


# --- the chapter ----------------------------------------------------------------------------

def execute_chapter_copy(tmp_path, work_dir):
    import nbformat

    from ecgpaper.book import chapter_parameters, execute_chapter
    from ecgpaper.chapters import BY_NAME
    root = tmp_path / "book"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "notebooks" / "llm_vision.py", root / "notebooks")
    overrides = dict(SETTINGS, work_dir=str(work_dir))
    prof = get_profile("demo", **overrides)
    chapter = BY_NAME["llm_vision"]
    execute_chapter(chapter, root, prof, chapter_parameters(chapter, prof, overrides),
                    log=lambda *_: None)
    nb = nbformat.read(root / "executed" / "llm_vision.ipynb", as_version=4)
    texts, pngs, glued = [], 0, set()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            # the page words its findings in markdown around glued values: read both
            texts.append(data.get("text/markdown", "") + data.get("text/plain", "")
                         + data.get("application/papermill.record/text/plain", "")
                         + out.get("text", ""))
            pngs += any(k.endswith("image/png") for k in data)
            glued |= {out.get("metadata", {}).get("scrapbook", {}).get("name")}
    return "\n".join(texts), pngs, glued


def test_chapter_builds_without_endpoint_or_cache(profile, store, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    work = tmp_path / "work"
    copy_data(profile, work)
    text, pngs, glued = execute_chapter_copy(tmp_path, work)
    assert "No model was queried for this build" in text
    assert "ecgpaper llm run" in text
    assert pngs >= 3 + 1                      # three images as sent, the paper's figure
    assert not any(name and name.startswith("llm_accuracy") for name in glued)
    assert not (work / "llm").exists()        # the chapter sends and writes nothing


def test_rejected_key_stops_the_run_and_is_not_echoed(profile, store, standin, tmp_path,
                                                      monkeypatch):
    from ecgpaper.llm.client import EndpointError
    _, table, log = standin
    memo_render(monkeypatch)
    local = get_profile("demo", work_dir=str(tmp_path), **SETTINGS)
    copy_data(profile, tmp_path)
    _, images, _ = prepare(store, 4, 0, profile.seed, progress=False)
    for img in images:
        table[img.sha256] = ["401"]
    endpoint = endpoint_from_env(timeout_s=1.0, max_retries=3, backoff_s=0.01,
                                 concurrency=1)
    with pytest.raises(EndpointError, match="request rejected") as err:
        run_llm(local, endpoint, n=4, progress=False, log=lambda *_: None)
    assert KEY not in str(err.value) and KEY[-4:] not in str(err.value)
    assert len(log) < 4                            # no retries, the rest cancelled
    assert not (llm_dir(local) / "answers").exists()
