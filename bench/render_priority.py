"""JSON and /health latency while ten handouts render: render workers at nice 0 against nice 10.

Interleaved rounds (the order alternates), each on a fresh server over a fresh store, measured by
``handouts.measure`` exactly as ``make bench``'s handouts section does. Writes
``results/render-priority-<date>.json``; not part of ``make test``.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import handouts as handout_bench  # noqa: E402
from _common import RESULTS, folio, prepared_store, sync, today  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def main() -> int:
    rows = []
    for n in range(ROUNDS):
        for niceness in (0, 10) if n % 2 == 0 else (10, 0):
            with tempfile.TemporaryDirectory() as tmp:
                env = prepared_store(Path(tmp) / "store") | {
                    "FOLIO_PDF_QUEUE": "32",
                    "FOLIO_PDF_NICENESS": str(niceness),
                }
                sync(env)
                with folio(env) as (base, _pid):
                    measured = asyncio.run(handout_bench.measure(base))
            idle, loaded = measured["json_and_health_idle"], measured["json_and_health_while_10_render"]
            row = {
                "round": n + 1,
                "niceness": niceness,
                "idle": idle,
                "while_10_render": loaded,
                "p99_ratio": round(loaded["p99_ms"] / idle["p99_ms"], 2),
                "ten_concurrent_renders_ms": measured["ten_concurrent_renders_ms"],
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    medians = {
        niceness: statistics.median(r["p99_ratio"] for r in rows if r["niceness"] == niceness)
        for niceness in (0, 10)
    }
    out = RESULTS / f"render-priority-{today()}.json"
    out.write_text(
        json.dumps({"loadavg": os.getloadavg(), "median_p99_ratio": medians, "rounds": rows}, indent=1)
    )
    print(f"median p99 ratio (while rendering / idle): nice 0 {medians[0]}, nice 10 {medians[10]} -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
