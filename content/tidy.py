"""The one form an editor's text is kept in, whichever way it came: the API or the desk's form.

A browser sends every line break in a form as CRLF and the desk trims the plain fields it shows
(title, summary, questions, answers, table cells, the footnote, code names). So that a draft the
API accepts opens and saves in the desk unchanged, a draft is stored the same way from both:
line breaks as LF everywhere, and those plain fields without spaces at their ends. A field that
is only spaces is refused, naming it, as an empty one is.
"""

from __future__ import annotations

from typing import Any

import msgspec

from content import model
from content.errors import InvalidInput


def tidy(item: model.Content) -> model.Content:
    """``item`` with LF line breaks and its plain fields trimmed; InvalidInput for a blank one."""
    data = _lf(msgspec.to_builtins(item))
    data["title"], data["summary"] = data["title"].strip(), data["summary"].strip()
    if "questions" in data:
        data["questions"] = [question.strip() for question in data["questions"]]
    for code in data["codes"]:
        code["display"] = code["display"].strip()
    for entry in data.get("items", []):  # a FAQ set's entries (blocks' lists are under "body")
        entry["question"], entry["answer"] = entry["question"].strip(), entry["answer"].strip()
    for row in data.get("rows", []):
        row["factor"] = row["factor"].strip()
        row["values"] = [value.strip() for value in row["values"]]
    if data.get("footnote") is not None:
        data["footnote"] = data["footnote"].strip() or None
    try:
        return msgspec.convert(data, type(item))
    except msgspec.ValidationError as exc:
        message, _, path = str(exc).rpartition(" - at `")
        raise InvalidInput(path.rstrip("`") or "$", f"{message} (spaces at the ends do not count)") from None


def _lf(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, list):
        return [_lf(v) for v in value]
    if isinstance(value, dict):
        return {k: _lf(v) for k, v in value.items()}
    return value
