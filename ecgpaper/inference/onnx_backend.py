"""ONNX export of a trained artifact and an ONNX Runtime backend with the same two calls
as `route.TorchRunner`.

`model.onnx` is written beside `best.pt` (atomically) and records the checkpoint's
sha256, so a model.onnx older than its best.pt is refused instead of silently serving
stale weights. SE-ResNet18 takes x (batch, 12, time) and, when trained with metadata,
meta (batch, n); UniversalECGNet takes x (batch, leads, time) and lead_idx (batch,
leads) with a dynamic lead count: every lead given is present, so the export runs the
backbone on all of them (`skip_absent=False`, identical output) and needs no mask.
"""

from __future__ import annotations

import copy
import dataclasses
import io
from pathlib import Path

import numpy as np

from .artifact import Artifact

ONNX_NAME = "model.onnx"
OPSET = 17
PROVENANCE_KEY = "ecgpaper_checkpoint_sha256"     # metadata entry every export writes


def onnx_path(art: Artifact, precision: str = "fp32") -> Path:
    """model.onnx beside best.pt, or model.int8.onnx / model.fp16.onnx (`quantize`)."""
    if precision == "fp32":
        return art.path.parent / ONNX_NAME
    return art.path.parent / ONNX_NAME.replace(".onnx", f".{precision}.onnx")


def export_provenance(path) -> str | None:
    """The checkpoint sha256 that `ecgpaper export` recorded in the ONNX file at `path`,
    or None when nothing is there. Anything else of that name (a model without that
    metadata, an unreadable file, a folder, a link) is the user's: export replaces only
    what it wrote, so this raises FileExistsError naming it."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return None
    how = ("expected no such entry or an ONNX model written by `ecgpaper export`; "
           "move it away and export again")
    if path.is_symlink() or not path.is_file():
        what = "a symbolic link" if path.is_symlink() else \
            "a folder" if path.is_dir() else "not a regular file"
        raise FileExistsError(f"{path}: is {what}, not replaced; {how}")
    import onnx
    try:
        meta = {e.key: e.value for e in
                onnx.load(str(path), load_external_data=False).metadata_props}
    except Exception as exc:  # noqa: BLE001 - protobuf's DecodeError and onnx's own types
        raise FileExistsError(f"{path}: unreadable as ONNX ({type(exc).__name__}), not "
                              f"replaced; {how}") from None
    if not meta.get(PROVENANCE_KEY):
        raise FileExistsError(f"{path}: an ONNX model without the {PROVENANCE_KEY} "
                              f"metadata of `ecgpaper export`, not replaced; {how}")
    return meta[PROVENANCE_KEY]


def _universal_wrapper(model):
    import torch

    class AllPresent(torch.nn.Module):
        """UniversalECGNet with every given lead present (no boolean indexing)."""

        def __init__(self, net):
            super().__init__()
            self.net = copy.deepcopy(net).eval()
            self.net.config = dataclasses.replace(net.config, skip_absent=False,
                                                  checkpointing=False)

        def forward(self, x, lead_idx):
            return self.net(x, lead_idx, torch.ones_like(lead_idx, dtype=torch.bool))
    return AllPresent(model)


def export_onnx(art: Artifact, path: Path | None = None) -> Path:
    """Write the artifact's network as ONNX (opset 17) and return the path. A file
    already there is replaced only if an export wrote it (`export_provenance`)."""
    import warnings

    import onnx
    import torch

    from ..fileio import atomic_write_bytes, file_sha256
    path = Path(path) if path is not None else onnx_path(art)
    export_provenance(path)                 # refuse a file of the user's before any work
    t = art.prep.n_samples
    if art.kind == "universal":
        module = _universal_wrapper(art.model)
        args = (torch.zeros(1, 3, t), torch.tensor([[0, 1, 6]]))
        names, outputs = ["x", "lead_idx"], ["logits", "attention"]
        axes = {"x": {0: "batch", 1: "leads", 2: "time"}, "lead_idx": {0: "batch", 1: "leads"},
                "logits": {0: "batch"}, "attention": {0: "batch", 1: "leads"}}
    else:
        module = art.model.eval()
        args = (torch.zeros(1, 12, t),)
        names, outputs = ["x"], ["logits"]
        axes = {"x": {0: "batch", 2: "time"}, "logits": {0: "batch"}}
        if art.needs_metadata:
            args += (torch.zeros(1, len(art.prep.feature_names)),)
            names.append("meta")
            axes["meta"] = {0: "batch"}
    buf = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")            # tracer and deprecation notices
        torch.onnx.export(module, args, buf, input_names=names, output_names=outputs,
                          dynamic_axes=axes, opset_version=OPSET, dynamo=False,
                          do_constant_folding=True)
    proto = onnx.load_from_string(buf.getvalue())
    for key, value in ((PROVENANCE_KEY, file_sha256(art.path)),
                       ("ecgpaper_model", art.name), ("ecgpaper_kind", art.kind)):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(proto)
    atomic_write_bytes(path, proto.SerializeToString())
    return path


def session(path: Path, device: str = "cpu", threads: int | None = None):
    """An onnxruntime session with every graph optimisation on."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = int(threads)
    providers = ["CPUExecutionProvider"]
    if device.startswith("cuda"):
        if "CUDAExecutionProvider" not in ort.get_available_providers():
            raise RuntimeError("device cuda with --backend onnx needs onnxruntime-gpu "
                               "(CUDAExecutionProvider is not available)")
        providers.insert(0, "CUDAExecutionProvider")
    try:
        return ort.InferenceSession(str(path), sess_options=opts, providers=providers)
    except Exception as exc:  # noqa: BLE001 - onnxruntime's own types (InvalidProtobuf, ...)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ValueError(f"{path}: unreadable ONNX model ({type(exc).__name__}: {first}), "
                         "expected a model written by `ecgpaper export`") from None


class OnnxRunner:
    """`route.TorchRunner`'s calls on ONNX Runtime, from the artifact's model.onnx (or its
    int8/fp16 version, `quantize`)."""

    def __init__(self, art: Artifact, device: str = "cpu", path: Path | None = None,
                 precision: str = "fp32", threads: int | None = None):
        from ..fileio import file_sha256
        path = Path(path) if path is not None else onnx_path(art, precision)
        self.backend = "onnx" if precision == "fp32" else f"onnx-{precision}"
        if not path.is_file():
            flag = "" if precision == "fp32" else f" --precision {precision}"
            raise FileNotFoundError(f"{path}: not found, expected the output of `ecgpaper "
                                    f"export --model {art.path.parent} --format onnx{flag}`")
        self.session = session(path, device, threads)
        meta = self.session.get_modelmeta().custom_metadata_map
        if meta.get(PROVENANCE_KEY) != file_sha256(art.path):
            raise ValueError(f"{path}: exported from another best.pt than {art.path}, "
                             "expected a fresh `ecgpaper export` after training")
        self.needs_meta = art.needs_metadata

    def standard(self, x: np.ndarray, feats: np.ndarray | None) -> np.ndarray:
        feed = {"x": np.ascontiguousarray(x, dtype=np.float32)}
        if self.needs_meta:
            feed["meta"] = np.ascontiguousarray(feats, dtype=np.float32)
        return self.session.run(["logits"], feed)[0]

    def universal(self, x: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        logits, attn = self.session.run(
            ["logits", "attention"], {"x": np.ascontiguousarray(x, dtype=np.float32),
                                      "lead_idx": np.ascontiguousarray(idx, dtype=np.int64)})
        return logits, attn
