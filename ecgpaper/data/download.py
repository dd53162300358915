"""Fetch the published Chapman-Shaoxing files: resumable (HTTP Range), size/checksum
verified, archives tested before they are unpacked. A file already in the destination is
kept when it verifies (so a rerun skips it) and refused by name, never overwritten, when
it does not: it may be the user's.

What to fetch comes from `ecgpaper/resources/downloads.json`. Where a real checksum is
not known the manifest says `"sha256": null`; such files are checked by size only (or not
at all when the size is unknown too), and the command says so. `base_url` (or the
environment variable ECGPAPER_DOWNLOAD_BASE_URL) replaces every file's base URL, e.g. a
mirror or a local test server.

PTB-XL's release zip holds both sampling rates; `data.download_rate` fetches one of them
file by file instead (`ecgpaper download ptbxl --rate 100`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from ..fileio import file_sha256
from ..paths import RESOURCES

ENV_BASE_URL = "ECGPAPER_DOWNLOAD_BASE_URL"
CHUNK = 1 << 20


class DownloadError(RuntimeError):
    """A failed, refused, interrupted or corrupted download (message says what to do)."""


def load_manifest(path=None) -> dict:
    return json.loads(Path(path or RESOURCES / "downloads.json").read_text())


def manual_instructions(dataset: str = "chapman", dest="DIR", manifest: dict | None = None) -> str:
    """How to install a dataset by hand (from the manifest), for when fetching fails."""
    entry = (manifest or {}).get(dataset, {})
    if "manual" not in entry:                  # a mirror's manifest may not carry the text
        entry = load_manifest().get(dataset, {})
    text = entry.get("manual", "see the dataset's landing page")
    return f"To install the {dataset} data by hand: " + text.format(dest=dest)


def default_variant(dataset: str, manifest: dict | None = None) -> str:
    manifest = manifest or load_manifest()
    if dataset not in manifest:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {sorted(manifest)}")
    entry = manifest[dataset]
    return entry.get("default_variant") or next(iter(entry["variants"]))


def plan_files(dataset: str = "chapman", variant: str | None = None, base_url: str | None = None,
               manifest: dict | None = None) -> list[dict]:
    """The files of a variant: name, url, size, sha256, unpack."""
    manifest = manifest or load_manifest()
    if dataset not in manifest:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {sorted(manifest)}")
    entry = manifest[dataset]
    variant = variant or default_variant(dataset, manifest)
    if variant not in entry["variants"]:
        raise ValueError(f"unknown variant {variant!r} for {dataset}; expected one of "
                         f"{sorted(entry['variants'])}")
    base_url = base_url or os.environ.get(ENV_BASE_URL)
    files = []
    for name in entry["variants"][variant]:
        f = entry["files"][name]
        base = (base_url or f["base_url"]).rstrip("/")
        path = name if base_url else f["path"]
        files.append(dict(name=name, url=f"{base}/{path}", size=f.get("size"),
                          sha256=f.get("sha256"), unpack=bool(f.get("unpack")),
                          provides=f.get("provides")))
    return files


def _verify(path: Path, spec: dict) -> str:
    """Raise DownloadError if size or sha256 disagree; return what was checked."""
    size = path.stat().st_size
    if spec["size"] is not None and size != spec["size"]:
        raise DownloadError(f"{spec['name']}: {size} bytes, expected {spec['size']}")
    if spec["sha256"]:
        digest = file_sha256(path)
        if digest != spec["sha256"]:
            raise DownloadError(f"{spec['name']}: sha256 {digest}, expected {spec['sha256']}")
        return "size and sha256 verified"
    if spec["size"] is not None:
        return "no published sha256: size verified only"
    return "no published size or sha256: not verified"


def _already_present(final: Path, spec: dict) -> str:
    """What verified the file already at `final` (it is then kept, not fetched again).
    Anything else there (another size or sha256, a folder, a broken link) is the user's:
    a DownloadError naming it, so it is never overwritten."""
    how = "not overwritten; move it away or choose another --dest"
    if not final.is_file():
        raise DownloadError(f"{final}: already exists and is not a file, expected the "
                            f"download {spec['name']} or nothing there; {how}")
    try:
        return _verify(final, spec)
    except DownloadError as exc:
        why = str(exc).split(": ", 1)[-1]
        raise DownloadError(f"{final}: already exists and is not the expected download "
                            f"({why}); {how}") from None


def check_no_links(dest: Path, path: Path) -> None:
    """Refuse to write `path` when it, or a folder between `dest` and it, is a symbolic
    link: the bytes would land outside --dest, perhaps over a file of the user's."""
    current = dest
    for part in path.relative_to(dest).parts:
        current = current / part
        if current.is_symlink():
            what = "file" if current == path else "folder"
            raise DownloadError(f"{current}: a symbolic link inside --dest {dest}, expected "
                                f"a real {what} or nothing there: downloads are not written "
                                "through links; move it away or choose another --dest")


def _fetch(spec: dict, part: Path, progress: bool, timeout: float) -> None:
    """Download spec['url'] into `part`, resuming from its current length."""
    from tqdm import tqdm

    if part.is_symlink() or (part.exists() and not part.is_file()):
        raise DownloadError(f"{part}: a partial download there is a link or a folder, "
                            "expected a file this command wrote; move it away")
    start = part.stat().st_size if part.exists() else 0
    if spec["size"] is not None and start == spec["size"]:
        return
    req = urllib.request.Request(spec["url"], headers={"User-Agent": "ecgpaper"})
    if start:
        req.add_header("Range", f"bytes={start}-")
    try:
        resp = urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and start:      # nothing left to fetch
            return
        raise DownloadError(f"{spec['url']}: the server refused the download "
                            f"(HTTP {exc.code} {exc.reason})") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"{spec['url']}: could not connect ({reason})") from None
    with resp:
        if start and resp.status != 206:     # server ignores Range: start again
            start = 0
        length = resp.headers.get("Content-Length")
        total = start + int(length) if length is not None else spec["size"]
        got = start
        with open(part, "ab" if start else "wb") as fh, \
                tqdm(total=total, initial=start, unit="B", unit_scale=True,
                     desc=spec["name"], disable=not progress) as bar:
            try:
                while True:
                    chunk = resp.read(CHUNK)
                    if not chunk:
                        break
                    fh.write(chunk)
                    got += len(chunk)
                    bar.update(len(chunk))
            except (OSError, urllib.error.URLError, ValueError) as exc:
                raise DownloadError(f"{spec['name']}: download interrupted after {got} bytes "
                                    f"({exc}); run the same command again to resume") from None
    if total is not None and got < total:
        raise DownloadError(f"{spec['name']}: download interrupted after {got} of {total} "
                            "bytes; run the same command again to resume")


def _unpack(archive: Path, dest: Path) -> None:
    """Test the zip, extract it into a temporary folder, then move its entries into dest.

    An entry already in dest is replaced only if an earlier unpack of this same archive
    put it there; anything else there belongs to the user and stops the unpack.
    """
    marker = dest / f".{archive.name}.unpacked"
    check_no_links(dest, marker)
    try:
        with zipfile.ZipFile(archive) as zf:
            tops = sorted({name.split("/")[0] for name in zf.namelist() if name.split("/")[0]})
            clash = [t for t in tops if (dest / t).exists() or (dest / t).is_symlink()]
            if clash and not marker.is_file():
                raise DownloadError(f"{dest / clash[0]}: already exists and was not unpacked "
                                    f"from {archive.name} by ecgpaper; expected a destination "
                                    "without it: move it away or choose another --dest")
            bad = zf.testzip()
            if bad is not None:
                raise DownloadError(f"{archive}: member {bad} is corrupted; not unpacked")
            # a fresh folder of our own: never one already there, which may be the user's
            tmp = Path(tempfile.mkdtemp(prefix=f".unpack-{archive.stem}-", dir=dest))
            try:
                zf.extractall(tmp)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    except zipfile.BadZipFile as exc:
        raise DownloadError(f"{archive}: not a valid zip archive ({exc}); not unpacked") from None
    for entry in tmp.iterdir():
        target = dest / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)            # ours: the marker says this archive made it
        elif target.exists() or target.is_symlink():
            target.unlink()
        os.replace(entry, target)
    shutil.rmtree(tmp, ignore_errors=True)
    marker.write_text(file_sha256(archive))


def download(dataset: str = "chapman", dest=None, *, variant: str | None = None,
             base_url: str | None = None, dry_run: bool = False, progress: bool = True,
             manifest: dict | None = None, timeout: float = 60.0) -> list[Path]:
    """Fetch, verify and unpack the files of `variant` into `dest`; returns their paths."""
    from ..paths import work_root

    dest = Path(dest) if dest else work_root() / "data" / dataset
    files = plan_files(dataset, variant, base_url, manifest)
    say = print
    if dry_run:
        say(f"would download {len(files)} file(s) into {dest}:")
        for f in files:
            check = ("sha256 " + f["sha256"][:12] + "…") if f["sha256"] else \
                (f"size {f['size']} (no sha256 known)" if f["size"] else "no size/sha256 known")
            say(f"  {f['name']:<26} {f['url']}  [{check}]" + ("  unpack" if f["unpack"] else ""))
        return [dest / f["name"] for f in files]
    dest.mkdir(parents=True, exist_ok=True)
    # Before fetching anything: each file already there is the expected one, or refused,
    # and nothing this command writes is a link to somewhere else.
    for spec in files:
        for name in (f"{spec['name']}.part", f".{spec['name']}.unpacked"):
            check_no_links(dest, dest / name)
    present = {spec["name"]: _already_present(dest / spec["name"], spec) for spec in files
               if (dest / spec["name"]).exists() or (dest / spec["name"]).is_symlink()}
    paths = []
    for spec in files:
        final, part = dest / spec["name"], dest / (spec["name"] + ".part")
        marker = dest / f".{spec['name']}.unpacked"
        if spec["name"] in present:
            say(f"{spec['name']}: already present ({present[spec['name']]})")
        else:
            try:
                _fetch(spec, part, progress, timeout)
            except DownloadError as exc:
                raise DownloadError(f"{exc}\n{manual_instructions(dataset, dest, manifest)}") from None
            try:
                checked = _verify(part, spec)
            except DownloadError as exc:
                part.unlink(missing_ok=True)
                raise DownloadError(f"{exc}: the download is corrupted and was removed (not "
                                    "unpacked); run the command again") from None
            os.replace(part, final)
            say(f"{spec['name']}: downloaded ({checked})")
        if spec["unpack"] and not marker.exists():
            _unpack(final, dest)
            say(f"{spec['name']}: unpacked into {dest}")
        paths.append(final)
    return paths
