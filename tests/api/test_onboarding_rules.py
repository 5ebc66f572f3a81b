"""Reading an onboarding CSV, without a database: columns, values, repeats."""

import pytest

from api.models import Role, Sector
from api.onboarding.rules import BadFile, Kind, read, role, sector, template


def test_columns_in_any_order_and_case_and_values_in_words():
    rows = read(b"Sector,NAME,Statutory Partner\nLocal Authority,York Council,Yes\n", Kind.agencies)
    [row] = rows
    assert row.line == 2 and not row.problems
    assert row.values == {
        "name": "York Council",
        "sector": "Local Authority",
        "statutory_partner": "Yes",
    }
    assert sector(row.values["sector"]) == Sector.local_authority


def test_roles_by_name_or_label():
    assert role("agency_editor") == role("Agency editor") == Role.agency_editor
    assert role("Independent scrutineer") == role("SCRUTINEER") == Role.scrutineer
    assert role("head teacher") is None


def test_excel_files_are_read_in_either_encoding():
    utf8 = "\ufeffname,sector\nCafé Trust,voluntary\n".encode()
    cp1252 = "name,sector\nCafé Trust,voluntary\n".encode("cp1252")
    assert read(utf8, Kind.agencies)[0].values["name"] == "Café Trust"
    assert read(cp1252, Kind.agencies)[0].values["name"] == "Café Trust"


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"name,colour\nA,red\n", "Unknown column 'colour'"),
        (b"name\nA\n", "'sector'"),
        (b"name,name,sector\nA,B,other\n", "named twice"),
        (b"name,sector\n", "no rows"),
        (b"\x00\x01\x02\xff\xfe", "not text"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(raw, says):
    with pytest.raises(BadFile, match=says):
        read(raw, Kind.agencies)


def test_every_problem_of_every_row_is_named():
    raw = (
        b"name,sector,statutory_partner\n"
        b",police,no\n"  # line 2: no name
        b"Police,constabulary,maybe\n"  # line 3: sector and flag
        b"Housing,housing,\n"  # line 4: fine
        b"\n"  # blank: ignored
        b"HOUSING,housing,no\n"  # line 6: repeats line 4
        b"Extra,other,no,surplus\n"  # line 7: a cell too many
    )
    rows = {r.line: r.problems for r in read(raw, Kind.agencies)}
    assert rows[2] == {"name": "is empty"}
    assert set(rows[3]) == {"sector", "statutory_partner"} and "constabulary" in rows[3]["sector"]
    assert rows[4] == {}
    assert 5 not in rows
    assert rows[6] == {"name": "repeats line 4"}
    assert set(rows[7]) == {"line"}


def test_people_rows_need_an_email_a_role_and_an_agency_for_agency_roles():
    raw = (
        b"name,email,role,agency\n"
        b"Sam,Sam.Editor@Example.org,Agency editor,Housing\n"
        b"Kim,not-an-email,executive,\n"
        b"Lee,lee@example.org,agency_approver,\n"
        b"Ann,ann@example.org,executive,Housing\n"
        b"Sam Editor,sam.editor@example.org,agency_approver,Housing\n"
        b"Sam,sam.editor@example.org,agency_editor,housing\n"
    )
    rows = {r.line: r for r in read(raw, Kind.people)}
    assert not rows[2].problems and rows[2].values["email"] == "sam.editor@example.org"
    assert set(rows[3].problems) == {"email"}
    assert "needed" in rows[4].problems["agency"]
    assert "must be empty" in rows[5].problems["agency"]
    assert rows[6].problems == {"name": "differs from line 2 for the same email"}
    assert rows[7].problems == {"email": "repeats line 2"}


def test_too_many_rows_are_refused():
    raw = b"name,sector\n" + b"".join(b"A%d,other\n" % n for n in range(2_001))
    with pytest.raises(BadFile, match="at most 2,000 rows"):
        read(raw, Kind.agencies)


@pytest.mark.parametrize("kind", list(Kind))
def test_the_template_reads_back_without_problems(kind):
    [row] = read(template(kind).encode(), kind)
    assert row.problems == {}
