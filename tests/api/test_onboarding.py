"""Onboarding from a CSV through the API: the preview writes nothing; confirming writes
every row or, if one is refused, none."""

import pytest
from apikit import API, HOUSING, assert_problem
from sqlmodel import col, func, select

from api.models import Agency, AuditEvent

CSV = {"Content-Type": "text/csv"}
AGENCIES = (
    b"name,sector,statutory_partner\n"
    b"York Hospice,voluntary,no\n"
    b"Selby Academy Trust,Education,yes\n"
    + HOUSING.encode() + b",housing,yes\n"
)  # fmt: skip


def url(pid: int, kind: str = "agencies", end: str = "") -> str:
    return f"{API}/partnerships/{pid}/onboarding/{kind}{end}"


def post(client, headers, pid, content, end="", kind="agencies", media=CSV):  # type: ignore[no-untyped-def]
    return client.post(url(pid, kind, end), headers={**headers, **media}, content=content)


def count(db, model) -> int:  # type: ignore[no-untyped-def]
    return db.exec(select(func.count()).select_from(model)).one()


def test_the_preview_says_what_each_row_will_do_and_writes_nothing(client, auth, db, york):  # type: ignore[no-untyped-def]
    before = count(db, Agency), count(db, AuditEvent)
    r = client.post(
        url(york.id, end="/preview"), headers={**auth("admin"), **CSV}, content=AGENCIES
    )
    assert r.status_code == 200, r.text
    plan = r.json()
    assert [(row["line"], row["outcome"]) for row in plan["rows"]] == [
        (2, "create"), (3, "create"), (4, "skip"),
    ]  # fmt: skip
    assert plan["rows"][1]["note"] == "A new education agency (a statutory partner)."
    assert plan["counts"] == {"create": 2, "skip": 1, "refused": 0} and plan["ready"]
    assert (count(db, Agency), count(db, AuditEvent)) == before


def test_confirming_adds_every_new_agency_audited(client, auth, db, york):  # type: ignore[no-untyped-def]
    r = post(client, auth("admin"), york.id, AGENCIES)
    assert r.status_code == 201, r.text
    listed = client.get(f"{API}/partnerships/{york.id}/agencies", headers=auth("admin"),
                        params={"q": "Selby"}).json()["items"]  # fmt: skip
    assert [(a["name"], a["sector"], a["statutory_partner"]) for a in listed] == [
        ("Selby Academy Trust", "education", True)
    ]
    newest = col(AuditEvent.id).desc()
    made = db.exec(select(AuditEvent).where(AuditEvent.action == "agency.create").order_by(newest))
    made = made.all()[:2]
    assert {e.after["name"] for e in made} == {"York Hospice", "Selby Academy Trust"}
    again = client.post(
        url(york.id, end="/preview"), headers={**auth("admin"), **CSV}, content=AGENCIES
    )
    assert [row["outcome"] for row in again.json()["rows"]] == ["skip", "skip", "skip"]


def test_one_refused_row_and_nothing_is_written(client, auth, db, york):  # type: ignore[no-untyped-def]
    before = count(db, Agency), count(db, AuditEvent)
    bad = AGENCIES + b"Police,constabulary,no\n"
    preview = client.post(
        url(york.id, end="/preview"), headers={**auth("admin"), **CSV}, content=bad
    )
    assert preview.status_code == 200 and not preview.json()["ready"]
    refused = preview.json()["rows"][3]
    assert refused["outcome"] == "refused" and "constabulary" in refused["note"]
    r = post(client, auth("admin"), york.id, bad)
    assert_problem(r, 422, field="rows.5.sector")
    assert "nothing was added" in r.json()["detail"]
    assert (count(db, Agency), count(db, AuditEvent)) == before


@pytest.mark.parametrize(
    ("content", "headers", "status", "field"),
    [
        (b"name,colour\nA,red\n", CSV, 422, "file"),
        (b"", CSV, 422, "file"),
        (b"\x00\xff\xfe\x00", CSV, 422, "file"),
        (b'{"name": "A"}', {"Content-Type": "application/json"}, 415, None),
        (b"name,sector\n" + b"x" * 1_000_001, CSV, 413, None),
    ],
)
def test_a_malformed_file_is_refused_clearly(
    client, auth, db, york, content, headers, status, field
):  # type: ignore[no-untyped-def]
    before = count(db, Agency)
    for end in ("/preview", ""):
        r = client.post(
            url(york.id, end=end), headers={**auth("admin"), **headers}, content=content
        )
        assert_problem(r, status, field=field)
    assert count(db, Agency) == before


def test_the_template_is_a_csv_to_fill_in(client, auth, york):  # type: ignore[no-untyped-def]
    r = client.get(url(york.id, end="/template"), headers=auth("admin"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines()[0] == "name,sector,statutory_partner"


def test_an_unknown_kind_is_422(client, auth, york):  # type: ignore[no-untyped-def]
    r = client.post(
        url(york.id, kind="widgets", end="/preview"),
        headers={**auth("admin"), **CSV},
        content=AGENCIES,
    )
    assert_problem(r, 422, field="kind")


def test_only_who_manages_agencies_may_and_no_one_from_another_partnership(
    client, auth, db, york, north
):  # type: ignore[no-untyped-def]
    assert post(client, auth("editor"), york.id, AGENCIES, end="/preview").status_code == 403
    before = count(db, Agency)
    for end in ("/preview", ""):
        r = client.post(
            url(york.id, end=end), headers={**auth("north_admin"), **CSV}, content=AGENCIES
        )
        assert_problem(r, 404)
    assert count(db, Agency) == before
