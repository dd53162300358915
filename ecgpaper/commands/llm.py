"""`ecgpaper llm run|score`: show a vision-language model the test ECGs as images and
score its answers.

    OPENAI_API_KEY=... ecgpaper llm run --profile demo            # 100 records, zero-shot
    OPENAI_API_KEY=... ecgpaper llm run --profile demo --few-shot 1
    ecgpaper llm score --profile demo                             # offline, from the cache

The endpoint is any OpenAI-compatible chat-completions service: ECGPAPER_LLM_MODEL
(default gpt-4o) and ECGPAPER_LLM_BASE_URL choose it; the key is read from the
environment only and never written anywhere.
"""

from __future__ import annotations

import argparse

HELP = "ask a vision-language model to classify rendered test ECGs (run) and score it"


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", default="demo", help="demo (default) or full")
    p.add_argument("--data-dir", default=None, help="database folder (full profile)")
    p.add_argument("--work-dir", default=None,
                   help="folder of the store, artifacts and the llm cache "
                        "(default _work/<profile>)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a profile setting as the book run did, e.g. "
                        "--set twin_records=400")


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    r = sub.add_parser("run", help="render the sample, ask what is not cached, record the run")
    _common(r)
    r.add_argument("--n", type=int, default=100, help="test records to sample (default 100)")
    r.add_argument("--few-shot", type=int, default=0, metavar="K",
                   help="K labelled training images per class before each query "
                        "(default 0: zero-shot, as in the paper)")
    r.add_argument("--stratified", action="store_true",
                   help="draw one record of every class first (beyond the paper)")
    r.add_argument("--seed", type=int, default=None, help="sample seed (default: the profile's)")
    r.add_argument("--concurrency", type=int, default=4, help="requests in flight (default 4)")
    r.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    r.add_argument("--max-retries", type=int, default=5,
                   help="retries on 429, 5xx and timeouts, with exponential back-off (default 5)")
    r.add_argument("--no-progress", action="store_true", help="no progress bars")
    s = sub.add_parser("score", help="score every cached run (no network)")
    _common(s)
    s.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                   help="bootstrap resamples for the CIs (default 1000)")
    s.add_argument("--json", action="store_true", help="print JSON")


def _profile(args):
    from ..profiles import get_profile, parse_overrides
    overrides = parse_overrides(args.set)
    for key in ("data_dir", "work_dir"):
        if getattr(args, key) is not None:
            overrides[key] = getattr(args, key)
    return get_profile(args.profile, **overrides)


def run(args) -> int:
    return _run(args) if args.action == "run" else _score(args)


def _run(args) -> int:
    from ..llm.client import endpoint_from_env
    from ..llm.run import run_llm
    for name, value, least in (("--n", args.n, 1), ("--few-shot", args.few_shot, 0),
                               ("--concurrency", args.concurrency, 1),
                               ("--max-retries", args.max_retries, 0)):
        if value < least:
            raise ValueError(f"{name}: {value}, expected a whole number >= {least}")
    if args.timeout <= 0:
        raise ValueError(f"--timeout: {args.timeout}, expected seconds > 0")
    endpoint = endpoint_from_env(timeout_s=args.timeout, max_retries=args.max_retries,
                                 concurrency=args.concurrency)
    manifest = run_llm(_profile(args), endpoint, n=args.n, few_shot=args.few_shot,
                       seed=args.seed, stratified=args.stratified,
                       progress=not args.no_progress)
    tokens = manifest["tokens"]
    cost = manifest["cost_usd"]
    print(f"tokens (all cached answers of this run): {tokens['prompt']:,} in, "
          f"{tokens['completion']:,} out; cost: "
          + (f"${cost:.2f}" if cost is not None else "unknown for this model "
             "(set ECGPAPER_LLM_PRICE=IN,OUT in US dollars per million tokens)"))
    return 1 if manifest["requests"]["failed"] else 0


def _score(args) -> int:
    import json

    from ..llm.cache import AnswerCache, llm_dir, read_runs
    from ..llm.score import networks_beside, score_run
    from ..paper import GPT4O_ACCURACY, GPT4O_RECORDS
    if args.bootstrap < 0:
        raise ValueError(f"--bootstrap: {args.bootstrap}, expected a number >= 0")
    profile = _profile(args)
    folder = llm_dir(profile)
    runs = read_runs(folder)
    if not runs:
        raise FileNotFoundError(f"{folder / 'runs'}: no run to score; fill the cache with "
                                f"`ecgpaper llm run --profile {profile.name}` first")
    cache = AnswerCache(folder)
    out = []
    for r in runs:
        res = score_run(r, cache, args.bootstrap, profile.seed)
        nets = networks_beside(profile, r, res["answers"], args.bootstrap, profile.seed)
        acc, lo, hi = res["accuracy"]
        out.append({"model": r["model"], "condition": r["condition"], "date": r["date"],
                    "prompt_hash": r["prompt_hash"], "n": res["n"],
                    "accuracy": [acc, lo, hi],
                    "outcomes": {k: int(v) for k, v in res["outcomes"].items()},
                    "recall": {c: None if row["support"] == 0 else
                               [row["recall"], row["recall_low"], row["recall_high"]]
                               for c, row in res["per_class"].iterrows()},
                    "networks": nets.to_dict(orient="records")})
    if args.json:
        print(json.dumps(out, indent=1, default=float))
        return 0
    print(f"paper (reported): GPT-4o {GPT4O_ACCURACY:.0%} on {GPT4O_RECORDS} test records")
    for o in out:
        acc, lo, hi = o["accuracy"]
        print(f"\n{o['model']} {o['condition']} (answers of {o['date']}, prompt "
              f"{o['prompt_hash'][:12]}): accuracy {acc:.3f} [{lo:.3f}, {hi:.3f}] on "
              f"{o['n']} records")
        print("  outcomes: " + ", ".join(f"{k} {v}" for k, v in o["outcomes"].items()))
        print("  recall: " + ", ".join(
            f"{c} {v[0]:.2f}" if v else f"{c} —" for c, v in o["recall"].items()))
        for n in o["networks"]:
            print(f"  {n['classifier']}: accuracy {n['accuracy']:.3f}; McNemar p = "
                  f"{n['McNemar p']:.3g} ({n['only network right']} only network right, "
                  f"{n['only LLM right']} only LLM right)")
    return 0
