"""Labels (Chapman codes, SNOMED CT table) and the paper's split (Table 1)."""

import pandas as pd
import pytest

from ecgpaper.constants import CLASSES, PAPER_TABLE1
from ecgpaper.data.labels import (SNOMED_TO_CLASS, rhythm_to_class, scp_to_class,
                                  snomed_to_class)
from ecgpaper.data.splits import paper_split, split_counts
from ecgpaper.paths import shared_data_dir

SHARED = shared_data_dir()
needs_shared = pytest.mark.skipif(SHARED is None, reason="real test data (../shared/data) absent")


def test_rhythm_codes():
    assert rhythm_to_class("SA") == rhythm_to_class("SI") == "SA"
    assert rhythm_to_class(" afib ") == "AFIB"
    assert rhythm_to_class("AF") == "AF"
    for dropped in ("AVNRT", "AVRT", "SAAWR"):
        assert rhythm_to_class(dropped) is None
    with pytest.raises(ValueError, match="unknown Chapman rhythm code 'XYZ'"):
        rhythm_to_class("XYZ")


def test_snomed_table_covers_the_classes_and_priority_rule():
    assert sorted(set(SNOMED_TO_CLASS.values())) == sorted(CLASSES)
    assert snomed_to_class("426177001,164934002") == "SB"
    assert snomed_to_class(["426783006", "427393009"]) == "SA"       # SR + SA -> SA
    assert snomed_to_class(["426783006", "426177001"]) == "SB"       # SR + SB -> SB
    assert snomed_to_class(["164889003", "164890007"]) == "AFIB"     # AFIB + flutter
    assert snomed_to_class(["59118001"]) is None
    assert scp_to_class({"SR": 100.0, "SARRH": 50.0}) == "SA"
    assert scp_to_class({"NORM": 100.0}) is None


@needs_shared
def test_snomed_codes_against_the_challenge_table():
    table = pd.read_csv(SHARED / "cinc2021" / "scored_diagnoses_2021.csv", dtype={"SNOMEDCTCode": str})
    by_code = table.set_index("SNOMEDCTCode")
    expected_abbrev = {"SB": "SB", "SR": "NSR", "AFIB": "AF", "ST": "STach", "AF": "AFL",
                       "SA": "SA"}
    for code, cls in SNOMED_TO_CLASS.items():
        if cls in ("SVT", "AT"):
            # unscored in the challenge: absent from the scored table
            assert code not in by_code.index
        else:
            assert by_code.loc[code, "Abbreviation"] == expected_abbrev[cls]
    # The challenge counts every Chapman rhythm of Diagnostics.xlsx except SA (0 records).
    chapman = {cls: int(by_code.loc[code, "Chapman_Shaoxing"])
               for code, cls in SNOMED_TO_CLASS.items() if code in by_code.index}
    assert chapman == {"SB": 3889, "SR": 1826, "AFIB": 1780, "ST": 1568, "AF": 445, "SA": 0}


@needs_shared
def test_paper_split_reproduces_table1():
    from ecgpaper.data.chapman import read_diagnostics
    diag = read_diagnostics(SHARED / "chapman" / "metadata" / "Diagnostics.xlsx")
    assert len(diag) == 10646
    kept = diag[diag["label"].notna()]
    assert len(kept) == 10615
    split = paper_split(kept["label"], seed=42)
    assert split.value_counts().to_dict() == {"train": 7430, "val": 1592, "test": 1593}
    table = split_counts(kept["label"], split)
    for cls, (total, train, val, test) in PAPER_TABLE1.items():
        assert tuple(table.loc[cls]) == (total, train, val, test), cls
    # same labels in another order of the index -> same assignment per record
    again = paper_split(kept["label"], seed=42)
    assert again.equals(split)


@pytest.mark.parametrize("n", [1, 2, 5, 17, 40])
def test_split_works_on_tiny_corpora(n):
    labels = pd.Series([CLASSES[i % 8] for i in range(n)], index=range(100, 100 + n))
    split = paper_split(labels)
    assert split.index.equals(labels.index)
    assert set(split) <= {"train", "val", "test"}
    assert (split == "train").sum() >= n * 0.5
    assert paper_split(labels).equals(split)
