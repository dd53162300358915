"""Every number the re-executed paper reports, written once.

Kisialeu & Nedzved, *Automated cardiac rhythm classification from 12-lead ECG using
attention-enhanced deep neural networks* (the book's bibliography key `kisialeu`).
These are the paper's reported figures, measured on the real Chapman–Shaoxing database at
full size; the book shows them beside its own computed numbers and never in their place.

Nothing here is computed and nothing imports from the rest of the package, so any module
may import it. Class order is the paper's Table 1 order (`constants.CLASSES`).
"""

from __future__ import annotations

# --- Table 1: records per class (total, train, validation, test) -------------------------
TABLE1: dict[str, tuple[int, int, int, int]] = {
    "SB": (3889, 2722, 583, 584),
    "SR": (1826, 1278, 274, 274),
    "AFIB": (1780, 1246, 267, 267),
    "ST": (1568, 1098, 235, 235),
    "SVT": (587, 411, 88, 88),
    "AF": (445, 311, 67, 67),
    "SA": (399, 279, 60, 60),
    "AT": (121, 85, 18, 18),
}
N_RECORDS = 10_615                     # after dropping AVNRT, AVRT and SAAWR
SPLIT_SIZES = (7_430, 1_592, 1_593)    # train / validation / test
SPLIT_SEED = 42

# --- Table 2: training hyper-parameters and augmentations, as printed ---------------------
TABLE2: dict[str, str] = {
    "Optimizer": "AdamW",
    "Learning rate": "0.001",
    "Weight decay": "0.0001",
    "Scheduler": "CosineAnnealing WarmRestarts (T0 = 10, Tmult = 2)",
    "Loss function": "cross-entropy + class weights + label smoothing (ε = 0.1)",
    "Gradient clipping": "max norm 1.0",
    "Batch size": "64 (standard) / 32 (universal)",
    "Early stopping": "patience 10 on validation macro-F1",
    "Baseline wander": "sinusoidal, 0.1–1.0 Hz",
    "Power line noise": "50 Hz additive sinusoidal",
    "Gaussian noise": "SNR 20–40 dB",
    "Amplitude scaling": "±20 %",
    "Lead dropout (universal)": "p = 0.5",
}
AUGMENT_PROBABILITY = 0.5              # each augmentation, per sample

# --- Table 3: accuracy, macro precision, macro F1, macro AUC per experiment --------------
def _row(accuracy: float, precision: float, f1: float, auc: float) -> dict[str, float]:
    return {"accuracy": accuracy, "precision_macro": precision, "f1_macro": f1,
            "auc_macro": auc}


TABLE3: dict[str, dict[str, float]] = {
    "1": _row(0.938, 0.862, 0.859, 0.946),
    "2": _row(0.942, 0.855, 0.851, 0.956),
    "3": _row(0.932, 0.849, 0.850, 0.968),
    "4": _row(0.923, 0.836, 0.831, 0.966),
    "5": _row(0.935, 0.841, 0.843, 0.937),
    "6": _row(0.935, 0.829, 0.846, 0.965),
    "7": _row(0.936, 0.841, 0.838, 0.953),
}
# Table 3's "Input" column, as printed, and the MLP input widths the text states.
TABLE3_INPUT: dict[str, str] = {
    "1": "ECG 12×5000", "2": "ECG + 14 meta", "3": "ECG + 36 feat", "4": "ECG + 27 feat",
    "5": "ECG + 3 feat", "6": "ECG + 16 feat", "7": "1–12 leads",
}
MLP_INPUTS: dict[str, int] = {"2": 14, "3": 36, "4": 27, "5": 3, "6": 16}
BEST_EXPERIMENT = "2"                  # the configuration the paper calls best
TEST_SIZE = 1_593

# --- Table 4: every global metric of experiment 2 (test set) ------------------------------
TABLE4: dict[str, float] = {
    "accuracy": 0.9422, "precision_macro": 0.8548, "recall_macro": 0.8495,
    "f1_macro": 0.8512, "f1_weighted": 0.9415, "auc_macro": 0.9562, "kappa": 0.9259,
    "mcc": 0.9260, "log_loss": 0.4662, "top2_accuracy": 0.9755,
}

# --- Table 5: UniversalECGNet per lead configuration --------------------------------------
TABLE5: dict[int, dict[str, float]] = {
    12: {"accuracy": 0.936, "f1_macro": 0.838, "f1_weighted": 0.936, "auc_macro": 0.953},
    6: {"accuracy": 0.937, "f1_macro": 0.837, "f1_weighted": 0.936, "auc_macro": 0.945},
    3: {"accuracy": 0.938, "f1_macro": 0.842, "f1_weighted": 0.939, "auc_macro": 0.951},
    1: {"accuracy": 0.916, "f1_macro": 0.787, "f1_weighted": 0.915, "auc_macro": 0.941},
}

# --- Table 6: experiment 2 per class: sensitivity, specificity, PPV, F1, test count -------
TABLE6_COLUMNS = ("sensitivity", "specificity", "ppv", "f1", "support")
TABLE6: dict[str, tuple[float, float, float, float, int]] = {
    "SB": (0.990, 0.997, 0.995, 0.992, 584),
    "SR": (0.938, 0.988, 0.941, 0.940, 274),
    "AFIB": (0.959, 0.985, 0.928, 0.943, 267),
    "ST": (0.975, 0.992, 0.954, 0.964, 235),
    "SVT": (0.932, 0.995, 0.911, 0.921, 88),
    "AF": (0.642, 0.990, 0.741, 0.688, 67),
    "SA": (0.750, 0.994, 0.818, 0.783, 60),
    "AT": (0.611, 0.994, 0.550, 0.579, 18),
}

# Confusions the text names: (true class, predicted as, count, test records of the class).
# It gives no count for AT, only that it is mistaken for SVT and ST.
CONFUSIONS: tuple[tuple[str, tuple[str, ...], int | None, int], ...] = (
    ("AF", ("AFIB",), 12, 67),
    ("SA", ("SR",), 13, 60),
    ("AT", ("SVT", "ST"), None, 18),
)

# Mean test-set attention per lead of UniversalECGNet on 12 leads (reported ranges).
ATTENTION: dict[str, tuple[float, float]] = {
    "II": (0.15, 0.18), "V1": (0.10, 0.14), "aVF": (0.09, 0.12),
}

# --- parameter counts of UniversalECGNet (Section 4) --------------------------------------
PARAMETER_COUNTS: dict[str, int] = {
    "backbone": 9_065_728,
    "lead_embedding": 768,
    "projection": 295_424,
    "attention_pool": 66_049,
    "total": 9_179_977,
}
BACKBONE_SHARE = 0.988                 # "(98.8%)"
UNIVERSAL_PARAMETERS_M = 9.18          # the conclusion's "9.18M-parameter model"

# --- numbers the prose states beside its tables --------------------------------------------
TEXT: dict[str, object] = {
    "metadata_features": ["PatientAge", "Gender_1", "Gender_2", "VentricularRate", "AtrialRate",
                          "QRSDuration", "QTInterval", "QTCorrected", "RAxis", "TAxis",
                          "QRSCount", "QOnset", "QOffset", "TOffset", "POnset"],
    "n_metadata": 14, "n_nk2": 28, "mlp_inputs": MLP_INPUTS,
    "best_experiment": BEST_EXPERIMENT, "at_training_samples": 121,
    "table5_text": {"12": {"accuracy": 0.936, "f1_macro": 0.838, "auc_macro": 0.953},
                    "6": {"accuracy": 0.937, "f1_macro": 0.837},
                    "3": {"accuracy": 0.938, "f1_macro": 0.842},
                    "1": {"accuracy": 0.916, "f1_macro": 0.787, "auc_macro": 0.941}},
    "f1_drop_1lead_pp": 5, "mean_specificity": 0.99, "macro_sensitivity": 0.85,
}
NK2_FALLBACK_RANGE = (0.10, 0.50)      # share of NeuroKit2 values that were fallbacks
NK2_FILTER_THRESHOLD = 0.05            # "filtered": columns with at most 5 % fallbacks

# --- claims outside the tables -------------------------------------------------------------
LEAD_DROPOUT_ABLATION_DROP = (0.10, 0.15)   # accuracy lost on reduced leads without dropout
CHECKPOINTING_MEMORY_SAVING = 0.60          # "approximately 60%" less peak GPU memory
CHECKPOINTING_TIME_COST = 0.30              # "~30%" more computation
SERVICE_LATENCY_MS = 47                     # FastAPI, RTX 3060, including preprocessing
SERVICE_GPU = "NVIDIA RTX 3060"
GPT4O_ACCURACY = 0.42                       # GPT-4o Vision on rendered 12-lead images
GPT4O_RECORDS = 100                         # random test recordings it was shown


def table6_frame():
    """Table 6 as a DataFrame indexed by class (columns `TABLE6_COLUMNS`)."""
    import pandas as pd
    return pd.DataFrame.from_dict(TABLE6, orient="index", columns=list(TABLE6_COLUMNS)) \
        .rename_axis("class")


def table1_frame():
    """Table 1 as a DataFrame indexed by class (total, train, val, test)."""
    import pandas as pd
    return pd.DataFrame.from_dict(TABLE1, orient="index",
                                  columns=["total", "train", "val", "test"])
