"""`ecgpaper bench NAME`: run one benchmark of `ecgpaper.benchmarks` and print or save it.

Speed and memory targets are measured here, never by timed unit tests; the book's
performance chapter runs the same functions in quick mode.
"""

from __future__ import annotations

HELP = "measure speed: prepare, twin, models, train (results also go into the book)"


def register(parser) -> None:
    from ..benchmarks.registry import benchmark_modules

    sub = parser.add_subparsers(dest="bench", metavar="NAME", required=True)
    for name, module in benchmark_modules().items():
        p = sub.add_parser(name, help=module.DESCRIPTION.replace("%", "%%"), description=module.DESCRIPTION)
        p.add_argument("--json", action="store_true", help="print JSON records")
        p.add_argument("--quick", action="store_true", help="small, fast version")
        p.add_argument("--out", help="also write the results, with the device and date they "
                                     "were measured on, to this JSON file (commit it under "
                                     "book/measurements/ to show it in the book)")
        module.add_arguments(p)
        p.set_defaults(_module=module)


def run(args) -> int:
    import json

    from ..measurements import write_measurement

    module = args._module
    skip = {"json", "quick", "out", "bench", "command", "_module", "_run"}
    kwargs = {k: v for k, v in vars(args).items() if k not in skip}
    table = module.measure(quick=args.quick, **kwargs)
    records = json.loads(table.to_json(orient="records"))
    if args.json:
        print(json.dumps(records, indent=1))
    else:
        print(table.to_string(index=False))
    if args.out:
        write_measurement(args.out, args.bench, records, device=kwargs.get("device"),
                          options={"quick": args.quick, **kwargs})
    return 0
