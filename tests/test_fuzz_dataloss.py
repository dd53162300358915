"""Folders and files the commands must never destroy or read: a user's folder given as
`--out` to `prepare`, `twin` or `train` (even one holding files named like a store's or a
run's), a user's folder that looks like a temporary of an interrupted run, profile names
that would lead out of the work folder, and record files symlinked out of a data folder.

Each case builds its own malformed input, runs the real command (or reader), and checks
the refusal (exit status 2, one line naming the path or setting and what was expected)
and that every byte of the user's files is still there.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecgpaper.cli import main
from ecgpaper.fileio import file_sha256
from ecgpaper.markers import MARKER, marker_problem, write_marker

# --------------------------------------------------------------------------- helpers


def tree_digest(folder: Path) -> dict:
    """Every entry below `folder` with the sha256 of each file (symlinks as their target)."""
    return {str(p.relative_to(folder)): ("link:" + os.readlink(p) if p.is_symlink() else
                                         file_sha256(p) if p.is_file() else "dir")
            for p in sorted(folder.rglob("*"))}


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_refused(code: int, err: str, command: str, *names: str) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith(f"ecgpaper {command}: error: "), err
    assert "expected" in lines[0] and "Traceback" not in err, err
    for name in names:
        assert name in lines[0], (name, lines[0])


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


@pytest.fixture(scope="session")
def twin(tmp_path_factory) -> Path:
    from ecgpaper.twin.writer import generate_twin
    folder = tmp_path_factory.mktemp("twin") / "data"
    generate_twin(folder, n=16, seed=3, progress=False)
    return folder


@pytest.fixture(scope="session")
def built_store(twin, tmp_path_factory) -> Path:
    """A store `prepare` wrote (copied by the cases that need a real one)."""
    out = tmp_path_factory.mktemp("built") / "store"
    assert main(prepare_args(twin, out)) == 0
    return out


def prepare_args(data: Path, out: Path, *extra: str) -> list[str]:
    return ["prepare", "--source", "chapman-csv", "--data-dir", str(data), "--out", str(out),
            "--no-progress", "--workers", "1", *extra]


# --------------------------------------------------------------------------- prepare --out

def _user_manifest_only(out: Path, store: Path) -> None:
    out.mkdir()
    (out / "manifest.json").write_text('{"project": "my notes", "version": 3}\n')


def _user_files_named_like_a_store(out: Path, store: Path) -> None:
    out.mkdir()
    (out / "manifest.json").write_text('{"format": 2, "written_by": "me"}\n')
    np.save(out / "signals.npy", np.arange(600, dtype=np.int16).reshape(2, 3, 100))
    pd.DataFrame({"subject": ["a", "b"], "score": [1.5, 2.5]}).to_parquet(
        out / "index.parquet", index=False)


def _store_without_marker_edited_manifest(out: Path, store: Path) -> None:
    """Store files without a marker and with a manifest that no longer verifies: nothing
    proves prepare wrote them."""
    shutil.copytree(store, out)
    (out / MARKER).unlink()
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["n_records"] += 1
    (out / "manifest.json").write_text(json.dumps(manifest))


def _marker_copied_beside_user_files(out: Path, store: Path) -> None:
    _user_files_named_like_a_store(out, store)
    shutil.copy(store / MARKER, out / MARKER)


def _store_with_a_user_file(out: Path, store: Path) -> None:
    shutil.copytree(store, out)
    (out / "notes.txt").write_text("my notes\n")


def _store_with_forged_marker(out: Path, store: Path) -> None:
    shutil.copytree(store, out)
    marker = json.loads((out / MARKER).read_text())
    marker["may_hold"].append("notes.txt")         # edited without a new signature
    (out / MARKER).write_text(json.dumps(marker))
    (out / "notes.txt").write_text("my notes\n")


REFUSED_OUT = {
    "only a user's manifest.json": (_user_manifest_only, "no .ecgpaper-marker.json"),
    "user's manifest.json, signals.npy, index.parquet": (_user_files_named_like_a_store,
                                                         "no .ecgpaper-marker.json"),
    "store files, no marker, edited manifest": (_store_without_marker_edited_manifest,
                                                "manifest checksum"),
    "a store's marker copied beside user files": (_marker_copied_beside_user_files,
                                                  "none of the files"),
    "a store holding a user's file": (_store_with_a_user_file, "notes.txt"),
    "a marker edited without its signature": (_store_with_forged_marker,
                                              "does not match its signature"),
}


@pytest.mark.parametrize("case", list(REFUSED_OUT))
def test_prepare_refuses_a_folder_it_cannot_prove_it_wrote(case, twin, built_store,
                                                           tmp_path, capsys):
    make, reason = REFUSED_OUT[case]
    out = tmp_path / "mine"
    make(out, built_store)
    before = tree_digest(out)
    code, _, err = run_cli(capsys, *prepare_args(twin, out, "--force"))
    assert_refused(code, err, "prepare", str(out), "refusing to replace", reason)
    assert tree_digest(out) == before, "the user's folder was changed"
    assert not temporaries(tmp_path)


def test_a_store_written_before_markers_is_still_replaced(twin, built_store, tmp_path,
                                                          capsys):
    """A store without a marker whose manifest verifies was written by prepare."""
    out = tmp_path / "store"
    shutil.copytree(built_store, out)
    (out / MARKER).unlink()
    code, _, err = run_cli(capsys, *prepare_args(twin, out, "--force"))
    assert code == 0, err
    assert marker_problem(out, "store") is None
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [MARKER, "index.parquet", "manifest.json", "signals.npy"])
    assert not temporaries(tmp_path)


def test_a_damaged_store_with_its_marker_is_rebuilt(twin, built_store, tmp_path, capsys):
    out = tmp_path / "store"
    shutil.copytree(built_store, out)
    (out / "manifest.json").write_text("[]")
    code, stdout, err = run_cli(capsys, *prepare_args(twin, out))
    assert code == 0, err
    assert "rebuilding store" in stdout
    def checksum(store):
        return json.loads((store / "manifest.json").read_text())["dataset_checksum"]
    assert checksum(out) == checksum(built_store)
    assert marker_problem(out, "store") is None


# --------------------------------------------------------------------------- temporaries

def _user_folder(path: Path) -> None:
    path.mkdir()
    (path / "thesis.tex").write_text("\\section{Results}\n")
    (path / "signals.npy").write_bytes(b"mine")


def _user_file(path: Path) -> None:
    path.write_text("a file of mine\n")


def _marked_with_a_user_file(path: Path) -> None:
    path.mkdir()
    write_marker(path, "store", ("signals.npy", "index.parquet", "manifest.json"))
    (path / "thesis.tex").write_text("\\section{Results}\n")


def _marker_of_another_kind(path: Path) -> None:
    path.mkdir()
    write_marker(path, "twin", ("ECGData",))
    (path / "ECGData").mkdir()


TEMPORARY_LOOKALIKES = {
    "a user's folder": (_user_folder, "no .ecgpaper-marker.json"),
    "a user's file": (_user_file, "not a folder"),
    "marked, holding a user's file": (_marked_with_a_user_file, "thesis.tex"),
    "marked as another kind": (_marker_of_another_kind, "'twin' folder"),
}


@pytest.mark.parametrize("case", list(TEMPORARY_LOOKALIKES))
def test_a_temporary_lookalike_is_left_alone(case, twin, tmp_path, capsys):
    make, reason = TEMPORARY_LOOKALIKES[case]
    lookalike = tmp_path / ".store.tmp-999999999"   # no such process
    make(lookalike)
    before = tree_digest(tmp_path)
    code, stdout, err = run_cli(capsys, *prepare_args(twin, tmp_path / "store"))
    assert code == 0, err
    assert f"left {lookalike} in place" in stdout and reason in stdout, stdout
    after = tree_digest(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("store")} == before
    assert temporaries(tmp_path) == [lookalike.name]


def test_a_temporary_name_already_taken_is_not_used(twin, tmp_path, capsys):
    """`.store.tmp-PID` of this very process exists (a user's folder): the store is built
    under another name and the folder keeps every byte."""
    taken = tmp_path / f".store.tmp-{os.getpid()}"
    _user_folder(taken)
    before = tree_digest(taken)
    code, _, err = run_cli(capsys, *prepare_args(twin, tmp_path / "store"))
    assert code == 0, err
    assert tree_digest(taken) == before
    assert temporaries(tmp_path) == [taken.name]
    assert marker_problem(tmp_path / "store", "store") is None


def test_marker_proves_only_what_it_signed(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.bin").write_bytes(b"a" * 10)
    (folder / "b.bin").write_bytes(b"b" * 10)
    write_marker(folder, "store", ("a.bin", "b.bin"), finished=("a.bin", "b.bin"))
    assert marker_problem(folder, "store") is None
    (folder / "a.bin").write_bytes(b"x" * 10)           # damaged, the other still proves it
    assert marker_problem(folder, "store") is None
    (folder / "b.bin").write_bytes(b"y" * 11)
    assert "none of the files" in marker_problem(folder, "store")
    assert "expected 'twin'" in marker_problem(folder, "twin")


# --------------------------------------------------------------------------- twin --out

def test_twin_refuses_a_folder_with_a_users_twin_json(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "twin.json").write_text('{"my": "twin study"}\n')
    (out / "README.txt").write_text("notes\n")
    before = tree_digest(out)
    code, _, err = run_cli(capsys, "twin", "--n", "8", "--out", str(out), "--no-progress")
    assert_refused(code, err, "twin", str(out), "refusing to replace", "no twin.json")
    assert tree_digest(out) == before
    assert not temporaries(tmp_path)


def test_a_twin_written_before_markers_is_replaced(twin, tmp_path, capsys):
    out = tmp_path / "twin"
    shutil.copytree(twin, out)
    (out / MARKER).unlink()
    code, _, err = run_cli(capsys, "twin", "--n", "8", "--seed", "4", "--out", str(out),
                           "--no-progress")
    assert code == 0, err
    assert json.loads((out / "twin.json").read_text())["n"] == 8
    assert marker_problem(out, "twin") is None
    assert not temporaries(tmp_path)


# --------------------------------------------------------------------------- train --out

def _project(folder: Path) -> None:
    folder.mkdir()
    (folder / "config.json").write_text('{"lr": 0.1, "hash": "mine"}\n')
    (folder / "metrics.json").write_text('{"accuracy": 0.99}\n')
    (folder / "predictions.csv").write_text("id,y\n1,2\n")


def _notes_only(folder: Path) -> None:
    folder.mkdir()
    (folder / "notes.txt").write_text("keep\n")


def _a_file(folder: Path) -> None:
    folder.write_text("keep\n")


TRAIN_FOLDERS = {
    "a project with config.json, metrics.json, predictions.csv": (
        _project, ["not a config.json written by `ecgpaper train`", "'config.json'",
                   "'metrics.json'", "'predictions.csv'"]),
    "a folder of notes": (_notes_only, ["notes.txt", "no config.json"]),
    "a file": (_a_file, ["not a folder"]),
}


@pytest.mark.parametrize("case", list(TRAIN_FOLDERS))
@pytest.mark.parametrize("where", ["--out", "default folder"])
def test_train_refuses_a_folder_that_is_not_a_run(case, where, tmp_path, capsys):
    make, expected = TRAIN_FOLDERS[case]
    work = tmp_path / "work"
    folder = tmp_path / "my_project" if where == "--out" else work / "experiments" / "1"
    folder.parent.mkdir(parents=True, exist_ok=True)
    make(folder)
    before = tree_digest(tmp_path)
    argv = ["train", "-e", "1", "--work-dir", str(work), "--no-progress"]
    if where == "--out":
        argv += ["--out", str(folder)]
    code, _, err = run_cli(capsys, *argv)
    assert_refused(code, err, "train", str(folder), *expected)
    assert tree_digest(tmp_path) == before, "nothing may be written or removed"


def test_an_earlier_run_folder_is_reused_and_only_its_outputs_cleared(tmp_path):
    from ecgpaper.profiles import get_profile
    from ecgpaper.training import artifacts as art
    from ecgpaper.training.experiments import get_experiment
    from ecgpaper.training.run import _prepare_folder
    folder = tmp_path / "run"
    assert art.run_folder_problem(folder) is None            # new
    exp = get_experiment("1")
    old = art.run_config(exp, get_profile("demo", max_epochs=2), "data-a")
    _prepare_folder(folder, old, resume=False)               # absent: created
    assert json.loads((folder / "config.json").read_text()) == old
    (folder / "metrics.json").write_text("{}")
    (folder / "notes.txt").write_text("mine\n")
    new = art.run_config(exp, get_profile("demo", max_epochs=3), "data-a")
    _prepare_folder(folder, new, resume=False)
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "notes.txt"]
    assert json.loads((folder / "config.json").read_text())["hash"] == new["hash"]
    forged = {**new, "lr_note": "edited by hand"}             # hash no longer matches
    (folder / "config.json").write_text(json.dumps(forged))
    with pytest.raises(ValueError, match=r"config\.json: not a config\.json written by"):
        _prepare_folder(folder, new, resume=False)
    assert (folder / "notes.txt").is_file()


def test_a_finished_run_of_other_settings_in_a_named_folder_is_kept(tmp_path):
    """`train --out DIR` where DIR holds a finished run of another experiment (or other
    settings) refuses instead of deleting its weights; the book's own folders (no --out)
    and --force still replace it."""
    from ecgpaper.profiles import get_profile
    from ecgpaper.training import artifacts as art
    from ecgpaper.training.experiments import get_experiment
    from ecgpaper.training.run import _prepare_folder
    folder = tmp_path / "run"
    two = art.run_config(get_experiment("2"), get_profile("demo", max_epochs=2), "data-a")
    _prepare_folder(folder, two, resume=False)
    (folder / "metrics.json").write_text("{}")
    (folder / "best.pt").write_bytes(b"weights")
    one = art.run_config(get_experiment("1"), get_profile("demo", max_epochs=2), "data-a")
    with pytest.raises(ValueError, match=r"holds a finished run of experiment 2 with other "
                                         r"settings .*pass --force to replace it"):
        _prepare_folder(folder, one, resume=False, keep_finished=True)
    assert (folder / "best.pt").read_bytes() == b"weights"
    _prepare_folder(folder, one, resume=False)                # the book's folders, --force
    assert not (folder / "best.pt").exists()


# --------------------------------------------------------------------------- profile names

BAD_NAMES = ["../../escape", "a/b", "..", ".hidden", "", "/tmp/x", "x\\y", "two words"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_profile_name_must_be_a_plain_folder_name(name, tmp_path, capsys, monkeypatch):
    root = tmp_path / "root" / "work"
    root.mkdir(parents=True)
    monkeypatch.setenv("ECGPAPER_WORK", str(root))
    code, _, err = run_cli(capsys, "train", "-e", "1", "--no-progress", "--set",
                           f"name={name}")
    assert_refused(code, err, "train", "setting name", "plain folder name")
    assert [p.name for p in (tmp_path / "root").iterdir()] == ["work"]
    assert not any(root.iterdir())


@pytest.mark.parametrize("name", ["sim-to-real", "demo.v2", "run_1", "Full"])
def test_plain_profile_names_are_accepted(name):
    from ecgpaper.profiles import get_profile
    assert get_profile("demo", name=name).work_path.name == name


# --------------------------------------------------------------------------- symlinked records

def _link_outside(path: Path, outside: Path) -> Path:
    """Move `path` to `outside` and leave a symlink to it: the file is still a real record,
    so only the location check can refuse it."""
    outside.mkdir(exist_ok=True)
    target = outside / path.name
    shutil.move(path, target)
    path.symlink_to(target)
    return target


@pytest.fixture()
def ptbxl_copy(shared_data, tmp_path) -> Path:
    folder = tmp_path / "ptbxl"
    shutil.copytree(shared_data / "ptbxl", folder)
    return folder


@pytest.mark.parametrize("suffix", [".dat", ".hea"])
def test_ptbxl_file_symlinked_outside_is_refused(suffix, ptbxl_copy, tmp_path):
    from ecgpaper.data.ptbxl import read_ptbxl, read_ptbxl_table
    from ecgpaper.data.validate import RecordError
    entries = read_ptbxl_table(ptbxl_copy)
    read_ptbxl(entries[0])                                    # a real, readable record
    _link_outside(entries[0].path.with_suffix(suffix), tmp_path / "outside")
    with pytest.raises(RecordError, match=rf"00001_hr\{suffix}: resolves outside the data "
                                          rf"folder .*ptbxl"):
        read_ptbxl(entries[0])
    assert read_ptbxl(entries[1]).signal.shape == (12, 5000)  # the others still read


def test_ptbxl_table_symlinked_outside_is_refused(ptbxl_copy, tmp_path):
    from ecgpaper.data.ptbxl import read_ptbxl_table
    from ecgpaper.data.validate import RecordError
    _link_outside(ptbxl_copy / "ptbxl_database.csv", tmp_path / "outside")
    with pytest.raises(RecordError, match=r"ptbxl_database\.csv: resolves outside"):
        read_ptbxl_table(ptbxl_copy)


def test_a_symlink_that_stays_inside_is_read(ptbxl_copy):
    from ecgpaper.data.ptbxl import read_ptbxl, read_ptbxl_table
    entries = read_ptbxl_table(ptbxl_copy)
    dat = entries[0].path.with_suffix(".dat")
    (ptbxl_copy / "store").mkdir()
    shutil.move(dat, ptbxl_copy / "store" / dat.name)
    dat.symlink_to(ptbxl_copy / "store" / dat.name)
    assert read_ptbxl(entries[0]).signal.shape == (12, 5000)


class _ConstantModel:
    def predict(self, signal):
        from types import SimpleNamespace

        from ecgpaper.constants import CLASSES
        return SimpleNamespace(rhythm="SR", model="constant",
                               probabilities={c: float(c == "SR") for c in CLASSES})


def test_external_scoring_skips_records_symlinked_outside(shared_data, tmp_path):
    from ecgpaper.data.external import find_external
    from ecgpaper.inference.external import predict_external
    folder = tmp_path / "external"
    shutil.copytree(shared_data / "ptbxl", folder / "ptbxl")
    shutil.copytree(shared_data / "cinc2021" / "georgia", folder / "georgia")
    found = find_external(folder)
    ptbxl = next(r for r in found.records if r.source == "PTB-XL")
    georgia = [r for r in found.records if r.source == "Georgia"]
    _link_outside(ptbxl.path.with_suffix(".dat"), tmp_path / "outside")
    _link_outside(georgia[0].path.with_suffix(".mat"), tmp_path / "outside")
    _link_outside(georgia[1].path.with_suffix(".hea"), tmp_path / "outside")
    found = find_external(folder)
    assert found.skipped[("Georgia", "header resolves outside the folder (symlink)")] == 1
    frame, skipped = predict_external(_ConstantModel(), found)
    reason = "a file outside the data folder (symlink)"
    assert skipped[("PTB-XL", reason)] == 1 and skipped[("Georgia", reason)] == 1
    scored = set(frame["record_id"])
    assert ptbxl.record_id not in scored and georgia[0].record_id not in scored
    assert georgia[1].record_id not in scored and len(scored) > 5


def test_prepare_refuses_a_wfdb_signal_symlinked_outside(shared_data, tmp_path, capsys):
    data = tmp_path / "wfdb"
    shutil.copytree(shared_data / "chapman" / "wfdb", data)
    _link_outside(data / "JS00002.mat", tmp_path / "outside")
    before = tree_digest(data)
    code, _, err = run_cli(capsys, "prepare", "--source", "chapman-wfdb", "--data-dir",
                           str(data), "--diagnostics",
                           str(shared_data / "chapman" / "metadata" / "Diagnostics.xlsx"),
                           "--out", str(tmp_path / "store"), "--no-progress", "--workers", "1")
    assert_refused(code, err, "prepare", "JS00002.mat", "resolves outside the data folder")
    assert tree_digest(data) == before and not (tmp_path / "store").exists()


@pytest.mark.parametrize("setting", ["kernel_size=4", "stem_kernel=8"])
def test_an_even_kernel_is_refused_before_any_work(setting, tmp_path, capsys):
    from ecgpaper.cli import main
    code = main(["train", "-e", "1", "--work-dir", str(tmp_path / "w"), "--set", setting])
    err = capsys.readouterr().err
    assert code != 0 and setting.split("=")[0] in err and "odd" in err
    assert not (tmp_path / "w").exists()          # nothing prepared, no run folder
