#!/usr/bin/env bash
# One prepared GPU measurement (training throughput at paper size, serving latency,
# experiments 1 and 7 at the database's size, torchrun), at most --minutes of wall time,
# each result written as soon as it exists. See ecgpaper/benchmarks/gpu.py.
#
#   bash scripts/gpu_bench.sh --prepare .whl     # on any machine with pip: fetch the wheels
#                                                # a bare GPU machine lacks (< 64 MiB)
#   bash scripts/gpu_bench.sh                    # on the GPU machine (installs .whl if there)
#   bash scripts/gpu_bench.sh --dry-run --out /tmp/gpu.json   # tiny, on a CPU
# PYTHON names the interpreter (default python3).
set -euo pipefail
PYTHON="${PYTHON:-python3}"
cd "$(dirname "$0")/.."
if [ -d .whl ] && [ "${1:-}" != "--prepare" ]; then
  "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/ecgpaper-site .whl/*.whl
  export PYTHONPATH="/tmp/ecgpaper-site:${PYTHONPATH:-}"
fi
export PYTHONPATH="$PWD:${PYTHONPATH:-}" PYTHONUNBUFFERED=1
exec "$PYTHON" -m ecgpaper.benchmarks.gpu "$@"
