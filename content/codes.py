"""Clinical code systems an item may be tagged with, and the shape each system's codes have.

An item's codes say what it is about in the chart's own terms (a problem, a medication, a lab
test), so an EHR can find it. ``system`` is the FHIR canonical URI of the code system, the
form EHRs send in FHIR and CDS Hooks; Infobutton requests name the same systems by OID. The
check is of shape only (and of the check digit where the system has one): Folio ships no
terminology, so whether a well-formed code exists is the clinic's to know.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CodeSystem:
    uri: str  # FHIR canonical URI, as stored and sent
    name: str  # what people call it
    short: str  # what an editor may type in the desk
    oid: str  # how Infobutton requests name it
    shape: re.Pattern[str]
    example: str
    check: Callable[[str], bool] = lambda _code: True


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _loinc_ok(code: str) -> bool:
    """LOINC's check digit after the hyphen is the mod-10 (Luhn) digit of the number before it."""
    number, _, digit = code.partition("-")
    return _luhn_ok(number + digit)


# Verhoeff's dihedral-group tables: SNOMED CT identifiers end in a Verhoeff check digit.
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def _verhoeff_ok(digits: str) -> bool:
    check = 0
    for i, char in enumerate(reversed(digits)):
        check = _D[check][_P[i % 8][int(char)]]
    return check == 0


def _sctid_ok(code: str) -> bool:
    # The two digits before the check digit are the partition: 00, 01, 02 (short form) or
    # 10, 11, 12 (extension namespace); anything else is not a SNOMED CT identifier.
    return code[-3:-1] in ("00", "01", "02", "10", "11", "12") and _verhoeff_ok(code)


SYSTEMS: tuple[CodeSystem, ...] = (
    CodeSystem(
        "http://hl7.org/fhir/sid/icd-10-cm",
        "ICD-10-CM",
        "icd10cm",
        "2.16.840.1.113883.6.90",
        # A letter, a digit, a letter or digit; then a dot and one to four more (F19.20, T40.991A).
        re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$"),
        "F19.20",
    ),
    CodeSystem(
        "http://snomed.info/sct",
        "SNOMED CT",
        "snomed",
        "2.16.840.1.113883.6.96",
        re.compile(r"^[1-9][0-9]{5,17}$"),
        "73211009",
        _sctid_ok,
    ),
    CodeSystem(
        "http://www.nlm.nih.gov/research/umls/rxnorm",
        "RxNorm",
        "rxnorm",
        "2.16.840.1.113883.6.88",
        re.compile(r"^[1-9][0-9]{0,8}$"),  # an RXCUI
        "6130",
    ),
    CodeSystem(
        "http://loinc.org",
        "LOINC",
        "loinc",
        "2.16.840.1.113883.6.1",
        re.compile(r"^[1-9][0-9]{0,6}-[0-9]$"),
        "2345-7",
        _loinc_ok,
    ),
)
BY_URI = {s.uri: s for s in SYSTEMS}
# What any system's code may hold (model.Code.code says the same): anything else matches nothing.
CODE_TEXT = re.compile(r"^[0-9A-Za-z.\-]{1,40}$")
BY_OID = {s.oid: s for s in SYSTEMS}
BY_SHORT = {s.short: s for s in SYSTEMS}
URIS = tuple(BY_URI)


def problem(system: str, code: str) -> str | None:
    """Why ``code`` is not a code of ``system``, or None when it has that system's shape."""
    found = BY_URI.get(system)
    if found is None:
        return f"{system!r} is not a code system Folio knows; use one of {', '.join(URIS)}"
    if not found.shape.match(code) or not found.check(code):
        return f"{code!r} is not shaped like a code of {found.name} (whose codes look like {found.example})"
    return None


def system_named(text: str) -> CodeSystem | None:
    """A system by its URI, OID, short name or name (any case), as people and EHRs write it."""
    key = text.strip()
    folded = key.lower().replace(" ", "").replace("-", "")
    return (
        BY_URI.get(key)
        or BY_OID.get(key.removeprefix("urn:oid:"))
        or BY_SHORT.get(folded)
        or next((s for s in SYSTEMS if s.name.lower().replace(" ", "").replace("-", "") == folded), None)
    )


def parse_token(text: str, field: str = "code") -> tuple[str | None, str]:
    """A FHIR token search value, ``code`` or ``system|code``, as (system URI or None, code).

    The system may be written as its URI, OID, short name or name.
    """
    from content.errors import InvalidInput

    system_text, bar, code = text.rpartition("|")
    code = code.strip()
    if not code:
        raise InvalidInput(field, "Name a code: CODE or SYSTEM|CODE.")
    if not CODE_TEXT.match(code):
        raise InvalidInput(field, f"{code[:40]!r} is not a code: letters, digits, '.' and '-', at most 40.")
    if not bar or not system_text:
        return None, code
    system = system_named(system_text)
    if system is None:
        known = ", ".join(URIS)
        raise InvalidInput(field, f"{system_text!r} is not a code system Folio knows; use one of {known}")
    return system.uri, code
