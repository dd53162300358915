"""Reading a class out of a model's answer, strictly first, then leniently.

- strict: the answer is the JSON the prompt asked for, `{"rhythm": "<CODE>"}` with one of
  the eight codes (a Markdown code fence around it is tolerated);
- lenient: otherwise, the codes or clinical names and synonyms found in the text; exactly
  one class must be named (two or more is ambiguous);
- refused: the model declined (a refusal finish reason, or refusal phrasing and no JSON);
- unparseable: anything else.

Refused and unparseable answers count as wrong in every score; the counts are shown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..constants import CLASSES

# Clinical names and common synonyms, longest first within each class when matched.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "SB": ("sinus bradycardia", "bradycardia", "sinus brady"),
    "SR": ("normal sinus rhythm", "sinus rhythm", "nsr", "normal rhythm"),
    "AFIB": ("atrial fibrillation", "a-fib", "a fib", "afib", "af-ib"),
    "ST": ("sinus tachycardia", "sinus tach"),
    "SVT": ("supraventricular tachycardia", "paroxysmal supraventricular tachycardia",
            "psvt", "svt", "avnrt"),
    "AF": ("atrial flutter", "a-flutter", "aflutter", "flutter", "afl"),
    "SA": ("sinus arrhythmia", "sinus irregularity", "respiratory sinus arrhythmia"),
    "AT": ("atrial tachycardia", "ectopic atrial tachycardia", "focal atrial tachycardia"),
}
OUTCOMES = ("strict", "lenient", "refused", "unparseable")

_REFUSAL = re.compile(
    r"\b(i(?:'| a)m (?:sorry|unable|not able)|i can(?:no|')t|i cannot|unable to "
    r"(?:interpret|classify|provide|determine|analy[sz]e)|not able to (?:interpret|provide)"
    r"|consult (?:a|your) (?:physician|doctor|cardiologist|healthcare))", re.IGNORECASE)
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Parsed:
    label: str | None
    outcome: str                 # one of OUTCOMES


def _strict(text: str) -> str | None:
    body = text.strip()
    m = _FENCE.match(body)
    if m:
        body = m.group(1)
    try:
        obj = json.loads(body)
    except ValueError:
        return None
    if isinstance(obj, dict) and set(obj) == {"rhythm"} and obj["rhythm"] in CLASSES:
        return obj["rhythm"]
    return None


def _named_classes(text: str) -> set[str]:
    """Classes named in prose: synonyms (any case, longest first, each span used once)
    and the bare codes (upper case only: 'at' and 'st' are ordinary words)."""
    found: set[str] = set()
    masked = text
    pairs = sorted(((s, c) for c, names in SYNONYMS.items() for s in names),
                   key=lambda p: -len(p[0]))
    for phrase, cls in pairs:
        pattern = re.compile(r"(?<![A-Za-z])" + re.escape(phrase) + r"(?![A-Za-z])",
                             re.IGNORECASE)
        if pattern.search(masked):
            found.add(cls)
            masked = pattern.sub(" ", masked)
    for code in CLASSES:
        if re.search(r"(?<![A-Za-z])" + code + r"(?![A-Za-z])", masked):
            found.add(code)
    return found


def parse_answer(text: str | None, finish_reason: str | None = None) -> Parsed:
    text = text or ""
    label = _strict(text)
    if label:
        return Parsed(label, "strict")
    if finish_reason in ("refusal", "content_filter") or _REFUSAL.search(text):
        return Parsed(None, "refused")
    value = text
    try:                          # JSON of the right shape with a name instead of a code
        obj = json.loads(_FENCE.sub(r"\1", text.strip()))
        if isinstance(obj, dict) and isinstance(obj.get("rhythm"), str):
            value = obj["rhythm"]
    except ValueError:
        pass
    named = _named_classes(value)
    if len(named) == 1:
        return Parsed(named.pop(), "lenient")
    return Parsed(None, "unparseable")
