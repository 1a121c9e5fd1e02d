"""Edit forms: an item as the strings a form shows, and those strings back into an item.

The form's state is kept as typed (strings), so a page re-rendered after an error or a
conflict shows exactly what the editor wrote, never a normalized copy.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import msgspec
from litestar.datastructures import FormMultiDict

from api.desk.labels import LABELS
from content import codes, model
from content.errors import InvalidInput
from content.locales import DEFAULT_LOCALE
from content.markdown import parse_article_body, to_markdown

State = dict[str, Any]  # field name -> str; "entries" -> list of dicts of str


def state_of(item: model.Content) -> State:
    state: State = {
        "slug": item.slug,
        "title": item.title,
        "summary": item.summary,
        "locale": item.locale,
        "tags": ", ".join(item.tags),
        "related": "\n".join(f"{r.type}/{r.slug}" for r in item.related),
        "codes": "\n".join(f"{codes.BY_URI[c.system].short} {c.code} {c.display}" for c in item.codes),
        "entries": [],
        # The handout's own questions (none given: its FAQ's); "questions_none": an empty list given.
        "questions": "" if item.questions is msgspec.UNSET else "\n".join(item.questions),
        "questions_none": "1" if item.questions == [] else "",
    }
    match item:
        case model.Article(body=body):
            state["body"] = to_markdown(body)
        case model.FaqSet(items=entries):
            state["entries"] = [{"id": e.id, "question": e.question, "answer": e.answer} for e in entries]
        case model.Comparison(subjects=subjects, rows=rows, footnote=footnote):
            state["subjects"] = "\n".join(subjects)
            state["footnote"] = footnote or ""
            state["entries"] = [{"factor": r.factor, "values": list(r.values)} for r in rows]
    return state


def blank(kind: model.Kind) -> State:
    state: State = {
        "slug": "",
        "title": "",
        "summary": "",
        "locale": DEFAULT_LOCALE,
        "tags": "",
        "related": "",
        "codes": "",
        "questions": "",
        "questions_none": "",
    }
    match kind:
        case "article":
            state |= {"body": "", "entries": []}
        case "faq":
            state["entries"] = [{"id": "", "question": "", "answer": ""}]
        case "comparison":
            state |= {"subjects": "", "footnote": "", "entries": [{"factor": "", "values": ["", ""]}]}
    return state


def state_from_form(kind: model.Kind, form: FormMultiDict) -> State:
    """The form's strings, with the add/remove/move button it was sent with applied."""

    def get(name: str) -> str:
        return str(form.get(name, "")).replace("\r\n", "\n")

    fields = ("slug", "title", "summary", "locale", "tags", "related", "codes", "questions", "questions_none")
    state: State = {name: get(name) for name in fields}
    count = int(get("count") or 0) if get("count").isdigit() else 0
    match kind:
        case "article":
            state |= {"body": get("body"), "entries": []}
        case "faq":
            state["entries"] = [
                {"id": get(f"e{i}-id"), "question": get(f"e{i}-question"), "answer": get(f"e{i}-answer")}
                for i in range(count)
            ]
        case "comparison":
            state["subjects"] = get("subjects")
            state["footnote"] = get("footnote")
            columns = max(len(subjects(state)), 1)
            state["entries"] = [
                {"factor": get(f"e{i}-factor"), "values": [get(f"e{i}-v{j}") for j in range(columns)]}
                for i in range(count)
            ]
    _apply(kind, state, get("action"))
    return state


def codes_of(text: str) -> tuple[list[dict[str, str]], str | None]:
    """Code lines, ``SYSTEM CODE DISPLAY`` (``rxnorm 6130 ketamine``), as codes; or what is wrong."""
    found: list[dict[str, str]] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        parts = line.split(maxsplit=2)
        system = codes.system_named(parts[0])
        if system is None or len(parts) < 3:
            names = ", ".join(s.short for s in codes.SYSTEMS)
            return found, f"{line.strip()!r}: write SYSTEM CODE DISPLAY, with SYSTEM one of {names}."
        if (why := codes.problem(system.uri, parts[1])) is not None:
            return found, why
        found.append({"system": system.uri, "code": parts[1], "display": parts[2].strip()})
    return found, None


def subjects(state: State) -> list[str]:
    return [line.strip() for line in state.get("subjects", "").split("\n") if line.strip()]


def _apply(kind: model.Kind, state: State, action: str) -> None:
    entries: list[dict[str, Any]] = state["entries"]
    verb, _, index = action.partition("-")
    if verb == "add":
        columns = max(len(subjects(state)), 2)
        entries.append(
            {"id": "", "question": "", "answer": ""}
            if kind == "faq"
            else {"factor": "", "values": [""] * columns}
        )
    elif index.isdigit() and int(index) < len(entries):
        i = int(index)
        if verb == "remove":
            del entries[i]
        elif verb == "up" and i > 0:
            entries[i - 1], entries[i] = entries[i], entries[i - 1]
        elif verb == "down" and i + 1 < len(entries):
            entries[i + 1], entries[i] = entries[i], entries[i + 1]


_PATH = re.compile(r"^\$\.(\w+)(?:\[(\d+)\])?(?:\.(\w+))?(?:\[(\d+)\])?")
_FIELDS = {"items": "e", "rows": "e"}


def field_of(path: str) -> str:
    """A msgspec error path ($.items[2].answer) as the form field it came from (e2-answer)."""
    match = _PATH.match(path)
    if not match:
        return "form"
    name, index, sub, sub_index = match.groups()
    if name in _FIELDS and index is not None:
        if sub == "values" and sub_index is not None:
            return f"e{index}-v{sub_index}"
        # An id is derived from its question, so a problem with it is the question's.
        return f"e{index}-{sub}" if sub and sub != "id" else f"e{index}-question"
    if name in ("items", "rows"):
        return "entries"
    return {"tags": "tags", "related": "related", "subjects": "subjects", "codes": "codes"}.get(name, name)


def item_of(
    kind: model.Kind, state: State, words: dict[str, str] | None = None
) -> tuple[model.Content | None, dict[str, str]]:
    """The item the form describes, or the field errors that stop it (in ``words``' language)."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {
        "type": kind,
        "slug": state["slug"].strip(),
        "locale": state["locale"].strip() or DEFAULT_LOCALE,
        "title": state["title"].strip(),
        "summary": state["summary"].strip(),
        "tags": [t.strip() for t in re.split(r"[,\n]", state["tags"]) if t.strip()],
        "related": [],
    }
    for line in state["related"].split("\n"):
        kind_name, _, slug = line.strip().partition("/")
        if line.strip():
            if kind_name not in model.KIND_SPECS or not slug:
                errors["related"] = f"{line.strip()!r} is not kind/slug (kinds: {', '.join(model.KINDS)})."
            else:
                data["related"].append({"type": kind_name, "slug": slug.strip()})
    questions = [line.strip() for line in state.get("questions", "").split("\n") if line.strip()]
    if questions or state.get("questions_none"):
        data["questions"] = questions
    data["codes"], problem = codes_of(state.get("codes", ""))
    if problem:
        errors["codes"] = problem
    match kind:
        case "article":
            try:
                blocks = parse_article_body(state["body"])
                data["body"] = msgspec.to_builtins(blocks)
            except InvalidInput as exc:
                errors["body"] = f"{exc.field}: {exc.detail}"
        case "faq":
            ids = entry_ids([e["id"] for e in state["entries"]], [e["question"] for e in state["entries"]])
            data["items"] = [
                {"id": ids[i], "question": e["question"].strip(), "answer": e["answer"].strip()}
                for i, e in enumerate(state["entries"])
            ]
        case "comparison":
            data["subjects"] = subjects(state)
            data["rows"] = [
                {"factor": e["factor"].strip(), "values": [v.strip() for v in e["values"]]}
                for e in state["entries"]
            ]
            data["footnote"] = state["footnote"].strip() or None
    if errors:
        return None, errors
    try:
        return msgspec.convert(data, model.KIND_SPECS[kind].content), {}
    except msgspec.ValidationError as exc:
        message, _, path = str(exc).rpartition(" - at `")
        return None, {field_of(path.rstrip("`")) if path else "form": plain(message or str(exc), words)}


_LIMITS = (
    (re.compile(r"^Expected `str` of length >= 1$"), "problem_required"),
    (re.compile(r"^Expected `str` of length <= (\d+)$"), "problem_too_long"),
    (re.compile(r"^Expected `array` of length >= (\d+)$"), "problem_at_least"),
    (re.compile(r"^Expected `str` matching regex '\^\[\^"), "problem_one_line"),
    (re.compile(r"^Expected `str` matching regex"), "problem_format"),
    (re.compile(r"^Object missing required field"), "problem_required"),
)


def plain(message: str, words: dict[str, str] | None = None) -> str:
    """A validation message in plain words (msgspec's "Expected `str` of length >= 1" is not)."""
    words = words or LABELS
    for pattern, key in _LIMITS:
        if (found := pattern.match(message)) and key in words:
            return words[key].format(n=found.group(1) if found.groups() else "")
    return message


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens: "¿Qué es?" -> "que-es" (at most 60 characters)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", plain))[:60].strip("-")


def entry_ids(ids: list[str], questions: list[str]) -> list[str]:
    """Each FAQ entry's id: its own if it has one (kept exactly), else one made from its question,
    unique within the set (``-2``, ``-3`` … when taken)."""
    taken = {i.strip() for i in ids if i.strip()}
    result = []
    for given, question in zip(ids, questions, strict=True):
        if given.strip():
            result.append(given.strip())
            continue
        base = slugify(question) or "question"
        made, n = base, 2
        while made in taken:
            made, n = f"{base}-{n}", n + 1
        taken.add(made)
        result.append(made)
    return result
