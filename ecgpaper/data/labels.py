"""Rhythm labels: Chapman rhythm codes, SNOMED CT codes and PTB-XL SCP codes mapped onto the
paper's 8 classes (constants.CLASSES).

Chapman's Diagnostics.xlsx writes `SA` where its code book RhythmNames.xlsx writes `SI`
(sinus irregularity); both mean the paper's class SA. AVNRT, AVRT and SAAWR are dropped.
Other databases (PhysioNet/CinC 2021 WFDB headers) carry SNOMED CT codes on their `# Dx:`
line; `SNOMED_TO_CLASS` is the one table used for all of them. The codes were checked
against the challenge's scoring tables (see book/data_sources.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..constants import CLASSES, DROPPED_RHYTHMS

# Chapman rhythm code (Diagnostics.xlsx `Rhythm`, or RhythmNames.xlsx acronym) -> class.
RHYTHM_TO_CLASS: dict[str, str] = {
    "SB": "SB", "SR": "SR", "AFIB": "AFIB", "ST": "ST", "SVT": "SVT",
    "AF": "AF",            # atrial flutter
    "SA": "SA", "SI": "SA",  # Diagnostics writes SA, the code book writes SI
    "AT": "AT",
}

# SNOMED CT concept -> class. Names as in the CinC 2021 mapping tables.
SNOMED_TO_CLASS: dict[str, str] = {
    "426177001": "SB",    # sinus bradycardia
    "426783006": "SR",    # sinus rhythm
    "164889003": "AFIB",  # atrial fibrillation
    "427084000": "ST",    # sinus tachycardia
    "426761007": "SVT",   # supraventricular tachycardia (unscored in the challenge)
    "164890007": "AF",    # atrial flutter
    "427393009": "SA",    # sinus arrhythmia
    "713422000": "AT",    # atrial tachycardia (unscored in the challenge)
}
SNOMED_NAMES: dict[str, str] = {
    "426177001": "sinus bradycardia", "426783006": "sinus rhythm",
    "164889003": "atrial fibrillation", "427084000": "sinus tachycardia",
    "426761007": "supraventricular tachycardia", "164890007": "atrial flutter",
    "427393009": "sinus arrhythmia", "713422000": "atrial tachycardia",
}
# Chapman's dropped rhythms as the challenge codes them (so they are recognised, not mapped).
SNOMED_DROPPED: dict[str, str] = {
    "251166008": "AVNRT", "233897008": "AVRT", "17366009": "SAAWR",
}

# PTB-XL SCP rhythm statements -> class (PTB-XL has no atrial tachycardia statement).
SCP_TO_CLASS: dict[str, str] = {
    "SBRAD": "SB", "SR": "SR", "AFIB": "AFIB", "STACH": "ST", "SVTAC": "SVT",
    "PSVT": "SVT", "AFLT": "AF", "SARRH": "SA",
}

# When a record carries several of the 8 rhythms, the first in this order wins: an
# atrial (non-sinus) rhythm outranks any sinus one; among sinus rhythms a rate
# abnormality (ST, SB) outranks irregularity (SA), and plain sinus rhythm comes last
# (e.g. PTB-XL codes "sinus rhythm + sinus arrhythmia", Georgia "AFIB + flutter").
PRIORITY: tuple[str, ...] = ("AFIB", "AF", "SVT", "AT", "ST", "SB", "SA", "SR")
assert sorted(PRIORITY) == sorted(CLASSES)


def rhythm_to_class(rhythm: str) -> str | None:
    """Chapman rhythm code -> class; None for the dropped AVNRT/AVRT/SAAWR.

    Unknown codes raise ValueError (a typo must not silently become 'no label').
    """
    code = str(rhythm).strip().upper()
    if code in DROPPED_RHYTHMS:
        return None
    if code in RHYTHM_TO_CLASS:
        return RHYTHM_TO_CLASS[code]
    raise ValueError(f"unknown Chapman rhythm code {rhythm!r}; expected one of "
                     f"{sorted(RHYTHM_TO_CLASS) + list(DROPPED_RHYTHMS)}")


def _pick(classes: Iterable[str]) -> str | None:
    found = set(classes)
    for c in PRIORITY:
        if c in found:
            return c
    return None


def snomed_to_class(codes: Iterable[str] | str) -> str | None:
    """The class of a record from its SNOMED CT Dx codes (None if none of the 8).

    Accepts a list or the comma-separated header string. Several rhythms: PRIORITY rule.
    """
    if isinstance(codes, str):
        codes = [c for c in codes.replace(" ", "").split(",") if c]
    return _pick(SNOMED_TO_CLASS[c] for c in map(str, codes) if c in SNOMED_TO_CLASS)


def scp_to_class(scp_codes: dict | Iterable[str]) -> str | None:
    """The class of a PTB-XL record from its `scp_codes` statements (None if none of the 8)."""
    return _pick(SCP_TO_CLASS[c] for c in scp_codes if c in SCP_TO_CLASS)
