"""The configurations beyond the seven (ablations, seeds, related designs, non-neural
baselines): data, switches, one tiny training run each kind, the lead-set arrays of the
universal model and the numbers the ablation and baseline chapters compute from them."""

import argparse
import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
import torch

from ecgpaper.constants import CLASSES, LEADS
from ecgpaper.models.registry import build_model, n_parameters
from ecgpaper.models.resnet1d import SEResNetConfig
from ecgpaper.models.se import SEModule1d
from ecgpaper.models.universal import UniversalConfig, UniversalECGNet
from ecgpaper.profiles import get_profile
from ecgpaper.training import artifacts as art
from ecgpaper.training.experiments import EXPERIMENTS, get_experiment
from ecgpaper.training.loop import FitConfig, Tensors, fit
from ecgpaper.training.run import effective_profile, fit_config, model_config
from ecgpaper.training.variants import VARIANTS, group

TINY = {"twin_records": 160, "fs": 50, "width": 0.125, "max_epochs": 1, "bootstrap": 50}


def test_every_configuration_is_data_and_builds():
    p = get_profile("demo")
    assert set(VARIANTS).isdisjoint(EXPERIMENTS)
    # the seven keep the paper's recipe; the demo profile only caps experiment 7's budget
    assert all(set(e.variant()) <= {"demo"} for e in EXPERIMENTS.values())
    assert [e.id for e in EXPERIMENTS.values() if e.variant()] == ["7"]
    for name, exp in VARIANTS.items():
        assert get_experiment(name) is exp and exp.group in ("ablation", "seed", "baseline")
        if exp.neural:
            model = build_model(model_config(effective_profile(p, exp), exp, 0))
            assert n_parameters(model) > 0
    assert {"ablation-no-se", "baseline-cnn-gru", "baseline-gbm", "baseline-rules"} <= set(VARIANTS)
    assert len(group("seed")) == 2 and len(group("baseline")) == 6


def test_demo_caps_apply_on_demo_only_and_never_raise_a_setting():
    exp = get_experiment("baseline-multiscale-se")
    assert effective_profile(get_profile("demo"), exp).max_epochs == exp.demo["max_epochs"]
    assert effective_profile(get_profile("demo", max_epochs=1), exp).max_epochs == 1
    assert effective_profile(get_profile("full"), exp).max_epochs == 100


def test_demo_comparisons_are_matched():
    """An ablation, a seed or a recurrent related design trains exactly as long as the
    configuration it varies (only the multi-scale CNN is capped on the demo), and the
    universal model has the same epoch budget as experiment 1."""
    demo = get_profile("demo")
    capped = {"baseline-multiscale-se"}
    neural = [n for n in group("baseline") if get_experiment(n).model not in ("tabular", "rules")]
    assert set(neural) - capped == {"baseline-cnn-gru", "baseline-cnn-att-bigru",
                                    "baseline-rescnn-bigru"}
    assert effective_profile(demo, EXPERIMENTS["7"]).max_epochs == \
        effective_profile(demo, EXPERIMENTS["1"]).max_epochs
    for name in (*group("ablation"), *group("seed"), *(set(neural) - capped)):
        exp = get_experiment(name)
        base = EXPERIMENTS[exp.base]
        for field in ("max_epochs", "patience", "width", "fs"):
            assert getattr(effective_profile(demo, exp), field) == \
                getattr(effective_profile(demo, base), field), (name, field)


def test_demo_caps_do_not_change_the_hash_of_other_profiles():
    full = get_profile("full")
    exp = get_experiment("baseline-rescnn-bigru")
    bare = dataclasses.replace(exp, demo={}, demo_options={})
    assert art.run_config(exp, full, "x")["hash"] == art.run_config(bare, full, "x")["hash"]
    demo = get_profile("demo")
    assert art.run_config(exp, demo, "x")["hash"] != art.run_config(bare, demo, "x")["hash"]
    assert model_config(get_profile("full"), get_experiment("baseline-multiscale-se"), 0).filters == 16
    assert model_config(get_profile("demo"), get_experiment("baseline-multiscale-se"), 0).filters == 4


def test_settings_reach_the_loop_and_the_hash():
    p = get_profile("full")
    base = fit_config(p, EXPERIMENTS["1"])
    assert (base.label_smoothing, base.class_weights, base.lead_dropout) == (0.1, True, True)
    assert fit_config(p, get_experiment("ablation-no-smoothing")).label_smoothing == 0.0
    assert not fit_config(p, get_experiment("ablation-no-class-weights")).class_weights
    assert not fit_config(p, get_experiment("ablation-universal-no-lead-dropout")).lead_dropout
    assert fit_config(p, get_experiment("seed-1-2")).seed == p.seed + 2
    hashes = {art.run_config(e, p, "x")["hash"] for e in (*EXPERIMENTS.values(), *VARIANTS.values())}
    assert len(hashes) == len(EXPERIMENTS) + len(VARIANTS)


def test_se_switch_removes_exactly_the_se_parameters():
    for cfg in (SEResNetConfig(width=0.25), SEResNetConfig(width=0.25, n_meta=14)):
        with_se = build_model(cfg)
        plain = build_model(SEResNetConfig(**{**cfg.__dict__, "se": False}))
        se_params = sum(p.numel() for m in with_se.modules() if isinstance(m, SEModule1d)
                        for p in m.parameters())
        assert se_params > 0
        assert n_parameters(with_se) - n_parameters(plain) == se_params
        assert not any(isinstance(m, SEModule1d) for m in plain.modules())
        se_names = {k for k in with_se.state_dict() if ".se." in k}
        assert set(with_se.state_dict()) - se_names == set(plain.state_dict())


class _MaskSpy(torch.nn.Module):
    """A universal model that records the lead mask of every training batch."""

    def __init__(self):
        super().__init__()
        self.inner = UniversalECGNet(UniversalConfig(width=0.125, kernel_size=3, stem_kernel=3,
                                                     layers=(1, 1, 1, 1), checkpointing=False))
        self.masks = []

    def forward(self, x, idx, mask):
        if self.training:
            self.masks.append(mask.clone())
        return self.inner(x, idx, mask)


def _signals(n, seed):
    g = torch.Generator().manual_seed(seed)
    return Tensors(torch.randn(n, 12, 64, generator=g), torch.zeros(n, 0),
                   torch.arange(n) % 3)


@pytest.mark.parametrize("dropout", [False, True])
def test_lead_dropout_off_keeps_all_12_leads_in_every_batch(dropout):
    spy = _MaskSpy()
    cfg = FitConfig(max_epochs=3, batch_size=4, seed=0, fs=64, universal=True,
                    lead_dropout=dropout, lead_dropout_p_all=0.5, progress=False)
    fit(spy, _signals(32, 0), _signals(8, 1), cfg, None, log=None)
    assert len(spy.masks) == 24
    all_present = [bool(m.all()) for m in spy.masks]
    assert all(all_present) if not dropout else not all(all_present)


def test_cached_head_equals_forward_and_masked_leads_get_exactly_zero():
    from ecgpaper.training.lead_eval import head_outputs, lead_features, masking_check
    from ecgpaper.training.predict import predict, softmax
    torch.manual_seed(0)
    model = UniversalECGNet(UniversalConfig(width=0.125, kernel_size=3, stem_kernel=3,
                                            layers=(1, 1, 1, 1), checkpointing=False)).eval()
    data = _signals(10, 2)
    check = masking_check(model, data.x, n=10)
    assert check["max_attention_on_masked_leads"] == 0.0
    assert check["max_logit_difference_masked_vs_present_only"] < 1e-4
    assert check["max_logit_difference_cached_head"] < 1e-4
    feats, flat = lead_features(model, data.x)
    for leads in (("II",), ("I", "II", "V1"), LEADS):
        proba, attn = head_outputs(model, feats, flat, leads)
        logits, attn_ref = predict(model, data, True, leads=[LEADS.index(n) for n in leads])
        assert np.allclose(proba, softmax(logits), atol=1e-5)
        assert np.allclose(attn, attn_ref, atol=1e-6)
    # flat leads are real (unmasked) inputs: they receive attention
    proba, attn = head_outputs(model, feats, flat, ("II",), tuple(l for l in LEADS if l != "II"))
    assert (attn > 0).all() and np.allclose(attn.sum(1), 1, atol=1e-5)


def test_lead_count_curve_and_attention_come_from_the_stored_arrays(tmp_path):
    from ecgpaper.evaluation.lead_sets import (attention_ci, lead_count_curve, lead_sets,
                                               set_metrics, to_json)
    sets = lead_sets(seed=3, draws=2)
    rng = np.random.default_rng(0)
    n = 40
    y = rng.integers(0, 8, n)
    proba = rng.dirichlet(np.ones(8), size=(len(sets), n)).astype(np.float32)
    attn = rng.dirichlet(np.ones(12), size=(len(sets), n)).astype(np.float32)
    (tmp_path / "lead_sets.json").write_text(json.dumps(to_json(sets)))
    np.save(tmp_path / "lead_sets_proba.npy", proba)
    np.save(tmp_path / "lead_sets_attention.npy", attn)
    specs = json.loads((tmp_path / "lead_sets.json").read_text())["sets"]
    stored = np.load(tmp_path / "lead_sets_proba.npy")
    table = set_metrics(specs, stored, y)
    curve = lead_count_curve(table)
    k5 = [i for i, s in enumerate(specs) if s["kind"] == "random" and len(s["leads"]) == 5]
    acc = [(stored[i].argmax(1) == y).mean() for i in k5]
    assert curve.loc[5, "draws"] == 2
    assert math.isclose(lead_count_curve(table, metric="accuracy").loc[5, "mean"], np.mean(acc))
    assert math.isclose(curve.loc[5, "sd"], table.iloc[k5]["f1_macro"].std(ddof=1))
    a12 = np.load(tmp_path / "lead_sets_attention.npy")[0]        # table5-12
    ci = attention_ci(a12, y, n_boot=50)
    for c in ("all", CLASSES[int(y[0])]):
        rows = ci[ci["class"] == c].set_index("lead")
        sel = slice(None) if c == "all" else (y == CLASSES.index(c))
        assert np.allclose(rows["mean"].to_numpy(), a12[sel].mean(0))
        assert ((rows["low"] <= rows["mean"] + 1e-9) & (rows["mean"] <= rows["high"] + 1e-9)).all()


def test_calibration_numbers_agree_with_a_direct_computation():
    from ecgpaper.evaluation.variants import ece_ci
    rng = np.random.default_rng(1)
    n = 300
    y = rng.integers(0, 8, n)
    proba = rng.dirichlet(np.ones(8) * 0.5, size=n)
    out = ece_ci(y, proba, n_boot=100)
    conf, pred = proba.max(1), proba.argmax(1)
    ece = 0.0
    for lo in np.arange(10) / 10:
        inside = (conf > lo) & (conf <= lo + 0.1) if lo > 0 else (conf <= 0.1)
        if inside.any():
            ece += inside.mean() * abs((pred[inside] == y[inside]).mean() - conf[inside].mean())
    assert math.isclose(out["ece"], ece, rel_tol=1e-9)
    assert out["ece_low"] <= out["ece"] <= out["ece_high"]
    assert math.isclose(out["accuracy"], (pred == y).mean())


def test_train_command_accepts_names_and_groups():
    from ecgpaper.commands.train import experiments_from
    ns = argparse.Namespace(experiment=["ablation-no-se,baseline-cnn-gru", "1", "baselines"])
    ids = experiments_from(ns)
    assert ids[:3] == ["ablation-no-se", "baseline-cnn-gru", "1"]
    assert set(group("baseline")) <= set(ids)
    with pytest.raises(ValueError, match="unknown experiment"):
        experiments_from(argparse.Namespace(experiment=["ablation-nope"]))


@pytest.fixture(scope="module")
def tiny_profile(tmp_path_factory):
    from ecgpaper.workspace import ensure_store
    work = tmp_path_factory.mktemp("variants_work")
    p = get_profile("demo", work_dir=str(work), **TINY)
    ensure_store(p, progress=False)
    return p


@pytest.mark.parametrize("name", ["ablation-no-se", "baseline-cnn-gru", "baseline-gbm",
                                  "baseline-rules", "ablation-universal-no-lead-dropout"])
def test_new_configurations_train_one_epoch_and_write_complete_artifacts(tiny_profile, name):
    from ecgpaper.training.run import run_experiment
    exp = get_experiment(name)
    m = run_experiment(name, tiny_profile, progress=False, log=None)
    folder = art.experiment_dir(tiny_profile, name)
    assert art.is_complete(folder, m["config_hash"], art.required_files(exp))
    pred = pd.read_csv(folder / "predictions.csv")
    assert len(pred) == m["n_test"] and np.allclose(pred.filter(like="prob_").sum(1), 1, atol=1e-6)
    assert m["group"] == exp.group and m["variant"] == json.loads(json.dumps(exp.variant()))
    if exp.neural:
        assert m["epochs_run"] == 1 and (folder / "best.pt").is_file()
    if exp.universal:
        specs, proba, attn = art.load_lead_sets(tiny_profile, name)
        assert proba.shape == (len(specs), m["n_test"], 8) and attn.shape[-1] == 12
        assert m["masking_check"]["max_attention_on_masked_leads"] == 0.0
    again = run_experiment(name, tiny_profile, progress=False, log=None)
    assert again["reused"]
