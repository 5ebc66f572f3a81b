"""Onboarding from a CSV: what each row would do against what the partnership holds (the
preview), and doing it all, or nothing if any row is refused."""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.agencies import service as agencies
from api.agencies.schemas import AgencyCreate
from api.invitations import service as invitations
from api.invitations.schemas import InvitationCreate
from api.models import Agency, Membership, Partnership, PartnershipAgency, Role, User
from api.onboarding import rules
from api.onboarding.rules import Kind, Row
from api.people import service as people
from api.people.schemas import GrantIn
from api.permissions import may_grant
from api.problems import FieldProblem, Invalid
from api.security import Principal


class RowOutcome(StrEnum):
    create = "create"  # a new agency
    invite = "invite"  # a person new to the partnership: invited by email with these roles
    add_role = "add_role"  # a person of the partnership: given one more role
    skip = "skip"  # already there (or already invited): nothing to do
    refused = "refused"


# What a row of each kind may come to.
OUTCOMES = {
    Kind.agencies: (RowOutcome.create, RowOutcome.skip, RowOutcome.refused),
    Kind.people: (RowOutcome.invite, RowOutcome.add_role, RowOutcome.skip, RowOutcome.refused),
}


@dataclass
class Planned:
    row: Row
    outcome: RowOutcome
    note: str


def _refused(row: Row) -> Planned:
    why = "; ".join(f"{column} {message}" for column, message in row.problems.items())
    return Planned(row, RowOutcome.refused, why)


def _agency_names(session: Session, partnership_id: int) -> set[str]:
    return set(
        session.exec(
            select(func.lower(Agency.name))
            .join(PartnershipAgency, col(PartnershipAgency.agency_id) == Agency.id)
            .where(PartnershipAgency.partnership_id == partnership_id)
        ).all()
    )


def _plan_agencies(session: Session, partnership_id: int, rows: list[Row]) -> list[Planned]:
    held = _agency_names(session, partnership_id)
    planned = []
    for row in rows:
        if row.problems:
            planned.append(_refused(row))
        elif row.values["name"].lower() in held:
            planned.append(Planned(row, RowOutcome.skip, "Already an agency of the partnership."))
        else:
            sector = rules.sector(row.values["sector"])
            assert sector is not None
            partner = " (a statutory partner)" if _yes(row.values["statutory_partner"]) else ""
            planned.append(
                Planned(row, RowOutcome.create, f"A new {sector.value} agency{partner}.")
            )
    return planned


def _yes(text: str) -> bool:
    return text.lower() in rules.YES


@dataclass
class _Held:
    """What the partnership holds that people rows are weighed against."""

    agencies: dict[str, tuple[int, str]]  # lower-case name: id, name
    members: dict[str, User]  # email: a person holding a role here
    roles: set[tuple[str, Role, int | None]]  # email, role, agency held here
    invited: set[str]  # emails with a pending invitation here


def _held(session: Session, partnership_id: int, emails: set[str]) -> _Held:
    agency_rows = session.exec(
        select(Agency.id, Agency.name)
        .join(PartnershipAgency, col(PartnershipAgency.agency_id) == Agency.id)
        .where(PartnershipAgency.partnership_id == partnership_id)
    ).all()
    memberships = session.exec(
        select(User, Membership)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.partnership_id == partnership_id, col(User.email).in_(emails))
    ).all()
    return _Held(
        agencies={name.lower(): (i, name) for i, name in agency_rows if i is not None},
        members={user.email: user for user, _ in memberships},
        roles={(user.email, m.role, m.agency_id) for user, m in memberships},
        invited=invitations.pending_emails(session, partnership_id=partnership_id, emails=emails),
    )


def _grant(row: Row, held: _Held) -> GrantIn | None:
    """The row's role and agency, or None with the problem noted on the row."""
    role = rules.role(row.values["role"])
    assert role is not None
    agency_id = None
    if role.is_agency_role:
        found = held.agencies.get(row.values["agency"].lower())
        if found is None:
            row.problems["agency"] = f"{row.values['agency']!r} is not an agency of the partnership"
            return None
        agency_id = found[0]
    return GrantIn(role=role, agency_id=agency_id)


def _plan_people(
    session: Session, principal: Principal, partnership_id: int, rows: list[Row]
) -> list[Planned]:
    held = _held(session, partnership_id, {r.values["email"] for r in rows if not r.problems})
    planned = []
    for row in rows:
        grant = None if row.problems else _grant(row, held)
        if grant is not None and not may_grant(principal, partnership_id, grant.role):
            row.problems["role"] = f"is not one you may give ({grant.role.label})"
        if row.problems or grant is None:
            planned.append(_refused(row))
            continue
        email, where = row.values["email"], _where(grant, held)
        if (email, grant.role, grant.agency_id) in held.roles:
            planned.append(Planned(row, RowOutcome.skip, f"Already {where}."))
        elif email in held.members:
            planned.append(Planned(row, RowOutcome.add_role, f"Becomes {where} too."))
        elif email in held.invited:
            planned.append(Planned(row, RowOutcome.skip, "Already invited; the invitation waits."))
        else:
            planned.append(Planned(row, RowOutcome.invite, f"Invited by email to be {where}."))
    return planned


def _where(grant: GrantIn, held: _Held) -> str:
    label = grant.role.label.lower()
    if grant.agency_id is None:
        return f"{label}"
    name = next(n for i, n in held.agencies.values() if i == grant.agency_id)
    return f"{label} at {name}"


def _do_people(
    session: Session, principal: Principal, partnership_id: int, planned: list[Planned]
) -> None:
    held = _held(session, partnership_id, {p.row.values["email"] for p in planned})
    invites: dict[str, InvitationCreate] = {}
    for p in planned:
        if p.outcome not in (RowOutcome.invite, RowOutcome.add_role):
            continue
        grant = _grant(p.row, held)
        assert grant is not None
        email = p.row.values["email"]
        if p.outcome == RowOutcome.add_role:
            people.add_role(
                session,
                principal=principal,
                partnership_id=partnership_id,
                user=held.members[email],
                grant=grant,
            )
        elif email in invites:
            invites[email].roles.append(grant)
        else:
            invites[email] = InvitationCreate(email=email, name=p.row.values["name"], roles=[grant])
    for data in invites.values():
        invitations.invite(session, principal=principal, partnership_id=partnership_id, data=data)


def plan(
    session: Session, *, principal: Principal, partnership_id: int, kind: Kind, raw: bytes
) -> list[Planned]:
    """What each row of the file would do; raises Invalid if the file cannot be read."""
    try:
        rows = rules.read(raw, kind)
    except rules.BadFile as exc:
        raise Invalid({"file": str(exc)}) from exc
    if kind == Kind.people:
        return _plan_people(session, principal, partnership_id, rows)
    return _plan_agencies(session, partnership_id, rows)


def apply(
    session: Session, *, principal: Principal, partnership_id: int, kind: Kind, raw: bytes
) -> list[Planned]:
    """Do what the preview says, every row or, if any is refused, none (Invalid names them).

    The partnership's row is locked first, so two files confirmed at once are planned one
    after the other (PostgreSQL; SQLite's write lock does it already) and the second finds
    what the first added already there.
    """
    session.exec(
        select(Partnership.id).where(Partnership.id == partnership_id).with_for_update()
    ).one()
    planned = plan(session, principal=principal, partnership_id=partnership_id, kind=kind, raw=raw)
    refused = [
        FieldProblem(field=f"rows.{p.row.line}.{column}", message=message, type="invalid")
        for p in planned
        if p.outcome == RowOutcome.refused
        for column, message in p.row.problems.items()
    ]
    if refused:
        raise Invalid(
            refused,
            detail=f"{len({p.row.line for p in planned if p.outcome == RowOutcome.refused})} "
            "rows are refused, so nothing was added: correct them and send the file again.",
        )
    if kind == Kind.people:
        _do_people(session, principal, partnership_id, planned)
        return planned
    for p in planned:
        if p.outcome == RowOutcome.create:
            sector = rules.sector(p.row.values["sector"])
            assert sector is not None
            data = AgencyCreate(
                name=p.row.values["name"],
                sector=sector,
                statutory_partner=_yes(p.row.values["statutory_partner"]),
            )
            agencies.create(session, principal=principal, partnership_id=partnership_id, data=data)
    return planned
