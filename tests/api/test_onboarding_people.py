"""Onboarding people from a CSV: a person new to the partnership is invited by email with
every role their rows give (one invitation, however many rows); a person of the
partnership gets the role; what is already there is skipped; all or nothing."""

from apikit import API, HOUSING, assert_problem, count
from sqlmodel import select

from api.models import AuditEvent, Invitation, Membership, OutboxMessage, User

CSV = {"Content-Type": "text/csv"}
PEOPLE_CSV = (
    "name,email,role,agency\n"
    f"Nia New,nia.new@example.org,Agency editor,{HOUSING}\n"
    f"Nia New,nia.new@example.org,agency_approver,{HOUSING.upper()}\n"
    "Pat Panel,pat.panel@example.org,Panel member,\n"
    "Eve Executive,executive@york.example,Independent scrutineer,\n"  # of York: a new role
    "Eve Executive,executive@york.example,executive,\n"  # holds it already
    "North Admin,admin@northyorkshire.example,executive,\n"  # of another partnership only
).encode()


def post(client, headers, pid, content, end=""):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/partnerships/{pid}/onboarding/people{end}",
        headers={**headers, **CSV},
        content=content,
    )


def test_the_preview_weighs_each_row_against_the_partnership(client, auth, db, york):  # type: ignore[no-untyped-def]
    before = count(db, Invitation), count(db, Membership), count(db, OutboxMessage)
    r = post(client, auth("admin"), york.id, PEOPLE_CSV, "/preview")
    assert r.status_code == 200, r.text
    rows = [(row["line"], row["outcome"], row["note"]) for row in r.json()["rows"]]
    assert rows == [
        (2, "invite", f"Invited by email to be agency editor at {HOUSING}."),
        (3, "invite", f"Invited by email to be agency approver at {HOUSING}."),
        (4, "invite", "Invited by email to be panel member."),
        (5, "add_role", "Becomes independent scrutineer too."),
        (6, "skip", "Already executive."),
        # Someone of another partnership is invited like anyone new: nothing is told of them.
        (7, "invite", "Invited by email to be executive."),
    ]
    assert (count(db, Invitation), count(db, Membership), count(db, OutboxMessage)) == before


def test_confirming_invites_each_new_person_once_with_all_their_roles(client, auth, db, york):  # type: ignore[no-untyped-def]
    r = post(client, auth("admin"), york.id, PEOPLE_CSV)
    assert r.status_code == 201, r.text
    nia = db.exec(select(Invitation).where(Invitation.email == "nia.new@example.org")).one()
    assert sorted(role["role"] for role in nia.roles) == ["agency_approver", "agency_editor"]
    emailed = db.exec(
        select(OutboxMessage.recipient).where(OutboxMessage.kind == "invitation")
    ).all()
    assert sorted(emailed) == [
        "admin@northyorkshire.example", "nia.new@example.org", "pat.panel@example.org",
    ]  # fmt: skip
    eve = db.exec(select(User).where(User.email == "executive@york.example")).one()
    held = db.exec(
        select(Membership.role).where(
            Membership.user_id == eve.id, Membership.partnership_id == york.id
        )
    ).all()
    assert sorted(held) == ["executive", "scrutineer"]
    again = post(client, auth("admin"), york.id, PEOPLE_CSV, "/preview").json()
    assert {row["outcome"] for row in again["rows"]} == {"skip"}


def test_a_refused_row_refuses_the_file_and_nothing_is_written(client, auth, db, york):  # type: ignore[no-untyped-def]
    bad = PEOPLE_CSV + b"Sid Nobody,sid@example.org,agency_editor,No Such Agency\n"
    before = count(db, Invitation), count(db, Membership), count(db, AuditEvent)
    preview = post(client, auth("admin"), york.id, bad, "/preview").json()
    assert preview["rows"][-1]["outcome"] == "refused" and not preview["ready"]
    assert "'No Such Agency' is not an agency of the partnership" in preview["rows"][-1]["note"]
    r = post(client, auth("admin"), york.id, bad)
    assert_problem(r, 422, field="rows.8.agency")
    assert (count(db, Invitation), count(db, Membership), count(db, AuditEvent)) == before


def test_a_service_token_may_not_give_roles_it_could_not_act_as(client, db, york, service_token):  # type: ignore[no-untyped-def]
    headers, _ = service_token(["people:write", "people:read"])
    csv = b"name,email,role,agency\nAl Admin,al@example.org,partnership_admin,\n"
    preview = post(client, headers, york.id, csv, "/preview").json()
    [row] = preview["rows"]
    assert row["outcome"] == "refused" and row["problems"] == {
        "role": "is not one you may give (Partnership admin)"
    }
    before = count(db, Invitation)
    assert_problem(post(client, headers, york.id, csv), 422, field="rows.2.role")
    assert count(db, Invitation) == before


def test_another_partnerships_admin_learns_nothing(client, auth, db, york):  # type: ignore[no-untyped-def]
    before = count(db, Invitation)
    for end in ("/preview", ""):
        assert_problem(post(client, auth("north_admin"), york.id, PEOPLE_CSV, end), 404)
    assert count(db, Invitation) == before


def test_people_need_the_right_to_manage_people(client, auth, york, service_token):  # type: ignore[no-untyped-def]
    agencies_only, _ = service_token(["agencies:write"])
    for headers in (auth("editor"), auth("scrutineer"), agencies_only):
        for end in ("/preview", ""):
            assert_problem(post(client, headers, york.id, PEOPLE_CSV, end), 403)
