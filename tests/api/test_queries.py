"""Lists, and submitting a return, take a fixed number of SQL statements however many rows."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from apikit import API, framework_doc
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from api.frameworks import service as frameworks
from api.frameworks.schemas import FrameworkDoc
from api.models import (
    Agency,
    ApiToken,
    AuditEvent,
    Framework,
    FrameworkVersion,
    Membership,
    Partnership,
    PartnershipAgency,
    Programme,
    ProgrammeAgency,
    ProgrammeStatus,
    Requirement,
    Return,
    Role,
    Sector,
    Standard,
    TokenKind,
    User,
)
from api.models.base import utcnow

MORE = 20


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent to the database while the block runs."""
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def _agencies(db: Session, pid: int) -> None:
    for i in range(MORE):
        agency = Agency(name=f"Extra agency {i:02}", sector=Sector.other, owner_partnership_id=pid)
        db.add(agency)
        db.flush()
        assert agency.id is not None
        db.add(PartnershipAgency(partnership_id=pid, agency_id=agency.id))


def _section_11(db: Session) -> int:
    framework = db.exec(select(Framework).where(Framework.key == "section-11")).one()
    version = db.exec(
        select(FrameworkVersion.id).where(FrameworkVersion.framework_id == framework.id)
    ).first()
    assert version is not None
    return version


def _programmes(db: Session, pid: int) -> None:
    agencies = db.exec(
        select(PartnershipAgency.agency_id).where(PartnershipAgency.partnership_id == pid)
    ).all()
    version = _section_11(db)
    for i in range(MORE):
        programme = Programme(
            partnership_id=pid,
            framework_version_id=version,
            title=f"Extra programme {i:02}",
            opens_on=date(2030, 1, 1 + i),
            deadline=date(2030, 3, 1),
        )
        db.add(programme)
        db.flush()
        assert programme.id is not None
        db.add_all(
            ProgrammeAgency(programme_id=programme.id, agency_id=a) for a in agencies[: i % 5 + 1]
        )


def _frameworks(db: Session, pid: int) -> None:
    for i in range(MORE):
        doc = FrameworkDoc.model_validate(
            {
                "key": f"extra-{i:02}",
                "name": f"Extra framework {i:02}",
                "rating_scale": {
                    "name": "s",
                    "levels": [
                        {"code": "a", "label": "A", "colour": "green"},
                        {"code": "b", "label": "B", "colour": "red"},
                    ],
                },
                "standards": [
                    {"code": "1", "title": "T", "requirements": [{"code": "1.1", "text": "x"}]}
                ],
            }
        )
        frameworks.import_document(db, principal=None, partnership_id=pid, doc=doc)


def _users(db: Session, pid: int) -> None:
    for i in range(MORE):
        user = User(
            email=f"extra{i:02}@york.example", name=f"Extra Person {i:02}", password_hash="x"
        )
        db.add(user)
        db.flush()
        assert user.id is not None
        db.add(Membership(user_id=user.id, partnership_id=pid, role=Role.executive))
        db.add(Membership(user_id=user.id, partnership_id=pid, role=Role.panel_member))


def _events(db: Session, pid: int) -> None:
    db.add_all(
        AuditEvent(partnership_id=pid, actor_label="test", action="test.event", entity_type="test")
        for _ in range(MORE)
    )


def _partnerships(db: Session, pid: int) -> None:
    admin = db.exec(select(User).where(User.email == "admin@york.example")).one()
    assert admin.id is not None
    for i in range(MORE):
        partnership = Partnership(slug=f"extra-{i:02}", name=f"Extra partnership {i:02}")
        db.add(partnership)
        db.flush()
        assert partnership.id is not None
        db.add(Membership(user_id=admin.id, partnership_id=partnership.id, role=Role.executive))


def _tokens(db: Session, pid: int) -> None:
    db.add_all(
        ApiToken(
            token_hash=f"{i:064}",
            kind=TokenKind.service,
            name=f"extra {i}",
            partnership_id=pid,
            scopes=["read"],
            expires_at=utcnow(),
        )
        for i in range(MORE)
    )


def _asked(db: Session, pid: int) -> None:
    _agencies(db, pid)
    db.flush()
    programme = db.exec(select(Programme).where(Programme.title.endswith("2026"))).one()  # type: ignore[attr-defined]
    extra = db.exec(select(Agency.id).where(Agency.name.startswith("Extra agency"))).all()  # type: ignore[attr-defined]
    assert programme.id is not None
    db.add_all(ProgrammeAgency(programme_id=programme.id, agency_id=a) for a in extra if a)


LISTS: dict[str, tuple[str, Callable[[Session, int], None]]] = {
    "agencies": ("/partnerships/{pid}/agencies", _agencies),
    "programmes": ("/partnerships/{pid}/programmes", _programmes),
    "frameworks": ("/partnerships/{pid}/frameworks", _frameworks),
    "users": ("/partnerships/{pid}/users", _users),
    "audit events": ("/partnerships/{pid}/audit-events", _events),
    "partnerships": ("/partnerships", _partnerships),
    "service tokens": ("/partnerships/{pid}/service-tokens", _tokens),
    "asked agencies": ("/partnerships/{pid}/programmes/{programme}/agencies", _asked),
}


# Lists the demo already fills past one page are narrowed to the rows the test adds.
FILTERS = {"audit events": {"entity_type": "test"}}


@pytest.mark.parametrize("name", LISTS)
def test_a_list_takes_the_same_statements_for_few_rows_and_many(
    name, client, db, engine, auth, york
):
    path, grow = LISTS[name]
    headers = auth("admin")
    programme = db.exec(select(Programme.id).where(Programme.title.endswith("2026"))).one()  # type: ignore[attr-defined]
    url = API + path.format(pid=york.id, programme=programme)

    def fetch() -> tuple[int, list[str]]:
        with counting(engine) as statements:
            r = client.get(url, headers=headers, params={"limit": 100, **FILTERS.get(name, {})})
        assert r.status_code == 200, r.text
        body = r.json()
        return len(body["items"] if isinstance(body, dict) else body), statements

    fetch()  # warm up anything done once
    few_rows, few = fetch()
    grow(db, york.id)
    db.commit()
    many_rows, many = fetch()

    assert many_rows >= few_rows + MORE // 2  # the second list really is longer
    assert len(few) > 0
    assert len(many) == len(few), "\n".join(many)
    assert len(many) <= 12, "\n".join(many)


def _small_return(db: Session, pid: int, agency_id: int) -> tuple[int, list[int]]:
    """A return of a three-requirement framework for the agency, and its requirement ids."""
    version = frameworks.import_document(
        db, principal=None, partnership_id=pid, doc=FrameworkDoc.model_validate(framework_doc())
    )
    programme = Programme(
        partnership_id=pid, framework_version_id=version.id, title="Small programme",
        opens_on=date(2030, 1, 1), deadline=date(2030, 3, 1), status=ProgrammeStatus.open,
        opened_at=utcnow(),
    )  # fmt: skip
    db.add(programme)
    db.flush()
    assert programme.id is not None
    db.add(ProgrammeAgency(programme_id=programme.id, agency_id=agency_id))
    ret = Return(programme_id=programme.id, agency_id=agency_id)
    db.add(ret)
    db.flush()
    requirements = db.exec(
        select(Requirement.id)
        .join(Standard, col(Standard.id) == Requirement.standard_id)
        .where(Standard.framework_version_id == version.id)
    ).all()
    db.commit()
    assert ret.id is not None
    return ret.id, [r for r in requirements if r is not None]


def test_submitting_takes_the_same_statements_for_few_requirements_and_many(
    client, db, engine, auth, york, housing
):
    small, small_requirements = _small_return(db, york.id, db.get(Return, housing["id"]).agency_id)
    returns = {small: small_requirements, housing["id"]: housing["requirements"]}
    assert len(returns[housing["id"]]) > 10 * len(returns[small])
    editor, approver = auth("editor"), auth("approver")
    client.get(f"{API}/me", headers=approver)  # its first use is noted, not counted below
    counted = []
    for return_id, requirements in returns.items():
        for rid in requirements:
            r = client.put(
                f"{API}/partnerships/{york.id}/returns/{return_id}/responses/{rid}",
                headers={**editor, "If-Match": '"0"'},
                json={"rating": "met", "evidence": "Policy and board minutes"},
            )
            assert r.status_code == 200, r.text
        with counting(engine) as statements:
            r = client.post(
                f"{API}/partnerships/{york.id}/returns/{return_id}/submit",
                headers=approver,
                json={"name": "Ann Approver", "role": "Head of Housing", "declaration": True},
            )
        assert r.status_code == 200, r.text
        counted.append(statements)
    few, many = counted
    assert len(many) == len(few), "\n".join(many)
    # 23 to submit, 9 to tell the business unit (its people, their opt-outs, one insert
    # of every email, in a savepoint), and 1 to find the webhooks that want to hear of it.
    assert len(many) <= 33, "\n".join(many)


def test_challenge_events_and_their_picker_take_the_same_statements_for_few_and_many(
    client, db, engine, auth, york
):
    """More agencies asked (with returns) and more invited: the same statements."""
    headers = auth("admin")
    programme = db.exec(select(Programme).where(Programme.title.endswith("2026"))).one()  # type: ignore[attr-defined]
    chair = db.exec(select(User.id).where(User.email == "scrutineer@york.example")).one()
    p = f"{API}/partnerships/{york.id}/challenge-events"
    r = client.post(p, headers=headers, json={
        "programme_id": programme.id, "title": "Day", "held_on": "2026-10-31",
        "place": "Online", "chair_user_id": chair,
    })  # fmt: skip
    assert r.status_code == 201, r.text
    event_id = r.json()["id"]

    def fetch(url: str) -> tuple[int, list[str]]:
        with counting(engine) as statements:
            r = client.get(url, headers=headers, params={"limit": 100})
        assert r.status_code == 200, r.text
        body = r.json()
        return len(body.get("items") or body.get("sessions") or []), statements

    urls = [f"{p}/{event_id}/candidates", p, f"{p}/{event_id}", f"{p}/{event_id}/report"]
    for url in urls:
        fetch(url)  # warm up
    few = [fetch(url) for url in urls]
    before = len(db.exec(select(Agency)).all())
    _agencies(db, york.id)
    db.flush()
    added = db.exec(select(Agency).order_by(col(Agency.id)).offset(before)).all()
    for agency in added:
        assert agency.id is not None
        db.add(ProgrammeAgency(programme_id=programme.id, agency_id=agency.id))
        db.add(Return(programme_id=programme.id, agency_id=agency.id))
    db.commit()
    for agency in added:
        r = client.post(f"{p}/{event_id}/invitations", headers=headers,
                        json={"agency_id": agency.id, "reason": "Why"})  # fmt: skip
        assert r.status_code == 201, r.text
    many = [fetch(url) for url in urls]
    assert many[0][0] >= few[0][0] + MORE
    for (_, f), (_, m) in zip(few, many, strict=True):
        assert len(m) == len(f), "\n".join(m)
        assert len(m) <= 20, "\n".join(m)  # the report: every session at once


def test_a_challenge_session_reads_in_the_same_statements_however_much_is_scored(
    client, db, engine, auth, york
):
    """The session page's API call: none scored, then every standard by the whole panel."""
    from api.challenge import ratings, sessions
    from api.models import ChallengeEvent, ChallengeSession, PanelMember
    from api.security import Principal

    event = db.exec(select(ChallengeEvent).where(ChallengeEvent.title.endswith("2026"))).one()  # type: ignore[attr-defined]
    target = db.exec(select(ChallengeSession).where(ChallengeSession.event_id == event.id)).first()
    assert target is not None
    url = f"{API}/partnerships/{york.id}/challenge-events/{event.id}/sessions/{target.id}"
    headers = auth("scrutineer")

    def fetch() -> list[str]:
        with counting(engine) as statements:
            r = client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        return statements

    fetch()  # warm up
    few = fetch()
    members = db.exec(select(User).join(PanelMember, col(PanelMember.user_id) == User.id)
                      .where(PanelMember.event_id == event.id)).all()  # fmt: skip
    standards = ratings.standards(db, event.programme_id)
    for member in members:
        scorer = Principal(label=member.name, token_id=None, user_id=member.id)
        for standard in standards:
            assert standard.id is not None
            sessions.score(
                db, principal=scorer, partnership_id=york.id, event=event, target=target,
                standard_id=standard.id, level="met", comment="", expected_version=0,
            )  # fmt: skip
    db.commit()
    many = fetch()
    body = client.get(url, headers=headers).json()
    assert sum(len(s["members"]) for s in body["standards"]) == len(members) * len(standards)
    assert len(many) == len(few), "\n".join(many)
    assert len(many) <= 18, "\n".join(many)
