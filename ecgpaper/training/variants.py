"""The configurations the book trains beyond the paper's seven, as data: ablations of the
paper's recipe, repeated seeds, and the related designs and non-neural baselines on the
same split, inputs and Table 2 recipe.

Each is an `Experiment` row that `ecgpaper train --experiment NAME` accepts and that writes
its own artifact folder. `demo` caps profile settings on the demo profile only (fewer
epochs keep the whole book within its time budget); `demo_options` shrinks a model there.
The pages that show them say how the demo differs from the full profile.
"""

from __future__ import annotations

from .experiments import DEMO_UNIVERSAL, EXPERIMENTS, Experiment

# Extra training on the demo profile must stay within a few minutes on 2 CPU cores.
DEMO_EPOCHS = 4            # ablations and seeds of the SE-ResNet18 (demo: 10 for the seven)
DEMO_BASELINE_EPOCHS = 4   # the related designs
DEMO_MULTISCALE_EPOCHS = 1 # its 2-D convolutions are slow on a CPU (65 s an epoch)
DEMO_UNIVERSAL_EPOCHS = 2  # the universal model without lead dropout


def _like(base: str, id_: str, name: str, group: str, **changes) -> Experiment:
    """A configuration that is experiment `base` with `changes` (inputs stay the same)."""
    b = EXPERIMENTS[base]
    return Experiment(id_, name, b.paper_input, metadata=b.metadata, morphology=b.morphology,
                      model=changes.pop("model", b.model), group=group, base=base, **changes)


ABLATIONS = (
    _like("1", "ablation-no-se", "Plain ResNet-18 (no SE)", "ablation", se=False,
          demo={"max_epochs": DEMO_EPOCHS}),
    _like("1", "ablation-no-smoothing", "No label smoothing", "ablation",
          label_smoothing=0.0, demo={"max_epochs": DEMO_EPOCHS}),
    _like("1", "ablation-no-class-weights", "No class weights", "ablation",
          class_weights=False, demo={"max_epochs": DEMO_EPOCHS}),
    _like("7", "ablation-universal-no-lead-dropout", "Universal without lead dropout",
          "ablation", lead_dropout=False,
          demo={**DEMO_UNIVERSAL, "max_epochs": DEMO_UNIVERSAL_EPOCHS}),
    _like("7", "ablation-universal-reference", "Universal with lead dropout (reference)",
          "ablation", demo={**DEMO_UNIVERSAL, "max_epochs": DEMO_UNIVERSAL_EPOCHS}),
)

# Seed + 0 is the paper's recipe at the demo's reduced epochs: the reference the
# ablations above are compared with (trained exactly as long as they are).
SEEDS = tuple(
    _like(e, f"seed-{e}-{k}", f"Experiment {e}, seed + {k}", "seed", seed_offset=k,
          demo={"max_epochs": DEMO_EPOCHS})
    for e in ("1", "2") for k in (0, 1, 2))

BASELINES = (
    _like("1", "baseline-multiscale-se", "Multi-scale SE CNN", "baseline",
          model="multiscale_se", demo={"max_epochs": DEMO_MULTISCALE_EPOCHS},
          demo_options={"filters": 4}),
    _like("1", "baseline-cnn-gru", "Lightweight CNN-GRU", "baseline", model="cnn_gru",
          demo={"max_epochs": DEMO_BASELINE_EPOCHS}),
    _like("1", "baseline-cnn-att-bigru", "CNN + attention + BiGRU", "baseline",
          model="cnn_att_bigru", demo={"max_epochs": DEMO_BASELINE_EPOCHS}),
    _like("1", "baseline-rescnn-bigru", "Residual CNN + BiGRU + attention", "baseline",
          model="rescnn_bigru", demo={"max_epochs": DEMO_BASELINE_EPOCHS},
          demo_options={"channels": 32}),
    Experiment("baseline-gbm", "Gradient boosting on metadata", "14 meta (no signal)",
               model="tabular", group="baseline"),
    Experiment("baseline-rules", "Rule-based (HR, RR, atrial activity)", "leads II, V1",
               model="rules", group="baseline"),
)

ABLATION_REFERENCE = "seed-1-0"

VARIANTS: dict[str, Experiment] = {e.id: e for e in (*ABLATIONS, *SEEDS, *BASELINES)}


def group(name: str) -> list[str]:
    """Configuration names of one group ("ablation", "seed", "baseline")."""
    return [k for k, e in VARIANTS.items() if e.group == name]


# What each chapter's training page runs, in order (the comparison pages only read).
CHAPTER_RUNS: dict[str, tuple[str, ...]] = {
    "universal": ("ablation-universal-reference", "ablation-universal-no-lead-dropout"),
    "ablations": ("seed-1-0", "ablation-no-se", "ablation-no-smoothing",
                  "ablation-no-class-weights", "seed-1-1", "seed-1-2", "seed-2-0",
                  "seed-2-1", "seed-2-2"),
    "baselines": tuple(e.id for e in BASELINES),
}


def demo_difference(exp: Experiment) -> str:
    """How the demo profile runs `exp` differently from the full one, in words."""
    parts = [f"at most {v} epochs" if k == "max_epochs" else f"{k.replace('_', ' ')} at most {v}"
             for k, v in exp.demo.items()]
    parts += [f"{k.replace('_', ' ')} {v}" for k, v in exp.demo_options.items()]
    return "; ".join(parts) if parts else "as on the full profile"
