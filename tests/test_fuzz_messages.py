"""Messages that must name the right cause: each case builds one malformed input in a
temporary folder (or a request) and checks that the error names the record, row, field
or setting and what was expected, not a symptom of something else ("flat record",
'None', 'nan', an internal temporary path)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecgpaper.cli import main
from ecgpaper.constants import LEADS
from ecgpaper.data.chapman import read_chapman_csv, read_diagnostics
from ecgpaper.data.validate import RecordError
from ecgpaper.data.wfdb_io import read_wfdb


def _csv(path: Path, rows: list[list], header=LEADS) -> Path:
    lines = ([",".join(header)] if header else []) + [",".join(map(str, r)) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _error(fn, *args, **kwargs) -> str:
    with pytest.raises(RecordError) as err:
        fn(*args, **kwargs)
    return str(err.value)


def _diagnostics_csv(path: Path, n: int, column: str, row: int, value) -> Path:
    """A valid n-row Diagnostics table as CSV with `column` of `row` (0-based) set to
    `value`."""
    df = pd.DataFrame({"FileName": [f"MUSE_{i}" for i in range(n)], "Rhythm": "SR",
                       "Beat": "NONE", "PatientAge": 60, "Gender": "MALE",
                       "VentricularRate": 70, "AtrialRate": 70, "QRSDuration": 90,
                       "QTInterval": 400, "QTCorrected": 420, "RAxis": 40, "TAxis": 40,
                       "QRSCount": 12, "QOnset": 200, "QOffset": 250, "TOffset": 400})
    df = df.astype({column: object})
    df.loc[row, column] = value
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("header", [LEADS, None])
def test_one_row_csv_is_too_short_not_flat(tmp_path, header):
    path = _csv(tmp_path / "short_rec.csv", [[10 * i for i in range(12)]], header)
    msg = _error(read_chapman_csv, path, expected_samples=None)
    assert str(path) in msg and "too short" in msg and "flat" not in msg
    assert "1 sample(s)" in msg and "expected at least 500 samples" in msg


def test_quoted_numbers_in_the_first_row_are_not_lead_names(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "quoted.csv"
    rows = [",".join(f'"{v:.1f}"' for v in rng.normal(0, 300, 12))]
    rows += [",".join(f"{v:.1f}" for v in rng.normal(0, 300, 12)) for _ in range(5000)]
    path.write_text("\n".join(rows) + "\n")
    msg = _error(read_chapman_csv, path)
    assert "first row holds numbers in quotes" in msg and "expected lead names" in msg
    assert "unknown lead" not in msg


@pytest.mark.parametrize("name", ["\u2161", "V1\u00e9"])
def test_non_ascii_lead_name_in_csv_is_named_as_given(tmp_path, name):
    header = list(LEADS)
    header[1] = name
    path = _csv(tmp_path / "lead.csv", [[1] * 12] * 10, header)
    msg = _error(read_chapman_csv, path, expected_samples=None)
    assert f"'{name}'" in msg and "None" not in msg and "unrecognised" not in msg


def _wfdb_copy(shared_data, folder: Path, name: str, edit) -> Path:
    src = shared_data / "chapman" / "wfdb"
    shutil.copy(src / "JS00001.mat", folder / f"{name}.mat")
    text = (src / "JS00001.hea").read_text().replace("JS00001", name)
    (folder / f"{name}.hea").write_text(edit(text), encoding="utf-8")
    return folder / name


@pytest.mark.parametrize("lead,name", [(" 0 II\n", "\u2161"), (" 0 V1\n", "V1\u00e9")])
def test_non_ascii_lead_name_in_wfdb_is_named_not_none_or_dropped(tmp_path, shared_data,
                                                                    lead, name):
    base = _wfdb_copy(shared_data, tmp_path, "JS00001",
                      lambda t: t.replace(lead, f" 0 {name}\n"))
    msg = _error(read_wfdb, base)
    assert f"lead name '{name}'" in msg and "non-ASCII" in msg and "'None'" not in msg


def test_non_ascii_record_name_is_quoted_as_given(tmp_path, shared_data):
    base = _wfdb_copy(shared_data, tmp_path, "R\u00fccord", lambda t: t)
    msg = _error(read_wfdb, base)
    assert "record name 'R\u00fccord'" in msg and "Rcord" not in msg


@pytest.mark.parametrize("name", ["JS 1", "JS\t1"])
def test_record_name_with_white_space_is_named_not_blamed_on_the_gain(tmp_path, shared_data,
                                                                       name):
    base = _wfdb_copy(shared_data, tmp_path, name, lambda t: t)
    msg = _error(read_wfdb, base)
    assert f"record name {name!r} contains white space" in msg and "ADC gain" not in msg


@pytest.mark.parametrize("empty", [None, "   "])
def test_empty_diagnostics_file_name_names_the_row(tmp_path, empty):
    path = _diagnostics_csv(tmp_path / "Diagnostics.csv", 6, "FileName", 4, empty)
    msg = _error(read_diagnostics, path)
    assert "row 5 has an empty FileName" in msg and "nan" not in msg.lower()


@pytest.mark.parametrize("empty", [None, " "])
def test_empty_diagnostics_rhythm_names_the_row_not_code_nan(tmp_path, empty):
    path = _diagnostics_csv(tmp_path / "Diagnostics.csv", 4, "Rhythm", 2, empty)
    msg = _error(read_diagnostics, path)
    assert "row 3 (MUSE_2) has an empty Rhythm" in msg and "'nan'" not in msg


@pytest.mark.parametrize("out", ["/proc/ecgpaper-store", "/etc/hostname/store"])
def test_prepare_names_the_unwritable_out_folder(tmp_path, shared_data, capsys, out):
    data = tmp_path / "data"
    shutil.copytree(shared_data / "chapman" / "wfdb", data)
    code = main(["prepare", "--source", "chapman-wfdb", "--data-dir", str(data),
                 "--diagnostics", str(tmp_path / "missing.xlsx"), "--out", out,
                 "--no-progress"])
    err = capsys.readouterr().err
    # refused before the (missing) Diagnostics table is even looked for
    assert code == 2 and f"--out: {out}:" in err and ".tmp" not in err, err
    assert "missing.xlsx" not in err


def test_train_names_the_unwritable_out_folder(tmp_path, capsys):
    code = main(["train", "-e", "1", "--work-dir", str(tmp_path / "work"),
                 "--out", "/proc/ecgpaper-run", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "--out: /proc/ecgpaper-run: cannot write in /proc" in err, err
    assert not (tmp_path / "work").exists()


def test_even_kernel_size_fails_before_any_folder(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", "-e", "1", "--work-dir", str(tmp_path / "work"), "--out", str(out),
                 "--set", "kernel_size=4", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "kernel_size" in err and "odd" in err, err
    assert not out.exists() and not (tmp_path / "work").exists()


@pytest.mark.parametrize("setting, limit", [("kernel_size=999", "at most 31"),
                                             ("stem_kernel=1001", "at most 1000")])
def test_kernel_longer_than_the_signal_fails_before_any_folder(tmp_path, capsys, setting,
                                                              limit):
    """At 100 Hz the last residual stage sees 31 samples of a 10 s recording: a longer
    kernel reads only padding (and ~1000 taps crashed the process natively)."""
    out = tmp_path / "run"
    code = main(["train", "-e", "1", "--work-dir", str(tmp_path / "work"), "--out", str(out),
                 "--set", setting, "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and setting.split("=")[0] in err and limit in err, err
    assert not out.exists() and not (tmp_path / "work").exists()


def test_twin_names_the_unwritable_out_folder(capsys):
    assert main(["twin", "--out", "/proc/ecgpaper-twin", "--n", "8", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "--out: /proc/ecgpaper-twin: cannot write in /proc" in err, err
    assert ".tmp-" not in err


def test_unknown_experiment_in_checkpoint_names_the_file(tmp_path):
    from ecgpaper.inference.artifact import _preprocessing
    pt = tmp_path / "run" / "best.pt"
    extra = {"fs": 100, "n_samples": 1000, "channel_mean": [0.0] * 12,
             "channel_std": [1.0] * 12, "experiment": "zz"}
    with pytest.raises(ValueError) as err:
        _preprocessing(extra, pt)
    assert str(err.value).startswith(f"{pt}: checkpoint field 'experiment'")
    assert "unknown experiment 'zz'" in str(err.value)


# --------------------------------------------------------------------------- service

class _NoModels:
    """Enough of a ModelSet for requests that must be refused before any model runs."""
    loaded: list = []
    backend = "none"
    standard = universal = None

    def predict(self, *_a, **_k):
        raise AssertionError("a malformed request reached the model")


@pytest.fixture(scope="module")
def client():
    from fastapi.testclient import TestClient

    from ecgpaper.serve.app import Settings, create_app
    with TestClient(create_app(_NoModels(), Settings(api_key=""))) as c:
        yield c


def _predict(client, leads, **extra):
    body = {"fs": 500, "units": "uV", "leads": leads, **extra}
    r = client.post("/v1/predict", content=json.dumps(body),
                    headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    return r.json()


@pytest.mark.parametrize("names", [LEADS, ("II",), ("I", "V2")])
def test_one_sample_request_is_too_short_not_flat(client, names):
    out = _predict(client, {name: [10.0 * k] for k, name in enumerate(names)},
                   record_id="rec-7")
    assert out["field"] == "leads" and "flat" not in out["detail"], out
    assert "1 samples" in out["detail"] and "expected at least 1 s" in out["detail"], out


@pytest.mark.parametrize("name", ["\u2161", "V1\u00e9"])
def test_non_ascii_lead_name_in_request_is_named_as_given(client, name):
    out = _predict(client, {"I": [0.0] * 5000, name: [0.0] * 5000})
    assert out["field"] == f"leads.{name}", out
    assert f"unknown lead name '{name}'" in out["detail"], out
    assert "unrecognised" not in out["detail"] and "None" not in out["detail"], out


def test_gender_object_says_what_gender_expects(client):
    out = _predict(client, {"II": [0.0] * 5000}, metadata={"Gender": {"a": 1}})
    assert out["field"] == "metadata.Gender", out
    assert "expected 'MALE' or 'FEMALE'" in out["detail"] and "valid number" not in out["detail"]


def test_three_uploaded_files_are_counted(client):
    files = [("files", (f"JS{i}.hea", b"JS1 12 500 5000\n")) for i in range(3)]
    r = client.post("/v1/predict/file", files=files)
    assert r.status_code == 422 and r.json()["field"] == "files", r.text
    detail = r.json()["detail"]
    assert "got 3 file(s)" in detail and "expected one .csv, or a .hea" in detail
    assert "unreadable multipart" not in detail


def test_more_files_than_the_limit_are_refused_with_the_limit(client):
    from ecgpaper.serve.app import MAX_UPLOAD_FILES
    files = [("files", (f"f{i}.csv", b"1")) for i in range(MAX_UPLOAD_FILES + 1)]
    r = client.post("/v1/predict/file", files=files)
    assert r.status_code == 422 and f"more than {MAX_UPLOAD_FILES} files" in r.json()["detail"]
