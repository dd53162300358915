"""Inference on real records: preprocessing equals the training path on the same records,
probabilities equal the training run's own test predictions, routing by lead count,
metadata handling, input checks, and `ecgpaper predict`."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from ecgpaper.constants import CLASSES, LEADS


@pytest.fixture(scope="module")
def diagnostics(real_models):
    return real_models["diagnostics"]


@pytest.fixture(scope="module")
def models(real_models):
    from ecgpaper.inference.route import ModelSet
    a = real_models["artifacts"]
    return ModelSet.from_paths([a["2"], a["7"]])


@pytest.fixture(scope="module")
def store_files(real_models):
    """Store record id (Chapman FileName) -> its WFDB file."""
    from inference_setup import profile_for

    from ecgpaper.data.store import open_store
    profile = profile_for(real_models["shared"], real_models["work"])
    index = open_store(profile.work_path / "store").index
    root = real_models["shared"] / "chapman"
    return {str(r): root / str(f) for r, f in zip(index["record_id"], index["source_file"])}


def _wfdb(real_models, name, diagnostics=None):
    from ecgpaper.data.wfdb_io import read_wfdb
    from ecgpaper.inference.preprocess import Signal
    path = name if not isinstance(name, str) else \
        real_models["shared"] / "chapman" / "wfdb" / name
    return Signal.from_record(read_wfdb(path, diagnostics=diagnostics))


def test_preprocessing_equals_training_path(real_models, diagnostics, store_files):
    """Every record of the store: signal and metadata inputs as `load_inputs` builds them."""
    from inference_setup import profile_for

    from ecgpaper.data.store import open_store
    from ecgpaper.inference.artifact import load_artifact
    from ecgpaper.inference.preprocess import model_features, model_signal
    from ecgpaper.training.experiments import get_experiment
    from ecgpaper.training.inputs import load_inputs
    profile = profile_for(real_models["shared"], real_models["work"])
    store = open_store(profile.work_path / "store")
    inputs = load_inputs(store, profile, get_experiment("2"))
    art = load_artifact(real_models["artifacts"]["2"])
    assert art.prep.source_fs == 500 and art.prep.fs == 100 and art.prep.n_samples == 1000
    n = 0
    for split, tensors in inputs.splits.items():
        for i, rid in enumerate(inputs.record_ids[split]):
            sig = _wfdb(real_models, store_files[rid], diagnostics)
            x, idx = model_signal(sig, art.prep)
            assert idx == list(range(12))
            # the store keeps 0.25 µV steps: differences stay far below one z unit
            np.testing.assert_allclose(x, tensors.x[i].numpy(), atol=2e-3, rtol=0)
            f, imputed = model_features(sig.meta, art.prep)
            np.testing.assert_allclose(f, tensors.feats[i].numpy(), atol=1e-5)
            n += 1
    assert n == 10


def test_neurokit2_features_equal_training_path(real_models, diagnostics, store_files):
    """Experiment 3 (metadata + 28 NeuroKit2 columns of lead II): the MLP input that
    inference builds from the WFDB file is the one training built from the store."""
    from inference_setup import profile_for

    from ecgpaper.data.store import open_store
    from ecgpaper.inference.artifact import load_artifact
    from ecgpaper.inference.preprocess import model_features, signal_uv_at_source
    from ecgpaper.training.experiments import get_experiment
    from ecgpaper.training.inputs import load_inputs
    profile = profile_for(real_models["shared"], real_models["work"])
    store = open_store(profile.work_path / "store")
    inputs = load_inputs(store, profile, get_experiment("3"))
    art = load_artifact(real_models["artifacts"]["3"])
    assert art.prep.morphology == "all"
    assert sum(n.startswith("nk2_") for n in art.prep.feature_names) == 28
    n = 0
    for split, tensors in inputs.splits.items():
        for i, rid in enumerate(inputs.record_ids[split]):
            sig = _wfdb(real_models, store_files[rid], diagnostics)
            lead_ii = signal_uv_at_source(sig, art.prep)[sig.leads.index("II"), :5000]
            f, _ = model_features(sig.meta, art.prep, lead_ii)
            # the store keeps 0.25 µV steps, so amplitudes may differ in the last digits
            np.testing.assert_allclose(f, tensors.feats[i].numpy(), atol=2e-3)
            n += 1
    assert n == 10
    with pytest.raises(ValueError, match="lead II"):
        model_features(sig.meta, art.prep, None)


@pytest.mark.parametrize("exp", ["2", "3", "7"])
def test_probabilities_equal_training_predictions(real_models, diagnostics, store_files, exp):
    from ecgpaper.inference.route import ModelSet
    folder = real_models["artifacts"][exp]
    preds = pd.read_csv(folder / "predictions.csv")
    models = ModelSet.from_paths([folder])
    for _, row in preds.iterrows():
        p = models.predict(_wfdb(real_models, store_files[row["record_id"]], diagnostics))
        ours = np.array([p.probabilities[c] for c in CLASSES])
        theirs = row[[f"prob_{c}" for c in CLASSES]].to_numpy(float)
        np.testing.assert_allclose(ours, theirs, atol=1e-4)
        assert p.rhythm == CLASSES[int(np.argmax(theirs))]


def test_routing_by_lead_count(real_models, diagnostics, models):
    from ecgpaper.inference.preprocess import Signal
    sig = _wfdb(real_models, "JS00001", diagnostics)
    full = models.predict(sig)
    assert full.model == "experiment 2" and full.model_kind == "standard"
    assert full.leads == list(LEADS) and full.lead_attention is None
    assert abs(sum(full.probabilities.values()) - 1) < 1e-9
    for keep in (["I", "II", "III", "aVR", "aVL", "aVF"], ["II"], ["V1", "I", "II"]):
        rows = [sig.leads.index(k) for k in keep]
        sub = Signal(sig.signal[rows], tuple(keep), sig.fs, sig.units, sig.record_id)
        p = models.predict(sub)
        assert p.model == "experiment 7" and p.model_kind == "universal"
        assert p.leads == keep and set(p.lead_attention) == set(keep)
        assert abs(sum(p.lead_attention.values()) - 1) < 1e-5
    # lead order in the input does not matter: leads are addressed by name
    order = list(reversed(range(12)))
    shuffled = Signal(sig.signal[order], tuple(sig.leads[k] for k in order), sig.fs,
                      sig.units, sig.record_id, sig.meta)
    again = models.predict(shuffled)
    assert again.probabilities == pytest.approx(full.probabilities, abs=1e-6)


def test_universal_order_independent_and_twelve_leads_without_standard(real_models):
    from ecgpaper.inference.preprocess import Signal
    from ecgpaper.inference.route import ModelSet
    only_universal = ModelSet.from_paths([real_models["artifacts"]["7"]])
    sig = _wfdb(real_models, "JS00002")
    p = only_universal.predict(sig)
    assert p.model_kind == "universal" and len(p.leads) == 12
    rows = [sig.leads.index(k) for k in ("V1", "II")]
    a = only_universal.predict(Signal(sig.signal[rows], ("V1", "II"), sig.fs, sig.units))
    b = only_universal.predict(Signal(sig.signal[rows[::-1]], ("II", "V1"), sig.fs, sig.units))
    assert a.probabilities == pytest.approx(b.probabilities, abs=1e-6)


def test_units_and_rate_conversions_give_the_same_input(real_models):
    """mV vs µV and a 1000 Hz copy of the record reach the network as the same input."""
    from ecgpaper.inference.artifact import load_artifact
    from ecgpaper.inference.preprocess import Signal, model_signal
    from ecgpaper.data.validate import resample
    prep = load_artifact(real_models["artifacts"]["1"]).prep
    sig = _wfdb(real_models, "JS00004")
    assert sig.units == "mV"
    x_mv, _ = model_signal(sig, prep)
    uv = Signal(sig.signal * 1000, sig.leads, sig.fs, "uV")
    np.testing.assert_allclose(model_signal(uv, prep)[0], x_mv, atol=1e-4)
    up = Signal(resample(sig.signal, 500, 1000), sig.leads, 1000.0, "mV")
    x_up, _ = model_signal(up, prep)
    assert np.corrcoef(x_up.ravel(), x_mv.ravel())[0, 1] > 0.99


def test_metadata_needed_or_refused(real_models, diagnostics, models):
    from ecgpaper.inference.preprocess import InputError, Signal
    sig = _wfdb(real_models, "JS00005", diagnostics)
    bare = Signal(sig.signal, sig.leads, sig.fs, sig.units, sig.record_id, meta={})
    with pytest.raises(InputError, match="needs clinical metadata") as err:
        models.predict(bare)
    assert err.value.field == "metadata"
    some = Signal(sig.signal, sig.leads, sig.fs, sig.units, sig.record_id,
                  meta={"PatientAge": 60, "Gender": "MALE"})
    p = models.predict(some)
    assert "VentricularRate" in p.imputed_metadata and "PatientAge" not in p.imputed_metadata


def test_twelve_leads_refused_when_only_standard_is_missing_leads(real_models):
    from ecgpaper.inference.preprocess import InputError, Signal
    from ecgpaper.inference.route import ModelSet
    only_standard = ModelSet.from_paths([real_models["artifacts"]["1"]])
    sig = _wfdb(real_models, "JS00006")
    with pytest.raises(InputError, match="only the 12-lead model is loaded"):
        only_standard.predict(Signal(sig.signal[:6], sig.leads[:6], sig.fs, sig.units))


def test_array_checks_name_the_field(real_models):
    from ecgpaper.inference.checks import signal_from_arrays
    from ecgpaper.inference.preprocess import InputError
    sig = _wfdb(real_models, "JS00001")
    good = {name: (sig.signal[k] * 1000).tolist() for k, name in enumerate(sig.leads)}
    assert signal_from_arrays(good, 500, "uV").leads == LEADS
    cases = [
        ({**good, "V7": good["I"]}, 500, "uV", "leads.V7"),
        ({"I": good["I"], "i": good["I"]}, 500, "uV", "leads.I"),
        ({"I": good["I"], "II": good["II"][:-5]}, 500, "uV", "leads"),
        (good, 0, "uV", "fs"),
        (good, "500", "uV", "fs"),
        (good, 500, "volts", "units"),
        (good, 500, "mV", "leads"),               # µV values declared as mV
        ({"II": [float("nan")] * 5000}, 500, "uV", "leads.II"),
        ({"II": good["II"][:100]}, 500, "uV", "leads"),
        ({}, 500, "uV", "leads"),
    ]
    for leads, fs, units, field in cases:
        with pytest.raises(InputError) as err:
            signal_from_arrays(leads, fs, units, min_seconds=1)
        assert err.value.field == field, (field, str(err.value))


def test_predict_command_on_real_records(real_models, capsys):
    from ecgpaper.paths import REPO_ROOT
    shared = real_models["shared"]
    files = [shared / "chapman" / "wfdb" / "JS00001.hea",
             shared / "chapman" / "csv-denoised" / "MUSE_20180111_155115_19000.csv",
             shared / "ptbxl" / "records100" / "00000" / "00001_lr.hea",
             shared / "cinc2021" / "cpsc" / "A0001.hea"]
    cmd = [sys.executable, "-m", "ecgpaper", "predict", *map(str, files), "--model",
           str(real_models["artifacts"]["1"]), "--model", str(real_models["artifacts"]["7"]),
           "--json"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["record_id"] for row in rows] == ["JS00001", "MUSE_20180111_155115_19000",
                                                  "00001_lr", "A0001"]
    for row in rows:
        assert row["rhythm"] in CLASSES and set(row["probabilities"]) == set(CLASSES)
        assert row["model"] == "experiment 1" and len(row["leads"]) == 12
    # the same command in-process: a lead subset routes to the universal model
    from ecgpaper.cli import main
    args = cmd[3:5] + ["--leads", "ii"] + cmd[8:]
    capsys.readouterr()
    assert main(args) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["model"] == "experiment 7" and row["leads"] == ["II"]
    assert main(cmd[3:5] + ["--leads", "II,II"] + cmd[8:]) == 2
    assert "given twice" in capsys.readouterr().err


# --- clinical metadata: plausible ranges -------------------------------------------------

def test_every_real_diagnostics_row_is_accepted_as_metadata(diagnostics):
    """The ranges refuse nothing the real table holds (10,646 rows, as a client sends
    them: numbers, MALE/FEMALE, null where the table is empty)."""
    from ecgpaper.constants import MEASUREMENTS
    from ecgpaper.inference.checks import check_metadata
    fields = ["PatientAge", "Gender", *MEASUREMENTS]
    rows = diagnostics[fields].astype(object).where(diagnostics[fields].notna(), None)
    n = 0
    for row in rows.to_dict("records"):
        assert check_metadata(row) == row
        n += 1
    assert n == 10646


@pytest.mark.parametrize("meta,field,expected", [
    ({"PatientAge": 1e9}, "PatientAge", "0 to 120 years"),
    ({"PatientAge": 60, "QTInterval": 1e300}, "QTInterval", "50 to 1000 ms"),
    ({"PatientAge": 60, "RAxis": float("nan")}, "RAxis", "-180 to 360 degrees"),
    ({"PatientAge": 60, "Gender": "X"}, "Gender", "'MALE' or 'FEMALE'"),
])
def test_metadata_checked_however_the_signal_was_built(real_models, models, meta, field,
                                                       expected):
    """A `Signal` made in a notebook (not through the request checks) is checked too."""
    from ecgpaper.inference.preprocess import InputError, Signal
    sig = _wfdb(real_models, "JS00005")
    with pytest.raises(InputError, match=expected) as err:
        models.predict(Signal(sig.signal, sig.leads, sig.fs, sig.units, sig.record_id, meta))
    assert err.value.field == f"metadata.{field}"


def test_non_finite_samples_and_outputs_are_errors(real_models, diagnostics, models,
                                                   monkeypatch):
    from ecgpaper.inference.preprocess import InputError, ModelError, Signal
    sig = _wfdb(real_models, "JS00002", diagnostics)
    bad = sig.signal.copy()
    bad[4, 10] = np.nan
    with pytest.raises(InputError, match="lead aVL holds NaN/Inf") as err:
        models.predict(Signal(bad, sig.leads, sig.fs, sig.units, sig.record_id, sig.meta))
    assert err.value.field == "leads.aVL"
    monkeypatch.setattr(models.runners["universal"], "universal", lambda x, idx: (
        np.full((1, len(CLASSES)), np.nan, np.float32), np.ones((1, 2), np.float32) / 2))
    two = Signal(sig.signal[:2], sig.leads[:2], sig.fs, sig.units, sig.record_id)
    with pytest.raises(ModelError, match=r"experiment 7 \(best\.pt, backend torch\) gave 8 "
                                         r"NaN/Inf logit\(s\) of 8 for JS00002"):
        models.predict(two)


@pytest.mark.parametrize("a,b", [(0.3, 1.2), (-0.4, 1.0), (0.5, 1.3)])
def test_one_waveform_phantom_is_accepted_as_arrays(a, b):
    """Limb leads that are multiples of one waveform (a simulator with I = a*w, II = b*w)
    are not refused (the least-squares gains called these I, III or aVL inverted)."""
    from ecgpaper.inference.checks import signal_from_arrays
    t = np.arange(5000) / 500
    w = np.sin(2 * np.pi * 1.2 * t) ** 31 * 1000 + 150 * np.sin(2 * np.pi * 1.2 * t + 1) ** 8
    limb = (a, b, b - a, -(a + b) / 2, a - b / 2, b - a / 2)
    gains = dict(zip(LEADS, limb + (0.5, 0.8, 1.1, 1.2, 1.0, 0.8)))
    leads = {name: np.rint(g * w).tolist() for name, g in gains.items()}
    assert signal_from_arrays(leads, 500, "uV").leads == LEADS


# --- damaged checkpoints -----------------------------------------------------------------

def _set(key, value):
    def fn(ck):
        ck[key] = value
    return fn


def _set_item(key, k, value):
    def fn(ck):
        ck[key][k] = value
    return fn


def _nan_weight(ck):
    name = next(k for k, v in ck["state_dict"].items() if v.is_floating_point())
    ck["state_dict"][name].view(-1)[0] = float("nan")


def _old_style_unknown_experiment(ck):
    del ck["metadata"]                  # checkpoints before the preprocessing keys
    ck["experiment"] = "99"


def _metadata_for_a_signal_only_network(ck):
    from ecgpaper.features.metadata import AGE_GENDER
    ck.update(metadata="age_gender", feature_names=list(AGE_GENDER), feature_median=[60, 1, 0],
              feature_mean=[60, 0.5, 0.5], feature_std=[15, 0.5, 0.5])


CHECKPOINT_CASES = {
    # name: (experiment, damage, text the message must hold after "best.pt: ")
    "fs zero": ("1", _set("fs", 0), "field 'fs' is 0, expected a whole number > 0"),
    "fs not dividing": ("1", _set("fs", 300), "expected a rate that divides source_fs 500"),
    "fs text": ("1", _set("fs", "100"), "field 'fs' is '100', expected a whole number"),
    "n_samples negative": ("1", _set("n_samples", -1), "field 'n_samples' is -1, expected a "
                                                       "whole number > 0"),
    "channel_std zero": ("1", _set_item("channel_std", 3, 0.0),
                         "field 'channel_std[3]' is 0.0, expected a finite number > 0"),
    "channel_std NaN": ("1", _set_item("channel_std", 5, float("nan")),
                        "field 'channel_std[5]' is nan, expected a finite number > 0"),
    "channel_mean short": ("1", _set("channel_mean", [0.0] * 11),
                           "field 'channel_mean' is [0.0, 0.0,"),
    "metadata bogus": ("2", _set("metadata", "bogus"), "field 'metadata' is 'bogus', expected "
                                                       "null or one of ['age_gender', 'full']"),
    "morphology bogus": ("2", _set("morphology", 3), "field 'morphology' is 3, expected null"),
    "feature names wrong": ("2", _set("feature_names", ["a"] * 14),
                            "field 'feature_names' is a list (['a', "),
    "feature_std Inf": ("2", _set_item("feature_std", 0, float("inf")),
                        "field 'feature_std[0]' is inf, expected a finite number >= 0"),
    "feature_mean missing": ("2", _set("feature_mean", []),
                             "field 'feature_mean' is [], expected a list of 14 numbers"),
    "NaN weight": ("1", _nan_weight, "holds 1 NaN/Inf value(s)"),
    "unknown experiment": ("1", _old_style_unknown_experiment,
                           "field 'experiment': unknown experiment '99', expected one of"),
    "metadata for a network without its branch": (
        "1", _metadata_for_a_signal_only_network, "expected 0 input names"),
}


def _damaged_copy(real_models, tmp_path, exp, damage):
    import shutil

    import torch
    folder = tmp_path / f"damaged-{exp}"
    shutil.copytree(real_models["artifacts"][exp], folder)
    ck = torch.load(folder / "best.pt", weights_only=True)
    damage(ck)
    torch.save(ck, folder / "best.pt")
    return folder


@pytest.mark.parametrize("case", list(CHECKPOINT_CASES))
def test_damaged_checkpoint_is_refused_naming_file_and_field(case, real_models, tmp_path,
                                                             capsys):
    from ecgpaper.cli import main
    from ecgpaper.inference.artifact import load_artifact
    exp, damage, expected = CHECKPOINT_CASES[case]
    folder = _damaged_copy(real_models, tmp_path, exp, damage)
    with pytest.raises(ValueError) as err:
        load_artifact(folder)
    assert str(err.value).startswith(f"{folder / 'best.pt'}: "), str(err.value)
    assert expected in str(err.value), str(err.value)
    record = real_models["shared"] / "chapman" / "wfdb" / "JS00001.hea"
    capsys.readouterr()
    assert main(["predict", str(record), "--model", str(folder)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ecgpaper predict: error: ")
    assert expected in lines[0]


def test_damaged_checkpoint_and_onnx_model_give_one_line_without_traceback(real_models,
                                                                           tmp_path):
    """Through real processes: a best.pt with fs 0, then a truncated model.onnx served with
    `--backend onnx`."""
    from ecgpaper.cli import main
    from ecgpaper.paths import REPO_ROOT
    record = str(real_models["shared"] / "chapman" / "wfdb" / "JS00001.hea")
    bad_fs = _damaged_copy(real_models, tmp_path, "1", _set("fs", 0))
    onnx = _damaged_copy(real_models, tmp_path, "7", lambda ck: None)
    assert main(["export", "--model", str(onnx)]) == 0
    data = (onnx / "model.onnx").read_bytes()
    (onnx / "model.onnx").write_bytes(data[: len(data) // 3])
    for folder, backend, expected in ((bad_fs, "torch", "checkpoint field 'fs' is 0"),
                                      (onnx, "onnx", "model.onnx: unreadable ONNX model")):
        r = subprocess.run([sys.executable, "-m", "ecgpaper", "predict", record, "--model",
                            str(folder), "--backend", backend], capture_output=True,
                           text=True, timeout=300, cwd=REPO_ROOT)
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0] and str(folder) in lines[0], r.stderr
