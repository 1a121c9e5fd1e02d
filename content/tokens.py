"""Compatibility names for API tokens: they live in ``content.accounts`` (class ``Tokens``).

The integrator removes these once every caller uses ``Tokens``.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from content.accounts import ALL_ROLES, ROLES, SYSTEM_ROLES, Role, TokenInfo, Tokens, allows, digest

__all__ = [
    "ALL_ROLES",
    "ROLES",
    "SYSTEM_ROLES",
    "Role",
    "TokenInfo",
    "allows",
    "authenticate",
    "create_token",
    "digest",
    "list_tokens",
    "revoke_token",
]


async def create_token(
    engine: AsyncEngine,
    name: str,
    role: Role,
    actor: str,
    *,
    display_name: str,
    credentials: str | None = None,
) -> tuple[TokenInfo, str]:
    return await Tokens(engine).create(name, role, actor, display_name=display_name, credentials=credentials)


async def list_tokens(engine: AsyncEngine) -> list[TokenInfo]:
    return await Tokens(engine).all()


async def revoke_token(engine: AsyncEngine, name: str, actor: str) -> None:
    await Tokens(engine).revoke(name, actor)


async def authenticate(engine: AsyncEngine, token: str) -> tuple[str, Role, str] | None:
    """The (name, role, display name) of an active token, or None."""
    return await Tokens(engine).authenticate(token)
