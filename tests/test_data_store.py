"""The store: prepare (atomic, no-op when current, rebuilt when damaged), the torch
Dataset, ensure_store and the prepare/data commands."""

import json
import sys
import types

import numpy as np
import pandas as pd
import pytest

from ecgpaper.constants import CLASSES, LEADS, MEASUREMENTS
from ecgpaper.data.prepare import prepare_store
from ecgpaper.data.store import StoreError, open_store
from ecgpaper.paths import shared_data_dir

from synthetic_ecg import ecg_like, measurements

SHARED = shared_data_dir()


def make_figshare(folder, n=24, seed=0, denoised=False):
    """A tiny figshare-style folder: ECGData/<name>.csv (header) + Diagnostics.xlsx."""
    rng = np.random.default_rng(seed)
    sub = folder / ("ECGDataDenoised" if denoised else "ECGData")
    sub.mkdir(parents=True, exist_ok=True)
    t = np.arange(5000) / 500
    rows, signals = [], {}
    rhythms = list(CLASSES) + ["SI", "AVNRT"]
    for i in range(n):
        name = f"MUSE_TEST_{i:04d}"
        sig = np.rint(ecg_like(rng, np.sin(2 * np.pi * (1 + i / n) * t) ** 15 * 900))
        signals[name] = sig
        np.savetxt(sub / f"{name}.csv", sig.T, delimiter=",", fmt="%d",
                   header="" if denoised else ",".join(LEADS), comments="")
        row = {"FileName": name, "Rhythm": rhythms[i % len(rhythms)], "Beat": "NONE",
               "PatientAge": int(rng.integers(20, 90)),
               "Gender": "MALE" if i % 2 else "FEMALE"}
        row.update(measurements(rng))
        rows.append(row)
    pd.DataFrame(rows).to_excel(folder / "Diagnostics.xlsx", index=False)
    return signals


@pytest.fixture()
def tiny(tmp_path):
    signals = make_figshare(tmp_path / "data", n=24)
    out = prepare_store("chapman-csv", tmp_path / "data", tmp_path / "store", progress=False)
    return tmp_path, signals, out


def test_prepare_and_open(tiny):
    tmp, signals, out = tiny
    store = open_store(out, verify=True)
    # AVNRT rows are dropped; SI counts as SA
    assert len(store) == 24 - 2
    idx = store.index
    assert set(idx["label"]) <= set(CLASSES) and "AVNRT" not in set(idx["rhythm"])
    assert (idx.loc[idx["rhythm"] == "SI", "label"] == "SA").all()
    for col in ["record_id", "source_file", "label", "split", "PatientAge", "Gender",
                *MEASUREMENTS, "checksum"]:
        assert col in idx.columns
    assert store.fs == 500 and store.n_samples == 5000
    for i in (0, 5, len(store) - 1):
        np.testing.assert_array_equal(store.signal(i), signals[idx["record_id"].iat[i]])
    x = store.signals([1, 2])
    assert x.shape == (2, 12, 5000) and x.dtype == np.float32
    parts = [store.rows(s) for s in ("train", "val", "test")]
    assert sum(map(len, parts)) == len(store)
    m = store.manifest
    assert m["n_records"] == len(store) and m["source"] == "chapman-csv"
    assert len(m["dataset_checksum"]) == 64 and m["package_version"]
    assert sum(v["train"] for v in m["counts"].values()) == len(parts[0])


def test_second_run_is_a_noop(tiny, capsys):
    tmp, _, out = tiny
    before = (out / "signals.npy").stat().st_mtime_ns
    prepare_store("chapman-csv", tmp / "data", out, progress=True)
    assert "up to date" in capsys.readouterr().out
    assert (out / "signals.npy").stat().st_mtime_ns == before


def test_corrupted_store_is_detected_and_rebuilt(tiny, capsys):
    tmp, _, out = tiny
    good = open_store(out).manifest["dataset_checksum"]
    with open(out / "signals.npy", "r+b") as fh:
        fh.seek(4000)
        fh.write(b"\x13\x37" * 8)
    open_store(out)                                   # structure still fine ...
    with pytest.raises(StoreError, match=r"record MUSE_TEST_0000 \(row 0\) does not match"):
        open_store(out, verify=True)                  # ... the checksums are not
    prepare_store("chapman-csv", tmp / "data", out, progress=True)
    assert "rebuilding" in capsys.readouterr().out
    assert open_store(out, verify=True).manifest["dataset_checksum"] == good


def test_partial_store_is_detected_and_rebuilt(tiny):
    tmp, _, out = tiny
    with open(out / "signals.npy", "r+b") as fh:
        fh.truncate(50_000)
    with pytest.raises(StoreError, match="store"):
        open_store(out)
    (out / "index.parquet").unlink()
    with pytest.raises(StoreError, match="index.parquet missing"):
        open_store(out)
    prepare_store("chapman-csv", tmp / "data", out, progress=False)
    open_store(out, verify=True)
    assert not list(out.parent.glob(".store.*"))       # no temporary folders left


def test_changed_input_rebuilds(tiny, capsys):
    tmp, _, out = tiny
    f = tmp / "data" / "ECGData" / "MUSE_TEST_0003.csv"
    lines = f.read_text().splitlines()
    lines[10] = ",".join(["500"] * 12)
    f.write_text("\n".join(lines) + "\n")
    prepare_store("chapman-csv", tmp / "data", out, progress=True)
    assert "input changed" in capsys.readouterr().out
    store = open_store(out)
    assert store.signal(3)[0, 9] == 500


def test_missing_files_and_bad_records(tmp_path):
    make_figshare(tmp_path / "data", n=10)
    (tmp_path / "data" / "ECGData" / "MUSE_TEST_0004.csv").unlink()
    with pytest.raises(FileNotFoundError, match=r"1 of 9 records .*MUSE_TEST_0004"):
        prepare_store("chapman-csv", tmp_path / "data", tmp_path / "s", progress=False)
    out = prepare_store("chapman-csv", tmp_path / "data", tmp_path / "s", progress=False,
                        allow_missing=True)
    assert open_store(out).manifest["missing_records"] == 1
    bad = tmp_path / "data" / "ECGData" / "MUSE_TEST_0002.csv"
    bad.write_text(bad.read_text()[:30000])
    with pytest.raises(ValueError, match=r"MUSE_TEST_0002\.csv"):
        prepare_store("chapman-csv", tmp_path / "data", tmp_path / "s", progress=False,
                      allow_missing=True)
    open_store(tmp_path / "s", verify=True)            # the old store is untouched
    with pytest.raises(FileNotFoundError, match="ECGDataDenoised"):
        prepare_store("chapman-csv", tmp_path / "data", tmp_path / "s", denoised=True)


def test_parallel_equals_serial_and_denoised_layout(tmp_path):
    make_figshare(tmp_path / "d", n=70, denoised=True)
    a = prepare_store("chapman-csv", tmp_path / "d", tmp_path / "a", denoised=True,
                      workers=1, progress=False)
    b = prepare_store("chapman-csv", tmp_path / "d", tmp_path / "b", denoised=True,
                      workers=2, progress=False)
    assert open_store(a).manifest["dataset_checksum"] == \
        open_store(b, verify=True).manifest["dataset_checksum"]


@pytest.mark.skipif(SHARED is None, reason="real test data (../shared/data) absent")
def test_figshare_and_wfdb_forms_give_identical_stores(tmp_path):
    from ecgpaper.data.chapman import read_diagnostics
    from ecgpaper.data.cinc import find_records
    from ecgpaper.data.wfdb_io import read_wfdb
    diag_file = SHARED / "chapman" / "metadata" / "Diagnostics.xlsx"
    diag = read_diagnostics(diag_file)
    csv_dir = tmp_path / "figshare" / "ECGData"
    csv_dir.mkdir(parents=True)
    for base in find_records(SHARED / "chapman" / "wfdb"):
        rec = read_wfdb(base, diagnostics=diag)
        order = np.random.default_rng(0).permutation(12)       # any column order works
        np.savetxt(csv_dir / f"{rec.meta['FileName']}.csv",
                   np.rint(rec.in_microvolts()[order]).T, delimiter=",", fmt="%d",
                   header=",".join(LEADS[i] for i in order), comments="")
    w = open_store(prepare_store("chapman-wfdb", SHARED / "chapman" / "wfdb", tmp_path / "w",
                                 diagnostics=diag_file, progress=False), verify=True)
    c = open_store(prepare_store("chapman-csv", tmp_path / "figshare", tmp_path / "c",
                                 diagnostics=diag_file, allow_missing=True, progress=False),
                   verify=True)
    assert len(w) == len(c) == 10
    assert w.manifest["dataset_checksum"] == c.manifest["dataset_checksum"]
    pd.testing.assert_frame_equal(w.index.drop(columns="source_file"),
                                  c.index.drop(columns="source_file"))
    np.testing.assert_array_equal(np.asarray(w.data), np.asarray(c.data))
    assert sorted(w.index["label"]) == sorted(["SB"] * 6 + ["AFIB"] * 2 + ["AF", "SR"])
    # the split of each record is its split in the paper's split of the whole table
    assert w.manifest["missing_records"] == 10615 - 10


def test_dataset_zscores_with_training_statistics(tiny):
    import torch
    from ecgpaper.data.dataset import ECGDataset, channel_stats
    _, _, out = tiny
    store = open_store(out)
    mean, std = channel_stats(store, downsample=5)
    x = store.signals(store.rows("train"))
    x = x.reshape(len(x), 12, 1000, 5).mean(-1)
    np.testing.assert_allclose(mean, x.mean(axis=(0, 2)), rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(std, x.std(axis=(0, 2)), rtol=1e-4)
    feats = np.arange(len(store) * 3, dtype=np.float32).reshape(len(store), 3)
    ds = ECGDataset(store, "val", features=feats, downsample=5)
    sig, f, y = ds[0]
    row = store.rows("val")[0]
    assert sig.shape == (12, 1000) and sig.dtype == torch.float32
    assert y.dtype == torch.int64 and int(y) == CLASSES.index(store.index["label"].iat[row])
    np.testing.assert_array_equal(f.numpy(), feats[row])
    expected = (store.signal(row).reshape(12, 1000, 5).mean(-1) - mean[:, None]) / std[:, None]
    np.testing.assert_allclose(sig.numpy(), expected, rtol=1e-4, atol=1e-4)
    full = ECGDataset(store, "train")
    assert len(full) == len(store.rows("train")) and full[0][0].shape == (12, 5000)
    assert full[0][1].shape == (0,)
    loader = torch.utils.data.DataLoader(ds, batch_size=4)
    xb, fb, yb = next(iter(loader))
    assert xb.shape[1:] == (12, 1000) and fb.shape[1] == 3
    with pytest.raises(ValueError, match="aligned with the store rows"):
        ECGDataset(store, "val", features=feats[:3])


def test_ensure_store_twin_and_real(tmp_path, monkeypatch):
    from ecgpaper.workspace import ensure_store
    from ecgpaper.profiles import get_profile
    calls = []

    def fake_generate_twin(out_dir, n=None, counts=None, seed=0, progress=True):
        calls.append(n)
        if not (out_dir / "Diagnostics.xlsx").exists():
            make_figshare(out_dir, n=n, seed=seed)
        return out_dir

    monkeypatch.setitem(sys.modules, "ecgpaper.twin.writer",
                        types.SimpleNamespace(generate_twin=fake_generate_twin))
    profile = get_profile("demo", work_dir=str(tmp_path / "w"), twin_records=12)
    store = ensure_store(profile, progress=False)
    assert len(store) == 12 - 1 and (tmp_path / "w" / "twin" / "ECGData").is_dir()
    assert store.path == (tmp_path / "w" / "store").resolve()
    again = ensure_store(profile, progress=False)
    assert again.manifest["created"] == store.manifest["created"] and calls == [12, 12]

    make_figshare(tmp_path / "real", n=9)
    real = get_profile("full", work_dir=str(tmp_path / "f"), data_dir=str(tmp_path / "real"))
    assert len(ensure_store(real, progress=False)) == 9
    with pytest.raises(ValueError, match="needs data_dir"):
        ensure_store(get_profile("full", work_dir=str(tmp_path / "g")), progress=False)


def test_prepare_and_summary_commands(tmp_path, capsys):
    from ecgpaper.cli import main
    make_figshare(tmp_path / "data", n=16)
    out = tmp_path / "store"
    assert main(["prepare", "--source", "chapman-csv", "--data-dir", str(tmp_path / "data"),
                 "--out", str(out), "--no-progress"]) == 0
    assert "15 records" in capsys.readouterr().out
    assert main(["data", "summary", "--store", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["counts"]["total"]["total"] == 15
    assert main(["data", "summary", "--diagnostics", str(tmp_path / "data" / "Diagnostics.xlsx"),
                 "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["info"]["dropped"] == {"AVNRT": 1}
    assert main(["prepare", "--source", "chapman-csv", "--data-dir", str(tmp_path / "nope"),
                 "--out", str(out)]) == 2
    assert "nope: data folder not found" in capsys.readouterr().err
