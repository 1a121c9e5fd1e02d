"""Confirmation pages of the desk's irreversible-looking actions: Publish, Restore, Archive, Discard.

Each action's button leads (GET) to a page that says exactly what will happen; its form posts to
the action's own route with ``confirm=1``. A POST without it shows this page instead of acting,
and a refused action shows it again with the reason in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel import Locale, UnknownLocaleError
from litestar import Request, Response

from api.desk.i18n import ui_language
from api.desk.labels import catalog
from api.desk.web import Pages, in_locale, item_url
from api.reader import Reader
from content import model
from content.editorial import Editorial
from content.errors import ContentError, Forbidden, NotFound, Stale, TooHardToRead
from content.readability import above_threshold, spanish_minimum
from exporters.i18n import language_name


@dataclass(frozen=True, slots=True)
class Field:
    """A text field the confirmation carries to the action (a note, an override)."""

    name: str
    label: str
    value: str
    help: str = ""


def words(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The labels of the request's interface language."""
    return catalog(ui_language(request))


def language_in(locale: str, labels: dict[str, str]) -> str:
    """The translation's language named in the interface's language: "Spanish", "inglés"."""
    try:
        name = Locale.parse(locale.replace("-", "_")).get_display_name(labels["ui_code"])
    except (ValueError, UnknownLocaleError):
        return language_name(locale)
    return name or language_name(locale)


def quoted(labels: dict[str, str], title: str, locale: str) -> str:
    return labels["quoted"].format(title=title, language=language_in(locale, labels))


async def confirm_page(
    request: Request[Any, Any, Any],
    pages: Pages,
    locale: str,
    *,
    heading: str,
    cancel: str,
    back_to: str,
    what: str = "",
    button: str = "",
    action: str = "",
    problem: str = "",
    warning: str = "",
    hidden: dict[str, str] | None = None,
    fields: tuple[Field, ...] = (),
    danger: bool = False,
    status_code: int = 200,
) -> Response[Any]:
    """The confirmation; without ``button`` (the action is refused) only the way back."""
    return await pages.render(
        request,
        "confirm.html.j2",
        heading=heading,
        what=what,
        button=button if not problem else "",
        action=action,
        cancel=cancel,
        back_to=back_to,
        problem=problem,
        warning=warning,
        hidden=hidden or {},
        fields=fields,
        danger=danger,
        status_code=status_code,
        **in_locale(locale),
    )


def publish_refusal(labels: dict[str, str], exc: ContentError) -> str:
    """Why a publish was refused, in plain words."""
    if isinstance(exc, Stale):
        return labels["refuse_gone"] if "no draft" in exc.detail else labels["refuse_changed"]
    if isinstance(exc, Forbidden):
        return labels["refuse_own_review"]
    if isinstance(exc, NotFound):
        return labels["refuse_gone"]
    if "changed after" in exc.detail:
        return labels["refuse_review_old"]
    return labels["refuse_not_reviewed"]


def too_hard(labels: dict[str, str], figures: model.Readability, max_grade: float | None) -> str:
    """The reading-level refusal in plain words; empty when the draft is within the limit."""
    if max_grade is None or above_threshold(figures, max_grade) is None:
        return ""
    grade = figures.flesch_kincaid_grade
    if grade is not None and grade > max_grade:
        return labels["msg_too_hard"].format(grade=f"{grade:g}", limit=f"{max_grade:g}")
    return labels["msg_too_hard_es"].format(
        score=f"{figures.fernandez_huerta:g}",
        minimum=f"{spanish_minimum(max_grade):g}",
        limit=f"{max_grade:g}",
    )


async def publish_confirm(
    request: Request[Any, Any, Any],
    pages: Pages,
    editorial: Editorial,
    key: tuple[model.Kind, str, str],
    form: dict[str, str],
    refused: ContentError | None = None,
) -> Response[Any]:
    """``Publish version N of “title” (language) to patients``, or why it cannot be published."""
    kind, slug, locale = key
    labels = words(request)
    back = item_url(kind, slug, "/draft", locale)
    try:
        draft = await editorial.get(kind, slug, locale)
    except NotFound:
        heading, back = labels["publish"], "/desk/review"
        return await confirm_page(
            request, pages, locale, heading=heading, cancel=back, back_to=labels["queue"],
            problem=labels["refuse_gone"], status_code=409,
        )  # fmt: skip
    version, title = draft.info.based_on_version + 1, draft.content.title
    etag = form.get("etag") or draft.etag.strip('"')
    problem = publish_refusal(labels, refused) if refused and not isinstance(refused, TooHardToRead) else ""
    if not problem and etag != draft.etag.strip('"'):
        problem = labels["refuse_changed"]
    elif not problem and not draft.info.review_current:
        problem = labels["refuse_not_reviewed"]
    warning = too_hard(labels, draft.info.readability, editorial.publishing.max_grade)
    return await confirm_page(
        request,
        pages,
        locale,
        heading=labels["confirm_publish_title"].format(version=version, title=title),
        what=labels["confirm_publish_what"].format(
            version=version, title=title, language=language_in(locale, labels)
        ),
        button=labels["confirm_publish_button"].format(version=version),
        action=item_url(kind, slug, "/draft/publish", locale),
        cancel=back,
        back_to=labels["draft_title"].format(title=title),
        problem=problem,
        warning=warning,
        hidden={"etag": etag},
        fields=(
            Field("note", labels["confirm_note"], form.get("note", "")),
            Field(
                "override",
                labels["confirm_override"],
                form.get("override", ""),
                labels["confirm_override_help"],
            ),
        ),
        status_code=409 if refused else 200,
    )


async def restore_confirm(
    request: Request[Any, Any, Any],
    pages: Pages,
    reader: Reader,
    key: tuple[model.Kind, str, str],
    number: int,
    note: str | None = None,
    status_code: int = 200,
) -> Response[Any]:
    """``Restore version N of “title” as version M``; nothing to restore when N is the latest's text."""
    kind, slug, locale = key
    labels = words(request)
    history = await reader.history(kind, slug, locale)
    latest = history[0]
    title = (await reader.version(kind, slug, latest.version, locale)).content.title
    target = next((v for v in history if v.version == number), None)
    problem = ""
    if target is None:
        problem = labels["refuse_restore_missing"].format(version=number)
    elif target.content_hash == latest.content_hash:
        problem = labels["refuse_restore_same"].format(version=number)
    back = item_url(kind, slug, "", locale)
    if note is None:
        note = labels["confirm_restore_note"].format(version=number)
    return await confirm_page(
        request,
        pages,
        locale,
        heading=labels["confirm_restore_title"].format(version=number, title=title),
        what=labels["confirm_restore_what"].format(
            version=number, title=title, language=language_in(locale, labels), new=latest.version + 1
        ),
        button=labels["confirm_restore_button"].format(version=number),
        action=item_url(kind, slug, f"/versions/{number}/restore", locale),
        cancel=back,
        back_to=title,
        problem=problem,
        fields=(Field("note", labels["confirm_note"], note),),
        status_code=status_code,
    )


async def embedded_in(editorial: Editorial, reader: Reader, key: tuple[model.Kind, str, str]) -> list[Any]:
    """The live items that show this translation inside them: (title, locale) of each."""
    return [
        ((await reader.version(kind, slug, number, locale)).content.title, locale)
        for kind, slug, locale, number in await editorial.publishing.shown_inside(*key)
    ]


async def archive_confirm(
    request: Request[Any, Any, Any],
    pages: Pages,
    editorial: Editorial,
    reader: Reader,
    key: tuple[model.Kind, str, str],
    status_code: int = 200,
) -> Response[Any]:
    """``Archive “title”: its page, handout and email stop``; refused while another item shows it."""
    kind, slug, locale = key
    labels = words(request)
    back = item_url(kind, slug, "", locale)
    try:
        history = await reader.history(kind, slug, locale)
        title = (await reader.version(kind, slug, history[0].version, locale)).content.title
    except ContentError:
        return await confirm_page(
            request, pages, locale, heading=labels["archive"], cancel="/desk",
            back_to=labels["back_to_library"], problem=labels["refuse_archived"], status_code=409,
        )  # fmt: skip
    users = await embedded_in(editorial, reader, key)
    problem = ""
    if users:
        names = ", ".join(quoted(labels, t, loc) for t, loc in users)
        problem = labels["refuse_embedded"].format(names=names)
    return await confirm_page(
        request,
        pages,
        locale,
        heading=labels["confirm_archive_title"].format(title=title),
        what=labels["confirm_archive_what"].format(title=title, language=language_in(locale, labels)),
        button=labels["confirm_archive_button"].format(title=title),
        action=item_url(kind, slug, "/archive", locale),
        cancel=back,
        back_to=title,
        problem=problem,
        danger=True,
        status_code=409 if problem and request.method == "POST" else status_code,
    )
