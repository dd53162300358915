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
#
# The first cell imports what the page uses: the page's tables come from
# `ecgpaper.pages.data`, the drawings from `ecgpaper.plots.ecg`.

# %% tags=["hide-input"]
import warnings

from ecgpaper.notebook import glue, glue_all, setup, show_figure, show_table
from ecgpaper.pages import data as page
from ecgpaper.paths import shared_data_dir
from ecgpaper.plots.ecg import plot_ecg, plot_measurements_by_class
from ecgpaper.report import styled
from ecgpaper.workspace import store_records

warnings.filterwarnings("ignore")

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% [markdown]
# `setup` rebuilds the run's settings from the two parameters above; `store_records`
# opens the store of the active profile (generating the twin on first use) and returns
# its index, one row per record. `real_table` holds the real measurement table when it
# is beside the project, and nothing otherwise.

# %% tags=["hide-input"]
settings = setup(profile, overrides, own_note=True)
store, records = store_records(settings)
real_table = page.real_diagnostics(shared_data_dir())
glue("data_measurement_sources",
         "the active profile beside the real table" if real_table is not None
         else "the active profile only (the real table is not on this machine)")

# %% [markdown]
# ```{note}
# **{glue:text}`page_data_kind`** Table 1, the twelve-lead recordings and the table of
# medians on this page were computed on {glue:text}`page_data_source`; the counts marked
# *paper* in Table 1 are the paper's reported figures for the real database. The
# measurement figure draws {glue:text}`data_measurement_sources`: its boxes labelled
# *real table* are the automated measurements of the real Chapman–Shaoxing recordings
# (`Diagnostics.xlsx`), not synthetic ones.
# ```
#
# ## Records per class and split
#
# The split is the paper's: a stratified 70/30 cut with `random_state=42`, then the 30 %
# halved into validation and test, stratified again. On the real database this gives
# every per-class count of the paper's Table 1. {numref}`tbl-table1` sets the counts of
# the active profile beside the paper's reported ones: in all
# {glue:text}`data_n_records:,d` records, of which {glue:text}`data_n_train:,d` train
# the network, {glue:text}`data_n_val:,d` choose its checkpoint and
# {glue:text}`data_n_test:,d` are held out for the test metrics.

# %% tags=["hide-input"]
table1 = page.table1(records)
show_table(table1, "Records per class and split: this run beside the paper's Table 1 "
           "(each cell: ours / paper).", "tbl-table1", presented=True)
glue("data_table1", styled(table1), display=False)
for name, value in page.split_sizes(records).items():
    glue(name, value)

# %% [markdown]
# ## One recording per rhythm
#
# Each recording below is drawn as a cardiologist would see it printed: the standard
# 3 × 4 arrangement of the twelve leads (2.5 s each) above a 10 s lead II rhythm strip,
# at 25 mm/s and 10 mm/mV on millimetre paper (large squares are 0.2 s by 0.5 mV). Look
# for the P wave before each QRS complex in the sinus rhythms, the irregularly irregular
# rhythm without P waves in AFIB, the sawtooth flutter waves in II, III and aVF in AF
# (in V1 they stand apart, like small P waves), and the abnormal P waves of AT.
#
# The cell draws the first record of each rhythm in the store. Of the eight rhythms,
# {glue:text}`data_n_rhythms` have records in the active profile. Each caption gives the record's ventricular rate and QRS duration from its
# measurement row.

# %% tags=["hide-input"]
for example in page.rhythm_examples(records):
    show_figure(plot_ecg(store.signal(example.row), store.fs),
                f"fig-data-ecg-{example.rhythm.lower()}",
                f"{example.rhythm} ({example.name}), record {example.record_id}: ventricular "
                f"rate {example.ventricular_rate:.0f} bpm, QRS {example.qrs_duration:.0f} ms.")

# %% [markdown]
# ## Measurements per class
#
# The automated measurements of each record (`Diagnostics.xlsx`), drawn per class in
# {numref}`fig-data-measurements`. When the real table is available beside the project
# its distributions are drawn next to the active profile's; for the twin this checks
# that rates, intervals and axes have the real spread and overlap. Sinus bradycardia,
# sinus rhythm and sinus tachycardia are defined by rate and do not overlap; the other
# classes do, as in the real data.

# %% tags=["hide-input"]
tables = page.measurement_tables(records, real_table, settings.name)
show_figure(plot_measurements_by_class(tables, page.MEASUREMENT_COLUMNS),
            "fig-data-measurements",
            "Distribution of the automated measurements per rhythm class: "
            + " beside ".join(tables) + ".")

# %% [markdown]
# {numref}`tbl-data-medians` condenses the figure to four medians per class, on the
# active profile only. Rate separates the three sinus rhythms by definition; the QT
# interval shortens as the rate rises, as it does in any heart; the QRS duration differs
# little between classes. Rhythms that share a rate range (SA with SR, AT and AF with
# ST) are therefore the ones the signal itself must tell apart.

# %% tags=["hide-input"]
show_table(page.class_medians(records), "Median measurements per class in the active "
           "profile.", "tbl-data-medians")

# %% [markdown]
# ## Checks on real recordings
#
# Before any network sees a recording, the readers refuse what no body produces and
# mark what is possible but often an error with quality flags (the Data sources page
# lists every check). Those thresholds were set on real recordings, not on the twin:
# the committed calibration ({glue:text}`quality_measured`) read
# {glue:text}`quality_records` real recordings (per folder of the test data:
# {glue:text}`quality_folders`), refused
# {glue:text}`quality_refused` of them and flagged {glue:text}`quality_flagged`
# ({glue:text}`quality_flag_counts`). Each flag on a published record is taken here as
# a false alarm, though some may be real lead errors in the databases.
# {numref}`tbl-data-quality-damage` damages the {glue:text}`quality_clean` short records
# that carry no flag one way each and counts how often the damage is caught.

# %% tags=["hide-input"]
calibration = page.quality_calibration()
glue_all(page.calibration_facts(calibration))
if calibration is not None:
    show_table(page.calibration_table(calibration), "Damage applied to real recordings "
               "that carry no flag as published (real data, not the twin; "
               "`scripts/calibrate_quality.py`): how often its flag caught it, the checks "
               "refused it, it carried only another flag, or it passed without a word.",
               "tbl-data-quality-damage")

# %% [markdown]
# ## Recap
#
# - The paper's split is reproduced class by class ({numref}`tbl-table1`); on the demo
#   profile the counts are the twin's, scaled down.
# - Each rhythm has a recognisable printed ECG; the sinus rhythms differ by rate and
#   regularity, not by the shape of the beats.
# - The measurements differ between rhythms mostly by rate; the next page shows how far
#   the measurements alone go, and how close the twin's signals come to real ones.
