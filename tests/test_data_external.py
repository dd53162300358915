"""External validation sets: PTB-XL in its native layout and CinC 2021 WFDB folders,
read from the real records beside the project."""

import ast

import pandas as pd
import pytest

from ecgpaper.data.external import cinc_source, find_external
from ecgpaper.data.labels import scp_to_class
from ecgpaper.data.ptbxl import read_ptbxl, read_ptbxl_table
from ecgpaper.data.validate import RecordError


def test_cinc_source_from_record_names():
    assert cinc_source("E00001") == "Georgia"
    assert cinc_source("A0001") == "CPSC"
    assert cinc_source("Q0003") == "CPSC-Extra"
    assert cinc_source("HR00001") == "PTB-XL (CinC)"
    assert cinc_source("S0001") == "PTB"
    assert cinc_source("JS00001") == "Chapman-Shaoxing"
    assert cinc_source("JS45542") == "Ningbo"


def test_ptbxl_table_labels_match_the_scp_statements(shared_data):
    folder = shared_data / "ptbxl"
    entries = read_ptbxl_table(folder)
    raw = pd.read_csv(folder / "ptbxl_database.csv")
    assert [e.ecg_id for e in entries] == raw["ecg_id"].tolist()
    for e, codes in zip(entries, raw["scp_codes"]):
        assert e.label == scp_to_class(ast.literal_eval(codes))
    first = read_ptbxl(entries[0])
    assert first.signal.shape == (12, 5000) and first.fs == 500 and first.units == "mV"
    assert first.record_id == "ptbxl_00001" and first.label == "SR"
    # PTB-XL codes sex 1 as female; the CinC copy of the same ECG (HR00001) says "Sex: Female"
    assert first.meta["Gender"] == "FEMALE" and first.meta["PatientAge"] == 56


def test_ptbxl_path_outside_the_folder_is_refused(shared_data, tmp_path):
    raw = pd.read_csv(shared_data / "ptbxl" / "ptbxl_database.csv")
    raw.loc[0, "filename_hr"] = "../../outside/00001_hr"
    raw.to_csv(tmp_path / "ptbxl_database.csv", index=False)
    with pytest.raises(RecordError, match=r"row 1 \(ecg_id '1'\): record path .* leaves"):
        read_ptbxl_table(tmp_path)


def test_external_set_of_the_shared_records(shared_data):
    found = find_external(shared_data)
    counts = found.counts()
    # PTB-XL native: the 500 Hz copy only, each labelled record once
    ptbxl = [e for e in read_ptbxl_table(shared_data / "ptbxl") if e.label]
    assert sum(counts["PTB-XL"].values()) == len(ptbxl)
    assert "AT" not in counts["PTB-XL"]
    assert counts["Chapman-Shaoxing"] == {"SB": 6, "AFIB": 2, "AF": 1, "SR": 1}
    assert "Ningbo" not in counts and found.skipped[("Ningbo", "rhythm outside the 8 classes")] == 10
    for record in found.records[:: max(1, len(found.records) // 8)]:
        rec = record.load()
        assert rec.signal.shape[0] == 12 and rec.fs == 500


def test_empty_folder_says_what_it_looked_for(tmp_path):
    with pytest.raises(RecordError, match="no record labelled with one of the 8 rhythms"):
        find_external(tmp_path)


class _ConstantModel:
    """Stands in for a trained ModelSet: the dedup logic does not depend on the network."""

    def predict(self, signal):
        from types import SimpleNamespace

        from ecgpaper.constants import CLASSES
        return SimpleNamespace(rhythm="SR", model="constant",
                               probabilities={c: float(c == "SR") for c in CLASSES})


def test_a_recording_two_sources_ship_is_scored_once(shared_data):
    from ecgpaper.inference.external import predict_external, signal_fingerprint

    external = find_external(shared_data)
    frame, skipped = predict_external(_ConstantModel(), external)
    # CinC 2021 re-distributes PTB-XL's first ECGs as HR00001...: same samples, other name
    ptbxl = next(r for r in external.records if r.record_id == "ptbxl_00001")
    cinc = next(r for r in external.records if r.record_id == "HR00001")
    assert signal_fingerprint(ptbxl.load()) == signal_fingerprint(cinc.load())
    assert "ptbxl_00001" in set(frame["record_id"]) and "HR00001" not in set(frame["record_id"])
    dup = {k: n for k, n in skipped.items() if "same recording" in k[1]}
    assert dup and all(src == "PTB-XL (CinC)" for src, _ in dup)
    assert sum(dup.values()) + len(frame) + sum(
        n for k, n in skipped.items() if k not in dup) == len(external.records)
    # different recordings keep distinct fingerprints
    other = next(r for r in external.records if r.record_id == "ptbxl_00002")
    assert signal_fingerprint(other.load()) != signal_fingerprint(ptbxl.load())


def _records100_only(shared_data, folder):
    """A PTB-XL folder as the 100 Hz download leaves it: the tables and records100/."""
    import shutil
    src = shared_data / "ptbxl"
    folder.mkdir()
    shutil.copytree(src / "records100", folder / "records100")
    for table in src.glob("*.csv"):
        shutil.copy(table, folder / table.name)
    return folder


def test_a_records100_only_folder_is_read_at_100_hz_and_scored(shared_data, real_models,
                                                                tmp_path):
    """Without records500/ every PTB-XL record is read through `filename_lr` and resampled
    to 500 Hz (and counted as such); a trained network scores each of them, answering
    as it does for the 500 Hz copy of the same ECG, and the heart rate of ECG 19 still
    makes it SB."""
    import numpy as np

    from ecgpaper.data.external import PTBXL_100_HZ
    from ecgpaper.evaluation.harmonise import harmonise
    from ecgpaper.inference.artifact import load_artifact
    from ecgpaper.inference.external import predict_external
    from ecgpaper.inference.route import ModelSet

    low = find_external(_records100_only(shared_data, tmp_path / "ptbxl"))
    high = find_external(shared_data / "ptbxl")
    assert [(r.record_id, r.label) for r in low.records] == \
        [(r.record_id, r.label) for r in high.records]
    assert low.notes[("PTB-XL", PTBXL_100_HZ)] == len(low.records) > 0 and not high.notes
    assert all("records100" in r.path.parts for r in low.records)
    first_low, first_high = low.records[0].load(), high.records[0].load()
    assert first_low.fs == 500 and first_low.signal.shape == first_high.signal.shape
    assert np.corrcoef(first_low.lead("II"), first_high.lead("II"))[0, 1] > 0.9
    models = ModelSet([load_artifact(real_models["artifacts"]["1"] / "best.pt")])
    scored, skipped = predict_external(models, low)
    assert not skipped and len(scored) == len(low.records)
    reference, _ = predict_external(models, high)
    agree = (scored["pred"].to_numpy() == reference["pred"].to_numpy()).mean()
    assert agree >= 0.9, f"100 Hz and 500 Hz copies answered alike for only {agree:.0%}"
    rates = harmonise(low.records).set_index("record_id")
    assert rates.loc["ptbxl_00019", "harmonised"] == "SB"
