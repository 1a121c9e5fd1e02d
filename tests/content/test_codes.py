"""Clinical codes: each system's shape and check digit, in library files, versions and look-ups."""

from __future__ import annotations

from pathlib import Path

import pytest

from content import codes, model
from content.errors import InvalidInput, LibraryError
from content.library import load_library
from content.store import Store

RXNORM, SNOMED, LOINC, ICD = (codes.BY_SHORT[n].uri for n in ("rxnorm", "snomed", "loinc", "icd10cm"))


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (RXNORM, "6130"),
        (SNOMED, "73211009"),  # diabetes mellitus
        (SNOMED, "38341003"),  # hypertensive disorder
        (LOINC, "2345-7"),  # glucose
        (LOINC, "8867-4"),  # heart rate
        (ICD, "F19.20"),
        (ICD, "T40.991A"),
        (ICD, "F32"),
    ],
)
def test_well_formed_codes_pass(system: str, code: str) -> None:
    assert codes.problem(system, code) is None


@pytest.mark.parametrize(
    ("system", "code", "says"),
    [
        (RXNORM, "ketamine", "RxNorm"),
        (RXNORM, "0613", "RxNorm"),
        (SNOMED, "73211008", "SNOMED CT"),  # wrong Verhoeff check digit
        (SNOMED, "12345", "SNOMED CT"),  # too short
        (LOINC, "2345-6", "LOINC"),  # wrong mod-10 check digit
        (LOINC, "2345", "LOINC"),
        (ICD, "f19.20", "ICD-10-CM"),
        (ICD, "F19.20000", "ICD-10-CM"),
        ("http://example.org/codes", "1", "not a code system Folio knows"),
    ],
)
def test_malformed_codes_are_named(system: str, code: str, says: str) -> None:
    why = codes.problem(system, code)
    assert why is not None and says in why


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6130", (None, "6130")),
        ("http://www.nlm.nih.gov/research/umls/rxnorm|6130", (RXNORM, "6130")),
        ("rxnorm|6130", (RXNORM, "6130")),
        ("2.16.840.1.113883.6.88|6130", (RXNORM, "6130")),
        ("urn:oid:2.16.840.1.113883.6.96|73211009", (SNOMED, "73211009")),
        ("ICD-10-CM|F19.20", (ICD, "F19.20")),
    ],
)
def test_token_search_values(text: str, expected: tuple[str | None, str]) -> None:
    assert codes.parse_token(text) == expected


def test_unknown_system_in_a_token_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not a code system"):
        codes.parse_token("cpt|99213")


def test_sample_library_carries_ketamine_and_nothing_else() -> None:
    """Every item, in every locale, is RxNorm 6130 (ketamine); diagnoses are the clinic's to add."""
    library = load_library()
    assert {item.locale for item in library.items} == {"en", "es"}
    for item in library.items:
        assert [(c.system, c.code, c.display) for c in item.codes] == [(RXNORM, "6130", "ketamine")]


def test_a_bad_code_in_front_matter_names_file_and_field(library: Path) -> None:
    path = library / "articles" / "ketamine-withdrawal.md"
    path.write_text(path.read_text().replace('code: "6130"', 'code: "61-30"'))
    with pytest.raises(LibraryError) as caught:
        load_library(library)
    found = caught.value.problems
    assert any("ketamine-withdrawal.md: $.codes[0].code" in p and "RxNorm" in p for p in found)


def test_a_repeated_code_is_refused(library: Path) -> None:
    path = library / "faqs" / "ketamine-addiction-faq.yaml"
    line = '  - {system: http://www.nlm.nih.gov/research/umls/rxnorm, code: "6130", display: ketamine}\n'
    path.write_text(path.read_text().replace(line, line * 2))
    with pytest.raises(LibraryError, match=r"\$\.codes\[1\]"):
        load_library(library)


@pytest.mark.anyio
async def test_codes_are_versioned_and_found_by_code(store: Store, library: Path) -> None:
    await store.sync(load_library(library).items, author="library")
    page = await store.list_items("article", limit=10, code=(RXNORM, "6130"))
    assert [s.slug for s in page.items] == ["is-ketamine-therapy-addictive", "ketamine-withdrawal"]
    assert (await store.list_items("article", limit=10, code=(None, "6130"))).items == page.items
    assert (await store.list_items("article", limit=10, code=(SNOMED, "6130"))).items == []
    # A new version without the code is no longer found; its version 1 still carries it.
    path = library / "articles" / "ketamine-withdrawal.md"
    coded = f'codes:\n  - {{system: {RXNORM}, code: "6130", display: ketamine}}\n'
    path.write_text(path.read_text().replace(coded, "codes: []\n"))
    await store.sync(load_library(library).items, author="library")
    page = await store.list_items("article", limit=10, code=(RXNORM, "6130"))
    assert [s.slug for s in page.items] == ["is-ketamine-therapy-addictive"]
    assert (await store.get("article", "ketamine-withdrawal", 1)).content.codes[0].code == "6130"
    assert (await store.get("article", "ketamine-withdrawal", 2)).content.codes == []


def test_a_code_change_shows_in_the_diff() -> None:
    from msgspec.structs import replace

    from content.diff import diff_items

    item = next(i for i in load_library().items if i.kind == "faq" and i.locale == "en")
    loinc = model.Code(system=LOINC, code="2345-7", display="Glucose")
    diff = diff_items(item, replace(item, codes=[*item.codes, loinc]), 1, 2)
    (change,) = diff.fields
    assert change.field == "codes" and change.after[-1] == {
        "system": LOINC,
        "code": "2345-7",
        "display": "Glucose",
    }
