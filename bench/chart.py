"""The chart's reads beside the JSON read: Infobutton and FHIR DocumentReference search, p50 and p99.

A real `folio serve` (one worker) on 127.0.0.1 with the bundled library synced, measured from a
sequential keep-alive client. The first DocumentReference search renders every handout it lists
(size and SHA-1 are of the served bytes); that cold cost is reported apart, then the warm figures
(renders cached). Writes bench/results/chart-<date>.json. Run: .venv/bin/python bench/chart.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, folio, machine, now, prepared_store, sync, today
from read_path import measure

JSON_READ = "/v1/articles/is-ketamine-therapy-addictive"
INFOBUTTON = (
    "/infobutton?mainSearchCriteria.v.c=6130&mainSearchCriteria.v.cs=2.16.840.1.113883.6.88"
    "&informationRecipient.languageCode.c=es"
)
SEARCH = "/fhir/DocumentReference?event=http://www.nlm.nih.gov/research/umls/rxnorm|6130&language=es"


def main() -> int:
    with tempfile.TemporaryDirectory() as data:
        env = prepared_store(Path(data)) | {
            # The bundled library's review status does not decide what is measured.
            "FOLIO_EHR_OFFER_UNREVIEWED": "true",
            "FOLIO_WEBHOOK_POLL_SECONDS": "3600",
        }
        sync(env)
        with folio(env) as (base, _pid), httpx.Client(base_url=base, timeout=120) as client:
            start = time.perf_counter()
            first = client.get(SEARCH)
            cold_ms = (time.perf_counter() - start) * 1e3
            assert first.status_code == 200 and first.json()["total"] == 8, first.text
            results = {
                "first_document_search_ms (renders 4 handouts and 4 pages)": round(cold_ms, 1),
                "json_read": measure(client, JSON_READ),
                "infobutton_atom": measure(client, INFOBUTTON),
                "infobutton_json": measure(client, INFOBUTTON + "&knowledgeResponseType=application/json"),
                "fhir_document_search_8": measure(client, SEARCH),
                "fhir_document_search_304": measure(client, SEARCH, {"If-None-Match": first.headers["etag"]}),
            }
    report = {
        "benchmark": "the chart's reads beside the JSON read; folio serve (granian, one worker), "
        "sequential keep-alive client on loopback; Spanish, RxNorm 6130 (4 items, 8 documents)",
        "date": now(),
        "machine": machine(),
        "results": results,
    }
    out = RESULTS / f"chart-{today()}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
