"""Saving a draft from the edit form: one path for Save, autosave and a save replayed after sign-in.

A save names the revision the form was read at (its ``etag``); when someone saved first the
result is a conflict carrying their draft, and nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from api.desk.forms import State, item_of, state_from_form, state_of
from api.desk.i18n import ui_language
from api.desk.labels import catalog
from api.desk.web import desk_opts, environment
from api.desk.words import clinic_zone, rendering
from content import model
from content.accounts import Role
from content.drafts import Draft
from content.editorial import Editorial
from content.errors import InvalidInput, Stale
from content.schedules import zone_of


@dataclass(frozen=True, slots=True)
class Saved:
    """What a save came to: ``draft`` when saved, else ``errors`` at fields, or ``theirs`` (a conflict)."""

    state: State
    draft: Draft | None = None
    errors: dict[str, str] = field(default_factory=dict)
    theirs: Draft | None = None
    item: model.Content | None = None


async def save_form(
    editorial: Editorial,
    kind: model.Kind,
    slug: str,
    locale: str,
    form: Any,
    actor: str,
    words: dict[str, str],
) -> Saved:
    """Saves the form's text over the draft read at its ``etag``; the translation is the URL's."""
    state = state_from_form(kind, form)
    state["slug"], state["locale"] = slug, locale
    etag = str(form.get("etag", "")).strip().strip('"')
    item, errors = item_of(kind, state, words)
    if item is None:
        return Saved(state, errors=errors)
    try:
        draft = await editorial.replace(item, etag, actor)
    except InvalidInput as exc:
        return Saved(state, errors={exc.field: exc.detail}, item=item)
    except Stale:
        return Saved(state, theirs=await editorial.get(kind, slug, locale), item=item)
    return Saved(state, draft=draft, item=item)


def clinic_time(when: dt.datetime, time_zone: str) -> str:
    """A time as the clinic reads it (its time zone, api.settings.clinic_time_zone): ``14:32``."""
    try:
        zone = zone_of(time_zone)
    except ValueError:
        zone = zone_of("UTC")
    moment = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone(zone):%H:%M}"


def language_in(locale: str, ui_lang: str) -> str:
    """The name of the translation's language in the interface's: "Spanish", or "español"."""
    try:
        name = Locale.parse(locale.replace("-", "_")).get_display_name(ui_lang)
    except (ValueError, UnknownLocaleError):
        return locale
    return name or locale


def _fields(kind: model.Kind, state: State, words: dict[str, str]) -> list[tuple[str, str]]:
    """Every field of a form state as (what the person calls it, its text)."""
    shown = [
        (words["title"], state.get("title", "")),
        (words["summary"], state.get("summary", "")),
        (words["tags"], state.get("tags", "")),
        (words["related"], state.get("related", "")),
        (words["codes"], state.get("codes", "")),
    ]
    if kind == "article":
        shown.append((words["body"], state.get("body", "")))
    elif kind == "faq":
        for n, e in enumerate(state["entries"], 1):
            shown.append((words["entry_question_n"].format(n=n), e["question"]))
            shown.append((words["entry_answer_n"].format(n=n), e["answer"]))
    else:
        shown.append((words["subjects"], state.get("subjects", "")))
        for n, e in enumerate(state["entries"], 1):
            shown.append((words["row_n"].format(n=n), " | ".join([e["factor"], *e["values"]])))
        shown.append((words["footnote"], state.get("footnote", "")))
    return shown


def sides(kind: model.Kind, theirs: Draft, yours: State, words: dict[str, str]) -> list[dict[str, str]]:
    """The fields that differ, each with their saved text and the text typed here."""
    mine = dict(_fields(kind, yours, words))
    found = []
    for name, text in _fields(kind, state_of(theirs.content), words):
        if text.strip() != mine.get(name, "").strip():
            found.append({"field": name, "theirs": text, "yours": mine.get(name, "")})
    names = {row["field"] for row in found} | {
        name for name, _ in _fields(kind, state_of(theirs.content), words)
    }
    for name, text in mine.items():  # entries only you have
        if name not in names:
            found.append({"field": name, "theirs": "", "yours": text})
    return found


def keep_form(role: Role) -> dict[str, Any]:
    """``desk_opts(role)``, whose guard first keeps the posted text: if the session has ended, the
    sign-in page carries it along (``api.desk.account.replay_page``) and saves it after signing in."""

    async def read_form(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if isinstance(connection, Request) and connection.method == "POST":
            form = await connection.form()
            connection.state.typed_form = [
                (key, value) for key, value in form.multi_items() if key != "csrf" and isinstance(value, str)
            ]

    opts = desk_opts(role)
    opts["guards"] = [read_form, *opts["guards"]]
    return opts


def fragment(template: str, request: Request[Any, Any, Any], context: dict[str, Any]) -> str:
    """A part of a page (for the page's script to place), in the interface's language."""
    lang = ui_language(request)
    with rendering(lang, clinic_zone(request)):
        return environment().get_template(template).render(labels=catalog(lang), ui_lang=lang, **context)
