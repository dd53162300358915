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
# # Data: the Chapman–Shaoxing database and its synthetic twin
#
# The paper trains and tests on the Chapman–Shaoxing 12-lead database (Zheng et al.,
# 2020): 10,646 ten-second recordings at 500 Hz, each with a rhythm label and a row of
# automated measurements (rates, intervals, axes) in `Diagnostics.xlsx`. Kisialeu &
# Nedzved (paper) keep the eight rhythms with enough examples — sinus bradycardia (SB),
# sinus rhythm (SR), atrial fibrillation (AFIB), sinus tachycardia (ST), supraventricular
# tachycardia (SVT), atrial flutter (AF), sinus arrhythmia (SA) and atrial tachycardia
# (AT) — and drop AVNRT, AVRT and SAAWR, leaving 10,615 records.
#
# The real recordings cannot travel with this book. The `demo` profile therefore runs on
# a **synthetic twin**: a corpus generated from a model of the heart's electrical dipole,
# with the same file layout, the same measurement table and the same class proportions.
# Each class follows its clinical definition (rate, regularity, P waves or their
# absence, flutter or fibrillatory waves), and the measurement rows are drawn from
# summary statistics of the real table, so a classifier faces similar ambiguities. The
# same notebook run with `--profile full` shows the real database instead.

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["remove-input"]
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ecgpaper.constants import CLASSES, CLASS_NAMES, PAPER_TABLE1
from ecgpaper.data.workspace import ensure_store
from ecgpaper.notebook import glue, setup
from ecgpaper.paths import shared_data_dir
from ecgpaper.plots.ecg import plot_ecg, plot_measurements_by_class, plot_rhythm_strips

warnings.filterwarnings("ignore")
P = setup(profile, overrides)
store = ensure_store(P, progress=False)
index = store.index.copy()
index["Rhythm"] = index["label"]
shared = shared_data_dir()

# %% [markdown]
# ## Table 1: records per class and split
#
# The split is the paper's: a stratified 70/30 cut with `random_state=42`, then the 30 %
# halved into validation and test, stratified again. On the real database this gives
# 7,430 / 1,592 / 1,593 records and every per-class count of the paper's Table 1. Our
# counts for the active profile are on the left; the paper's reported figures on the
# right.

# %%
ours = pd.crosstab(index["label"], index["split"]).reindex(
    index=list(CLASSES), columns=["train", "val", "test"], fill_value=0)
ours.insert(0, "total", ours.sum(axis=1))
paper = pd.DataFrame(PAPER_TABLE1, index=["total", "train", "val", "test"]).T
table1 = pd.concat({"this run": ours, "paper (reported)": paper}, axis=1)
table1.index = [f"{c} ({CLASS_NAMES[c]})" for c in table1.index]
table1.loc["Total"] = table1.sum()
glue("data_n_records", int(len(index)))
glue("data_table1", table1, display=False)
glue("data_n_train", int((index["split"] == "train").sum()))
glue("data_n_test", int((index["split"] == "test").sum()))
table1

# %% [markdown]
# ## One recording per rhythm
#
# Each recording below is drawn as a cardiologist would see it printed: the standard
# 3 × 4 arrangement of the twelve leads (2.5 s each) above a 10 s lead II rhythm strip,
# at 25 mm/s and 10 mm/mV on millimetre paper (large squares are 0.2 s by 0.5 mV). Look
# for the P wave before each QRS complex in the sinus rhythms, the irregularly irregular
# rhythm without P waves in AFIB, the sawtooth flutter waves in II, III and aVF in AF,
# and the abnormal P waves of AT.

# %%
for c in CLASSES:
    rows = np.flatnonzero(index["label"].to_numpy() == c)
    if not len(rows):
        print(f"{c}: no record of this class in the active profile")
        continue
    i = int(rows[0])
    r = index.iloc[i]
    fig = plot_ecg(store.signal(i), store.fs,
                   title=f"{c} ({CLASS_NAMES[c]}), {r['record_id']}: ventricular rate "
                         f"{r['VentricularRate']} bpm, QRS {r['QRSDuration']} ms")
    plt.show()

# %% [markdown]
# ## Measurements per class
#
# The automated measurements of each record (`Diagnostics.xlsx`) per class. When the real
# table is available beside the project its distributions are drawn next to the active
# profile's; for the twin this is the check that rates, intervals and axes have the real
# spread and overlap. Sinus bradycardia, sinus rhythm and sinus tachycardia are defined
# by rate and do not overlap; the other classes do, as in the real data.

# %%
tables = {f"{P.name} profile": index}
real_table = None
if shared is not None and (shared / "chapman/metadata/Diagnostics.xlsx").is_file():
    real_table = pd.read_excel(shared / "chapman/metadata/Diagnostics.xlsx")
    real_table["Rhythm"] = real_table["Rhythm"].replace({"SI": "SA"})
    tables["real table"] = real_table
cols = ["VentricularRate", "AtrialRate", "QRSDuration", "QTInterval", "QTCorrected",
        "RAxis", "TAxis", "PatientAge", "QRSCount"]
fig = plot_measurements_by_class(tables, cols)
plt.show()

# %%
summary = index.groupby("label")[["VentricularRate", "QRSDuration", "QTInterval",
                                  "PatientAge"]].median().reindex(list(CLASSES))
summary.columns = [f"{c} (median)" for c in summary.columns]
summary.round(0)

# %% [markdown]
# ## How hard is the task for the measurements alone?
#
# A gradient-boosting classifier that sees only the 14 metadata inputs (age, sex and the
# automated measurements), trained and tested on the paper's split, sets the bar the
# signal models must clear. On the real table it reaches an accuracy of about 0.85 and a
# macro-F1 of about 0.6: sinus bradycardia and sinus tachycardia are easy from the rate,
# while sinus arrhythmia, flutter and atrial tachycardia hide among their neighbours. The
# twin's measurement noise was tuned so that it is about as hard, not easier. The row
# "twin, real database size" repeats the fit on a twin with the real class counts (the
# demo twin's test split is small and its figures noisy).

# %%
from ecgpaper.models.tabular import metadata_baseline
from ecgpaper.twin.quality import difficulty_comparison

difficulty = difficulty_comparison(index, metadata_baseline, seed=P.seed, twin_seed=P.seed,
                                   shared_dir=shared, cache=P.work_path / "twin_difficulty.json",
                                   synthetic=P.is_synthetic)
glue("data_metadata_accuracy", float(difficulty["accuracy"].iloc[0]))
glue("data_metadata_macro_f1", float(difficulty["macro_f1"].iloc[0]))
glue("data_difficulty", difficulty, display=False)
difficulty.round(3)

# %% [markdown]
# ## Real and synthetic recordings side by side
#
# When the handful of real Chapman recordings kept beside the project is present, their
# lead II rhythm strips are drawn next to a record of the same class from the active
# profile, and the amplitude of every lead is compared (peak-to-peak after removing the
# baseline). Synthetic beats are smoother than real ones, but rates, intervals, amplitudes
# and noise levels should look alike.

# %%
from ecgpaper.twin.quality import amplitude_table, real_chapman_examples

real = real_chapman_examples(shared)
if not real:
    print("The real Chapman example records are not on this machine; comparison skipped.")
else:
    strips = []
    seen = set()
    for rec in real:
        if rec.label in seen or rec.label is None:
            continue
        seen.add(rec.label)
        rows = np.flatnonzero(index["label"].to_numpy() == rec.label)
        strips.append((f"real {rec.label} ({rec.record_id})", rec.in_microvolts(), rec.fs))
        if len(rows):
            i = int(rows[min(1, len(rows) - 1)])
            strips.append((f"{P.name} {rec.label} ({index['record_id'].iloc[i]})",
                           store.signal(i), store.fs))
        else:
            strips.append((f"{P.name}: no {rec.label} record", np.zeros_like(rec.signal),
                           rec.fs))
    plot_rhythm_strips(strips, ncols=2)
    plt.show()

    real_amp = amplitude_table(np.stack([r.in_microvolts() for r in real]))
    n_sample = min(len(index), 200)
    twin_amp = amplitude_table(store.signals(np.arange(n_sample)))
    amp = pd.DataFrame({"real (median µV)": real_amp.median(),
                        f"{P.name} (median µV)": twin_amp.median(),
                        f"{P.name} (10-90 %)": [f"{a:.0f}-{b:.0f}" for a, b in
                                                zip(twin_amp.quantile(0.1),
                                                    twin_amp.quantile(0.9))]})
    fig, ax = plt.subplots(figsize=(10, 3))
    pos = np.arange(12)
    ax.boxplot([twin_amp[c] for c in twin_amp], positions=pos, widths=0.5, showfliers=False)
    ax.plot(pos, real_amp.to_numpy().T, "o", color="#d62728", alpha=0.5, ms=4)
    ax.plot([], [], "o", color="#d62728", label=f"real records (n={len(real)})")
    ax.set_xticks(pos)
    ax.set_xticklabels(twin_amp.columns)
    ax.set_ylabel("peak-to-peak (µV)")
    ax.set_title(f"Amplitude per lead: {P.name} profile (boxes) and real Chapman records")
    ax.legend(fontsize=8)
    plt.show()
    display(amp.round(0))

# %% [markdown]
# ## What the twin is and is not
#
# The twin's beats come from a three-dimensional cardiac dipole whose tip traces P, QRS and
# T loops; projecting it on the twelve lead vectors makes III = II − I and the augmented
# leads exact, as on a real electrocardiograph. QRS and T axes, QRS duration and QT
# interval are those of the record's measurement row, the ventricular rate and QRS count
# are measured on the generated beats, and the noise (baseline wander, muscle noise,
# 50 Hz mains) sits at small random levels with about one record in eight clearly noisy.
# The morphology is simpler than a real heart's — no bundle-branch variety beyond simple
# RBBB/LBBB shapes, no ectopic beats, no ischaemic ST changes — so figures on the twin
# show the pipeline working, not the paper's clinical result.
