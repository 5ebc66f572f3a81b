"""Reading an onboarding CSV: its columns, each row's values and what is wrong with them on
their own. No database here: what the partnership already holds is weighed in service.py.
"""

import csv
import io
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import EmailStr, TypeAdapter, ValidationError

from api.models import Role, Sector

MAX_BYTES = 1_000_000
MAX_ROWS = 2_000
MAX_NAME = 200


class Kind(StrEnum):
    agencies = "agencies"
    people = "people"


# Each kind's columns, the required ones first; a header may name them in any order and case.
COLUMNS = {
    Kind.agencies: ("name", "sector", "statutory_partner"),
    Kind.people: ("name", "email", "role", "agency"),
}
REQUIRED = {Kind.agencies: {"name", "sector"}, Kind.people: {"name", "email", "role"}}
EXAMPLES = {
    Kind.agencies: ("Example Housing Trust", "housing", "yes"),
    Kind.people: ("Sam Editor", "sam.editor@example.org", "agency_editor", "Example Housing Trust"),
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


class BadFile(ValueError):
    """The file as a whole cannot be read (not text, no header, unknown columns, too long)."""


@dataclass
class Row:
    line: int  # as a spreadsheet numbers it: the header is line 1
    values: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)  # column: what is wrong


def _words(text: str) -> str:
    """`Local authority`, `local_authority` and `LOCAL-AUTHORITY` alike."""
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


SECTORS = {_words(s.value): s for s in Sector}
ROLES = {_words(r.value): r for r in Role} | {_words(r.label): r for r in Role}
EMAIL = TypeAdapter(EmailStr)


def sector(text: str) -> Sector | None:
    return SECTORS.get(_words(text))


def role(text: str) -> Role | None:
    return ROLES.get(_words(text))


def _decode(raw: bytes) -> str:
    # Spreadsheets save UTF-8 with a byte order mark, or Windows-1252 on older Excel.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise BadFile("The file is not text: save the spreadsheet as CSV (comma delimited).")


def read(raw: bytes, kind: Kind) -> list[Row]:
    """Every non-blank row, its values by column, and what is wrong with each on its own."""
    if len(raw) > MAX_BYTES:
        raise BadFile(f"The file may be at most {MAX_BYTES:,} bytes.")
    try:
        table = list(csv.reader(io.StringIO(_decode(raw), newline="")))
    except csv.Error as exc:
        raise BadFile(f"The file is not a CSV file the service can read ({exc}).") from exc
    lines = [(n, cells) for n, cells in enumerate(table, start=1) if any(c.strip() for c in cells)]
    if not lines:
        raise BadFile("The file is empty: its first line names the columns.")
    (_, header), body = lines[0], lines[1:]
    columns = [_words(c).replace(" ", "_") for c in header]
    unknown = [c for c in columns if c not in COLUMNS[kind]]
    if unknown:
        raise BadFile(f"Unknown column {unknown[0]!r}: the columns are {', '.join(COLUMNS[kind])}.")
    missing = sorted(REQUIRED[kind] - set(columns))
    if missing:
        raise BadFile(f"The first line must name the column {missing[0]!r}.")
    if len(set(columns)) < len(columns):
        raise BadFile("A column is named twice in the first line.")
    if not body:
        raise BadFile("The file has no rows under its first line.")
    if len(body) > MAX_ROWS:
        raise BadFile(f"A file may have at most {MAX_ROWS:,} rows; split it.")
    rows = []
    for line, cells in body:
        values = {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns)}
        row = Row(line=line, values={c: values.get(c, "") for c in COLUMNS[kind]})
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            row.problems["line"] = "has more cells than the first line has columns"
        (_check_agency if kind == Kind.agencies else _check_person)(row)
        rows.append(row)
    _mark_repeats(rows, kind)
    return rows


def _check_name(row: Row) -> None:
    name = row.values["name"]
    if not name:
        row.problems["name"] = "is empty"
    elif len(name) > MAX_NAME:
        row.problems["name"] = f"is longer than {MAX_NAME} characters"


def _check_agency(row: Row) -> None:
    _check_name(row)
    if sector(row.values["sector"]) is None:
        row.problems["sector"] = (
            f"{row.values['sector']!r} is not a sector: one of {', '.join(s.value for s in Sector)}"
            if row.values["sector"]
            else "is empty"
        )
    if row.values["statutory_partner"].lower() not in YES | NO:
        row.problems["statutory_partner"] = "must be yes or no (empty: no)"


def _check_person(row: Row) -> None:
    _check_name(row)
    email = row.values["email"]
    try:
        row.values["email"] = EMAIL.validate_python(email).strip().lower()
    except ValidationError:
        row.problems["email"] = f"{email!r} is not an email address" if email else "is empty"
    given = role(row.values["role"])
    if given is None:
        row.problems["role"] = (
            f"{row.values['role']!r} is not a role: one of {', '.join(r.value for r in Role)}"
            if row.values["role"]
            else "is empty"
        )
    elif given.is_agency_role and not row.values["agency"]:
        row.problems["agency"] = f"is needed for the role {given.label}"
    elif not given.is_agency_role and row.values["agency"]:
        row.problems["agency"] = f"must be empty: {given.label} is not an agency role"


def _mark_repeats(rows: list[Row], kind: Kind) -> None:
    """A row that says again what an earlier row says is refused, naming that row."""
    seen: dict[tuple[str, ...], int] = {}
    for row in rows:
        v = row.values
        key: tuple[str, ...] = (v["name"].lower(),)
        column = "name"
        if kind == Kind.people:
            key, column = (v["email"], _words(v["role"]), v["agency"].lower()), "email"
        if not key[0]:
            continue
        if key in seen:
            row.problems.setdefault(column, f"repeats line {seen[key]}")
        else:
            seen[key] = row.line
    if kind == Kind.people:
        names: dict[str, tuple[str, int]] = {}
        for row in rows:
            email, name = row.values["email"], row.values["name"]
            if email in names and names[email][0] != name and "email" not in row.problems:
                row.problems["name"] = f"differs from line {names[email][1]} for the same email"
            names.setdefault(email, (name, row.line))


def template(kind: Kind) -> str:
    """A CSV with the columns and one example row, to fill in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS[kind])
    writer.writerow(EXAMPLES[kind])
    return out.getvalue()
