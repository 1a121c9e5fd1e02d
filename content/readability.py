"""How hard an item is to read: Flesch-Kincaid and SMOG for English, Fernández-Huerta and
Szigriszt-Pazos for Spanish.

Patient materials should read at about school grade 6 to 8. The figures come from textstat's
backend functions, which take the language on every call: the top-level ``textstat.set_lang``
changes one shared object, so two requests measuring different locales at once could measure
with each other's language. The backend keeps no such state (only per-argument caches).
"""

from __future__ import annotations

import re

from textstat.backend import counts, metrics

from content import model
from content.model import Readability
from content.render import plain_text

# textstat's language codes: English syllables come from the CMU dictionary, the rest from
# Pyphen's hyphenation patterns.
_TEXTSTAT_LANG = {"en": "en_US", "es": "es"}
_ENDS_SENTENCE = re.compile(r"[.!?…]['\"”’)]*$")

__all__ = ["Readability", "measure", "reading_text"]


def reading_text(item: model.Content) -> str:
    """The item's words as sentences: each title, heading, list item and cell ends as one.

    Headings and table cells carry no full stop, and textstat only ends a sentence at
    ``.``, ``!`` or ``?``; without one, a heading would run into the paragraph after it and
    count as one long sentence.
    """
    lines = (line.strip() for line in plain_text(item).splitlines())
    return "\n".join(line if _ENDS_SENTENCE.search(line) else line + "." for line in lines if line)


def measure(item: model.Content) -> Readability:
    """Measure an item's reading level in its own locale's formulas."""
    text = reading_text(item)
    language = item.locale.split("-")[0]
    lang = _TEXTSTAT_LANG.get(language)
    figures = Readability(
        locale=item.locale, words=counts.count_words(text), sentences=counts.count_sentences(text)
    )
    if lang is None or figures.words == 0:
        return figures
    if language == "en":
        figures.flesch_kincaid_grade = _round(metrics.flesch_kincaid_grade(text, lang))
        figures.smog = _round(metrics.smog_index(text, lang))
    elif language == "es":
        figures.fernandez_huerta = _round(metrics.fernandez_huerta(text, lang))
        figures.szigriszt_pazos = _round(metrics.szigriszt_pazos(text, lang))
    return figures


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
    """Why the item reads above ``max_grade`` in its locale's index, or None when it does not."""
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
