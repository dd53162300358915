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
# trained signal-only network of experiment 1, and whether the gates of that network
# differ between rhythm classes.

# %% tags=["hide-input"]
import numpy as np
import pandas as pd
import torch

from ecgpaper.constants import CLASSES
from ecgpaper.data.dataset import ECGDataset, channel_stats
from ecgpaper.workspace import ensure_store
from ecgpaper.models.registry import build_model, load_checkpoint, n_parameters
from ecgpaper.models.resnet1d import SEResNetConfig
from ecgpaper.models.se import SEModule1d, gates_by_record
from ecgpaper.notebook import glue, say, setup, show_figure, show_table
from ecgpaper.plots.attention import (plot_class_channel_heatmap, plot_gate_distributions,
                                      plot_gates_per_block, plot_se_mechanism,
                                      squeeze_descriptors)
from ecgpaper.plots.ecg import plot_ecg
from ecgpaper.training.artifacts import available, load_metrics

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}
max_records = 400          # test recordings used for the class distributions

# %% tags=["hide-input"]
settings = setup(profile, overrides)
_ = torch.manual_seed(settings.seed)

# %% [markdown]
# ## The model
#
# We read the trained signal-only network of experiment 1 when it exists. Without it the
# chapter still shows the mechanism, on a network with random weights, and says so: the
# gates of an untrained network carry no knowledge of rhythms.

# %% tags=["hide-input"]
checkpoint = settings.work_path / "experiments" / "1" / "best.pt"
trained = checkpoint.is_file()
if trained:
    model, extra = load_checkpoint(checkpoint)
    model_fs = int(extra.get("fs", settings.fs))
    epochs = load_metrics(settings, "1").get("epochs_run") if "1" in available(settings) else None
    source = (f"the trained network of experiment 1 (`{checkpoint.relative_to(settings.work_path)}`"
              + (f", {epochs} epoch(s) of training)" if epochs else ")"))
else:
    model = build_model(SEResNetConfig(width=settings.width, kernel_size=settings.kernel_size,
                                       stem_kernel=settings.stem_kernel)).eval()
    model_fs, epochs = settings.fs, None
    source = ("an **untrained** network (random weights; experiment 1 has not been run "
              "for this profile), so the gate values below illustrate the mechanism only")
say(f"Gates are read from {source}.")
se_parameters = sum(p.numel() for m in model.modules() if isinstance(m, SEModule1d)
                    for p in m.parameters())
glue("se_trained", "trained" if trained else "untrained")
glue("se_param_share", f"{100 * se_parameters / n_parameters(model):.1f} %")
model_table = pd.DataFrame({"": ["width", "block kernel", "sampling rate (Hz)", "parameters",
                                 "of which in SE gates"],
                            "value": [f"{model.config.width:g}", str(model.config.kernel_size),
                                      str(model_fs), f"{n_parameters(model):,}",
                                      f"{se_parameters:,} ({100 * se_parameters / n_parameters(model):.1f} %)"]})
show_table(model_table, "The network whose gates this chapter reads.", "tbl-se-model",
           presented=True)

# %% [markdown]
# ## One recording through the gates
#
# The first test recording, as the network sees it: the store's signal, averaged down to
# the model's sampling rate and standardised per lead with training-split statistics.

# %% tags=["hide-input"]
store = ensure_store(settings, progress=False)
downsample = store.fs // model_fs
mean, std = channel_stats(store, downsample=downsample)
test = ECGDataset(store, "test", downsample=downsample, channel_mean=mean, channel_std=std)
if len(test) == 0:
    test = ECGDataset(store, None, downsample=downsample, channel_mean=mean, channel_std=std)
first_signal, _, first_label = test[0]
first_row = int(test.rows[0])
example_class = CLASSES[int(first_label)]
show_figure(plot_ecg(store.signal(first_row), store.fs), "fig-se-example",
            f"The recording followed through the gates: "
            f"{store.index['record_id'].iloc[first_row]} ({example_class}).")

# %% [markdown]
# {numref}`fig-se-mechanism` shows the squeeze and the excitation of the first block of
# stage 2, channels sorted by gate. The gate is not a copy of the channel mean: the
# bottleneck mixes all channels, so a channel's weight depends on what the others
# report.

# %% tags=["hide-input"]
first_gates = gates_by_record(model, first_signal[None])
descriptors = squeeze_descriptors(model, first_signal[None])
block = "backbone.layer2.0.se"
show_figure(plot_se_mechanism(descriptors[block], first_gates[block][0]), "fig-se-mechanism",
            f"Squeeze (channel means over time, top) and excitation (gates, bottom) of "
            f"block {block.replace('backbone.', '')} for this recording.")

# %% [markdown]
# Across the eight blocks ({numref}`fig-se-blocks`), the sorted gates show how selective
# each block is for this recording: a flat curve rescales all channels alike, a steep one
# picks a few.

# %% tags=["hide-input"]
show_figure(plot_gates_per_block(first_gates), "fig-se-blocks",
            "Sorted gate values of every SE block for the same recording.")

# %% [markdown]
# ## Do the gates depend on the rhythm?
#
# For up to `max_records` test recordings we summarise each block's gates per recording
# by their mean (how much the block lets through overall) and their standard deviation
# across channels (how selective it is), and compare the classes.

# %% tags=["hide-input"]
n_records = min(len(test), max_records)
signals = torch.stack([test[i][0] for i in range(n_records)])
labels = np.array([int(test[i][2]) for i in range(n_records)])
meta = None if model.config.n_meta == 0 else torch.zeros(n_records, model.config.n_meta)
gates = gates_by_record(model, signals, meta=meta)
summary = pd.concat([pd.DataFrame({"block": name, "class": [CLASSES[k] for k in labels],
                                   "mean gate": g.mean(1), "gate spread (sd)": g.std(1)})
                     for name, g in gates.items()], ignore_index=True)
summary["class"] = pd.Categorical(summary["class"], categories=CLASSES, ordered=True)
summary = summary.sort_values(["class"], kind="stable")
summary["class"] = summary["class"].astype(str)
glue("se_n_records", f"{n_records:,}")
show_figure(plot_gate_distributions(summary, "gate spread (sd)"), "fig-se-distributions",
            f"Per-recording spread of the gates across channels, by class, for each of the "
            f"eight blocks ({n_records:,} test recordings).")

# %% tags=["hide-input"]
counts = pd.Series([CLASSES[k] for k in labels]).value_counts()
spread_table = (summary.groupby(["block", "class"], sort=False)["gate spread (sd)"].median()
                .unstack("class"))
spread_table = spread_table[[c for c in CLASSES if c in spread_table.columns]]
spread_table.columns = [f"{c} ({counts.get(c, 0)})" for c in spread_table.columns]
spread_table.index = [b.replace("backbone.", "") for b in spread_table.index]
show_table(spread_table.rename_axis("block"), "Median per-recording gate spread by block and "
           "class (recordings per class in brackets).", "tbl-se-spread")

# %% [markdown]
# Which channels of the last block does each class turn up or down?
# {numref}`fig-se-heatmap` shows the class mean gate minus the mean over all recordings,
# for the 40 channels whose class means differ most.

# %% tags=["hide-input"]
last_block = list(gates)[-1]
last_gates = pd.DataFrame(gates[last_block])
last_gates["class"] = [CLASSES[k] for k in labels]
by_class = last_gates.groupby("class").mean()
by_class = by_class.loc[[c for c in CLASSES if c in by_class.index]] - gates[last_block].mean(0)
top_channels = by_class.std(0).sort_values(ascending=False).index[:40]
show_figure(plot_class_channel_heatmap(by_class[top_channels]), "fig-se-heatmap",
            f"Class mean gate minus overall mean in block "
            f"{last_block.replace('backbone.', '')}, for the 40 most class-dependent channels.")
largest_shift = float(by_class.abs().to_numpy().max())
glue("se_max_class_shift", f"{largest_shift:.4f}")

# %% [markdown]
# ## What this network learned

# %% tags=["hide-input"]
all_gates = np.concatenate([g.ravel() for g in gates.values()])
overall_mean, overall_spread = float(all_gates.mean()), float(all_gates.std())
per_record_spread = float(summary["gate spread (sd)"].median())
glue("se_gate_mean", f"{overall_mean:.3f}")
glue("se_gate_spread", f"{overall_spread:.3f}")
if not trained:
    verdict = ("These are random weights: any difference between classes reflects only the "
               "input statistics, not learning.")
elif overall_spread < 0.02:
    verdict = (f"Its gates barely moved from their starting point: they sit at "
               f"{overall_mean:.3f} on average with a spread of {overall_spread:.3f}, and the "
               f"largest class shift in the last block is {largest_shift:.4f}. This network "
               f"({'after ' + str(epochs) + ' epoch(s)' if epochs else 'as trained'}) has "
               f"learned almost no channel selection; the figures above show the mechanism, "
               f"not a rhythm-specific attention.")
else:
    verdict = (f"Its gates average {overall_mean:.3f} with a spread of {overall_spread:.3f} "
               f"across all blocks, channels and recordings (median per-recording spread "
               f"{per_record_spread:.3f}); the largest class shift of a channel's mean gate in "
               f"the last block is {largest_shift:.4f} on a 0–1 scale.")
say(verdict)

# %% [markdown]
# ## Recap
#
# - An SE gate rescales each channel by a weight computed from the whole recording; the
#   share of parameters it costs is computed above for the network read here.
# - Whether the gates differ between rhythms is a property of the trained network: the
#   summary above says what this one learned.
