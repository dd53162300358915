"""Malformed and hostile inputs to `ecgpaper prepare` and `ecgpaper data summary`.

Each case copies a clean folder (the synthetic twin, or the real Chapman WFDB records
beside the project), damages it in one way, runs the real command line and checks:
the exit code; for errors, one line that names the file or field and what was expected,
and no traceback; that the data folder is unchanged and no temporary or partial store is
left behind; and, for inputs that must be accepted, a store identical to the clean one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pytest

from ecgpaper.cli import main
from ecgpaper.constants import LEADS
from ecgpaper.fileio import file_sha256

# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def clean_twin(tmp_path_factory) -> Path:
    from ecgpaper.twin.writer import generate_twin
    folder = tmp_path_factory.mktemp("twin") / "data"
    generate_twin(folder, n=16, seed=3, progress=False)
    return folder


@pytest.fixture(scope="session")
def clean_wfdb(tmp_path_factory, shared_data) -> Path:
    """The real Chapman WFDB records and the complete Diagnostics table (as CSV: the
    same rows, read in milliseconds instead of seconds)."""
    folder = tmp_path_factory.mktemp("wfdb") / "data"
    shutil.copytree(shared_data / "chapman" / "wfdb", folder)
    diag = pd.read_excel(shared_data / "chapman" / "metadata" / "Diagnostics.xlsx")
    diag.to_csv(folder.parent / "Diagnostics.csv", index=False)
    return folder


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def tree_digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (file_sha256(p) if p.is_file() else "dir")
            for p in sorted(folder.rglob("*"))}


def store_checksum(store: Path) -> str:
    return json.loads((store / "manifest.json").read_text())["dataset_checksum"]


@pytest.fixture(scope="session")
def clean_twin_store(clean_twin, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("clean") / "store"
    assert main(["prepare", "--source", "chapman-csv", "--data-dir", str(clean_twin),
                 "--out", str(out), "--no-progress", "--workers", "1"]) == 0
    return store_checksum(out)


@pytest.fixture(scope="session")
def clean_wfdb_store(clean_wfdb, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("cleanw") / "store"
    assert main(["prepare", "--source", "chapman-wfdb", "--data-dir", str(clean_wfdb),
                 "--diagnostics", str(clean_wfdb.parent / "Diagnostics.csv"),
                 "--out", str(out), "--no-progress", "--workers", "1"]) == 0
    return store_checksum(out)


# --------------------------------------------------------------------------- damage helpers

def csv_files(data: Path) -> list[Path]:
    return sorted((data / "ECGData").glob("*.csv"))


def rewrite_csv(path: Path, fn) -> None:
    """Apply fn to the (5000, 12) µV matrix of a twin CSV (header kept)."""
    df = pd.read_csv(path)
    values = fn(df.to_numpy(dtype=float).copy())
    pd.DataFrame(values, columns=df.columns).to_csv(path, index=False)


def scale_lead(lead: str | None, factor: float):
    def fn(x):
        if lead is None:
            return x * factor
        x[:, LEADS.index(lead)] *= factor
        return x
    return fn


def scale_chest_lead(factor: float):
    """Scale the chest lead that is already the largest against its neighbours: a 10x gain
    error there must leave the real range (a lead that starts at 0.7x its neighbours
    would end inside it, and no amplitude check can tell that from a real heart)."""
    from ecgpaper.data.validate import precordial_ratios, robust_amplitude

    def fn(x):
        ratios = precordial_ratios(robust_amplitude(x.T, 500.0))
        x[:, LEADS.index(max(ratios, key=ratios.get))] *= factor
        return x
    return fn


def one_waveform_limbs(avl_factor: float = 1.0, i_gain: float = 1.5):
    """Limb leads as a single-dipole phantom makes them: multiples of the record's lead II
    (I = i_gain * II, the others by Einthoven's and Goldberger's laws), rounded to whole
    µV; `avl_factor` then puts aVL at the wrong gain. (On the first twin record the
    least-squares gains once called this phantom's lead III inverted.)"""
    def fn(x):
        w = x[:, LEADS.index("II")].copy()
        for name, k in (("I", i_gain), ("III", 1 - i_gain), ("aVR", -(i_gain + 1) / 2),
                        ("aVL", (i_gain - 0.5) * avl_factor), ("aVF", 1 - i_gain / 2)):
            x[:, LEADS.index(name)] = np.rint(k * w)
        return x
    return fn


def edit_diagnostics(data: Path, fn) -> None:
    path = data / "Diagnostics.xlsx"
    df = pd.read_excel(path)
    df = fn(df)
    df.to_excel(path, index=False)


def edit_wfdb_csv_table(data: Path, fn) -> None:
    path = data.parent / "Diagnostics.csv"
    df = pd.read_csv(path)
    fn(df).to_csv(path, index=False)


def set_cell(row: int, column: str, value):
    def fn(df):
        df[column] = df[column].astype(object)
        df.loc[row, column] = value
        return df
    return fn


def edit_header(data: Path, record: str, old: str, new: str, line: int | None = None) -> None:
    hea = data / f"{record}.hea"
    lines = hea.read_text().splitlines()
    targets = range(len(lines)) if line is None else [line]
    for k in targets:
        lines[k] = lines[k].replace(old, new)
    hea.write_text("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- the cases

@dataclass
class Case:
    name: str
    source: str                                   # "twin" or "wfdb"
    damage: Callable[[Path], None] | None = None  # applied to a fresh copy of the folder
    expect: str = ""                              # regex the error line must match
    code: int = 2
    out: str = "store"                            # --out, relative to the case folder
    extra: list[str] = field(default_factory=list)
    same_store: bool = False                      # accepted: store identical to the clean one
    stdout: str = ""                              # regex the report must contain


def _swap_rhythms(a: int, b: int):
    """Exchange the rhythms of two rows: what swapping two rows of patients of the same
    age and sex does to the positional join."""
    def fn(df):
        df.loc[[a, b], "Rhythm"] = df.loc[[b, a], "Rhythm"].to_numpy()
        return df
    return fn


def _first_csv(data):
    return csv_files(data)[0]


def _symlink_outside(data):
    outside = data.parent / "secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n" * 3)
    target = _first_csv(data)
    target.unlink()
    target.symlink_to(outside)


def _passwd_like_csv(data):
    _first_csv(data).write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/bin/sh\n")


def _shuffle_columns(data):
    for f in csv_files(data):
        df = pd.read_csv(f)
        df[list(reversed(df.columns))].to_csv(f, index=False)


def _bom(data):
    for f in csv_files(data):
        f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())


def _crlf(data):
    for f in csv_files(data):
        f.write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))


def _lower_case_leads(data):
    for f in csv_files(data):
        text = f.read_text().split("\n", 1)
        f.write_text(text[0].lower() + "\n" + text[1])


def _lower_case_wfdb(data):
    for hea in sorted(data.glob("JS*.hea")):
        low = hea.stem.lower()
        text = hea.read_text().replace(hea.stem, low)
        (data / f"{low}.hea").write_text(text)
        hea.unlink()
        (data / f"{hea.stem}.mat").rename(data / f"{low}.mat")


def _duplicate_subfolder(data, differ: bool):
    copy = data / "copy"
    copy.mkdir()
    for suffix in (".hea", ".mat"):
        shutil.copy(data / f"JS00002{suffix}", copy / f"JS00002{suffix}")
    if differ:
        edit_header(copy, "JS00002", "Age: 59", "Age: 60")


def _stale_temporary(data):
    """What a run killed while filling its store leaves: a marked temporary folder with
    a partial signals.npy (a folder of that name without the marker is kept: see
    test_fuzz_dataloss)."""
    from ecgpaper.data.store import STORE_FILES, STORE_KIND
    from ecgpaper.markers import write_marker
    stale = data.parent / ".store.tmp-999999999"
    stale.mkdir()
    write_marker(stale, STORE_KIND, STORE_FILES)
    (stale / "signals.npy").write_bytes(b"\0" * 1024)


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as fh:
        fh.truncate(size)


def _damaged_store(kind: str):
    """Prepare a good store, then damage it; prepare must rebuild it."""
    def damage(data):
        out = data.parent / "store"
        assert main(["prepare", "--source", "chapman-csv", "--data-dir", str(data), "--out",
                     str(out), "--no-progress", "--workers", "1"]) == 0
        manifest = json.loads((out / "manifest.json").read_text())
        if kind == "empty-list":
            (out / "manifest.json").write_text("[]")
        elif kind == "no-n_samples":
            manifest.pop("n_samples")
            (out / "manifest.json").write_text(json.dumps(manifest))
        elif kind == "n_records-text":
            manifest["n_records"] = str(manifest["n_records"])
            (out / "manifest.json").write_text(json.dumps(manifest))
        elif kind == "forged-totals":
            manifest["split_totals"]["train"] += 1
            (out / "manifest.json").write_text(json.dumps(manifest))
        elif kind == "no-checksum-column":
            index = pd.read_parquet(out / "index.parquet").drop(columns=["checksum"])
            index.to_parquet(out / "index.parquet", index=False)
        elif kind == "truncated-signals":
            raw = (out / "signals.npy").read_bytes()
            (out / "signals.npy").write_bytes(raw[: len(raw) // 3])
    return damage


CASES = [
    # 1. data loss: --out overlapping the data, or a folder that is not a store
    Case("out-is-data-dir", "twin", out="data", expect=r"may not be, contain or lie inside"),
    Case("out-is-parent", "twin", out=".", expect=r"may not be, contain or lie inside"),
    Case("out-inside-data", "twin", out="data/store", expect=r"may not be, contain or lie inside"),
    Case("out-user-folder", "twin", out="mine",
         damage=lambda d: (d.parent / "mine").mkdir() or (d.parent / "mine" / "a.txt").write_text("x"),
         expect=r"mine: exists and is not an ecgpaper store.*refusing"),
    Case("out-is-a-file", "twin", out="afile",
         damage=lambda d: (d.parent / "afile").write_text("keep me"),
         expect=r"afile: exists and is not a folder"),
    Case("out-empty-folder", "twin", out="empty", damage=lambda d: (d.parent / "empty").mkdir(),
         code=0, same_store=True),
    # 2. mis-scaled signals
    Case("uniform-x10", "twin", lambda d: rewrite_csv(_first_csv(d), scale_lead(None, 10)),
         expect=r"TWIN_\w+\.csv: typical lead amplitude \d+ µV.*expected 100-8000 µV"),
    Case("uniform-x0.02", "twin", lambda d: rewrite_csv(_first_csv(d), scale_lead(None, 0.02)),
         expect=r"TWIN_\w+\.csv: (typical lead amplitude.*mis-scaled|median peak-to-peak "
                r".* implausibly small)"),
    Case("lead-II-x5", "twin", lambda d: rewrite_csv(_first_csv(d), scale_lead("II", 5)),
         expect=r"TWIN_\w+\.csv: lead II is [45](\.\d+)?x the amplitude.*expected 0\.5-2x"),
    Case("lead-aVL-x0.1", "twin", lambda d: rewrite_csv(_first_csv(d), scale_lead("aVL", 0.1)),
         expect=r"TWIN_\w+\.csv: lead aVL is 0\.\d+x the amplitude"),
    Case("chest-lead-x10", "twin", lambda d: rewrite_csv(_first_csv(d), scale_chest_lead(10)),
         expect=r"TWIN_\w+\.csv: lead V\d is \d+(\.\d+)?x the amplitude of its neighbouring chest"),
    Case("lead-I-inverted", "twin", lambda d: rewrite_csv(_first_csv(d), scale_lead("I", -1)),
         expect=r"TWIN_\w+\.csv: lead\(s\) \['I'\] have the opposite polarity"),
    Case("one-waveform-limb-leads", "twin",
         lambda d: rewrite_csv(_first_csv(d), one_waveform_limbs()), code=0),
    Case("one-waveform-aVL-x8", "twin",
         lambda d: rewrite_csv(_first_csv(d), one_waveform_limbs(8.0)),
         expect=r"TWIN_\w+\.csv: lead aVL is (7\.9\d|8(\.0\d)?)x the I - II/2 .*multiples of one "
                r"waveform.*expected 0\.5-2x"),
    Case("all-zero", "twin", lambda d: rewrite_csv(_first_csv(d), scale_lead(None, 0)),
         expect=r"TWIN_\w+\.csv: flat record: every lead"),
    Case("wfdb-gain-100-lead-III", "wfdb",
         lambda d: edit_header(d, "JS00004", "1000/mV", "100/mV", line=3),
         expect=r"JS00004\.hea: lead III is \d+(\.\d+)?x the amplitude"),
    Case("wfdb-gain-10000-lead-I", "wfdb",
         lambda d: edit_header(d, "JS00005", "1000/mV", "10000/mV", line=1),
         expect=r"JS00005\.hea: lead I is 0\.\d+x the amplitude"),
    Case("wfdb-gain-0-lead-aVF", "wfdb",
         lambda d: edit_header(d, "JS00006", "1000/mV", "0/mV", line=6),
         # refused from the header itself (the library would read gain 0 as 200)
         expect=r"JS00006\.hea: line 7 \(lead 'aVF'\): ADC gain '0', expected a positive "
                r"number"),
    # 3. wrong labels through the positional join
    Case("rows-swapped-same-age-sex", "wfdb",
         lambda d: edit_wfdb_csv_table(d, _swap_rhythms(0, 1)),
         expect=r"JS00001\.hea: JS00001's header # Dx names rhythm\(s\) \['AFIB'\] but "
                r"Diagnostics row 1 .* says SB"),
    Case("age-unknown-and-relabelled", "wfdb",
         lambda d: (edit_header(d, "JS00002", "Age: 59", "Age: Unknown"),
                    edit_wfdb_csv_table(d, set_cell(1, "Rhythm", "ST"))),
         expect=r"JS00002\.hea: .*# Dx names rhythm\(s\) \['SB'\].*says ST"),
    Case("no-dx-line", "wfdb", lambda d: edit_header(d, "JS00007", "Dx:", "Note:"),
         expect=r"JS00007\.hea: .*no # Dx line"),
    # 4. damaged stores are rebuilt
    Case("store-manifest-empty-list", "twin", _damaged_store("empty-list"), code=0, same_store=True,
         stdout=r"rebuilding store .*expected an object"),
    Case("store-no-n_samples", "twin", _damaged_store("no-n_samples"), code=0, same_store=True,
         stdout=r"field 'n_samples' is missing"),
    Case("store-n_records-text", "twin", _damaged_store("n_records-text"), code=0,
         same_store=True, stdout=r"field 'n_records' is str, expected int"),
    Case("store-forged-totals", "twin", _damaged_store("forged-totals"), code=0, same_store=True,
         stdout=r"do not match the manifest checksum"),
    Case("store-no-checksum-column", "twin", _damaged_store("no-checksum-column"), code=0,
         same_store=True, stdout=r"column\(s\) \['checksum'\] missing"),
    Case("store-truncated-signals", "twin", _damaged_store("truncated-signals"), code=0,
         same_store=True, stdout=r"rebuilding store"),
    Case("store-damaged-force", "twin", _damaged_store("empty-list"), code=0, same_store=True,
         extra=["--force"]),
    # 5. file names used as paths
    Case("filename-dotdot", "twin",
         lambda d: edit_diagnostics(d, set_cell(0, "FileName", "../../x")),
         expect=r"Diagnostics\.xlsx: row 1: FileName .* is not a plain record name"),
    Case("filename-absolute", "twin",
         lambda d: edit_diagnostics(d, set_cell(2, "FileName", "/etc/passwd")),
         expect=r"Diagnostics\.xlsx: row 3: FileName .* is not a plain record name"),
    Case("csv-symlink-outside", "twin", _symlink_outside,
         expect=r"TWIN_\w+\.csv: resolves outside the data folder"),
    Case("csv-with-system-file-content", "twin", _passwd_like_csv,
         expect=r"TWIN_\w+\.csv: .*expected 12"),
    Case("hea-points-at-other-mat", "wfdb",
         lambda d: edit_header(d, "JS00002", "JS00002.mat", "JS00001.mat"),
         expect=r"JS00002\.hea: signal file 'JS00001\.mat' is not JS00002\.mat"),
    Case("csv-copied-over-another", "twin",
         lambda d: shutil.copy(csv_files(d)[0], csv_files(d)[1]),
         expect=r"TWIN_\w+\.csv: identical signals to .*TWIN_\w+\.csv"),
    # 6. Diagnostics values out of range
    Case("age-negative", "twin", lambda d: edit_diagnostics(d, set_cell(0, "PatientAge", -5)),
         expect=r"column PatientAge row 1 \(TWIN_\w+\): -5 outside the plausible range 0 to 120"),
    Case("age-999", "twin", lambda d: edit_diagnostics(d, set_cell(4, "PatientAge", 999)),
         expect=r"column PatientAge row 5 \(TWIN_\w+\): 999 outside"),
    Case("qt-inf", "twin", lambda d: edit_diagnostics(d, set_cell(1, "QTInterval", "inf")),
         expect=r"column QTInterval row 2 \(TWIN_\w+\): inf outside the plausible range"),
    Case("rate-text", "twin", lambda d: edit_diagnostics(d, set_cell(1, "VentricularRate", "fast")),
         expect=r"column VentricularRate row 2 \(TWIN_\w+\): 'fast' is not a number"),
    Case("wfdb-axis-out-of-range", "wfdb",
         lambda d: edit_wfdb_csv_table(d, set_cell(3, "RAxis", 720)),
         expect=r"column RAxis row 4 \(MUSE_\w+\): 720 outside"),
    # 9. records dropped without a word
    Case("wfdb-lower-case-names", "wfdb", _lower_case_wfdb, code=0, same_store=True),
    Case("mat-without-hea", "wfdb", lambda d: (d / "JS00008.hea").unlink(), code=0,
         stdout=r"skipped 1 file\(s\): signal file without its \.hea header, e\.g\. \['JS00008\.mat'\]"),
    Case("mat-without-hea-strict", "wfdb", lambda d: (d / "JS00008.hea").unlink(),
         extra=["--strict"], expect=r"--strict: \d+ file\(s\) or Diagnostics row\(s\) would be skipped"),
    Case("same-record-two-folders", "wfdb", lambda d: _duplicate_subfolder(d, differ=False), code=0,
         same_store=True, stdout=r"identical copy of JS00002\.hea"),
    Case("same-record-two-folders-differing", "wfdb", lambda d: _duplicate_subfolder(d, differ=True),
         expect=r"copy/JS00002\.hea: a second, different copy of record JS00002"),
    Case("extra-csv", "twin",
         lambda d: shutil.copy(csv_files(d)[0], d / "ECGData" / "EXTRA_1.csv"), code=0,
         same_store=True, stdout=r"skipped 1 file\(s\): no row in the Diagnostics table"),
    Case("extra-csv-strict", "twin",
         lambda d: shutil.copy(csv_files(d)[0], d / "ECGData" / "EXTRA_1.csv"), extra=["--strict"],
         expect=r"--strict: 1 file\(s\)"),
    Case("missing-csv", "twin", lambda d: csv_files(d)[0].unlink(),
         expect=r"1 of 16 records listed in Diagnostics\.xlsx have no file"),
    # 10. leftovers and limits
    Case("stale-temporary", "twin", _stale_temporary, code=0, same_store=True,
         stdout=r"removed .*\.store\.tmp-999999999, left behind by an interrupted run"),
    Case("huge-hea", "wfdb", lambda d: _sparse(d / "JS00009.hea", 2 * 2**30),
         expect=r"JS00009\.hea: 2048\.0 MB, expected a WFDB header under 1 MB"),
    Case("huge-csv", "twin", lambda d: _sparse(_first_csv(d), 300 * 2**20),
         expect=r"TWIN_\w+\.csv: 300\.0 MB, expected at most \d+\.\d MB for 5000 samples"),
    Case("huge-sig-len", "wfdb", lambda d: edit_header(d, "JS00010", "12 500 5000", "12 500 999999999", line=0),
         expect=r"JS00010\.hea: declares 999999999 samples per lead"),
    # accepted variants give the clean store
    Case("shuffled-leads", "twin", _shuffle_columns, code=0, same_store=True),
    Case("bom", "twin", _bom, code=0, same_store=True),
    Case("crlf", "twin", _crlf, code=0, same_store=True),
    Case("lower-case-lead-names", "twin", _lower_case_leads, code=0, same_store=True),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_prepare_fuzz(case: Case, tmp_path, request, capsys):
    clean = request.getfixturevalue("clean_twin" if case.source == "twin" else "clean_wfdb")
    data = tmp_path / "data"
    shutil.copytree(clean, data, symlinks=True)
    args = ["prepare", "--source", "chapman-csv" if case.source == "twin" else "chapman-wfdb",
            "--data-dir", str(data), "--out", str(tmp_path / case.out), "--no-progress",
            "--workers", "1", *case.extra]
    if case.source == "wfdb":
        shutil.copy(clean.parent / "Diagnostics.csv", tmp_path / "Diagnostics.csv")
        args += ["--diagnostics", str(tmp_path / "Diagnostics.csv")]
    if case.damage is not None:
        case.damage(data)
    capsys.readouterr()
    before = tree_digest(data)
    out_existed = (tmp_path / case.out).exists()
    code, stdout, stderr = run_cli(args, capsys)

    assert code == case.code, (stdout, stderr)
    assert "Traceback" not in stdout + stderr
    assert tree_digest(data) == before, "the data folder was changed"
    leftovers = [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name]
    assert not leftovers, f"temporaries left behind: {leftovers}"
    if case.code:
        lines = [ln for ln in stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("ecgpaper prepare: error: "), stderr
        assert re.search(case.expect, lines[0]), lines[0]
        assert "root:x" not in stderr
        if not out_existed:
            assert not (tmp_path / case.out).exists(), "a partial store was left behind"
    if case.stdout:
        assert re.search(case.stdout, stdout), stdout
    if case.same_store:
        clean_sum = request.getfixturevalue(
            "clean_twin_store" if case.source == "twin" else "clean_wfdb_store")
        assert store_checksum(tmp_path / case.out) == clean_sum


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40


# --------------------------------------------------------------------------- data summary

@pytest.mark.parametrize("kind, expect", [
    ("empty-list", r"manifest\.json: a JSON list, expected an object"),
    ("no-n_samples", r"field 'n_samples' is missing, expected int"),
    ("n_records-text", r"field 'n_records' is str, expected int"),
    ("forged-totals", r"fields do not match the manifest checksum"),
    ("no-checksum-column", r"index\.parquet: column\(s\) \['checksum'\] missing"),
    ("truncated-signals", r"store: unreadable index\.parquet or signals\.npy|partial store"),
])
def test_data_summary_of_damaged_store(kind, expect, clean_twin, tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(clean_twin, data)
    _damaged_store(kind)(data)
    capsys.readouterr()
    code, stdout, stderr = run_cli(["data", "summary", "--store", str(tmp_path / "store")],
                                   capsys)
    assert code == 2 and "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(expect, lines[0]), stderr


def test_header_less_csv_starting_with_exponent(clean_twin, tmp_path):
    """A header-less (denoised-style) CSV whose first cell is 1.5e-05 is data, not a header."""
    from ecgpaper.data.chapman import read_chapman_csv
    src = csv_files(clean_twin)[0]
    values = pd.read_csv(src).to_numpy(dtype=float)
    values[0, 0] = 1.5e-05
    path = tmp_path / "NOHEADER.csv"
    np.savetxt(path, values, delimiter=",", fmt="%.6g")
    record = read_chapman_csv(path)
    assert record.n_samples == 5000
    assert record.signal[0, 0] == pytest.approx(1.5e-05)


def test_no_traceback_from_a_real_process(clean_twin, tmp_path):
    """The same as above through a separate interpreter: what a user's terminal shows."""
    data = tmp_path / "data"
    shutil.copytree(clean_twin, data)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-m", "ecgpaper", "prepare", "--source",
                           "chapman-csv", "--data-dir", str(data), "--out", str(data),
                           "--no-progress"], capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    assert (data / "Diagnostics.xlsx").is_file() and (data / "ECGData").is_dir()


def test_data_sources_page_states_the_checks_as_the_code_does():
    """The book's list of checks quotes the thresholds the code applies."""
    from ecgpaper.data import chapman, validate, wfdb_io
    from ecgpaper.paths import REPO_ROOT
    page = (REPO_ROOT / "book" / "data_sources.md").read_text()
    lo, hi = validate.LIMB_GAIN_RANGE
    assert f"within {lo:g}–{hi:g}×" in page
    assert f"below {validate.LIMB_RANK_TOL * 100:g} % of the first" in page
    assert f"1/{1 / validate.PRECORDIAL_RATIO_RANGE[0]:g}–{validate.PRECORDIAL_RATIO_RANGE[1]:g}×" \
        in page
    assert (f"{validate.MIN_RECORD_AMPLITUDE_UV:,.0f}–{validate.MAX_RECORD_AMPLITUDE_UV:,.0f} µV"
            in page)
    assert f"above {validate.MAX_LEAD_AMPLITUDE_UV / 1000:g} mV" in page
    assert f"{chapman.MAX_BYTES_PER_VALUE} bytes per expected value" in page
    assert f"header over {wfdb_io.MAX_HEADER_BYTES >> 20} MB" in page
    age = chapman.DIAGNOSTICS_RANGES["PatientAge"]
    assert f"age {age[0]}–{age[1]}" in page
    rate = chapman.DIAGNOSTICS_RANGES["VentricularRate"]
    assert f"ventricular rate {rate[0]}–{rate[1]} bpm" in page
