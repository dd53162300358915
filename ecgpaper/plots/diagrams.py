"""Block diagrams of the networks and of the project's pipeline, drawn with matplotlib.

The network diagrams are read off instantiated modules (`model_stages`): layer types,
channel widths, kernels, strides and parameter counts come from the torch objects, so a
figure changes with the code and cannot disagree with it; the figure functions only
place boxes and arrows, in inches on axes that span the whole figure.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

from torch import nn

from ..models.resnet1d import BasicBlock1d, SEResNet1d
from ..models.se import SEModule1d
from ..models.universal import UniversalECGNet

SIGNAL, META, FUSE, HEAD, POOL = "#dbe8f6", "#fbe3c8", "#e4dcf1", "#d9efd9", "#f6d9d9"
LABELS = {"backbone.stem": "stem", "fc": "classifier head", "meta": "metadata MLP",
          "lead_embedding": "lead embedding", "proj": "projection",
          "pool": "attention pooling", "pool.score": "attention pooling (lead scores)",
          **{f"backbone.layer{i}": f"stage {i}" for i in range(1, 5)}}


@dataclass(frozen=True)
class Stage:
    """One box of a network diagram, in the order data flows through the model."""
    key: str             # module path in the model ("backbone.layer2"); "" if no module
    label: str           # what a reader calls it ("stage 2")
    detail: str          # layers, kernel, stride
    channels: int        # output channels (features for linear layers)
    length: int | None   # output samples per lead, None once time is pooled away
    params: int


def layer_label(key: str) -> str:
    """Human name of a module path, shared by the diagrams and the layer tables."""
    return LABELS.get(key, key)


def n_params(module: nn.Module) -> int:
    """Parameters of a module: the count printed in its box."""
    return sum(p.numel() for p in module.parameters())


def _out_len(layer: nn.Module, n: int) -> int:
    """Output length of a convolution or pooling layer, from its own settings."""
    k, s, p = (v if isinstance(v, int) else v[0]
               for v in (layer.kernel_size, layer.stride, layer.padding))
    return (n + 2 * p - k) // s + 1


def _se_text(se: nn.Module) -> str:
    return (f"SE {se.fc1.in_channels}\u2192{se.fc1.out_channels}\u2192{se.fc2.out_channels}"
            if isinstance(se, SEModule1d) else "no SE")


def backbone_stages(backbone: nn.Module, length: int) -> list[Stage]:
    """Stem, the four stages and the pooling of an `SEResNetBackbone` on `length` samples."""
    conv, pool = backbone.stem[0], backbone.stem[3]
    n = _out_len(pool, _out_len(conv, length))
    rows = [Stage("backbone.stem", "stem",
                  f"conv k{conv.kernel_size[0]}/{conv.stride[0]}, {conv.in_channels}\u2192"
                  f"{conv.out_channels} \u00b7 BN \u00b7 ReLU \u00b7 max-pool "
                  f"{pool.kernel_size}/{pool.stride}",
                  conv.out_channels, n, n_params(backbone.stem))]
    for i, stage in enumerate(backbone.stages, start=1):
        first = stage[0]
        n = _out_len(first.conv1, n)
        rows.append(Stage(
            f"backbone.layer{i}", f"stage {i}",
            f"{len(stage)} basic blocks \u00b7 kernel {first.conv1.kernel_size[0]} \u00b7 "
            f"stride {first.conv1.stride[0]} \u00b7 {_se_text(first.se)}",
            first.conv2.out_channels, n, n_params(stage)))
    return rows + [Stage("", "global average pool", "mean over time", backbone.feature_dim,
                         None, 0)]


def _linear_text(layer: nn.Linear) -> str:
    return f"linear {layer.in_features}\u2192{layer.out_features}"


def model_stages(model: nn.Module, length: int = 5000) -> list[Stage]:
    """The diagram's boxes for an `SEResNet1d` or a `UniversalECGNet` on `length` samples;
    their parameters add up to the model's."""
    if not isinstance(model, (SEResNet1d, UniversalECGNet)):
        raise TypeError(f"no diagram for {type(model).__name__}")
    rows = backbone_stages(model.backbone, length)
    if isinstance(model, UniversalECGNet):
        emb, proj, score = model.lead_embedding, model.proj, model.pool.score
        rows += [Stage("lead_embedding", "lead embedding",
                       f"{emb.num_embeddings} \u00d7 {emb.embedding_dim} table, L2-normalised",
                       emb.embedding_dim, None, n_params(emb)),
                 Stage("proj", "projection",
                       f"concatenate with the lead embedding, {_linear_text(proj)}",
                       proj.out_features, None, n_params(proj)),
                 Stage("pool", "attention pooling",
                       f"score: {_linear_text(score[0])}, tanh, {_linear_text(score[2])}; "
                       f"softmax over present leads", proj.out_features, None,
                       n_params(model.pool))]
    elif model.meta is not None:
        linear, drop = model.meta[0], model.meta[2]
        rows += [Stage("meta", "metadata MLP",
                       f"{_linear_text(linear)} \u00b7 ReLU \u00b7 dropout {drop.p:g}",
                       linear.out_features, None, n_params(model.meta)),
                 Stage("", "concatenate", f"{model.backbone.feature_dim} signal + "
                       f"{linear.out_features} metadata", model.fc.in_features, None, 0)]
    return rows + [Stage("fc", "classifier head", _linear_text(model.fc),
                         model.fc.out_features, None, n_params(model.fc))]


def readable_layers(table):
    """A `flops.layer_table` with human layer names and no module class column."""
    out = table.assign(module=table["module"].map(layer_label),
                       output=table["output"].str.replace("x", " \u00d7 "))
    return out.drop(columns="type").rename(columns={
        "module": "layer", "output": "output shape", "params": "parameters"})


def _canvas(width: float, height: float):
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1), xlim=(0, width), ylim=(0, height))
    ax.axis("off")
    return fig, ax


def _box(ax, x, y, w, h, title, body="", color=SIGNAL, dashed=False, size=9):
    """A rounded box centred on (x, y): a bold title line over optional body lines."""
    from matplotlib.patches import FancyBboxPatch
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, fc=color, ec="#444",
                                boxstyle="round,pad=0,rounding_size=0.06", lw=1,
                                ls="--" if dashed else "-"))
    lines = body.count("\n") + 1 if body else 0
    ax.text(x, y + 0.085 * lines, title, ha="center", va="center", fontsize=size + 0.5,
            weight="bold")
    if body:
        ax.text(x, y - 0.085, body, ha="center", va="center", fontsize=size,
                linespacing=1.25)


def _arrow(ax, start, end):
    ax.annotate("", xy=end, xytext=start, arrowprops=dict(
        arrowstyle="-|>", color="#333", lw=1.2, shrinkA=0, shrinkB=0, mutation_scale=12))


def _path(ax, points):
    """An arrow along a polyline: plain segments, an arrow head on the last one."""
    xs, ys = zip(*points[:-1])
    ax.plot(xs, ys, color="#333", lw=1.2)
    _arrow(ax, points[-2], points[-1])


def _shape(stage: Stage) -> str:
    return f"{stage.channels}" + ("" if stage.length is None else f" \u00d7 {stage.length}")


# ---- the networks -------------------------------------------------------------------

def se_block_figure(block: BasicBlock1d):
    """The squeeze-and-excitation gate inside one basic block, with the block's sizes."""
    se, c, k, hidden = block.se, block.conv2.out_channels, block.conv1.kernel_size[0], \
        block.se.fc1.out_channels
    fig, ax = _canvas(8, 4.3)
    ax.text(0.15, 4.05, "basic block", fontsize=10, weight="bold", va="center")
    steps = [("conv", f"k{k}/{block.conv1.stride[0]}, {block.conv1.in_channels}\u2192{c}"),
             ("BN, ReLU", ""),
             ("conv", f"k{k}, {c}\u2192{c}"), ("BN", ""), ("SE", f"{n_params(se):,} params"),
             ("add", "+ shortcut"), ("ReLU", "")]
    for i, (title, body) in enumerate(steps):
        x = 0.75 + 1.08 * i          # the SE box (i = 4) sits at x = 5.07
        _box(ax, x, 3.5, 0.92, 0.56, title, body, POOL if title == "SE" else SIGNAL)
        if i:
            _arrow(ax, (x - 0.62, 3.5), (x - 0.46, 3.5))
    ax.plot([5.07, 5.07], [3.22, 2.9], color="#b33", lw=1.2, ls=":")
    ax.text(5.17, 3.0, "expanded below", fontsize=9, color="#b33", va="center")
    ax.text(0.15, 2.7, f"inside the SE gate ({c} channels, reduction {c // hidden})",
            fontsize=10, weight="bold", va="center")
    _box(ax, 1.0, 1.9, 1.6, 0.7, "input x", f"{c} channels \u00d7 T")
    _box(ax, 4.0, 1.9, 0.6, 0.5, "\u00d7", "", FUSE, size=12)
    _box(ax, 7.0, 1.9, 1.6, 0.7, "output", f"{c} \u00d7 T, rescaled")
    _arrow(ax, (1.8, 1.9), (3.7, 1.9))
    _arrow(ax, (4.3, 1.9), (6.2, 1.9))
    gate = [("squeeze", f"mean over T\n{c} \u00d7 1"),
            ("excite 1", f"1\u00d71 conv {c}\u2192{hidden}\nReLU"),
            ("excite 2", f"1\u00d71 conv {hidden}\u2192{c}"),
            ("sigmoid", f"{c} gates in (0, 1)")]
    for i, (title, body) in enumerate(gate):
        x = 1.0 + 1.9 * i
        _box(ax, x, 0.55, 1.55, 0.8, title, body, POOL)
        if i:
            _arrow(ax, (x - 1.12, 0.55), (x - 0.78, 0.55))
    _arrow(ax, (1.0, 1.55), (1.0, 0.95))
    _path(ax, [(6.7, 0.95), (6.7, 1.25), (4.0, 1.25), (4.0, 1.65)])
    ax.text(4.1, 1.45, "one gate per channel", fontsize=9, va="center")
    return fig


def seresnet_figure(model: SEResNet1d, length: int = 5000):
    """SE-ResNet18-1D top to bottom; with a metadata branch, the MLP on the right."""
    stages = model_stages(model, length)
    meta = next((s for s in stages if s.key == "meta"), None)
    trunk = [s for s in stages if s.key != "meta" and s.label != "concatenate"]
    tail = trunk.pop()
    n = len(trunk) + 2 + (meta is not None)
    fig, ax = _canvas(8, 0.78 * n + 0.2)
    y_of = [0.78 * (n - 1 - i) + 0.5 for i in range(n)]
    x, w = (2.75, 5.1) if meta else (4.0, 6.0)
    _box(ax, x, y_of[0], w, 0.56, "input",
         f"{model.backbone.stem[0].in_channels} leads \u00d7 {length} samples")
    for i, s in enumerate(trunk, start=1):
        title = f"{s.label}  \u00b7  output {_shape(s)}" + (
            f"  \u00b7  {s.params:,} params" if s.params else "")
        _box(ax, x, y_of[i], w, 0.56, title, s.detail)
        _arrow(ax, (x, y_of[i - 1] - 0.28), (x, y_of[i] + 0.28))
    last = len(trunk)
    if meta:
        fuse = next(s for s in stages if s.label == "concatenate")
        mx = 6.65
        _box(ax, mx, y_of[last - 2], 2.5, 0.56, "metadata or NeuroKit2",
             f"{model.meta[0].in_features} inputs, z-scored", META)
        _box(ax, mx, y_of[last - 1], 2.5, 0.56, f"{meta.label} \u00b7 {meta.params:,} params",
             meta.detail, META)
        _arrow(ax, (mx, y_of[last - 2] - 0.28), (mx, y_of[last - 1] + 0.28))
        _box(ax, 4.0, y_of[last + 1], 6.0, 0.56, f"{fuse.label}  \u00b7  output {fuse.channels}",
             fuse.detail, FUSE)
        _arrow(ax, (x, y_of[last] - 0.28), (x, y_of[last + 1] + 0.28))
        _arrow(ax, (mx, y_of[last - 1] - 0.28), (mx, y_of[last + 1] + 0.28))
    _box(ax, 4.0, y_of[-1], 6.0, 0.56, f"{tail.label}  \u00b7  output {tail.channels} classes",
         f"{tail.detail}  ({tail.params:,} params); softmax for probabilities", HEAD)
    _arrow(ax, (4.0, y_of[-2] - 0.28), (4.0, y_of[-1] + 0.28))
    return fig


def universal_figure(model: UniversalECGNet, length: int = 1000,
                     present: tuple[str, ...] = ("I", "II", "V1")):
    """UniversalECGNet on a subset of leads: one shared backbone, lead embeddings,
    masked attention pooling over the present leads, one classifier."""
    stages = {s.key or s.label: s for s in model_stages(model, length)}
    inner = [stages["backbone.stem"]] + [stages[f"backbone.layer{i}"] for i in range(1, 5)]
    if not 1 <= len(present) <= 3:
        raise ValueError(f"universal_figure draws 1 to 3 present leads, got {len(present)}")
    d, emb = model.backbone.feature_dim, stages["lead_embedding"]
    fig, ax = _canvas(8, 7.2)
    for x, lead in zip((1.1, 2.9, 4.7), present):
        _box(ax, x, 6.75, 1.4, 0.5, f"lead {lead}", f"1 \u00d7 {length} samples")
        _arrow(ax, (x, 6.5), (x, 6.1))
        _arrow(ax, (x, 4.4), (x, 4.05))
        _box(ax, x, 3.8, 1.4, 0.5, f"features {lead}", f"{d} numbers")
        _arrow(ax, (x, 3.55), (x, 3.2))
    _box(ax, 6.75, 6.75, 2.2, 0.5, f"{model.config.n_leads - len(present)} absent leads",
         "masked: not computed", "#eeeeee", dashed=True)
    _box(ax, 4.0, 5.25, 7.7, 1.7, "", "", SIGNAL)
    ax.text(4.0, 5.9, "one shared single-lead SE-ResNet18 backbone: the same "
            f"{sum(s.params for s in inner):,} parameters for every lead", ha="center", va="center", fontsize=9.5, weight="bold")
    ax.text(4.0, 4.6, "applied to each present lead on its own, then averaged over time",
            ha="center", va="center", fontsize=9)
    for i, s in enumerate(inner):
        x = 0.95 + 1.525 * i
        _box(ax, x, 5.25, 1.3, 0.8, s.label, f"{s.channels} channels\n{s.params:,} params",
             "#ffffff")
        if i:
            _arrow(ax, (x - 0.875, 5.25), (x - 0.65, 5.25))
    proj, pool, head = stages["proj"], stages["pool"], stages["fc"]
    _box(ax, 2.9, 2.85, 5.3, 0.7, f"{proj.label}  \u00b7  output {proj.channels} per lead",
         f"{proj.detail}\n{proj.params:,} params", FUSE)
    _box(ax, 6.75, 2.85, 2.2, 0.7, emb.label, f"{emb.detail}\n{emb.params:,} params", META)
    _arrow(ax, (5.65, 2.85), (5.55, 2.85))
    _arrow(ax, (2.9, 2.5), (2.9, 2.15))
    _box(ax, 4.0, 1.8, 7.7, 0.7, f"{pool.label}  \u00b7  output {pool.channels}",
         f"{pool.detail}\n{pool.params:,} params", POOL)
    ax.text(4.0, 1.25, "absent leads get weight exactly 0; the present leads' vectors are "
            "summed with their weights", ha="center", va="center", fontsize=9)
    _arrow(ax, (4.0, 1.08), (4.0, 0.85))
    _box(ax, 4.0, 0.55, 7.7, 0.6, f"{head.label}  \u00b7  output {head.channels} classes",
         f"{head.detail} ({head.params:,} params)", HEAD)
    return fig


# ---- the pipeline -------------------------------------------------------------------

# One box of the pipeline figure: name, what it does, centre in inches.
Step = namedtuple("Step", "name detail x y")


PIPELINE = (
    Step("ECG records", "Chapman CSV, WFDB,\nPTB-XL, CinC 2021,\nor the synthetic twin", 1.0, 4.2),
    Step("reader & validation", "units, amplitudes,\nlimb-lead identities,\nlabels", 3.0, 4.2),
    Step("store", "one array file + index,\nthe paper's split", 5.0, 4.2),
    Step("features", "14 clinical inputs,\n28 NeuroKit2 features", 7.0, 4.2),
    Step("models", "SE-ResNet18(-Meta),\nUniversalECGNet,\nrelated designs", 1.0, 2.4),
    Step("training & evaluation", "artifacts: checkpoint,\npredictions, metrics,\nprovenance",
         3.0, 2.4),
    Step("book chapters", "papermill runs the\nnotebooks, Jupyter Book\nrenders them", 5.0, 2.4),
    Step("inference / ONNX", "same preprocessing,\nrouting by lead count", 3.0, 0.7),
    Step("FastAPI service", "POST /v1/predict", 5.0, 0.7),
)
EDGES = ((0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (5, 7), (7, 8))


def pipeline_figure():
    """From records on disk to the book and the service, one box per package stage."""
    fig, ax = _canvas(8, 5.1)
    w, h = 1.8, 1.05
    for i, s in enumerate(PIPELINE):
        color = HEAD if i >= 6 else FUSE if i >= 4 else SIGNAL
        _box(ax, s.x, s.y, w, h, s.name, s.detail, color)
    for a, b in EDGES:
        p, q = PIPELINE[a], PIPELINE[b]
        if p.y == q.y:
            _arrow(ax, (p.x + w / 2, p.y), (q.x - w / 2, q.y))
        elif p.x == q.x:
            _arrow(ax, (p.x, p.y - h / 2), (q.x, q.y + h / 2))
        else:                      # features -> models: down, left, down
            mid = (p.y + q.y) / 2
            _path(ax, [(p.x, p.y - h / 2), (p.x, mid), (q.x, mid), (q.x, q.y + h / 2)])
    return fig
