#!/usr/bin/env python3
"""One entry point for a fresh machine with nothing but Python >= 3.10:

    python3 run.py book [ecgpaper book options]   # build the whole book (demo profile)
    python3 run.py test [pytest options]          # run the test suite

If no virtual environment is active, it creates `.venv` here, installs the `ecgpaper`
package with its dependencies (torch pinned to the 2.13.0 CPU build unless a torch is
already installed in the environment, e.g. a CUDA build you chose; where Python caches
no bytecode, it byte-compiles them once), and runs the command inside it. Installation is
repeated only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
CPU_TORCH = "torch==2.13.0"


def in_virtualenv() -> bool:
    return sys.prefix != sys.base_prefix or "CONDA_PREFIX" in os.environ


def environment_python() -> Path:
    """The interpreter to run in: the active environment's, or .venv's (created here)."""
    if in_virtualenv():
        return Path(sys.executable)
    python = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        print(f"creating a virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    return python


def run(cmd: list[str], **kwargs) -> None:
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def ensure_installed(python: Path) -> None:
    """Install ecgpaper (editable) and its dependencies when not yet done for this
    version of pyproject.toml."""
    spec = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    marker = Path(subprocess.run([str(python), "-c", "import sys; print(sys.prefix)"],
                                 capture_output=True, text=True, check=True).stdout.strip())
    marker = marker / ".ecgpaper-installed"
    if marker.is_file() and marker.read_text() == spec:
        return
    # --no-compile: byte-compiling every installed file (torch alone has thousands) one
    # by one costs more than compiling, on first import, the few modules a command uses
    # (see compile_environment for machines that never cache them)
    quiet = ["--quiet", "--no-compile", "--disable-pip-version-check"]
    has_torch = subprocess.run([str(python), "-c", "import torch"],
                               capture_output=True).returncode == 0
    if not has_torch:
        # The CPU build; GPU users install their own torch into the environment first.
        run([python, "-m", "pip", "install", *quiet, CPU_TORCH])
    run([python, "-m", "pip", "install", *quiet, "-e", f"{ROOT}[test]"])
    compile_environment(python)
    marker.write_text(spec)


def compile_environment(python: Path) -> None:
    """Where Python keeps no bytecode cache (PYTHONDONTWRITEBYTECODE is set, as on some
    CI machines), every process compiles each module it imports again: about 4 s for
    torch, pandas and scipy in every chapter's kernel and every command a test starts.
    Byte-compile the environment's packages once instead (in parallel, about 20 s on 2
    cores); elsewhere the first import caches them."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return
    site = subprocess.run([str(python), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    print(f"+ {python} -m compileall -q -j 0 {site}", flush=True)
    # a few packages ship files that are not Python 3 (templates, test data): their
    # errors are expected and do not stop the rest from compiling
    subprocess.run([str(python), "-m", "compileall", "-q", "-j", "0", site],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"book", "test", "install"}:
        print(__doc__)
        return 2
    python = environment_python()
    ensure_installed(python)
    command, rest = argv[0], argv[1:]
    if command == "install":
        return 0
    if command == "book":
        cmd = [python, "-m", "ecgpaper", "book", *rest]
    else:
        cmd = [python, "-m", "pytest", *rest]
    return subprocess.run([str(c) for c in cmd], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
