"""Message catalogs: every label translated, dates per locale, Spanish in every channel."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest

import exporters
from content.bundle import Bundle
from exporters import i18n
from exporters.email import EmailOptions
from exporters.labels import CALLOUT, LABELS, long_date
from exporters.pdf import HandoutOptions
from exporters.web import PageOptions


@pytest.mark.parametrize("locale", i18n.catalog_locales())
def test_every_label_has_a_translation(locale: str) -> None:
    assert i18n.missing(locale) == []
    labels = i18n.labels(locale)
    assert set(labels) == set(LABELS) and set(i18n.callouts(locale)) == set(CALLOUT)
    # Placeholders survive translation, so str.format fills the same fields.
    for key, text in LABELS.items():
        fields = sorted(part.split("}")[0] for part in text.split("{")[1:])
        assert sorted(part.split("}")[0] for part in labels[key].split("{")[1:]) == fields, key


def test_spanish_is_a_catalog_and_unknown_locales_print_english() -> None:
    assert "es" in i18n.catalog_locales()
    assert i18n.labels("es")["version"] == "Versión" and i18n.callouts("es")["yes"] == "Sí"
    assert i18n.labels("es-MX")["page"] == "Página"  # a regional locale uses its language's catalog
    assert i18n.labels("fr") == LABELS and i18n.callouts("fr") == CALLOUT


def test_dates_per_locale() -> None:
    day = dt.date(2026, 11, 2)
    assert long_date(day) == "2 November 2026"
    assert long_date(day, "es") == "2 de noviembre de 2026"


def test_spanish_handout_email_and_page(spanish_bundles: dict[str, Bundle]) -> None:
    bundle = spanish_bundles["is-ketamine-therapy-addictive"]
    pdf = exporters.render("pdf", "pdf", [bundle], HandoutOptions(printed_on=dt.date(2026, 11, 22)))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert "Versión 3 · Muestra: sin revisión de un profesional clínico · Impreso" in text
    assert "Revisado" not in text and "Equipo de revisión clínica" not in text
    assert "Impreso 22 de noviembre de 2026" in text and "Página 1 de" in text
    assert "De «La terapia con ketamina y la adicción: preguntas frecuentes», versión 3" in text
    assert "Sí: " in text or "No: " in text or "Importante" in text or "Bueno saber" in text
    mail = exporters.render("email", "txt", [bundle], EmailOptions()).decode()
    assert mail.startswith("Hola,") and "Teléfono:" in mail and "Darse de baja" in mail
    assert "MUESTRA: SIN REVISIÓN DE UN PROFESIONAL CLÍNICO." in mail and "Revisado" not in mail
    page = exporters.render("web", "html", [bundle], PageOptions(today=dt.date(2026, 11, 22))).decode()
    assert '<html lang="es"' in page and "Imprimir una hoja informativa" in page and "Ir al contenido" in page
    assert "Muestra: sin revisión de un profesional clínico" in page and "lastReviewed" not in page
