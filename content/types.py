"""The scalar types every Struct shares: the wire base, slugs, locales and checked text."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta


class Wire(msgspec.Struct, rename="camel", kw_only=True, forbid_unknown_fields=True):
    """Base for every Struct on the wire and in the library.

    camelCase on the wire; unknown fields are rejected, so a typo is an error rather than
    silently dropped. Every key is always sent, so clients never guess at missing ones.
    Derived fields (``html``, ``href``, review ``status``) stay blank in the stored form the
    content hash is computed over, and are filled at read time. msgspec does not inherit
    ``kw_only``, hence it is repeated on each subclass.
    """


Slug = Annotated[str, Meta(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120)]
Locale = Annotated[str, Meta(pattern=r"^[a-z]{2}(?:-[A-Z]{2})?$")]
Tag = Annotated[str, Meta(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]
# Text is checked by pattern, the same in the spec as in the decoder. A single line has no
# control characters (C0, DEL, C1) and no Unicode line or paragraph separator: a title becomes an
# email Subject header and a PDF title. Longer text may hold tabs and line breaks, never NUL or
# other control characters, which PostgreSQL cannot store and no channel can render. The
# trailing ``(?!\n)`` keeps Python's ``$`` (which also matches before a final newline) as strict
# as ECMAScript's.
SINGLE_LINE = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$(?!\n)"
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Line = Annotated[str, Meta(min_length=1, max_length=200, pattern=SINGLE_LINE)]
Title = Line
Question = Annotated[str, Meta(min_length=1, max_length=300, pattern=SINGLE_LINE)]
# Inline Markdown source: emphasis, strong, code and links only.
InlineText = Annotated[str, Meta(min_length=1, max_length=10_000, pattern=TEXT)]
# Version numbers are 32-bit in both stores: anything above cannot exist and is refused as input.
MAX_VERSION = 2**31 - 1

__all__ = [
    "MAX_VERSION",
    "SINGLE_LINE",
    "TEXT",
    "InlineText",
    "Line",
    "Locale",
    "Question",
    "Slug",
    "Tag",
    "Title",
    "Wire",
]
