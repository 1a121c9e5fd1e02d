"""Locale negotiation: RFC 4647 lookup over Accept-Language, and the fallback chain."""

from __future__ import annotations

import pytest

from content.locales import Locales, lookup, parse_accept_language, search_config

LOCALES = Locales.parse("en,es,pt-BR", "es:en,pt-BR:pt:es")


def test_accept_language_is_ordered_by_quality_then_position() -> None:
    header = "fr;q=0.5, es-MX, en;q=0.8, de;q=0, *;q=0.1, !!bad"
    assert parse_accept_language(header) == ["es-MX", "en", "fr", "*"]
    assert parse_accept_language("") == []


@pytest.mark.parametrize(
    ("ranges", "expected"),
    [
        (["es-MX"], "es"),  # drop subtags until one is supported
        (["zh-Hant-TW", "pt-BR"], "pt-BR"),
        (["pt-br"], "pt-BR"),  # case-insensitive
        (["fr", "de"], "en"),  # none: the default
        (["*"], "en"),
        (["es-x-private"], "es"),  # never end on a singleton
    ],
)
def test_lookup(ranges: list[str], expected: str) -> None:
    assert lookup(ranges, LOCALES.supported, "en") == expected


def test_chains_end_with_the_default() -> None:
    assert LOCALES.chain("es") == ("es", "en")
    assert LOCALES.chain("pt-BR") == ("pt-BR", "pt", "es", "en")
    assert LOCALES.chain("en") == ("en",)


def test_negotiate_prefers_the_query_and_keeps_an_unsupported_one_as_asked() -> None:
    assert LOCALES.negotiate("es", "en") == "es"
    assert LOCALES.negotiate(None, "es-AR,en;q=0.5") == "es"
    assert LOCALES.negotiate("de", "es") == "de"  # served in English, saying it stands in for German
    assert LOCALES.chain("de") == ("de", "en")


def test_search_configurations() -> None:
    assert (search_config("es"), search_config("en-GB"), search_config("pt")) == (
        "spanish",
        "english",
        "simple",
    )


def test_the_brand_speaks_each_locale_and_never_mixes_in_english_email_wording() -> None:
    from content.library import DEFAULT_LIBRARY, load_brand

    brand = load_brand(DEFAULT_LIBRARY / "brand.yaml")
    assert brand.in_locale("en") is brand and brand.in_locale("en-GB") is brand
    spanish = brand.in_locale("es-MX")
    assert spanish.disclaimer.startswith("Esta hoja es información general")
    assert (spanish.greeting, spanish.cta_label) == ("Hola", "Solicitar una cita")
    assert spanish.email_disclaimer and spanish.email_disclaimer.startswith("Este correo")
    # A locale the brand has no words for: the catalog's email wording, the English disclaimer.
    french = brand.in_locale("fr")
    assert (french.greeting, french.cta_label, french.email_disclaimer) == (None, None, None)
    assert french.disclaimer == brand.disclaimer
