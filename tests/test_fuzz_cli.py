"""Malformed input through the real `ecgpaper` command: every case must end in exit status
2 and one line `ecgpaper CMD: error: ...` naming the file or setting and what was
expected, never a traceback, and must leave no file behind that claims a finished run."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from ecgpaper.cli import main
from ecgpaper.constants import CLASSES
from ecgpaper.evaluation.metrics import predictions_frame

TINY = {"twin_records": 160, "fs": 50, "width": 0.125, "max_epochs": 1, "bootstrap": 0}


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    """Exit status and stderr of `ecgpaper ARGV` run in this process."""
    return run_cli_output(capsys, *argv)[:2]


def run_cli_output(capsys, *argv: str) -> tuple[int, str, str]:
    """Exit status, stderr and stdout of `ecgpaper ARGV` run in this process."""
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.err, captured.out


def assert_user_error(code: int, err: str, command: str, *names: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"ecgpaper {command}: error: "), err
    assert "expected" in lines[0], err
    for name in names:
        assert name in lines[0], (name, err)


# --- ecgpaper evaluate -----------------------------------------------------------------

def _valid_frame(n: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(len(CLASSES)), n)
    return predictions_frame([f"JS{i:05d}" for i in range(n)], np.arange(n) % len(CLASSES), p)


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode()


def _edit(change):
    def make() -> bytes:
        df = _valid_frame()
        change(df)
        return _csv(df)
    return make


def _prob_above_one(df):
    df.loc[2, "prob_SB"] = 1.5


def _prob_negative(df):
    df.loc[3, "prob_AF"] = -0.2


def _row_sum_not_one(df):
    df.loc[4, [f"prob_{c}" for c in CLASSES]] = 0.1     # sums to 0.8


def _repeated_record(df):
    df.loc[5, "record_id"] = df.loc[1, "record_id"]


def _pred_not_argmax(df):
    top = df.loc[6, [f"prob_{c}" for c in CLASSES]].astype(float).idxmax()[5:]
    df.loc[6, "pred"] = next(c for c in CLASSES if c != top)


def _unknown_label(df):
    df.loc[7, "label"] = "VF"


def _text_in_prob(df):
    df["prob_ST"] = df["prob_ST"].astype(object)
    df.loc[8, "prob_ST"] = "high"


def _empty_prob(df):
    df.loc[9, "prob_SA"] = np.nan


EVALUATE_CASES = {
    # name: (file bytes, text that the message must contain besides the file name)
    "probability above 1": (_edit(_prob_above_one), ["row 3", "prob_SB", "between 0 and 1"]),
    "negative probability": (_edit(_prob_negative), ["row 4", "prob_AF", "between 0 and 1"]),
    "row does not sum to 1": (_edit(_row_sum_not_one), ["row 5", "sum to 0.8"]),
    "record listed twice": (_edit(_repeated_record), ["JS00001", "[2, 6]", "once"]),
    "pred is not the argmax": (_edit(_pred_not_argmax), ["row 7", "'pred'", "most probable"]),
    "label outside the 8 classes": (_edit(_unknown_label), ["row 8", "'label'", "'VF'"]),
    "text in a probability cell": (_edit(_text_in_prob), ["row 9", "prob_ST", "'high'"]),
    "empty probability cell": (_edit(_empty_prob), ["row 10", "prob_SA", "empty cell"]),
    "missing column": (lambda: _csv(_valid_frame().drop(columns="prob_AT")),
                       ["prob_AT", "missing"]),
    "header only": (lambda: _csv(_valid_frame().iloc[:0]), ["no rows"]),
    "empty file": (lambda: b"", ["empty file"]),
    "binary file": (lambda: bytes(np.random.default_rng(0).integers(0, 256, 4096,
                                                                     dtype=np.uint8)),
                    ["binary"]),
    "not UTF-8 text": (lambda: "record_id,label\nJS1,\xe9t\xe9\n".encode("latin-1"),
                       ["not a readable CSV"]),
    "truncated file": (lambda: _csv(_valid_frame())[:-40], ["row 12"]),
}


@pytest.mark.parametrize("case", list(EVALUATE_CASES))
def test_evaluate_refuses_impossible_predictions(case, tmp_path, capsys):
    make, expected = EVALUATE_CASES[case]
    path = tmp_path / "predictions.csv"
    path.write_bytes(make())
    code, err = run_cli(capsys, "evaluate", "--predictions", str(path), "--bootstrap", "0")
    assert_user_error(code, err, "evaluate", str(path), *expected)


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_evaluate_names_a_path_that_is_not_a_file(kind, tmp_path, capsys):
    path = tmp_path / "predictions.csv"
    if kind == "folder":
        path.mkdir()
    code, err = run_cli(capsys, "evaluate", "--predictions", str(path))
    assert_user_error(code, err, "evaluate", str(path))


def test_evaluate_accepts_valid_predictions_with_rounded_probabilities(tmp_path, capsys):
    """Probabilities written with 4 decimals sum to 1 only within rounding: accepted."""
    path = tmp_path / "predictions.csv"
    path.write_text(_valid_frame().to_csv(index=False, float_format="%.4f"))
    code, err, out = run_cli_output(capsys, "evaluate", "--predictions", str(path),
                                    "--bootstrap", "0", "--json")
    assert code == 0, err
    assert json.loads(out)["n"] == 12


def test_closed_pipe_ends_quietly(tmp_path):
    """`ecgpaper evaluate --json | head -1`: the reader is gone, no traceback."""
    path = tmp_path / "predictions.csv"
    path.write_bytes(_csv(_valid_frame(200)))
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        r = subprocess.run([sys.executable, "-m", "ecgpaper", "evaluate", "--predictions",
                            str(path), "--bootstrap", "0", "--json"], stdout=write_end,
                           stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert r.returncode == 1
    assert r.stderr == ""


# --- profile settings (--set) ------------------------------------------------------------

SETTING_CASES = {
    "max_epochs=-1": ("max_epochs", "whole number > 0"),
    "max_epochs=0": ("max_epochs", "whole number > 0"),
    "max_epochs=abc": ("max_epochs", "whole number > 0"),
    "max_epochs=2.5": ("max_epochs", "whole number > 0"),
    "max_epochs=true": ("max_epochs", "whole number > 0"),
    "batch_size=0": ("batch_size", "whole number > 0"),
    "patience=-3": ("patience", "whole number > 0"),
    "bootstrap=-1": ("bootstrap", "whole number >= 0"),
    "fs=0": ("fs", "whole number > 0"),
    "width=-0.5": ("width", "number > 0"),
    "twin_records=-10": ("twin_records", "whole number >= 0"),
    "lr=NaN": ("lr", "number > 0"),
    "label_smoothing=1.5": ("label_smoothing", "< 1"),
    "data_source=mitdb": ("data_source", "chapman-wfdb"),
    "denoised=maybe": ("denoised", "true or false"),
    "universal_max_epochs=0": ("universal_max_epochs", "or null"),
    "epochs=3": ("epochs", "expected known settings"),
    "max_epochs": ("max_epochs", "KEY=VALUE"),
}


@pytest.mark.parametrize("setting", list(SETTING_CASES))
def test_train_refuses_impossible_settings(setting, tmp_path, capsys):
    name, expected = SETTING_CASES[setting]
    work = tmp_path / "work"
    code, err = run_cli(capsys, "train", "--experiment", "1", "--work-dir", str(work),
                        "--no-progress", "--set", setting)
    assert_user_error(code, err, "train", name, expected)
    assert not work.exists(), "nothing may be written before the settings are checked"


def test_valid_settings_still_pass():
    from ecgpaper.profiles import get_profile, parse_overrides
    p = get_profile("demo", **parse_overrides(["max_epochs=3", "lr=5e-4", "work_dir=2024",
                                               "universal_fs=null", "denoised=true"]))
    assert (p.max_epochs, p.lr, p.work_dir, p.universal_fs, p.denoised) == (
        3, 5e-4, "2024", None, True)
    assert get_profile("full").twin_records == 0
    # a run may be renamed (its demo-only caps then no longer apply): `name` once crashed
    # with "multiple values for argument 'name'"
    renamed = get_profile("demo", **parse_overrides(["name=sim-to-real"]))
    assert renamed.name == "sim-to-real" and renamed.width == get_profile("demo").width


ARGUMENT_CASES = {
    "unknown experiment": (["train", "--experiment", "9"], "train", ["'9'", "1, 2"]),
    "experiment as a path": (["evaluate", "--experiment", "../1"], "evaluate", ["'../1'"]),
    "--out for two experiments": (["train", "-e", "1", "-e", "2", "--out", "x"], "train",
                                  ["--out", "single --experiment"]),
    "negative --bootstrap": (["evaluate", "--predictions", "p.csv", "--bootstrap", "-1"],
                             "evaluate", ["--bootstrap", ">= 0"]),
    "--leads without --experiment": (["evaluate", "--predictions", "p.csv", "--leads", "6"],
                                     "evaluate", ["--leads", "--experiment 7"]),
}


@pytest.mark.parametrize("case", list(ARGUMENT_CASES))
def test_impossible_arguments(case, tmp_path, capsys, monkeypatch):
    argv, command, expected = ARGUMENT_CASES[case]
    monkeypatch.chdir(tmp_path)
    code, err = run_cli(capsys, *argv, *(["--work-dir", str(tmp_path / "w")]
                                          if command == "train" else []))
    assert_user_error(code, err, command, *expected)
    assert not (tmp_path / "w").exists()


# --- ecgpaper train --resume with a damaged last.pt ---------------------------------------

@pytest.fixture(scope="module")
def interrupted_run(tmp_path_factory):
    """A tiny finished run of experiment 1, with metrics.json removed: to `train --resume`
    it looks like a run killed after its first epoch."""
    from ecgpaper.profiles import get_profile
    from ecgpaper.training.run import run_experiment
    work = tmp_path_factory.mktemp("fuzz_work")
    folder = work / "experiments" / "1"
    old = os.environ.get("ECGPAPER_THREADS")
    os.environ["ECGPAPER_THREADS"] = "1"
    try:
        run_experiment("1", get_profile("demo", work_dir=str(work), **TINY), progress=False,
                       log=None)
    finally:
        if old is None:
            os.environ.pop("ECGPAPER_THREADS")
        else:
            os.environ["ECGPAPER_THREADS"] = old
    (folder / "metrics.json").unlink()
    return work


class Evil:
    """Unpickling this would create the file `target`."""
    def __init__(self, target: Path):
        self.target = target

    def __reduce__(self):
        return (Path.touch, (self.target,))


def _torch_bytes(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def _real_state(last: Path) -> dict:
    return torch.load(last, weights_only=True)


def _wrong_network(last: Path) -> bytes:
    st = _real_state(last)
    key = next(k for k, v in st["model"].items() if v.dim() > 1)
    st["model"][key] = torch.zeros(3, 3)
    return _torch_bytes(st)


def _without(key):
    def make(last: Path) -> bytes:
        st = _real_state(last)
        del st[key]
        return _torch_bytes(st)
    return make


def _negative_epoch(last: Path) -> bytes:
    return _torch_bytes({**_real_state(last), "epoch": -1})


LAST_PT_CASES = {
    # name: (bytes of the damaged last.pt from the real one, text the message must hold)
    "random bytes": (lambda last: bytes(np.random.default_rng(1).integers(
        0, 256, 2048, dtype=np.uint8)), "not a torch checkpoint"),
    "empty file": (lambda last: b"", "unreadable"),
    "truncated": (lambda last: last.read_bytes()[: last.stat().st_size // 2], "unreadable"),
    "missing optimizer": (_without("optimizer"), "'optimizer'"),
    "not a dict": (lambda last: _torch_bytes([1, 2, 3]), "holds a list"),
    "negative epoch": (_negative_epoch, "epoch=-1"),
    "weights of another network": (_wrong_network, "does not fit"),
    "code in the pickle": (None, "weights_only=True"),
}


def _snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("case", list(LAST_PT_CASES))
def test_resume_refuses_damaged_last_pt(case, interrupted_run, tmp_path, capsys,
                                        monkeypatch):
    make, expected = LAST_PT_CASES[case]
    work = tmp_path / "work"
    shutil.copytree(interrupted_run, work)
    folder = work / "experiments" / "1"
    last = folder / "last.pt"
    marker = tmp_path / "unpickled-code-ran"
    if make is None:
        last.write_bytes(_torch_bytes({"model": Evil(marker)}))
    else:
        last.write_bytes(make(last))
    before = _snapshot(folder)
    monkeypatch.setenv("ECGPAPER_THREADS", "1")
    sets = [a for k, v in TINY.items() for a in ("--set", f"{k}={v}")]
    code, err = run_cli(capsys, "train", "--experiment", "1", "--work-dir", str(work),
                        "--no-progress", "--resume", *sets)
    assert_user_error(code, err, "train", str(last), expected)
    assert not marker.exists(), "code inside last.pt must never run"
    assert _snapshot(folder) == before, "a refused resume must leave the folder as it was"
    assert not (folder / "metrics.json").exists()


def test_resume_refuses_damaged_config_json(interrupted_run, tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    shutil.copytree(interrupted_run, work)
    cfg = work / "experiments" / "1" / "config.json"
    cfg.write_text('{"hash": ')
    monkeypatch.setenv("ECGPAPER_THREADS", "1")
    sets = [a for k, v in TINY.items() for a in ("--set", f"{k}={v}")]
    code, err = run_cli(capsys, "train", "--experiment", "1", "--work-dir", str(work),
                        "--no-progress", "--resume", *sets)
    assert_user_error(code, err, "train", str(cfg), "config.json")


def test_damaged_best_pt_is_named(tmp_path):
    from ecgpaper.models.registry import load_checkpoint
    path = tmp_path / "best.pt"
    path.write_bytes(_torch_bytes({"model_type": "se_resnet18"}))
    with pytest.raises(ValueError, match=r"best\.pt: .*expected a model checkpoint"):
        load_checkpoint(path)
    path.write_bytes(_torch_bytes({"state_dict": Evil(tmp_path / "ran")}))
    with pytest.raises(ValueError, match=r"best\.pt: .*weights_only=True"):
        load_checkpoint(path)
    assert not (tmp_path / "ran").exists()


def test_resume_subprocess_prints_no_traceback(interrupted_run, tmp_path):
    """The same refusal through a real process: one line on stderr, status 2."""
    work = tmp_path / "work"
    shutil.copytree(interrupted_run, work)
    last = work / "experiments" / "1" / "last.pt"
    last.write_bytes(b"")
    sets = [a for k, v in TINY.items() for a in ("--set", f"{k}={v}")]
    env = {**os.environ, "ECGPAPER_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    r = subprocess.run([sys.executable, "-m", "ecgpaper", "train", "--experiment", "1",
                        "--work-dir", str(work), "--no-progress", "--resume", *sets],
                       capture_output=True, text=True, env=env, timeout=300)
    assert_user_error(r.returncode, r.stderr, "train", str(last), "unreadable")
