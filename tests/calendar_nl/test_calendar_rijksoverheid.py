"""Importing the Rijksoverheid open-data school holidays."""

import copy
import json
from datetime import date
from typing import Any

import pytest

from planner.calendar_nl import REGIONS, SchoolHoliday, load_school_holidays, parse_rijksoverheid
from planner.errors import ValidationError


@pytest.fixture(scope="module")
def sample(rijksoverheid_sample: dict[str, Any]) -> dict[str, Any]:
    return rijksoverheid_sample


def _key(h: SchoolHoliday) -> tuple[str, str, str]:
    return (h.school_year, h.name, h.region)


def _region(region: str, start: str, end: str) -> dict[str, str]:
    return {"region": region, "startdate": start, "enddate": end}


def _vacation(
    type_: object = "Herfstvakantie",
    compulsory: object = "false",
    regions: list[Any] | None = None,
) -> dict[str, Any]:
    if regions is None:
        regions = [
            _region("heel Nederland", "2026-10-17T00:00:00.000Z", "2026-10-25T22:59:00.000Z")
        ]
    return {"type": type_, "compulsorydates": compulsory, "regions": regions}


def _document(*vacations: Any, school_year: object = "2026-2027") -> dict[str, Any]:
    return {"content": [{"schoolyear": school_year, "vacations": list(vacations)}]}


# ---- the real samples -------------------------------------------------------------------


def test_list_form_reproduces_the_package_data(sample: dict[str, Any]) -> None:
    parsed = parse_rijksoverheid(sample["list"])
    # The sample is a trimmed answer: only these three holidays of 2026-2027.
    assert {(h.school_year, h.name) for h in parsed} == {
        ("2026-2027", "herfstvakantie"),
        ("2026-2027", "kerstvakantie"),
        ("2026-2027", "voorjaarsvakantie"),
    }
    package = [
        h
        for h in load_school_holidays()
        if (h.school_year, h.name) in {(p.school_year, p.name) for p in parsed}
    ]
    assert parsed == package
    assert len(parsed) == 9


def test_per_year_form_reproduces_the_package_data_except_the_meivakantie_flag(
    sample: dict[str, Any],
) -> None:
    parsed = parse_rijksoverheid(sample["per_year"])
    package = {_key(h): h for h in load_school_holidays() if h.school_year == "2025-2026"}
    assert {_key(h) for h in parsed} == set(package) and len(parsed) == 15
    differing = {_key(h) for h in parsed if h != package[_key(h)]}
    # The Rijksoverheid document marks meivakantie 2025-2026 as not compulsory
    # ("compulsorydates": "false"); the shared data says compulsory (one week is compulsory
    # nationally). Everything else, dates included, agrees.
    assert differing == {("2025-2026", "meivakantie", r) for r in REGIONS}
    for key in differing:
        ours = next(h for h in parsed if _key(h) == key)
        assert ours.compulsory is False
        assert package[key].compulsory is True
        assert (ours.first_day, ours.last_day) == (package[key].first_day, package[key].last_day)
        assert (ours.first_day, ours.last_day) == (date(2026, 4, 25), date(2026, 5, 3))


@pytest.mark.parametrize("form", ["list", "per_year"])
def test_bytes_text_and_objects_parse_alike_and_repeatably(
    sample: dict[str, Any], form: str
) -> None:
    as_object = parse_rijksoverheid(sample[form])
    text = json.dumps(sample[form])
    assert parse_rijksoverheid(text) == as_object
    assert parse_rijksoverheid(text.encode()) == as_object
    assert parse_rijksoverheid(sample[form]) == as_object  # idempotent
    assert as_object == sorted(set(as_object))


def test_documents_of_both_forms_combine(sample: dict[str, Any]) -> None:
    combined = parse_rijksoverheid([*sample["list"], sample["per_year"]])
    assert combined == sorted(
        parse_rijksoverheid(sample["list"]) + parse_rijksoverheid(sample["per_year"])
    )


def test_the_same_school_year_twice_deduplicates(sample: dict[str, Any]) -> None:
    once = parse_rijksoverheid(sample["list"])
    assert parse_rijksoverheid(sample["list"] * 2) == once
    # Regions given both one by one and as "heel Nederland", with the same dates.
    doubled = copy.deepcopy(sample["list"][0])
    kerst = doubled["content"][0]["vacations"][1]
    kerst["regions"].append(
        _region("noord", "2026-12-19T00:00:00.000Z", "2027-01-03T22:59:00.000Z")
    )
    assert parse_rijksoverheid([doubled]) == once


def test_conflicting_entries_are_named(sample: dict[str, Any]) -> None:
    other = copy.deepcopy(sample["list"][0])
    other["content"][0]["vacations"][0]["regions"][0]["enddate"] = "2026-10-19T21:59:00.000Z"
    with pytest.raises(ValidationError) as caught:
        parse_rijksoverheid([sample["list"][0], other])
    assert str(caught.value) == (
        "Conflicting dates for herfstvakantie 2026-2027, region noord: "
        "2026-10-10 to 2026-10-18, advisory (Document 1, school year 2026-2027, vacation 1) and "
        "2026-10-10 to 2026-10-19, advisory (Document 2, school year 2026-2027, vacation 1)."
    )


def test_conflicting_compulsory_flag_is_a_conflict() -> None:
    with pytest.raises(ValidationError, match="Conflicting dates for herfstvakantie"):
        parse_rijksoverheid([_document(_vacation()), _document(_vacation(compulsory="true"))])


# ---- quirks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "type_", ["\n Herfstvakantie \n", "Herfstvakantie", "HERFSTVAKANTIE", "herfstvakantie\t"]
)
def test_type_whitespace_and_case(type_: str) -> None:
    (first, *_) = parse_rijksoverheid(_document(_vacation(type_=type_)))
    assert first.name == "herfstvakantie"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("false", False),
        (" TRUE\n", True),
        ("False", False),
        (True, True),
        (False, False),
    ],
)
def test_compulsorydates_as_text_or_boolean(value: object, expected: bool) -> None:
    parsed = parse_rijksoverheid(_document(_vacation(compulsory=value)))
    assert {h.compulsory for h in parsed} == {expected}


@pytest.mark.parametrize("whole", ["heel Nederland", "Heel  Nederland\n", "HEEL NEDERLAND"])
def test_heel_nederland_means_all_three_regions(whole: str) -> None:
    start, end = "2026-12-19T00:00:00.000Z", "2027-01-03T22:59:00.000Z"
    parsed = parse_rijksoverheid(
        _document(_vacation("Kerstvakantie", "true", [_region(whole, start, end)]))
    )
    assert [h.region for h in parsed] == sorted(REGIONS)
    assert {(h.first_day, h.last_day) for h in parsed} == {(date(2026, 12, 19), date(2027, 1, 3))}


def test_regions_one_by_one_in_any_case() -> None:
    start, end = "2026-10-17T00:00:00.000Z", "2026-10-25T22:59:00.000Z"
    regions = [_region(r, start, end) for r in (" Noord", "MIDDEN", "zuid\n")]
    parsed = parse_rijksoverheid(_document(_vacation(regions=regions)))
    assert [h.region for h in parsed] == sorted(REGIONS)


@pytest.mark.parametrize(
    ("start", "end", "first_day", "last_day"),
    [
        # enddate is 23:59 Amsterdam time on the last free day, written in UTC.
        (
            "2025-10-18T00:00:00.000Z",
            "2025-10-26T22:59:00.000Z",
            date(2025, 10, 18),
            date(2025, 10, 26),
        ),
        (
            "2025-10-11T00:00:00.000Z",
            "2025-10-19T21:59:00.000Z",
            date(2025, 10, 11),
            date(2025, 10, 19),
        ),
        # Local midnight written in UTC is the previous evening in UTC.
        (
            "2025-10-17T22:00:00.000Z",
            "2025-10-26T22:59:00Z",
            date(2025, 10, 18),
            date(2025, 10, 26),
        ),
        # An explicit offset works as well.
        (
            "2025-10-18T00:00:00+02:00",
            "2025-10-26T23:59:00+01:00",
            date(2025, 10, 18),
            date(2025, 10, 26),
        ),
        # 23:00 UTC on the winter-time day is already the next day in Amsterdam.
        (
            "2025-10-18T00:00:00.000Z",
            "2025-10-26T23:00:00.000Z",
            date(2025, 10, 18),
            date(2025, 10, 27),
        ),
    ],
)
def test_utc_instants_become_amsterdam_dates(
    start: str, end: str, first_day: date, last_day: date
) -> None:
    parsed = parse_rijksoverheid(
        _document(
            _vacation(regions=[_region("heel Nederland", start, end)]), school_year="2025-2026"
        )
    )
    assert {(h.first_day, h.last_day) for h in parsed} == {(first_day, last_day)}


def test_summer_holiday_may_end_in_the_next_school_year() -> None:
    summer = _vacation(
        "Zomervakantie",
        "true",
        [_region("heel Nederland", "2027-07-24T00:00:00.000Z", "2027-09-05T21:59:00.000Z")],
    )
    (first, *_) = parse_rijksoverheid(_document(summer))
    assert (first.first_day, first.last_day) == (date(2027, 7, 24), date(2027, 9, 5))


def test_school_year_variants_are_canonical() -> None:
    parsed = parse_rijksoverheid(_document(_vacation(), school_year="2026/27"))
    assert {h.school_year for h in parsed} == {"2026-2027"}


def test_extra_keys_are_ignored() -> None:
    document = _document(_vacation())
    document |= {"id": "x", "type": "schoolvakanties", "canonical": "https://example.org"}
    document["content"][0]["title"] = "Overzicht"
    assert parse_rijksoverheid(document) == parse_rijksoverheid(_document(_vacation()))


# ---- rejections -------------------------------------------------------------------------

WHERE = "Document 1, school year 2026-2027, vacation 1"
WHERE_REGION = f"{WHERE}, region 1"


def _with_region(**fields: object) -> dict[str, Any]:
    region: dict[str, object] = {
        "region": "heel Nederland",
        "startdate": "2026-10-17T00:00:00.000Z",
        "enddate": "2026-10-25T22:59:00.000Z",
    }
    region |= fields
    return _document(_vacation(regions=[{k: v for k, v in region.items() if v is not None}]))


REJECTIONS: list[tuple[str, object, str]] = [
    ("not json bytes", b"{", "Rijksoverheid data is not valid JSON: line 1, column 2."),
    (
        "not json text",
        "schoolvakanties",
        "Rijksoverheid data is not valid JSON: line 1, column 1.",
    ),
    ("not utf-8", b"\xff\xfe\xfd", "Rijksoverheid data is not UTF-8 text (byte 3)."),
    ("scalar", 42, "Rijksoverheid data must be a JSON array of documents or one document object."),
    ("scalar json", "42", "Rijksoverheid data must be a JSON array of documents"),
    ("empty list", [], "Rijksoverheid data contains no school holidays."),
    ("empty content", {"content": []}, "Rijksoverheid data contains no school holidays."),
    ("document not object", [1], "Document 1: expected an object, found a number."),
    ("missing content", {"title": "x"}, "Document 1: missing key 'content'."),
    ("sample wrapper", {"list": [], "per_year": {}}, "Document 1: missing key 'content'."),
    ("content not list", {"content": {}}, "Document 1: 'content' must be a list, found an object."),
    (
        "item not object",
        {"content": [None]},
        "Document 1, content item 1: expected an object, found null.",
    ),
    (
        "missing schoolyear",
        {"content": [{"vacations": []}]},
        "Document 1, content item 1: missing key 'schoolyear'.",
    ),
    (
        "schoolyear number",
        _document(school_year=2026),
        "Document 1, content item 1: 'schoolyear' must be text, found a number.",
    ),
    (
        "schoolyear malformed",
        _document(school_year="2026-2028"),
        "Document 1, content item 1: malformed school year '2026-2028'.",
    ),
    (
        "schoolyear garbage",
        _document(school_year="volgend jaar"),
        "Document 1, content item 1: malformed school year 'volgend jaar'.",
    ),
    (
        "missing vacations",
        {"content": [{"schoolyear": "2026-2027"}]},
        "Document 1, school year 2026-2027: missing key 'vacations'.",
    ),
    (
        "vacation not object",
        _document("Herfstvakantie"),
        f"{WHERE}: expected an object, found text.",
    ),
    (
        "missing type",
        _document({"compulsorydates": "false", "regions": []}),
        f"{WHERE}: missing key 'type'.",
    ),
    (
        "type not text",
        _document(_vacation(type_=["Herfstvakantie"])),
        f"{WHERE}: 'type' must be text, found a list.",
    ),
    (
        "unknown type",
        _document(_vacation(), _vacation(type_="Paasvakantie")),
        "Document 1, school year 2026-2027, vacation 2: unknown holiday type 'Paasvakantie'.",
    ),
    (
        "missing compulsorydates",
        _document({"type": "Herfstvakantie", "regions": []}),
        f"{WHERE}: missing key 'compulsorydates'.",
    ),
    (
        "compulsorydates ja",
        _document(_vacation(compulsory="ja")),
        f"{WHERE}: compulsorydates must be true or false, not 'ja'.",
    ),
    (
        "compulsorydates number",
        _document(_vacation(compulsory=1)),
        f"{WHERE}: compulsorydates must be true or false, not 1.",
    ),
    (
        "missing regions",
        _document({"type": "Herfstvakantie", "compulsorydates": "false"}),
        f"{WHERE}: missing key 'regions'.",
    ),
    (
        "no regions",
        _document(_vacation(regions=[])),
        f"{WHERE}: herfstvakantie has no dates for region(s) noord, midden, zuid.",
    ),
    (
        "region missing",
        _document(
            _vacation(regions=[_region("noord", "2026-10-10T00:00:00Z", "2026-10-18T21:59:00Z")])
        ),
        f"{WHERE}: herfstvakantie has no dates for region(s) midden, zuid.",
    ),
    (
        "unknown region",
        _with_region(region="oost"),
        f"{WHERE_REGION}: unknown region 'oost'; expected noord, midden, zuid or heel Nederland.",
    ),
    ("region missing key", _with_region(region=None), f"{WHERE_REGION}: missing key 'region'."),
    (
        "startdate missing",
        _with_region(startdate=None),
        f"{WHERE_REGION}: missing key 'startdate'.",
    ),
    (
        "startdate not a date",
        _with_region(startdate="17 oktober"),
        f"{WHERE_REGION}: startdate '17 oktober' is not a date and time with a time zone.",
    ),
    (
        "enddate impossible",
        _with_region(enddate="2026-10-32T22:59:00.000Z"),
        f"{WHERE_REGION}: enddate '2026-10-32T22:59:00.000Z' is not a date and time with a time"
        " zone.",
    ),
    (
        "enddate without zone",
        _with_region(enddate="2026-10-25T23:59:00"),
        f"{WHERE_REGION}: enddate '2026-10-25T23:59:00' is not a date and time with a time zone.",
    ),
    (
        "enddate number",
        _with_region(enddate=20261025),
        f"{WHERE_REGION}: 'enddate' must be text, found a number.",
    ),
    (
        "last before first",
        _with_region(startdate="2026-10-17T00:00:00Z", enddate="2026-10-10T21:59:00Z"),
        f"{WHERE_REGION}: last day 2026-10-10 is before first day 2026-10-17.",
    ),
    (
        "first before the school year",
        _with_region(startdate="2026-07-25T00:00:00Z"),
        f"{WHERE_REGION}: 2026-07-25 lies outside school year 2026-2027.",
    ),
    (
        "last after the school year",
        _with_region(enddate="2027-08-01T21:59:00Z"),
        f"{WHERE_REGION}: 2027-08-01 lies outside school year 2026-2027.",
    ),
    (
        "summer ending too late",
        _document(
            _vacation(
                "Zomervakantie",
                "true",
                [_region("heel Nederland", "2027-07-24T00:00:00Z", "2027-10-03T21:59:00Z")],
            )
        ),
        f"{WHERE_REGION}: 2027-10-03 lies outside school year 2026-2027.",
    ),
    (
        "summer starting in the next school year",
        _document(
            _vacation(
                "Zomervakantie",
                "true",
                [_region("heel Nederland", "2027-08-07T00:00:00Z", "2027-09-12T21:59:00Z")],
            )
        ),
        f"{WHERE_REGION}: 2027-08-07 lies outside school year 2026-2027.",
    ),
]


@pytest.mark.parametrize(
    ("payload", "message"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS]
)
def test_rejections_name_the_problem_and_where(payload: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_rijksoverheid(payload)
    assert str(caught.value).startswith(message)
    # The message is a translatable msgid; the details travel as parameters.
    assert caught.value.message % caught.value.params == str(caught.value)


def test_the_unknown_type_message_keeps_the_original_spelling() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_rijksoverheid(_document(_vacation(type_="\n Paasvakantie \n")))
    assert caught.value.message == "%(where)s: unknown holiday type %(type)r."
    assert {key: str(value) for key, value in caught.value.params.items()} == {
        "where": WHERE,
        "type": "\n Paasvakantie \n",
    }


def test_nothing_partial_one_bad_document_rejects_all() -> None:
    good = _document(_vacation())
    bad = _document(_vacation(type_="Paasvakantie"))
    with pytest.raises(ValidationError, match="Document 2"):
        parse_rijksoverheid([good, bad])
