"""The presentation helper every chapter uses, the paper's numbers in one place, and the
honesty fixes that can be checked from the sources alone (no book build)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from ecgpaper import paper
from ecgpaper.paths import REPO_ROOT
from ecgpaper.report import fmt_ci, label, markdown_table, present, table_directive


def test_present_labels_formats_and_drops_the_row_number():
    df = pd.DataFrame({"latency_b1_ms": [1.23456, np.nan], "n_records": [106157430.0, 3.0],
                       "accuracy": [0.9, 0.8], "accuracy_low": [0.85, 0.7],
                       "accuracy_high": [0.95, 0.9], "ok": [True, False]})
    shown = present(df)
    assert list(shown.columns) == ["latency, batch 1 (ms)", "number of records",
                                   "accuracy (95 % CI)", "ok"]
    assert shown.iloc[0].tolist() == ["1.235", "106,157,430", "0.900 (0.850–0.950)", "yes"]
    assert shown.iloc[1, 0] == "—"
    assert list(shown.index) == [0, 1] and "index" not in shown.columns


def test_present_keeps_a_meaningful_index_as_first_column():
    df = pd.DataFrame({"f1": [0.5]}, index=pd.Index(["SB"], name="class"))
    assert present(df).columns[0] == "class"
    assert present(df).iloc[0].tolist() == ["SB", "0.500"]


def test_labels_and_interval_format():
    assert label("throughput_b32_records_per_s") == "throughput, batch 32 (records/s)"
    assert label("gflop_per_record") == "GFLOP per record"
    assert fmt_ci(0.8444, 0.7891, 0.8943) == "0.844 (0.789–0.894)"
    assert fmt_ci(None) == "—"


def test_table_directive_is_a_numbered_myst_table_even_with_code_in_its_caption():
    text = table_directive(pd.DataFrame({"a_b": [1, 2]}), "Caption.", "tbl-x")
    assert text.startswith(":::{table} Caption.\n:name: tbl-x\n:class: ecg-table\n\n|")
    assert text.endswith("\n:::")
    assert "| a b |" in markdown_table(pd.DataFrame({"a_b": [1]}))
    # a backtick fence may not carry backticks in its info string: the caption would leak
    coded = table_directive(pd.DataFrame({"a": [1]}), "Run by `ecgpaper bench`\non 2 cores.",
                            "tbl-y", wide=True)
    assert coded.splitlines()[0] == ":::{table} Run by `ecgpaper bench` on 2 cores."
    assert ":class: ecg-table ecg-wide" in coded


def test_numbers_have_one_format_per_column_and_no_negative_zero():
    from ecgpaper.report import fmt_number
    assert fmt_number(-0.0001) == "0.000" and fmt_number(-0.5) == "−0.500"
    assert fmt_number(-150.25) == "−150.2" and fmt_number(-1234.5) == "−1,234"
    shown = present(pd.DataFrame({"ms": [38.5, 1040.2, 640.0], "n": [56.0, 50, None],
                                  "f1": [0.91, 0.5, 0.123456]}).astype({"n": object}))
    assert shown["ms"].tolist() == ["38", "1,040", "640"]      # not '38.500' beside '1,040'
    assert shown["n"].tolist() == ["56", "50", "—"]            # not '56.000' beside '50'
    assert shown["F1"].tolist() == ["0.910", "0.500", "0.123"]
    tiny = present(pd.DataFrame({"s": [250.0, 0.04]}))["s"].tolist()
    assert tiny == ["250.00", "0.04"]                          # a non-zero value never reads 0
    fixed_places = present(pd.DataFrame({"seconds": [38.0, 2.0]}), decimals={"seconds": 1})
    assert fixed_places["seconds"].tolist() == ["38.0", "2.0"]


def test_count_fmt_setting_and_device_note_read_as_written_by_hand():
    from ecgpaper.report import count, device_note, fmt_setting
    assert count(1, "epoch") == "1 epoch" and count(4, "epoch") == "4 epochs"
    assert count(1.0, "thread") == "1 thread" and count(1200, "record") == "1,200 records"
    assert count(2, "batch", "batches") == "2 batches" and count(0, "lead") == "0 leads"
    assert fmt_setting(False) == "no" and fmt_setting(0.0) == "0"
    assert fmt_setting(0.125) == "0.125" and fmt_setting(3) == "3"
    times = pd.DataFrame({"device": ["cpu", "cpu"], "threads": [1, 1]})
    assert device_note(times) == "CPU, 1 thread"
    assert device_note(pd.DataFrame({"device": ["cpu", "cuda"], "threads": [2, None]})) \
        == "CPU, 2 threads; GPU"


# --- the paper's numbers are written once, in ecgpaper/paper.py ----------------------------

def _paper_literals() -> set[str]:
    values: set[str] = set()
    for table in (paper.TABLE3, paper.TABLE4, paper.TABLE5):
        for row in table.values():
            values.update(f"{v}" for v in (row.values() if isinstance(row, dict) else [row]))
    for row in paper.TABLE6.values():
        values.update(f"{v}" for v in row[:4])
    values.update(f"{v:_}" for v in paper.PARAMETER_COUNTS.values() if v > 10_000)
    values.update(f"{v}" for v in paper.PARAMETER_COUNTS.values() if v > 10_000)
    values.update(f"{v[0]}" for v in paper.TABLE1.values())
    # three-decimal figures only: shorter ones (0.5, 0.99) are common in code
    return {v for v in values if re.fullmatch(r"0\.\d{3,4}|\d[\d_]{3,}", v)}


@pytest.mark.parametrize("folder", ["ecgpaper", "notebooks"])
def test_each_paper_figure_is_defined_once(folder):
    literals = _paper_literals()
    assert len(literals) > 40
    offenders = []
    for path in sorted((REPO_ROOT / folder).rglob("*.py")):
        if path.name == "paper.py" and path.parent.name == "ecgpaper":
            continue
        # docstring examples of a format ('0.942 [0.930, 0.953]') are not the paper's figures
        text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if '"""' not in line)
        for value in literals:
            if re.search(rf"(?<![\d.]){re.escape(value)}(?!\d)", text):
                offenders.append(f"{path.relative_to(REPO_ROOT)}: {value}")
    assert not offenders, "the paper's numbers belong in ecgpaper/paper.py:\n" + \
        "\n".join(offenders)


# --- honesty fixes visible in the sources ---------------------------------------------------

def _source(name: str) -> str:
    return (REPO_ROOT / "notebooks" / name).read_text(encoding="utf-8")


def test_se_share_in_prose_is_glued_not_typed():
    text = _source("se_attention.py")
    assert "{glue:text}`se_param_share" in text
    assert not re.search(r"about \d+(\.\d+)? ?%", text)


def test_features_page_does_not_assert_which_delineator_led():
    assert "led both comparisons on the ten real" not in _source("features.py")


def test_architectures_counts_only_input_widths_the_project_trains():
    text = _source("architectures.py")
    for width in ("(36,", "(27,", "(16,"):
        assert width not in text
    assert "setup(profile, overrides, banner=False)" in text


def test_methods_does_not_claim_untrained_comparisons():
    assert "serve as" not in (REPO_ROOT / "book" / "methods.md").read_text(encoding="utf-8")


def test_headings_are_markdown_not_built_in_code():
    for path in (REPO_ROOT / "notebooks").glob("*.py"):
        assert 'Markdown("#' not in path.read_text(encoding="utf-8"), path.name
        assert 'say("#' not in path.read_text(encoding="utf-8"), path.name


def test_bibliography_has_every_cited_key_and_no_undated_label():
    bib = (REPO_ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    cited: set[str] = set()
    for path in [*(REPO_ROOT / "book").glob("*.md"), *(REPO_ROOT / "notebooks").glob("*.py")]:
        for group in re.findall(r"\{cite:[pt]\}`([^`]+)`", path.read_text(encoding="utf-8")):
            cited.update(k.strip() for k in group.split(","))
    assert cited and cited <= keys, f"cited but missing: {sorted(cited - keys)}"
    for key in ("hannun2019", "ribeiro2020", "alday2020", "goldberger2000", "hu2018", "he2016"):
        assert key in keys
    assert "n.d." not in bib
