"""Reduced-precision ONNX models for faster CPU inference, and how often they change the
answer.

- "int8": ONNX Runtime static quantisation of the convolutions (QDQ format, per-channel
  int8 weights, uint8 activations whose ranges are calibrated on preprocessed
  synthetic-twin records of all eight rhythms). The convolutions are nearly all of the
  arithmetic; the metadata MLP, the attention and the classifier stay in fp32, where
  clinical inputs far from the calibration's would otherwise be clipped. So do the stem,
  the first two stages and the squeeze-and-excitation gates (`FP32_LAYERS`): quantising
  every convolution changed the class of 19 of the reference edition's 1,593 twin test
  records (98.8 % agreement), keeping these in fp32 5 (99.7 %). Calibration needs only activation ranges, so the twin serves for any
  artifact; the agreement with fp32 is then measured on whatever records the caller has.
- "fp16": weights and activations in half precision (ONNX Runtime's float16 converter,
  inputs and outputs kept float32). Most CPUs have no fast fp16 kernels, so this is for
  GPUs; the benchmark shows what it does on the CPU.

Files sit beside `model.onnx` as `model.int8.onnx` / `model.fp16.onnx` and carry the
checkpoint's sha256 like it, so a stale file is refused by `OnnxRunner`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import PRECISIONS
from .artifact import Artifact

CALIBRATION_RECORDS = 48           # 6 per rhythm: enough for stable activation ranges
AGREEMENT_TARGET = 99.5 / 100      # share of records whose class must equal fp32's
# Convolutions left in fp32 by int8 (parts of ONNX node names): the stem and the first two
# stages see the finest time resolution (about a fifth of the arithmetic), the SE gates
# act on pooled vectors (almost none) and rescale whole channels.
FP32_LAYERS = ("/stem/", "/layer1/", "/layer2/", "/se/")


def calibration_inputs(art: Artifact, n: int = CALIBRATION_RECORDS, seed: int = 7
                       ) -> list[dict[str, np.ndarray]]:
    """Batch-1 ONNX feeds of preprocessed twin records, as the service would build them."""
    from ..constants import CLASSES
    from ..twin.generator import generate_arrays
    from .preprocess import zscore
    per = max(1, n // len(CLASSES))
    x, _ = generate_arrays(counts={c: per for c in CLASSES}, seed=seed)
    idx = list(range(12))
    rng = np.random.default_rng(seed)
    feeds = []
    for rec in x:
        z = zscore(rec[:, :art.prep.n_samples * art.prep.factor], art.prep, idx)[None]
        if art.kind == "universal":
            feeds.append({"x": z, "lead_idx": np.arange(12, dtype=np.int64)[None]})
        else:
            feed = {"x": z}
            if art.needs_metadata:
                feed["meta"] = rng.standard_normal(
                    (1, len(art.prep.feature_names))).astype(np.float32)
            feeds.append(feed)
    return feeds


def quantize(art: Artifact, precision: str, calibration_records: int = CALIBRATION_RECORDS,
             fp32_layers=FP32_LAYERS) -> Path:
    """Write the artifact's reduced-precision ONNX model from its model.onnx (exported
    first when missing or older than best.pt) and return its path. Neither file is
    replaced unless an export wrote it (`export_provenance`): checked before any work."""
    import onnx

    from ..fileio import atomic_write_bytes, file_sha256
    from .onnx_backend import export_onnx, export_provenance, onnx_path
    if precision not in PRECISIONS[1:]:
        raise ValueError(f"precision {precision!r}, expected one of {list(PRECISIONS[1:])}")
    target = onnx_path(art, precision)
    export_provenance(target)
    source = onnx_path(art)
    if export_provenance(source) != file_sha256(art.path):
        export_onnx(art)
    if precision == "int8":
        proto = _int8(source, calibration_inputs(art, calibration_records), fp32_layers)
    else:
        proto = _fp16(source)
    onnx.checker.check_model(proto)
    atomic_write_bytes(target, proto.SerializeToString())
    return target


def fp32_convolutions(model_path: Path, layers=FP32_LAYERS) -> list[str]:
    """Names of the Conv nodes that int8 leaves in fp32 (those naming one of `layers`)."""
    import onnx
    graph = onnx.load(str(model_path)).graph
    return [n.name for n in graph.node if n.op_type == "Conv"
            and any(part in n.name for part in layers)]


def _int8(source: Path, feeds: list[dict], layers=FP32_LAYERS):
    import tempfile

    import onnx
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Feeds(CalibrationDataReader):
        def __init__(self):
            self.it = iter(feeds)

        def get_next(self):
            return next(self.it, None)

    with tempfile.TemporaryDirectory(prefix="ecgpaper-int8-") as tmp:
        pre, out = Path(tmp) / "pre.onnx", Path(tmp) / "int8.onnx"
        quant_pre_process(str(source), str(pre), skip_symbolic_shape=True)
        quantize_static(str(pre), str(out), Feeds(), quant_format=QuantFormat.QDQ,
                        per_channel=True, weight_type=QuantType.QInt8,
                        activation_type=QuantType.QUInt8, op_types_to_quantize=["Conv"],
                        nodes_to_exclude=fp32_convolutions(pre, layers))
        proto = onnx.load(str(out))
    _copy_metadata(onnx.load(str(source)), proto)
    return proto


def _fp16(source: Path):
    import onnx
    from onnxruntime.transformers.float16 import convert_float_to_float16
    original = onnx.load(str(source))
    proto = convert_float_to_float16(onnx.load(str(source)), keep_io_types=True)
    _sort_nodes(proto.graph)         # the converter appends its input casts at the end
    _copy_metadata(original, proto)
    return proto


def _sort_nodes(graph) -> None:
    """Order the graph's nodes so that every input is produced before it is used."""
    known = {i.name for i in graph.input} | {t.name for t in graph.initializer} | {""}
    pending, ordered = list(graph.node), []
    while pending:
        ready = [n for n in pending if all(i in known for i in n.input)]
        if not ready:
            raise ValueError("ONNX graph has a cycle or an input no node produces")
        for n in ready:
            known.update(n.output)
        ordered += ready
        taken = {id(n) for n in ready}
        pending = [n for n in pending if id(n) not in taken]
    del graph.node[:]
    graph.node.extend(ordered)


def _copy_metadata(source, target) -> None:
    """The ecgpaper_* provenance entries of model.onnx, so the runner can check them."""
    del target.metadata_props[:]
    for entry in source.metadata_props:
        new = target.metadata_props.add()
        new.key, new.value = entry.key, entry.value


def agreement(reference: np.ndarray, other: np.ndarray) -> dict:
    """How often two (n, classes) probability arrays give the same class, and their
    largest probability difference."""
    reference, other = np.asarray(reference), np.asarray(other)
    same = reference.argmax(axis=1) == other.argmax(axis=1)
    return {"records": int(len(same)), "identical_share": float(same.mean()) if len(same)
            else float("nan"), "max_abs_diff": float(np.abs(reference - other).max())
            if len(same) else float("nan")}


def backend_outputs(folder, backend: str, signals, timing_repeats: int
                    ) -> tuple[np.ndarray, float]:
    """The (n, classes) probabilities of the artifact in `folder` on `signals` with
    `backend`, and the median network-only latency (ms) of one record, batch 1."""
    from ..constants import CLASSES
    from .route import ModelSet, network_call, time_calls
    models = ModelSet.from_paths([folder], backend=backend)
    probs = np.array([[p.probabilities[c] for c in CLASSES]
                      for p in (models.predict(s) for s in signals)])
    times = time_calls(network_call(models, signals[0]), timing_repeats)
    return probs, 1000 * float(np.median(times))


def compare_precisions(folder, signals, precisions=("int8", "fp16"), timing_repeats: int = 20
                       ) -> "pd.DataFrame":
    """Per backend (PyTorch, ONNX fp32, and each reduced precision, exported here when
    missing): the median network-only latency of one record (batch 1) and how often its
    class on `signals` (`preprocess.Signal`s) is fp32's."""
    import pandas as pd

    from .artifact import load_artifact
    from .onnx_backend import export_onnx, onnx_path
    art = load_artifact(folder)
    if not onnx_path(art).is_file():
        export_onnx(art)
    for p in precisions:
        quantize(art, p)
    backends = ["torch", "onnx"] + [f"onnx-{p}" for p in precisions]
    probs, rows = {}, []
    for backend in backends:
        probs[backend], ms = backend_outputs(folder, backend, signals, timing_repeats)
        size = onnx_path(art, backend.split("-")[1] if "-" in backend else "fp32")
        rows.append({"backend": backend, "median_ms": ms,
                     "file_mb": (size.stat().st_size if backend != "torch" else
                                 art.path.stat().st_size) / 2**20})
    return pd.DataFrame([{**row, **agreement(probs["onnx"], probs[row["backend"]])}
                         for row in rows])



def int8_agreement(art: Artifact, signals, fp32_layers=FP32_LAYERS, batch: int = 64) -> dict:
    """How often the int8 model (written here with `fp32_layers` kept in fp32) gives the
    fp32 ONNX model's class on `signals` (`preprocess.Signal`s of all 12 leads), with the
    records that differ: the number the Deployment chapter holds against
    `AGREEMENT_TARGET`."""
    from ..constants import CLASSES
    from .onnx_backend import OnnxRunner, export_onnx, onnx_path
    from .route import network_inputs
    if art.kind != "standard" or art.needs_metadata:
        raise ValueError(f"{art.path}: int8_agreement takes a 12-lead signal-only network, "
                         f"got {art.kind} (metadata: {art.needs_metadata})")
    if not onnx_path(art).is_file():
        export_onnx(art)
    quantize(art, "int8", fp32_layers=fp32_layers)
    x = np.stack([network_inputs(s, art)[0] for s in signals])
    logits = {}
    for precision in ("fp32", "int8"):
        runner = OnnxRunner(art, precision=precision)
        logits[precision] = np.concatenate([runner.standard(x[i:i + batch], None)
                                            for i in range(0, len(x), batch)])
    ref, low = logits["fp32"].argmax(1), logits["int8"].argmax(1)
    differ = np.flatnonzero(ref != low)
    return {"records": len(x), "agreement": float((ref == low).mean()),
            "target": AGREEMENT_TARGET, "fp32_layers": list(fp32_layers),
            "differ": [{"record_id": signals[i].record_id, "fp32": CLASSES[ref[i]],
                        "int8": CLASSES[low[i]]} for i in differ]}


# The choices of fp32 layers the Deployment chapter compares (name -> `fp32_layers`).
INT8_CHOICES = {"stem, stages 1-2 and SE gates kept in fp32": FP32_LAYERS,
                "every convolution in int8": ()}


def int8_choices(folder, signals, choices=None, timing_repeats: int = 20
                 ) -> "pd.DataFrame":
    """Per choice of layers left in fp32 (`INT8_CHOICES`): how many convolutions stay fp32,
    how often int8's class on `signals` is ONNX fp32's, and the network-only median
    latency of one record (batch 1) beside fp32's. The int8 file in `folder` is rewritten
    for each choice, so `folder` should be a copy made for this."""
    import pandas as pd

    from .artifact import load_artifact
    from .onnx_backend import export_onnx, onnx_path
    choices = INT8_CHOICES if choices is None else choices
    art = load_artifact(folder)
    export_onnx(art)
    fp32, fp32_ms = backend_outputs(folder, "onnx", signals, timing_repeats)
    rows = []
    for name, layers in choices.items():
        quantize(art, "int8", fp32_layers=layers)
        probs, ms = backend_outputs(folder, "onnx-int8", signals, timing_repeats)
        rows.append({"choice": name,
                     "fp32_convolutions": len(fp32_convolutions(onnx_path(art), layers)),
                     "all_convolutions": len(fp32_convolutions(onnx_path(art), ("",))),
                     **agreement(fp32, probs), "int8_median_ms": ms,
                     "fp32_median_ms": fp32_ms})
    return pd.DataFrame(rows)
