"""`ecgpaper download` against a local HTTP server with Range support: full download,
interrupted download that resumes, corrupted download rejected and not unpacked."""

import hashlib
import io
import random
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ecgpaper.data.download import DownloadError, download, plan_files


def make_zip(files: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


_RNG = random.Random(0)
ARCHIVE = make_zip({f"ECGData/MUSE_{i}.csv": ",".join(str(_RNG.randint(-999, 999))
                                                      for _ in range(4000)) for i in range(5)})
XLSX = b"not really excel but bytes " * 100


class Server:
    def __init__(self):
        self.files = {"ECGData.zip": ARCHIVE, "Diagnostics.xlsx": XLSX}
        self.cut_once = {}          # name -> bytes to send before dropping the connection
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                name = self.path.lstrip("/")
                rng = self.headers.get("Range")
                server.requests.append((name, rng))
                if name not in server.files:
                    self.send_error(404, "Not Found")
                    return
                data = server.files[name]
                start = int(rng.split("=")[1].split("-")[0]) if rng else 0
                body = data[start:]
                self.send_response(206 if rng else 200)
                if rng:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                cut = server.cut_once.pop(name, None)
                self.wfile.write(body if cut is None else body[:cut])
                self.wfile.flush()
                if cut is not None:
                    self.close_connection = True
                    self.connection.shutdown(2)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server():
    s = Server()
    yield s
    s.close()


def manifest(zip_sha=hashlib.sha256(ARCHIVE).hexdigest(), zip_size=len(ARCHIVE)):
    return {"chapman": {
        "variants": {"raw": ["Diagnostics.xlsx", "ECGData.zip"]},
        "files": {
            "Diagnostics.xlsx": {"base_url": "https://example.invalid", "path": "1",
                                 "size": len(XLSX), "sha256": None},
            "ECGData.zip": {"base_url": "https://example.invalid", "path": "2",
                            "size": zip_size, "sha256": zip_sha, "unpack": True},
        }}}


def test_full_download_verifies_and_unpacks(server, tmp_path, capsys):
    paths = download("chapman", tmp_path, base_url=server.url, manifest=manifest(),
                     progress=False)
    assert [p.name for p in paths] == ["Diagnostics.xlsx", "ECGData.zip"]
    assert (tmp_path / "Diagnostics.xlsx").read_bytes() == XLSX
    assert sorted(p.name for p in (tmp_path / "ECGData").iterdir()) == \
        [f"MUSE_{i}.csv" for i in range(5)]
    out = capsys.readouterr().out
    assert "no published sha256: size verified only" in out
    assert "size and sha256 verified" in out
    # second run: nothing fetched again
    n = len(server.requests)
    download("chapman", tmp_path, base_url=server.url, manifest=manifest(), progress=False)
    assert len(server.requests) == n
    assert "already present" in capsys.readouterr().out


def test_interrupted_download_resumes_with_range(server, tmp_path):
    server.cut_once["ECGData.zip"] = 1500
    with pytest.raises(DownloadError, match=r"ECGData.zip: download interrupted .*run the "
                                            r"same command again to resume"):
        download("chapman", tmp_path, base_url=server.url, manifest=manifest(),
                 progress=False)
    part = tmp_path / "ECGData.zip.part"
    assert part.exists() and 0 < part.stat().st_size < len(ARCHIVE)
    assert not (tmp_path / "ECGData").exists()
    size = part.stat().st_size
    download("chapman", tmp_path, base_url=server.url, manifest=manifest(), progress=False)
    assert ("ECGData.zip", f"bytes={size}-") in server.requests
    assert (tmp_path / "ECGData.zip").read_bytes() == ARCHIVE
    assert not part.exists()
    assert len(list((tmp_path / "ECGData").iterdir())) == 5


def test_corrupted_download_is_rejected_and_not_unpacked(server, tmp_path):
    bad = bytearray(ARCHIVE)
    bad[100] ^= 0xFF
    server.files["ECGData.zip"] = bytes(bad)
    with pytest.raises(DownloadError, match=r"ECGData.zip: sha256 .* expected .*corrupted "
                                            r"and was removed \(not unpacked\)"):
        download("chapman", tmp_path, base_url=server.url, manifest=manifest(),
                 progress=False)
    assert not (tmp_path / "ECGData").exists()
    assert not (tmp_path / "ECGData.zip").exists()
    assert not (tmp_path / "ECGData.zip.part").exists()


def test_archive_without_checksum_is_tested_before_unpacking(server, tmp_path):
    server.files["ECGData.zip"] = b"PK\x03\x04 this is not a zip" * 10
    with pytest.raises(DownloadError, match=r"ECGData.zip: not a valid zip archive.*not "
                                            r"unpacked"):
        download("chapman", tmp_path, base_url=server.url,
                 manifest=manifest(zip_sha=None, zip_size=None), progress=False)
    assert not (tmp_path / "ECGData").exists()


def test_refused_or_offline_says_how_to_install_by_hand(server, tmp_path):
    del server.files["Diagnostics.xlsx"]
    with pytest.raises(DownloadError) as info:
        download("chapman", tmp_path, base_url=server.url, manifest=manifest(),
                 progress=False)
    msg = str(info.value)
    assert "refused the download (HTTP 404" in msg
    assert "ECGData/<FileName>.csv" in msg and "ecgpaper prepare --source chapman-csv" in msg
    with pytest.raises(DownloadError, match="could not connect"):
        download("chapman", tmp_path, base_url="http://127.0.0.1:9", manifest=manifest(),
                 progress=False)


def test_dry_run_and_shipped_manifest(tmp_path, capsys, monkeypatch):
    files = plan_files("chapman", "raw")
    names = [f["name"] for f in files]
    assert names[0] == "Diagnostics.xlsx" and "ECGData.zip" in names
    assert all(f["url"].startswith("https://") for f in files)
    # a checksum is either a real 64-hex digest or null (never a placeholder)
    for f in plan_files("chapman", "denoised") + plan_files("chapman", "wfdb"):
        assert f["sha256"] is None or (len(f["sha256"]) == 64 and int(f["sha256"], 16) >= 0)
    monkeypatch.setenv("ECGPAPER_DOWNLOAD_BASE_URL", "http://mirror.test/x")
    from ecgpaper.cli import main
    assert main(["download", "chapman", "--variant", "denoised", "--dry-run",
                 "--dest", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "http://mirror.test/x/ECGDataDenoised.zip" in out
    assert not any(tmp_path.iterdir())


def test_download_command(server, tmp_path, capsys, monkeypatch):
    import ecgpaper.data.download as dl
    monkeypatch.setattr(dl, "load_manifest", lambda path=None: manifest())
    from ecgpaper.cli import main
    assert main(["download", "chapman", "--dest", str(tmp_path), "--base-url", server.url,
                 "--no-progress"]) == 0
    assert "next: ecgpaper prepare --source chapman-csv" in capsys.readouterr().out
    del server.files["Diagnostics.xlsx"]
    assert main(["download", "chapman", "--dest", str(tmp_path / "b"), "--base-url",
                 server.url, "--no-progress"]) == 2
    assert "HTTP 404" in capsys.readouterr().err


def test_unpack_never_replaces_a_users_folder(tmp_path):
    """An existing ECGData/ that this archive did not create stops the unpack, untouched."""
    import zipfile

    from ecgpaper.data.download import DownloadError, _unpack
    archive = tmp_path / "ECGData.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ECGData/A.csv", "1,2\n")
    dest = tmp_path / "dest"
    (dest / "ECGData").mkdir(parents=True)
    (dest / "ECGData" / "mine.csv").write_text("keep")
    with pytest.raises(DownloadError, match=r"ECGData: already exists and was not unpacked"):
        _unpack(archive, dest)
    assert (dest / "ECGData" / "mine.csv").read_text() == "keep"
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    _unpack(archive, fresh)
    assert (fresh / "ECGData" / "A.csv").read_text() == "1,2\n"
    _unpack(archive, fresh)                       # our own earlier unpack may be replaced
    assert (fresh / "ECGData" / "A.csv").is_file()


def test_twin_never_replaces_a_users_folder(tmp_path):
    from ecgpaper.cli import main
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.txt").write_text("keep")
    assert main(["twin", "--n", "8", "--out", str(folder), "--no-progress"]) == 2
    assert (folder / "thesis.txt").read_text() == "keep"
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.txt"]
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_ptbxl_download_unpacks_a_readable_release(server, tmp_path, capsys, monkeypatch,
                                                   shared_data):
    """`download ptbxl` fetches the release zip, unpacks it, and the external-set reader
    finds its labelled records (built here from the real PTB-XL records beside the project)."""
    import ecgpaper.data.download as dl
    from ecgpaper.cli import main
    from ecgpaper.data.external import find_external

    release = "ptb-xl-1.0.3"
    src = shared_data / "ptbxl"
    files = {f"{release}/{p.relative_to(src)}": p.read_bytes()
             for p in src.rglob("*") if p.is_file() and "records100" not in p.parts}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    server.files["ptbxl.zip"] = buf.getvalue()
    man = {"ptbxl": {"default_variant": "1.0.3", "variants": {"1.0.3": ["ptbxl.zip"]},
                     "files": {"ptbxl.zip": {"base_url": "https://example.invalid",
                                             "path": "x", "size": None, "sha256": None,
                                             "unpack": True}}}}
    monkeypatch.setattr(dl, "load_manifest", lambda path=None: man)
    dest = tmp_path / "ptbxl"
    assert main(["download", "ptbxl", "--dest", str(dest), "--base-url", server.url,
                 "--no-progress"]) == 0
    assert f"next: ecgpaper book --set external_dir={dest}" in capsys.readouterr().out
    found = find_external(dest)
    assert found.sources() == ["PTB-XL"]
    assert sum(found.counts()["PTB-XL"].values()) == len(found.records) > 0


def _ptbxl_release(src) -> dict:
    """Every file of the PTB-XL records beside the project, by its path in the release,
    and the release's SHA256SUMS.txt listing them all (as PhysioNet publishes it)."""
    files = {str(p.relative_to(src)): p.read_bytes() for p in sorted(src.rglob("*"))
             if p.is_file()}
    sums = "".join(f"{hashlib.sha256(data).hexdigest()} {name}\n"
                   for name, data in files.items())
    return {**files, "SHA256SUMS.txt": sums.encode()}


def test_ptbxl_rate_100_fetches_only_the_100_hz_release(server, tmp_path, capsys,
                                                        shared_data):
    """`download ptbxl --rate 100` fetches the table, the code book and records100/ file
    by file, each checked against SHA256SUMS.txt, never a 500 Hz record; the folder it
    leaves is scored as PTB-XL; a rerun fetches only what is missing, and a file that
    is not the listed one is refused by name, never overwritten."""
    from ecgpaper.cli import main
    from ecgpaper.data.external import find_external

    server.files.update(_ptbxl_release(shared_data / "ptbxl"))
    dest = tmp_path / "ptbxl100"
    assert main(["download", "ptbxl", "--rate", "100", "--dest", str(dest), "--base-url",
                 server.url, "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert f"next: ecgpaper book --set external_dir={dest}" in out
    fetched = {name for name, _ in server.requests}
    assert not any(name.startswith("records500/") for name in fetched)
    assert {"ptbxl_database.csv", "scp_statements.csv"} <= fetched
    lr = sorted(p.name for p in (dest / "records100").rglob("*_lr.hea"))
    assert len(lr) == 20 and not (dest / "records500").exists()
    found = find_external(dest)
    assert found.sources() == ["PTB-XL"] and len(found.records) > 0
    assert found.records[0].load().fs == 500                # resampled from 100 Hz
    # a file that is not the listed one is refused and kept; once moved away, it is
    # fetched again and the others are left alone
    damaged = dest / "records100" / "00000" / "00001_lr.dat"
    damaged.write_bytes(b"broken")
    n = len(server.requests)
    assert main(["download", "ptbxl", "--rate", "100", "--dest", str(dest), "--base-url",
                 server.url, "--no-progress"]) == 2
    assert f"{damaged}: already exists with sha256" in capsys.readouterr().err
    assert damaged.read_bytes() == b"broken"
    assert [name for name, _ in server.requests[n:]] == ["SHA256SUMS.txt"]
    damaged.unlink()
    n = len(server.requests)
    assert main(["download", "ptbxl", "--rate", "100", "--dest", str(dest), "--base-url",
                 server.url, "--no-progress"]) == 0
    assert [name for name, _ in server.requests[n:]] == [
        "SHA256SUMS.txt", "records100/00000/00001_lr.dat"]
    assert damaged.read_bytes() == (shared_data / "ptbxl" / "records100" / "00000" /
                                    "00001_lr.dat").read_bytes()


def test_ptbxl_rate_download_rejects_a_corrupted_file_and_a_bad_listing(server, tmp_path,
                                                                        shared_data):
    from ecgpaper.data.download_rate import download_rate

    release = _ptbxl_release(shared_data / "ptbxl")
    server.files.update(release)
    server.files["records100/00000/00002_lr.dat"] = b"\0" * 100        # not what was listed
    with pytest.raises(DownloadError, match=r"1 of \d+ file\(s\) failed, first: "
                                            r"records100/00000/00002_lr.dat: sha256"):
        download_rate("ptbxl", tmp_path / "a", 100, base_url=server.url, progress=False)
    assert not (tmp_path / "a" / "records100" / "00000" / "00002_lr.dat").exists()
    assert not list((tmp_path / "a").rglob("*.part"))
    server.files["SHA256SUMS.txt"] = b"0123 ../../etc/passwd\n"
    with pytest.raises(DownloadError, match=r"SHA256SUMS.txt: line 1 is not"):
        download_rate("ptbxl", tmp_path / "b", 100, base_url=server.url, progress=False)
    with pytest.raises(ValueError, match=r"--rate 250: ptbxl is published at \[100, 500\]"):
        download_rate("ptbxl", tmp_path / "c", 250, base_url=server.url, progress=False)


def test_rate_download_never_writes_through_a_linked_subfolder(server, tmp_path, shared_data):
    """`records100/` inside --dest that is a link to a folder elsewhere is refused by name
    before anything is fetched; the folder it points to stays empty."""
    from ecgpaper.data.download_rate import download_rate

    server.files.update(_ptbxl_release(shared_data / "ptbxl"))
    elsewhere, dest = tmp_path / "elsewhere", tmp_path / "dest"
    elsewhere.mkdir()
    dest.mkdir()
    (dest / "records100").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(DownloadError, match=r"records100: a symbolic link inside --dest .*"
                                            r"expected a real folder or nothing there"):
        download_rate("ptbxl", dest, 100, base_url=server.url, progress=False)
    assert list(elsewhere.iterdir()) == []
    assert [name for name, _ in server.requests] == ["SHA256SUMS.txt"]


def test_download_never_appends_to_a_linked_partial_file(server, tmp_path):
    """A `.part` file that is a link to a file of the user's is refused, not appended to."""
    users = tmp_path / "notes.txt"
    users.write_text("mine")
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "ECGData.zip.part").symlink_to(users)
    with pytest.raises(DownloadError, match=r"ECGData.zip.part: a symbolic link inside "
                                            r"--dest .*expected a real file"):
        download("chapman", dest, base_url=server.url, progress=False, manifest=manifest())
    assert users.read_text() == "mine" and server.requests == []


def test_unpack_never_writes_its_marker_through_a_link(server, tmp_path):
    users = tmp_path / "notes.txt"
    users.write_text("mine")
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / ".ECGData.zip.unpacked").symlink_to(users)
    with pytest.raises(DownloadError, match=r"\.ECGData\.zip\.unpacked: a symbolic link "
                                            r"inside --dest"):
        download("chapman", dest, base_url=server.url, progress=False, manifest=manifest())
    assert users.read_text() == "mine" and server.requests == []
