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
from content.render import plain_text

# textstat's language codes: English syllables come from the CMU dictionary, the rest from
# Pyphen's hyphenation patterns.
_TEXTSTAT_LANG = {"en": "en_US", "es": "es"}
_ENDS_SENTENCE = re.compile(r"[.!?…]['\"”’)]*$")


class Readability(model.Wire, kw_only=True):
    """Reading-level figures for one item; a figure that does not apply to its locale is null.

    ``fleschKincaidGrade`` and ``smog`` are US school grades (lower is easier).
    ``fernandezHuerta`` and ``szigrisztPazos`` run from 0 to 100 (higher is easier; 60 to 70
    is "normal").
    """

    locale: model.Locale
    words: int
    sentences: int
    flesch_kincaid_grade: float | None = None
    smog: float | None = None
    fernandez_huerta: float | None = None
    szigriszt_pazos: float | None = None


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
