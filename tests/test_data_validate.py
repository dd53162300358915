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


# --- limb leads that are multiples of one waveform ----------------------------------------

def one_waveform(a=0.6, b=1.0, rounded=True, n=5000, fs=500):
    """(12, T) µV of a single-dipole phantom: I = a*w, II = b*w, the other limb leads from
    Einthoven's and Goldberger's laws, the chest leads scaled copies of w."""
    t = np.arange(n) / fs
    w = np.sin(2 * np.pi * 1.1 * t) ** 31 * 1200 + 200 * np.sin(2 * np.pi * 1.1 * t + 1) ** 8
    lead_i, lead_ii = a * w, b * w
    limb = [lead_i, lead_ii, lead_ii - lead_i, -(lead_i + lead_ii) / 2, lead_i - lead_ii / 2,
            lead_ii - lead_i / 2]
    x = np.stack(limb + [w * g for g in (0.5, 0.8, 1.1, 1.2, 1.0, 0.8)])
    return np.rint(x) if rounded else x


PHANTOMS = [(0.6, 1.0), (1.0, 0.7), (0.3, 1.2), (1.0, 1.5), (-0.4, 1.0)]


@pytest.mark.parametrize("rounded", [False, True])
@pytest.mark.parametrize("a,b", PHANTOMS)
def test_single_waveform_limb_leads_are_accepted(a, b, rounded, tmp_path):
    from ecgpaper.data.validate import limb_rank, validate_signal
    x = one_waveform(a, b, rounded)
    assert limb_rank(x) == 1
    validate_signal(x, fs=500, units="uV", source="PHANTOM")
    if rounded:                        # through the CSV reader as a file would come
        rec = read_chapman_csv(write_csv(tmp_path / "PHANTOM.csv", x.astype(np.int64)))
        assert rec.signal.shape == (12, 5000)


def test_single_waveform_defeats_the_least_squares_gains():
    """Why the rank decides: with one waveform the least-squares gains are arbitrary, and
    at least one of the phantoms above would be refused by them."""
    from ecgpaper.data.validate import check_limb_gains
    refused = 0
    for a, b in PHANTOMS:
        try:
            check_limb_gains(one_waveform(a, b), "PHANTOM")
        except RecordError:
            refused += 1
    assert refused >= 1


@pytest.mark.parametrize("lead,factor,patterns", [
    ("aVL", 8.0, [r"lead aVL is 8x the I - II/2", "expected 0.5-2x",
                  r"the gain or units of aVL, I or II are wrong"]),
    ("aVF", 0.25, [r"lead aVF is 0\.25x the II - I/2"]),
    ("III", 3.0, [r"lead III is 3x the II - I"]),
    ("aVR", -1.0, [r"lead\(s\) \['aVR'\] have the opposite polarity", r"aVR = -\(I \+ II\)/2"]),
    ("I", -1.0, [r"opposite polarity", "from leads I and II"]),
    ("II", 4.0, [r"lead\(s\) \['aVL'\] have the opposite polarity", "from leads I and II"]),
])
def test_single_waveform_with_a_wrong_lead_is_refused(lead, factor, patterns):
    from ecgpaper.data.validate import validate_signal
    x = one_waveform()
    x[LEADS.index(lead)] *= factor
    raises(lambda: validate_signal(x, fs=500, units="uV", source="PHANTOM"),
           r"^PHANTOM: ", "multiples of one waveform", *patterns)


def test_limb_rank():
    from ecgpaper.data.validate import limb_rank
    assert limb_rank(np.zeros((12, 100))) == 0
    assert limb_rank(one_waveform()) == 1
    assert limb_rank(ecg_uV()) >= 2


def _real_records(shared):
    """Every real 12-lead record beside the project, read as the readers read them."""
    from ecgpaper.data.cinc import find_records
    yield from (read_wfdb(b) for b in find_records(shared / "chapman" / "wfdb"))
    yield from (read_chapman_csv(f) for f in sorted((shared / "chapman" / "csv-denoised")
                                                    .glob("*.csv")))
    for base in find_records(shared / "cinc2021"):       # as read_cinc: 500 Hz, any length
        yield read_wfdb(base, expected_fs=500, expected_samples=None, resample=True,
                        allow_flat=True)
    for base in find_records(shared / "ptbxl"):          # 100 and 500 Hz versions
        yield read_wfdb(base, expected_fs=None, expected_samples=None)


def test_every_real_record_passes_and_keeps_the_least_squares_check(shared_data):
    """The readers validate each record (a failure raises); none of them is taken for a
    one-waveform record, so the rank test changes nothing for real data."""
    from ecgpaper.data.validate import LIMB_RANK_TOL, limb_rank
    n = 0
    for rec in _real_records(shared_data):
        assert limb_rank(rec.in_microvolts()) >= 2, rec.record_id
        assert limb_rank(rec.in_microvolts(), tol=8 * LIMB_RANK_TOL) >= 2, rec.record_id
        n += 1
    assert n >= 100


@pytest.mark.parametrize("n_flat", [1, 6, 7, 11])
def test_many_disconnected_leads_are_named_as_flat_not_as_wrong_units(n_flat):
    """The units check looks at the live leads: seven zero leads made the median of all
    twelve a flat one's, and the record was blamed on millivolts read as microvolts."""
    from ecgpaper.data.validate import validate_signal
    x = ecg_uV().astype(float)
    x[LEADS.index("V6") - n_flat + 1:LEADS.index("V6") + 1] = 0.0
    msg = raises(lambda: validate_signal(x, fs=500, units="uV", source="REC"),
                 r"^REC: flat lead\(s\)")
    assert "millivolts" not in msg
