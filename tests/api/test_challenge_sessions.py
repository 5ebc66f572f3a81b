"""A session's services on the real database: scoring, closing with an outcome and
follow-ups, reopening; and the demo's challenge day as the seed report tells it."""

from datetime import date

import pytest
from apikit import API, HOUSING, assert_problem, count
from sqlmodel import Session, col, select

from api.challenge import sessions
from api.challenge.sessions import FollowUpIn
from api.models import (
    Agency,
    AuditEvent,
    ChallengeEvent,
    ChallengeSession,
    FollowUp,
    Outcome,
    PanelScore,
    SessionReopening,
    SessionStatus,
    Standard,
    User,
)
from api.problems import Conflict, Forbidden, Invalid, NotFound, PreconditionFailed
from api.security import Principal


def _principal(db: Session, email: str) -> Principal:
    user = db.exec(select(User).where(User.email == email)).one()
    return Principal(label=user.name, token_id=None, user_id=user.id)


def _session_of(db: Session, title: str, agency: str) -> tuple[ChallengeEvent, ChallengeSession]:
    event = db.exec(select(ChallengeEvent).where(ChallengeEvent.title == title)).one()
    found = db.exec(
        select(ChallengeSession)
        .join(Agency, col(Agency.id) == ChallengeSession.agency_id)
        .where(ChallengeSession.event_id == event.id, Agency.name == agency)
    ).one()
    return event, found


PLANNED = "Section 11 challenge day 2026"
HELD = "Section 11 challenge day 2023"


@pytest.fixture
def planned(db: Session) -> tuple[ChallengeEvent, ChallengeSession]:
    return _session_of(db, PLANNED, "Cafcass")


def _standard(db: Session, event: ChallengeEvent, code: str) -> int:
    from api.models import Programme

    programme = db.get(Programme, event.programme_id)
    assert programme is not None
    sid = db.exec(
        select(Standard.id).where(
            Standard.framework_version_id == programme.framework_version_id, Standard.code == code
        )
    ).one()
    assert sid is not None
    return sid


def test_the_demo_holds_yorks_challenge_day_as_the_report_tells_it(db: Session, york) -> None:
    event, housing = _session_of(db, HELD, HOUSING)
    # scored and closed through the services, on the day
    assert housing.closed_at is not None and housing.closed_at.date() == date(2023, 10, 31)
    closes = (AuditEvent.action == "challenge_session.close", AuditEvent.entity_id == housing.id)
    assert count(db, AuditEvent, *closes) == 1
    assert (event.held_on, event.partnership_id) == (date(2023, 10, 31), york.id)
    invited = db.exec(select(ChallengeSession).where(ChallengeSession.event_id == event.id)).all()
    assert len(invited) == 6
    assert (housing.status, housing.outcome) == (SessionStatus.closed, Outcome.assured)
    [report] = db.exec(select(FollowUp).where(FollowUp.session_id == housing.id)).all()
    assert report.description == "Update report to the Executive"
    assert (report.due_on, report.to_executive, str(report.status)) == (
        date(2024, 3, 20), True, "done"
    )  # fmt: skip
    standard_6 = _standard(db, event, "6")
    police = _session_of(db, HELD, "North Yorkshire Police")[1]
    assert police.id is not None
    assert sessions.combined_scores(db, event, police.id)[standard_6] == "partially_met"


def test_a_panel_member_scores_and_the_panel_combines(db: Session, york, planned) -> None:
    event, target = planned
    standard = _standard(db, event, "6")
    levels = {"panel@york.example": "met", "panel.police@york.example": "partially_met"}
    for email, level in levels.items():
        sessions.score(
            db, principal=_principal(db, email), partnership_id=york.id, event=event,
            target=target, standard_id=standard, level=level, comment="", expected_version=0,
        )  # fmt: skip
    assert target.id is not None
    # a split panel of two: the worse of the two middle levels
    assert sessions.combined_scores(db, event, target.id) == {standard: "partially_met"}
    saves = (AuditEvent.action == "panel_score.save", AuditEvent.entity_id == target.id)
    assert count(db, AuditEvent, *saves) == 2


def test_a_second_score_needs_the_version_read(db: Session, york, planned) -> None:
    event, target = planned
    pat = _principal(db, "panel@york.example")
    standard = _standard(db, event, "1")
    first = dict(principal=pat, partnership_id=york.id, event=event, target=target,
                 standard_id=standard, comment="")  # fmt: skip
    sessions.score(db, **first, level="met", expected_version=0)  # type: ignore[arg-type]
    with pytest.raises(PreconditionFailed) as stale:
        sessions.score(db, **first, level="not_met", expected_version=0)  # type: ignore[arg-type]
    assert stale.value.current["level"] == "met"  # type: ignore[index]
    sessions.score(db, **first, level="not_met", expected_version=1)  # type: ignore[arg-type]
    row = db.exec(select(PanelScore).where(PanelScore.session_id == target.id)).one()
    assert (row.level, row.version) == ("not_met", 2)


@pytest.mark.parametrize(
    ("email", "standard", "level", "refusal", "says"),
    [
        ("executive@york.example", "1", "met", Forbidden, "panel members"),
        ("panel@york.example", "1", "excellent", Invalid, "level"),
        ("panel@york.example", None, "met", NotFound, "no such standard"),
    ],
    ids=["not on the panel", "not a level of the scale", "not a standard of the framework"],
)
def test_a_refused_score_changes_nothing(
    db: Session, york, planned, email, standard, level, refusal, says
) -> None:
    event, target = planned
    standard_id = _standard(db, event, standard) if standard else 999_999
    with pytest.raises(refusal) as refused:
        sessions.score(
            db, principal=_principal(db, email), partnership_id=york.id, event=event,
            target=target, standard_id=standard_id, level=level, comment="", expected_version=0,
        )  # fmt: skip
    assert says in str(refused.value.detail) + str(getattr(refused.value, "errors", ""))
    assert count(db, PanelScore, PanelScore.session_id == target.id) == 0


def test_the_chair_closes_with_follow_ups_and_the_scores_lock(db: Session, york, planned) -> None:
    event, target = planned
    chair = _principal(db, "scrutineer@york.example")
    follow_up = FollowUpIn("Send the supervision audit", "Head of Service", event.held_on)
    with pytest.raises(Forbidden):
        sessions.close(db, principal=_principal(db, "panel@york.example"), partnership_id=york.id,
                       event=event, target=target, outcome=Outcome.assured, summary="",
                       follow_ups=[])  # fmt: skip
    too_early = FollowUpIn("Too soon", "Someone", date(2027, 3, 9))
    with pytest.raises(Invalid) as early:
        sessions.close(db, principal=chair, partnership_id=york.id, event=event, target=target,
                       outcome=Outcome.assured, summary="",
                       follow_ups=[follow_up, too_early])  # fmt: skip
    assert [e.field for e in early.value.errors] == ["follow_ups.1.due_on"]
    assert target.status == SessionStatus.open

    made = sessions.close(db, principal=chair, partnership_id=york.id, event=event,
                          target=target, outcome=Outcome.partially_assured,
                          summary="More on supervision, please.",
                          follow_ups=[follow_up])  # fmt: skip
    assert target.status == SessionStatus.closed and target.closed_by_label == chair.label
    assert [f.description for f in made] == ["Send the supervision audit"]
    with pytest.raises(Conflict, match="locked"):
        sessions.score(
            db, principal=_principal(db, "panel@york.example"), partnership_id=york.id,
            event=event, target=target, standard_id=_standard(db, event, "1"), level="met",
            comment="", expected_version=0,
        )  # fmt: skip

    with pytest.raises(Invalid):
        sessions.reopen(db, principal=chair, partnership_id=york.id, event=event, target=target,
                        reason=" ")  # fmt: skip
    sessions.reopen(db, principal=chair, partnership_id=york.id, event=event, target=target,
                    reason="The agency sent its audit after the day.")  # fmt: skip
    assert target.status == SessionStatus.open
    assert count(db, SessionReopening, SessionReopening.session_id == target.id) == 1
    actions = ["challenge_session.close", "challenge_session.reopen"]
    for action in actions:
        assert (
            count(db, AuditEvent, AuditEvent.action == action, AuditEvent.entity_id == target.id)
            == 1
        )


# ---------------------------------------------------------------------------------------
# Through the API


def _url(db: Session, york, title: str, agency: str) -> str:
    event, found = _session_of(db, title, agency)
    return f"{API}/partnerships/{york.id}/challenge-events/{event.id}/sessions/{found.id}"


def test_who_sees_what_of_a_held_session(client, auth, db: Session, york) -> None:
    url = _url(db, york, HELD, HOUSING)

    def read(who: str) -> dict:
        r = client.get(url, headers=auth(who))
        assert r.status_code == 200, r.text
        return r.json()

    panel, executive, editor = read("panel"), read("executive"), read("editor")
    assert panel["outcome"] == editor["outcome"] == "assured"
    assert [f["description"] for f in editor["follow_ups"]] == ["Update report to the Executive"]
    assert editor["follow_ups"][0]["overdue"] is False  # done on the day it was due
    assert editor["standards"] == []  # the agency sees no scores, neither combined nor members'
    assert len(panel["standards"]) == 12 and len(panel["standards"][0]["members"]) == 4
    assert panel["standards"][0]["mine"]["level"] == "met"
    assert {s["combined"] for s in executive["standards"]} == {"met"}
    assert all(s["members"] == [] for s in executive["standards"])  # the panel's, not theirs
    assert [x["code"] for x in panel["scale"]][:1] == ["met"]
    assert panel["allowed"] == []  # closed: nothing left for a member to do
    assert editor["allowed"] == ["update_follow_ups"]
    other = _url(db, york, HELD, "North Yorkshire Police")
    assert_problem(client.get(other, headers=auth("editor")), 404)  # another agency's session


def test_scoring_and_closing_through_the_api(client, auth, db: Session, york, planned) -> None:
    event, target = planned
    url = _url(db, york, PLANNED, "Cafcass")
    standard = _standard(db, event, "6")
    weak = {"level": "partially_met", "comment": "Supervision not audited"}
    first = client.put(f"{url}/scores/{standard}", headers={**auth("panel"), "If-Match": '"0"'},
                       json=weak)  # fmt: skip
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"1"'
    stale = client.put(f"{url}/scores/{standard}", headers={**auth("panel"), "If-Match": '"0"'},
                       json={"level": "met"})  # fmt: skip
    assert assert_problem(stale, 412)["current"]["level"] == "partially_met"
    assert_problem(
        client.put(f"{url}/scores/{standard}", headers={**auth("panel"), "If-Match": '"1"'},
                   json={"level": "excellent"}), 422, field="level",
    )  # fmt: skip

    chair = auth("scrutineer")
    etag = client.get(url, headers=chair).headers["ETag"]
    early = {"description": "Report back", "owner": "Cafcass lead", "due_on": "2027-03-01"}
    body = {"outcome": "partially_assured", "summary": "More on supervision.",
            "follow_ups": [early]}  # fmt: skip
    r = client.post(f"{url}/close", headers={**chair, "If-Match": etag}, json=body)
    assert_problem(r, 422, field="follow_ups.0.due_on")
    assert_problem(client.post(f"{url}/close", headers={**auth("panel"), "If-Match": etag},
                               json={"outcome": "assured"}), 403)  # fmt: skip
    body["follow_ups"] = [{**early, "due_on": "2027-04-30", "to_executive": True}]
    closed = client.post(f"{url}/close", headers={**chair, "If-Match": etag}, json=body)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["outcome"] == "partially_assured"
    assert [f["due_on"] for f in closed.json()["follow_ups"]] == ["2027-04-30"]
    assert_problem(client.post(f"{url}/close", headers={**chair, "If-Match": etag}, json=body), 412)
    locked = client.put(f"{url}/scores/{standard}", headers={**auth("panel"), "If-Match": '"1"'},
                        json={"level": "met"})  # fmt: skip
    assert_problem(locked, 409)

    reopen = {**chair, "If-Match": closed.headers["ETag"]}
    assert_problem(client.post(f"{url}/reopen", headers=reopen, json={"reason": " "}), 422,
                   field="reason")  # fmt: skip
    opened = client.post(f"{url}/reopen", headers=reopen, json={"reason": "New evidence came"})
    assert opened.status_code == 200, opened.text
    assert opened.json()["status"] == "open"
    again = client.put(f"{url}/scores/{standard}", headers={**auth("panel"), "If-Match": '"1"'},
                       json={"level": "met"})  # fmt: skip
    assert again.status_code == 200, again.text
    assert count(db, SessionReopening, SessionReopening.session_id == target.id) == 1


def test_the_session_sets_the_three_ratings_side_by_side(client, auth, db: Session, york) -> None:
    """Triangulation: police self-rated standard 6 met; the panel found it partially met."""
    r = client.get(_url(db, york, HELD, "North Yorkshire Police"), headers=auth("scrutineer"))
    rows = {row["code"]: row for row in r.json()["standards"]}
    assert len(rows) == 12
    six = rows["6"]
    assert (six["self_rating"], six["moderated"], six["combined"], six["disagree"]) == (
        "met", None, "partially_met", True
    )  # fmt: skip
    one = rows["1"]
    assert (one["self_rating"], one["moderated"], one["combined"], one["disagree"]) == (
        "met", "met", "met", False
    )  # fmt: skip


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("scrutineer", ["score", "close", "draft_enquiries", "publish_enquiries",
                        "update_follow_ups"]),
        ("panel", ["score", "draft_enquiries"]),
        ("admin", ["draft_enquiries", "update_follow_ups"]),
        ("executive", []),
    ],
)  # fmt: skip
def test_what_each_may_do_in_an_open_session(client, auth, db, york, who, allowed) -> None:
    r = client.get(_url(db, york, PLANNED, "Cafcass"), headers=auth(who))
    assert r.status_code == 200, r.text
    assert r.json()["allowed"] == allowed


def test_the_event_report_lists_every_session_seen_in_full(client, auth, db: Session, york) -> None:
    event = db.exec(select(ChallengeEvent).where(ChallengeEvent.title == HELD)).one()
    url = f"{API}/partnerships/{york.id}/challenge-events/{event.id}/report"

    def report(who: str) -> dict:
        r = client.get(url, headers=auth(who))
        assert r.status_code == 200, r.text
        return r.json()

    chair, executive, editor = report("scrutineer"), report("executive"), report("editor")
    assert chair["event"]["title"] == HELD and len(chair["sessions"]) == 6
    housing = next(s for s in chair["sessions"] if s["agency_name"] == HOUSING)
    assert housing["outcome"] == "assured" and len(housing["standards"]) == 12
    assert [f["due_on"] for f in housing["follow_ups"]] == ["2024-03-20"]
    police = next(s for s in executive["sessions"] if s["agency_name"] == "North Yorkshire Police")
    six = next(row for row in police["standards"] if row["code"] == "6")
    assert (six["combined"], six["disagree"], six["members"]) == ("partially_met", True, [])
    # the agency reads its own session only, and no scores
    assert [s["agency_name"] for s in editor["sessions"]] == [HOUSING]
    assert editor["sessions"][0]["standards"] == []
    assert [s["agency_name"] for s in editor["event"]["sessions"]] == [HOUSING]


def test_a_session_carries_its_enquiries_drafts_only_for_the_panel(
    client, auth, db: Session, york
) -> None:
    planned = _url(db, york, PLANNED, "Cafcass")
    panel = client.get(planned, headers=auth("panel")).json()["enquiries"]
    assert panel and {e["status"] for e in panel} == {"draft"}  # the 2026 day's drafts
    assert client.get(planned, headers=auth("executive")).json()["enquiries"] == []
    held = client.get(_url(db, york, HELD, HOUSING), headers=auth("editor")).json()["enquiries"]
    assert held and all(e["status"] == "published" and e["answer"] for e in held)


def test_upcoming_events_come_soonest_first_and_held_ones_say_so(client, auth, york) -> None:
    url = f"{API}/partnerships/{york.id}/challenge-events"
    ahead = client.get(url, headers=auth("admin"), params={"upcoming": "true"}).json()["items"]
    assert [e["title"] for e in ahead] == [PLANNED] and ahead[0]["upcoming"] is True
    past = client.get(url, headers=auth("admin"), params={"upcoming": "false"}).json()["items"]
    assert [e["title"] for e in past] == [HELD] and past[0]["upcoming"] is False
