"""The `ecgpaper` command: one subcommand per module in `ecgpaper.commands`.

Each command module defines HELP, `register(parser)` and `run(args) -> int`, and imports
heavy libraries (torch, neurokit2) inside `run` so that `ecgpaper --help` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name on the command line -> module in ecgpaper.commands
COMMANDS = {
    "download": "download",
    "prepare": "prepare",
    "data": "data",
    "twin": "twin",
    "train": "train",
    "evaluate": "evaluate",
    "book": "book",
    "bench": "bench",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecgpaper",
        description="Executable paper: ECG rhythm classification on Chapman-Shaoxing.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"ecgpaper {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(f"ecgpaper.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"ecgpaper.commands.{module_name}":
                continue  # command not part of this installation yet
            raise
        p = sub.add_parser(name, help=module.HELP.replace("%", "%%"), description=module.HELP)
        module.register(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        # Errors raised on bad input carry a message naming the file and the problem.
        print(f"ecgpaper {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
