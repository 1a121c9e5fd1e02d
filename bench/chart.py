"""The chart's reads beside the JSON read: Infobutton and FHIR DocumentReference search, p50 and p99.

A real `folio serve` (one worker) on 127.0.0.1 with the bundled library synced, measured from a
sequential keep-alive client. The first DocumentReference search renders every handout it lists
(size and SHA-1 are of the served bytes); that cold cost is reported apart, then the warm figures
(renders cached). Writes bench/results/chart-<date>.json. Run: .venv/bin/python bench/chart.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from read_path import free_port, measure

ROOT = Path(__file__).resolve().parents[1]
JSON_READ = "/v1/articles/is-ketamine-therapy-addictive"
INFOBUTTON = (
    "/infobutton?mainSearchCriteria.v.c=6130&mainSearchCriteria.v.cs=2.16.840.1.113883.6.88"
    "&informationRecipient.languageCode.c=es"
)
SEARCH = "/fhir/DocumentReference?event=http://www.nlm.nih.gov/research/umls/rxnorm|6130&language=es"


def main() -> int:
    folio = str(Path(sys.executable).with_name("folio"))
    with tempfile.TemporaryDirectory() as data:
        env = os.environ | {
            "FOLIO_DATA_DIR": data,
            "FOLIO_PORT": str(free_port()),
            # The bundled library's review status does not decide what is measured.
            "FOLIO_EHR_OFFER_UNREVIEWED": "true",
            "FOLIO_WEBHOOK_POLL_SECONDS": "3600",
        }
        subprocess.run([folio, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([folio, "sync"], env=env, check=True, capture_output=True)
        server = subprocess.Popen(
            [folio, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{env['FOLIO_PORT']}"
        try:
            with httpx.Client(base_url=base, timeout=120) as client:
                for _ in range(100):
                    try:
                        client.get("/health")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                start = time.perf_counter()
                first = client.get(SEARCH)
                cold_ms = (time.perf_counter() - start) * 1e3
                assert first.status_code == 200 and first.json()["total"] == 8, first.text
                results = {
                    "first_document_search_ms (renders 4 handouts and 4 pages)": round(cold_ms, 1),
                    "json_read": measure(client, JSON_READ),
                    "infobutton_atom": measure(client, INFOBUTTON),
                    "infobutton_json": measure(
                        client, INFOBUTTON + "&knowledgeResponseType=application/json"
                    ),
                    "fhir_document_search_8": measure(client, SEARCH),
                    "fhir_document_search_304": measure(
                        client, SEARCH, {"If-None-Match": first.headers["etag"]}
                    ),
                }
        finally:
            server.terminate()
            server.wait(10)
    report = {
        "benchmark": "the chart's reads beside the JSON read; folio serve (granian, one worker), "
        "sequential keep-alive client on loopback; Spanish, RxNorm 6130 (4 items, 8 documents)",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "results": results,
    }
    out = ROOT / "bench" / "results" / f"chart-{dt.date.today().isoformat()}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
