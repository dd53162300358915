"""Routing a recording to a network and reading its answer.

All 12 leads go to the 12-lead SE-ResNet18 when one is loaded; any other subset goes to
UniversalECGNet with the leads' indices in I..V6 (every lead given is present, so the
mask is all true). A network that needs clinical metadata gets it, or the request is
refused by `preprocess.model_features` with a message naming what is missing; networks
trained with NeuroKit2 features (experiments 3, 4, 6) get them computed from lead II as in
training.

Networks run through a backend with two calls (`standard`, `universal`) so that PyTorch
and ONNX Runtime (fp32, or int8/fp16 from `quantize`) are interchangeable
(`onnx_backend.OnnxRunner`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from ..constants import CLASSES, LEADS
from . import BACKENDS
from .artifact import KINDS, Artifact, UnsupportedModel, find_artifacts, load_artifact
from .preprocess import (InputError, ModelError, Signal, all_leads, model_features,
                         model_signal, signal_uv_at_source)


class TorchRunner:
    """Batch-1 forward passes of a PyTorch module on the CPU (or `device`)."""
    backend = "torch"

    def __init__(self, artifact: Artifact, device: str = "cpu"):
        import torch
        self.torch = torch
        self.device = device
        self.model = artifact.model.to(device).eval()
        self.signal_only = artifact.model_type not in KINDS   # a related design

    def standard(self, x: np.ndarray, feats: np.ndarray | None) -> np.ndarray:
        t = self.torch
        with t.inference_mode():
            xt = t.from_numpy(x).to(self.device)
            if self.signal_only:
                return self.model(xt).float().cpu().numpy()
            meta = None if feats is None or feats.shape[-1] == 0 else \
                t.from_numpy(feats).to(self.device)
            return self.model(xt, meta).float().cpu().numpy()

    def universal(self, x: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = self.torch
        with t.inference_mode():
            xt = t.from_numpy(x).to(self.device)
            it = t.from_numpy(idx).to(self.device)
            logits, attn = self.model(xt, it, t.ones_like(it, dtype=t.bool))
            return logits.float().cpu().numpy(), attn.float().cpu().numpy()


@dataclass
class Prediction:
    record_id: str
    rhythm: str
    probabilities: dict                 # class -> probability, in CLASSES order
    model: str
    model_kind: str
    leads: list
    backend: str
    imputed_metadata: list = field(default_factory=list)
    lead_attention: dict | None = None
    latency_ms: float | None = None
    quality_flags: list = field(default_factory=list)   # [{"code", "message"}], see below

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


class ModelSet:
    """The loaded networks (at most one 12-lead and one universal) and their backends."""

    def __init__(self, artifacts: list[Artifact], backend: str = "torch",
                 device: str = "cpu", threads: int | None = None):
        self.standard = next((a for a in artifacts if a.kind == "standard"), None)
        self.universal = next((a for a in artifacts if a.kind == "universal"), None)
        if self.standard is None and self.universal is None:
            raise ValueError("no model to serve, expected a SE-ResNet18 or UniversalECGNet "
                             "artifact")
        self.backend = backend
        self._executor = None                # threads for `predict(checks=...)`, made on use
        self.runners = {}
        for art in (self.standard, self.universal):
            if art is not None:
                self.runners[art.kind] = make_runner(art, backend, device, threads)

    @classmethod
    def from_paths(cls, paths, backend: str = "torch", device: str = "cpu",
                   designs: bool = False, threads: int | None = None) -> "ModelSet":
        """Artifacts found under `paths`; the first of each kind in the order given (with
        `designs`, a related design counts as a 12-lead network; PyTorch only)."""
        paths = [paths] if isinstance(paths, (str, bytes)) or not \
            hasattr(paths, "__iter__") else paths
        arts, kinds = [], set()
        for p in paths:
            found = find_artifacts(p)
            for pt in found:
                if kinds == {"standard", "universal"}:
                    break
                try:
                    art = load_artifact(pt, designs=designs)
                except UnsupportedModel:
                    if len(found) == 1:
                        raise
                    continue                 # a folder of runs may hold other designs
                if art.kind not in kinds:
                    arts.append(art)
                    kinds.add(art.kind)
        return cls(arts, backend, device, threads)

    @property
    def loaded(self) -> list[Artifact]:
        return [a for a in (self.standard, self.universal) if a is not None]

    def route(self, sig: Signal) -> Artifact:
        """The network for this set of leads (see the module docstring)."""
        if all_leads(sig) and self.standard is not None:
            return self.standard
        if self.universal is not None:
            return self.universal
        raise InputError(f"{len(sig.leads)} lead(s) {list(sig.leads)} given, but only the "
                         "12-lead model is loaded: expected all 12 leads "
                         f"{list(LEADS)}", "leads")

    def predict(self, sig: Signal, strict: bool = False, checks=None) -> Prediction:
        """The answer for `sig` with its quality flags (`signal_flags`); with `strict`, a
        flagged record is refused instead (`InputError` listing the flags).

        `checks`, when given, is a callable that checks `sig` and raises to refuse it
        (`checks.check_amplitudes`): it runs on this thread, with the flags, while the
        network runs on another, so on a machine with a free core the checks add no
        latency. A refused record's network output is discarded, never returned."""
        t0 = time.perf_counter()
        art = self.route(sig)
        runner = self.runners[art.kind]
        try:
            x, idx, feats, imputed = network_inputs(sig, art)
        except InputError:
            if checks is not None:
                checks(sig)                  # their message names the cause first
            raise
        started = threading.Event()
        if art.kind == "standard":
            def forward():
                started.set()
                return runner.standard(x[None], feats)[0], None
        else:
            def forward():
                started.set()
                logits, attn = runner.universal(x[None], np.asarray([idx], dtype=np.int64))
                return logits[0], attn[0]
        pending = self._pool().submit(forward) if checks is not None else None
        if pending is not None:
            # Let the network thread take the GIL and enter the backend (which releases
            # it) before the checks hold it: otherwise the network may wait up to the
            # interpreter's switch interval (5 ms) and the two no longer overlap.
            started.wait(timeout=0.05)
        try:
            if checks is not None:
                checks(sig)
            flags = signal_flags(sig)
            if strict and flags:
                raise InputError(f"{sig.record_id}: refused in strict mode, quality "
                                 "flag(s) " + "; ".join(f"{f.code}: {f.message}"
                                                        for f in flags), "quality")
        except BaseException:
            if pending is not None:
                pending.result()             # let the network finish before the error
            raise
        logits, attn = pending.result() if pending is not None else forward()
        used = list(LEADS) if art.kind == "standard" else list(sig.leads)
        attention = None if attn is None else {name: float(w) for name, w in zip(used, attn)}
        check_outputs(logits, art, runner.backend, sig.record_id)
        proba = softmax(logits)
        return Prediction(record_id=sig.record_id, rhythm=CLASSES[int(np.argmax(proba))],
                          probabilities={c: float(p) for c, p in zip(CLASSES, proba)},
                          model=art.name, model_kind=art.kind, leads=used,
                          backend=runner.backend, imputed_metadata=imputed,
                          lead_attention=attention,
                          latency_ms=(time.perf_counter() - t0) * 1000.0,
                          quality_flags=[f.to_dict() for f in flags])

    def _pool(self):
        """Threads for the network calls that run beside the checks (one per concurrent
        request is enough: each waits for its own call)."""
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor
            self._executor = ThreadPoolExecutor(max_workers=8,
                                                thread_name_prefix="ecgpaper-network")
        return self._executor


def signal_flags(sig: Signal) -> list:
    """`data.quality.quality_flags` of a recording (lead-pattern flags need all 12 leads,
    taken in I..V6 order): what is possible but unusual, often an error."""
    from ..data.quality import quality_flags
    from ..data.validate import to_microvolts
    x = to_microvolts(np.asarray(sig.signal, dtype=np.float32), sig.units)
    leads = tuple(sig.leads)
    if set(leads) == set(LEADS):
        x, leads = x[[leads.index(name) for name in LEADS]], LEADS
    return quality_flags(x, sig.fs, leads, measures=sig.measures if leads == LEADS else None)


def check_outputs(logits: np.ndarray, art: Artifact, backend: str, record_id: str) -> None:
    """NaN or Inf logits have no most probable class (argmax would say SB, the first):
    an error naming the model, never a labelled answer."""
    bad = ~np.isfinite(np.asarray(logits, dtype=np.float64))
    if bad.any():
        raise ModelError(f"{art.name} ({art.path.name}, backend {backend}) gave "
                         f"{int(bad.sum())} NaN/Inf logit(s) of {bad.size} for {record_id}: "
                         "no class can be chosen (damaged weights or an overflow inside the "
                         "network), expected finite outputs")


def _check_features(feats: np.ndarray, art: Artifact) -> None:
    """MLP inputs are finite after the checkpoint's z-scores unless its statistics are
    degenerate (a standard deviation near 0)."""
    bad = np.flatnonzero(~np.isfinite(feats))
    if bad.size:
        k = int(bad[0])
        raise ModelError(f"{art.name} ({art.path.name}): input {art.prep.feature_names[k]} "
                         f"is {feats[k]} after z-scoring with the checkpoint's mean "
                         f"{art.prep.feature_mean[k]:g} and standard deviation "
                         f"{art.prep.feature_std[k]:g}, expected a finite number")


def network_inputs(sig: Signal, art: Artifact
                   ) -> tuple[np.ndarray, list[int], np.ndarray | None, list[str]]:
    """What `art`'s network gets for `sig`: the signal (leads, samples) — in I..V6 order
    for the 12-lead network — the leads' indices, the (1, n) MLP input or None, and the
    metadata names that took the training median."""
    x, idx = model_signal(sig, art.prep)
    if art.kind != "standard":
        return x, idx, None, []
    x = x[[sig.leads.index(name) for name in LEADS]]
    if not art.needs_metadata:
        return x, list(range(len(LEADS))), None, []
    lead_ii = None
    if art.prep.morphology is not None:
        need = art.prep.n_samples * art.prep.factor
        lead_ii = signal_uv_at_source(sig, art.prep)[sig.leads.index("II"), :need]
    feats, imputed = model_features(sig.meta, art.prep, lead_ii)
    _check_features(feats, art)
    return x, list(range(len(LEADS))), feats[None], imputed


def network_call(models: "ModelSet", sig: Signal):
    """A zero-argument call running the network `sig` is routed to once, batch 1, on
    inputs prepared beforehand: what a model-only latency times."""
    art = models.route(sig)
    runner = models.runners[art.kind]
    x, idx, feats, _ = network_inputs(sig, art)
    if art.kind == "universal":
        lead_idx = np.asarray([idx], dtype=np.int64)
        return lambda: runner.universal(x[None], lead_idx)
    return lambda: runner.standard(x[None], feats)


def time_calls(call, repeats: int, warmup: int = 3) -> list[float]:
    """Seconds of each of `repeats` calls, after `warmup` untimed ones."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return times


def make_runner(art: Artifact, backend: str, device: str = "cpu", threads: int | None = None):
    """The runner of `art` on `backend`; `threads`: ONNX Runtime's threads per call (None:
    its default, every core; PyTorch's are set process-wide with torch.set_num_threads)."""
    if backend == "torch":
        return TorchRunner(art, device)
    if art.model_type not in KINDS:
        raise ValueError(f"{art.path}: a {art.model_type} network runs with the torch "
                         f"backend only, not {backend!r}")
    if backend in BACKENDS[1:]:
        from .onnx_backend import OnnxRunner
        precision = backend.split("-", 1)[1] if "-" in backend else "fp32"
        return OnnxRunner(art, device, precision=precision, threads=threads)
    raise ValueError(f"backend {backend!r}, expected one of {list(BACKENDS)}")
