"""What the model is told: the eight rhythms with one-line definitions and a strict
answer format, zero-shot (as in the paper) or few-shot (k labelled training images per
class shown first, as earlier user/assistant turns).

The prompt hash covers every text and every example image (by sha256), so a change to
either starts a new set of cached answers; the query image is keyed separately.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from ..constants import CLASSES
from .render import RenderedECG

# One line per class, in the paper's class order.
DEFINITIONS: dict[str, str] = {
    "SB": "sinus bradycardia: a P wave of normal axis before every QRS, regular, rate below 60/min",
    "SR": "sinus rhythm: a P wave of normal axis before every QRS, regular, rate 60-100/min",
    "AFIB": "atrial fibrillation: no organised P waves, fibrillatory baseline, irregularly irregular RR intervals",
    "ST": "sinus tachycardia: a P wave of normal axis before every QRS, regular, rate above 100/min",
    "SVT": "supraventricular tachycardia: regular narrow-QRS tachycardia, usually 150-250/min, P waves hidden or retrograde",
    "AF": "atrial flutter: regular saw-tooth flutter waves at about 250-350/min (II, III, aVF, V1), often 2:1 or 4:1 conduction",
    "SA": "sinus arrhythmia: sinus P waves but RR intervals varying by more than 0.12 s, often with breathing",
    "AT": "atrial tachycardia: regular atrial rhythm above 100/min from an ectopic focus, P waves of abnormal shape or axis",
}

SYSTEM = ("You are an expert in electrocardiography. You classify the cardiac rhythm of "
          "a 12-lead ECG from its image.")

ANSWER_FORMAT = '{"rhythm": "<CODE>"}'


def instruction() -> str:
    """The user's text that accompanies the query image."""
    lines = [
        "The image is a standard 12-lead ECG: leads I, aVR, V1, V4 / II, aVL, V2, V5 / "
        "III, aVF, V3, V6 (2.5 s each) above a 10 s lead II rhythm strip; 25 mm/s, "
        "10 mm/mV, 1 mm grid (5 mm major lines).",
        "Classify the rhythm as exactly one of these eight codes:",
        *[f"- {c}: {DEFINITIONS[c]}" for c in CLASSES],
        f"Answer with JSON only, no other text: {ANSWER_FORMAT} where <CODE> is one of "
        + ", ".join(CLASSES) + ".",
    ]
    return "\n".join(lines)


EXAMPLE_TEXT = "Example ECG. Classify its rhythm."


def example_answer(label: str) -> str:
    return json.dumps({"rhythm": label})


@dataclass(frozen=True)
class Prompt:
    condition: str                                  # "zero-shot" or "few-shot-<k>"
    system: str
    instruction: str
    examples: tuple[tuple[RenderedECG, str], ...] = ()   # (image, class) from training

    @property
    def hash(self) -> str:
        """sha256 of everything sent besides the query image (examples by image hash)."""
        blob = json.dumps({"system": self.system, "instruction": self.instruction,
                           "example_text": EXAMPLE_TEXT,
                           "examples": [[img.sha256, example_answer(lab)]
                                        for img, lab in self.examples]}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def build_prompt(examples: list[tuple[RenderedECG, str]] | None = None) -> Prompt:
    examples = tuple(examples or ())
    bad = sorted({lab for _, lab in examples} - set(CLASSES))
    if bad:
        raise ValueError(f"few-shot examples: unknown class(es) {bad}, expected {CLASSES}")
    k = max((sum(lab == c for _, lab in examples) for c in CLASSES), default=0)
    condition = f"few-shot-{k}" if examples else "zero-shot"
    return Prompt(condition, SYSTEM, instruction(), examples)


def image_part(img: RenderedECG, detail: str = "high") -> dict:
    url = "data:image/png;base64," + base64.b64encode(img.png).decode("ascii")
    return {"type": "image_url", "image_url": {"url": url, "detail": detail}}


def messages(prompt: Prompt, query: RenderedECG, detail: str = "high") -> list[dict]:
    """Chat-completions messages: system, the examples as earlier turns, then the query."""
    out: list[dict] = [{"role": "system", "content": prompt.system}]
    for img, label in prompt.examples:
        out.append({"role": "user", "content": [{"type": "text", "text": EXAMPLE_TEXT},
                                                image_part(img, detail)]})
        out.append({"role": "assistant", "content": example_answer(label)})
    out.append({"role": "user", "content": [{"type": "text", "text": prompt.instruction},
                                            image_part(query, detail)]})
    return out


def readable(prompt: Prompt) -> str:
    """The conversation as a person reads it, images named by their hash (for the book)."""
    parts = [f"[system]\n{prompt.system}"]
    for img, label in prompt.examples:
        parts.append(f"[user]\n{EXAMPLE_TEXT}\n<image sha256 {img.sha256[:12]}…, "
                     f"{img.width_px}×{img.height_px} px>")
        parts.append(f"[assistant]\n{example_answer(label)}")
    parts.append(f"[user]\n{prompt.instruction}\n<the record's image (PNG)>")
    return "\n\n".join(parts)
