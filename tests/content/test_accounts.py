"""Tokens, desk sessions and Communication records: small services, each holding its engine."""

import datetime as dt
from pathlib import Path

import pytest

from content.accounts import Sessions, Tokens
from content.audit import AuditLog
from content.chart import chart_versions
from content.communications import Communications
from content.db import utcnow
from content.library import load_library
from content.store import Store

pytestmark = pytest.mark.anyio


async def test_tokens_and_the_sessions_opened_with_them(store: Store) -> None:
    tokens, sessions = Tokens(store.engine), Sessions(store.engine)
    info, token = await tokens.create("rita", "reviewer", "admin", display_name="Rita Ruiz", credentials="MD")
    await tokens.create("ehr", "ehr", "admin", display_name="The EHR")
    assert await tokens.authenticate(token) == ("rita", "reviewer", "Rita Ruiz")
    assert await tokens.authenticate("folio_nonsense") is None
    assert [t.name for t in await tokens.all()] == ["rita", "ehr"]
    assert await tokens.reviewers() == {"rita": "Rita Ruiz, MD"}
    assert await tokens.people() == {"rita": "Rita Ruiz, MD", "ehr": "The EHR"}

    opened = await sessions.open(token)
    assert opened is not None
    session_id, session = opened
    assert (await sessions.find(session_id)) == session
    await sessions.close(session_id)
    assert await sessions.find(session_id) is None

    opened = await sessions.open(token)
    assert opened is not None
    await tokens.revoke("rita", "admin")
    assert await sessions.find(opened[0]) is None  # revoking the token ends its sessions
    assert await tokens.authenticate(token) is None
    page = await AuditLog(store.engine).page(limit=10, actor="admin")
    assert [e.action for e in page.entries] == ["revoke_token", "create_token", "create_token"]
    assert page.entries[0].detail == "rita" and info.role == "reviewer"


async def test_communications_are_recorded_recalled_and_forgotten(store: Store, library: Path) -> None:
    await store.sync(load_library(library).items, author="library")
    version = (await chart_versions(store.engine, current_only=True))[0]
    records = Communications(store.engine)
    sent = utcnow()
    given = await records.record(
        version=version, document="handout-1", subject="Patient/p1", encounter=None, sent=sent, actor="ehr"
    )
    assert [g.id for g in await records.recall([version.id], "a version", "ehr")] == [given.id]
    assert await records.by_id(given.id, "ehr") == given
    assert await records.by_id("nonsense", "ehr") is None
    assert await records.forget(dt.timedelta(days=1)) == 0
    assert await records.forget(dt.timedelta(0)) == 1
    assert await records.recall([version.id], "a version", "ehr") == []
    actions = [e.action for e in (await AuditLog(store.engine).page(limit=10)).entries]
    assert actions[:4] == [
        "read_communications",
        "forget_communications",
        "read_communications",
        "read_communications",
    ]
