"""Alembic environment: runs migrations over the project's async engine."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from content.db import create_engine, metadata


def run(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # Batch migrations recreate tables; with foreign keys on, dropping the old table would
        # cascade into every row that refers to it. Set before the migration's transaction
        # begins (SQLite ignores it inside one); this connection is discarded afterwards.
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None  # a live connection has its driver connection
        cursor = dbapi.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.close()
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def main() -> None:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(run)
        await connection.commit()
    await engine.dispose()


asyncio.run(main())
