"""Spanish syllables by vowel nuclei, checked against words of the bundled Spanish library."""

import re

import pyphen
import pytest

from content.library import load_library
from content.readability import reading_text
from content.syllables import count, syllables

# Words of the bundled Spanish library with their syllables as Spanish grammar divides them
# (RAE, Ortografía 2010, §4.1): hiatus, diphthongs, silent u, y closing a diphthong.
REFERENCE = {
    "adicción": 3,  # a-dic-ción
    "una": 2,  # u-na
    "opioides": 3,  # o-pioi-des
    "crear": 2,  # cre-ar
    "actúa": 3,  # ac-tú-a
    "reacciona": 4,  # re-ac-cio-na
    "día": 2,  # dí-a
    "ahí": 2,  # a-hí
    "ayuda": 3,  # a-yu-da
    "anestésico": 5,  # a-nes-té-si-co
    "operación": 4,  # o-pe-ra-ción
    "recreativo": 5,  # re-cre-a-ti-vo
    "realidad": 4,  # re-a-li-dad
    "alucinaciones": 6,  # a-lu-ci-na-cio-nes
    "oír": 2,  # o-ír
    "podría": 3,  # po-drí-a
    "equipo": 3,  # e-qui-po
    "preocupa": 4,  # pre-o-cu-pa
    "adecuado": 4,  # a-de-cua-do
    "equilibrio": 4,  # e-qui-li-brio
    "todavía": 4,  # to-da-ví-a
    "opinión": 3,  # o-pi-nión
    "ketamina": 4,  # ke-ta-mi-na
    "abstinencia": 4,  # abs-ti-nen-cia
    "terapia": 3,  # te-ra-pia
    "tratamiento": 4,  # tra-ta-mien-to
    "que": 1,
    "muy": 1,
    "y": 1,
}


@pytest.mark.parametrize(("word", "expected"), REFERENCE.items())
def test_syllables_by_vowel_nuclei(word: str, expected: int) -> None:
    assert syllables(word) == expected


def test_more_accurate_than_hyphenation_on_the_bundled_spanish_library() -> None:
    """Hyphenation patterns leave no single letter at a word's edge, so they undercount."""
    hyphens = pyphen.Pyphen(lang="es")
    by_patterns = sum(len(hyphens.inserted(w).split("-")) == n for w, n in REFERENCE.items())
    assert by_patterns < len(REFERENCE) // 2 and all(syllables(w) == n for w, n in REFERENCE.items())
    text = "\n".join(reading_text(i) for i in load_library().items if i.locale == "es")
    words, found = count(text)
    patterns = sum(len(hyphens.inserted(w).split("-")) for w in re.findall(r"[^\W\d_]+", text))
    # About 2.05 syllables a word by nuclei; hyphenation patterns count about 0.1 a word fewer.
    assert 2.0 < found / words < 2.1 and found - patterns > 0.05 * words
