"""`ecgpaper llm run`: sample, render, ask what is not cached yet, record the run.

Answers are cached one by one as they arrive, so an interrupted run loses at most the
requests in flight, and a rerun sends only what is missing (zero requests when the cache
is complete). The run manifest names the sample (seed, record ids), the prompt hash, the
model, the endpoint host and the date; it never holds the key.
"""

from __future__ import annotations

import datetime as _dt
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict

from .cache import AnswerCache, answer_key, llm_dir, write_run
from .client import Endpoint, EndpointError, LLMError, ask, cost_usd, make_client
from .prompt import build_prompt, messages
from .render import DPI, render_ecg, render_rows
from .sample import draw_examples, draw_sample


def prepare(store, n: int = 100, few_shot: int = 0, seed: int = 42,
            stratified: bool = False, progress: bool = True):
    """The sample, its images and the prompt (with rendered few-shot examples)."""
    sample = draw_sample(store, n, seed, stratified)
    examples = [(render_ecg(store.signal(row), store.fs), label)
                for row, _, label in draw_examples(store, few_shot, seed)]
    prompt = build_prompt(examples)
    images = render_rows(store, sample.rows, progress)
    return sample, images, prompt


def run_llm(profile, endpoint: Endpoint, n: int = 100, few_shot: int = 0,
            seed: int | None = None, stratified: bool = False, progress: bool = True,
            client=None, log=print) -> dict:
    """Fill the cache for one condition and write its manifest; returns the manifest."""
    from tqdm import tqdm

    from ..workspace import ensure_store
    seed = profile.seed if seed is None else int(seed)
    store = ensure_store(profile, progress=progress)
    sample, images, prompt = prepare(store, n, few_shot, seed, stratified, progress)
    folder = llm_dir(profile)
    cache = AnswerCache(folder)
    for img, _ in prompt.examples:
        cache.put_image(img.png, img.sha256)
    keys = [answer_key(img.sha256, prompt.hash, endpoint.model, endpoint.params)
            for img in images]
    first = {}                             # identical images are asked once
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    todo = [i for k, i in first.items() if cache.get(k) is None]
    log(f"{len(first) - len(todo)} of {len(first)} answers cached; "
        f"sending {len(todo)} request(s) to {endpoint.host} ({endpoint.model}, "
        f"{prompt.condition})")
    errors: dict[int, str] = {}
    sent_tokens = [0, 0]
    if todo:
        client = client or make_client(endpoint)
        date = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")

        def one(i: int):
            cache.put_image(images[i].png, images[i].sha256)
            return i, ask(client, endpoint, messages(prompt, images[i],
                                                     endpoint.params.get("detail", "high")))

        with ThreadPoolExecutor(max_workers=max(1, endpoint.concurrency)) as pool:
            futures = [pool.submit(one, i) for i in todo]
            for fut in tqdm(as_completed(futures), total=len(futures), desc="ask",
                            disable=not progress):
                try:
                    i, answer = fut.result()
                except EndpointError:
                    # every further request would fail the same way: stop asking
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
                except LLMError as exc:
                    i = todo[futures.index(fut)]
                    errors[i] = str(exc)
                    continue
                sent_tokens[0] += answer.prompt_tokens
                sent_tokens[1] += answer.completion_tokens
                cache.put(keys[i], {
                    **asdict(answer), "reported_model": answer.model,
                    "model": endpoint.model, "params": endpoint.params,
                    "prompt_hash": prompt.hash, "image_sha256": images[i].sha256,
                    "endpoint": endpoint.host, "date": date})
    for img in images:
        cache.put_image(img.png, img.sha256)
    items, tokens = [], [0, 0]
    for i, (rid, label, img, key) in enumerate(zip(sample.record_ids, sample.labels,
                                                   images, keys)):
        entry = cache.get(key)
        if entry:
            tokens[0] += int(entry.get("prompt_tokens", 0))
            tokens[1] += int(entry.get("completion_tokens", 0))
        items.append({"record_id": rid, "label": label, "image_sha256": img.sha256,
                      "key": key, "answered": entry is not None,
                      **({"error": errors[i]} if i in errors else {})})
    dates = sorted({e["date"] for e in (cache.get(k) for k in keys) if e})
    manifest = {
        "model": endpoint.model, "condition": prompt.condition,
        "few_shot": int(few_shot), "prompt_hash": prompt.hash, "params": endpoint.params,
        "endpoint": endpoint.host, "date": dates[-1] if dates else None,
        "first_date": dates[0] if dates else None, "dpi": DPI,
        "image_px": [images[0].width_px, images[0].height_px] if images else None,
        "examples": [{"image_sha256": img.sha256, "label": lab} for img, lab in prompt.examples],
        "sample": sample.to_dict(), "profile": profile.name,
        "synthetic": profile.is_synthetic, "items": items,
        "requests": {"sent": len(todo), "failed": len(errors),
                     "cached_before": len(first) - len(todo)},
        "tokens": {"prompt": tokens[0], "completion": tokens[1],
                   "this_run_prompt": sent_tokens[0], "this_run_completion": sent_tokens[1]},
        "cost_usd": cost_usd(endpoint.model, *tokens),
    }
    path = write_run(folder, manifest)
    log(f"run manifest: {path} ({sum(it['answered'] for it in items)} of {len(items)} "
        f"answered, {len(errors)} failed)")
    return manifest
