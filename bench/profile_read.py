"""Where a warm read's time goes: py-spy samples a `folio serve` worker while wrk loads it.

    .venv/bin/python bench/profile_read.py [PATH] [--seconds N]

Prints the functions with the most samples, by self time and by inclusive time, grouped so
that the server (granian, the event loop), Litestar and Folio's own code can be told apart,
and writes the raw stacks to bench/results/profile-read-<date>.txt (collapsed format, for
flamegraph.pl or speedscope). Needs root or ptrace permission for py-spy.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "bench"))

from _common import free_port, prepared_store, sync  # noqa: E402


def short(frame: str) -> str:
    match = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame)
    if not match:
        return frame or "(native / idle)"
    function, path = match.groups()
    path = re.sub(r".*site-packages/", "", path)
    path = re.sub(rf"{re.escape(str(ROOT))}/", "", path)
    return f"{function} ({path})"


def layer(frame: str) -> str:
    if frame.startswith("Observe.__call__.<locals>.send_observed"):
        # Its self time is granian's native ASGI send (handing the bytes to Rust), which py-spy
        # cannot see into: the server's cost, as ASGIResponse.send_body's is in the peers.
        return "server: ASGI send into granian (native)"
    if frame == "(native / idle)":
        return "native threads or idle (tokio, epoll)"
    if "(api/" in frame or "(content/" in frame:
        return "folio"
    if "(litestar/" in frame:
        return "litestar"
    if "(prometheus_client/" in frame:
        return "prometheus_client"
    if "(logging/" in frame:
        return "logging"
    return "server, event loop, other"


def report(raw: Path, top: int) -> str:
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    layers: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = [short(f) for f in stack.split(";")]
        own[frames[-1]] += n
        layers[layer(frames[-1])] += n
        for frame in set(frames):
            inclusive[frame] += n
    out = [f"{total} samples", "", "self time by layer:"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in layers.most_common()]
    out += ["", "self time:"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    out += ["", "inclusive time:"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top * 2)]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="/v1/articles/is-ketamine-therapy-addictive")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = prepared_store(Path(tmp))
        sync(env)
        port = free_port()
        server = subprocess.Popen(
            [str(BIN / "folio"), "serve"],
            env=os.environ | env | {"FOLIO_PORT": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(400):
                try:
                    httpx.get(base + args.path, timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            worker = int(Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()[0])
            load = subprocess.Popen(
                ["wrk", "-t2", "-c64", f"-d{args.seconds + 3}s", base + args.path],
                stdout=subprocess.DEVNULL,
            )
            time.sleep(1)
            raw = ROOT / "bench" / "results" / f"profile-read-{dt.date.today().isoformat()}.txt"
            spy = [str(BIN / "py-spy"), "record", "-p", str(worker), "-d", str(args.seconds), "-r", "500"]
            subprocess.run(
                [*spy, "-f", "raw", "-o", str(raw), "--nonblocking"],
                check=True,
                capture_output=True,
            )
            load.wait()
        finally:
            server.terminate()
            server.wait(30)
    print(report(raw, args.top))
    print(f"\nraw stacks: {raw.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
