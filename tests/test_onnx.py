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


@pytest.mark.parametrize("precision", ["int8", "fp16"])
def test_reduced_precision_agrees_with_fp32_on_real_records(exported, recordings, precision):
    """`export --precision` writes model.<precision>.onnx for both networks; served with
    --backend onnx-<precision> it gives fp32's class on the real records (the tiny test
    networks have flat probabilities, where a flip is likeliest) with small differences."""
    from ecgpaper.cli import main
    from ecgpaper.inference.preprocess import Signal
    from ecgpaper.inference.quantize import agreement
    from ecgpaper.inference.route import ModelSet
    assert main(["export", "--model", str(exported), "--precision", precision]) == 0
    for exp in ("2", "7"):
        small = (exported / exp / f"model.{precision}.onnx").stat().st_size
        assert small < (exported / exp / "model.onnx").stat().st_size
    paths = [exported / "2", exported / "7"]
    fp32 = ModelSet.from_paths(paths, backend="onnx")
    reduced = ModelSet.from_paths(paths, backend=f"onnx-{precision}")
    ref, ours = [], []
    for sig in recordings:
        for keep in (None, ("II",)):
            s = sig
            if keep:
                s = Signal(sig.signal[[sig.leads.index("II")]], keep, sig.fs, sig.units,
                           sig.record_id)
            elif not sig.meta.get("VentricularRate"):
                s = Signal(sig.signal, sig.leads, sig.fs, sig.units, sig.record_id,
                           {"PatientAge": 60, "Gender": "FEMALE"})
            a, b = fp32.predict(s), reduced.predict(s)
            assert b.backend == f"onnx-{precision}" and a.model == b.model
            ref.append(_probs(a))
            ours.append(_probs(b))
    result = agreement(np.array(ref), np.array(ours))
    assert result["records"] == 2 * len(recordings)
    assert result["identical_share"] >= 0.9, result
    assert result["max_abs_diff"] < (0.05 if precision == "int8" else 5e-3), result


def test_reduced_precision_needs_its_export(exported, real_models, tmp_path):
    import shutil

    from ecgpaper.inference.artifact import load_artifact
    from ecgpaper.inference.onnx_backend import OnnxRunner
    other = tmp_path / "1"
    shutil.copytree(real_models["artifacts"]["1"], other)
    with pytest.raises(FileNotFoundError, match="--precision int8"):
        OnnxRunner(load_artifact(other), precision="int8")


def test_agreement_counts_changed_classes():
    from ecgpaper.inference.quantize import agreement
    a = np.array([[0.9, 0.1], [0.4, 0.6], [0.5, 0.5 - 1e-3]])
    b = np.array([[0.8, 0.2], [0.6, 0.4], [0.5, 0.5 - 1e-3]])
    out = agreement(a, b)
    assert out["records"] == 3 and out["identical_share"] == pytest.approx(2 / 3)
    assert out["max_abs_diff"] == pytest.approx(0.2)


def test_compare_precisions_table(exported, recordings):
    """The Deployment chapter's table: one row per backend, fp32 agreeing with itself."""
    from ecgpaper.inference.quantize import compare_precisions
    table = compare_precisions(exported / "2", recordings[:6], timing_repeats=2)
    assert list(table["backend"]) == ["torch", "onnx", "onnx-int8", "onnx-fp16"]
    assert table.set_index("backend").loc["onnx", "identical_share"] == 1.0
    assert (table["records"] == 6).all() and (table["median_ms"] > 0).all()
    assert table.set_index("backend").loc["torch", "max_abs_diff"] < 1e-4


def test_int8_agreement_and_fp32_layers(real_models, recordings, tmp_path):
    """int8 against fp32 on the real records with a signal-only network: every record
    counted, the named layers really left in fp32, and quantising everything touches
    more convolutions than the default."""
    import shutil

    import onnx

    from ecgpaper.inference.artifact import load_artifact
    from ecgpaper.inference.onnx_backend import onnx_path
    from ecgpaper.inference.quantize import FP32_LAYERS, int8_agreement
    shutil.copytree(real_models["artifacts"]["1"], tmp_path / "1")
    art = load_artifact(tmp_path / "1")
    twelve = [s for s in recordings if len(s.leads) == 12]
    out = int8_agreement(art, twelve)
    assert out["records"] == len(twelve) and 0.0 <= out["agreement"] <= 1.0
    assert len(out["differ"]) == round((1 - out["agreement"]) * len(twelve))
    graph = onnx.load(str(onnx_path(art, "int8"))).graph
    quantised = {n.input[0] for n in graph.node if n.op_type == "Conv"}
    stem = next(n for n in graph.node if n.op_type == "Conv" and "/stem/" in n.name)
    assert not any(n.op_type == "DequantizeLinear" and n.output[0] == stem.input[1]
                   for n in graph.node), "stem weights were quantised"
    assert quantised
    every = int8_agreement(art, twelve, fp32_layers=())
    n_dq = sum(n.op_type == "DequantizeLinear" for n in
               onnx.load(str(onnx_path(art, "int8"))).graph.node)
    n_dq_default = sum(n.op_type == "DequantizeLinear" for n in graph.node)
    assert n_dq > n_dq_default and every["fp32_layers"] == [] and FP32_LAYERS


def test_int8_choices_counts_the_fp32_convolutions_of_each_choice(real_models, recordings,
                                                                  tmp_path):
    """The Deployment chapter's int8 table: one row per choice, fp32 convolutions counted
    from the written graph (none when everything is int8), agreement over every record."""
    import shutil

    from ecgpaper.inference.quantize import INT8_CHOICES, int8_choices
    shutil.copytree(real_models["artifacts"]["1"], tmp_path / "1")
    twelve = [s for s in recordings if len(s.leads) == 12]
    table = int8_choices(tmp_path / "1", twelve, timing_repeats=2).set_index("choice")
    assert list(table.index) == list(INT8_CHOICES)
    assert (table["records"] == len(twelve)).all()
    default, every = table.index
    assert table.loc[every, "fp32_convolutions"] == 0
    assert 0 < table.loc[default, "fp32_convolutions"] < table.loc[default, "all_convolutions"]
    assert table["identical_share"].between(0, 1).all()
    assert (table[["int8_median_ms", "fp32_median_ms"]] > 0).all().all()
