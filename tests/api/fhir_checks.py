"""Checks FHIR resources against the R4 definitions with two validators nobody here wrote.

- FHIR.js (npm ``fhir`` 4.12.0, tests/fhir): FHIR R4 4.0.1 structure definitions and value sets,
  so a wrong code in a required binding (``status``, ``docStatus``, ``relatesTo.code``) fails.
- fhir.resources (PyPI, its ``R4B`` models): typed pydantic models that refuse unknown elements
  and wrong types. R4B differs from R4 only in resources Folio never emits (medication
  definitions, evidence, subscriptions); DocumentReference, Binary, Bundle, Communication,
  CapabilityStatement and OperationOutcome are the same.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

FHIR_JS = Path(__file__).resolve().parents[1] / "fhir"
NODE = shutil.which("node")
# DocumentReference.context.event has an *example* binding (v3 ActCode): any code system is allowed,
# but FHIR.js warns about codes outside the example value set. Folio puts the item's codes there.
_EXAMPLE_BINDING = "DocumentReference.context.event"
needs_fhir_js = pytest.mark.skipif(
    NODE is None or not (FHIR_JS / "node_modules" / "fhir").exists(),
    reason="FHIR.js is not installed: npm ci --prefix tests/fhir",
)


def r4_problems(resources: list[dict[str, Any]]) -> list[str]:
    """Every error and warning either validator finds, naming the resource; empty when all are valid."""
    problems = []
    for resource in resources:
        try:
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        except Exception as exc:  # pydantic's ValidationError, or an unknown resource type
            problems.append(f"fhir.resources: {resource.get('resourceType')}/{resource.get('id')}: {exc}")
    if NODE is None or not (FHIR_JS / "node_modules" / "fhir").exists():
        pytest.fail("FHIR.js is not installed: npm ci --prefix tests/fhir")
    run = subprocess.run(
        [NODE, str(FHIR_JS / "validate.js")],
        input=json.dumps(resources),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    for resource, messages in zip(resources, json.loads(run.stdout), strict=True):
        for message in messages:
            where = f"{resource.get('resourceType')}/{resource.get('id')}"
            if message["severity"] == "info":  # e.g. a value set FHIR.js does not bundle
                continue
            if _EXAMPLE_BINDING in message["location"] and "not found in value set" in message["message"]:
                continue
            problems.append(
                f"FHIR.js: {where}: {message['severity']} at {message['location']}: {message['message']}"
            )
    return problems


def assert_r4(*resources: dict[str, Any]) -> None:
    problems = r4_problems(list(resources))
    assert not problems, "\n".join(problems)
