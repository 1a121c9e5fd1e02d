"""One-time sign-in links: shown once, stored as a hash, single use, seven days, never for a revoked
account."""

import asyncio
import datetime as dt

import pytest
import sqlalchemy as sa

from content.accounts import Sessions, Tokens
from content.audit import AuditLog
from content.db import invites
from content.invites import Invites
from content.store import Store

pytestmark = pytest.mark.anyio


async def test_a_link_signs_in_once_even_when_used_twice_at_the_same_time(store: Store) -> None:
    links = Invites(store.engine)
    info, token, code = await links.invite(
        "ana", "reviewer", "admin", display_name="Ana Rivera", credentials="MD"
    )
    assert info.role == "reviewer" and token.startswith("folio_")
    async with store.engine.connect() as conn:
        stored = (await conn.execute(sa.select(invites))).one()
    assert stored.code_hash != code and code not in stored.code_hash and stored.token_name == "ana"

    found = await links.find(code)
    assert found is not None and found.state == "valid" and found.display_name == "Ana Rivera"
    assert found.role == "reviewer" and found.credentials == "MD"
    assert await links.find(code + "x") is None

    first, second = await asyncio.gather(links.use(code), links.use(code))
    opened = [o for o in (first, second) if o is not None]
    assert len(opened) == 1
    session_id, session = opened[0]
    assert session.token_name == "ana" and session.role == "reviewer"
    assert await Sessions(store.engine).find(session_id) == session
    assert await links.use(code) is None
    used = await links.find(code)
    assert used is not None and used.state == "used"
    page = await AuditLog(store.engine).page(limit=10, action="invite_used")
    assert [(e.actor, e.detail) for e in page.entries] == [("ana", "ana")]


async def test_an_expired_link_or_a_revoked_accounts_link_opens_nothing(store: Store) -> None:
    links = Invites(store.engine)
    await Tokens(store.engine).create("rosa", "editor", "admin", display_name="Rosa Diaz")
    stale = await links.create("rosa", "admin", lifetime=dt.timedelta(seconds=-1))
    found = await links.find(stale)
    assert found is not None and found.state == "expired"
    assert await links.use(stale) is None

    _, _, code = await links.invite("tom", "editor", "admin", display_name="Tom Lee")
    await Tokens(store.engine).revoke("tom", "admin")
    found = await links.find(code)
    assert found is not None and found.state == "revoked"
    assert await links.use(code) is None
    assert await Sessions(store.engine).open_for("tom") is None
    async with store.engine.connect() as conn:
        unused = await conn.scalar(
            sa.select(sa.func.count()).select_from(invites).where(invites.c.used_at.is_(None))
        )
    assert unused == 2  # a refused link is not spent


async def test_a_session_for_an_account_by_name(store: Store) -> None:
    sessions = Sessions(store.engine)
    await Tokens(store.engine).create("ehr", "ehr", "admin", display_name="The EHR")
    await Tokens(store.engine).create("ed", "editor", "admin", display_name="Ed")
    assert await sessions.open_for("ehr") is None  # a system's account signs in to no desk
    assert await sessions.open_for("nobody") is None
    opened = await sessions.open_for("ed")
    assert opened is not None and opened[1].display_name == "Ed" and opened[1].role == "editor"
