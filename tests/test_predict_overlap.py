"""The service runs a request's sample checks beside the network: the answer is the one
the sequential path gives, and a record the checks refuse gets their error, never a
class."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from ecgpaper.benchmarks.serve import _artifacts
from ecgpaper.constants import LEADS
from ecgpaper.inference.checks import check_amplitudes, signal_from_matrix
from ecgpaper.inference.preprocess import InputError
from ecgpaper.inference.route import ModelSet
from ecgpaper.twin.generator import generate_arrays


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    paths = _artifacts(tmp_path_factory.mktemp("nets"), width=0.125, fs=100)
    return ModelSet.from_paths(list(paths.values()))


@pytest.fixture(scope="module")
def record():
    x, _ = generate_arrays(n=1, counts={"SR": 1}, seed=3)
    return np.round(x[0], 1).astype(np.float32)


def test_checks_beside_the_network_give_the_sequential_answer(models, record):
    plain = models.predict(signal_from_matrix(record, LEADS, 500, "uV"))
    ran_on = []

    def checks(sig):
        ran_on.append(threading.current_thread().name)
        check_amplitudes(sig)
    sig = signal_from_matrix(record, LEADS, 500, "uV", check_samples=False)
    both = models.predict(sig, checks=checks)
    assert both.rhythm == plain.rhythm
    assert both.probabilities == pytest.approx(plain.probabilities, abs=1e-6)
    assert both.quality_flags == plain.quality_flags
    assert ran_on == [threading.current_thread().name]       # checks on the caller's thread


def test_a_record_the_checks_refuse_gets_their_error(models, record):
    bad = record.copy()
    bad[LEADS.index("V3"), 2500] = 5e6                        # one 5 V sample
    sig = signal_from_matrix(bad, LEADS, 500, "uV", check_samples=False)
    with pytest.raises(InputError, match="lead V3 reaches 5000 mV"):
        models.predict(sig, checks=check_amplitudes)
    with pytest.raises(InputError, match="lead V3 reaches 5000 mV"):   # the default path
        signal_from_matrix(bad, LEADS, 500, "uV")
