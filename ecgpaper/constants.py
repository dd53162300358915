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

# The paper's Table 1 (reported counts: total, train, val, test) for side-by-side display.
PAPER_TABLE1: dict[str, tuple[int, int, int, int]] = {
    "SB": (3889, 2722, 583, 584),
    "SR": (1826, 1278, 274, 274),
    "AFIB": (1780, 1246, 267, 267),
    "ST": (1568, 1098, 235, 235),
    "SVT": (587, 411, 88, 88),
    "AF": (445, 311, 67, 67),
    "SA": (399, 279, 60, 60),
    "AT": (121, 85, 18, 18),
}
