"""`ecgpaper export --model DIR --format onnx [--precision int8]`: write model.onnx (or
model.int8.onnx / model.fp16.onnx) beside each best.pt that DIR designates (the universal
model with a dynamic lead count), for `ecgpaper serve --backend onnx` (onnx-int8,
onnx-fp16) and `ecgpaper predict --backend ...`. A file of that name is replaced only
when an earlier export wrote it (its ecgpaper metadata); anything else there is refused
by name before any artifact is exported."""

from __future__ import annotations

from ..inference import PRECISIONS

HELP = "export trained models to ONNX (model.onnx beside best.pt) for ONNX Runtime"


def register(parser) -> None:
    parser.add_argument("--model", required=True, action="append", metavar="DIR",
                        help="artifact folder, best.pt, or a folder of artifact folders "
                             "(repeatable)")
    parser.add_argument("--format", choices=("onnx",), default="onnx",
                        help="export format (onnx)")
    parser.add_argument("--precision", choices=PRECISIONS, default="fp32",
                        help="fp32 (model.onnx), int8 (model.int8.onnx: static quantisation "
                             "calibrated on twin records, for fast CPU serving) or fp16 "
                             "(model.fp16.onnx, for GPUs); serve them with --backend onnx, "
                             "onnx-int8 or onnx-fp16")
    parser.add_argument("--check", action="store_true",
                        help="compare ONNX Runtime with PyTorch on a random input after "
                             "writing (prints the largest probability difference)")


def run(args) -> int:
    import numpy as np

    from ..inference.artifact import UnsupportedModel, find_artifacts, load_artifact
    from ..inference.onnx_backend import (OnnxRunner, export_onnx, export_provenance,
                                          onnx_path)
    from ..inference.quantize import quantize
    from ..inference.route import TorchRunner, softmax
    arts = []
    for folder in args.model:
        found = find_artifacts(folder)
        for pt in found:
            try:
                arts.append(load_artifact(pt))
            except UnsupportedModel as exc:
                if len(found) == 1:
                    raise
                print(f"skipped {exc}")
    # Before any export: every file to be written is absent or an earlier export's.
    for art in arts:
        for precision in dict.fromkeys(("fp32", args.precision)):
            export_provenance(onnx_path(art, precision))
    done = 0
    for art in arts:
        path = export_onnx(art) if args.precision == "fp32" else \
            quantize(art, args.precision)
        line = f"{art.name} ({art.kind}): {path}"
        if args.check:
            rng = np.random.default_rng(0)
            x = rng.standard_normal((1, 12, art.prep.n_samples)).astype(np.float32)
            onnx_run = OnnxRunner(art, precision=args.precision)
            torch_run = TorchRunner(art)
            if art.kind == "universal":
                idx = np.arange(12, dtype=np.int64)[None]
                a, b = onnx_run.universal(x, idx)[0], torch_run.universal(x, idx)[0]
            else:
                f = rng.standard_normal((1, len(art.prep.feature_names))).astype(np.float32)
                a, b = onnx_run.standard(x, f), torch_run.standard(x, f)
            line += f" (max |p_onnx - p_torch| = {np.abs(softmax(a) - softmax(b)).max():.1e})"
        print(line)
        done += 1
    return 0 if done else 2
