"""The limb-lead identities (Einthoven: I + III = II; Goldberger: aVR + aVL + aVF = 0 and
the augmented leads as halves of I, II, III), used by `validate.check_physiology` to find
one limb lead at the wrong sign or gain against the other five."""

from __future__ import annotations

import numpy as np

from ..constants import LEADS

LIMB_GAIN_RANGE = (0.5, 2.0)
LIMB_LEADS = ("I", "II", "III", "aVR", "aVL", "aVF")
# Einthoven's and Goldberger's identities, as rows of coefficients over LIMB_LEADS:
# I - II + III = 0, aVR + aVL + aVF = 0, aVR = -(I + II)/2, aVL = (I - III)/2,
# aVF = (II + III)/2. A correct record satisfies all of them whatever its overall scale.
_LIMB_IDENTITIES = np.array([
    [1, -1, 1, 0, 0, 0],
    [0, 0, 0, 1, 1, 1],
    [0.5, 0.5, 0, 1, 0, 0],
    [-0.5, 0, 0.5, 0, 1, 0],
    [0, -0.5, -0.5, 0, 0, 1],
])
# Limb leads that are multiples of one waveform (a single-dipole simulator, a phantom, a
# synthetic test signal) leave the least-squares problem of `limb_lead_gains` with a
# two-dimensional null space, so its answer is arbitrary. Such a record is recognised by
# the rank of its limb-lead matrix (second singular value below this fraction of the
# first; 111 real records measured 0.08-0.84) and its derived leads are checked against I
# and II directly (`limb_identity_gains`).
LIMB_RANK_TOL = 0.01
# Derived limb lead = a * I + b * II (Einthoven III = II - I; Goldberger aVR = -(I + II)/2,
# aVL = I - II/2, aVF = II - I/2).
_DERIVED_LIMB_LEADS = {"III": (-1.0, 1.0), "aVR": (-0.5, -0.5), "aVL": (1.0, -0.5),
                       "aVF": (-0.5, 1.0)}


def centred_limb_leads(signal_uV: np.ndarray, leads=LEADS) -> np.ndarray:
    """The (6, T) limb leads in LIMB_LEADS order, each minus its median (float64)."""
    rows = [leads.index(name) for name in LIMB_LEADS]
    y = np.asarray(signal_uV, dtype=np.float64)[rows]
    return y - np.median(y, axis=1, keepdims=True)


def limb_gram(signal_uV: np.ndarray, leads=LEADS) -> np.ndarray:
    """The 6 x 6 inner products of the centred limb leads (`centred_limb_leads`): all that
    `limb_lead_gains` and `limb_rank` need. `measures.Measures.gram` gives the same for
    the detrended leads; the identities hold for either, since detrending is linear."""
    y = centred_limb_leads(signal_uV, leads)
    return y @ y.T


def limb_lead_gains(signal_uV: np.ndarray | None, leads=LEADS,
                    gram: np.ndarray | None = None) -> np.ndarray:
    """Relative gain of each limb lead (I, II, III, aVR, aVL, aVF) implied by the limb
    identities: about 1 for every lead of a correct record (any overall scale), and
    about k for a lead recorded or read k times too large.

    The scale factors c that make c * lead satisfy the identities best (least squares)
    are the eigenvector of the smallest eigenvalue; each is normalised by their median,
    so one wrong lead stands out against the five right ones. That eigenvector is unique
    only for limb leads of rank 2 or more (`limb_rank`); for one waveform see
    `limb_identity_gains`. `gram` (`limb_gram`) when the caller has it.
    """
    gram = limb_gram(signal_uV, leads) if gram is None else gram
    m = sum(np.outer(a, a) * gram for a in _LIMB_IDENTITIES)
    _, vectors = np.linalg.eigh(m)
    c = vectors[:, 0]
    c = c * np.sign(np.median(c) or 1.0)
    c = c / max(float(np.median(c)), 1e-12)
    with np.errstate(divide="ignore"):
        return np.where(c != 0, 1.0 / c, np.inf)


def limb_rank(signal_uV: np.ndarray | None, leads=LEADS, tol: float = LIMB_RANK_TOL,
              gram: np.ndarray | None = None) -> int:
    """Numerical rank of the (6, T) limb-lead matrix, each lead centred on its median:
    2 or more for a real heart (its frontal-plane vector turns; noise adds more), 1 when
    the six leads are multiples of one waveform, 0 when they are all flat. The singular
    values are the square roots of the 6 x 6 Gram matrix's eigenvalues (cheaper than an
    SVD of the whole recording); `gram` when the caller has it (`limb_gram`, or the
    limb-lead block of `measures.Measures.gram`: the detrended leads)."""
    gram = limb_gram(signal_uV, leads) if gram is None else gram
    s = np.sqrt(np.clip(np.linalg.eigvalsh(gram), 0.0, None))[::-1]
    if s[0] == 0:
        return 0
    return int(np.sum(s > tol * s[0]))


def limb_identity_gains(signal_uV: np.ndarray, leads=LEADS) -> dict[str, float]:
    """Each derived limb lead (III, aVR, aVL, aVF) as a multiple of what Einthoven's or
    Goldberger's law predicts from leads I and II (least-squares scale): 1 for a correct
    record, negative for a lead of the wrong sign. Well defined whatever the rank, so it
    decides where `limb_lead_gains` cannot. A derived lead predicted and measured near
    zero (under 5 % of the larger of I and II) is consistent and reported as 1."""
    y = np.asarray(signal_uV, dtype=np.float64)
    y = y - np.median(y, axis=1, keepdims=True)
    lead_i, lead_ii = y[leads.index("I")], y[leads.index("II")]
    floor = 0.05 * max(np.linalg.norm(lead_i), np.linalg.norm(lead_ii))
    out = {}
    for name, (a, b) in _DERIVED_LIMB_LEADS.items():
        predicted, measured = a * lead_i + b * lead_ii, y[leads.index(name)]
        size = float(predicted @ predicted)
        if max(np.sqrt(size), np.linalg.norm(measured)) <= floor:
            out[name] = 1.0
        else:
            out[name] = float(measured @ predicted) / size if size > 0 else np.inf
    return out


def check_limb_gains(signal_uV: np.ndarray | None, source: str, leads=LEADS,
                     gram: np.ndarray | None = None) -> None:
    """One limb lead at the wrong sign or gain, found against the other five
    (`limb_lead_gains`; limb leads of rank 2)."""
    from .validate import RecordError
    gains = limb_lead_gains(signal_uV, leads, gram)
    inverted = [LIMB_LEADS[k] for k in np.flatnonzero(gains < 0)]
    if inverted:
        raise RecordError(
            f"{source}: lead(s) {inverted} have the opposite polarity of what Einthoven's "
            "and Goldberger's laws (I + III = II, aVR + aVL + aVF = 0) predict from the "
            "other limb leads: sign or lead order wrong")
    k = int(np.argmax(np.abs(np.log(np.clip(gains, 1e-12, None)))))
    lo, hi = LIMB_GAIN_RANGE
    if not lo <= gains[k] <= hi:
        raise RecordError(
            f"{source}: lead {LIMB_LEADS[k]} is {gains[k]:.3g}x the amplitude that "
            "Einthoven's and Goldberger's laws (I + III = II, aVR + aVL + aVF = 0) predict "
            f"from the other limb leads, expected {lo:g}-{hi:g}x: that lead's gain or "
            "units are wrong")


def check_limb_identities(signal_uV: np.ndarray, source: str, leads=LEADS) -> None:
    """The limb identities checked directly on limb leads of rank 1 (one waveform), where
    the least-squares gains are arbitrary: each derived lead against its prediction from
    I and II, same sign and within LIMB_GAIN_RANGE (a wrong I or II shows in all four)."""
    from .validate import RecordError
    formula = {"III": "II - I", "aVR": "-(I + II)/2", "aVL": "I - II/2",
               "aVF": "II - I/2"}
    gains = limb_identity_gains(signal_uV, leads)
    inverted = [name for name, g in gains.items() if g < 0]
    if inverted:
        shown = ", ".join(f"{name} = {formula[name]}" for name in inverted)
        raise RecordError(
            f"{source}: lead(s) {inverted} have the opposite polarity of what Einthoven's "
            f"and Goldberger's laws ({shown}) predict from leads I and II (limb leads "
            "that are multiples of one waveform): sign or lead order wrong")
    name = max(gains, key=lambda n: abs(np.log(max(gains[n], 1e-12))))
    lo, hi = LIMB_GAIN_RANGE
    if not lo <= gains[name] <= hi:
        raise RecordError(
            f"{source}: lead {name} is {gains[name]:.3g}x the {formula[name]} that "
            "Einthoven's and Goldberger's laws predict from leads I and II (limb leads "
            f"that are multiples of one waveform), expected {lo:g}-{hi:g}x: the gain or "
            f"units of {name}, I or II are wrong")
