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
# # Squeeze-and-excitation
#
# Every residual block of SE-ResNet18-1D ends with a squeeze-and-excitation (SE) gate
# {cite:p}`hu2018`. The block's output has C channels, each a time series. The *squeeze*
# averages each channel over time, leaving C numbers that summarise what the block found
# in this recording. The *excitation* passes them through a small bottleneck (C to C/16,
# ReLU, back to C) and a sigmoid, giving one weight between 0 and 1 per channel. The
# channels are then multiplied by their weights before the residual addition. The gate
# therefore depends on the whole recording: a channel that responds to, say, irregular
# beat spacing can be turned up on recordings where that pattern is present and turned
# down elsewhere. It costs little: 2C²/16 weights per block, which for the network read
# here is {glue:text}`se_param_share:s` of its parameters.
#
# **On this page you will learn** how one recording passes through the gates of the
# trained signal-only network of experiment 1, whether its gates differ between rhythm
# classes, and whether they moved at all from where an untrained network's gates sit.
#
# The network read first is experiment 1 of the **reference edition**, trained once on a
# synthetic twin of the database's size; its weights are committed with the book. **This
# build**'s own experiment 1, the small demo, is read beside it. Both networks read the
# same test records: those of this build's twin, drawn by the same generator as the
# reference edition's, each normalised with the statistics of its own network's training
# split. Everything here is synthetic; nothing is trained on this page.

# %% tags=["hide-input"]
import torch

from ecgpaper.constants import CLASSES
from ecgpaper.evaluation import inside_networks as inside
from ecgpaper.evaluation import se_results as se
from ecgpaper.models.registry import build_model, load_checkpoint
from ecgpaper.models.se import gates_by_record
from ecgpaper.notebook import glue, setup, show_figure, show_table
from ecgpaper.plots import attention as pa
from ecgpaper.plots.ecg import plot_ecg
from ecgpaper.reference import editions
from ecgpaper.workspace import ensure_store

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}
max_records = 400          # test recordings used for the class distributions

# %% tags=["hide-input"]
settings = setup(profile, overrides, banner=False)
shown = editions(settings, needs=("1",))
labels = {e.key: e.label for e in shown}
found = inside.committed_weights(shown, "1")
networks = {w.edition.key: load_checkpoint(w.path) for w in found}
main_key = found[0].edition.key
model, extra = networks[main_key]
glue("se_main_label", labels[main_key])
se_parameters, all_parameters = se.se_share(model)
glue("se_param_share", f"{100 * se_parameters / all_parameters:.1f} %")

# %% [markdown]
# ```{note}
# **Synthetic data.** Every number on this page comes from synthetic twins of the
# Chapman–Shaoxing database, none from real ECGs. The network read first is experiment 1,
# {glue:text}`se_main_label` (where no reference edition is committed, this build's
# network stands in for it).
# ```
#
# ## The network
#
# The settings of the network whose gates are read first, and how many of its weights
# sit in the SE gates. The share depends only on the channel widths of the blocks, not
# on the training: a trained and an untrained network of one architecture share it.

# %% tags=["hide-input"]
show_table(se.model_table(model, int(extra["fs"])), f"The network whose gates this "
           f"chapter reads first: experiment 1, {labels[main_key]}.", "tbl-se-model",
           presented=True)

# %% [markdown]
# ## One recording through the gates
#
# The first test recording, as the network sees it: the store's signal, averaged down to
# the model's sampling rate and standardised per lead with the network's training-split
# statistics.

# %% tags=["hide-input"]
store = ensure_store(settings, progress=False)
inputs = {k: inside.test_inputs(store, networks[k][1], max_records) for k in networks}
signals, classes, rows = inputs[main_key]
show_figure(plot_ecg(store.signal(int(rows[0])), store.fs), "fig-se-example",
            "The recording followed through the gates, in the clinical layout.")
glue("se_example_record", str(store.index["record_id"].iloc[int(rows[0])]))
glue("se_example_class", CLASSES[int(classes[0])])

# %% [markdown]
# The recording is {glue:text}`se_example_record` (true rhythm
# {glue:text}`se_example_class`). {numref}`fig-se-mechanism` shows the squeeze and the excitation of the first
# block of stage 2, channels sorted by gate. The gate is not a copy of the channel mean:
# the bottleneck mixes all channels, so a channel's weight depends on what the others
# report.

# %% tags=["hide-input"]
first_gates = gates_by_record(model, signals[:1])
descriptors = pa.squeeze_descriptors(model, signals[:1])
block = "backbone.layer2.0.se"
show_figure(pa.plot_se_mechanism(descriptors[block], first_gates[block][0]),
            "fig-se-mechanism", f"Squeeze (channel means over time, top) and excitation "
            f"(gates, bottom) of block {block.replace('backbone.', '')} for this recording.")

# %% [markdown]
# Across the eight blocks ({numref}`fig-se-blocks`), the sorted gates show how selective
# each block is for this recording: a flat curve rescales all channels alike, a steep one
# picks a few.

# %% tags=["hide-input"]
show_figure(pa.plot_gates_per_block(first_gates), "fig-se-blocks",
            "Sorted gate values of every SE block for the same recording.")

# %% [markdown]
# ## Do the gates depend on the rhythm?
#
# For up to {glue:text}`se_main_n_records` test recordings we summarise each block's
# gates per recording by their mean (how much the block lets through overall) and their
# standard deviation across channels (how selective it is), and compare the classes.
# If the gates depended on the rhythm, the distributions of one block would sit at
# different heights for different classes; if they do not, the boxes of a block line up
# and the table's rows are nearly constant.

# %% tags=["hide-input"]
gates = {k: gates_by_record(networks[k][0], inputs[k][0]) for k in networks}
frame = se.gate_frame(gates[main_key], classes)
show_figure(pa.plot_gate_distributions(frame, "gate spread (sd)"), "fig-se-distributions",
            f"Per-recording spread of the gates across channels, by class, for each of the "
            f"eight blocks, {labels[main_key]}.")
show_table(se.spread_table(frame), f"Median per-recording gate spread by block and class, "
           f"{labels[main_key]} (recordings per class in brackets).", "tbl-se-spread")

# %% [markdown]
# Which channels of the last block does each class turn up or down?
# {numref}`fig-se-heatmap` shows the class mean gate minus the mean over all recordings,
# for the 40 channels whose class means differ most.

# %% tags=["hide-input"]
last_block = list(gates[main_key])[-1]
shift = se.class_shift(gates[main_key][last_block], classes)
top_channels = shift.std(0).sort_values(ascending=False).index[:40]
show_figure(pa.plot_class_channel_heatmap(shift[top_channels]), "fig-se-heatmap",
            f"Class mean gate minus overall mean in block "
            f"{last_block.replace('backbone.', '')}, {labels[main_key]}, for the 40 most "
            f"class-dependent channels.")

# %% [markdown]
# ## What the networks learned
#
# A sigmoid gate whose input is near zero outputs 0.5, and so does every gate of a
# network whose SE blocks learned nothing. The yardstick is therefore an untrained
# network of the same architecture, with random weights, read on the same recordings.
# We say a network's gates are *about 0.5 and flat* when their mean lies within
# {glue:text}`se_half_tolerance` of 0.5 and the standard deviation of a block's gates
# over its channels and recordings, averaged over the blocks, is below
# {glue:text}`se_flat_spread`: its SE blocks then rescale every channel alike on every
# recording. (A gate that differs between blocks but is constant within each is no
# selection either: the batch normalisation before it could absorb it.)

# %% tags=["hide-input"]
_ = torch.manual_seed(settings.seed)
untrained = build_model(model.config).eval()
gates["untrained"] = gates_by_record(untrained, signals)
summaries = {k: se.gate_summary(g, inputs.get(k, inputs[main_key])[1])
             for k, g in gates.items()}
names = {**labels, "untrained": "untrained network (random weights)"}
show_table(se.summaries_table({names[k]: s for k, s in summaries.items()}),
           "Gates of experiment 1's networks and of an untrained network of the same "
           "architecture, on this build's test records (0–1 scale).", "tbl-se-summary",
           presented=True, wide=True)

# %% tags=["hide-input"]
for key, prefix in ((main_key, "main"), ("build", "build"), ("untrained", "untrained")):
    for name, value in se.glue_values(summaries[key]).items():
        glue(f"se_{prefix}_{name}", value)
for name, value in se.constants().items():
    glue(f"se_{name}", value)

# %% [markdown]
# In the network read first, the gates average {glue:text}`se_main_mean`, and within a
# block they spread with a standard deviation of {glue:text}`se_main_spread` (median
# per-recording spread across channels {glue:text}`se_main_record_spread`); the largest
# shift of a channel's class mean in the last block is
# {glue:text}`se_main_class_shift` on the 0–1 scale. They are **{glue:text}`se_main_verdict`**: its SE blocks
# {glue:text}`se_main_learned`. The untrained network's gates average
# {glue:text}`se_untrained_mean` with a spread of {glue:text}`se_untrained_spread`. This
# build's own experiment 1 has gates averaging {glue:text}`se_build_mean` (spread
# {glue:text}`se_build_spread`): {glue:text}`se_build_verdict`.
#
# ## What the gates can and cannot tell
#
# Gates that moved away from 0.5 show that the SE blocks do something on these
# recordings; they do not show that what they do helps. Whether SE improves the
# classification is a question for a controlled comparison: the same network trained
# with and without its SE modules and scored on the same test records. The
# {doc}`Ablations chapter </executed/ablations>` makes that comparison, as a paired
# difference with a 95 % interval. Conversely, gates that stay at about 0.5 on every
# channel and recording multiply each block's residual branch by a constant, which the
# batch normalisation before the gate could absorb: such a network computes nearly what
# the plain ResNet of that ablation computes.
#
# ## Recap
#
# - An SE gate rescales each channel by a weight computed from the whole recording; the
#   share of parameters it costs is computed above for the network read here.
# - Whether the gates differ between rhythms is a property of the trained network, read
#   against an untrained network of the same architecture: gates that still average
#   about 0.5 with little spread mean the SE blocks learned no channel selection.
