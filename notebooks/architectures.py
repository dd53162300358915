# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Architectures
#
# This chapter lays out every network in the book: the SE-ResNet18-1D of the paper
# {cite:p}`kisialeu` with and without its metadata branch, the lead-agnostic
# UniversalECGNet, and four designs from the PhysioNet/CinC challenges
# {cite:p}`alday2020` that we rebuild for comparison
# {cite:p}`xia2021,borra2020,kropf2020,nejedly2020`. For each we count parameters and
# forward FLOPs (FLOP = 2 multiply-accumulates, counted on convolutions, linear layers and
# GRUs), and we audit the parameter counts the paper states against what its own
# description produces. Nothing here needs data: the counts come from the code. The
# four related designs are built and counted here; this edition does not train them.
#
# **On this page you will learn** where the parameters and the compute of SE-ResNet18-1D
# sit layer by layer, what the metadata branch and the universal model add, what every
# network costs per recording, and which of the paper's stated parameter counts its own
# description reproduces.

# %% tags=["hide-input"]
import importlib

import pandas as pd
import torch

from ecgpaper import paper
from ecgpaper.benchmarks.models import model_zoo
from ecgpaper.models import audit
from ecgpaper.models.flops import count_flops, layer_table
from ecgpaper.models.registry import MODELS, build_model, n_parameters
from ecgpaper.models.resnet1d import SEResNetConfig
from ecgpaper.models.universal import UniversalConfig
from ecgpaper.notebook import glue, say, setup, show_table

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides, banner=False)
_ = torch.manual_seed(settings.seed)


def thousands(n: int) -> str:
    return f"{n:,}"

# %% [markdown]
# ## SE-ResNet18-1D, layer by layer
#
# The paper's configuration: 12 leads of 5000 samples, stem kernel 7, block kernel 7,
# full width. The stem and the four stages hold all of the compute; stage 4 alone holds
# three quarters of the parameters.

# %% tags=["hide-input"]
se_paper = build_model(SEResNetConfig())
se_layers = layer_table(se_paper, torch.randn(1, 12, 5000))
se_gflop = se_layers["MFLOP"].sum() / 1e3
glue("arch_se_params", thousands(n_parameters(se_paper)))
glue("arch_se_gflop_500", f"{se_gflop:.2f}")
show_table(se_layers, "SE-ResNet18-1D at the paper's size (12 leads × 5,000 samples): "
           "parameters and forward MFLOP per layer.", "tbl-arch-se-layers", digits=1)

# %% [markdown]
# With the metadata branch (SE-ResNet18-Meta) only the MLP and the wider head are added;
# the input width of the branch is what changes between the experiments. The widths
# below are the ones this project trains where they are fixed (experiments 2, 3 and 5);
# experiments 4 and 6 add as many inputs as the Features chapter's fallback filter
# keeps, each costing the parameters per input shown in the last column.

# %% tags=["hide-input"]
base_parameters = n_parameters(build_model(SEResNetConfig(n_meta=0)))
meta_rows = []
for n_meta, label in [(0, "1: signal only"), (14, "2: + 14 metadata"),
                      (14 + 28, "3: + all 28 NeuroKit2"), (3, "5: + age and gender")]:
    parameters = n_parameters(build_model(SEResNetConfig(n_meta=n_meta)))
    meta_rows.append({"experiment": label, "MLP inputs": n_meta, "parameters": parameters,
                      "added to experiment 1": parameters - base_parameters})
per_input = (n_parameters(build_model(SEResNetConfig(n_meta=15)))
             - n_parameters(build_model(SEResNetConfig(n_meta=14))))
meta_table = pd.DataFrame(meta_rows)
meta_table["parameters per extra input"] = per_input
show_table(meta_table, "SE-ResNet18-1D with the metadata branch at the paper's width, for "
           "the MLP input widths this project trains.", "tbl-arch-meta")
glue("arch_params_per_input", per_input)

# %% [markdown]
# ## UniversalECGNet
#
# One shared single-lead backbone runs over each present lead; lead embeddings, a
# projection and the attention pool then reduce the leads to one vector. The table is for
# this profile's width and sampling rate (12 leads of 10 s).

# %% tags=["hide-input"]
T_profile = 10 * settings.fs
uni_profile = build_model(UniversalConfig(width=settings.width, kernel_size=settings.kernel_size,
                                          stem_kernel=settings.stem_kernel))
leads = (torch.randn(1, 12, T_profile), torch.arange(12)[None], torch.ones(1, 12, dtype=torch.bool))
show_table(layer_table(uni_profile, *leads), f"UniversalECGNet at this profile's width "
           f"({settings.width:g}) and {settings.fs} Hz: parameters and forward MFLOP per layer.",
           "tbl-arch-universal-layers", digits=2)

# %% [markdown]
# ## Every model: parameters and FLOPs
#
# Paper widths at 500 Hz (5000 samples) and 100 Hz (1000 samples), per recording. The
# universal model pays for its flexibility: twelve single-lead passes through a
# full-width backbone cost about twelve times the 12-channel network. Speed on this
# machine is measured in the performance chapter (`ecgpaper bench models`).

# %% tags=["hide-input"]
rows = []
for fs, T in ((500, 5000), (100, 1000)):
    for name, (cfg, make) in model_zoo(1.0, fs).items():
        m = build_model(cfg)
        rows.append({"model": name, "rate": f"{fs} Hz", "parameters": n_parameters(m),
                     "GFLOP per recording": count_flops(m, *make(1, T)) / 1e9})
rows = pd.DataFrame(rows)
costs = rows[rows["rate"] == "500 Hz"][["model", "parameters"]].reset_index(drop=True)
for rate in ("500 Hz", "100 Hz"):
    costs[f"GFLOP at {rate}"] = rows[rows["rate"] == rate]["GFLOP per recording"].to_numpy()
glue("arch_universal_gflop_500",
     f"{costs.loc[costs['model'].str.startswith('Universal'), 'GFLOP at 500 Hz'].iloc[0]:.1f}")
show_table(costs, "Parameters and forward GFLOP per recording of every network, at the "
           "paper's widths.", "tbl-arch-costs")

# %% [markdown]
# ## Parameter audit
#
# The paper states five counts for UniversalECGNet. We count the same components for the
# configuration its text describes (stem kernel 7, block kernel 7, batch normalisation
# after every convolution, no convolution biases, SE without biases) and for the one
# that reproduces its stated total (the same with a stem kernel of 15).

# %% tags=["hide-input"]
table = audit.audit_table()
breakdown_text = audit.universal_breakdown(audit.CountConfig(stem_kernel=7))
breakdown_match = audit.universal_breakdown(audit.CountConfig(stem_kernel=15))
stated_sum = sum(paper.PARAMETER_COUNTS[k] for k in ("backbone", "lead_embedding", "projection",
                                                 "attention_pool"))
# the same counts from the real modules, as a cross-check of the closed form
assert n_parameters(build_model(UniversalConfig(stem_kernel=15))) == breakdown_match["total"]
assert n_parameters(build_model(UniversalConfig(stem_kernel=7))) == breakdown_text["total"]
glue("arch_total_params_paper_config", thousands(breakdown_match["total"]))
glue("arch_total_params_text_config", thousands(breakdown_text["total"]))
glue("arch_total_params_paper", thousands(paper.PARAMETER_COUNTS["total"]))
glue("arch_backbone_params", thousands(breakdown_match["backbone"]))
glue("arch_backbone_params_paper", thousands(paper.PARAMETER_COUNTS["backbone"]))
glue("arch_backbone_gap", thousands(paper.PARAMETER_COUNTS["backbone"] - breakdown_match["backbone"]))
glue("arch_parts_sum_paper", thousands(stated_sum))
glue("arch_parts_sum_gap", thousands(stated_sum - paper.PARAMETER_COUNTS["total"]))
glue("arch_attention_params", thousands(breakdown_match["attention_pool"]))
glue("arch_attention_params_paper", thousands(paper.PARAMETER_COUNTS["attention_pool"]))
glue("arch_attention_gap", thousands(paper.PARAMETER_COUNTS["attention_pool"] - breakdown_match["attention_pool"]))
glue("arch_head_params", thousands(breakdown_match["head"]))
glue("arch_backbone_share", f"{100 * breakdown_match['backbone'] / breakdown_match['total']:.1f}%")
glue("arch_backbone_share_paper",
     f"{100 * paper.PARAMETER_COUNTS['backbone'] / paper.PARAMETER_COUNTS['total']:.1f}%")
glue("arch_backbone_k3",
     thousands(audit.backbone_params(audit.CountConfig(kernel_size=3, stem_kernel=7))))
show_table(table, "The paper's stated parameter counts for UniversalECGNet beside our "
           "counts for two configurations.", "tbl-arch-audit")

# %% [markdown]
# Which choices could the paper's numbers come from? We search every combination of stem
# kernel (3-15), block kernel (3-9), SE reduction (4, 8, 16), convolution and SE biases,
# with or without batch normalisation, and shortcut kernel (1, 3, 7).

# %% tags=["hide-input"]
grid = audit.search_configurations()
grid["backbone gap"] = grid["backbone"] - paper.PARAMETER_COUNTS["backbone"]
closest = grid.loc[grid["backbone gap"].abs().idxmin()]
glue("arch_n_configs", thousands(len(grid)))
glue("arch_n_configs_total", thousands(int(grid["matches_total"].sum())))
glue("arch_n_configs_backbone", thousands(int(grid["matches_backbone"].sum())))
glue("arch_closest_backbone", thousands(int(closest["backbone"])))
glue("arch_closest_backbone_gap", thousands(int(abs(closest["backbone gap"]))))
say(f"{len(grid):,} configurations searched; {int(grid['matches_total'].sum())} reproduce "
    f"the stated total, {int(grid['matches_backbone'].sum())} the stated backbone.")
candidates = pd.concat([grid[grid["matches_total"]], grid.loc[[closest.name]]])
candidates.index = [f"reproduces the total ({i + 1})" for i in range(int(grid["matches_total"].sum()))] \
    + ["closest to the stated backbone"]
show_table(candidates.drop(columns="attn_hidden").T.astype(str).rename_axis("setting"),
           "The configurations that reproduce the stated total, and the one closest to the "
           "stated backbone (one column each).", "tbl-arch-search")

# %% [markdown]
# ## Is the paper consistent with itself?
#
# Beyond the parameter counts, the paper's numbers can be checked against each other:
# input widths against feature lists, the "best configuration" against Table 3, Table 4
# against the per-class Table 6, and the text against Table 5. Disagreements are
# collected on the Errata page.

# %% tags=["hide-input"]
checks = audit.paper_checks().astype({"paper": str, "computed": str})
for key, row in checks.iterrows():
    glue(f"arch_check_{key}", row["computed"])
glue("arch_n_checks", str(len(checks)))
glue("arch_n_checks_failed", str(int((~checks["agrees"]).sum())))
show_table(checks, "Internal consistency checks of the paper's numbers.", "tbl-arch-checks")

# %% [markdown]
# ## The related designs and the choices we made
#
# The four comparison networks are rebuilt from their papers; where a paper leaves a
# choice open (most of them are short challenge papers, two only abstracts), the module
# says what we chose. All four originally end in per-class sigmoids for multi-label
# challenge data; here each ends in 8 logits trained with the same softmax cross-entropy
# as SE-ResNet18, since every Chapman recording carries exactly one rhythm label. Each
# takes (batch, 12, T) at any length T. The descriptions below are the modules' own
# documentation.

# %% tags=["hide-input"]
for name in ("multiscale_se", "cnn_gru", "cnn_att_bigru", "rescnn_bigru"):
    module = importlib.import_module(MODELS[name][0])
    say(f"**`{name}`.** " + module.__doc__.strip())

# %% [markdown]
# ## Recap
#
# - Stage 4 holds most of SE-ResNet18-1D's parameters; the metadata branch adds a few
#   thousand per experiment.
# - The universal model costs about twelve times the 12-channel network per recording.
# - The paper's stated parts of UniversalECGNet do not add up to its stated total; the
#   search above shows which choices reproduce the total.
