"""The twin on disk goes through the real readers and `ecgpaper prepare` unchanged."""

import json

import numpy as np
import pytest

from ecgpaper.cli import main
from ecgpaper.constants import LEADS
from ecgpaper.twin import generator, writer

COUNTS = {"SB": 4, "SR": 3, "AFIB": 3, "ST": 2, "SVT": 2, "AF": 2, "SA": 2, "AT": 2}


@pytest.fixture(scope="module")
def twin_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("twin") / "twin"
    assert main(["twin", "--counts", ",".join(f"{k}={v}" for k, v in COUNTS.items()),
                 "--out", str(out), "--seed", "5", "--no-progress"]) == 0
    return out


def test_layout_and_marking(twin_dir):
    assert (twin_dir / "Diagnostics.xlsx").is_file()
    assert "SYNTHETIC" in (twin_dir / "README.txt").read_text()
    assert json.loads((twin_dir / "twin.json").read_text())["synthetic"] is True
    files = sorted((twin_dir / "ECGData").glob("*.csv"))
    assert [f.name for f in files] == [f"TWIN_{i:06d}.csv"
                                       for i in range(1, sum(COUNTS.values()) + 1)]
    assert files[0].read_text().splitlines()[0] == ",".join(LEADS)


def test_idempotent(twin_dir):
    before = {p.name: p.stat().st_mtime_ns for p in (twin_dir / "ECGData").iterdir()}
    writer.generate_twin(twin_dir, counts=COUNTS, seed=5, progress=False)
    after = {p.name: p.stat().st_mtime_ns for p in (twin_dir / "ECGData").iterdir()}
    assert before == after
    assert not writer.is_current(twin_dir, counts=COUNTS, seed=6)


def test_real_readers_read_the_twin(twin_dir):
    chapman = pytest.importorskip("ecgpaper.data.chapman")
    diag = chapman.read_diagnostics(twin_dir / "Diagnostics.xlsx")
    sig, table = generator.generate_arrays(counts=COUNTS, seed=5)
    assert list(diag["FileName"]) == list(table["FileName"])
    for k in (0, 7):
        name = table["FileName"][k]
        rec = chapman.read_chapman_csv(twin_dir / "ECGData" / f"{name}.csv", diagnostics=diag)
        assert rec.units == "uV" and rec.fs == 500 and rec.label == table["Rhythm"][k]
        np.testing.assert_array_equal(rec.signal, sig[k])


def test_prepare_command_builds_a_store(twin_dir, tmp_path):
    store_mod = pytest.importorskip("ecgpaper.data.store")
    out = tmp_path / "store"
    assert main(["prepare", "--source", "chapman-csv", "--data-dir", str(twin_dir),
                 "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    store = store_mod.open_store(out)
    sig, table = generator.generate_arrays(counts=COUNTS, seed=5)
    assert len(store) == len(table)
    by_name = {n: i for i, n in enumerate(table["FileName"])}
    for row in range(0, len(store), 5):
        k = by_name[store.index["record_id"][row]]
        assert store.index["label"][row] == table["Rhythm"][k]
        assert store.index["VentricularRate"][row] == table["VentricularRate"][k]
        np.testing.assert_allclose(store.signal(row), sig[k], atol=0.25)


def test_command_rejects_bad_counts(tmp_path, capsys):
    assert main(["twin", "--counts", "XX=3", "--out", str(tmp_path / "t")]) == 2
    assert "unknown class" in capsys.readouterr().err
