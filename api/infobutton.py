"""HL7 Infobutton (Context-Aware Knowledge Retrieval) answers, as MedlinePlus Connect gives them.

A request names a code (``mainSearchCriteria.v.c``) and its system by OID
(``mainSearchCriteria.v.cs``); the answer is an Atom feed (``text/xml``, the default) or the same
feed as JSON (``application/json``, MedlinePlus Connect's shape: element text under ``_value``),
with one entry per matching published item: its title, summary, version, and links to its page
and handout in the language asked for. An item without that translation is given in the one it
falls back to, and its entry says so.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import msgspec

from api.chart import reviewed, unreviewed_mark
from content.chart import ChartVersion

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML = "text/xml"
JSON = "application/json"
RESPONSE_TYPES = (XML, JSON)
# Category schemes an entry carries beyond Atom's own elements.
VERSION_SCHEME = "urn:folio:version"
FALLBACK_SCHEME = "urn:folio:fallbackFrom"


@dataclass(frozen=True, slots=True)
class Entry:
    version: ChartVersion
    page: str
    handout: str
    fallback_from: str | None  # the language asked for, when this entry is in another


@dataclass(frozen=True, slots=True)
class Feed:
    id: str
    title: str
    author: str
    author_uri: str
    subtitle: str
    language: str
    updated: dt.datetime
    categories: list[tuple[str, str]]  # (scheme, term): the request's criteria, echoed
    entries: list[Entry]


def _when(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _summary(entry: Entry) -> str:
    summary = entry.version.summary
    if entry.fallback_from:
        served = entry.version.locale
        summary = f"Not available in '{entry.fallback_from}'; this is the '{served}' version. {summary}"
    return summary if reviewed(entry.version) else f"{unreviewed_mark(entry.version.locale)} {summary}"


def _entry_categories(entry: Entry) -> list[tuple[str, str]]:
    found = [(VERSION_SCHEME, str(entry.version.number))]
    if entry.fallback_from:
        found.append((FALLBACK_SCHEME, entry.fallback_from))
    return found


def atom(feed: Feed) -> bytes:
    """The feed as Atom XML (RFC 4287)."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    root = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: feed.language})
    sub(root, "id", feed.id)
    sub(root, "title", feed.title, type="text")
    sub(root, "updated", _when(feed.updated))
    author = sub(root, "author")
    sub(author, "name", feed.author)
    sub(author, "uri", feed.author_uri)
    sub(root, "subtitle", feed.subtitle, type="text")
    for scheme, term in feed.categories:
        sub(root, "category", scheme=scheme, term=term)
    for entry in feed.entries:
        node = sub(root, "entry", **{XML_LANG: entry.version.locale})
        sub(node, "id", entry.page)
        sub(node, "title", entry.version.title, type="text")
        sub(node, "link", href=entry.page, rel="alternate", type="text/html", hreflang=entry.version.locale)
        sub(
            node,
            "link",
            href=entry.handout,
            rel="related",
            type="application/pdf",
            hreflang=entry.version.locale,
            title="Handout (PDF)",
        )
        sub(node, "updated", _when(entry.version.published_at))
        sub(node, "summary", _summary(entry), type="text")
        for scheme, term in _entry_categories(entry):
            sub(node, "category", scheme=scheme, term=term)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _v(text: str, **attrs: str) -> dict[str, str]:
    return {"_value": text, **attrs}


def as_json(feed: Feed) -> bytes:
    """The same feed as MedlinePlus Connect's JSON: each element's text under ``_value``."""
    body: dict[str, Any] = {
        "feed": {
            "xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "base": feed.author_uri,
            "lang": feed.language,
            "id": _v(feed.id),
            "title": _v(feed.title, type="text"),
            "updated": _v(_when(feed.updated)),
            "author": {"name": _v(feed.author), "uri": _v(feed.author_uri)},
            "subtitle": _v(feed.subtitle, type="text"),
            "category": [{"scheme": scheme, "term": term} for scheme, term in feed.categories],
            "entry": [
                {
                    "lang": entry.version.locale,
                    "id": _v(entry.page),
                    "title": _v(entry.version.title, type="text"),
                    "link": [
                        {
                            "href": entry.page,
                            "rel": "alternate",
                            "type": "text/html",
                            "hreflang": entry.version.locale,
                        },
                        {
                            "href": entry.handout,
                            "rel": "related",
                            "type": "application/pdf",
                            "hreflang": entry.version.locale,
                            "title": "Handout (PDF)",
                        },
                    ],
                    "updated": _v(_when(entry.version.published_at)),
                    "summary": _v(_summary(entry), type="text"),
                    "category": [{"scheme": s, "term": t} for s, t in _entry_categories(entry)],
                }
                for entry in feed.entries
            ],
        }
    }
    return msgspec.json.encode(body)


def xml_problem(status: int, title: str, detail: str, parameter: str | None) -> bytes:
    """An RFC 9457 problem in its XML form (Appendix B), for a client that asked for XML."""
    ns = "urn:ietf:rfc:7807"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}problem")
    for tag, text in (("type", "about:blank"), ("title", title), ("status", str(status)), ("detail", detail)):
        ET.SubElement(root, f"{{{ns}}}{tag}").text = text
    if parameter:
        ET.SubElement(root, f"{{{ns}}}parameter").text = parameter
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
