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
# # Can a general vision-language model read the rhythm?
#
# The paper {cite:p}`kisialeu` ends with an exploratory experiment: GPT-4o was shown
# rendered 12-lead ECG images in the standard clinical layout and asked to name the rhythm
# as one of the eight classes. On 100 random test recordings it was right 42 % of the
# time, against 94.2 % for SE-ResNet18; it recognised sinus bradycardia and sinus
# tachycardia above chance and almost never atrial flutter or atrial tachycardia. The
# paper gives neither its prompt nor its images nor per-class counts. This page rebuilds
# the experiment so that it can be repeated with one command, and adds a second condition:
# few-shot prompting, which raised GPT-4o's accuracy by about 30 points on a
# normal-versus-abnormal ECG task in a 2025 study {cite:p}`engelstein2025`.
#
# **On this page you will learn** which records the model is shown and how they are
# drawn, exactly what is sent (images and prompt), how answers are read and scored, and,
# when answers have been collected, how the model compares with the networks on the same
# records. The book's own builds have no network access: they query no model, and this
# page then shows no number of ours for the model, only the paper's.
#
# **To run it yourself** (any OpenAI-compatible endpoint; the key is read from the
# environment and never written to disk):
#
# ```bash
# OPENAI_API_KEY=… ecgpaper llm run --profile demo               # zero-shot, 100 records
# OPENAI_API_KEY=… ecgpaper llm run --profile demo --few-shot 1  # k = 1 example per class
# ecgpaper llm score --profile demo                              # offline, from the cache
# ecgpaper book --only llm_vision                                # this page, scored
# ```
#
# `ECGPAPER_LLM_MODEL` (default `gpt-4o`) and `ECGPAPER_LLM_BASE_URL` choose another
# model or service; use the same `--set` options as the book build so that the sample is
# drawn from the same records.

# %% tags=["hide-input"]
from ecgpaper import paper
from ecgpaper.constants import CLASS_NAMES
from ecgpaper.notebook import glue, setup, show_figure, show_image, show_table
from ecgpaper.pages import counted
from ecgpaper.pages import llm as page
from ecgpaper.plots.confusion import plot_confusion
from ecgpaper.plots.llm import plot_paper_accuracies
from ecgpaper.report import fmt_ci
from ecgpaper.workspace import ensure_store

# %% [markdown]
# The experiment itself lives in `ecgpaper.llm`, one module per step: `sample` draws the
# records, `render` draws the images, `prompt` builds the conversation, `client` holds
# the service's defaults (the requests are sent by `ecgpaper llm run`, never by this
# page) and `cache` keeps every answer on disk.

# %% tags=["hide-input"]
from ecgpaper.llm.cache import AnswerCache, llm_dir, read_runs
from ecgpaper.llm.client import DEFAULT_MODEL, DEFAULT_PARAMS
from ecgpaper.llm.prompt import build_prompt, readable
from ecgpaper.llm.render import DPI, render_ecg
from ecgpaper.llm.sample import draw_examples, draw_sample

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% [markdown]
# The settings and the store of the active profile. `SHOWN_K` is the number of few-shot
# examples per class this page shows (a run may use more).

# %% tags=["hide-input"]
settings = setup(profile, overrides)
store = ensure_store(settings, progress=False)
SHOWN_K = 1
glue("llm_profile", settings.name)
glue("llm_paper_accuracy", paper.GPT4O_ACCURACY)

# %% [markdown]
# ## What the paper reports
#
# Two numbers and two sentences: the model's accuracy on its
# {glue:text}`llm_paper_records` records ({glue:text}`llm_paper_accuracy:.0%`), the
# network's accuracy on the whole test split ({glue:text}`llm_paper_network_accuracy:.1%`),
# and a qualitative description of the classes ({numref}`tbl-llm-paper`,
# {numref}`fig-llm-paper`).

# %% tags=["hide-input"]
show_table(page.reported_table(), "The paper's LLM experiment as the paper reports it (its "
           "numbers, not ours). Per class it says only that sinus bradycardia and tachycardia "
           "were recognised above chance and atrial flutter and atrial tachycardia almost "
           "never.", "tbl-llm-paper", presented=True)
show_figure(plot_paper_accuracies(), "fig-llm-paper",
            "The paper's reported accuracies (its figures, not ours): GPT-4o on rendered "
            "images against SE-ResNet18. The dotted line is one in eight.")
glue("llm_paper_records", paper.GPT4O_RECORDS)
glue("llm_paper_network_accuracy", paper.TABLE4["accuracy"])

# %% [markdown]
# ## The sample
#
# The paper's protocol is a random sample of 100 records of the test split. Ours is
# seeded with the profile's seed, so the same records are drawn every time; when the test
# split is smaller than 100 (the tiny demo settings), every test record is used. This
# build drew {glue:text}`llm_sample_n` records with seed {glue:text}`llm_sample_seed`
# ({numref}`tbl-llm-sample`; their ids are in {numref}`tbl-llm-sample-ids`, collapsed).
# A stratified variant (`--stratified`, one record of each class first) goes beyond the
# paper: with eight classes as unequal as these, a uniform sample of 100 holds on
# average fewer than two atrial tachycardias, too few to say anything about that class.

# %% tags=["hide-input"]
sample = draw_sample(store, paper.GPT4O_RECORDS, settings.seed)
show_table(page.sample_counts(store, sample), "The sample per class: records drawn at random "
           "from the test split.", "tbl-llm-sample", presented=True)
show_table(page.sample_ids(sample), "Record ids of the sample, per class (the model is never "
           "told them).", "tbl-llm-sample-ids", presented=True,
           collapsed="Record ids of the sample")
glue("llm_sample_n", len(sample.record_ids))
glue("llm_sample_seed", sample.seed)

# %% [markdown]
# ## The images, exactly as sent
#
# Each record is drawn in the clinical layout used throughout the book (leads I, aVR,
# V1, V4 / II, aVL, V2, V5 / III, aVF, V3, V6 for 2.5 s each over a 10 s lead II rhythm
# strip, 25 mm/s, 10 mm/mV, millimetre grid) and saved as a PNG of fixed size. The image
# carries no label, no record id and no patient data; the only texts on it are the lead
# names and the paper speed, gain and sampling rate. The three figures below are the
# first three records of the sample, byte for byte the images a run sends.

# %% tags=["hide-input"]
first = [render_ecg(store.signal(r), store.fs) for r in sample.rows[:3]]
for i, (img, label) in enumerate(zip(first, sample.labels[:3]), start=1):
    show_image(img.png, f"fig-llm-image-{i}",
               f"Sample record {i} of {len(sample.rows)} as sent ({img.width_px} × "
               f"{img.height_px} px at {DPI} dpi, sha256 {img.sha256[:12]}…). True rhythm, "
               f"for the reader only: {label} ({CLASS_NAMES[label].lower()}).")

# %% [markdown]
# ## The prompt
#
# One system message, then the image with an instruction that lists the eight classes,
# each with a one-line clinical definition, and asks for JSON naming exactly one class.
# The zero-shot condition (the paper's) sends only that. The few-shot condition first
# shows k labelled images per class from the **training** split as earlier turns of the
# conversation (an image, then the answer `{"rhythm": "<CODE>"}`), in shuffled order.
# Every answer is cached under the hash of the image, the hash of the prompt (which
# covers every text and every example image), the model and the sampling parameters.
#
# The cell prints the zero-shot conversation in full, as the model receives it (the
# image stands where the text says so).

# %% tags=["hide-input"]
zero_shot = build_prompt()
example_rows = draw_examples(store, SHOWN_K, settings.seed)
few_shot = build_prompt([(render_ecg(store.signal(r), store.fs), label)
                         for r, _, label in example_rows])
print(readable(zero_shot))

# %% [markdown]
# {numref}`tbl-llm-prompts` sets the two conditions side by side. Both sample with
# {glue:text}`llm_params` and ask {glue:text}`llm_model` unless `ECGPAPER_LLM_MODEL`
# names another model. For k = 1 the few-shot examples are the training records
# {glue:text}`llm_examples`.

# %% tags=["hide-input"]
show_table(page.prompts_table(zero_shot, few_shot, SHOWN_K), "The two prompt conditions.",
           "tbl-llm-prompts", presented=True)
glue("llm_params", page.parameters_text(DEFAULT_PARAMS))
glue("llm_model", DEFAULT_MODEL)
glue("llm_examples", ", ".join(f"{rid} ({label})" for _, rid, label in example_rows))

# %% [markdown]
# ## Reading the answers
#
# An answer is first read **strictly**: the JSON the prompt asked for, with one of the
# eight codes. Failing that it is read **leniently**: the codes or clinical names and
# synonyms found in the text ("atrial flutter", "sinus tachycardia", "a-fib", …); exactly
# one class must be named. A refusal, an answer naming several classes or none, and a
# request that failed all count as **wrong**, and how many there were is shown, so that
# nothing that went wrong can raise the accuracy.
#
# ## Results
#
# The cell reads the runs cached for this profile (one per model and condition) and
# scores each against the true labels.

# %% tags=["hide-input"]
folder = llm_dir(settings)
cache = AnswerCache(folder)
reports = [page.run_report(run, cache, settings, (zero_shot.hash, few_shot.hash))
           for run in read_runs(folder)]
glue("llm_runs", len(reports))
glue("llm_runs_text", counted(len(reports), "cached run"))
glue("llm_status", "Cached answers were found for this build" if reports else
         "No model was queried for this build")

# %% [markdown]
# :::{important}
# **{glue:text}`llm_status`** ({glue:text}`llm_runs_text`). Where there are none,
# this page has no accuracy of ours for the vision-language model: nothing is invented
# or simulated, and the only LLM number on it is the paper's
# ({glue:text}`llm_paper_accuracy:.0%`, {numref}`tbl-llm-paper`). To collect answers and
# see them scored here, run the commands at the top of this page with `--profile` set to
# this build's profile, **{glue:text}`llm_profile`**, and the same `--set` options as the
# build. Another OpenAI-compatible service is chosen with `ECGPAPER_LLM_BASE_URL` and
# `ECGPAPER_LLM_MODEL`.
# :::
#
# For each cached run, two tables give its provenance (model, endpoint, dates, prompt,
# sampling, cost, and which networks could be set beside it) and how its answers were
# read.

# %% tags=["hide-input"]
for report in reports:
    show_table(report.provenance, f"{report.title}: provenance of the cached answers.",
               f"tbl-llm-provenance-{report.tag}", presented=True)
    show_table(report.outcomes, f"{report.title}: how the answers were read (all but strict "
               "and lenient count as wrong).", f"tbl-llm-outcomes-{report.tag}",
               presented=True)

# %% [markdown]
# Then each run's accuracy with its 95 % bootstrap interval, its recall per class and its
# confusion matrix: rows the true rhythm, columns the class the answer named ("no class"
# when the model refused, the answer could not be read or no answer came back).

# %% tags=["hide-input"]
for report in reports:
    show_table(report.recall, f"{report.title}: accuracy {fmt_ci(*report.accuracy)} on "
               f"{report.n} records; recall per class with 95 % bootstrap intervals.",
               f"tbl-llm-recall-{report.tag}", presented=True)
    show_figure(plot_confusion(report.confusion, normalize=True, title=""),
                f"fig-llm-confusion-{report.tag}", f"Confusion matrix of {report.title}.")
    glue(f"llm_accuracy_{report.tag}", report.accuracy[0])

# %% [markdown]
# Where networks of this profile have been trained, the model and the networks are
# compared on the same records: experiment 1 and the book's best configuration by
# validation macro-F1, with McNemar's exact test on the records where exactly one of the
# two is right.

# %% tags=["hide-input"]
for report in (r for r in reports if not r.networks.empty):
    show_table(report.networks, f"{report.title} and the networks on the same "
               f"{report.n} records.", f"tbl-llm-networks-{report.tag}", presented=True)

# %% [markdown]
# ## Zero-shot against few-shot
#
# When both conditions were run for the same model on the same records, McNemar's exact
# test says whether the examples changed how many records the model gets right. The
# cell shows the comparison only for such pairs; this build has
# {glue:text}`llm_few_shot_pairs` of them.

# %% tags=["hide-input"]
pairs = page.few_shot_pairs(reports)
if not pairs.empty:
    show_table(pairs, "Few-shot against zero-shot on the same records.", "tbl-llm-few-shot")
glue("llm_few_shot_pairs", len(pairs))

# %% [markdown]
# ## Recap
#
# - The experiment is rerun with one command per condition; every image, every prompt and
#   every answer is on disk, and the page scores the cache without network access.
# - Answers are read strictly, then leniently; refusals and unreadable answers count as
#   wrong and are counted.
# - The model and the networks are compared on the same records, with intervals and a
#   paired test; without cached answers the page shows only the paper's number.
