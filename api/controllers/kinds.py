"""What the per-kind API routes share: the kind a route serves and the types its signature names.

Each kind's routes are the same plain functions, mounted once per kind of the registry
(``model.KIND_SPECS``) on a router of its own. A route knows its kind from its ``opt``; the names
below stand in the functions' annotations for every kind, and each kind's router resolves them to
that kind's own types (Litestar's ``signature_namespace``), so the OpenAPI spec and the validation
of bodies are exact per kind.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import msgspec
from litestar import Request

from content import model
from content.editorial import DraftInfo

# The draft shape of each kind: the item plus the server's facts about the draft.
DRAFT_TYPES: dict[model.Kind, type[Any]] = {
    name: msgspec.defstruct(
        f"{spec.title}Draft",
        [("draft", DraftInfo)],
        bases=(spec.content,),
        kw_only=True,
        module="api.controllers.drafts",
    )
    for name, spec in model.KIND_SPECS.items()
}

# What type checkers see; each kind's router names its own (kind_types).
ItemBody: TypeAlias = model.Content
ItemDocument: TypeAlias = model.Published
ItemDraft: TypeAlias = Any


def kind_types(spec: model.KindSpec) -> dict[str, Any]:
    """The signature namespace of one kind's router."""
    return {"ItemBody": spec.content, "ItemDocument": spec.published, "ItemDraft": DRAFT_TYPES[spec.name]}


def spec_of(request: Request[Any, Any, Any]) -> model.KindSpec:
    """The kind the matched route serves."""
    return model.KIND_SPECS[request.route_handler.opt["kind"]]
