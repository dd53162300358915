"""NeuroKit2 morphology features: per-record extraction (`extract`), the cached table of a
store with its fallback bookkeeping (`table`) and the delineator comparison of the
Features chapter (`report`). The names below are the ones the chapters and
`features.inputs` use."""

from .extract import DEFAULT_METHOD, N_FEATURES, NAMES, delineate_record, feature_definitions
from .report import compare_methods
from .table import (FLAG_SUFFIX, fallback_rates, filtered_columns, model_columns,
                    morphology_table, read_summary)

__all__ = ["DEFAULT_METHOD", "FLAG_SUFFIX", "N_FEATURES", "NAMES", "compare_methods",
           "delineate_record", "fallback_rates", "feature_definitions", "filtered_columns",
           "model_columns", "morphology_table", "read_summary"]
