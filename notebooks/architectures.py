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
# four related designs are built and counted here; the
# {doc}`Baselines chapter </executed/baselines>` trains them on the same task and
# sets their results beside the paper's networks.
#
# **On this page you will learn** how a squeeze-and-excitation gate rescales the channels
# of a feature map, how a 12-lead recording travels through SE-ResNet18-1D and where its
# metadata join it, how one shared single-lead backbone lets UniversalECGNet read any set
# of leads, where the parameters and the compute sit, and which of the paper's stated
# parameter counts its own description reproduces.
#
# **How the diagrams are made.** The three network diagrams below are not drawings made by
# hand: the code that draws them (`ecgpaper.plots.diagrams`) instantiates each network and
# reads its layers, channel widths, kernel sizes, strides and parameter counts off the
# torch modules. If the model code changes, the diagrams change with it. The numbers in
# the boxes are for the paper's configuration: full width (64 to 512 channels), kernel 7,
# 12 leads of 10 s at 500 Hz.

# %% tags=["hide-input"]
import pandas as pd
import torch

from ecgpaper.models.registry import build_model, n_parameters
from ecgpaper.models.resnet1d import SEResNetConfig
from ecgpaper.models.se import SEModule1d
from ecgpaper.models.universal import UniversalConfig
from ecgpaper.notebook import glue, say, setup, show_figure, show_table
from ecgpaper.plots import diagrams

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides, banner=False)
_ = torch.manual_seed(settings.seed)

# %% [markdown]
# ## The squeeze-and-excitation gate
#
# A convolution layer treats its output channels the same way for every recording: each
# channel is one learned filter, and nothing in the layer decides that, for this
# particular ECG, the filter that responds to fibrillatory waves matters more than the one
# that responds to a sharp QRS. A squeeze-and-excitation (SE) gate {cite:p}`hu2018` adds
# that decision. It *squeezes* each channel to a single number (its mean over time), feeds
# those numbers through a small bottleneck network (*excitation*), and turns the result
# into one gate between 0 and 1 per channel with a sigmoid. The feature map is then
# multiplied channel by channel with its gates: a channel with gate 0.1 is nearly switched
# off for this recording, one with gate 0.9 passes almost unchanged.
#
# In SE-ResNet18-1D every basic block carries such a gate, after its second batch
# normalisation and before the shortcut is added ({numref}`fig-arch-se-block`, top). The
# block drawn is the first block of stage 2: it receives
# {glue:text}`arch_se_block_in` channels, halves the time axis with stride 2 and
# produces {glue:text}`arch_se_block_channels` channels. Its gate squeezes to
# {glue:text}`arch_se_block_channels` numbers, narrows them to
# {glue:text}`arch_se_block_hidden` (a reduction of {glue:text}`arch_se_reduction`) and
# widens back; the two 1×1 convolutions hold {glue:text}`arch_se_block_params` weights.
# Over all eight blocks the gates hold {glue:text}`arch_se_all_params` parameters, only
# {glue:text}`arch_se_all_share` of the network: attention of this kind is cheap. What the
# gates of a trained network actually do is the subject of the
# {doc}`Squeeze-and-excitation chapter </executed/se_attention>`.

# %% tags=["hide-input"]
se_paper = build_model(SEResNetConfig())
block = se_paper.backbone.layer2[0]
se_weights = sum(diagrams.n_params(m) for m in se_paper.modules() if isinstance(m, SEModule1d))
glue("arch_se_block_in", block.conv1.in_channels)
glue("arch_se_block_channels", block.se.fc1.in_channels)
glue("arch_se_block_hidden", block.se.fc1.out_channels)
glue("arch_se_reduction", se_paper.config.reduction)
glue("arch_se_block_params", f"{diagrams.n_params(block.se):,}")
glue("arch_se_all_params", f"{se_weights:,}")
glue("arch_se_all_share", f"{100 * se_weights / n_parameters(se_paper):.1f} %")

# %% [markdown]
# To read the lower half of the figure, start at *input x*, the output of the block's
# second batch normalisation. The straight arrow to the right carries the feature map
# unchanged to the multiplication. The detour below computes the gates: the squeeze
# leaves one number per channel, the first 1×1 convolution (a linear layer applied to
# that vector) compresses the channels, the second expands them again, and the sigmoid
# maps each of the results into (0, 1). The multiplication applies gate *c* to every
# time step of channel *c*, so the gate changes how loud a channel is, never where in
# time it responds.

# %% tags=["hide-input"]
show_figure(diagrams.se_block_figure(block), "fig-arch-se-block",
            "The squeeze-and-excitation gate, drawn from the first basic block of stage 2 of "
            "SE-ResNet18-1D. Top: the basic block (k7/2 = kernel 7, stride 2; the shortcut "
            "adds the block's input, through a strided 1×1 convolution where the shape "
            "changes). Bottom: the gate; T is the number of time steps at this depth.")

# %% [markdown]
# ## SE-ResNet18-1D with the metadata branch
#
# {numref}`fig-arch-seresnet` follows one recording through the network of the paper's
# experiment 2 from top to bottom. The 12 leads enter as 12 channels. The stem's
# convolution (stride 2) and max-pooling (stride 2) shorten the time axis four-fold, to
# {glue:text}`arch_len_stem` steps, before any residual block runs; stages 2 to 4 each
# halve it again while doubling the channels, so that stage 4 works on
# {glue:text}`arch_len_stage4` steps of {glue:text}`arch_signal_features` channels. The
# global average pool then removes time altogether: whatever the length of the
# recording, the signal side ends in {glue:text}`arch_signal_features` numbers.
#
# The metadata branch on the right is a one-layer MLP that turns the clinical inputs
# (14 in experiment 2; other experiments add NeuroKit2 features or keep only age and sex)
# into {glue:text}`arch_meta_width` numbers, at a cost of
# {glue:text}`arch_meta_branch_params` parameters. The two vectors are concatenated into
# {glue:text}`arch_fused_width` numbers, and one linear layer turns them into a score for
# each of the 8 rhythms.
#
# The parameter counts in the boxes show where the network's capacity sits. A
# convolution's weights grow with its input channels times its output channels times its
# kernel, so each stage costs about four times the one before: stage 1 holds
# {glue:text}`arch_stage1_params` parameters, stage 4 {glue:text}`arch_stage4_params`,
# which is {glue:text}`arch_stage4_share` of the whole network.
#
# What the figure does not show is inside each stage: every basic block adds its input
# to its output (the shortcut of {numref}`fig-arch-se-block`), so a block only has to
# learn a correction to what it receives. This is what lets eighteen layers train as
# easily as a few {cite:p}`he2016`; where a block changes the number of channels or the
# length, a strided 1×1 convolution brings the shortcut to the same shape.

# %% tags=["hide-input"]
se_meta = build_model(SEResNetConfig(n_meta=14))
stages = {s.label: s for s in diagrams.model_stages(se_meta, length=5000)}
glue("arch_len_stem", stages["stem"].length)
glue("arch_len_stage4", stages["stage 4"].length)
glue("arch_signal_features", se_meta.backbone.feature_dim)
glue("arch_meta_width", stages["metadata MLP"].channels)
glue("arch_meta_branch_params", f"{stages['metadata MLP'].params:,}")
glue("arch_fused_width", stages["concatenate"].channels)
glue("arch_stage1_params", f"{stages['stage 1'].params:,}")
glue("arch_stage4_params", f"{stages['stage 4'].params:,}")
glue("arch_stage4_share", f"{100 * stages['stage 4'].params / n_parameters(se_meta):.0f} %")

# %% [markdown]
# The boxes of the figure are the list that `diagrams.model_stages(se_meta)` returns; in
# Jupyter, print it to see every stage with its detail, shape and parameter count, or
# change the configuration (a smaller `width`, another `kernel_size`) and draw the
# figure again to see what the change does to each stage.

# %% tags=["hide-input"]
show_figure(diagrams.seresnet_figure(se_meta, 5000), "fig-arch-seresnet",
            "SE-ResNet18-1D with the metadata branch (experiment 2: 14 clinical inputs), "
            "at the paper's width and 10 s at 500 Hz. Each box gives the output shape "
            "(channels × time steps) and the parameters of that part.")

# %% [markdown]
# ## SE-ResNet18-1D, layer by layer
#
# The same network without the metadata branch, as a table with the compute added. In
# the paper's configuration (12 leads of 5000 samples, stem kernel 7, block kernel 7,
# full width) it has {glue:text}`arch_se_params` parameters and needs
# {glue:text}`arch_se_gflop_500` GFLOP per recording. The stem and the four stages hold
# all of the compute; the classifier's cost is negligible.

# %% tags=["hide-input"]
from ecgpaper.models.flops import count_flops, layer_table  # noqa: E402

se_layers = layer_table(se_paper, torch.randn(1, 12, 5000))
glue("arch_se_params", f"{n_parameters(se_paper):,}")
glue("arch_se_gflop_500", f"{se_layers['MFLOP'].sum() / 1e3:.2f}")
show_table(diagrams.readable_layers(se_layers), "SE-ResNet18-1D at the paper's size "
           "(12 leads × 5,000 samples): output shape (batch × channels × time steps), "
           "parameters and forward MFLOP per part.", "tbl-arch-se-layers", digits=1)

# %% [markdown]
# With the metadata branch (SE-ResNet18-Meta) only the MLP and the wider head are added;
# the input width of the branch is what changes between the experiments. The widths
# below are the ones this project trains where they are fixed (experiments 2, 3 and 5);
# experiments 4 and 6 add as many inputs as the Features chapter's fallback filter
# keeps.

# %% tags=["hide-input"]
base_parameters = n_parameters(build_model(SEResNetConfig(n_meta=0)))
meta_rows = []
for n_meta, label in [(0, "1: signal only"), (14, "2: + 14 metadata"),
                      (14 + 28, "3: + all 28 NeuroKit2"), (3, "5: + age and gender")]:
    parameters = n_parameters(build_model(SEResNetConfig(n_meta=n_meta)))
    meta_rows.append({"experiment": label, "MLP inputs": n_meta, "parameters": parameters,
                      "added to experiment 1": parameters - base_parameters})
show_table(pd.DataFrame(meta_rows), "SE-ResNet18-1D with the metadata branch at the "
           "paper's width, for the MLP input widths this project trains.", "tbl-arch-meta")

# %% [markdown]
# Each further input costs {glue:text}`arch_params_per_input` parameters: one weight for
# each hidden unit of the MLP. Even the widest branch adds less than a thousandth to the
# network, so any difference between the experiments comes from what the inputs say,
# not from extra capacity.

# %% tags=["hide-input"]
per_input = (n_parameters(build_model(SEResNetConfig(n_meta=15)))
             - n_parameters(build_model(SEResNetConfig(n_meta=14))))
glue("arch_params_per_input", per_input)

# %% [markdown]
# ## UniversalECGNet
#
# The 12-channel network above needs all 12 leads, in a fixed order. UniversalECGNet
# drops that requirement ({numref}`fig-arch-universal`). Each lead that is present goes
# *on its own* through one single-lead SE-ResNet18 backbone: a network with one input
# channel instead of twelve, whose weights are shared by all leads, so lead I and lead V1
# are read by the very same filters. Each pass ends in
# {glue:text}`arch_uni_feature_dim` numbers for that lead.
#
# Because the backbone no longer knows which lead it read, a learned *lead embedding*
# tells the rest of the network: each of the 12 lead names owns a row of
# {glue:text}`arch_uni_lead_dim` numbers, which is appended to that lead's features, and a
# projection maps the combination back to {glue:text}`arch_uni_feature_dim` numbers.
# *Attention pooling* then gives every present lead a score (a small two-layer network
# applied to each lead's vector), turns the scores into weights that sum to 1 with a
# softmax, and adds the lead vectors with these weights. Absent leads get a score of
# −∞ before the softmax, hence a weight of exactly 0, and the backbone is not even run
# on them. The result has the same size for one lead as for twelve, and one classifier
# serves every lead set.
#
# Nearly all of the parameters are in the shared backbone
# ({glue:text}`arch_uni_backbone` of {glue:text}`arch_uni_params`); the lead embedding
# holds {glue:text}`arch_uni_embedding`, the projection {glue:text}`arch_uni_projection`
# and the attention pooling {glue:text}`arch_uni_pool`. The price is compute, not
# parameters: the backbone runs once per lead.

# %% tags=["hide-input"]
universal = build_model(UniversalConfig())
parts = {s.label: s.params for s in diagrams.model_stages(universal, length=5000)}
glue("arch_uni_feature_dim", universal.backbone.feature_dim)
glue("arch_uni_lead_dim", universal.config.lead_dim)
for key, value in [("arch_uni_params", n_parameters(universal)),
                   ("arch_uni_backbone", diagrams.n_params(universal.backbone)),
                   ("arch_uni_embedding", parts["lead embedding"]),
                   ("arch_uni_projection", parts["projection"]),
                   ("arch_uni_pool", parts["attention pooling"])]:
    glue(key, f"{value:,}")

# %% [markdown]
# Two details of the implementation are worth knowing when reading the figure. The
# backbone is run only on the leads that are present; in evaluation mode this gives
# exactly the output that running zero-filled absent leads through it would give, since
# the pooling weights them 0, and it saves their compute. And because a lead's features
# do not depend on the other leads, one backbone pass per lead serves every subset of
# those leads: the evaluation behind the
# {doc}`UniversalECGNet chapter </executed/universal>` scores every lead set of the test
# recordings from one pass per lead.

# %% tags=["hide-input"]
show_figure(diagrams.universal_figure(universal, 5000, ("I", "II", "V1")),
            "fig-arch-universal", "UniversalECGNet reading three leads (I, II and V1) at "
            "the paper's width: one backbone, applied to each present lead; the nine absent "
            "leads are masked out of the attention pooling and never computed.")

# %% [markdown]
# In Jupyter, pass another tuple of lead names as the last argument of
# `diagrams.universal_figure` (for example `("II",)` for a single lead) and draw it
# again: the backbone, the projection and the pooling stay exactly the same network, only
# the number of lead columns feeding them changes.

# %% [markdown]
# The table lists the same parts at this profile's width and sampling rate, for 12
# leads of 10 s. The backbone rows have one entry per lead in the first dimension of the
# output shape (12 leads × channels × time steps): the same weights, run twelve times.

# %% tags=["hide-input"]
uni_profile = build_model(UniversalConfig(width=settings.width, kernel_size=settings.kernel_size,
                                          stem_kernel=settings.stem_kernel))
leads = (torch.randn(1, 12, 10 * settings.fs), torch.arange(12)[None],
         torch.ones(1, 12, dtype=torch.bool))
show_table(diagrams.readable_layers(layer_table(uni_profile, *leads)),
           f"UniversalECGNet at this profile's width ({settings.width:g}) and {settings.fs} Hz: "
           "output shape, parameters and forward MFLOP per part.",
           "tbl-arch-universal-layers", digits=2)

# %% [markdown]
# ## Every model: parameters and FLOPs
#
# Paper widths at 500 Hz (5000 samples) and 100 Hz (1000 samples), per recording. The
# universal model pays for its flexibility: twelve single-lead passes through a
# full-width backbone cost about twelve times the 12-channel network, here
# {glue:text}`arch_universal_gflop_500` GFLOP per 12-lead recording at 500 Hz. Speed on
# this machine is measured in the performance chapter (`ecgpaper bench models`).
#
# Where the compute comes from: a 1-D convolution with C_in input channels, C_out output
# channels and kernel k does C_in × k × C_out multiply-accumulates for every output time
# step. Halving the time axis while doubling both channel counts therefore doubles the
# cost per stage, which is why stage 4 needs the most compute even though it runs on the
# fewest time steps.

# %% tags=["hide-input"]
from ecgpaper.benchmarks.models import model_zoo  # noqa: E402

rows = []
for fs, T in ((500, 5000), (100, 1000)):
    for name, (cfg, make) in model_zoo(1.0, fs).items():
        m = build_model(cfg)
        rows.append({"model": name, "rate": f"{fs} Hz", "parameters": n_parameters(m),
                     "GFLOP per recording": count_flops(m, *make(1, T)) / 1e9})
rows = pd.DataFrame(rows)

# %% tags=["hide-input"]
costs = rows[rows["rate"] == "500 Hz"][["model", "parameters"]].reset_index(drop=True)
for rate in ("500 Hz", "100 Hz"):
    costs[f"GFLOP at {rate}"] = rows[rows["rate"] == rate]["GFLOP per recording"].to_numpy()
universal_row = costs["model"].str.startswith("Universal")
glue("arch_universal_gflop_500", f"{costs.loc[universal_row, 'GFLOP at 500 Hz'].iloc[0]:.1f}")
show_table(costs, "Parameters and forward GFLOP per recording of every network, at the "
           "paper's widths.", "tbl-arch-costs")

# %% [markdown]
# ## Parameter audit
#
# The paper states five counts for UniversalECGNet. We count the same components for the
# configuration its text describes (stem kernel 7, block kernel 7, batch normalisation
# after every convolution, no convolution biases, SE without biases) and for the one
# that reproduces its stated total (the same with a stem kernel of 15). The counts are
# computed in closed form by `ecgpaper.models.audit` and checked against the real
# modules.

# %% tags=["hide-input"]
from ecgpaper import paper  # noqa: E402
from ecgpaper.models import audit  # noqa: E402
from ecgpaper.report import label, present  # noqa: E402

stated = paper.PARAMETER_COUNTS
breakdown_text = audit.universal_breakdown(audit.CountConfig(stem_kernel=7))
breakdown_match = audit.universal_breakdown(audit.CountConfig(stem_kernel=15))
stated_sum = sum(stated[k] for k in ("backbone", "lead_embedding", "projection",
                                     "attention_pool"))
# the same counts from the real modules, as a cross-check of the closed form
assert n_parameters(build_model(UniversalConfig(stem_kernel=15))) == breakdown_match["total"]
assert n_parameters(build_model(UniversalConfig(stem_kernel=7))) == breakdown_text["total"]

# %% [markdown]
# The paper's stated total is {glue:text}`arch_total_params_paper`. The configuration its
# text describes has {glue:text}`arch_total_params_text_config` parameters; with a stem
# kernel of 15 instead of 7 the count becomes {glue:text}`arch_total_params_paper_config`,
# the stated total exactly. The stated parts do not agree with that total, though: the
# backbone, lead embedding, projection and attention pooling it lists add up to
# {glue:text}`arch_parts_sum_paper`, {glue:text}`arch_parts_sum_gap` more than the
# total. Part by part, the stated backbone ({glue:text}`arch_backbone_params_paper`) is
# {glue:text}`arch_backbone_gap` larger than ours ({glue:text}`arch_backbone_params`),
# and the stated attention pooling ({glue:text}`arch_attention_params_paper`) is
# {glue:text}`arch_attention_gap` larger than ours ({glue:text}`arch_attention_params`).
# The backbone's share of the total is {glue:text}`arch_backbone_share` in our count and
# {glue:text}`arch_backbone_share_paper` in the paper's; with a block kernel of 3 instead
# of 7 the backbone alone would shrink to {glue:text}`arch_backbone_k3`.
#
# Why the stem kernel settles the total: the single-lead backbone's first convolution has
# one input channel and 64 filters, so every extra tap of its kernel adds 64 weights, and
# going from 7 taps to 15 adds {glue:text}`arch_stem_step`. Nothing else in the network
# changes in such a small, regular step, which makes the stem the natural suspect when
# the network as described misses the stated total by a multiple of 64.

# %% tags=["hide-input"]
for key, value in [
        ("total_params_paper_config", breakdown_match["total"]),
        ("total_params_text_config", breakdown_text["total"]),
        ("stem_step", breakdown_match["total"] - breakdown_text["total"]),
        ("total_params_paper", stated["total"]), ("parts_sum_paper", stated_sum),
        ("parts_sum_gap", stated_sum - stated["total"]),
        ("backbone_params", breakdown_match["backbone"]),
        ("backbone_params_paper", stated["backbone"]),
        ("backbone_gap", stated["backbone"] - breakdown_match["backbone"]),
        ("backbone_k3", audit.backbone_params(audit.CountConfig(kernel_size=3, stem_kernel=7)))]:
    glue(f"arch_{key}", f"{value:,}")

# %% tags=["hide-input"]
for key, value in [("attention_params", breakdown_match["attention_pool"]),
                   ("attention_params_paper", stated["attention_pool"]),
                   ("attention_gap", stated["attention_pool"] - breakdown_match["attention_pool"]),
                   ("head_params", breakdown_match["head"])]:
    glue(f"arch_{key}", f"{value:,}")
glue("arch_backbone_share", f"{100 * breakdown_match['backbone'] / breakdown_match['total']:.1f}%")
glue("arch_backbone_share_paper", f"{100 * stated['backbone'] / stated['total']:.1f}%")
audit_table = audit.audit_table()
show_table(audit_table.assign(component=audit_table["component"].map(label)),
           "The paper's stated parameter counts for UniversalECGNet beside our counts for "
           "two configurations.", "tbl-arch-audit")

# %% [markdown]
# Which choices could the paper's numbers come from? We search every combination of stem
# kernel (3-15), block kernel (3-9), SE reduction (4, 8, 16), convolution and SE biases,
# with or without batch normalisation, and shortcut kernel (1, 3, 7):
# {glue:text}`arch_n_configs` configurations. The number of them that reproduce the
# stated total is {glue:text}`arch_n_configs_total`, the number that reproduce the
# stated backbone {glue:text}`arch_n_configs_backbone`; the closest backbone, {glue:text}`arch_closest_backbone`, still misses it by
# {glue:text}`arch_closest_backbone_gap`. The table shows those configurations side by
# side, one column each: the settings first, then the counts they give and whether they
# meet the paper's figures.

# %% tags=["hide-input"]
grid = audit.search_configurations()
grid["backbone gap"] = grid["backbone"] - stated["backbone"]
closest = grid.loc[grid["backbone gap"].abs().idxmin()]
n_total = int(grid["matches_total"].sum())
for key, value in [("n_configs", len(grid)), ("n_configs_total", n_total),
                   ("n_configs_backbone", int(grid["matches_backbone"].sum())),
                   ("closest_backbone", int(closest["backbone"])),
                   ("closest_backbone_gap", int(abs(closest["backbone gap"])))]:
    glue(f"arch_{key}", f"{value:,}")

# %% tags=["hide-input"]
candidates = pd.concat([grid[grid["matches_total"]], grid.loc[[closest.name]]])
names = {"kernel_size": "block kernel", "reduction": "SE reduction", "conv_bias":
         "convolution biases", "se_bias": "SE biases", "batchnorm": "batch normalisation",
         "backbone": "backbone parameters", "total": "total parameters", "matches_backbone":
         "gives the stated backbone", "matches_total": "gives the stated total",
         "backbone gap": "backbone minus stated"}
shown = present(candidates.drop(columns="attn_hidden"), labels=names, keep_index=False).T
shown.columns = [f"reproduces the total ({i + 1})" for i in range(n_total)] \
    + ["closest to the stated backbone"]
show_table(shown.rename_axis("setting").reset_index(), "The configurations that reproduce "
           "the stated total, and the one closest to the stated backbone (one column each).",
           "tbl-arch-search", presented=True)

# %% [markdown]
# ## Is the paper consistent with itself?
#
# Beyond the parameter counts, the paper's numbers can be checked against each other:
# input widths against feature lists, the "best configuration" against Table 3, Table 4
# against the per-class Table 6, and the text against Table 5. Of the
# {glue:text}`arch_n_checks` checks below, {glue:text}`arch_n_checks_failed` fail; every
# disagreement is collected on the {doc}`Errata page </book/errata>`. Each row names the
# paper's figure, what we compute from the paper's own description or data, and whether
# the two agree.

# %% tags=["hide-input"]
checks = audit.paper_checks().astype({"paper": str, "computed": str})
for key, row in checks.iterrows():
    glue(f"arch_check_{key}", row["computed"])
glue("arch_n_checks", str(len(checks)))
glue("arch_n_checks_failed", str(int((~checks["agrees"]).sum())))
show_table(checks.reset_index(drop=True), "Internal consistency checks of the paper's "
           "numbers.", "tbl-arch-checks")

# %% [markdown]
# ## The related designs and the choices we made
#
# The four comparison networks are rebuilt from their papers; where a paper leaves a
# choice open (most of them are short challenge papers, two only abstracts), the module
# says what we chose. All four originally end in per-class sigmoids for multi-label
# challenge data; here each ends in 8 logits trained with the same softmax cross-entropy
# as SE-ResNet18, since every Chapman recording carries exactly one rhythm label. Each
# takes (batch, 12, T) at any length T. The descriptions below are the modules' own
# documentation; the {doc}`Baselines chapter </executed/baselines>` trains all four.

# %% tags=["hide-input"]
import importlib  # noqa: E402

from ecgpaper.models.registry import MODELS  # noqa: E402

for name in ("multiscale_se", "cnn_gru", "cnn_att_bigru", "rescnn_bigru"):
    say(f"**`{name}`.** " + importlib.import_module(MODELS[name][0]).__doc__.strip())

# %% [markdown]
# ## Recap
#
# - A squeeze-and-excitation gate rescales each channel by a weight computed from the
#   recording itself; in SE-ResNet18-1D the gates cost {glue:text}`arch_se_all_share` of
#   the parameters.
# - Stage 4 holds {glue:text}`arch_stage4_share` of SE-ResNet18-1D's parameters; the
#   metadata branch adds {glue:text}`arch_params_per_input` parameters per input.
# - UniversalECGNet reads any set of leads with one shared backbone, lead embeddings and
#   masked attention pooling; it costs about twelve times the 12-channel network per
#   recording.
# - The paper's stated parts of UniversalECGNet do not add up to its stated total; the
#   search above shows which choices reproduce the total.
