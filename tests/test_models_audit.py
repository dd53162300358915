"""The parameter audit: closed-form counts against the modules, and the paper's numbers."""

import pytest

from ecgpaper.models import audit
from ecgpaper.models.registry import build_model, n_parameters
from ecgpaper.models.resnet1d import SEResNetConfig
from ecgpaper.models.universal import UniversalConfig


@pytest.mark.parametrize("kw", [dict(), dict(stem_kernel=15), dict(kernel_size=3),
                                dict(width=0.25, kernel_size=5), dict(se_bias=True),
                                dict(conv_bias=True, reduction=8)])
def test_closed_form_matches_modules(kw):
    model = build_model(UniversalConfig(**kw))
    c = audit.CountConfig(**kw, proj_dim=model.proj.out_features,
                          attn_hidden=model.pool.score[0].out_features)
    parts = audit.universal_breakdown(c)
    assert parts["backbone"] == n_parameters(model.backbone)
    assert parts["attention_pool"] == n_parameters(model.pool)
    assert parts["total"] == n_parameters(model)
    se = build_model(SEResNetConfig(in_channels=12, **kw))
    assert audit.backbone_params(audit.CountConfig(in_channels=12, **kw)) == n_parameters(se.backbone)


def test_audit_table_reproduces_stated_total_with_stem_15():
    t = audit.audit_table().set_index("component")
    assert t.loc["total", "ours (stem 15)"] == audit.PAPER_COUNTS["total"] == 9_179_977
    assert t.loc["total", "ours (stem 7)"] == 9_179_465
    assert t.loc["sum of the stated parts", "paper"] == 9_427_969
    assert t.loc["attention_pool", "ours (stem 15)"] == 65_793


def test_search_finds_exactly_one_total_match_and_no_backbone_match():
    g = audit.search_configurations()
    hit = g[g["matches_total"]]
    assert len(hit) == 1 and hit.iloc[0]["stem_kernel"] == 15 and hit.iloc[0]["kernel_size"] == 7
    assert not g["matches_backbone"].any()


def test_paper_checks_flag_the_known_contradictions():
    c = audit.paper_checks().reset_index().set_index("check")
    assert not c.loc["experiment 3 inputs = 14 metadata + 28 NeuroKit2", "agrees"]
    assert c.loc["experiment 3 inputs = 14 metadata + 28 NeuroKit2", "computed"] == 42
    assert c.loc["NeuroKit2 features kept by the filter (exp. 4: 27 - 14; exp. 6: 16 - 3)", "agrees"]
    assert not c.loc["experiment 2 is the best configuration (Table 3)", "agrees"]
    assert c.loc["Table 4 f1_macro from Table 6", "agrees"]
    assert c.loc["lead-configuration numbers in the text = Table 5", "agrees"]
