"""Readers on the real shared files: Chapman WFDB + Diagnostics join, the denoised CSV,
and the other CinC 2021 sources."""

import numpy as np
import pytest

from ecgpaper.constants import LEADS
from ecgpaper.data.chapman import read_chapman_csv, read_diagnostics
from ecgpaper.data.cinc import find_records, read_cinc
from ecgpaper.data.validate import RecordError
from ecgpaper.data.wfdb_io import read_wfdb
from ecgpaper.paths import shared_data_dir

SHARED = shared_data_dir()
pytestmark = pytest.mark.skipif(SHARED is None, reason="real test data (../shared/data) absent")


@pytest.fixture(scope="module")
def diag():
    return read_diagnostics(SHARED / "chapman" / "metadata" / "Diagnostics.xlsx")


def test_chapman_wfdb_records_join_diagnostics(diag):
    records = find_records(SHARED / "chapman" / "wfdb")
    assert len(records) == 10
    labels = []
    for base in records:
        rec = read_wfdb(base, diagnostics=diag)
        n = int(base.name[2:])
        row = diag.iloc[n - 1]
        assert rec.meta["FileName"] == row["FileName"]
        assert rec.meta["PatientAge"] == row["PatientAge"]
        assert rec.meta["Gender"] == row["Gender"]
        assert rec.meta["VentricularRate"] == row["VentricularRate"]
        assert rec.units == "mV" and rec.fs == 500 and rec.signal.shape == (12, 5000)
        assert rec.leads == LEADS
        assert rec.signal.dtype == np.float32
        labels.append(rec.label)
    assert sorted(labels) == sorted(["SB"] * 6 + ["AFIB"] * 2 + ["AF", "SR"])
    assert read_wfdb(SHARED / "chapman" / "wfdb" / "JS00005", diagnostics=diag).label == "AF"
    # without the table the label comes from the SNOMED codes, and agrees here
    assert read_wfdb(SHARED / "chapman" / "wfdb" / "JS00008.hea").label == "SR"
    # the SNOMED rhythm on every shared Chapman header agrees with its Diagnostics row
    for base in records:
        assert read_wfdb(base).label == read_wfdb(base, diagnostics=diag).label
    # JS00003 is absent: row 3 is the first SA (sinus irregularity) row of the table
    assert diag.iloc[2]["Rhythm"] == "SA"
    assert not (SHARED / "chapman" / "wfdb" / "JS00003.hea").exists()


def test_wfdb_gain_and_units(diag):
    rec = read_wfdb(SHARED / "chapman" / "wfdb" / "JS00001")
    # header: gain 1000/mV, first sample of lead I is -254 -> -0.254 mV
    assert rec.signal[0, 0] == pytest.approx(-0.254)
    assert rec.meta["dx_codes"] == ["164889003", "59118001", "164934002"]


def test_join_disagreement_is_an_error(diag, tmp_path):
    bad = diag.copy()
    bad.loc[0, "PatientAge"] = 40
    with pytest.raises(RecordError, match=r"JS00001.*age 85.*row 1.*age 40"):
        read_wfdb(SHARED / "chapman" / "wfdb" / "JS00001", diagnostics=bad)
    bad = diag.copy()
    bad.loc[1, "Gender"] = "MALE"
    with pytest.raises(RecordError, match=r"JS00002.*FEMALE.*row 2.*MALE"):
        read_wfdb(SHARED / "chapman" / "wfdb" / "JS00002", diagnostics=bad)
    with pytest.raises(RecordError, match="JS45542 points to row 45542"):
        read_wfdb(SHARED / "cinc2021" / "ningbo" / "JS45542", diagnostics=diag,
                  allow_flat=True)


def test_denoised_csv_without_header(diag):
    path = SHARED / "chapman" / "csv-denoised" / "MUSE_20180111_155115_19000.csv"
    rec = read_chapman_csv(path, diagnostics=diag)
    assert rec.label == "ST"
    assert rec.units == "uV" and rec.signal.shape == (12, 5000)
    assert rec.meta["FileName"] == diag.iloc[6923]["FileName"]
    assert rec.meta["PatientAge"] == 88 and rec.meta["Gender"] == "MALE"
    assert rec.signal[0, 0] == pytest.approx(-165.33)
    assert rec.signal[11, 0] == pytest.approx(-570.84)


def test_csv_with_header_is_reordered_by_name(tmp_path):
    path = SHARED / "chapman" / "csv-denoised" / "MUSE_20180111_155115_19000.csv"
    data = np.loadtxt(path, delimiter=",")
    order = [11, 3, 0, 7, 1, 5, 2, 9, 4, 6, 8, 10]
    out = tmp_path / "X.csv"
    np.savetxt(out, data[:, order], delimiter=",", fmt="%.5g",
               header=",".join(LEADS[i] for i in order), comments="")
    rec = read_chapman_csv(out)
    ref = read_chapman_csv(path)
    np.testing.assert_allclose(rec.signal, ref.signal, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("name,label", [
    ("georgia/E00001", "SR"), ("georgia/E00004", "SB"), ("georgia/E00005", "AFIB"),
    ("georgia/E00008", "ST"), ("georgia/E00006", None), ("cpsc/A0003", "AFIB"),
    ("ptb/HR00010", "SA"), ("ptb/HR00002", "SB"), ("ningbo/JS45543", None),
])
def test_cinc_labels_from_snomed(name, label):
    assert read_cinc(SHARED / "cinc2021" / name).label == label


def test_cinc_documented_failures_and_options():
    cpsc = SHARED / "cinc2021" / "cpsc" / "A0001"
    with pytest.raises(RecordError, match=r"A0001\.hea: 7500 samples .*expected 5000"):
        read_wfdb(cpsc)
    assert read_cinc(cpsc).n_samples == 7500           # any length accepted on request
    ptb = SHARED / "cinc2021" / "ptb" / "S0001"
    with pytest.raises(RecordError, match=r"S0001\.hea: sampling rate 1000 Hz, expected 500"):
        read_wfdb(ptb, expected_samples=None)
    rec = read_cinc(ptb)                                 # resampled on request
    assert rec.fs == 500 and rec.n_samples == 38400 // 2
    assert rec.label == "SR"
    ningbo = SHARED / "cinc2021" / "ningbo" / "JS45551"
    with pytest.raises(RecordError, match=r"JS45551\.hea: flat lead\(s\) \['V4', 'V5', 'V6'\]"):
        read_cinc(ningbo)
    assert read_cinc(ningbo, allow_flat=True).signal.shape == (12, 5000)


def test_every_shared_cinc_record_loads_or_fails_clearly():
    for base in find_records(SHARED / "cinc2021"):
        try:
            rec = read_cinc(base)
        except RecordError as exc:
            assert base.name in str(exc) and "flat lead" in str(exc)
        else:
            assert rec.fs == 500 and rec.leads == LEADS and np.isfinite(rec.signal).all()
