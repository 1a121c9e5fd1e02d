"""The desk's words: every label in Spanish too, labels.items is a label, plain messages, clinic time."""

from __future__ import annotations

import datetime as dt
import re
import string
from zoneinfo import ZoneInfo

import msgspec
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.desk.diffs import rows
from api.desk.labels import CATALOGS, catalog
from api.desk.labels_words import ES as WORDS_ES
from api.desk.messages import heading, plain
from api.desk.web import environment
from api.desk.words import long_date, rendering
from api.settings import Settings, clinic_time_zone
from content import model
from content.diff import ElementChange, diff_items
from content.library import DEFAULT_LIBRARY, load_library

# Labels the same in both languages: names of products and formats, a bare placeholder, a cognate.
SAME_IN_SPANISH = {
    "desk",
    "paper_a4",
    "esp_mailchimp",
    "esp_sendgrid",
    "esp_postmark",
    "value_for",
    "media_size",
    "diff_image",
    "role_editor",  # spelled the same in Spanish
    "role_name_editor",
    "comment_by",  # only placeholders: "{name}, {date}"
}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_english_label_has_its_own_spanish_with_the_same_placeholders() -> None:
    english, spanish = CATALOGS["en"], CATALOGS["es"]
    untranslated = [k for k in english if k not in SAME_IN_SPANISH and spanish.get(k) == english[k]]
    assert untranslated == []
    assert [k for k in english if _fields(spanish[k]) != _fields(english[k])] == []
    assert catalog("es")["library"] == "Biblioteca" and catalog("xx") is CATALOGS["en"]


def test_labels_items_is_the_label_not_the_dict_method() -> None:
    template = environment().from_string(
        "{{ labels.items }}|{{ labels.keys is defined }}|{{ labels['get'] is defined }}"
    )
    assert template.render(labels=catalog("en")) == "Items|False|False"
    assert template.render(labels=catalog("es")).startswith("Contenidos|")


def test_macros_imported_without_context_speak_the_page_language() -> None:
    page = environment().from_string(
        '{% from "_macros.html.j2" import diff_table %}{{ diff_table([], "x") }}{{ labels.items }}'
    )
    with rendering("es", ZoneInfo("UTC")):
        shown = page.render(labels=catalog("es"))
    assert "No hay cambios." in shown and "Contenidos" in shown and "No changes." not in shown


def test_times_are_in_the_clinic_zone_with_its_abbreviation_and_in_the_interface_language() -> None:
    at = dt.datetime(2026, 12, 6, 13, 5, tzinfo=dt.UTC)
    madrid, chicago = ZoneInfo("Europe/Madrid"), ZoneInfo("America/Chicago")
    assert long_date(at, "en", madrid) == "06 Dec 2026 14:05 CET"
    assert long_date(at, "es", madrid) == "6 dic 2026 14:05 CET"
    assert long_date(at.replace(tzinfo=None), "en", chicago) == "06 Dec 2026 07:05 CST"  # stored naive: UTC
    assert long_date(dt.date(2026, 7, 1), "es") == "1 jul 2026" and long_date(None) == ""
    with rendering("es", madrid):
        assert environment().from_string("{{ t | date }}").render(t=at) == "6 dic 2026 14:05 CET"


def test_one_time_zone_settings_first_then_the_brand_then_utc() -> None:
    brand = msgspec.convert(
        {
            "clinicName": "C",
            "phone": "+1 555 010 0199",
            "appointmentUrl": "https://c.example",
            "websiteUrl": "https://c.example",
            "disclaimer": "General information.",
            "timeZone": "Europe/Madrid",
        },
        model.Brand,
    )
    assert clinic_time_zone(Settings(), brand) == "Europe/Madrid"
    assert clinic_time_zone(Settings(time_zone="Asia/Tokyo"), brand) == "Asia/Tokyo"
    assert clinic_time_zone(Settings(), replace_zone(brand, None)) == "UTC"
    with pytest.raises(msgspec.ValidationError, match="Mars/Olympus"):
        msgspec.convert(msgspec.to_builtins(brand) | {"timeZone": "Mars/Olympus"}, model.Brand)


def replace_zone(brand: model.Brand, zone: str | None) -> model.Brand:
    return msgspec.structs.replace(brand, time_zone=zone)


def test_content_messages_in_plain_words_in_both_languages() -> None:
    too_hard = (
        "Flesch-Kincaid grade 9.2 is above the maximum of 8; simplify the draft, or publish with an "
        'override note (`"override": "why it may read harder"`).'
    )
    assert plain(too_hard, "en") == (
        "This draft reads at grade 9.2; the clinic's limit is 8. Simplify it, or write in “Why it may "
        "read harder” why that is right for this text."
    )
    assert plain(too_hard, "es").startswith("Este borrador tiene un nivel de lectura de grado 9.2")
    assert "override" not in plain(too_hard, "es") and "FOLIO_" not in plain(too_hard, "en")
    stale = "The draft changed since you read it; fetch it again."
    assert (
        plain(stale, "en").startswith("Someone changed this draft")
        and plain(stale, "es") == WORDS_ES["msg_stale"]
    )
    same = "The latest faq 'ketamine-faq' in es already has version 1's content."
    assert plain(same, "en").startswith("The latest version already has version 1's content")
    assert plain("Something nobody mapped.", "es") == "Something nobody mapped."
    assert heading(404, "en") == "We couldn't find that page" and "404" not in heading(404, "es")
    assert (
        heading(403, "en") == "You don't have permission for this"
        and heading(410, "en") == "This item is archived"
    )


def test_diff_rows_name_fields_and_questions_as_people_say_them() -> None:
    [faq] = [
        i for i in load_library(DEFAULT_LIBRARY).items if isinstance(i, model.FaqSet) and i.locale == "en"
    ]
    first = faq.items[0]
    changed = msgspec.structs.replace(
        faq, items=[msgspec.structs.replace(first, answer="Rarely."), *faq.items[1:]]
    )
    [row] = rows(diff_items(faq, changed, 3, 4))
    assert row.where == f"question “{first.question}”"
    diff = diff_items(faq, msgspec.structs.replace(faq, title="Other"), 3, 4)
    assert [r.where for r in rows(diff)] == ["Title"]
    block = ElementChange(op="added", path="body", key=2, after={"type": "paragraph", "text": "Hi"})
    assert [r.where for r in rows(msgspec.structs.replace(diff, fields=[], changes=[block]))] == [
        "Body, part 3"
    ]


def test_desk_pages_in_spanish_with_plain_errors_and_clinic_times(settings: Settings) -> None:
    with TestClient(create_app(msgspec.structs.replace(settings, time_zone="Europe/Madrid"))) as client:
        missing = client.get("/desk/articles/no-such-article")
        assert missing.status_code == 404
        assert "<h1>We couldn&#39;t find that page</h1>" in missing.text and "went wrong" not in missing.text
        client.cookies.set("folio_desk_lang", "es")
        unrouted = client.get("/desk/no-such-page")
        assert unrouted.status_code == 404 and "<h1>No encontramos esa página</h1>" in unrouted.text
        assert client.get("/v1/no-such-route").headers["content-type"].startswith("application/problem+json")
        item = client.get("/desk/articles/ketamine-withdrawal")
        assert '<html lang="es"' in item.text and ">Biblioteca<" in item.text
        assert re.search(r"Publicado el \d{1,2} \w+ \d{4} \d\d:\d\d CE[S]?T", item.text)
        chose = client.post(
            "/desk/language",
            data={"lang": "es", "next": "/desk/faqs/x?locale=es", "csrf": ""},
            follow_redirects=False,
        )
        assert chose.status_code == 303 and chose.headers["location"] == "/desk/faqs/x?locale=es"
        assert "folio_desk_lang=es" in chose.headers["set-cookie"]
        away = client.post(
            "/desk/language", data={"lang": "en", "next": "//evil.example/"}, follow_redirects=False
        )
        assert away.headers["location"] == "/desk"
