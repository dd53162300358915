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
# This chapter lays out every network in the book: the SE-ResNet18-1D of Kisialeu &
# Nedzved (paper) with and without its metadata branch, the lead-agnostic UniversalECGNet,
# and four designs from the PhysioNet/CinC challenges that we rebuild as comparisons
# {cite:p}`xia2021,borra2020,kropf2020,nejedly2020`. For each we count parameters and
# forward FLOPs (FLOP = 2 multiply-accumulates, counted on convolutions, linear layers and
# GRUs), and we audit the parameter counts the paper states against what its own
# description produces. Nothing here needs data: the counts come from the code.

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["remove-input"]
import importlib

import pandas as pd
import torch
from IPython.display import Markdown, display

from ecgpaper.models import audit
from ecgpaper.models.flops import count_flops, layer_table
from ecgpaper.models.registry import MODELS, build_model, n_parameters
from ecgpaper.models.resnet1d import SEResNetConfig
from ecgpaper.models.universal import UniversalConfig
from ecgpaper.benchmarks.models import model_zoo
from ecgpaper.notebook import glue, setup

P = setup(profile, overrides)
_ = torch.manual_seed(P.seed)
fmt = lambda n: f"{n:,}"

# %% [markdown]
# ## SE-ResNet18-1D, layer by layer
#
# The paper's configuration: 12 leads of 5000 samples, stem kernel 7, block kernel 7,
# full width. The stem and the four stages hold all of the compute; stage 4 alone holds
# three quarters of the parameters.

# %%
se_paper = build_model(SEResNetConfig())
se_layers = layer_table(se_paper, torch.randn(1, 12, 5000))
se_gflop = se_layers["MFLOP"].sum() / 1e3
glue("arch_se_params", fmt(n_parameters(se_paper)))
glue("arch_se_gflop_500", f"{se_gflop:.2f}")
se_layers.round(1)

# %% [markdown]
# With the metadata branch (SE-ResNet18-Meta) only the MLP and the wider head are added;
# the input width of the branch is what changes between the experiments.

# %%
meta_rows = []
for n_meta, label in [(0, "1 signal only"), (14, "2 + 14 metadata"), (36, "3 + all NeuroKit2"),
                      (27, "4 + filtered NeuroKit2"), (3, "5 + age/gender"),
                      (16, "6 + age/gender + filtered NeuroKit2")]:
    m = build_model(SEResNetConfig(n_meta=n_meta))
    meta_rows.append({"experiment": label, "MLP inputs": n_meta, "parameters": n_parameters(m)})
pd.DataFrame(meta_rows)

# %% [markdown]
# ## UniversalECGNet
#
# One shared single-lead backbone runs over each present lead; lead embeddings, a
# projection and the attention pool then reduce the leads to one vector. The table is for
# this profile's width and sampling rate (12 leads of 10 s).

# %%
T_profile = 10 * P.fs
uni_profile = build_model(UniversalConfig(width=P.width, kernel_size=P.kernel_size,
                                          stem_kernel=P.stem_kernel))
leads = (torch.randn(1, 12, T_profile), torch.arange(12)[None], torch.ones(1, 12, dtype=torch.bool))
layer_table(uni_profile, *leads).round(2)

# %% [markdown]
# ## Every model: parameters and FLOPs
#
# Paper widths at 500 Hz (5000 samples) and 100 Hz (1000 samples), per recording. The
# universal model pays for its flexibility: twelve single-lead passes through a
# full-width backbone cost about twelve times the 12-channel network. Speed on this
# machine is measured in the performance chapter (`ecgpaper bench models`).

# %%
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
costs.round(3)

# %% [markdown]
# ## Parameter audit
#
# The paper states five counts for UniversalECGNet. We count the same components for the
# configuration its text describes (stem kernel 7, block kernel 7, batch normalisation
# after every convolution, no convolution biases, SE without biases) and for the one
# that reproduces its stated total (the same with a stem kernel of 15).

# %%
table = audit.audit_table()
breakdown_text = audit.universal_breakdown(audit.CountConfig(stem_kernel=7))
breakdown_match = audit.universal_breakdown(audit.CountConfig(stem_kernel=15))
stated_sum = sum(audit.PAPER_COUNTS[k] for k in ("backbone", "lead_embedding", "projection",
                                                 "attention_pool"))
# the same counts from the real modules, as a cross-check of the closed form
assert n_parameters(build_model(UniversalConfig(stem_kernel=15))) == breakdown_match["total"]
assert n_parameters(build_model(UniversalConfig(stem_kernel=7))) == breakdown_text["total"]
glue("arch_total_params_paper_config", fmt(breakdown_match["total"]))
glue("arch_total_params_text_config", fmt(breakdown_text["total"]))
glue("arch_total_params_paper", fmt(audit.PAPER_COUNTS["total"]))
glue("arch_backbone_params", fmt(breakdown_match["backbone"]))
glue("arch_backbone_params_paper", fmt(audit.PAPER_COUNTS["backbone"]))
glue("arch_backbone_gap", fmt(audit.PAPER_COUNTS["backbone"] - breakdown_match["backbone"]))
glue("arch_parts_sum_paper", fmt(stated_sum))
glue("arch_parts_sum_gap", fmt(stated_sum - audit.PAPER_COUNTS["total"]))
glue("arch_attention_params", fmt(breakdown_match["attention_pool"]))
glue("arch_attention_params_paper", fmt(audit.PAPER_COUNTS["attention_pool"]))
glue("arch_attention_gap", fmt(audit.PAPER_COUNTS["attention_pool"] - breakdown_match["attention_pool"]))
glue("arch_head_params", fmt(breakdown_match["head"]))
glue("arch_backbone_share", f"{100 * breakdown_match['backbone'] / breakdown_match['total']:.1f}%")
glue("arch_backbone_share_paper",
     f"{100 * audit.PAPER_COUNTS['backbone'] / audit.PAPER_COUNTS['total']:.1f}%")
glue("arch_backbone_k3",
     fmt(audit.backbone_params(audit.CountConfig(kernel_size=3, stem_kernel=7))))
table

# %% [markdown]
# Which choices could the paper's numbers come from? We search every combination of stem
# kernel (3-15), block kernel (3-9), SE reduction (4, 8, 16), convolution and SE biases,
# with or without batch normalisation, and shortcut kernel (1, 3, 7).

# %%
grid = audit.search_configurations()
grid["backbone gap"] = grid["backbone"] - audit.PAPER_COUNTS["backbone"]
closest = grid.loc[grid["backbone gap"].abs().idxmin()]
glue("arch_n_configs", fmt(len(grid)))
glue("arch_n_configs_total", fmt(int(grid["matches_total"].sum())))
glue("arch_n_configs_backbone", fmt(int(grid["matches_backbone"].sum())))
glue("arch_closest_backbone", fmt(int(closest["backbone"])))
glue("arch_closest_backbone_gap", fmt(int(abs(closest["backbone gap"]))))
display(Markdown(f"{len(grid):,} configurations searched; "
                 f"{int(grid['matches_total'].sum())} reproduce the stated total, "
                 f"{int(grid['matches_backbone'].sum())} the stated backbone."))
pd.concat([grid[grid["matches_total"]], grid.loc[[closest.name]]]).drop(columns="attn_hidden")

# %% [markdown]
# ## Is the paper consistent with itself?
#
# Beyond the parameter counts, the paper's numbers can be checked against each other:
# input widths against feature lists, the "best configuration" against Table 3, Table 4
# against the per-class Table 6, and the text against Table 5. Disagreements are
# collected on the Errata page.

# %%
checks = audit.paper_checks().astype({"paper": str, "computed": str})
for key, row in checks.iterrows():
    glue(f"arch_check_{key}", row["computed"])
glue("arch_n_checks", str(len(checks)))
glue("arch_n_checks_failed", str(int((~checks["agrees"]).sum())))
checks

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

# %%
for name in ("multiscale_se", "cnn_gru", "cnn_att_bigru", "rescnn_bigru"):
    module = importlib.import_module(MODELS[name][0])
    display(Markdown(f"### `{name}`\n\n" + module.__doc__.strip()))
