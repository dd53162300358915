"""Domain randomisation and recording conditions of the twin: morphology independent of
the rhythm, premature beats, amplifier band, faults that keep the limb-lead identities,
and the signal statistics the realism report uses."""

import numpy as np
import pytest

from ecgpaper.constants import CLASSES, LEAD_INDEX as L
from ecgpaper.data.validate import RecordError, validate_signal
from ecgpaper.twin import generator, noise, realism, rhythms, variants


def test_background_statements_reach_every_rhythm():
    rng = np.random.default_rng(0)
    for label in CLASSES:
        beats = [variants.add_background("NONE", label, rng, rhythms.SINUS)
                 for _ in range(600)]
        codes = {c for b in beats for c in b.split()}
        assert {"RBBB", "LVHV", "TWC", "VPB", "AQW"} <= codes, label
        has_p = label in rhythms.SINUS
        assert ("APB" in codes) == has_p and ("1AVB" in codes) == has_p, label
        wide = sum(("RBBB" in b) + ("LBBB" in b) + ("IVB" in b) > 1 for b in beats)
        assert wide == 0                    # never two conduction blocks at once


def test_wide_qrs_follows_the_block():
    rng = np.random.default_rng(1)
    assert variants.wide_qrs_ms("RBBB", 90.0, rng) >= 120
    assert variants.wide_qrs_ms("IVB TWC", 90.0, rng) >= 110
    assert variants.wide_qrs_ms("TWC", 90.0, rng) == 90.0


def test_premature_beats_come_early():
    rng = np.random.default_rng(2)
    t = np.arange(-2.0, 12.0, 0.8)
    p = t - 0.2
    t2, p2, pvc = variants.premature(t, p.copy(), "VPB APB", rng, 10.0)
    assert pvc.any() and len(p2) == len(t2) - pvc.sum()
    rr = np.diff(t2)
    assert rr.min() < 0.8 * 0.8                        # a short coupling interval
    i = int(np.flatnonzero(pvc)[0])
    assert t2[i + 1] - t2[i - 1] == pytest.approx(1.6, abs=0.3)   # compensatory pause


def test_arm_swap_keeps_identities_and_flat_lead_passes_checks():
    rng = np.random.default_rng(3)
    eight = rng.normal(0, 300, (8, 5000))
    x, what = eight, ""
    while what != "LA/RA reversed":
        x, what = noise.faults(eight, rng)
    twelve = generator.expand_limb_leads(x)
    orig = generator.expand_limb_leads(eight)
    np.testing.assert_allclose(twelve[L["I"]], -orig[L["I"]])
    np.testing.assert_allclose(twelve[L["II"]], orig[L["III"]])
    np.testing.assert_allclose(twelve[L["III"]], orig[L["II"]])
    np.testing.assert_allclose(twelve[L["aVR"]], orig[L["aVL"]])
    np.testing.assert_allclose(twelve[L["aVF"]], orig[L["aVF"]])


def test_generated_records_pass_the_record_checks():
    counts = {c: 3 for c in CLASSES}
    for _, rec in generator.iter_records(counts=counts, seed=11):
        try:
            validate_signal(rec.signal, fs=500, units="uV", source="twin", allow_flat=True)
        except RecordError as exc:        # pragma: no cover - the message is the point
            pytest.fail(str(exc))


def test_amplifier_band_limits_high_frequencies():
    rng = np.random.default_rng(4)
    x = rng.normal(0, 10, (8, 5000))
    y = np.stack([noise.amplifier(x, np.random.default_rng(k), 500) for k in range(20)])
    assert realism.band_powers(y[0])["power_100_250Hz"] <= \
        realism.band_powers(x)["power_100_250Hz"] + 1e-9
    assert np.all(np.isfinite(y))


def test_realism_statistics_measure_the_signal():
    recs = list(generator.iter_records(counts={"SR": 2, "AFIB": 2, "ST": 2}, seed=5))
    for _, rec in recs:
        st = realism.record_stats(rec.signal, intervals=False)
        if "VPB" not in rec.row["Beat"]:   # a VPB's tall T may count twice
            assert st["rate_bpm"] == pytest.approx(rec.row["VentricularRate"], rel=0.1)
        assert 100 < st["amp_V2"] < 30000 and st["hf_noise_uV"] >= 0
        assert sum(v for k, v in st.items() if k.startswith("power_")) == \
            pytest.approx(1.0, abs=0.02)
    cv = {rec.row["Rhythm"]: realism.record_stats(rec.signal, intervals=False)["rr_cv"]
          for _, rec in recs}
    assert cv["AFIB"] > cv["ST"]
