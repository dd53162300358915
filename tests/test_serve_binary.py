"""Binary request bodies of /v1/predict (raw float32/int16 samples, an .npy file) against
the JSON body on real records: the same answer, malformed bodies a 4xx naming the
header or field, the encodings in the OpenAPI schema."""

import io

import httpx
import numpy as np
import pytest

from ecgpaper.constants import LEADS


@pytest.fixture(scope="module")
def server(real_models):
    from ecgpaper.inference.route import ModelSet
    from ecgpaper.serve.app import Settings, create_app
    from ecgpaper.serve.launch import ServerThread
    a = real_models["artifacts"]
    models = ModelSet.from_paths([a["1"], a["7"]])
    with ServerThread(create_app(models, Settings(api_key=""))) as srv:
        yield srv


@pytest.fixture(scope="module")
def record(real_models):
    from ecgpaper.data.wfdb_io import read_wfdb
    folder = real_models["shared"] / "chapman" / "wfdb"
    return read_wfdb(sorted(folder.glob("*.hea"))[0])


def headers(rec, leads=LEADS, **extra) -> dict:
    return {"X-ECG-Fs": str(rec.fs), "X-ECG-Units": "uV", "X-ECG-Leads": ",".join(leads),
            **extra}


def rows(rec, leads=LEADS) -> np.ndarray:
    uv = rec.in_microvolts()
    return np.stack([uv[rec.leads.index(n)] for n in leads]).astype(np.float32)


def post(server, data: bytes, ctype: str, hdrs: dict) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/predict", content=data, timeout=60,
                      headers={"content-type": ctype, **hdrs})


def test_binary_bodies_answer_as_json(server, record):
    x = rows(record)
    ref = httpx.post(f"{server.url}/v1/predict", timeout=60, json={
        "fs": record.fs, "units": "uV",
        "leads": {n: x[k].tolist() for k, n in enumerate(LEADS)}}).json()
    counts = np.round(x / 0.5).astype("<i2")
    npy = io.BytesIO()
    np.save(npy, x.astype(np.float64))
    answers = {
        "float32": post(server, x.astype("<f4").tobytes(), "application/octet-stream",
                        headers(record)),
        "int16": post(server, counts.tobytes(), "application/octet-stream",
                      headers(record, **{"X-ECG-Dtype": "int16", "X-ECG-Scale": "0.5"})),
        "npy": post(server, npy.getvalue(), "application/x-npy", headers(record)),
    }
    for name, r in answers.items():
        assert r.status_code == 200, (name, r.text)
        got = r.json()
        assert got["rhythm"] == ref["rhythm"] and got["model"] == ref["model"], name
        diff = max(abs(got["probabilities"][c] - p) for c, p in ref["probabilities"].items())
        assert diff < (1e-6 if name != "int16" else 0.02), (name, diff)
    lead_ii = post(server, x[LEADS.index("II")].tobytes(), "application/octet-stream",
                   headers(record, leads=["II"], **{"X-ECG-Record-Id": "JS-ii"}))
    assert lead_ii.json()["model_kind"] == "universal"
    assert lead_ii.json()["record_id"] == "JS-ii"


def test_malformed_binary_bodies_name_the_header(server, record):
    x = rows(record).tobytes()
    octet = "application/octet-stream"
    hdr = headers(record)
    without = {k: v for k, v in hdr.items() if k != "X-ECG-Fs"}
    cases = {
        "no rate": (x, octet, without, "X-ECG-Fs"),
        "rate text": (x, octet, {**hdr, "X-ECG-Fs": "fast"}, "X-ECG-Fs"),
        "rate zero": (x, octet, {**hdr, "X-ECG-Fs": "0"}, "X-ECG-Fs"),
        "units": (x, octet, {**hdr, "X-ECG-Units": "volts"}, "X-ECG-Units"),
        "unknown lead": (x, octet, {**hdr, "X-ECG-Leads": "I,II,V7"}, "X-ECG-Leads"),
        "lead twice": (x, octet, {**hdr, "X-ECG-Leads": "II,ii"}, "X-ECG-Leads"),
        "dtype": (x, octet, {**hdr, "X-ECG-Dtype": "float128"}, "X-ECG-Dtype"),
        "odd length": (x[:-2], octet, hdr, "body"),
        "empty": (b"", octet, hdr, "body"),
        "metadata not JSON": (x, octet, {**hdr, "X-ECG-Metadata": "{age: 3"},
                              "X-ECG-Metadata"),
        "metadata out of range": (x, octet, {**hdr, "X-ECG-Metadata": '{"PatientAge": 900}'},
                                  "metadata.PatientAge"),
        "record id": (x, octet, {**hdr, "X-ECG-Record-Id": "../etc"}, "X-ECG-Record-Id"),
        "NaN sample": (np.full((12, 5000), np.nan, "<f4").tobytes(), octet, hdr, "leads.I"),
        "too short": (rows(record)[:, :1000].tobytes(), octet, hdr, "leads"),
        "not npy": (b"\x93NUMPY garbage", "application/x-npy", hdr, "body"),
        "npy shape": (_npy(np.zeros((3, 5000), np.float32)), "application/x-npy", hdr, "body"),
        "npy text": (_npy(np.array([["a"] * 10] * 12)), "application/x-npy", hdr, "body"),
    }
    for name, (data, ctype, hdrs, field) in cases.items():
        r = post(server, data, ctype, hdrs)
        assert 400 <= r.status_code < 500, (name, r.status_code, r.text[:200])
        body = r.json()
        assert body["field"] == field, (name, body)
        assert len(body["detail"]) > 15 and "expected" in body["detail"], (name, body)


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def test_openapi_documents_the_binary_encodings(server):
    spec = httpx.get(f"{server.url}/openapi.json").json()["paths"]["/v1/predict"]["post"]
    content = spec["requestBody"]["content"]
    assert set(content) == {"application/json", "application/octet-stream",
                            "application/x-npy"}
    names = {p["name"] for p in spec["parameters"]}
    assert {"X-ECG-Fs", "X-ECG-Units", "X-ECG-Leads", "X-ECG-Dtype"} <= names
