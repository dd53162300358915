"""`ecgpaper export` and `ecgpaper download` replace only what they can prove they wrote:
an exported model.onnx (its ecgpaper metadata), a download that verifies. A file of the
user's with the same name (another model, other bytes, a folder, a link) is refused by
name before any work and left as it was."""

import hashlib
import os
import re

import pytest
from test_data_download import ARCHIVE, XLSX, Server, manifest

from ecgpaper.cli import main
from ecgpaper.data.download import DownloadError, download
from ecgpaper.data.download_rate import download_rate


@pytest.fixture()
def server():
    s = Server()
    yield s
    s.close()


# --------------------------------------------------------------------------- export

def _artifact(folder, seed=0):
    """A tiny 12-lead SE-ResNet18 best.pt (exports in about a second)."""
    import torch

    from ecgpaper.models.registry import build_model, save_checkpoint
    from ecgpaper.models.resnet1d import SEResNetConfig
    torch.manual_seed(seed)
    prep = {"fs": 100, "n_samples": 1000, "source_fs": 500, "channel_mean": [0.0] * 12,
            "channel_std": [100.0] * 12, "experiment": "1"}
    return save_checkpoint(folder / "best.pt",
                           build_model(SEResNetConfig(width=0.0625)).eval(), **prep)


def _foreign_onnx(path):
    """A valid ONNX model of the user's: no ecgpaper metadata."""
    import onnx
    from onnx import TensorProto, helper
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "mine",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    onnx.save(helper.make_model(graph), str(path))
    return path.read_bytes()


def _meta(path):
    import onnx
    return {e.key: e.value for e in onnx.load(str(path)).metadata_props}


@pytest.mark.parametrize("name", ["model.onnx", "model.fp16.onnx"])
def test_export_refuses_a_users_onnx_model(tmp_path, capsys, name):
    run = tmp_path / "run"
    _artifact(run)
    mine = _foreign_onnx(run / name)
    precision = "fp32" if name == "model.onnx" else "fp16"
    assert main(["export", "--model", str(run), "--precision", precision]) == 2
    err = capsys.readouterr().err
    assert f"{run / name}: an ONNX model without the ecgpaper_checkpoint_sha256" in err
    assert "move it away" in err and len(err.strip().splitlines()) == 1
    assert (run / name).read_bytes() == mine
    assert sorted(p.name for p in run.iterdir()) == ["best.pt", name]    # nothing written


@pytest.mark.parametrize("kind", ["unreadable", "folder", "link"])
def test_export_refuses_other_entries_of_that_name(tmp_path, capsys, kind):
    run = tmp_path / "run"
    _artifact(run)
    target = run / "model.onnx"
    if kind == "unreadable":
        target.write_bytes(b"\xff\xff\xff not an onnx model")
    elif kind == "folder":
        target.mkdir()
        (target / "notes.txt").write_text("keep")
    else:
        (tmp_path / "elsewhere.onnx").write_text("keep")
        target.symlink_to(tmp_path / "elsewhere.onnx")
    assert main(["export", "--model", str(run)]) == 2
    err = capsys.readouterr().err
    assert f"{target}: " in err and "move it away" in err, err
    if kind == "folder":
        assert (target / "notes.txt").read_text() == "keep"
    elif kind == "link":
        assert target.is_symlink() and (tmp_path / "elsewhere.onnx").read_text() == "keep"
    else:
        assert target.read_bytes().startswith(b"\xff\xff\xff")


def test_export_replaces_its_own_model_after_retraining(tmp_path):
    """Re-exporting after a new best.pt replaces model.onnx (any recorded checkpoint), and
    a reduced precision is made from a fresh model.onnx, not the stale one."""
    from ecgpaper.fileio import file_sha256
    from ecgpaper.inference.artifact import load_artifact
    from ecgpaper.inference.onnx_backend import OnnxRunner
    run = tmp_path / "run"
    _artifact(run, seed=0)
    assert main(["export", "--model", str(run)]) == 0
    first = _meta(run / "model.onnx")["ecgpaper_checkpoint_sha256"]
    pt = _artifact(run, seed=1)                                       # retrained
    assert file_sha256(pt) != first
    assert main(["export", "--model", str(run), "--precision", "fp16"]) == 0
    for name in ("model.onnx", "model.fp16.onnx"):
        assert _meta(run / name)["ecgpaper_checkpoint_sha256"] == file_sha256(pt)
    OnnxRunner(load_artifact(pt), precision="fp16")                   # not stale
    assert main(["export", "--model", str(run)]) == 0
    assert not [p for p in run.iterdir() if ".tmp-" in p.name]


# --------------------------------------------------------------------------- download

def test_download_refuses_a_different_file_before_fetching(server, tmp_path):
    dest = tmp_path / "chapman"
    dest.mkdir()
    (dest / "ECGData.zip").write_bytes(b"my own archive")
    with pytest.raises(DownloadError) as err:
        download("chapman", dest, base_url=server.url, manifest=manifest(), progress=False)
    msg = str(err.value)
    assert msg.startswith(f"{dest / 'ECGData.zip'}: already exists and is not the "
                          "expected download") and "move it away" in msg, msg
    assert (dest / "ECGData.zip").read_bytes() == b"my own archive"
    assert server.requests == [] and sorted(p.name for p in dest.iterdir()) == ["ECGData.zip"]


@pytest.mark.parametrize("kind", ["folder", "broken link"])
def test_download_refuses_a_folder_or_link_of_that_name(server, tmp_path, kind):
    dest = tmp_path / "chapman"
    dest.mkdir()
    target = dest / "Diagnostics.xlsx"
    if kind == "folder":
        target.mkdir()
    else:
        target.symlink_to(tmp_path / "nowhere.xlsx")
    expected = f"{target}: already exists and is not a file"
    with pytest.raises(DownloadError, match=re.escape(expected)):
        download("chapman", dest, base_url=server.url, manifest=manifest(), progress=False)
    assert target.is_dir() if kind == "folder" else target.is_symlink()
    assert not (tmp_path / "nowhere.xlsx").exists() and server.requests == []


def test_download_keeps_the_expected_file_and_a_users_hidden_folder(server, tmp_path):
    """A verified file already there is kept (not fetched again); the unpack works in a
    temporary folder of its own, never in one of the user's that has its name."""
    dest = tmp_path / "chapman"
    (dest / ".unpack-ECGData").mkdir(parents=True)
    (dest / ".unpack-ECGData" / "mine.txt").write_text("keep")
    (dest / "ECGData.zip").write_bytes(ARCHIVE)
    download("chapman", dest, base_url=server.url, manifest=manifest(), progress=False)
    assert [name for name, _ in server.requests] == ["Diagnostics.xlsx"]
    assert (dest / "Diagnostics.xlsx").read_bytes() == XLSX
    assert len(list((dest / "ECGData").iterdir())) == 5
    assert (dest / ".unpack-ECGData" / "mine.txt").read_text() == "keep"
    assert not [p for p in dest.iterdir() if p.name.startswith(".unpack-ECGData-")]


def _release(server):
    """A small per-file release (two rates) and its SHA256SUMS.txt on the server."""
    files = {"ptbxl_database.csv": b"ecg_id,filename_lr\n1,records100/00000/00001_lr\n",
             "records100/00000/00001_lr.dat": os.urandom(600),
             "records100/00000/00002_lr.dat": os.urandom(600),
             "records500/00000/00001_hr.dat": os.urandom(3000)}
    sums = "".join(f"{hashlib.sha256(d).hexdigest()} {n}\n" for n, d in files.items())
    server.files.update(files, **{"SHA256SUMS.txt": sums.encode()})
    return files


def test_rate_download_refuses_a_users_file_and_keeps_the_listed_one(server, tmp_path,
                                                                     capsys):
    files = _release(server)
    dest = tmp_path / "ptbxl"
    (dest / "records100" / "00000").mkdir(parents=True)
    mine = dest / "records100" / "00000" / "00002_lr.dat"
    mine.write_bytes(b"my own record")
    ok = dest / "records100" / "00000" / "00001_lr.dat"
    ok.write_bytes(files["records100/00000/00001_lr.dat"])
    argv = ["download", "ptbxl", "--rate", "100", "--dest", str(dest), "--base-url",
            server.url, "--no-progress"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{mine}: already exists with sha256" in err and "move them away" in err, err
    assert mine.read_bytes() == b"my own record"
    assert [name for name, _ in server.requests] == ["SHA256SUMS.txt"]   # nothing fetched
    assert not (dest / "SHA256SUMS.txt").exists()
    mine.unlink()
    assert main(argv) == 0
    fetched = [name for name, _ in server.requests[1:]]
    assert sorted(fetched) == ["SHA256SUMS.txt", "ptbxl_database.csv",
                               "records100/00000/00002_lr.dat"]           # ok.dat kept
    assert mine.read_bytes() == files["records100/00000/00002_lr.dat"]
    n = len(server.requests)
    assert main(argv) == 0                                  # a rerun: our listing is kept
    assert [name for name, _ in server.requests[n:]] == ["SHA256SUMS.txt"]


@pytest.mark.parametrize("kind", ["listing", "folder"])
def test_rate_download_refuses_a_users_listing_or_folder(server, tmp_path, kind):
    _release(server)
    dest = tmp_path / "ptbxl"
    dest.mkdir()
    if kind == "listing":
        target = dest / "SHA256SUMS.txt"
        target.write_text("my own checksums\n")
        expected = f"{target}: already exists and is not {server.url}/SHA256SUMS.txt"
    else:
        target = dest / "ptbxl_database.csv"
        target.mkdir()
        expected = f"{target}: already exists and is not a file"
    with pytest.raises(DownloadError, match=re.escape(expected)):
        download_rate("ptbxl", dest, 100, base_url=server.url, progress=False)
    assert target.read_text() == "my own checksums\n" if kind == "listing" else target.is_dir()
    assert [name for name, _ in server.requests] == ["SHA256SUMS.txt"]
