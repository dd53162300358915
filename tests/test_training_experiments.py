"""The seven configurations as data, input sizes, config hashing and the CLI parsing."""

import argparse
import dataclasses

import pytest

from ecgpaper.profiles import get_profile, parse_overrides
from ecgpaper.training import artifacts as art
from ecgpaper.training.experiments import (EXPERIMENTS, LEAD_CONFIGS, experiments_table,
                                           get_experiment)
from ecgpaper.training.run import effective_profile, fit_config, model_config


def test_seven_configurations_with_paper_rows():
    assert list(EXPERIMENTS) == ["1", "2", "3", "4", "5", "6", "7"]
    t = experiments_table()
    assert len(t) == 7
    assert t.loc["2", "paper accuracy"] == 0.942 and t.loc["7", "paper auc_macro"] == 0.953
    assert [EXPERIMENTS[e].paper_n_inputs for e in "23456"] == [14, 36, 27, 3, 16]
    assert EXPERIMENTS["7"].universal and not any(EXPERIMENTS[e].universal for e in "123456")
    assert not EXPERIMENTS["1"].uses_features
    assert LEAD_CONFIGS[6] == ("I", "II", "III", "aVR", "aVL", "aVF")
    assert LEAD_CONFIGS[3] == ("I", "II", "V1") and LEAD_CONFIGS[1] == ("II",)
    with pytest.raises(ValueError, match="unknown experiment"):
        get_experiment("8")


def test_fit_and_model_configs_follow_table2():
    p = get_profile("full")
    c1, c3, c7 = (fit_config(p, EXPERIMENTS[e]) for e in "137")
    assert (c1.batch_size, c7.batch_size) == (64, 32)
    assert (c1.patience, c3.patience) == (10, 15)          # NeuroKit2 variants: 15
    assert (c1.lr, c1.weight_decay, c1.label_smoothing, c1.grad_clip) == (1e-3, 1e-4, 0.1, 1.0)
    assert c7.universal and not c1.universal
    m2 = model_config(p, EXPERIMENTS["2"], 14)
    assert (m2.in_channels, m2.n_meta, m2.width, m2.kernel_size) == (12, 14, 1.0, 7)
    assert type(model_config(p, EXPERIMENTS["7"], 0)).__name__ == "UniversalConfig"


def test_universal_profile_fields_apply_only_to_experiment_7():
    p = get_profile("demo", universal_max_epochs=3, universal_width=0.125)
    assert effective_profile(p, EXPERIMENTS["1"]) is p
    e7 = effective_profile(p, EXPERIMENTS["7"])
    assert (e7.max_epochs, e7.width) == (3, 0.125)


def test_config_hash_tracks_what_matters():
    p = get_profile("demo")
    e = EXPERIMENTS["2"]
    h = art.run_config(e, p, "abc")["hash"]
    same = dataclasses.replace(p, num_workers=3, work_dir="/x")
    assert art.run_config(e, same, "abc")["hash"] == h
    assert art.run_config(e, dataclasses.replace(p, max_epochs=9), "abc")["hash"] != h
    assert art.run_config(e, p, "abd")["hash"] != h
    assert art.run_config(EXPERIMENTS["1"], p, "abc")["hash"] != h


def test_train_command_parsing():
    from ecgpaper.commands import train
    parser = argparse.ArgumentParser()
    train.register(parser)
    args = parser.parse_args(["--experiment", "all", "-e", "2", "--set", "max_epochs=1",
                              "--set", "width=0.125", "--set", "universal_fs=null"])
    assert train.experiments_from(args) == list("1234567")
    assert parse_overrides(args.set) == {"max_epochs": 1, "width": 0.125,
                                               "universal_fs": None}
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_overrides(["oops"])
