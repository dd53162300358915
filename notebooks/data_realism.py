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
# # How close is the twin to real recordings?
#
# The previous page built the store of the active profile — on the `demo` profile a
# **synthetic twin** of the Chapman–Shaoxing database {cite:p}`zheng2020`, never real
# patients. This page measures what a reader should doubt about it: how far the
# measurement table alone goes (a bar the signal models must clear), and how the twin's
# signals compare with the real recordings kept beside the project, when they are there.
#
# **On this page you will learn** how hard the eight rhythms are for the measurements
# alone, on the twin and on the real table, and where the twin's signals (amplitudes,
# noise, spectra, intervals) resemble real ones and where they do not.

# %% tags=["hide-input"]
import warnings

import numpy as np
import pandas as pd

from ecgpaper.models.tabular import metadata_baseline
from ecgpaper.notebook import glue, say, setup, show_figure, show_table
from ecgpaper.paths import shared_data_dir
from ecgpaper.plots.ecg import plot_amplitudes, plot_rhythm_strips
from ecgpaper.report import styled
from ecgpaper.twin.quality import amplitude_table, difficulty_comparison, real_chapman_examples
from ecgpaper.workspace import store_records

warnings.filterwarnings("ignore")

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
store, records = store_records(settings)
shared = shared_data_dir()

# %% [markdown]
# ## How hard is the task for the measurements alone?
#
# A gradient-boosting classifier that sees only the 14 metadata inputs (age, sex and the
# automated measurements), trained and tested on the paper's split, sets the bar the
# signal models must clear. The row "twin, real database size" repeats the fit on a twin
# with the real class counts (the demo twin's test split is small and its figures noisy).
# When the real table is present the same fit runs on it here; otherwise the stored
# figure is shown with the date it was measured.

# %% tags=["hide-input"]
difficulty = difficulty_comparison(records, metadata_baseline, seed=settings.seed,
                                   twin_seed=settings.seed, shared_dir=shared,
                                   cache=settings.work_path / "twin_difficulty.json",
                                   synthetic=settings.is_synthetic)
real_rows = [name for name in difficulty.index if name.startswith("real table")]
show_table(difficulty.rename_axis("data").rename(columns={
    "macro_f1": "macro-F1", "macro_auc": "macro AUC", "n_train": "train records",
    "n_test": "test records"}), "Metadata-only baseline on the paper's split.",
    "tbl-data-baseline")
glue("data_metadata_accuracy", float(difficulty["accuracy"].iloc[0]))
glue("data_metadata_macro_f1", float(difficulty["macro_f1"].iloc[0]))
if real_rows:
    real = difficulty.loc[real_rows[0]]
    glue("data_real_baseline_accuracy", f"{real['accuracy']:.3f}")
    glue("data_real_baseline_macro_f1", f"{real['macro_f1']:.3f}")
    say(f"On the real table ({real_rows[0].replace('real table ', '').strip('()')}) the measurements "
        f"alone reach an accuracy of {real['accuracy']:.3f} and a macro-F1 of "
        f"{real['macro_f1']:.3f}: sinus bradycardia and tachycardia are easy from the rate, "
        f"while sinus arrhythmia, flutter and atrial tachycardia hide among their neighbours. "
        f"On the active profile: accuracy {difficulty['accuracy'].iloc[0]:.3f}, macro-F1 "
        f"{difficulty['macro_f1'].iloc[0]:.3f}.")
_ = glue("data_difficulty", styled(difficulty.rename_axis("data")), display=False)

# %% [markdown]
# ## Real and synthetic recordings side by side
#
# When the handful of real Chapman recordings kept beside the project is present, their
# lead II rhythm strips are drawn next to a record of the same class from the active
# profile, and the amplitude of every lead is compared (peak-to-peak after removing the
# baseline). Synthetic beats are smoother than real ones, but rates, intervals, amplitudes
# and noise levels should look alike.

# %% tags=["hide-input"]
real_records = real_chapman_examples(shared)
if not real_records:
    say("The real Chapman example records are not on this machine; comparison skipped.")
else:
    strips, seen = [], set()
    for record in real_records:
        if record.label in seen or record.label is None:
            continue
        seen.add(record.label)
        rows = np.flatnonzero(records["label"].to_numpy() == record.label)
        strips.append((f"real {record.label} ({record.record_id})", record.in_microvolts(),
                       record.fs))
        if len(rows):
            row = int(rows[min(1, len(rows) - 1)])
            strips.append((f"{settings.name} {record.label} ({records['record_id'].iloc[row]})",
                           store.signal(row), store.fs))
        else:
            strips.append((f"{settings.name}: no {record.label} record",
                           np.zeros_like(record.signal), record.fs))
    show_figure(plot_rhythm_strips(strips, ncols=2), "fig-data-real-vs-twin",
                "Lead II rhythm strips: real Chapman recordings (left) beside a record of "
                f"the same class from the {settings.name} profile (right).")
    real_amplitudes = amplitude_table(np.stack([r.in_microvolts() for r in real_records]))
    # 48 records give the boxes their shape; the running-median baseline costs seconds each
    profile_amplitudes = amplitude_table(store.signals(np.arange(min(len(records), 48))))
    show_figure(plot_amplitudes(profile_amplitudes, real_amplitudes, settings.name),
                "fig-data-amplitudes",
                f"Peak-to-peak amplitude per lead: {settings.name} profile (boxes, first "
                f"{len(profile_amplitudes)} records) and the "
                "real Chapman records (red dots).")
    amplitudes = pd.DataFrame({
        "real (median µV)": real_amplitudes.median(),
        f"{settings.name} (median µV)": profile_amplitudes.median(),
        f"{settings.name} (10–90 %)": [f"{low:,.0f}–{high:,.0f}" for low, high in
                                        zip(profile_amplitudes.quantile(0.1),
                                            profile_amplitudes.quantile(0.9))]})
    show_table(amplitudes.rename_axis("lead").round(0),
               "Amplitude per lead, real records beside the active profile.",
               "tbl-data-amplitudes")

# %% [markdown]
# ## Signal realism: the twin against real recordings
#
# The measurement table can agree while the signals differ, and a network sees only the
# signal. So the same statistics are measured on the samples of both sets
# (`ecgpaper.twin.realism`): amplitude per lead, DC offset, baseline wander below 0.7 Hz,
# noise above 40 Hz, mains hum, the share of power per frequency band, heart rate and RR
# variability from the detected QRS complexes, and QRS, PR and QT durations delineated on
# lead II by NeuroKit2. Both sets go through the same algorithm, so its biases (its QRS
# limits are wider than a cardiologist's, for instance) affect both sides alike. The real
# side is every recording labelled with one of the eight rhythms in the real-data folder
# beside the project (Chapman–Shaoxing, Georgia, CPSC, PTB and PTB-XL), a few dozen
# recordings: its medians are rough.

# %% tags=["hide-input"]
from ecgpaper.plots.realism import plot_realism
from ecgpaper.twin.realism import compare, real_table, signals_table

if shared is None:
    say("This comparison needs real recordings (the real-data folder beside the project), "
        "and none are on this machine, so it is skipped.")
else:
    real_stats = real_table(shared)
    n_realism = min(len(records), 120)
    profile_stats = signals_table(store.signals(np.arange(n_realism)),
                                  records["label"].iloc[:n_realism], settings.name, store.fs)
    realism = pd.concat([real_stats, profile_stats], ignore_index=True)
    show_figure(plot_realism(realism, ("real", settings.name)), "fig-data-realism",
                f"Signal statistics of {len(real_stats)} real recordings beside the first "
                f"{n_realism} records of the {settings.name} profile.")
    show_table(compare(realism), f"Signal statistics, median and interquartile range: "
               f"{len(real_stats)} real recordings and {n_realism} records of the "
               f"{settings.name} profile.", "tbl-data-realism")

# %% [markdown]
# ## What the twin is and is not
#
# The twin's beats come from a three-dimensional cardiac dipole whose tip traces P, QRS and
# T loops; projecting it on the twelve lead vectors makes III = II − I and the augmented
# leads exact, as on a real electrocardiograph. QRS and T axes, QRS duration and QT
# interval are those of the record's measurement row, and the ventricular rate and QRS
# count are measured on the generated beats. Morphology is drawn independently of the
# rhythm: besides the Beat statements of its row, any record may carry a bundle-branch
# block, infarction Q waves, hypertrophy voltages, ST–T changes, low voltage, premature
# beats, a U wave after the T wave or (in sinus rhythms) a small or unusual P wave, at
# fixed hospital-like rates. The rhythm definitions carry the database's ambiguity: resting
# sinus rhythm varies its RR interval by up to about 0.2 s over ten seconds, as real
# sinus records do, and sinus arrhythmia begins beyond the 0.16 s criterion, so the two
# meet at their border; fast fibrillation is only mildly irregular, and about one
# fibrillation record in five has fine f-waves lost in the noise; flutter waves form a
# sawtooth in the inferior leads but discrete upright waves on a flat baseline in V1,
# which at 2:1 conduction look like a second P wave between the beats; atrial tachycardia is
# conducted one-to-one unless its record's atrial rate is clearly higher, as in the
# database, where many AT records run below 100 bpm and only the ectopic P
# wave tells them from sinus rhythm. Recording
# conditions — baseline wander, muscle noise, electrode motion, mains hum, channel gain,
# the amplifier's band, a rare arm-electrode swap or flat chest lead — are set to levels
# measured on real records (the realism section above compares them). The twin is still
# simpler than real hearts and hospitals, and it is not the real database: figures on it
# show the pipeline working, not the paper's clinical result.
#
# ## Recap
#
# - The measurements alone already separate the rate-defined rhythms; the hard classes
#   (SA, AF, AT) are where the signal must add something.
# - Where real recordings are present, the twin's amplitudes, noise levels, spectra and
#   intervals are set beside theirs; the twin remains simpler than real hearts, so its
#   figures show the pipeline working, not the paper's clinical result.
