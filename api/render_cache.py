"""Rendered exports kept by ETag where every replica finds them: here, files in the data folder."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol


class RenderCache(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def put(self, key: str, body: bytes, media_type: str) -> None: ...

    def lock(self, key: str, timeout: float) -> contextlib.AbstractAsyncContextManager[None]:
        """Exclusive across replicas; raises TimeoutError when it cannot be had in time."""
        ...


class DiskRenderCache:
    """One file per ETag; replicas sharing the folder render once under a file lock."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key.strip('"')

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def put(self, key: str, body: bytes, media_type: str) -> None:
        await asyncio.to_thread(_write_atomically, self._path(key), body)

    @contextlib.asynccontextmanager
    async def lock(self, key: str, timeout: float) -> AsyncIterator[None]:  # noqa: ASYNC109
        """An exclusive lock on a file, polled so that waiting ties up no thread."""
        path = self._path(key).with_suffix(".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            async with asyncio.timeout(timeout):
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        await asyncio.sleep(0.05)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
