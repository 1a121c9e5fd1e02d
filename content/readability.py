"""How hard an item is to read: Flesch-Kincaid and SMOG for English, Fernández-Huerta and
Szigriszt-Pazos for Spanish; for the whole item and for each of its sections.

Patient materials should read at about school grade 6 to 8. English figures come from
textstat's backend functions, which take the language on every call: the top-level
``textstat.set_lang`` changes one shared object, so two requests measuring different locales at
once could measure with each other's language. Spanish syllables are counted by vowel nuclei
(``content.syllables``), not by textstat's hyphenation patterns, which undercount them.

Readability formulas were fitted on samples of about 100 words and are unstable below that
(Flesch 1948; Kincaid et al. 1975; Fry 1968): a text under ``MIN_WORDS`` is too short to grade.
"""

from __future__ import annotations

import re

from textstat.backend import counts, metrics

from content import model, syllables
from content.inline import plain
from content.model import Readability, SectionReadability

# textstat's language codes: English syllables come from the CMU dictionary.
_TEXTSTAT_LANG = {"en": "en_US", "es": "es"}
_ENDS_SENTENCE = re.compile(r"[.!?…]['\"”’)]*$")
# Below this many words a text is too short to grade (the formulas' samples were 100 words).
MIN_WORDS = 100

__all__ = ["MIN_WORDS", "Readability", "measure", "reading_text", "sections"]


def _as_sentences(parts: list[str]) -> str:
    """Each title, heading, list item and cell ends as a sentence.

    Headings and table cells carry no full stop, and textstat only ends a sentence at
    ``.``, ``!`` or ``?``; without one, a heading would run into the paragraph after it and
    count as one long sentence.
    """
    lines = (line.strip() for part in parts for line in plain(part).splitlines())
    return "\n".join(line if _ENDS_SENTENCE.search(line) else line + "." for line in lines if line)


def sections(item: model.Content) -> list[tuple[str, str]]:
    """(title, text) of each part graded on its own: the opening, then each heading's part,
    FAQ entry or table row (as the kind and its blocks declare them)."""
    parts = [(title, _as_sentences(words)) for title, words in item.sections()]
    return [(title, text) for title, text in parts if text]


def reading_text(item: model.Content) -> str:
    """The item's words as sentences, in reading order."""
    return "\n".join(text for _, text in sections(item))


def measure(item: model.Content) -> Readability:
    """Measure an item, and each of its sections, in its own locale's formulas."""
    language = item.locale.split("-")[0]
    text = reading_text(item)
    figures = Readability(
        locale=item.locale,
        words=counts.count_words(text),
        sentences=counts.count_sentences(text),
        minimum_words=MIN_WORDS,
    )
    if language not in _TEXTSTAT_LANG:
        return figures
    for title, part in sections(item):
        words = counts.count_words(part)
        section = SectionReadability(
            title=title, words=words, sentences=counts.count_sentences(part), indicative=words < MIN_WORDS
        )
        _grade(section, part, language)
        figures.sections.append(section)
    if figures.words < MIN_WORDS:
        figures.too_short_to_grade = True
        return figures
    _grade(figures, text, language)
    if language == "en":
        figures.smog = _round(metrics.smog_index(text, _TEXTSTAT_LANG["en"]))
    return figures


def _grade(figures: Readability | SectionReadability, text: str, language: str) -> None:
    words, sentences = counts.count_words(text), counts.count_sentences(text)
    if not words or not sentences:
        return
    if language == "en":
        figures.flesch_kincaid_grade = _round(metrics.flesch_kincaid_grade(text, _TEXTSTAT_LANG["en"]))
    elif language == "es":
        per_sentence = words / sentences
        found, syllable_count = syllables.count(text)
        per_word = syllable_count / found if found else 0.0
        figures.fernandez_huerta = _round(206.84 - 60 * per_word - 1.02 * per_sentence)
        figures.szigriszt_pazos = _round(206.835 - 62.3 * per_word - per_sentence)


def _round(value: float) -> float:
    return round(float(value), 1)


def spanish_minimum(max_grade: float) -> float:
    """The Fernández-Huerta score equivalent to a US school grade.

    Fernández-Huerta keeps Flesch's reading-ease scale, whose bands map to grades: 90-100 is
    grade 5, 80-90 grade 6, 70-80 grade 7, 60-70 grades 8 and 9. So grade 8 is a score of 60,
    and each grade up or down moves the bound by 10.
    """
    return max(0.0, min(100.0, 140.0 - 10.0 * max_grade))


def above_threshold(figures: Readability, max_grade: float) -> str | None:
    """Why the item reads above ``max_grade`` in its locale's index, or None when it does not.

    A text too short to grade is never held to the threshold.
    """
    if figures.too_short_to_grade:
        return None
    grade = figures.flesch_kincaid_grade
    if grade is not None and grade > max_grade:
        return f"Flesch-Kincaid grade {grade:g} is above the maximum of {max_grade:g}"
    score = figures.fernandez_huerta
    if score is not None and score < (minimum := spanish_minimum(max_grade)):
        return (
            f"Fernández-Huerta score {score:g} is below the minimum of {minimum:g} "
            f"(the equivalent of grade {max_grade:g})"
        )
    return None
