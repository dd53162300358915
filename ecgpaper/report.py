"""Tables for readers: one presentation helper that every chapter uses.

`present(df)` turns a computed table into what a reader should see:

- human labels instead of column keys (`latency_b1_ms` → "latency, batch 1 (ms)");
- no 0-based row index (a meaningful index becomes the first column);
- "—" for a missing value, thousands separators, counts as integers, three decimals for
  metrics, yes/no for booleans, one number of decimals per column;
- a value with its bounds (`x`, `x_low`, `x_high`) as one column "x (95 % CI)" written
  "0.844 (0.789–0.894)".

`markdown_table` and `table_directive` write the presented table as MyST markdown, so a
chapter can show it as a numbered, captioned table ("Table 3.1") that `{numref}` can
refer to.
"""

from __future__ import annotations

import math
import re
from numbers import Integral, Real

import pandas as pd

MISSING = "—"

# Column keys used across the package, with the label a reader sees.
LABELS: dict[str, str] = {
    "accuracy": "accuracy", "precision_macro": "precision (macro)",
    "recall_macro": "recall (macro)", "f1_macro": "F1 (macro)",
    "f1_weighted": "F1 (weighted)", "auc_macro": "AUC (macro, one-vs-rest)",
    "kappa": "Cohen's κ", "mcc": "MCC", "log_loss": "log loss",
    "top2_accuracy": "top-2 accuracy",
    "sensitivity": "sensitivity", "specificity": "specificity", "ppv": "PPV", "f1": "F1",
    "support": "test records",
    "params": "parameters", "n_parameters": "parameters",
    "gflop_per_record": "GFLOP per record", "forward_gflop_per_record": "forward GFLOP per record",
    "latency_b1_ms": "latency, batch 1 (ms)",
    "throughput_b32_records_per_s": "throughput, batch 32 (records/s)",
    "step_ms": "training step (ms)", "train_records_per_s": "training (records/s)",
    "achieved_gflop_per_s": "achieved GFLOP/s", "fs_hz": "sampling rate (Hz)",
    "records_per_s": "records/s", "ms_per_record": "ms per record",
    "full_database_s": "whole database (s)", "best_val_f1_macro": "best validation F1",
    "n_fallback": "fallbacks", "rate": "fallback rate",
    "balanced_recall_common": "balanced recall over SB, SR, ST, AFIB",
    "macro_f1_present": "macro-F1 (classes present)", "classes_absent": "classes absent",
    # training settings, as the pages that list a configuration name them
    "se": "SE blocks", "lead_dropout": "lead dropout", "label_smoothing": "label smoothing",
    "class_weights": "class weights", "seed_offset": "seed offset",
    "max_epochs": "epochs (at most)", "max_records": "records (at most)",
    "records_per_cpu_s": "records per CPU second",
}
_UNITS = {"ms": "ms", "s": "s", "hz": "Hz", "mb": "MB", "gb": "GB", "gflop": "GFLOP",
          "mflop": "MFLOP", "pct": "%", "bpm": "bpm", "uv": "µV"}


def label(key) -> str:
    """The reader's label for a column key (known keys first, then a readable guess)."""
    key = str(key)
    if key in LABELS:
        return LABELS[key]
    if "_" not in key:
        return key
    tokens = key.split("_")
    unit = _UNITS.get(tokens[-1].lower())
    if unit and len(tokens) > 1:
        tokens = tokens[:-1]
    words: list[str] = []
    for i, tok in enumerate(tokens):
        m = re.fullmatch(r"b(\d+)", tok)
        if m:
            words[-1:] = [words[-1] + ","] if words else []
            words.append(f"batch {m.group(1)}")
        elif tok == "n" and i == 0:
            words.append("number of")
        elif tok == "per":
            words.append("per")
        else:
            words.append(tok)
    text = " ".join(words)
    return f"{text} ({unit})" if unit else text


def _missing(v) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _minus(text: str) -> str:
    """A typographic minus, and no sign on a value that rounds to zero ('−0.000')."""
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        text = text[1:]
    return text.replace("-", "−")


def fixed(v, decimals: int) -> str:
    """A number with exactly `decimals` decimals and thousands separators."""
    if _missing(v):
        return MISSING
    x = float(v)
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return _minus(f"{x:,.{decimals}f}")


def signed(v, digits: int = 3) -> str:
    """A difference with its sign ('+0.021', '−0.004'; '0.000' when it rounds to zero)."""
    text = fixed(v, digits)
    return text if text.startswith("−") or float(text.replace(",", "").replace("−", "-")) == 0 \
        else "+" + text


def fmt_number(v, digits: int = 3) -> str:
    """One number as a reader sees it: integers with separators, metrics to `digits`
    decimals, large values with fewer decimals, '—' when missing."""
    if _missing(v):
        return MISSING
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, Integral):
        return _minus(f"{int(v):,}")
    if isinstance(v, Real):
        x = float(v)
        return fixed(x, 0 if abs(x) >= 1000 else 1 if abs(x) >= 100 else digits)
    return str(v)


def count(n, noun: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: '1 epoch', '4 epochs', '1,200 records'
    (`plural` for nouns that do not just add an s: count(2, 'class', 'classes'))."""
    if _missing(n):
        return f"{MISSING} {plural or noun + 's'}"
    x = float(n)
    number = f"{int(x):,}" if x.is_integer() else fmt_number(x)
    return f"{_minus(number)} {noun if x == 1 else (plural or noun + 's')}"


def fmt_setting(v) -> str:
    """A configuration value as a reader sees it: 'yes'/'no' for switches, 0.1 not
    0.100 for settings (which are not measurements), the text of anything else."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, Real):
        return _minus(f"{float(v):g}") if not isinstance(v, Integral) else _minus(f"{v:,}")
    return str(v)


def device_note(df: pd.DataFrame) -> str:
    """Where the rows of a timing table ran, for its caption: 'CPU, 2 threads' (each
    device once), so that the table need not repeat it in every row."""
    if "device" not in df:
        return "device not recorded"
    threads = df["threads"] if "threads" in df else pd.Series(None, index=df.index)
    notes = []
    for device, n in pd.DataFrame({"d": df["device"], "t": threads}).drop_duplicates() \
            .itertuples(index=False):
        name = "CPU" if device == "cpu" else "GPU" if str(device).startswith("cuda") \
            else str(device)
        notes.append(name if _missing(n) else f"{name}, {count(n, 'thread')}")
    return "; ".join(dict.fromkeys(notes))


def column_decimals(values, digits: int = 3) -> int:
    """One number of decimals for a whole column: `digits` for values below 100, one
    below 1000, none above, and never so few that a non-zero value reads as 0."""
    finite = [abs(float(v)) for v in values if not _missing(v) and math.isfinite(float(v))]
    if not finite:
        return digits
    top = max(finite)
    decimals = 0 if top >= 1000 else 1 if top >= 100 else digits
    smallest = min((v for v in finite if v > 0), default=None)
    while smallest is not None and decimals < digits and round(smallest, decimals) == 0:
        decimals += 1
    return decimals


def fmt_ci(value, low=None, high=None, digits: int = 3) -> str:
    """'0.844 (0.789–0.894)'; just the value when the bounds are undefined."""
    if _missing(value):
        return MISSING
    text = fmt_number(float(value), digits)
    if _missing(low) or _missing(high):
        return text
    return f"{text} ({fmt_number(float(low), digits)}–{fmt_number(float(high), digits)})"


def _is_count(series: pd.Series) -> bool:
    values = pd.to_numeric(series, errors="coerce").dropna()
    if series.dtype.kind in "iu":
        return True
    if series.dtype.kind != "f" or values.empty:
        return False
    return bool(((values % 1) == 0).all() and (values.abs() >= 1).any()
                and (values.abs() >= 2).any())


def _numeric_if_all_numbers(series: pd.Series) -> pd.Series:
    """An object column that holds only numbers (and gaps) as a numeric column, so that
    it gets one number format; any other column unchanged."""
    if series.dtype.kind != "O":
        return series
    present_values = [v for v in series if not _missing(v)]
    if not present_values or not all(isinstance(v, Real) and not isinstance(v, bool)
                                     for v in present_values):
        return series
    return pd.to_numeric(series)


def _merge_intervals(df: pd.DataFrame, digits: int) -> pd.DataFrame:
    """Columns `x`, `x_low`, `x_high` become one 'x (95 % CI)' column."""
    out = df.copy()
    for col in list(df.columns):
        lo, hi = f"{col}_low", f"{col}_high"
        if lo in df.columns and hi in df.columns:
            pos = list(out.columns).index(col)
            merged = [fmt_ci(v, a, b, digits) for v, a, b in zip(df[col], df[lo], df[hi])]
            out = out.drop(columns=[col, lo, hi])
            out.insert(pos, f"{label(col)} (95 % CI)", merged)
    return out


def present(df: pd.DataFrame, digits: int = 3, labels: dict | None = None,
            counts: tuple[str, ...] = (), keep_index: bool | None = None,
            decimals: dict | None = None) -> pd.DataFrame:
    """A table for reading: labelled columns, no 0-based index, every cell a string.

    `labels` overrides the labels of some columns; `counts` names columns to show as
    integers even when stored as floats; `keep_index` forces (True) or drops (False) the
    index as a first column (default: kept unless it is the 0-based row number);
    `decimals` fixes the decimals of some numeric columns ({"seconds": 1})."""
    if isinstance(df, pd.Series):
        df = df.to_frame()
    df = df.copy()
    index = df.index
    plain = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 \
        and index.name is None
    if keep_index is None:
        keep_index = not plain
    if keep_index:
        names = [n if n is not None else "" for n in (index.names or [None])]
        if len(names) == 1 and names[0] == "" and "" not in df.columns:
            df.index.name = "\u200b"     # an empty-looking header for an unnamed index
        if any(name in df.columns for name in df.index.names):
            df = df.reset_index(drop=True)   # the index repeats a column
        else:
            df = df.reset_index()
    else:
        df = df.reset_index(drop=True)
    if isinstance(df.columns, pd.MultiIndex):
        df.columns = [", ".join(str(c) for c in col if str(c)) for col in df.columns]
    df = _merge_intervals(df, digits)
    out = pd.DataFrame(index=df.index)
    extra = dict(labels or {})
    for col in df.columns:
        series = _numeric_if_all_numbers(df[col])
        fixed_places = col in (decimals or {})
        as_count = not fixed_places and (col in counts or _is_count(series))
        if as_count:
            cells = [fixed(v, 0) for v in series]
        elif series.dtype.kind == "b":
            cells = ["yes" if v else "no" for v in series]
        elif series.dtype.kind in "if":
            places = decimals[col] if fixed_places else column_decimals(series, digits)
            cells = [fixed(v, places) for v in series]
        else:
            cells = [fmt_number(v, digits) if not isinstance(v, str) else v for v in series]
        name = extra.get(col, label(col) if isinstance(col, str) else str(col))
        out[name] = cells
    return out


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(df: pd.DataFrame, digits: int = 3, present_first: bool = True,
                   align_numbers: bool = True) -> str:
    """A presented table as a GitHub/MyST pipe table (numbers right-aligned)."""
    shown = present(df, digits) if present_first else df.astype(str)
    header = "| " + " | ".join(_cell(c) for c in shown.columns) + " |"
    aligns = []
    for col in shown.columns:
        numeric = align_numbers and all(
            re.fullmatch(r"[−\-+]?[\d,]*\.?\d+( \(.*\))?%?|—", str(v)) for v in shown[col])
        aligns.append("---:" if numeric else ":---")
    rule = "| " + " | ".join(aligns) + " |"
    body = ["| " + " | ".join(_cell(v) for v in row) + " |"
            for row in shown.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def table_directive(df: pd.DataFrame, caption: str, name: str | None = None,
                    digits: int = 3, present_first: bool = True, wide: bool = False) -> str:
    """MyST for a numbered, captioned table: :::{table} caption / :name: name / rows :::.

    A colon fence, because a backtick fence may not carry a caption with `code` in it."""
    caption = " ".join(str(caption).split())
    lines = [f":::{{table}} {caption}"]
    if name:
        lines.append(f":name: {name}")
    lines.append(":class: ecg-table" + (" ecg-wide" if wide else ""))
    lines += ["", markdown_table(df, digits, present_first), ":::"]
    return "\n".join(lines)


def styled(df: pd.DataFrame, digits: int = 3):
    """A presented table as a pandas Styler without the row index (for `glue`)."""
    shown = present(df, digits)
    return shown.style.hide(axis="index")
