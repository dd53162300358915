"""The book's executed chapters, in one table: which notebook, which extra parameters,
which chapters must run first and which generated files each one reads.

`ecgpaper.book` executes them in dependency order; `_toc.yml` lists the executed
notebooks (folder `executed/`) next to the prose pages in `book/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Chapter:
    name: str                      # executed notebook is executed/<name>.ipynb
    notebook: str                  # source under notebooks/, py:percent
    depends_on: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)   # extra papermill parameters
    inputs: tuple[str, ...] = ()   # glob patterns under the profile's work folder
    title: str | None = None       # replaces the notebook's first heading (shared notebooks)
    exclusive: bool = False        # measures speed: runs alone, with all the cores
    seconds: float = 10.0          # rough demo time on one core: longest chains start first


EXPERIMENTS = ("1", "2", "3", "4", "5", "6", "7")
# Page titles of the experiment notebook's seven executions (the paper's Table 3 rows).
EXPERIMENT_TITLES = {
    "1": "Experiment 1: signal only",
    "2": "Experiment 2: signal + clinical metadata",
    "3": "Experiment 3: signal + metadata + all NeuroKit2 features",
    "4": "Experiment 4: signal + metadata + filtered NeuroKit2 features",
    "5": "Experiment 5: signal + age and gender",
    "6": "Experiment 6: signal + age, gender + filtered NeuroKit2 features",
    "7": "Experiment 7: UniversalECGNet (1-12 leads)",
}

ALL_EXPERIMENTS = tuple(f"experiment_{e}" for e in EXPERIMENTS)
# Training pages of the ablation, universal and baseline chapters (`training.variants`).
RUNS_TITLES = {
    "universal": "Training runs: UniversalECGNet with and without lead dropout",
    "ablations": "Training runs: ablations and seeds",
    "baselines": "Training runs: the related designs and non-neural baselines",
}
# rough demo seconds of each training page (for the schedule: longest chains first)
RUNS_SECONDS = {"universal": 160, "ablations": 130, "baselines": 250}
EXTRA_CHAPTERS = tuple(f"runs_{c}" for c in RUNS_TITLES) + ("universal", "ablations",
                                                             "baselines")

CHAPTERS: tuple[Chapter, ...] = (
    Chapter("data", "data.py", inputs=("store/manifest.json",), seconds=50),
    # the realism report and the metadata-only bar: its own page, so that it runs beside
    # the training pages instead of before them
    Chapter("data_realism", "data_realism.py", depends_on=("data",),
            inputs=("store/manifest.json",), seconds=100),
    Chapter("features", "features.py", depends_on=("data",),
            inputs=("store/manifest.json", "features/*.json"), seconds=45),
    Chapter("architectures", "architectures.py", seconds=15),
    Chapter("methods_training", "methods_training.py", depends_on=("data",),
            inputs=("store/manifest.json",)),
    # every experiment page compares itself with experiment 1 on the same test records
    *(Chapter(f"experiment_{e}", "experiment.py",
              depends_on=("data", "features") + (() if e == "1" else ("experiment_1",)),
              params={"experiment": e}, title=EXPERIMENT_TITLES[e],
              inputs=("store/manifest.json", f"experiments/{e}/metrics.json")
              + (() if e == "1" else ("experiments/1/metrics.json",)),
              seconds=200 if e == "7" else 50)
      for e in EXPERIMENTS),
    # the SE chapter reads experiment 1's trained network
    Chapter("se_attention", "se_attention.py", depends_on=("data", "experiment_1"),
            inputs=("experiments/1/best.pt",)),
    # the further configurations: one training page per chapter, then pages that only read
    *(Chapter(f"runs_{c}", "runs.py", depends_on=("data",), params={"chapter": c},
              title=RUNS_TITLES[c], inputs=("store/manifest.json",), seconds=RUNS_SECONDS[c])
      for c in RUNS_TITLES),
    Chapter("universal", "universal.py", depends_on=("data", "experiment_7", "runs_universal"),
            inputs=("experiments/7/metrics.json", "experiments/7/lead_sets*",
                    "experiments/ablation-universal-*/metrics.json",
                    "experiments/ablation-universal-*/lead_sets*")),
    Chapter("ablations", "ablations.py", depends_on=("runs_ablations", *ALL_EXPERIMENTS),
            inputs=("experiments/*/metrics.json", "experiments/*/predictions.csv")),
    Chapter("baselines", "baselines.py",
            depends_on=("runs_baselines", "runs_ablations", *ALL_EXPERIMENTS),
            inputs=("experiments/*/metrics.json", "experiments/*/best.pt")),
    Chapter("comparison", "comparison.py", depends_on=ALL_EXPERIMENTS,
            inputs=("experiments/*/metrics.json",)),
    Chapter("per_class", "per_class.py", depends_on=ALL_EXPERIMENTS,
            inputs=("experiments/*/metrics.json", "experiments/*/predictions.csv")),
    # shows the sample and prompts of the LLM-vision experiment; scores cached answers
    # (llm/runs) beside experiment 1 and the best configuration on the same records
    Chapter("llm_vision", "llm_vision.py", depends_on=("data", *ALL_EXPERIMENTS),
            inputs=("store/manifest.json", "experiments/*/metrics.json",
                    "experiments/*/predictions.csv", "llm/runs/*.json")),
    # reads the trained networks of experiments 1 and 7; the records come from the
    # profile's external_dir (a parameter, so a new folder reruns the chapter)
    Chapter("external", "external.py", depends_on=("experiment_1", "experiment_7"),
            inputs=("experiments/1/best.pt", "experiments/7/best.pt")),
    Chapter("performance", "performance.py",
            depends_on=("data", *ALL_EXPERIMENTS, *(f"runs_{c}" for c in RUNS_TITLES)),
            inputs=("store/manifest.json", "experiments/*/metrics.json"), exclusive=True,
            seconds=50),
    # starts `ecgpaper serve` on experiments 1 and 7 and times real requests
    Chapter("deployment", "deployment.py", depends_on=("data", "experiment_1", "experiment_7"),
            inputs=("store/manifest.json", "experiments/1/best.pt", "experiments/7/best.pt"),
            exclusive=True, seconds=60),
    Chapter("conclusion", "conclusion.py",
            depends_on=("data", "features", "comparison", "per_class", *ALL_EXPERIMENTS,
                        *EXTRA_CHAPTERS),
            inputs=("experiments/*/metrics.json", "experiments/*/predictions.csv")),
    Chapter("reproducibility", "reproducibility.py",
            depends_on=("data", "data_realism", "features", "architectures",
                        "methods_training", *ALL_EXPERIMENTS, "se_attention", "comparison",
                        "per_class",
                        "external", "llm_vision", "performance", "deployment",
                        "conclusion", *EXTRA_CHAPTERS)),
)

BY_NAME: dict[str, Chapter] = {c.name: c for c in CHAPTERS}
