"""The numbers behind the results chapters (ablations, comparison, claims), computed on
the committed reference edition: data with the expected shape, verdicts from stated
rules, and this build's fallback when no edition is committed."""

from __future__ import annotations

import pytest

from ecgpaper.evaluation import ablation_results as ab
from ecgpaper.evaluation import claims
from ecgpaper.evaluation import comparison_results as cr
from ecgpaper.profiles import get_profile
from ecgpaper.reference import editions, load_edition, reference_profile

needs_edition = pytest.mark.skipif(load_edition() is None, reason="no reference edition")


@needs_edition
def test_comparison_steps_are_paired_differences_on_the_same_records():
    profile = reference_profile("database")
    found = cr.steps(profile, n_boot=100)
    assert found, "no step between finished configurations"
    for step in found:
        d = step.difference
        assert d.low <= d.difference <= d.high and d.n_records > 1000
    table = cr.steps_table(found)
    assert list(table.columns) == ["step", "adds", "macro-F1 difference", "paired 95 % CI",
                                   "separates the two"]
    assert cr.separated(found) == sum(s.difference.excludes_zero for s in found)
    shown = cr.table3_for_reading(profile)
    assert "Accuracy, paper" in shown.columns and not any("−" == c for c in shown.columns)


@needs_edition
def test_ablation_results_are_data_with_verdict_words():
    res = ab.ablation_results(reference_profile("database"), n_boot=100)
    values = ab.glue_values(res)
    assert values["n_seeds"] in {"1", "2", "3"}
    if res.se_f1 is not None:
        assert values["se_f1_verdict"] in {"excludes 0", "includes 0"}
    assert values["ece_verdict"].split(",")[0].split(" (")[0] in {
        "lower", "higher", "not separated from it", "not measured yet"}
    assert len(ab.summary_table({"a": res})) == 8


def test_ece_verdict_follows_the_intervals():
    lo, hi = {"ece_low": 0.01, "ece_high": 0.02}, {"ece_low": 0.2, "ece_high": 0.3}
    assert ab._ece_verdict(lo, hi).startswith("lower")
    assert ab._ece_verdict(hi, lo).startswith("higher")
    assert ab._ece_verdict(lo, lo).startswith("not separated")
    assert ab.signed(0.0214) == "+0.021" and ab.signed(-0.0001) == "0.000"


@needs_edition
def test_every_claim_has_a_known_verdict_and_a_page():
    main, small = reference_profile("database"), reference_profile("small")
    checked = claims.all_claims(main, small)
    verdicts = {claims.SUPPORTED, claims.NOT_SUPPORTED, claims.NOT_SEPARATED,
                claims.NOT_MEASURED, claims.NOT_TESTED}
    assert all(c.verdict in verdicts and c.page for c in checked)
    assert sum(claims.verdict_counts(checked).values()) == len(checked)
    assert [c.key for c in checked if c.verdict == claims.NOT_TESTED] == \
        ["service", "gpt4o", "checkpointing"]
    head = claims.headline(main, small)
    assert head.best in {"1", "2", "3", "4", "5", "6"}
    assert set(head.universal_accuracy) == {12, 6, 3, 1}


def test_without_an_edition_this_build_stands_in(tmp_path):
    build = get_profile("demo", work_dir=str(tmp_path))
    shown = editions(build, root=tmp_path / "none")
    assert [e.key for e in shown] == ["build"] and not shown[0].is_reference
