"""The library never says two things the team has listed as contradicting each other.

Each pair is an absolute statement and the hedged one the sources support (or two words for one
idea): both may not appear in the same locale's library, across all its items, since a patient
reads several handouts together. Add a pair whenever an editor finds a new contradiction.
"""

from __future__ import annotations

import re

import pytest

from content.library import load_library
from content.render import plain_text

# (what, one statement, the statement it contradicts), per locale; patterns are case-insensitive.
FORBIDDEN_PAIRS: dict[str, list[tuple[str, str, str]]] = {
    "en": [
        ("dissociation: absolute vs rare", r"too low to (cause|make you feel)", r"\brare\b"),
        (
            "hallucinations: absolute vs rare",
            r"(do not|don't|never) (have|get|see) (the )?hallucinations",
            r"hallucinations.{0,40}\brare\b|\brare\b.{0,60}hallucinations",
        ),
        ("euphoria: absolute vs hedged", r"too low to cause euphoria", r"euphoria"),
        (
            "dose: fixed vs adjustable",
            r"same (planned )?dose each time",
            r"dose can be (changed|adjusted)|adjust the dose",
        ),
        ("supervision changes the risk, not the drug", r"acts in (very )?different ways", r"supervis"),
        ("how much more common", r"far more often", r"more common"),
        ("one term: physical dependence", r"physical addiction", r"physical dependence"),
        ("one term: psychological dependence", r"psychological addiction", r"psychological dependence"),
        ("one term: both kinds of dependence", r"physical and psychological\s+addiction", r"dependence"),
    ],
    "es": [
        ("disociación: absoluto vs poco frecuente", r"demasiado bajas? para (causar|que)", r"poco frecuente"),
        ("alucinaciones: absoluto vs poco frecuente", r"no tienen las alucinaciones", r"alucinaciones"),
        ("dosis: fija vs ajustable", r"misma dosis", r"se puede (cambiar|ajustar)|ajustar la dosis"),
        ("la supervisión cambia el riesgo", r"actúa de formas muy distintas", r"supervis"),
        ("cuánto más común", r"mucho más cuando", r"más común"),
        ("un término: dependencia física", r"adicción física", r"dependencia física"),
        (
            "un término: dependencia psicológica",
            r"adicción psicológica|en mi mente",
            r"dependencia psicológica",
        ),
        ("registro: poco frecuente, no raro", r"\bes raro\b|\braro\b|\brara\b", r"poco frecuente"),
    ],
}


def contradictions(texts: list[str], pairs: list[tuple[str, str, str]]) -> list[str]:
    """The pairs whose two statements both appear somewhere in ``texts``."""
    joined = re.sub(r"\s+", " ", "\n".join(texts))
    return [
        what
        for what, one, other in pairs
        if re.search(one, joined, re.IGNORECASE) and re.search(other, joined, re.IGNORECASE)
    ]


def _texts(locale: str) -> list[str]:
    return [plain_text(item) for item in load_library().items if item.locale == locale]


@pytest.mark.parametrize("locale", sorted(FORBIDDEN_PAIRS))
def test_no_two_items_contradict_each_other(locale: str) -> None:
    assert contradictions(_texts(locale), FORBIDDEN_PAIRS[locale]) == []


def test_a_listed_contradiction_between_two_items_is_caught() -> None:
    article = "In treatment the dose is too low to cause dissociation."
    faq = "Feeling cut off from reality is rare at these doses."
    assert contradictions([article, faq], FORBIDDEN_PAIRS["en"]) == ["dissociation: absolute vs rare"]
    assert contradictions([article], FORBIDDEN_PAIRS["en"]) == []


# Wording a Latin-American patient would misread, and what replaced it (issue 20).
SPANISH_AVOIDED = {
    "Bueno saber": "Conviene saber",
    "es raro": "es poco frecuente",
    "en la mente de": "depender psicológicamente",
    "usan mal": "hacen un mal uso / uso indebido",
    "vigil": "supervisa / le hacemos seguimiento",
    "que no están": "que no son reales",
    "son cuidadosas": "se controlan con cuidado",
    "viene de": "Le envía este correo",
    "Pida una cita": "Solicitar una cita",
    "Pedir una cita": "Solicitar una cita",
    "«": "“",
    "»": "”",
}


def test_spanish_reads_as_a_latin_american_patient_reads_it() -> None:
    from exporters.i18n import catalog_path

    texts = _texts("es")
    text = "\n".join([*texts, catalog_path("es").read_text(encoding="utf-8")])
    found = {bad: good for bad, good in SPANISH_AVOIDED.items() if bad.lower() in text.lower()}
    assert found == {}
    # Items are sent as emails too, where "this page" is wrong.
    assert not re.search(r"esta página|this page", "\n".join([*texts, *_texts("en")]), re.IGNORECASE)
    # No capital after a colon within a sentence, in Spanish (a list on the next line may have one).
    assert re.findall(r":[ \t]+[¿¡]?[A-ZÁÉÍÓÚÑ][a-záéíóúñ]", "\n".join(texts)) == []


def test_english_is_us_english() -> None:
    """The bundled clinic is in the US (brand.yaml country): US spelling throughout."""
    text = "\n".join(_texts("en")).lower()
    british = ["anaesthe", "colour", "behaviour", "centre", "programme", "haemo", "oesoph", "paediatric"]
    assert [word for word in british if word in text] == []
    assert "anesthetic" in text
