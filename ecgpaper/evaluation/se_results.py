"""The numbers of the squeeze-and-excitation chapter, as data: the share of parameters
the SE gates cost, per-recording gate summaries by block and class, and whether a
network's gates moved away from where an untrained network's sit.

A sigmoid gate whose input is near 0 gives 0.5. The gates of an untrained network sit
around 0.5 with little spread; if a trained network's gates still average about 0.5
(within `HALF_TOLERANCE`) with a spread below `FLAT_SPREAD`, its SE blocks rescale every
channel alike on every recording: they learned no channel selection. The chapter shows
an untrained network of the same architecture on the same records as the yardstick.
Nothing here writes a sentence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..constants import CLASSES

HALF_TOLERANCE = 0.05      # a mean gate within 0.05 of 0.5 counts as "about 0.5"
FLAT_SPREAD = 0.05         # gates whose sd within a block is below this are flat


def se_share(model) -> tuple[int, int]:
    """(parameters inside SE modules, all parameters) of a network."""
    from ..models.registry import n_parameters
    from ..models.se import SEModule1d
    se = sum(p.numel() for m in model.modules() if isinstance(m, SEModule1d)
             for p in m.parameters())
    return int(se), int(n_parameters(model))


def model_table(model, fs: int) -> pd.DataFrame:
    """The network whose gates a chapter reads: width, kernel, rate and its parameters."""
    se, total = se_share(model)
    return pd.DataFrame({
        "": ["width", "block kernel", "sampling rate (Hz)", "parameters",
             "of which in SE gates"],
        "value": [f"{model.config.width:g}", str(model.config.kernel_size), str(fs),
                  f"{total:,}", f"{se:,} ({100 * se / total:.1f} %)"]})


def gate_frame(gates: dict[str, np.ndarray], labels) -> pd.DataFrame:
    """One row per recording and block: its class, the mean of the block's gates (how
    much the block lets through) and their sd across channels (how selective it is)."""
    classes = [CLASSES[int(k)] for k in labels]
    frame = pd.concat([pd.DataFrame({"block": name, "class": classes, "mean gate": g.mean(1),
                                     "gate spread (sd)": g.std(1)})
                       for name, g in gates.items()], ignore_index=True)
    order = pd.Categorical(frame["class"], categories=CLASSES, ordered=True)
    return frame.iloc[np.argsort(order.codes, kind="stable")].reset_index(drop=True)


def spread_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Median per-recording gate spread by block (rows) and class (columns, with the
    number of recordings of the class)."""
    table = frame.groupby(["block", "class"], sort=False)["gate spread (sd)"].median() \
        .unstack("class")
    table = table[[c for c in CLASSES if c in table.columns]]
    per_class = frame["class"].value_counts() // max(frame["block"].nunique(), 1)
    table.columns = [f"{c} ({int(per_class.get(c, 0))})" for c in table.columns]
    table.index = [b.replace("backbone.", "") for b in table.index]
    return table.rename_axis("block")


def class_shift(gates_last: np.ndarray, labels) -> pd.DataFrame:
    """Class mean gate minus the mean over all recordings, per channel of one block
    (rows: the classes present, in CLASSES order)."""
    g = pd.DataFrame(np.asarray(gates_last, dtype=float))
    g["class"] = [CLASSES[int(k)] for k in labels]
    by_class = g.groupby("class").mean()
    by_class = by_class.loc[[c for c in CLASSES if c in by_class.index]]
    return by_class - np.asarray(gates_last, dtype=float).mean(0)


@dataclass(frozen=True)
class GateSummary:
    mean: float                 # mean of every gate of every block, channel and recording
    spread: float               # sd of a block's gates over channels and recordings,
                                # averaged over the blocks (a constant per block is no
                                # selection: the batch normalisation before it absorbs it)
    record_spread: float        # median over recordings and blocks of the sd across channels
    class_shift: float          # largest |class mean - overall mean| of a last-block channel
    n_records: int

    @property
    def near_half(self) -> bool:
        return abs(self.mean - 0.5) < HALF_TOLERANCE

    @property
    def flat(self) -> bool:
        return self.spread < FLAT_SPREAD

    @property
    def learned_nothing(self) -> bool:
        """Gates at about 0.5 with little spread: every channel rescaled alike."""
        return self.near_half and self.flat


def gate_summary(gates: dict[str, np.ndarray], labels) -> GateSummary:
    """The summary of one network's gates on the same recordings (`labels`: classes)."""
    every = np.concatenate([g.ravel() for g in gates.values()])
    per_record = np.concatenate([g.std(1) for g in gates.values()])
    last = list(gates.values())[-1]
    shift = class_shift(last, labels).abs().to_numpy()
    within = float(np.mean([g.std() for g in gates.values()]))
    return GateSummary(mean=float(every.mean()), spread=within,
                       record_spread=float(np.median(per_record)),
                       class_shift=float(shift.max()) if shift.size else float("nan"),
                       n_records=int(len(labels)))


def summaries_table(summaries: dict[str, GateSummary]) -> pd.DataFrame:
    """One row per network (label -> GateSummary), every number on a 0-1 gate scale."""
    from ..report import fixed
    return pd.DataFrame([{
        "network": label, "mean gate": fixed(s.mean, 3), "sd within a block": fixed(s.spread, 3),
        "median per-recording spread": fixed(s.record_spread, 3),
        "largest class shift, last block": fixed(s.class_shift, 3),
        "gates about 0.5 and flat": "yes" if s.learned_nothing else "no",
        "recordings": f"{s.n_records:,}"} for label, s in summaries.items()])


def glue_values(s: GateSummary) -> dict[str, str]:
    """The chapter's glued values of one network's gates, by short name."""
    from ..report import fixed
    return {"mean": fixed(s.mean, 3), "spread": fixed(s.spread, 3),
            "record_spread": fixed(s.record_spread, 3),
            "class_shift": fixed(s.class_shift, 3), "n_records": f"{s.n_records:,}",
            "verdict": "about 0.5 and flat" if s.learned_nothing else
                       "away from 0.5" if not s.near_half else "about 0.5 but spread out",
            "learned": "learned no channel selection" if s.learned_nothing
                       else "vary across channels or recordings"}


def constants() -> dict[str, str]:
    """The tolerances of the rule, as the chapter states them."""
    return {"half_tolerance": f"{HALF_TOLERANCE:.2f}", "flat_spread": f"{FLAT_SPREAD:.2f}"}
