"""Harmonised scoring: sinus labels replaced by the measured rate (Chapman-Shaoxing's
60/100 bpm rule), on synthetic RR series, simulated ECGs and the real records beside the
project."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecgpaper.constants import LEADS
from ecgpaper.data.record import Record
from ecgpaper.evaluation.external import (ALL_SOURCES, AS_LABELLED, HARMONISED,
                                          both_ways_table, pooled_both_ways,
                                          scores_both_ways)
from ecgpaper.evaluation.harmonise import (AGREES, NOT_MEASURED, NOT_SINUS, RELABELLED,
                                           harmonise, harmonise_one, harmonised_predictions,
                                           lead_ii_rate, rate_from_rr, rate_label,
                                           relabel_counts, scored_only)


def test_rate_is_sixty_over_the_median_rr():
    assert rate_from_rr([1.0] * 9) == pytest.approx(60.0)
    assert rate_from_rr([0.5] * 19) == pytest.approx(120.0)
    # one missed beat (a doubled interval) and one extra detection leave the median alone
    assert rate_from_rr([1.05] * 7 + [2.1, 0.4]) == pytest.approx(60 / 1.05)
    assert np.isnan(rate_from_rr([1.0, 1.0]))             # too few intervals for a median
    assert np.isnan(rate_from_rr([]))


def test_the_rate_rule_and_its_boundaries():
    assert [rate_label(b) for b in (40, 59.9, 60, 80, 100, 100.1, 150)] == [
        "SB", "SB", "SR", "SR", "SR", "ST", "ST"]
    with pytest.raises(ValueError, match="expected a measured rate"):
        rate_label(float("nan"))


def test_only_sinus_labels_move_and_unmeasured_ones_keep_their_label():
    assert harmonise_one("SR", 56.0) == {"harmonised": "SB", "relabelled": True,
                                         "status": RELABELLED}
    assert harmonise_one("SB", 65.0)["harmonised"] == "SR"
    assert harmonise_one("ST", 95.0)["harmonised"] == "SR"
    assert harmonise_one("SR", 72.0) == {"harmonised": "SR", "relabelled": False,
                                         "status": AGREES}
    assert harmonise_one("AFIB", 130.0) == {"harmonised": "AFIB", "relabelled": False,
                                            "status": NOT_SINUS}
    kept = harmonise_one("SR", float("nan"), "lead II is flat")
    assert kept["harmonised"] == "SR" and kept["status"] == NOT_MEASURED
    assert kept["why_not_measured"] == "lead II is flat"


@pytest.mark.parametrize("bpm", [48, 75, 115])
def test_the_measured_rate_of_a_simulated_ecg(bpm):
    import neurokit2 as nk
    lead = nk.ecg_simulate(duration=10, sampling_rate=500, heart_rate=bpm, noise=0.01,
                           random_state=1)
    rate, why = lead_ii_rate(lead, 500)
    assert why is None and rate == pytest.approx(bpm, abs=3)


def test_no_rate_from_a_flat_or_broken_lead():
    assert lead_ii_rate(np.zeros(5000), 500)[1] == "lead II is flat"
    broken = np.ones(5000)
    broken[10] = np.nan
    assert "NaN" in lead_ii_rate(broken, 500)[1]


def _stub(record_id, label, signal, source="made up"):
    record = Record(record_id, signal.astype(np.float32), 500.0, "mV", LEADS, label)
    return SimpleNamespace(source=source, record_id=record_id, label=label,
                           load=lambda fs=500: record)


def test_a_record_without_a_rate_is_counted_not_relabelled():
    import neurokit2 as nk
    beating = np.tile(nk.ecg_simulate(duration=10, sampling_rate=500, heart_rate=50,
                                      random_state=2), (12, 1))
    flat = np.zeros((12, 5000))
    frame = harmonise([_stub("A", "SR", beating), _stub("B", "SR", flat),
                       _stub("C", "AFIB", flat)])
    assert list(frame["harmonised"]) == ["SB", "SR", "AFIB"]
    assert list(frame["status"]) == [RELABELLED, NOT_MEASURED, NOT_SINUS]
    assert frame["why_not_measured"][1] == "lead II is flat"
    (counts,) = relabel_counts(frame).to_dict("records")
    assert counts == {"source": "made up", "records": 3, "sinus_labelled": 2,
                      "rate_measured": 1, "relabelled": 1, "rate_not_measured": 1,
                      "moves": "SR→SB 1"}


@pytest.fixture(scope="module")
def ptbxl_rates(shared_data):
    from ecgpaper.data.external import find_external
    return harmonise(find_external(shared_data / "ptbxl").records)


def test_ptbxl_sr_at_56_bpm_becomes_sb(ptbxl_rates):
    """PTB-XL's ECG 19 is labelled sinus rhythm at about 56 bpm: Chapman's rule calls it
    sinus bradycardia. The other sinus records of those 20 agree with the rule."""
    row = ptbxl_rates.set_index("record_id").loc["ptbxl_00019"]
    assert row["label"] == "SR" and row["harmonised"] == "SB" and row["relabelled"]
    assert 50 < row["bpm"] < 60
    sinus = ptbxl_rates[ptbxl_rates["label"].isin(["SB", "SR", "ST"])]
    assert sinus["bpm"].notna().all()
    assert list(ptbxl_rates.loc[ptbxl_rates["relabelled"], "record_id"]) == ["ptbxl_00019"]
    others = ptbxl_rates[~ptbxl_rates["label"].isin(["SB", "SR", "ST"])]
    assert others["bpm"].isna().all() and (others["harmonised"] == others["label"]).all()


def test_both_ways_score_the_same_predictions_against_two_label_sets(ptbxl_rates):
    """A network that follows the rate rule everywhere is right on every sinus record
    harmonised, and wrong as labelled exactly where the source's reader departed from
    the rule (ECG 19)."""
    predictions = ptbxl_rates[["source", "record_id", "label"]].assign(
        pred=ptbxl_rates["harmonised"])
    assert (harmonised_predictions(predictions, ptbxl_rates)["label"]
            == ptbxl_rates["harmonised"]).all()
    both = scores_both_ways(predictions, ptbxl_rates, n_boot=50, seed=0)
    n = len(predictions)
    assert both[HARMONISED][ALL_SOURCES]["accuracy"][0] == pytest.approx(1.0)
    assert both[AS_LABELLED][ALL_SOURCES]["accuracy"][0] == pytest.approx((n - 1) / n)
    pooled = pooled_both_ways(both)
    assert pooled["accuracy_harmonised"][0] == 1.0 and pooled["records"] == n
    table = both_ways_table(both)
    assert list(table.index) == ["PTB-XL", ALL_SOURCES]
    assert table.loc["PTB-XL", "accuracy, harmonised"] == pytest.approx(1.0)
    assert {"accuracy, as labelled_low", "balanced recall, harmonised_high"} <= set(table)


def test_a_scored_record_that_was_not_harmonised_is_an_error(ptbxl_rates):
    predictions = pd.DataFrame({"source": ["PTB-XL"], "record_id": ["ptbxl_99999"],
                                "label": ["SR"], "pred": ["SR"]})
    with pytest.raises(ValueError, match="record ptbxl_99999 of PTB-XL was scored but not "
                                         "harmonised"):
        harmonised_predictions(predictions, ptbxl_rates)
    assert scored_only(ptbxl_rates, predictions).empty
