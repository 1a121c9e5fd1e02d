"""content.diff's structured diff, made readable: each change as words struck out and inserted."""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from api.desk.labels import LABELS
from content.diff import Diff

_TEXT_KEYS = (
    "level",
    "title",
    "text",
    "question",
    "answer",
    "factor",
    "values",
    "label",
    "url",
    "slug",
    "items",
    "alt",
    "caption",
    "credit",
)


def describe(value: Any) -> str:
    """A block, FAQ entry, row or field value as the words a person reads."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return " · ".join(describe(v) for v in value)
    if isinstance(value, dict):
        if "reviewedBy" in value or "reviewed_by" in value:
            who = value.get("reviewedBy", value.get("reviewed_by"))
            if not who:
                return "not reviewed by a clinician"
            credentials = value.get("credentials")
            return f"{who}{', ' + credentials if credentials else ''}, {value.get('reviewedOn', '')}"
        if "system" in value and "code" in value:  # a clinical code
            return f"{value['code']} {value.get('display', '')}".strip()
        if "type" in value and "slug" in value and len(value) <= 3:
            return f"{value['type']}/{value['slug']}" + (
                f" v{value['version']}" if value.get("version") else ""
            )
        parts = [describe(value[k]) for k in _TEXT_KEYS if k in value and value[k] not in (None, "", [])]
        if value.get("type") == "image":
            parts = [
                str(value.get("media", ""))[:10] + (" (decorative)" if value.get("decorative") else ""),
                *parts,
            ]
        kind = value.get("type") or value.get("style") or value.get("tone")
        return (f"[{kind}] " if kind else "") + " — ".join(parts)
    return str(value)


def words(before: str, after: str) -> tuple[Markup, Markup]:
    """Both sides, with removed words in <del> and added words in <ins>."""
    a, b = before.split(" "), after.split(" ")
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        old, new = html.escape(" ".join(a[i1:i2])), html.escape(" ".join(b[j1:j2]))
        if op == "equal":
            left.append(old)
            right.append(new)
        else:
            if old:
                left.append(f"<del>{old}</del>")
            if new:
                right.append(f"<ins>{new}</ins>")
    return Markup(" ".join(left)), Markup(" ".join(right))


@dataclass(frozen=True)
class Row:
    op: str  # added, removed, changed
    place: str  # a label key: field_title, diff_block, diff_question, diff_row
    name: str  # what fills its {name}: the block's number, the question, the row's factor
    before: Markup
    after: Markup

    @property
    def where(self) -> str:
        """Where the change is, in English: "Title", "Question “Will I become addicted?”"."""
        return LABELS.get(self.place, self.place).format(name=self.name)


def is_image(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "image" and isinstance(value.get("media"), str)


def image(value: Any, words_html: Markup) -> Markup:
    """An image block as a reviewer sees it: the picture with its alt text, then its words."""
    if not is_image(value):
        return words_html
    width = value.get("width") or 320
    url = f"/media/{value['media']}/{min(width, 320)}.webp"
    alt = "" if value.get("decorative") else str(value.get("alt", ""))
    return Markup('<figure><img src="{}" alt="{}" loading="lazy"></figure>{}').format(url, alt, words_html)


def rows(diff: Diff) -> list[Row]:
    out = []
    for field in diff.fields:
        before, after = words(describe(field.before), describe(field.after))
        out.append(Row("changed", "field_" + field.field, "", before, after))
    for change in diff.changes:
        before, after = words(describe(change.before), describe(change.after))
        before, after = image(change.before, before), image(change.after, after)
        out.append(
            Row(change.op, *_place(change.path, change.key, change.after or change.before), before, after)
        )
    return out


def _place(path: str, key: int | str, entry: Any) -> tuple[str, str]:
    """A label key for where an element changed, and its name: a block's number, a question's words."""
    if isinstance(key, int):
        return "diff_block", str(key + 1)
    if path == "items" and isinstance(entry, dict) and entry.get("question"):
        return "diff_question", str(entry["question"])
    return ("diff_row" if path == "rows" else "diff_entry"), str(key)
