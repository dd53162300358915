"""The `ecgpaper` command: one subcommand per module in `ecgpaper.commands`.

Each command module defines HELP, `register(parser)` and `run(args) -> int`, and imports
heavy libraries (torch, neurokit2) inside `run` so that `ecgpaper --help` stays instant.

A mistake in the user's input (a file, a setting) ends in one line on stderr,
`ecgpaper COMMAND: error: WHAT: what is wrong, expected WHAT`, and exit status 2; never
in a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
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
    "predict": "predict",
    "serve": "serve",
    "export": "export",
    "llm": "llm",
}

# Exceptions that the package raises on bad input, with a message naming the file or
# setting (OSError covers missing, unreadable and directory-instead-of-file paths).
USER_ERRORS = (ValueError, OSError, RuntimeError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecgpaper",
        description="Executable paper: ECG rhythm classification on Chapman-Shaoxing.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"ecgpaper {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"ecgpaper.commands.{module_name}")
        p = sub.add_parser(name, help=module.HELP.replace("%", "%%"), description=module.HELP)
        module.register(p)
        p.set_defaults(_run=module.run)
    return parser


def one_line(message: str) -> str:
    """A multi-line exception message (torch's, pandas') folded onto one line."""
    return "; ".join(part.strip() for part in str(message).splitlines() if part.strip())


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status = int(args._run(args) or 0)
        sys.stdout.flush()      # a closed pipe shows up here, inside the handler below
        return status
    except BrokenPipeError:
        # The reader went away (`ecgpaper ... | head -1`): as the Python documentation
        # recommends, point stdout at devnull so the flush at exit cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except USER_ERRORS as exc:
        print(f"ecgpaper {args.command}: error: {one_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
