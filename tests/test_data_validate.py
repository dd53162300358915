"""Every validation error names the file and the problem."""

import re

import numpy as np
import pytest

from ecgpaper.constants import LEADS
from ecgpaper.data.chapman import read_chapman_csv
from ecgpaper.data.validate import RecordError
from ecgpaper.data.wfdb_io import read_wfdb, write_cinc_record

from synthetic_ecg import ecg_like


def ecg_uV(n=5000, fs=500, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    beats = np.sin(2 * np.pi * 1.1 * t) ** 31 * 1200          # sharp periodic peaks
    return np.rint(ecg_like(rng, beats, noise_uV=20)).astype(np.int64)


def write_csv(path, sig, header=LEADS, fmt="%d"):
    np.savetxt(path, sig.T, delimiter=",", fmt=fmt,
               header=",".join(header) if header else "", comments="")
    return path


def raises(fn, *patterns):
    with pytest.raises(RecordError) as info:
        fn()
    msg = str(info.value)
    for p in patterns:
        assert re.search(p, msg), f"{p!r} not in {msg!r}"
    return msg


def test_good_csv_and_wfdb_load(tmp_path):
    sig = ecg_uV()
    rec = read_chapman_csv(write_csv(tmp_path / "OK.csv", sig))
    np.testing.assert_array_equal(rec.signal, sig.astype(np.float32))
    base = write_cinc_record(tmp_path, "OK", sig)
    np.testing.assert_allclose(read_wfdb(base).in_microvolts(), sig, atol=1e-3)


def test_wrong_lead_count(tmp_path):
    f = write_csv(tmp_path / "ELEVEN.csv", ecg_uV()[:11], header=LEADS[:11])
    raises(lambda: read_chapman_csv(f), r"ELEVEN\.csv", "11 leads", "expected 12")
    g = write_csv(tmp_path / "NOHDR.csv", ecg_uV()[:11], header=None)
    raises(lambda: read_chapman_csv(g), r"NOHDR\.csv", "11 columns")


def test_unknown_and_missing_leads(tmp_path):
    names = list(LEADS[:11]) + ["X1"]
    f = write_csv(tmp_path / "UNK.csv", ecg_uV(), header=names)
    raises(lambda: read_chapman_csv(f), r"UNK\.csv", r"unknown lead name.*X1")
    names = list(LEADS[:11]) + ["V5"]
    g = write_csv(tmp_path / "DUP.csv", ecg_uV(), header=names)
    raises(lambda: read_chapman_csv(g), r"DUP\.csv", r"\['V6'\] missing", "duplicated")


def test_wrong_length_and_sampling_rate(tmp_path):
    f = write_csv(tmp_path / "SHORT.csv", ecg_uV()[:, :4000])
    raises(lambda: read_chapman_csv(f), r"SHORT\.csv", "4000 samples", "expected 5000")
    base = write_cinc_record(tmp_path, "RATE", ecg_uV(2500, fs=250), fs=250)
    raises(lambda: read_wfdb(base), r"RATE\.hea", "sampling rate 250 Hz", "expected 500")
    rec = read_wfdb(base, resample=True)                 # only when asked
    assert rec.fs == 500 and rec.n_samples == 5000


def test_nan_and_inf(tmp_path):
    sig = ecg_uV().astype(float)
    sig[3, 17] = np.nan
    f = write_csv(tmp_path / "NAN.csv", sig, fmt="%g")
    raises(lambda: read_chapman_csv(f), r"NAN\.csv", "NaN/Inf", "lead aVR at sample 17")
    sig[3, 17] = np.inf
    g = write_csv(tmp_path / "INF.csv", sig, fmt="%g")
    raises(lambda: read_chapman_csv(g), r"INF\.csv", "NaN/Inf")


def test_units_implausible(tmp_path):
    mv = ecg_uV() / 1000.0
    f = write_csv(tmp_path / "MILLI.csv", mv, fmt="%.4f")
    raises(lambda: read_chapman_csv(f), r"MILLI\.csv", "millivolts read as microvolts")
    g = write_csv(tmp_path / "MICRO.csv", ecg_uV())
    raises(lambda: read_chapman_csv(g, units="mV"), r"MICRO\.csv",
           "microvolts read as millivolts")
    # a WFDB header whose gain is wrong by 1000x declares mV but holds µV values
    base = write_cinc_record(tmp_path, "GAIN", ecg_uV(), gain=1.0)
    raises(lambda: read_wfdb(base), r"GAIN\.hea", "microvolts read as millivolts")


def test_flat_lead(tmp_path):
    sig = ecg_uV()
    sig[7] = 0
    f = write_csv(tmp_path / "FLAT.csv", sig)
    raises(lambda: read_chapman_csv(f), r"FLAT\.csv", r"flat lead\(s\) \['V2'\]")
    assert read_chapman_csv(f, allow_flat=True).signal.shape == (12, 5000)


def test_truncated_and_unreadable_csv(tmp_path):
    text = write_csv(tmp_path / "FULL.csv", ecg_uV()).read_text()
    cut = tmp_path / "CUT.csv"
    cut.write_text(text[: len(text) // 2 - 7])             # stops mid-line
    raises(lambda: read_chapman_csv(cut), r"CUT\.csv", "unreadable CSV|samples|truncated")
    empty = tmp_path / "EMPTY.csv"
    empty.write_text("")
    raises(lambda: read_chapman_csv(empty), r"EMPTY\.csv", "empty file")
    junk = tmp_path / "JUNK.csv"
    junk.write_text(",".join(LEADS) + "\n" + "a,b,c,d,e,f,g,h,i,j,k,l\n" * 10)
    raises(lambda: read_chapman_csv(junk), r"JUNK\.csv", "not numeric")
    with pytest.raises(FileNotFoundError, match="NOPE.csv"):
        read_chapman_csv(tmp_path / "NOPE.csv")


def test_truncated_and_unreadable_wfdb(tmp_path):
    base = write_cinc_record(tmp_path, "TRUNC", ecg_uV())
    mat = tmp_path / "TRUNC.mat"
    mat.write_bytes(mat.read_bytes()[:60000])
    raises(lambda: read_wfdb(base), r"TRUNC\.mat", "unreadable or truncated")
    base = write_cinc_record(tmp_path, "BADHEA", ecg_uV())
    (tmp_path / "BADHEA.hea").write_text("garbage line\n")
    raises(lambda: read_wfdb(base), r"BADHEA\.hea", "unreadable WFDB header")
    base = write_cinc_record(tmp_path, "NOMAT", ecg_uV())
    (tmp_path / "NOMAT.mat").unlink()
    raises(lambda: read_wfdb(base), r"NOMAT\.hea", "NOMAT.mat not found")


def test_header_disagrees_with_signal_file(tmp_path):
    from scipy.io import savemat
    base = write_cinc_record(tmp_path, "LEN", ecg_uV())
    savemat(tmp_path / "LEN.mat", {"val": ecg_uV()[:, :4000].astype(np.int16)}, format="4")
    raises(lambda: read_wfdb(base), r"LEN\.mat", r"12 signals x 4000 samples",
           "declares 12 x 5000", "disagree")
    base = write_cinc_record(tmp_path, "SUM", ecg_uV())
    sig = ecg_uV()
    sig[4, 100] += 5
    savemat(tmp_path / "SUM.mat", {"val": sig.astype(np.int16)}, format="4")
    raises(lambda: read_wfdb(base), r"SUM\.mat", "lead aVL checksum", "disagree")
