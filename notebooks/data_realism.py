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

from ecgpaper.models.tabular import metadata_baseline
from ecgpaper.notebook import glue, setup, show_figure, show_table
from ecgpaper.pages import realism as page
from ecgpaper.paths import shared_data_dir
from ecgpaper.plots.ecg import plot_amplitudes, plot_rhythm_strips
from ecgpaper.plots.realism import plot_realism
from ecgpaper.report import styled
from ecgpaper.twin.quality import difficulty_comparison, real_chapman_examples
from ecgpaper.workspace import store_records

warnings.filterwarnings("ignore")

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% [markdown]
# The settings and the store, as on the previous page. `shared` is the folder of real
# recordings beside the project (empty when there is none), and `real_records` the real
# Chapman–Shaoxing example recordings in it.

# %% tags=["hide-input"]
settings = setup(profile, overrides, own_note=True)
store, records = store_records(settings)
shared = shared_data_dir()
real_records = real_chapman_examples(shared)
glue("realism_n_real_examples", len(real_records))

# %% [markdown]
# ```{note}
# **{glue:text}`page_data_kind`** This page sets real data beside the active profile's,
# so each table and figure says which is which. Every row, box and strip labelled with
# the profile's name was computed on {glue:text}`page_data_source`. Everything labelled
# *real* is real: the rows "real table" of {numref}`tbl-data-baseline` come from the
# Chapman–Shaoxing measurement table (`Diagnostics.xlsx`) of real patients, and the
# strips, dots and columns marked *real* in the sections below are real recordings kept
# beside the project ({glue:text}`realism_n_real_examples` Chapman–Shaoxing examples were
# found for this build; the signal statistics add the real recordings of other
# databases).
# ```
#
# ## How hard is the task for the measurements alone?
#
# A gradient-boosting classifier that sees only the 14 metadata inputs (age, sex and the
# automated measurements), trained and tested on the paper's split, sets the bar the
# signal models must clear. The row "twin, real database size" repeats the fit on a twin
# with the real class counts (the demo twin's test split is small and its figures noisy).
# When the real table is present the same fit runs on it here; otherwise the stored
# figure is shown with the date it was measured. The two large fits are cached, so a
# rerun reads them.

# %% tags=["hide-input"]
difficulty = page.difficulty(difficulty_comparison(
    records, metadata_baseline, seed=settings.seed, twin_seed=settings.seed,
    shared_dir=shared, cache=settings.work_path / "twin_difficulty.json",
    synthetic=settings.is_synthetic))
show_table(difficulty.table, "Metadata-only baseline on the paper's split.",
           "tbl-data-baseline")
for name in ("accuracy", "macro_f1", "real_accuracy", "real_macro_f1", "real_source"):
    glue(f"data_baseline_{name}", getattr(difficulty, name))
glue("data_difficulty", styled(difficulty.table), display=False)

# %% [markdown]
# On the real table ({glue:text}`data_baseline_real_source`) the measurements alone reach
# an accuracy of {glue:text}`data_baseline_real_accuracy:.3f` and a macro-F1 of
# {glue:text}`data_baseline_real_macro_f1:.3f`; on the active profile the same fit
# reaches {glue:text}`data_baseline_accuracy:.3f` and
# {glue:text}`data_baseline_macro_f1:.3f`. The gap between accuracy and macro-F1 is the
# point: the frequent rhythms that a rate decides (sinus bradycardia, sinus rhythm,
# sinus tachycardia) carry the accuracy, while the rare ones that share a rate range
# with a frequent neighbour (sinus arrhythmia, flutter, atrial tachycardia) pull the
# average over classes down. A network that reads the signal has to beat both numbers.
#
# ## Real and synthetic recordings side by side
#
# When the handful of real Chapman recordings kept beside the project is present, their
# lead II rhythm strips are drawn next to a record of the same class from the active
# profile ({numref}`fig-data-real-vs-twin`), and the amplitude of every lead is compared
# (peak-to-peak after removing the baseline; {numref}`fig-data-amplitudes` and
# {numref}`tbl-data-amplitudes`). Synthetic beats are smoother than real ones, but rates,
# intervals, amplitudes and noise levels should look alike. Without the real examples
# the cell shows nothing.

# %% tags=["hide-input"]
if real_records:
    strips = page.rhythm_strips(real_records, records, store, settings.name)
    show_figure(plot_rhythm_strips(strips, ncols=2), "fig-data-real-vs-twin",
                "Lead II rhythm strips: real Chapman recordings (left) beside a record of "
                f"the same class from the {settings.name} profile (right).")
    amplitudes = page.amplitudes(real_records, store, settings.name)
    show_figure(plot_amplitudes(amplitudes.profile, amplitudes.real, settings.name),
                "fig-data-amplitudes", f"Peak-to-peak amplitude per lead: {settings.name} "
                f"profile (boxes, first {len(amplitudes.profile)} records) and the real "
                "Chapman records (red dots).")
    show_table(amplitudes.table, "Amplitude per lead, real records beside the active "
               "profile.", "tbl-data-amplitudes")

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
# recordings: its medians are rough. {numref}`fig-data-realism` draws the distributions,
# {numref}`tbl-data-realism` gives their medians and interquartile ranges. Without the
# real-data folder this section, too, is left empty.

# %% tags=["hide-input"]
if shared is not None:
    statistics = page.signal_statistics(shared, store, records, settings.name)
    counts = (f"{statistics.n_real} real recordings and the first {statistics.n_profile} "
              f"records of the {settings.name} profile")
    show_figure(plot_realism(statistics.records, ("real", settings.name)),
                "fig-data-realism", f"Signal statistics of {counts}.")
    show_table(statistics.summary, f"Signal statistics, median and interquartile range: "
               f"{counts}.", "tbl-data-realism")

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
# fixed hospital-like rates.
#
# The rhythm definitions carry the database's ambiguity:
#
# - resting sinus rhythm varies its RR interval by up to about 0.2 s over ten seconds, as
#   real sinus records do, and sinus arrhythmia begins beyond the 0.16 s criterion, so
#   the two meet at their border;
# - fast fibrillation is only mildly irregular, and about one fibrillation record in five
#   has fine f-waves lost in the noise;
# - flutter waves form a sawtooth in the inferior leads but discrete upright waves on a
#   flat baseline in V1, which at 2:1 conduction look like a second P wave between the
#   beats;
# - atrial tachycardia is conducted one-to-one unless its record's atrial rate is clearly
#   higher, as in the database, where many AT records run below 100 bpm and only the
#   ectopic P wave tells them from sinus rhythm.
#
# Recording conditions — baseline wander, muscle noise, electrode motion, mains hum,
# channel gain, the amplifier's band, a rare arm-electrode swap or flat chest lead — are
# set to levels measured on real records (the realism section above compares them). The
# twin is still simpler than real hearts and hospitals, and it is not the real database:
# figures on it show the pipeline working, not the paper's clinical result.
#
# ## Recap
#
# - The measurements alone already separate the rate-defined rhythms; the hard classes
#   (SA, AF, AT) are where the signal must add something.
# - Where real recordings are present, the twin's amplitudes, noise levels, spectra and
#   intervals are set beside theirs; the twin remains simpler than real hearts, so its
#   figures show the pipeline working, not the paper's clinical result.
