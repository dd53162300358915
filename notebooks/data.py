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
# The paper {cite:p}`kisialeu` trains and tests on the Chapman–Shaoxing 12-lead
# database {cite:p}`zheng2020`, distributed through PhysioNet {cite:p}`goldberger2000`:
# ten-second recordings at 500 Hz, each with a rhythm label and a row of automated
# measurements (rates, intervals, axes) in `Diagnostics.xlsx`. The paper keeps the eight
# rhythms with enough examples — sinus bradycardia (SB), sinus rhythm (SR), atrial
# fibrillation (AFIB), sinus tachycardia (ST), supraventricular tachycardia (SVT), atrial
# flutter (AF), sinus arrhythmia (SA) and atrial tachycardia (AT) — and drops AVNRT, AVRT
# and SAAWR.
#
# The real recordings cannot travel with this book. The `demo` profile therefore runs on
# a **synthetic twin**: a corpus generated from a model of the heart's electrical dipole,
# with the same file layout, the same measurement table and the same class proportions.
# The same notebook run with `--profile full` shows the real database instead.
#
# **On this page you will learn** how the records split into the paper's training,
# validation and test sets (the paper's Table 1), what each rhythm looks like on a
# printed ECG and how the measurements differ between rhythms. The next page measures how
# close the twin comes to real recordings and how hard the task is for the measurements
# alone.

# %% tags=["hide-input"]
import warnings

import numpy as np
import pandas as pd

from ecgpaper import paper
from ecgpaper.constants import CLASSES, CLASS_NAMES
from ecgpaper.workspace import store_records
from ecgpaper.notebook import glue, say, setup, show_figure, show_table
from ecgpaper.paths import shared_data_dir
from ecgpaper.plots.ecg import plot_ecg, plot_measurements_by_class
from ecgpaper.report import fmt_number, styled

warnings.filterwarnings("ignore")

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
store, records = store_records(settings)
shared = shared_data_dir()
real_table_path = shared / "chapman/metadata/Diagnostics.xlsx" if shared else None

# %% [markdown]
# ## Records per class and split
#
# The split is the paper's: a stratified 70/30 cut with `random_state=42`, then the 30 %
# halved into validation and test, stratified again. On the real database this gives
# every per-class count of the paper's Table 1. {numref}`tbl-table1` sets the counts of
# the active profile beside the paper's reported ones.

# %% tags=["hide-input"]
ours = pd.crosstab(records["label"], records["split"]).reindex(
    index=list(CLASSES), columns=["train", "val", "test"], fill_value=0)
ours.insert(0, "total", ours.sum(axis=1))
paper_counts = paper.table1_frame()
ours.loc["Total"] = ours.sum()
paper_counts.loc["Total"] = paper_counts.sum()
table1 = pd.DataFrame({"class": [f"{c} ({CLASS_NAMES[c]})" for c in CLASSES] + ["Total"]})
for column, name in (("total", "total"), ("train", "train"), ("val", "validation"),
                     ("test", "test")):
    table1[f"{name} (ours / paper)"] = [
        f"{mine:,} / {theirs:,}" for mine, theirs in
        zip(ours[column].to_numpy(), paper_counts.loc[list(ours.index), column].to_numpy())]
show_table(table1, "Records per class and split: this run beside the paper's Table 1 "
           "(each cell: ours / paper).", "tbl-table1", presented=True)
glue("data_n_records", int(len(records)))
glue("data_table1", styled(table1), display=False)
glue("data_n_train", int((records["split"] == "train").sum()))
_ = glue("data_n_test", int((records["split"] == "test").sum()))

# %% [markdown]
# ## One recording per rhythm
#
# Each recording below is drawn as a cardiologist would see it printed: the standard
# 3 × 4 arrangement of the twelve leads (2.5 s each) above a 10 s lead II rhythm strip,
# at 25 mm/s and 10 mm/mV on millimetre paper (large squares are 0.2 s by 0.5 mV). Look
# for the P wave before each QRS complex in the sinus rhythms, the irregularly irregular
# rhythm without P waves in AFIB, the sawtooth flutter waves in II, III and aVF in AF
# (in V1 they stand apart, like small P waves), and the abnormal P waves of AT.

# %% tags=["hide-input"]
for rhythm in CLASSES:
    rows = np.flatnonzero(records["label"].to_numpy() == rhythm)
    if not len(rows):
        say(f"{rhythm}: no record of this class in the active profile.")
        continue
    row = int(rows[0])
    record = records.iloc[row]
    figure = plot_ecg(store.signal(row), store.fs)
    show_figure(figure, f"fig-data-ecg-{rhythm.lower()}",
                f"{rhythm} ({CLASS_NAMES[rhythm]}), record {record['record_id']}: "
                f"ventricular rate {fmt_number(record['VentricularRate'])} bpm, QRS "
                f"{fmt_number(record['QRSDuration'])} ms.")

# %% [markdown]
# ## Measurements per class
#
# The automated measurements of each record (`Diagnostics.xlsx`) per class. When the real
# table is available beside the project its distributions are drawn next to the active
# profile's; for the twin this checks that rates, intervals and axes have the real spread
# and overlap. Sinus bradycardia, sinus rhythm and sinus tachycardia are defined by rate
# and do not overlap; the other classes do, as in the real data.

# %% tags=["hide-input"]
tables = {f"{settings.name} profile": records}
if real_table_path is not None and real_table_path.is_file():
    real_table = pd.read_excel(real_table_path)
    real_table["Rhythm"] = real_table["Rhythm"].replace({"SI": "SA"})
    tables["real table"] = real_table
columns = ["VentricularRate", "AtrialRate", "QRSDuration", "QTInterval", "QTCorrected",
           "RAxis", "TAxis", "PatientAge", "QRSCount"]
show_figure(plot_measurements_by_class(tables, columns), "fig-data-measurements",
            "Distribution of the automated measurements per rhythm class"
            + (" (active profile beside the real table)." if len(tables) > 1 else "."))
medians = (records.groupby("label")[["VentricularRate", "QRSDuration", "QTInterval",
                                     "PatientAge"]].median().reindex(list(CLASSES)))
medians.columns = [f"{c} (median)" for c in medians.columns]
show_table(medians.rename_axis("class").round(0),
           "Median measurements per class in the active profile.", "tbl-data-medians")

# %% [markdown]
# ## Recap
#
# - The paper's split is reproduced class by class ({numref}`tbl-table1`); on the demo
#   profile the counts are the twin's, scaled down.
# - Each rhythm has a recognisable printed ECG; the sinus rhythms differ by rate and
#   regularity, not by the shape of the beats.
# - The measurements differ between rhythms mostly by rate; the next page shows how far
#   the measurements alone go, and how close the twin's signals come to real ones.
