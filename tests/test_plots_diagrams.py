"""The architecture and pipeline diagrams: their data come from the models' modules,
their text is legible and inside its boxes, and the committed pipeline image is what the
drawing code produces now."""

import importlib.util
import itertools
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from ecgpaper.models.flops import layer_table  # noqa: E402
from ecgpaper.models.registry import build_model, n_parameters  # noqa: E402
from ecgpaper.models.resnet1d import SEResNetConfig  # noqa: E402
from ecgpaper.models.universal import UniversalConfig  # noqa: E402
from ecgpaper.notebook import FIGURE_STYLE  # noqa: E402
from ecgpaper.paths import REPO_ROOT  # noqa: E402
from ecgpaper.plots import diagrams  # noqa: E402

STATIC = REPO_ROOT / "book" / "_static"


@pytest.fixture(scope="module")
def models():
    return {"se": build_model(SEResNetConfig(width=1.0)),
            "meta": build_model(SEResNetConfig(width=1.0, n_meta=14)),
            "universal": build_model(UniversalConfig(width=1.0))}


@torch.no_grad()
def test_seresnet_stages_add_up_to_the_model(models):
    model = models["se"].eval()
    stages = diagrams.model_stages(model, length=1000)
    assert sum(s.params for s in stages) == n_parameters(model)
    assert [s.label for s in stages] == ["stem", "stage 1", "stage 2", "stage 3", "stage 4",
                                         "global average pool", "classifier head"]
    x = model.backbone.stem(torch.zeros(1, 12, 1000))          # the real output shapes
    shapes = [tuple(x.shape[1:])]
    for stage in model.backbone.stages:
        x = stage(x)
        shapes.append(tuple(x.shape[1:]))
    assert [(s.channels, s.length) for s in stages[:5]] == shapes
    assert [s.channels for s in stages[1:5]] == [64, 128, 256, 512]
    assert "kernel 7" in stages[2].detail and "stride 2" in stages[2].detail


def test_metadata_branch_and_fusion_are_listed(models):
    model = models["meta"]
    stages = diagrams.model_stages(model)
    assert sum(s.params for s in stages) == n_parameters(model)
    by_label = {s.label: s for s in stages}
    assert by_label["metadata MLP"].detail.startswith("linear 14\u219264")
    assert by_label["concatenate"].channels == 512 + 64 == model.fc.in_features


def test_universal_data_name_one_shared_backbone_and_attention_pooling(models):
    model = models["universal"]
    stages = diagrams.model_stages(model, length=1000)
    assert sum(s.params for s in stages) == n_parameters(model)
    keys = [s.key for s in stages]
    assert keys[:5] == ["backbone.stem"] + [f"backbone.layer{i}" for i in range(1, 5)]
    # one backbone, counted once: its stages hold exactly the backbone's parameters
    assert sum(s.params for s in stages[:5]) == diagrams.n_params(model.backbone)
    labels = [s.label for s in stages]
    assert labels[-4:] == ["lead embedding", "projection", "attention pooling",
                           "classifier head"]
    fig = diagrams.universal_figure(model, 1000, present=("I", "II", "V1"))
    words = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "one shared single-lead SE-ResNet18 backbone" in words
    assert "attention pooling" in words and "9 absent leads" in words
    plt.close(fig)


def test_layer_tables_get_human_labels(models):
    tables = [layer_table(models["se"], torch.zeros(1, 12, 500)),
              layer_table(models["universal"], torch.zeros(1, 12, 500), torch.arange(12)[None],
                          torch.ones(1, 12, dtype=torch.bool))]
    for table in tables:
        readable = diagrams.readable_layers(table)
        assert "type" not in readable.columns
        assert not any("." in label for label in readable["layer"]), list(readable["layer"])


def _check_legible(fig: Figure) -> None:
    """Text at 9 pt or more, inside the figure, not overlapping other text, and either
    inside a box or clear of it."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    texts = [t for t in ax.texts if t.get_text().strip()]
    boxes = [p.get_window_extent(renderer) for p in ax.patches
             if isinstance(p, FancyBboxPatch)]
    frame = fig.bbox
    extents = []
    for t in texts:
        assert t.get_fontsize() >= 9, t.get_text()
        e = t.get_window_extent(renderer)
        assert frame.x0 <= e.x0 and e.x1 <= frame.x1 and frame.y0 <= e.y0 and e.y1 <= frame.y1, \
            t.get_text()
        for b in boxes:
            inside = b.x0 <= e.x0 and e.x1 <= b.x1 and b.y0 <= e.y0 and e.y1 <= b.y1
            assert inside or not e.overlaps(b), f"{t.get_text()!r} crosses a box edge"
        extents.append((t.get_text(), e))
    for (a, ea), (b, eb) in itertools.combinations(extents, 2):
        assert not ea.overlaps(eb), f"{a!r} overlaps {b!r}"


@pytest.mark.parametrize("name", ["se", "seresnet", "seresnet_meta", "universal",
                                  "pipeline"])
def test_every_figure_draws_legibly(models, name):
    draw = {"se": lambda: diagrams.se_block_figure(models["se"].backbone.layer2[0]),
            "seresnet": lambda: diagrams.seresnet_figure(models["se"], 5000),
            "seresnet_meta": lambda: diagrams.seresnet_figure(models["meta"], 5000),
            "universal": lambda: diagrams.universal_figure(models["universal"], 5000),
            "pipeline": diagrams.pipeline_figure}[name]
    with plt.rc_context(FIGURE_STYLE):
        fig = draw()
        assert isinstance(fig, Figure)
        assert fig.get_figwidth() == pytest.approx(8)
        _check_legible(fig)
    plt.close(fig)


def test_unknown_models_and_lead_counts_are_refused(models):
    with pytest.raises(TypeError, match="no diagram for Linear"):
        diagrams.model_stages(torch.nn.Linear(3, 3))
    with pytest.raises(ValueError, match="1 to 3 present leads"):
        diagrams.universal_figure(models["universal"], present=("I", "II", "III", "V1"))
    fig = diagrams.universal_figure(models["universal"], present=("II",))
    assert "11 absent leads" in [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)


def _script():
    spec = importlib.util.spec_from_file_location(
        "draw_pipeline", REPO_ROOT / "scripts" / "draw_pipeline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _svg_texts(svg: str) -> list[str]:
    return [re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_committed_pipeline_image_is_what_the_code_draws(tmp_path):
    script = _script()
    written = script.main(["--out", str(tmp_path)])
    assert [p.name for p in written] == ["pipeline.svg", "pipeline.png"]
    fresh = (tmp_path / "pipeline.svg").read_text()
    committed = (STATIC / "pipeline.svg").read_text()
    texts = _svg_texts(committed)
    assert texts == _svg_texts(fresh), \
        "book/_static/pipeline.svg is stale: rerun scripts/draw_pipeline.py"
    for step in diagrams.PIPELINE:
        assert step.name.replace("&", "&amp;") in texts
        for line in step.detail.split("\n"):
            assert line.replace("&", "&amp;") in texts
    new, old = plt.imread(tmp_path / "pipeline.png"), plt.imread(STATIC / "pipeline.png")
    assert new.shape == old.shape, "book/_static/pipeline.png is stale"
    assert np.abs(new - old).mean() < 0.01, "book/_static/pipeline.png is stale"
