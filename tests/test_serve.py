"""The service under uvicorn on 127.0.0.1 with a real HTTP client: routing by lead count,
the same classes as `ecgpaper predict`, file uploads, a corpus of malformed requests
(each a 4xx with a message, never a 5xx), the no-500 guard, /healthz while busy, and the
API key (also through `ecgpaper serve` with ECGPAPER_API_KEY)."""

import json
import threading
import time

import httpx
import numpy as np
import pytest

from ecgpaper.constants import CLASSES, LEADS, MEASUREMENTS

FIELDS = ("PatientAge", "Gender", *MEASUREMENTS)


@pytest.fixture(scope="module")
def models(real_models):
    from ecgpaper.inference.route import ModelSet
    a = real_models["artifacts"]
    return ModelSet.from_paths([a["2"], a["7"]])


@pytest.fixture(scope="module")
def server(models):
    from ecgpaper.serve.app import Settings, create_app
    from ecgpaper.serve.launch import ServerThread
    with ServerThread(create_app(models, Settings(api_key=""))) as srv:
        yield srv


@pytest.fixture(scope="module")
def records(real_models):
    from ecgpaper.data.wfdb_io import read_wfdb
    folder = real_models["shared"] / "chapman" / "wfdb"
    return [read_wfdb(p, diagnostics=real_models["diagnostics"])
            for p in sorted(folder.glob("*.hea"))]


def body(rec, leads=LEADS, meta=True, **extra) -> dict:
    uv = rec.in_microvolts()
    out = {"fs": rec.fs, "units": "uV", "record_id": rec.record_id,
           "leads": {n: np.round(uv[rec.leads.index(n)], 1).tolist() for n in leads}}
    if meta:
        out["metadata"] = {k: (v if isinstance(v, str) or v is None else float(v))
                           for k, v in ((k, rec.meta.get(k)) for k in FIELDS)}
    out.update(extra)
    return out


def test_health_models_and_docs(server):
    assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
    info = httpx.get(f"{server.url}/v1/models").json()
    assert info["routing"] == {"12 leads": "experiment 2", "fewer leads": "experiment 7"}
    prov = info["models"][0]["provenance"]
    assert len(prov["checkpoint_sha256"]) == 64 and prov["experiment"] == "2"
    assert info["models"][0]["preprocessing"]["fs"] == 100
    assert httpx.get(f"{server.url}/docs").status_code == 200
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert "/v1/predict" in spec["paths"] and "/v1/predict/file" in spec["paths"]


def test_routing_by_lead_count(server, records):
    rec = records[0]
    for leads, model in ((LEADS, "experiment 2"), (LEADS[:6], "experiment 7"),
                         (("II",), "experiment 7"), (("I", "II", "V1"), "experiment 7")):
        r = httpx.post(f"{server.url}/v1/predict", json=body(rec, leads), timeout=60)
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["model"] == model and out["leads"] == list(leads if len(leads) < 12 else LEADS)
        assert set(out["probabilities"]) == set(CLASSES) and out["rhythm"] in CLASSES
        assert abs(sum(out["probabilities"].values()) - 1) < 1e-6 and out["latency_ms"] > 0


def test_same_classes_as_predict(server, records, models, real_models):
    """JSON, file upload and `ecgpaper predict` agree on every real Chapman record."""
    from ecgpaper.commands.predict import predict_files
    folder = real_models["shared"] / "chapman" / "wfdb"
    files = [folder / f"{r.record_id}.hea" for r in records]
    expected = predict_files(files, models, diagnostics=real_models["diagnostics"])
    for rec, exp in zip(records, expected):
        r = httpx.post(f"{server.url}/v1/predict", json=body(rec), timeout=60)
        assert r.status_code == 200, r.text
        assert r.json()["rhythm"] == exp.rhythm and not r.json()["imputed_metadata"]
        assert r.json()["probabilities"] == pytest.approx(exp.probabilities, abs=1e-4)
    # uploads carry the header's age and sex only; same classes as predict without the table
    plain = predict_files(files[:3], models)
    for f, exp in zip(files[:3], plain):
        up = [("files", (f.name, f.read_bytes())),
              ("files", (f.with_suffix(".mat").name, f.with_suffix(".mat").read_bytes()))]
        r = httpx.post(f"{server.url}/v1/predict/file", files=up, timeout=60)
        assert r.status_code == 200, r.text
        got = r.json()
        assert got["rhythm"] == exp.rhythm and got["record_id"] == f.stem
        assert got["probabilities"] == pytest.approx(exp.probabilities, abs=1e-6)


def test_csv_upload_goes_to_metadata_check(server, real_models):
    """A figshare CSV has no metadata: the metadata model refuses it with a 422."""
    csv = next((real_models["shared"] / "chapman" / "csv-denoised").glob("*.csv"))
    r = httpx.post(f"{server.url}/v1/predict/file",
                   files=[("files", (csv.name, csv.read_bytes()))], timeout=60)
    assert r.status_code == 422 and r.json()["field"] == "metadata"
    assert "needs clinical metadata" in r.json()["detail"]


def _malformed(rec) -> list:
    """(name, path, headers, raw body or files) of requests that must be refused."""
    ok = body(rec)
    short = body(rec)
    short["leads"] = {k: v[:100] for k, v in short["leads"].items()}
    longer = body(rec, ("II",))
    longer["leads"]["II"] = longer["leads"]["II"] * 7
    flat = body(rec, ("I", "II"))
    flat["leads"]["I"] = [0.0] * 5000
    j = lambda d: json.dumps(d).encode()  # noqa: E731
    edit = lambda **kw: j({**ok, **kw})  # noqa: E731
    two = ok["leads"]["II"]
    raw_leads = lambda text: (b'{"fs": 500, "units": "uV", "leads": {' + text +  # noqa: E731
                              b'}, "metadata": {"PatientAge": 60}}')
    lead = json.dumps(two).encode()
    json_h = {"content-type": "application/json"}
    cases = [
        ("empty body", b""), ("blank body", b"   \n"), ("not JSON", b"hello"),
        ("JSON array", b"[1, 2, 3]"), ("JSON string", b'"ecg"'), ("truncated JSON", j(ok)[:500]),
        ("invalid UTF-8", b'{"fs": 500, "units": "\xff\xfe"}'),
        ("missing fs", j({k: v for k, v in ok.items() if k != "fs"})),
        ("missing units", j({k: v for k, v in ok.items() if k != "units"})),
        ("missing leads", j({k: v for k, v in ok.items() if k != "leads"})),
        ("fs as text", edit(fs="500")), ("fs zero", edit(fs=0)), ("fs negative", edit(fs=-500)),
        ("fs huge", edit(fs=1e9)), ("fs null", edit(fs=None)), ("fs boolean", edit(fs=True)),
        ("units unknown", edit(units="volts")), ("units number", edit(units=1)),
        ("leads a list", edit(leads=[two])), ("leads empty", edit(leads={})),
        ("unknown lead", edit(leads={**ok["leads"], "V7": two})),
        ("duplicated lead", raw_leads(b'"II": ' + lead + b', "II": ' + lead)),
        ("case-duplicated lead", edit(leads={"II": two, "ii": two})),
        ("unicode lead name", edit(leads={"\u2161": two})),
        ("emoji lead name", edit(leads={"\U0001f493": two, "II": two})),
        ("very long lead name", edit(leads={"X" * 5000: two})),
        ("samples as text", edit(leads={"II": ["abc"] * 5000})),
        ("nested samples", edit(leads={"II": [[1.0, 2.0]] * 2500})),
        ("boolean samples", edit(leads={"II": [True] * 5000})),
        ("null sample", edit(leads={"II": [None] + two[1:]})),
        ("unequal lengths", edit(leads={"I": two, "II": two[:-10]})),
        ("NaN token", raw_leads(b'"II": [NaN' + lead[lead.index(b","):])),
        ("Infinity token", raw_leads(b'"II": [Infinity' + lead[lead.index(b","):])),
        ("huge number", raw_leads(b'"II": [1e400' + lead[lead.index(b","):])),
        ("huge integer", raw_leads(b'"II": [1' + b"0" * 400 + lead[lead.index(b","):])),
        ("too short", j(short)), ("too long", j(longer)),
        ("µV declared as mV", edit(units="mV")),
        ("mV declared as µV", edit(leads={k: [v / 1000 for v in x]
                                          for k, x in ok["leads"].items()})),
        ("flat lead in a subset", j(flat)),
        ("extra field", edit(patient="x")), ("metadata a list", edit(metadata=[1, 2])),
        ("metadata nested", edit(metadata={"PatientAge": {"v": 1}})),
        ("metadata unusable", edit(metadata={})),
        ("QT overflowing z-score", edit(metadata={**ok["metadata"], "QTInterval": 1e300})),
        ("negative age", edit(metadata={**ok["metadata"], "PatientAge": -5})),
        ("age 1e9", edit(metadata={**ok["metadata"], "PatientAge": 1e9})),
        ("negative rate", edit(metadata={**ok["metadata"], "VentricularRate": -100})),
        ("age as text", edit(metadata={**ok["metadata"], "PatientAge": "abc"})),
        ("age as numeric text", edit(metadata={**ok["metadata"], "PatientAge": "63"})),
        ("age boolean", edit(metadata={**ok["metadata"], "PatientAge": True})),
        ("gender a number", edit(metadata={**ok["metadata"], "Gender": 5})),
        ("gender an object", edit(metadata={**ok["metadata"], "Gender": {"v": "MALE"}})),
        ("gender unknown word", edit(metadata={**ok["metadata"], "Gender": "OTHER"})),
        ("misspelt metadata field", edit(metadata={**ok["metadata"], "Age": 60})),
        ("NaN age token", j(ok).replace(b'"PatientAge": ' + json.dumps(
            ok["metadata"]["PatientAge"]).encode(), b'"PatientAge": NaN')),
        ("record_id with path", edit(record_id="../../etc/passwd")),
        ("deeply nested JSON", b"[" * 20000 + b"]" * 20000),
        ("oversize body", b'{"fs": 500, "pad": "' + b"x" * (5 << 20) + b'"}'),
    ]
    out = [(name, "/v1/predict", json_h, data) for name, data in cases]
    hea = b"JS1 12 500 5000\n"
    out += [
        ("wrong content type", "/v1/predict", {"content-type": "text/plain"}, j(ok)),
        ("no content type", "/v1/predict", {}, j(ok)),
        ("form to JSON endpoint", "/v1/predict",
         {"content-type": "application/x-www-form-urlencoded"}, b"fs=500"),
        ("JSON to file endpoint", "/v1/predict/file", json_h, j(ok)),
        ("broken multipart", "/v1/predict/file",
         {"content-type": "multipart/form-data; boundary=zzz"}, b"--zzz\r\nnonsense"),
        ("no files", "/v1/predict/file", None, [("other", ("a.csv", b"1,2"))]),
        ("header only", "/v1/predict/file", None, [("files", ("JS1.hea", hea))]),
        ("bad file name", "/v1/predict/file", None, [("files", ("../x.csv", b"1"))]),
        ("unknown suffix", "/v1/predict/file", None, [("files", ("x.exe", b"MZ"))]),
        ("pair of different records", "/v1/predict/file", None,
         [("files", ("JS1.hea", hea)), ("files", ("JS2.mat", b"\0" * 100))]),
        ("garbage header", "/v1/predict/file", None,
         [("files", ("JS1.hea", b"\xff\xfe garbage")), ("files", ("JS1.mat", b"\0" * 64))]),
        ("garbage CSV", "/v1/predict/file", None, [("files", ("x.csv", b"a,b\n1,zz\n"))]),
        ("too many files", "/v1/predict/file", None,
         [("files", (f"f{i}.csv", b"1")) for i in range(5)]),
    ]
    return out


def test_malformed_requests_are_4xx_with_a_message(server, records):
    cases = _malformed(records[0])
    assert len(cases) >= 30
    seen, details = [], {}
    for name, path, headers, data in cases:
        if isinstance(data, list):
            r = httpx.post(f"{server.url}{path}", files=data, timeout=60)
        else:
            r = httpx.post(f"{server.url}{path}", content=data, headers=headers, timeout=60)
        assert 400 <= r.status_code < 500, (name, r.status_code, r.text[:300])
        detail = r.json()["detail"]
        assert isinstance(detail, str) and len(detail) > 10, (name, detail)
        # a one-word lead name is named as given (even 'Ⅱ'); never long or arbitrary text
        assert "X" * 100 not in detail and "passwd" not in detail
        seen.append((name, r.status_code, r.json().get("field")))
        details[name] = detail
    codes = {name: (code, field) for name, code, field in seen}
    assert codes["oversize body"][0] == 413
    assert codes["wrong content type"] == (415, "Content-Type")
    assert codes["unknown lead"] == (422, "leads.V7")
    assert codes["NaN token"] == (422, "leads.II")
    assert codes["fs zero"][1] == "fs" and codes["units unknown"][1] == "units"
    assert codes["metadata unusable"] == (422, "metadata")
    for name, field in (("QT overflowing z-score", "QTInterval"), ("negative age", "PatientAge"),
                        ("age 1e9", "PatientAge"), ("negative rate", "VentricularRate"),
                        ("age as text", "PatientAge"), ("age as numeric text", "PatientAge"),
                        ("age boolean", "PatientAge"), ("gender a number", "Gender"),
                        ("gender an object", "Gender"), ("gender unknown word", "Gender"),
                        ("NaN age token", "PatientAge"), ("misspelt metadata field", "Age")):
        assert codes[name] == (422, f"metadata.{field}"), (name, codes[name])
    assert codes["duplicated lead"][1] == "leads"
    # the message says what the field expects, with the plausible range
    assert "expected a number 50 to 1000 ms" in details["QT overflowing z-score"]
    assert "expected a number 0 to 120 years" in details["negative age"]
    assert "expected a number 15 to 350 bpm" in details["negative rate"]
    assert "expected 'MALE' or 'FEMALE'" in details["gender an object"]
    assert "valid number" not in details["gender an object"]
    assert "unknown field 'Age'" in details["misspelt metadata field"]
    assert httpx.get(f"{server.url}/healthz").status_code == 200   # still alive


def test_unexpected_error_is_503_and_health_answers_while_busy(server, models, records,
                                                               monkeypatch):
    original = models.predict

    def broken(sig, **options):
        raise RuntimeError("boom")
    monkeypatch.setattr(models, "predict", broken)
    r = httpx.post(f"{server.url}/v1/predict", json=body(records[0]), timeout=60)
    assert r.status_code == 503 and "boom" not in r.text

    def slow(sig, **options):
        time.sleep(2.0)
        return original(sig, **options)
    monkeypatch.setattr(models, "predict", slow)
    result = {}
    t = threading.Thread(target=lambda: result.update(r=httpx.post(
        f"{server.url}/v1/predict", json=body(records[0]), timeout=60)))
    t.start()
    time.sleep(0.5)
    t0 = time.perf_counter()
    assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
    health_s = time.perf_counter() - t0
    t.join()
    assert result["r"].status_code == 200
    assert health_s < 1.5, "healthz waited for the inference"


def test_metadata_at_the_edge_of_the_ranges_is_accepted(server, records):
    """Missing values are imputed and reported; limits of the ranges and lower-case or
    one-letter Gender are accepted."""
    from ecgpaper.data.chapman import DIAGNOSTICS_RANGES
    rec = records[0]
    low = {k: float(lo) for k, (lo, _) in DIAGNOSTICS_RANGES.items()}
    high = {k: float(hi) for k, (_, hi) in DIAGNOSTICS_RANGES.items()}
    for meta in ({**low, "Gender": "male"}, {**high, "Gender": "F"},
                 {"PatientAge": 60, "Gender": None, "QTInterval": None}):
        r = httpx.post(f"{server.url}/v1/predict", json=body(rec, meta=False, metadata=meta),
                       timeout=60)
        assert r.status_code == 200, (meta, r.text)
    assert set(r.json()["imputed_metadata"]) == {"GenderMale", "GenderFemale", *MEASUREMENTS}


def test_nan_outputs_are_an_error_naming_the_model(server, models, records, monkeypatch):
    """NaN logits never become probabilities labelled SB (argmax of NaN): 503 naming the
    model and the cause."""
    runner = models.runners["standard"]
    monkeypatch.setattr(runner, "standard",
                        lambda x, feats: np.full((1, len(CLASSES)), np.nan, np.float32))
    r = httpx.post(f"{server.url}/v1/predict", json=body(records[0]), timeout=60)
    assert r.status_code == 503 and r.json()["field"] == "model", r.text
    detail = r.json()["detail"]
    assert "experiment 2" in detail and "NaN/Inf logit" in detail and "rhythm" not in r.json()
    assert str(models.standard.path.parent) not in detail, "no server path in a response"


def test_api_key(models, records):
    from ecgpaper.serve.app import Settings, create_app
    from ecgpaper.serve.launch import ServerThread
    key = "k3y-s3cret-value"
    with ServerThread(create_app(models, Settings(api_key=key))) as srv:
        url = f"{srv.url}/v1/predict"
        data = body(records[1], ("II",))
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": key},
                        {"Authorization": f"Basic {key}"}):
            r = httpx.post(url, json=data, headers=headers, timeout=60)
            assert r.status_code == 401 and key not in r.text
            assert r.headers["www-authenticate"] == "Bearer"
        assert httpx.get(f"{srv.url}/v1/models").status_code == 401
        assert httpx.get(f"{srv.url}/healthz").status_code == 200
        ok = httpx.post(url, json=data, headers={"Authorization": f"Bearer {key}"}, timeout=60)
        assert ok.status_code == 200 and key not in ok.text


def test_serve_command_with_api_key_from_environment(real_models, records):
    """`ecgpaper serve` as a user starts it: key from the environment, never logged."""
    from ecgpaper.serve.launch import ServerProcess
    key = "env-key-0123456789"
    with ServerProcess(real_models["artifacts"]["7"], env={"ECGPAPER_API_KEY": key}) as srv:
        data = body(records[2], ("I", "II"), meta=False)
        assert httpx.post(f"{srv.url}/v1/predict", json=data, timeout=60).status_code == 401
        r = httpx.post(f"{srv.url}/v1/predict", json=data, timeout=60,
                       headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 200 and r.json()["model"] == "experiment 7"
    assert "serving" in srv.log and key not in srv.log
