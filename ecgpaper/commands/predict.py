"""`ecgpaper predict FILE... --model DIR`: classify recordings with trained networks.

Each file is read with the project's readers (figshare CSV, WFDB .hea/.mat/.dat), then
preprocessed and routed exactly as the service does (`ecgpaper.inference`)."""

from __future__ import annotations

from ..inference import BACKENDS

HELP = "classify ECG files (figshare CSV, WFDB) with trained models; one line per record"


def register(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="recordings: figshare .csv (µV, 500 Hz) or WFDB .hea/.mat/.dat")
    parser.add_argument("--model", required=True, action="append", metavar="DIR",
                        help="artifact folder of `ecgpaper train`, its best.pt, or a folder "
                             "of artifact folders (repeatable: a 12-lead and a universal)")
    parser.add_argument("--leads", metavar="NAMES",
                        help="use only these leads, comma-separated (e.g. I,II,III,aVR,aVL,"
                             "aVF): routes to the universal model")
    parser.add_argument("--diagnostics", metavar="XLSX",
                        help="Chapman Diagnostics.xlsx: metadata for models that need it")
    parser.add_argument("--backend", choices=BACKENDS, default="torch",
                        help="PyTorch (default), ONNX Runtime (onnx) or its int8/fp16 "
                             "models (onnx-int8, onnx-fp16); run `ecgpaper export "
                             "[--precision int8]` first")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--strict", action="store_true",
                        help="refuse a record that carries quality flags (inverted or "
                             "swapped leads, unusual amplitude or rate) instead of "
                             "classifying it with the flags listed")


def predict_files(files, models, leads=None, diagnostics=None, strict=False) -> list:
    """Predictions for `files` with a loaded `ModelSet` (stops at the first bad file, and
    with `strict` at the first flagged one)."""
    from ..inference.checks import canonical_leads
    from ..inference.files import read_recording
    from ..inference.preprocess import Signal
    keep = canonical_leads(leads) if leads else None
    out = []
    for f in files:
        sig = Signal.from_record(read_recording(f, diagnostics))
        if keep:
            rows = [sig.leads.index(name) for name in keep]
            sig = Signal(sig.signal[rows], tuple(keep), sig.fs, sig.units, sig.record_id,
                         sig.meta)
        out.append(models.predict(sig, strict=strict))
    return out


def run(args) -> int:
    import json

    from ..inference.route import ModelSet
    diagnostics = None
    if args.diagnostics:
        from ..data.chapman import read_diagnostics
        diagnostics = read_diagnostics(args.diagnostics)
    models = ModelSet.from_paths(args.model, backend=args.backend)
    leads = [s for s in args.leads.split(",") if s.strip()] if args.leads else None
    for p in predict_files(args.files, models, leads, diagnostics, strict=args.strict):
        if args.json:
            d = p.to_dict()
            d.pop("latency_ms")
            print(json.dumps(d))
        else:
            probs = " ".join(f"{c}={v:.3f}" for c, v in p.probabilities.items())
            codes = ",".join(f["code"] for f in p.quality_flags) or "none"
            print(f"{p.record_id}\t{p.rhythm}\t{p.model} ({len(p.leads)} leads)\t{probs}"
                  f"\tflags={codes}")
            for f in p.quality_flags:
                print(f"  flag {f['code']}: {f['message']}")
    return 0
