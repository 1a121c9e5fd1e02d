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
    """English dates are written as in the clinic's country: a US clinic by default."""
    day = dt.date(2026, 11, 2)
    assert long_date(day) == "November 2, 2026"
    assert long_date(day, "en", "GB") == "2 November 2026"
    assert long_date(day, "en-GB") == "2 November 2026"
    assert long_date(day, "es") == "2 de noviembre de 2026"
    assert long_date(day, "es", "MX") == "2 de noviembre de 2026"


def test_spanish_handout_email_and_page(spanish_bundles: dict[str, Bundle]) -> None:
    bundle = spanish_bundles["is-ketamine-therapy-addictive"]
    pdf = exporters.render("pdf", "pdf", [bundle], HandoutOptions(printed_on=dt.date(2026, 11, 22)))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert "Versión 3 · Muestra: sin revisión de un profesional clínico · Impreso" in text
    assert "Revisado" not in text and "Equipo de revisión clínica" not in text
    assert "Impreso 22 de noviembre de 2026" in text and "Página 1 de" in text
    assert "De “La terapia con ketamina y la adicción: preguntas frecuentes”, versión 3" in text
    assert "«" not in text and "Bueno saber" not in text and "No: No" not in text
    mail = exporters.render("email", "txt", [bundle], EmailOptions()).decode()
    assert mail.startswith("Hola,") and "Teléfono:" in mail and "Darse de baja" in mail
    assert "MUESTRA: SIN REVISIÓN DE UN PROFESIONAL CLÍNICO." in mail and "Revisado" not in mail
    page = exporters.render("web", "html", [bundle], PageOptions(today=dt.date(2026, 11, 22))).decode()
    assert '<html lang="es"' in page and "Imprimir una hoja informativa" in page and "Ir al contenido" in page
    assert "Muestra: sin revisión de un profesional clínico" in page and "lastReviewed" not in page


def test_spanish_metadata_links_and_alt_text_stay_spanish(spanish_bundles: dict[str, Bundle]) -> None:
    """Keywords, related reading, alternative text and email wording in the reader's language."""
    import email
    import email.policy
    import json
    import re

    bundle = spanish_bundles["is-ketamine-therapy-addictive"]
    page = exporters.render("web", "html", [bundle], PageOptions(today=dt.date(2026, 11, 22))).decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])  # type: ignore[index]
    assert data["keywords"] == "ketamina, adicción, seguridad" and data["inLanguage"] == "es"
    related = re.search(r'<nav class="related".*?</nav>', page, re.S)[0]  # type: ignore[index]
    hrefs = re.findall(r'href="([^"]+)"', related)
    assert hrefs and all(href.endswith("?locale=es") for href in hrefs), hrefs
    assert "Solicitar una cita" in page and "Pida una cita" not in page and "Pedir una cita" not in page

    pdf = exporters.render("pdf", "pdf", [bundle], HandoutOptions(printed_on=dt.date(2026, 11, 22)))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None and reader.metadata["/Keywords"] == "adicción, ketamina, seguridad"
    html = exporters.pdf.handout_html([bundle], HandoutOptions(printed_on=dt.date(2026, 11, 22)))
    alts = re.findall(r'alt="([^"]*)"', html)
    assert alts and all(("icono" in alt or "Código QR" in alt) for alt in alts), alts
    assert "Bueno saber" not in html

    eml = exporters.render("email", "eml", [spanish_bundles["ketamine-withdrawal"]], EmailOptions())
    message = email.message_from_bytes(eml, policy=email.policy.default)
    words = " ".join(
        part.get_content() for part in message.walk() if part.get_content_maintype() == "text"  # type: ignore[misc]
    )
    assert "Le envía este correo Riverside Wellness Clinic." in words
    assert "Esta página" not in words and "Este correo viene de" not in words
    assert "Solicitar una cita" in words and "Pida una cita" not in words


def test_an_items_own_questions_replace_its_faq_questions(bundles: dict[str, Bundle]) -> None:
    import msgspec

    from content.bundle import make_bundle

    bundle = bundles["is-ketamine-therapy-addictive"]
    faq_question = "Will I become addicted if I start treatment?"
    html = exporters.pdf.handout_html([bundle], HandoutOptions(printed_on=dt.date(2026, 11, 22)))
    ask = html.split("Questions to ask your care team", 1)[1]
    assert faq_question in ask  # by default, the FAQ's own questions
    item = msgspec.structs.replace(bundle.item, questions=["How many sessions will I need?"])
    own = make_bundle(item, list(bundle.embeds.values()), bundle.brand)
    ask = exporters.pdf.handout_html([own], HandoutOptions()).split("Questions to ask your care team", 1)[1]
    assert "How many sessions will I need?" in ask and faq_question not in ask.split("</ul>")[0]
