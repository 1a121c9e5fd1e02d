"""A structured diff between two versions of an item: fields, blocks and entries that changed."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from content import model

_SHARED_FIELDS = ("locale", "title", "summary", "tags", "related", "codes", "review", "embeds")


class FieldChange(model.Wire, kw_only=True):
    """A top-level field whose value differs; values are as in the item's JSON."""

    field: str
    before: Any
    after: Any


class ElementChange(model.Wire, kw_only=True):
    """A block, FAQ entry or comparison row added, removed or changed.

    ``path`` is the list (``body``, ``items`` or ``rows``); ``key`` is the block's position
    (in the newer version, or the older one for a removal), the FAQ entry's id or the row's factor.
    """

    op: Literal["added", "removed", "changed"]
    path: str
    key: int | str
    before: Any = None
    after: Any = None


class Diff(model.Wire, kw_only=True):
    type: model.Kind
    slug: str
    from_version: int
    to_version: int
    identical: bool
    fields: list[FieldChange]
    changes: list[ElementChange]


def diff_items(
    before: model.Content,
    after: model.Content,
    from_version: int,
    to_version: int,
    pins: tuple[Sequence[model.ItemRef], Sequence[model.ItemRef]] = ((), ()),
) -> Diff:
    """What changed; ``pins`` (before, after) shows a change of embedded versions as ``embeds``."""
    plain_before, plain_after = msgspec.to_builtins(before), msgspec.to_builtins(after)
    plain_before["embeds"], plain_after["embeds"] = (msgspec.to_builtins(list(p)) for p in pins)
    fields = [
        FieldChange(field=name, before=plain_before.get(name), after=plain_after.get(name))
        for name in (*_SHARED_FIELDS, *before.diff_fields)
        if plain_before.get(name) != plain_after.get(name)
    ]
    changes: list[ElementChange] = []
    if before.elements is not None:  # the kind's list, element by element, as the kind declares
        path, key = before.elements
        if key is not None:
            changes = _keyed(path, key, plain_before[path], plain_after[path])
        else:  # blocks: aligned by what each block type compares
            keys = [b.diff_key() for b in getattr(before, path)], [b.diff_key() for b in getattr(after, path)]
            changes = _sequence(path, keys, plain_before[path], plain_after[path])
    return Diff(
        type=before.kind,
        slug=before.slug,
        from_version=from_version,
        to_version=to_version,
        identical=not fields and not changes,
        fields=fields,
        changes=changes,
    )


def _sequence(
    path: str, keys: tuple[list[bytes], list[bytes]], before: list[Any], after: list[Any]
) -> list[ElementChange]:
    """Blocks have no ids: align them by their keys, pairing replaced runs position by position."""
    matcher = difflib.SequenceMatcher(a=keys[0], b=keys[1], autojunk=False)
    changes = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(paired):
            changes.append(
                ElementChange(op="changed", path=path, key=j1 + k, before=before[i1 + k], after=after[j1 + k])
            )
        for i in range(i1 + paired, i2):
            changes.append(ElementChange(op="removed", path=path, key=i, before=before[i]))
        for j in range(j1 + paired, j2):
            changes.append(ElementChange(op="added", path=path, key=j, after=after[j]))
    return changes


def _keyed(path: str, key: str, before: list[Any], after: list[Any]) -> list[ElementChange]:
    old = {entry[key]: entry for entry in before}
    new = {entry[key]: entry for entry in after}
    changes = [
        ElementChange(op="removed", path=path, key=k, before=v) for k, v in old.items() if k not in new
    ]
    for k, v in new.items():
        if k not in old:
            changes.append(ElementChange(op="added", path=path, key=k, after=v))
        elif old[k] != v:
            changes.append(ElementChange(op="changed", path=path, key=k, before=old[k], after=v))
    return changes
