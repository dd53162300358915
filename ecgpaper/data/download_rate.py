"""One sampling rate of a PhysioNet release, file by file.

PTB-XL's release zip holds both its 500 Hz and its 100 Hz records. `ecgpaper download
ptbxl --rate 100` fetches the table, the code book and `records100/` only (whose
records hold a fifth of the samples of the 500 Hz ones): PhysioNet serves every file of
a release beside a SHA256SUMS.txt, so each file is checked against its published digest,
and a rerun fetches only what is missing. A file already there that is not the listed
one (or a SHA256SUMS.txt that is not the release's) is refused by name before anything
is fetched, never overwritten: it may be the user's. `base_url` (or
ECGPAPER_DOWNLOAD_BASE_URL) replaces the release's address, e.g. a mirror or a local
test server.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..fileio import atomic_write_bytes, file_sha256
from .download import ENV_BASE_URL, DownloadError, _fetch, _verify, check_no_links

# Releases PhysioNet serves file by file, and the folder of each sampling rate in them.
PER_FILE = {"ptbxl": {"url": "https://physionet.org/files/ptb-xl/1.0.3",
                      "rates": {500: "records500", 100: "records100"}}}
CHECKSUMS = "SHA256SUMS.txt"


def _read_text(url: str, timeout: float) -> str:
    """A small text file (a checksum list) fetched into memory."""
    req = urllib.request.Request(url, headers={"User-Agent": "ecgpaper"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url}: the server refused the download "
                            f"(HTTP {exc.code} {exc.reason})") from None
    except (urllib.error.URLError, OSError) as exc:
        raise DownloadError(f"{url}: could not connect ({getattr(exc, 'reason', exc)})") from None


def parse_checksums(text: str, where: str) -> dict[str, str]:
    """{relative path: sha256} from a `sha256sum`-style list; a line that is not a
    64-hex digest and a relative path inside the release is an error naming it."""
    out = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, name = line.strip().partition(" ")
        name = name.strip().lstrip("*")
        parts = Path(name).parts
        if (len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest.lower())
                or not name or Path(name).is_absolute() or ".." in parts):
            raise DownloadError(f"{where}: line {n} is not '<sha256> <relative path>' "
                                f"({line[:80]!r}); expected PhysioNet's {CHECKSUMS}")
        out[name] = digest.lower()
    return out


def plan_rate(dataset: str, rate: int, checksums: dict[str, str],
              base_url: str | None = None) -> list[dict]:
    """The files of one sampling rate of a per-file release: every listed file except
    the other rates' record folders (and the checksum list itself)."""
    if dataset not in PER_FILE:
        raise ValueError(f"--rate: {dataset} has no per-rate download; expected one of "
                         f"{sorted(PER_FILE)}")
    folders = PER_FILE[dataset]["rates"]
    if rate not in folders:
        raise ValueError(f"--rate {rate}: {dataset} is published at {sorted(folders)} Hz")
    others = {f for r, f in folders.items() if r != rate}
    base = (base_url or os.environ.get(ENV_BASE_URL) or PER_FILE[dataset]["url"]).rstrip("/")
    return [dict(name=name, url=f"{base}/{name}", size=None, sha256=digest, unpack=False,
                 provides=None)
            for name, digest in sorted(checksums.items())
            if name != CHECKSUMS and Path(name).parts[0] not in others]


def _is_present(spec: dict, dest: Path) -> bool:
    """True when the file is already there with its listed digest (kept, not fetched).
    Anything else of that name is the user's: a DownloadError naming it."""
    final = dest / spec["name"]
    check_no_links(dest, final.parent)
    if not final.exists() and not final.is_symlink():
        return False
    if not final.is_file():
        raise DownloadError(f"{final}: already exists and is not a file, expected the "
                            f"release's {spec['name']} or nothing there")
    digest = file_sha256(final)
    if digest != spec["sha256"]:
        raise DownloadError(f"{final}: already exists with sha256 {digest}, expected the "
                            f"release's {spec['sha256']}")
    return True


def _fetch_checked(spec: dict, dest: Path, timeout: float) -> str:
    """Fetch one file of a per-file release (`_is_present` found it missing)."""
    final = dest / spec["name"]
    check_no_links(dest, final.parent)
    final.parent.mkdir(parents=True, exist_ok=True)
    check_no_links(dest, final.parent)      # a link made while the others were fetched
    part = final.with_name(final.name + ".part")
    _fetch(spec, part, False, timeout)
    try:
        _verify(part, spec)
    except DownloadError:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, final)
    return "downloaded"


def download_rate(dataset: str, dest, rate: int, *, base_url: str | None = None,
                  dry_run: bool = False, progress: bool = True, timeout: float = 60.0,
                  workers: int = 8) -> list[Path]:
    """Fetch one sampling rate of a release file by file into `dest` (PTB-XL at 100 Hz:
    `ptbxl_database.csv`, `scp_statements.csv`, `records100/` ...), each checked against
    the release's SHA256SUMS.txt; several files at a time (one HTTP request each)."""
    from tqdm import tqdm

    from ..paths import work_root
    plan_rate(dataset, rate, {})            # an unknown dataset or rate fails before fetching
    dest = Path(dest) if dest else work_root() / "data" / dataset
    base = base_url or os.environ.get(ENV_BASE_URL) or PER_FILE[dataset]["url"]
    listing = f"{base.rstrip('/')}/{CHECKSUMS}"
    text = _read_text(listing, timeout)
    files = plan_rate(dataset, rate, parse_checksums(text, listing), base_url)
    if dry_run:
        print(f"would download {len(files)} file(s) of the {rate} Hz release into {dest}, "
              f"each checked against {listing}:")
        for f in files[:5]:
            print(f"  {f['url']}")
        return [dest / f["name"] for f in files]
    dest.mkdir(parents=True, exist_ok=True)
    # Before fetching anything: what is already there is the release's, or refused.
    listed, data = dest / CHECKSUMS, text.encode("utf-8")
    if (listed.exists() or listed.is_symlink()) and \
            (not listed.is_file() or listed.read_bytes() != data):
        raise DownloadError(f"{listed}: already exists and is not {listing}; not "
                            "overwritten: move it away or choose another --dest")
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        checks = [(spec, pool.submit(_is_present, spec, dest)) for spec in files]
        present, clash = [], []
        for spec, future in checks:
            try:
                present.append(future.result())
            except DownloadError as exc:
                clash.append(str(exc))
    if clash:
        raise DownloadError(f"{len(clash)} file(s) already in {dest} are not the release's "
                            f"and were not overwritten, first: {clash[0]}; move them away "
                            "or choose another --dest")
    if not listed.exists():
        atomic_write_bytes(listed, data)
    missing = [spec for spec, here in zip(files, present) if not here]
    failed, status = [], {"present": len(files) - len(missing), "downloaded": 0}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool, \
            tqdm(total=len(missing), unit="file", desc=f"{dataset} {rate} Hz",
                 disable=not progress) as bar:
        futures = {pool.submit(_fetch_checked, f, dest, timeout): f for f in missing}
        for future, spec in futures.items():
            try:
                status[future.result()] += 1
            except DownloadError as exc:
                failed.append(str(exc))
            bar.update(1)
    if failed:
        raise DownloadError(f"{len(failed)} of {len(files)} file(s) failed, first: "
                            f"{failed[0]}; run the same command again to fetch the rest")
    print(f"{dataset} at {rate} Hz: {status['downloaded']} file(s) downloaded, "
          f"{status['present']} already present (each sha256 verified)")
    return [dest / f["name"] for f in files]
