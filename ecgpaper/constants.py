"""Names shared by every module: the 12 leads, the paper's 8 rhythm classes, the
Chapman rhythm codes and the clinical measurement columns.

Leads are always addressed by name; class order is the paper's Table 1 order and is the
order of every probability vector in the project.
"""

LEADS: tuple[str, ...] = ("I", "II", "III", "aVR", "aVL", "aVF",
                          "V1", "V2", "V3", "V4", "V5", "V6")
LEAD_INDEX: dict[str, int] = {name: i for i, name in enumerate(LEADS)}

# The paper's 8 classes in Table 1 order (AF = atrial flutter, SA = sinus arrhythmia).
CLASSES: tuple[str, ...] = ("SB", "SR", "AFIB", "ST", "SVT", "AF", "SA", "AT")
CLASS_INDEX: dict[str, int] = {c: i for i, c in enumerate(CLASSES)}
CLASS_NAMES: dict[str, str] = {
    "SB": "Sinus bradycardia",
    "SR": "Sinus rhythm",
    "AFIB": "Atrial fibrillation",
    "ST": "Sinus tachycardia",
    "SVT": "Supraventricular tachycardia",
    "AF": "Atrial flutter",
    "SA": "Sinus arrhythmia (sinus irregularity)",
    "AT": "Atrial tachycardia",
}
# Chapman rhythms the paper drops before splitting (too rare to learn).
DROPPED_RHYTHMS: tuple[str, ...] = ("AVNRT", "AVRT", "SAAWR")

# The 13 numeric measurement columns of Chapman's Diagnostics.xlsx (besides age/gender).
MEASUREMENTS: tuple[str, ...] = (
    "VentricularRate", "AtrialRate", "QRSDuration", "QTInterval", "QTCorrected",
    "RAxis", "TAxis", "QRSCount", "QOnset", "QOffset", "TOffset",
)
DIAGNOSTICS_COLUMNS: tuple[str, ...] = (
    "FileName", "Rhythm", "Beat", "PatientAge", "Gender", *MEASUREMENTS,
)

# The paper's Table 1 lives in `ecgpaper.paper` (its reported numbers, written once).
from .paper import TABLE1 as PAPER_TABLE1  # noqa: E402,F401
