"""Flesch-Kincaid grade level, in pure Python: 0.39 × words per sentence + 11.8 × syllables per word − 15.59.

Syllables are counted by vowel groups with the usual English corrections (a silent final e, -le, -ed), the same
heuristic readability tools use; it is close, not exact, which is all a warning needs. Spanish text is checked
with the same formula, which overstates its grade a little (Spanish words have more syllables).
"""

import re
from dataclasses import dataclass

WARN_ABOVE_GRADE = 8.0
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n{2,}")
_WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:['’][A-Za-z]+)?")
_VOWELS = re.compile(r"[aeiouyáéíóúü]+")


def syllables(word: str) -> int:
    word = word.lower().replace("’", "'").split("'")[0]
    if len(word) <= 3:
        return 1
    count = len(_VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if word.endswith("ed") and not word.endswith(("ted", "ded")) and count > 1:
        count -= 1
    return max(1, count)


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if _WORD.search(part or "")]


def grade(text: str) -> float | None:
    """The Flesch-Kincaid grade of the text; None when it has no words."""
    found = sentences(text)
    words = [w for s in found for w in _WORD.findall(s)]
    if not words:
        return None
    syllable_count = sum(syllables(w) for w in words)
    return round(0.39 * len(words) / len(found) + 11.8 * syllable_count / len(words) - 15.59, 1)


@dataclass(frozen=True)
class Readability:
    grade: float | None
    hardest: list[tuple[str, float]]  # the hardest sentences and their grades, hardest first

    @property
    def too_hard(self) -> bool:
        return self.grade is not None and self.grade > WARN_ABOVE_GRADE


def check(text: str, show: int = 3) -> Readability:
    """The text's grade and, when it is above grade 8, the sentences that make it so."""
    overall = grade(text)
    graded = [(s, grade(s)) for s in sentences(text)]
    hard = sorted(
        ((s, g) for s, g in graded if g is not None and g > WARN_ABOVE_GRADE), key=lambda pair: -pair[1]
    )
    return Readability(overall, hard[:show] if overall is not None and overall > WARN_ABOVE_GRADE else [])
