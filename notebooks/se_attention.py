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
# down elsewhere. It costs little: 2C²/16 weights per block, about 1.6 % of the
# network's parameters.
#
# This chapter follows one recording through the gates and then asks whether the gates of
# a trained network differ between rhythm classes.

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}
max_records = 400          # test recordings used for the class distributions

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import Markdown, display

from ecgpaper.constants import CLASSES
from ecgpaper.data.dataset import ECGDataset, channel_stats
from ecgpaper.data.workspace import ensure_store
from ecgpaper.models.registry import build_model, load_checkpoint, n_parameters
from ecgpaper.models.resnet1d import SEResNetConfig
from ecgpaper.models.se import SEModule1d, gates_by_record
from ecgpaper.notebook import glue, setup
from ecgpaper.plots.attention import (plot_class_channel_heatmap, plot_gate_distributions,
                                      plot_gates_per_block, plot_se_mechanism)
from ecgpaper.plots.ecg import plot_ecg

P = setup(profile, overrides)
_ = torch.manual_seed(P.seed)

# %% [markdown]
# ## The model
#
# We read the trained signal-only network of experiment 1 when it exists. Without it the
# chapter still shows the mechanism, on a network with random weights, and says so: the
# gates of an untrained network carry no knowledge of rhythms.

# %%
ckpt = P.work_path / "experiments" / "1" / "best.pt"
if ckpt.is_file():
    model, extra = load_checkpoint(ckpt)
    trained = True
    fs_model = int(extra.get("fs", P.fs))
    source = f"the trained network of experiment 1 (`{ckpt.relative_to(P.work_path)}`)"
else:
    model = build_model(SEResNetConfig(width=P.width, kernel_size=P.kernel_size,
                                       stem_kernel=P.stem_kernel)).eval()
    trained = False
    fs_model = P.fs
    source = ("an **untrained** network (random weights; experiment 1 has not been run "
              "for this profile), so the gate values below illustrate the mechanism only")
display(Markdown(f"Gates are read from {source}."))
se_params = sum(p.numel() for m in model.modules() if isinstance(m, SEModule1d)
                for p in m.parameters())
glue("se_trained", "trained" if trained else "untrained")
glue("se_param_share", f"{100 * se_params / n_parameters(model):.1f}%")
pd.DataFrame({"value": [str(model.config.width), str(model.config.kernel_size), str(fs_model),
                        f"{n_parameters(model):,}", f"{se_params:,}"]},
             index=["width", "block kernel", "sampling rate (Hz)", "parameters",
                    "of which in SE gates"])

# %% [markdown]
# ## One recording through the gates
#
# The first test recording, as the network sees it: the store's signal, averaged down to
# the model's sampling rate and standardised per lead with training-split statistics.

# %%
store = ensure_store(P, progress=False)
down = store.fs // fs_model
mean, std = channel_stats(store, downsample=down)
test = ECGDataset(store, "test", downsample=down, channel_mean=mean, channel_std=std)
if len(test) == 0:
    test = ECGDataset(store, None, downsample=down, channel_mean=mean, channel_std=std)
x0, _, y0 = test[0]
example_class = CLASSES[int(y0)]
fig = plot_ecg(store.signal(int(test.rows[0])), store.fs,
               title=f"{store.index['record_id'].iloc[int(test.rows[0])]} ({example_class})")
plt.show()

# %% [markdown]
# The squeeze and the excitation of the first block of stage 2, channels sorted by gate.
# The gate is not a copy of the channel mean: the bottleneck mixes all channels, so a
# channel's weight depends on what the others report.

# %%
gates0 = gates_by_record(model, x0[None])
descriptors = {}
hooks = [m.register_forward_hook(
    lambda mod, inp, out, n=n: descriptors.__setitem__(n, inp[0].mean(-1)[0].numpy()))
    for n, m in model.named_modules() if isinstance(m, SEModule1d)]
with torch.no_grad():
    model(x0[None]) if model.config.n_meta == 0 else model(x0[None], torch.zeros(1, model.config.n_meta))
for h in hooks:
    h.remove()
block = "backbone.layer2.0.se"
fig = plot_se_mechanism(descriptors[block], gates0[block][0],
                        title=f"{block.replace('backbone.', '')}: squeeze and excitation")
plt.show()

# %% [markdown]
# Across the eight blocks, the sorted gates show how selective each block is for this
# recording: a flat curve rescales all channels alike, a steep one picks a few.

# %%
fig = plot_gates_per_block(gates0)
plt.show()

# %% [markdown]
# ## Do the gates depend on the rhythm?
#
# For up to `max_records` test recordings we summarise each block's gates per recording
# by their mean (how much the block lets through overall) and their standard deviation
# across channels (how selective it is), and compare the classes.

# %%
n = min(len(test), max_records)
xs = torch.stack([test[i][0] for i in range(n)])
ys = np.array([int(test[i][2]) for i in range(n)])
meta = None if model.config.n_meta == 0 else torch.zeros(n, model.config.n_meta)
gates = gates_by_record(model, xs, meta=meta)
summary = pd.concat([pd.DataFrame({"block": name, "class": [CLASSES[k] for k in ys],
                                   "mean gate": g.mean(1), "gate spread (sd)": g.std(1)})
                     for name, g in gates.items()], ignore_index=True)
summary["class"] = pd.Categorical(summary["class"], categories=CLASSES, ordered=True)
summary = summary.sort_values(["class"], kind="stable")
summary["class"] = summary["class"].astype(str)
glue("se_n_records", f"{n:,}")
fig = plot_gate_distributions(summary, "gate spread (sd)")
plt.show()

# %% [markdown]
# The same per class as a table (median over recordings of the per-recording gate spread;
# number of recordings in brackets in the column names).

# %%
counts = pd.Series([CLASSES[k] for k in ys]).value_counts()
table = (summary.groupby(["block", "class"], sort=False)["gate spread (sd)"].median()
         .unstack("class"))
table = table[[c for c in CLASSES if c in table.columns]]
table.columns = [f"{c} ({counts.get(c, 0)})" for c in table.columns]
table.index = [b.replace("backbone.", "") for b in table.index]
table.round(3)

# %% [markdown]
# Which channels of the last block does each class turn up or down? Class mean gate
# minus the mean over all recordings, for the 40 channels whose class means differ most.

# %%
last = list(gates)[-1]
g = pd.DataFrame(gates[last])
g["class"] = [CLASSES[k] for k in ys]
by_class = g.groupby("class").mean()
by_class = by_class.loc[[c for c in CLASSES if c in by_class.index]] - gates[last].mean(0)
top = by_class.std(0).sort_values(ascending=False).index[:40]
fig = plot_class_channel_heatmap(by_class[top], title=last.replace("backbone.", ""))
plt.show()
spread = float(by_class.abs().to_numpy().max())
glue("se_max_class_shift", f"{spread:.4f}")
display(Markdown(
    f"The largest shift of a class mean from the overall mean in this block is "
    f"{spread:.4f} (on a 0-1 gate). "
    + ("These are the weights of a trained network." if trained else
       "With random weights, any difference between classes reflects only the input "
       "statistics, not learning.")))
