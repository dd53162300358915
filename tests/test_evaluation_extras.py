"""Calibration, lead-attention statistics, figures and the `ecgpaper evaluate` command."""

import json

import numpy as np
import pytest

from ecgpaper.constants import CLASSES
from ecgpaper.evaluation import calibration as C
from ecgpaper.evaluation import leads as L
from ecgpaper.evaluation import metrics as M
from test_evaluation_metrics import make


def test_calibration():
    y, p = make(n=400, seed=1)
    rel = C.reliability(y, p, n_bins=10)
    assert rel["count"].sum() == 400 and len(rel) == 10
    conf, correct = p.max(1), (p.argmax(1) == y)
    bins = np.minimum((conf * 10).astype(int), 9)
    expected = sum(abs(correct[bins == b].mean() - conf[bins == b].mean()) * (bins == b).sum()
                   for b in range(10) if (bins == b).any()) / 400
    assert C.expected_calibration_error(y, p, 10) == pytest.approx(expected)
    # a perfectly confident and correct model is perfectly calibrated
    onehot = np.eye(8)[y]
    assert C.expected_calibration_error(y, onehot) == pytest.approx(0.0)


def test_lead_attention_stats():
    attn = np.array([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3], [0.7, 0.3, 0.0]])
    idx = np.array([[0, 1, 6], [0, 1, 6], [1, 6, 0]])
    mask = np.array([[1, 1, 1], [1, 1, 1], [1, 1, 0]], dtype=bool)
    s = L.lead_attention_stats(attn, idx, mask, y=["SB", "SB", "AFIB"])
    allr = s[s["class"] == "all"].set_index("lead")
    assert list(allr.index) == ["I", "II", "V1"]
    assert allr.loc["I", "mean"] == pytest.approx(0.3)
    assert allr.loc["II", "mean"] == pytest.approx((0.3 + 0.6 + 0.7) / 3)
    assert allr.loc["II", "sd"] == pytest.approx(np.std([0.3, 0.6, 0.7], ddof=1))
    assert allr.loc["I", "n"] == 2                         # masked entry ignored
    sb = s[s["class"] == "SB"].set_index("lead")
    assert sb.loc["V1", "mean"] == pytest.approx(0.25)
    mat = L.attention_matrix(s)
    assert mat.index[0] == "all" and list(mat.columns) == ["I", "II", "V1"]
    with pytest.raises(ValueError, match="lead_idx"):
        L.lead_attention_stats(attn, idx + 20)


def test_plots():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from ecgpaper.evaluation.bootstrap import bootstrap_ci, per_class_ci
    from ecgpaper.plots.confusion import plot_confusion
    from ecgpaper.plots.metrics import plot_metric_comparison, plot_per_class, plot_reliability
    y, p = make(n=200, seed=2, classes=range(7))
    for fig in (plot_confusion(M.confusion(y, p.argmax(1))),
                plot_confusion(M.confusion(y, p.argmax(1)), normalize=False),
                plot_per_class(per_class_ci(y, p.argmax(1), n=30), M.PAPER_TABLE6),
                plot_metric_comparison(bootstrap_ci(y, p, n=30), M.PAPER_TABLE4),
                plot_reliability(C.reliability(y, p))):
        assert fig.axes
        plt.close(fig)


def _write(tmp_path, name="pred.csv", drop=None):
    y, p = make(n=120, seed=3)
    df = M.predictions_frame([f"r{i}" for i in range(120)], y, p)
    if drop:
        df = df.drop(columns=drop)
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path, y, p


def test_evaluate_command(tmp_path, capsys):
    from ecgpaper.cli import main
    path, y, p = _write(tmp_path)
    assert main(["evaluate", "--predictions", str(path), "--bootstrap", "50"]) == 0
    out = capsys.readouterr().out
    assert "Table 4" in out and "Table 6" in out and "AUC (macro, OvR)" in out
    assert main(["evaluate", "--predictions", str(path), "--json", "--bootstrap", "50"]) == 0
    res = json.loads(capsys.readouterr().out)
    acc = next(r for r in res["table4"] if r["metric"] == "accuracy")
    assert acc["value"] == pytest.approx(M.table4(y, p)["accuracy"])
    assert set(res["table6"]) == set(CLASSES)


def test_evaluate_command_errors(tmp_path, capsys, monkeypatch):
    from ecgpaper.cli import main
    bad, _, _ = _write(tmp_path, "bad.csv", drop="label")
    assert main(["evaluate", "--predictions", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "'label'" in err
    monkeypatch.setenv("ECGPAPER_WORK", str(tmp_path / "work"))
    assert main(["evaluate", "--experiment", "3", "--profile", "demo"]) == 2
    assert "experiments/3/predictions.csv" in capsys.readouterr().err
    # --experiment finds the artifact folder of the profile
    folder = tmp_path / "work" / "demo" / "experiments" / "7"
    folder.mkdir(parents=True)
    path, _, _ = _write(folder, "predictions_3lead.csv")
    assert main(["evaluate", "--experiment", "7", "--leads", "3", "--bootstrap", "0"]) == 0
    assert "predictions_3lead.csv" in capsys.readouterr().out
