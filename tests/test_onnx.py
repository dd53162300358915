"""ONNX export: ONNX Runtime gives PyTorch's probabilities within 1e-4 on the real records
of ../shared/data (12-lead SE-ResNet18 with metadata, UniversalECGNet with 6 and 1
leads), a stale model.onnx is refused, and `ecgpaper export` writes one per artifact."""

import numpy as np
import pytest

from ecgpaper.constants import CLASSES


@pytest.fixture(scope="module")
def exported(real_models, tmp_path_factory):
    """Copies of the artifacts (export writes beside best.pt) with model.onnx written by
    the command."""
    import shutil

    from ecgpaper.cli import main
    root = tmp_path_factory.mktemp("onnx")
    for exp in ("2", "7"):
        shutil.copytree(real_models["artifacts"][exp], root / exp)
    assert main(["export", "--model", str(root), "--format", "onnx", "--check"]) == 0
    return root


@pytest.fixture(scope="module")
def recordings(real_models):
    from ecgpaper.data.cinc import find_records, read_cinc
    from ecgpaper.data.wfdb_io import read_wfdb
    from ecgpaper.inference.preprocess import Signal
    shared = real_models["shared"]
    chapman = [read_wfdb(p, diagnostics=real_models["diagnostics"])
               for p in sorted((shared / "chapman" / "wfdb").glob("*.hea"))]
    others = [read_cinc(p) for p in find_records(shared / "cinc2021" / "georgia")[:2]]
    return [Signal.from_record(r) for r in chapman + others]


def _probs(p):
    return np.array([p.probabilities[c] for c in CLASSES])


def test_onnx_matches_torch_on_real_records(exported, recordings, real_models):
    from ecgpaper.inference.preprocess import Signal
    from ecgpaper.inference.route import ModelSet
    paths = [exported / "2", exported / "7"]
    torch_set = ModelSet.from_paths(paths, backend="torch")
    onnx_set = ModelSet.from_paths(paths, backend="onnx")
    subsets = (None, ("I", "II", "III", "aVR", "aVL", "aVF"), ("II",))
    n = 0
    for sig in recordings:
        for keep in subsets:
            s = sig
            if keep:
                rows = [sig.leads.index(k) for k in keep]
                s = Signal(sig.signal[rows], keep, sig.fs, sig.units, sig.record_id)
            elif not sig.meta.get("VentricularRate"):
                s = Signal(sig.signal, sig.leads, sig.fs, sig.units, sig.record_id,
                           {"PatientAge": 60, "Gender": "FEMALE"})
            a, b = torch_set.predict(s), onnx_set.predict(s)
            assert a.model == b.model and b.backend == "onnx"
            np.testing.assert_allclose(_probs(b), _probs(a), atol=1e-4, rtol=0)
            if b.lead_attention:
                np.testing.assert_allclose(list(b.lead_attention.values()),
                                           list(a.lead_attention.values()), atol=1e-4)
            n += 1
    assert n >= 36


def test_stale_or_missing_onnx_is_refused(exported, real_models, tmp_path):
    import shutil

    from ecgpaper.inference.artifact import load_artifact
    from ecgpaper.inference.onnx_backend import OnnxRunner
    art = load_artifact(exported / "2")
    other = tmp_path / "2"
    shutil.copytree(real_models["artifacts"]["1"], other)
    shutil.copy(exported / "2" / "model.onnx", other / "model.onnx")
    with pytest.raises(ValueError, match="another best.pt"):
        OnnxRunner(load_artifact(other))
    (other / "model.onnx").unlink()
    with pytest.raises(FileNotFoundError, match="ecgpaper export"):
        OnnxRunner(load_artifact(other))
    assert OnnxRunner(art).needs_meta
