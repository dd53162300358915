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
import pandas as pd
from IPython.display import Image, Markdown, display

from ecgpaper import paper
from ecgpaper.constants import CLASS_NAMES, CLASSES
from ecgpaper.workspace import ensure_store
from ecgpaper.llm.cache import AnswerCache, llm_dir, read_runs
from ecgpaper.llm.client import DEFAULT_MODEL, DEFAULT_PARAMS
from ecgpaper.llm.parse import OUTCOMES
from ecgpaper.llm.prompt import build_prompt, readable
from ecgpaper.llm.render import DPI, render_ecg
from ecgpaper.llm.sample import draw_examples, draw_sample
from ecgpaper.llm.score import MISSING, mcnemar, networks_beside, score_run
from ecgpaper.notebook import glue, say, setup, show_figure, show_table
from ecgpaper.plots.confusion import plot_confusion
from ecgpaper.report import fmt_ci, fmt_number

# %% tags=["parameters", "remove-cell"]
profile = "demo"
overrides = {}

# %% tags=["hide-input"]
settings = setup(profile, overrides)
store = ensure_store(settings, progress=False)
N_RECORDS = paper.GPT4O_RECORDS      # the paper's sample size
SHOWN_K = 1                          # few-shot examples per class shown on this page


def show_png(png: bytes, name: str, caption: str, width: str = "100%") -> None:
    """A PNG exactly as sent, as a numbered figure (glued image, not a redrawn plot)."""
    glue(name, Image(data=png, format="png"), display=False)
    display(Markdown(f"```{{glue:figure}} {name}\n:name: {name}\n:width: {width}\n\n"
                     f"{caption}\n```"))


# %% [markdown]
# ## What the paper reports
#
# Two numbers and two sentences: the model's accuracy on its 100 records, the network's
# accuracy on the whole test split, and a qualitative description of the classes.

# %% tags=["hide-input"]
reported = pd.DataFrame({
    "classifier": ["GPT-4o Vision (zero-shot, rendered images)",
                   "SE-ResNet18 + clinical metadata (experiment 2)"],
    "test records": [f"{paper.GPT4O_RECORDS} (random)",
                     f"{paper.TEST_SIZE:,} (whole test split)"],
    "accuracy (paper)": [fmt_number(paper.GPT4O_ACCURACY),
                         fmt_number(paper.TABLE4["accuracy"])],
})
show_table(reported, "The paper's LLM experiment as the paper reports it (its numbers, "
           "not ours). Per class it says only that sinus bradycardia and tachycardia were "
           "recognised above chance and atrial flutter and atrial tachycardia almost never.",
           "tbl-llm-paper", presented=True)


def paper_figure():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.5, 2.2))
    names = ["GPT-4o Vision\n(100 test records)", "SE-ResNet18\n(experiment 2)"]
    values = [paper.GPT4O_ACCURACY, paper.TABLE4["accuracy"]]
    ax.barh(names, values, color=["#9e9e9e", "#4c72b0"])
    for y, v in enumerate(values):
        ax.text(v + 0.01, y, f"{v:.1%}", va="center")
    ax.axvline(1 / len(CLASSES), color="black", ls=":", lw=1)
    ax.text(1 / len(CLASSES) + 0.01, 1.45, "one in eight", fontsize=9)
    ax.set_xlim(0, 1.12)
    ax.set_xlabel("accuracy reported by the paper")
    ax.invert_yaxis()
    fig.tight_layout()
    return fig


show_figure(paper_figure(), "fig-llm-paper",
            "The paper's reported accuracies (its figures, not ours): GPT-4o on rendered "
            "images against SE-ResNet18. The dotted line is one in eight.")

# %% [markdown]
# ## The sample
#
# The paper's protocol is a random sample of 100 records of the test split. Ours is
# seeded with the profile's seed, so the same records are drawn every time; when the test
# split is smaller than 100 (the tiny demo settings), every test record is used. A
# stratified variant (`--stratified`, one record of each class first) goes beyond the
# paper: with eight classes as unequal as these, a uniform sample of 100 holds on
# average fewer than two atrial tachycardias, too few to say anything about that class.

# %% tags=["hide-input"]
sample = draw_sample(store, N_RECORDS, settings.seed)
test_labels = pd.Series([CLASSES[i] for i in store.labels(store.rows("test"))])
counts = pd.DataFrame({
    "class": list(CLASSES), "rhythm": [CLASS_NAMES[c] for c in CLASSES],
    "test split": [int((test_labels == c).sum()) for c in CLASSES],
    "sample": [sample.labels.count(c) for c in CLASSES],
})
show_table(counts, f"The sample: {len(sample.record_ids)} of {len(test_labels):,} test "
           f"records drawn at random with seed {sample.seed}, per class.",
           "tbl-llm-sample", presented=True)
ids = pd.DataFrame({"class": list(CLASSES), "records": [
    ", ".join(r for r, lab in zip(sample.record_ids, sample.labels) if lab == c) or "—"
    for c in CLASSES]})
glue("llm_sample_n", len(sample.record_ids))
glue("llm_sample_seed", sample.seed)
show_table(ids, "Record ids of the sample, per class (the model is never told them).",
           "tbl-llm-sample-ids", presented=True)

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
    show_png(img.png, f"fig-llm-image-{i}",
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

# %% tags=["hide-input"]
zero_shot = build_prompt()
example_rows = draw_examples(store, SHOWN_K, settings.seed)
few_shot = build_prompt([(render_ecg(store.signal(r), store.fs), lab)
                         for r, _, lab in example_rows])
display(Markdown("**Zero-shot conversation, in full:**\n\n```text\n" + readable(zero_shot)
                 + "\n```"))
prompts = pd.DataFrame({
    "condition": [zero_shot.condition, few_shot.condition],
    "images per request": [1, 1 + len(few_shot.examples)],
    "prompt hash": [zero_shot.hash[:16] + "…", few_shot.hash[:16] + "…"],
    "command": ["ecgpaper llm run", f"ecgpaper llm run --few-shot {SHOWN_K}"],
})
show_table(prompts, "The two conditions. Sampling parameters: "
           + ", ".join(f"{k} = {v}" for k, v in DEFAULT_PARAMS.items())
           + f"; model {DEFAULT_MODEL} unless ECGPAPER_LLM_MODEL names another.",
           "tbl-llm-prompts", presented=True)
say(f"Few-shot examples for k = {SHOWN_K}: training records "
    + ", ".join(f"{rid} ({lab})" for _, rid, lab in example_rows) + ".")

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

# %% tags=["hide-input"]
folder = llm_dir(settings)
runs = read_runs(folder)
cache = AnswerCache(folder)
glue("llm_runs", len(runs))
if not runs:
    display(Markdown(
        "```{important}\n**No model was queried for this build.** The machine that built "
        "this page had no endpoint and no cached answers, so there is no accuracy of ours "
        "for the vision-language model on this page: nothing was invented or simulated. "
        f"The only LLM number shown is the paper's ({paper.GPT4O_ACCURACY * 100:.0f} %, "
        "{numref}`tbl-llm-paper`). To collect answers and see them scored here:\n\n"
        f"    OPENAI_API_KEY=... ecgpaper llm run --profile {settings.name}\n"
        f"    OPENAI_API_KEY=... ecgpaper llm run --profile {settings.name} --few-shot 1\n"
        "    ecgpaper book --only llm_vision\n\n"
        "(with the same `--set` options as the book build). Another OpenAI-compatible "
        "service is chosen with ECGPAPER_LLM_BASE_URL and ECGPAPER_LLM_MODEL.\n```"))

# %% tags=["hide-input"]
scored = {}
for run in runs:
    title = f"{run['model']}, {run['condition']}"
    res = score_run(run, cache, settings.bootstrap, settings.seed)
    scored[(run["model"], run["condition"])] = res
    tag = f"{run['model']}-{run['condition']}".replace(".", "-").replace("_", "-")
    display(Markdown(f"### {title}"))
    synthetic = ("synthetic twin records" if run.get("synthetic") else "real records")
    tokens = run.get("tokens", {})
    cost = run.get("cost_usd")
    provenance = pd.DataFrame({"item": [
        "model", "endpoint", "answers dated", "prompt hash", "sampling parameters",
        "records (seed)", "data", "tokens in / out", "cost (list price)"], "value": [
        run["model"], run.get("endpoint", "—"),
        f"{run.get('first_date') or '—'} to {run['date'] or '—'}",
        run["prompt_hash"][:16] + "…",
        ", ".join(f"{k} = {v}" for k, v in run["params"].items()),
        f"{len(run['items'])} ({run['sample']['seed']}"
        + (", stratified" if run["sample"].get("stratified") else "") + ")",
        f"profile {run.get('profile', '—')}, {synthetic}",
        f"{tokens.get('prompt', 0):,} / {tokens.get('completion', 0):,}",
        f"${cost:.2f}" if cost is not None else "unknown for this model"]})
    show_table(provenance, f"Provenance of the cached answers ({title}).",
               f"tbl-llm-provenance-{tag}", presented=True)
    if run["prompt_hash"] not in (zero_shot.hash, few_shot.hash) and run["few_shot"] <= 1:
        say("The cached answers were collected with a prompt that differs from the one "
            "shown above (another version of the text or the examples): they are scored "
            "as they are, under their own prompt hash.")
    acc, lo, hi = res["accuracy"]
    outcomes = res["outcomes"]
    show_table(pd.DataFrame({"answers read": [*OUTCOMES, MISSING],
                             "records": [int(outcomes[k]) for k in [*OUTCOMES, MISSING]]}),
               f"How the answers were read ({title}); all but strict and lenient count as "
               "wrong.", f"tbl-llm-outcomes-{tag}", presented=True)
    recall = res["per_class"]
    per_class = pd.DataFrame({
        "class": recall.index, "records": recall["support"].astype(int),
        "correct": recall["correct"].astype(int),
        "recall (95 % CI)": [fmt_ci(v, a, b) if n else "—" for v, a, b, n in zip(
            recall["recall"], recall["recall_low"], recall["recall_high"],
            recall["support"])]})
    show_table(per_class, f"{title}: accuracy {fmt_ci(acc, lo, hi)} on "
               f"{res['n']} records, beside the paper's {paper.GPT4O_ACCURACY * 100:.0f} % on "
               f"{paper.GPT4O_RECORDS} (real records); recall per class with 95 % "
               "bootstrap intervals.", f"tbl-llm-recall-{tag}", presented=True)
    show_figure(plot_confusion(res["confusion"], normalize=True, title=""),
                f"fig-llm-confusion-{tag}",
                f"Confusion matrix of {title}: rows the true rhythm, columns the class the "
                "answer named ('no class': refused, unparseable or not answered).")
    try:
        nets = networks_beside(settings, run, res["answers"], settings.bootstrap,
                               settings.seed)
    except ValueError as exc:
        nets = pd.DataFrame()
        say(f"The networks cannot be compared on these records: {exc}.")
    if not nets.empty:
        beside = pd.DataFrame({
            "classifier": [title, *nets["classifier"]],
            "records": [f"{res['n']:,}", *(f"{n:,}" for n in nets["records"])],
            "accuracy (95 % CI)": [fmt_ci(acc, lo, hi), *(fmt_ci(v, a, b) for v, a, b in zip(
                nets["accuracy"], nets["accuracy_low"], nets["accuracy_high"]))],
            "only the network right": ["—", *(f"{k:,}" for k in nets["only network right"])],
            "only the LLM right": ["—", *(f"{k:,}" for k in nets["only LLM right"])],
            "McNemar p": ["—", *("< 0.001" if v < 0.001 else fmt_number(v)
                                 for v in nets["McNemar p"])]})
        show_table(beside, f"The model and the networks on the same {res['n']} records; "
                   "McNemar's exact test on the records where exactly one of the two is "
                   "right.", f"tbl-llm-networks-{tag}", presented=True)
    else:
        say("No trained network under this profile yet, so the networks are not shown "
            "beside the model (run the experiment pages or `ecgpaper train`).")
    glue(f"llm_accuracy_{tag}", fmt_number(acc))

# %% [markdown]
# ## Zero-shot against few-shot
#
# When both conditions were run for the same model on the same records, McNemar's exact
# test says whether the examples changed how many records the model gets right.

# %% tags=["hide-input"]
pairs = []
for (model, cond), res in scored.items():
    if cond == "zero-shot":
        for (model2, cond2), res2 in scored.items():
            if model2 == model and cond2.startswith("few-shot") and \
                    list(res2["answers"]["record_id"]) == list(res["answers"]["record_id"]):
                test = mcnemar(res2["answers"]["correct"], res["answers"]["correct"])
                pairs.append({"model": model, "few-shot condition": cond2,
                              "zero-shot accuracy": res["accuracy"][0],
                              "few-shot accuracy": res2["accuracy"][0],
                              "only few-shot right": test["only_a"],
                              "only zero-shot right": test["only_b"],
                              "McNemar p": test["p_value"]})
if pairs:
    show_table(pd.DataFrame(pairs), "Few-shot against zero-shot on the same records.",
               "tbl-llm-few-shot")
else:
    say("No model has answers for both conditions on the same records in this build, so "
        "the few-shot question stays open here.")

# %% [markdown]
# ## Recap
#
# - The experiment is rerun with one command per condition; every image, every prompt and
#   every answer is on disk, and the page scores the cache without network access.
# - Answers are read strictly, then leniently; refusals and unreadable answers count as
#   wrong and are counted.
# - The model and the networks are compared on the same records, with intervals and a
#   paired test; without cached answers the page shows only the paper's number.
