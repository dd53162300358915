"""The numeric fields of a WFDB header, checked on its text before the wfdb library reads
it: the library reads a sampling frequency of -500 as 250, turns 'abc' into a header
"without signals" and replaces an ADC gain of 0 by its default of 200, so each of these
would otherwise pass as a different, wrong record or fail with a message naming another
cause. It also drops non-ASCII characters without a word ('V1é' becomes lead V1, record
'Rücord' looks for 'Rcord.mat'), so those are refused here, named as given.

Record line: `NAME[/SEGMENTS] N_SIG [FS[/COUNTER_FREQ][(BASE_COUNTER)] [SIG_LEN ...]]`;
signal line: `FILE FORMAT[xSPF][:SKEW][+OFFSET] [GAIN[(BASELINE)][/UNITS] ...]`
(PhysioNet's header(5) specification).
"""

from __future__ import annotations

import re
from pathlib import Path

from .validate import RecordError, name_as_given, safe_name

_FS = re.compile(r"^([^/(]+)")
_GAIN = re.compile(r"^([^(/]+)(?:\(([^)]*)\))?(?:/(.*))?$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _number(token: str) -> float | None:
    try:
        return float(token)
    except ValueError:
        return None


def check_ascii(hea: Path, lines: list[str]) -> None:
    """Refuse non-ASCII text in the record and signal lines (comments may hold any)."""
    for i, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        parts = line.split()
        if i == 1:
            what, expected = f"record name {name_as_given(parts[0])}", "an ASCII record name"
        elif len(parts) > 8 and not " ".join(parts[8:]).isascii():
            what, expected = (f"lead name {name_as_given(' '.join(parts[8:]))}",
                              "an ASCII lead name such as I, II, ..., V6")
        else:
            what, expected = (f"field {name_as_given(next(p for p in parts if not p.isascii()))}",
                              "ASCII fields")
        raise RecordError(f"{hea}: line {i}: {what} has non-ASCII characters, expected "
                          f"{expected} (the wfdb library would drop those characters and "
                          "read another name)")


def check_header_text(hea: Path) -> None:
    """Refuse a header whose sampling frequency is not a positive number or whose signal
    lines give an ADC gain of zero, a negative one or one that is not a number, naming
    the line and the field."""
    stem = Path(hea).name[:-len(".hea")] if Path(hea).name.endswith(".hea") else Path(hea).stem
    if any(c.isspace() for c in stem):      # every field after it would be shifted by one
        raise RecordError(f"{hea}: record name {stem!r} contains white space; a WFDB header "
                          "separates its fields by spaces, so a record name cannot hold one "
                          "(rename the .hea and signal files and the names inside the header)")
    lines = _lines(Path(hea).read_text(errors="replace"))
    if not lines:
        raise RecordError(f"{hea}: no record line, expected 'NAME N_SIG FS SIG_LEN'")
    check_ascii(hea, lines)
    fields = lines[0].split()
    if len(fields) >= 3:
        m = _FS.match(fields[2])
        fs = _number(m.group(1)) if m else None
        if fs is None or not fs > 0:
            raise RecordError(f"{hea}: record line: sampling frequency "
                              f"{safe_name(fields[2])}, expected a positive number of Hz "
                              "(e.g. 500)")
    for i, line in enumerate(lines[1:], start=2):
        parts = line.split()
        if len(parts) < 3:
            continue                        # no gain given: WFDB's default of 200 applies
        name = safe_name(parts[8]) if len(parts) > 8 else f"signal {i - 1}"
        m = _GAIN.match(parts[2])
        gain = _number(m.group(1)) if m else None
        if gain is None or not gain > 0:
            shown = safe_name(m.group(1) if m else parts[2])
            raise RecordError(f"{hea}: line {i} (lead {name}): ADC gain {shown}, expected a positive number of ADC units "
                              "per physical unit (e.g. 1000/mV); zero would mean "
                              "uncalibrated and a negative gain inverts the lead")
