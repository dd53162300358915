"""`ecgpaper book`: execute the chapters and render the site."""

from __future__ import annotations

HELP = "execute the book's chapters (papermill) and render the site (Jupyter Book)"


def register(parser) -> None:
    parser.add_argument("--profile", default="demo", help="profile name (demo or full)")
    parser.add_argument("--data-dir", help="folder of the real database (full profile)")
    parser.add_argument("--only", nargs="+", metavar="CHAPTER",
                        help="execute only these chapters (and what they depend on)")
    parser.add_argument("--force", action="store_true",
                        help="re-execute the selected chapters even if unchanged")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a profile setting, e.g. --set twin_records=400")
    parser.add_argument("--no-build", action="store_true",
                        help="execute the notebooks but do not render the site")
    parser.add_argument("--pdf", action="store_true",
                        help="also render one PDF with LaTeX (needs pdflatex and latexmk)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="chapters executed side by side (default: 2 on a machine with "
                             "2 or more cores, else 1); the cores are shared between them")
    parser.add_argument("--list", action="store_true",
                        help="list the chapters in execution order and exit")


def run(args) -> int:
    from ..book import BookError, default_jobs, run_book, select
    from ..chapters import CHAPTERS
    from ..profiles import get_profile, parse_overrides

    if args.list:
        for c in select(CHAPTERS, None):
            deps = ", ".join(c.depends_on) or "-"
            print(f"{c.name:18s} notebooks/{c.notebook:22s} after: {deps}")
        return 0
    overrides = parse_overrides(args.set)
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    profile = get_profile(args.profile, **overrides)
    if not profile.is_synthetic and not profile.data_dir:
        raise ValueError(f"profile {profile.name!r} reads the real database: "
                         "give its folder with --data-dir DIR")
    try:
        result = run_book(profile, overrides, only=args.only, force=args.force,
                          build=not args.no_build, pdf=args.pdf,
                          jobs=args.jobs if args.jobs is not None else default_jobs())
    except BookError as exc:
        print(f"\nBOOK BUILD FAILED\n{exc}")
        return 1
    print(f"executed {len(result.executed)} chapter(s), skipped {len(result.skipped)}")
    if result.index_html:
        print(f"the book is ready: {result.index_html}")
    if result.pdf:
        print(f"the PDF is ready: {result.pdf}")
    return 0
