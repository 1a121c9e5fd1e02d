"""What every bench script shares: servers on 127.0.0.1, the timing loops, wrk and ab, CPU per request.

Written once here; ``run.py``, ``handouts.py``, ``read_path.py``, ``chart.py``, ``storm.py`` and
``render_priority.py`` import it (run them as ``.venv/bin/python bench/<script>.py``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))  # per wrk run
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def loadavg() -> list[str]:
    """The 1, 5 and 15 minute load averages: other work on the box, recorded with every figure."""
    return Path("/proc/loadavg").read_text().split()[:3]


def machine(**extra: object) -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "loadavg_1_5_15": loadavg(),
        **extra,
    }


def today() -> str:
    return dt.date.today().isoformat()


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --- servers ---------------------------------------------------------------------------------


@contextlib.contextmanager
def server(
    command: list[str], env: dict[str, str], port: int, ready: str = "/v1/articles/x"
) -> Iterator[tuple[str, int]]:
    """A server process on 127.0.0.1:port, up once ``ready`` answers; (base URL, pid)."""
    process = subprocess.Popen(
        command, env=os.environ | env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(base + ready, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(30)


def folio(
    env: dict[str, str], port: int | None = None, workers: int = 1
) -> contextlib.AbstractContextManager[tuple[str, int]]:
    """`folio serve` with these FOLIO_* settings (its store prepared by ``prepared_store``)."""
    port = port or free_port()
    command = [str(BIN / "folio"), "serve", "--workers", str(workers)]
    return server(command, env | {"FOLIO_PORT": str(port)}, port)


def prepared_store(data: Path, library: Path | None = None, url: str | None = None) -> dict[str, str]:
    """A migrated store under ``data`` (or at ``url``); the FOLIO_* settings that name it."""
    env = {"FOLIO_DATA_DIR": str(data)} | ({"FOLIO_LIBRARY_DIR": str(library)} if library else {})
    env |= {"FOLIO_DATABASE_URL": url} if url else {}
    subprocess.run([str(BIN / "folio"), "migrate"], env=os.environ | env, check=True, capture_output=True)
    return env


def sync(env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([str(BIN / "folio"), "sync"], env=os.environ | env, check=True, capture_output=True)
    return time.perf_counter() - start


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway database on ``FOLIO_TEST_POSTGRES_URL``: the test suite's own set-up, not a copy."""
    from tests.conftest import _postgres_database

    yield from _postgres_database()


# --- timing ----------------------------------------------------------------------------------


def summary(samples_ms: list[float]) -> dict[str, float]:
    """n, p50 and p99 of samples in milliseconds."""
    ordered = sorted(samples_ms)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
    }


def timed_ms(call: Callable[[], object], n: int) -> list[float]:
    """``call`` run ``n`` times in a row; each run's wall time in milliseconds."""
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def sequential(
    client: httpx.Client, path: str, n: int = 300, headers: dict[str, str] | None = None
) -> dict[str, float]:
    """One keep-alive client, ``n`` requests in a row: p50, p99 and the requests/s that makes."""

    def get() -> None:
        response = client.get(path, headers=headers)
        assert response.status_code in (200, 304), (path, response.status_code)

    get()
    samples = timed_ms(get, n)
    return summary(samples) | {"sequential_rps": round(n / (sum(samples) / 1000), 1)}


# --- load generators -------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and all its descendants: user + system, plus reaped children's.

    granian and nginx answer in worker processes, and Folio renders in a process pool: the
    server's cost is the whole tree's.
    """
    parents: dict[int, int] = {}
    spent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited meanwhile
            continue
        parents[int(entry.name)] = int(fields[1])
        spent[int(entry.name)] = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    tree, grew = {pid}, True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grew = True
    return sum(spent.get(p, 0) for p in tree) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return round(int(match.group(1)) / 1024, 1) if match else 0.0


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _found(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.M)
    if match is None:
        raise RuntimeError(f"no {pattern!r} in the load generator's output:\n{text}")
    return match.group(1)


def pinned(args: list[str], cpu: int | None) -> list[str]:
    """The load generator on core ``cpu`` alone (``taskset``), or where the scheduler puts it."""
    return ["taskset", "-c", str(cpu), *args] if cpu is not None else args


def wrk(
    url: str,
    pid: int,
    headers: dict[str, str] | None = None,
    seconds: int = SECONDS,
    warm: int = 1,
    threads: int = 2,
    cpu: int | None = None,
) -> dict[str, float]:
    """64 connections; requests/s, p50, p99, server CPU per request, error answers."""
    args = pinned(["wrk", f"-t{threads}", "-c64", "--latency"], cpu)
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    subprocess.run([*args, f"-d{warm}s", url], capture_output=True, check=True)  # warm up
    cpu_before = cpu_seconds(pid)
    out = subprocess.run([*args, f"-d{seconds}s", url], capture_output=True, text=True, check=True).stdout
    spent = cpu_seconds(pid) - cpu_before
    requests = int(_found(r"(\d+) requests in", out))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_s": float(_found(r"Requests/sec:\s+([\d.]+)", out)),
        "p50_ms": _ms(_found(r"^\s+50%\s+(\S+)", out)),
        "p99_ms": _ms(_found(r"^\s+99%\s+(\S+)", out)),
        "server_cpu_us_per_request": round(spent / requests * 1e6, 1),
        "non_2xx_3xx": int(errors.group(1)) if errors else 0,
        "loadavg_1m": float(loadavg()[0]),
    }


def ab_head(url: str, pid: int, seconds: int = SECONDS) -> dict[str, float]:
    """HEAD at 64 keep-alive connections with ApacheBench: wrk cannot read bodiless answers.

    ab is one thread and reports whole milliseconds, so its requests/s and latencies compare
    between servers, not with wrk's figures; CPU per request compares with both.
    """
    args = ["ab", "-i", "-k", "-c", "64", "-n", "100000000"]
    subprocess.run([*args, "-t", "1", url], capture_output=True, check=True)  # warm up
    cpu_before = cpu_seconds(pid)
    out = subprocess.run([*args, "-t", str(seconds), url], capture_output=True, text=True, check=True).stdout
    spent = cpu_seconds(pid) - cpu_before
    requests = int(_found(r"Complete requests:\s+(\d+)", out))
    errors = re.search(r"Non-2xx responses:\s+(\d+)", out)
    return {
        "requests_per_s": float(_found(r"Requests per second:\s+([\d.]+)", out)),
        "p50_ms": float(_found(r"^\s+50%\s+(\d+)", out)),
        "p99_ms": float(_found(r"^\s+99%\s+(\d+)", out)),
        "server_cpu_us_per_request": round(spent / max(requests, 1) * 1e6, 1),
        "non_2xx_3xx": int(errors.group(1)) if errors else 0,
        "loadavg_1m": float(loadavg()[0]),
    }
