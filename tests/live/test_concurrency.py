"""Writes made at the same moment, against the real server: never a 5xx, exactly one winner.

Each race fires its requests together from threads released by one barrier, each on its own
kept-alive connection, so that the server handles them on separate database connections at
once, as when two people save the same answer (item 5 of issue 8: on SQLite such races gave
200 + 500, and on PostgreSQL losing 412s came without `current`).
"""

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from conftest import MAX_FAILURES, Live
from sqlalchemy import func
from sqlmodel import Session, col, select

from api.models import Agency, AgencyOffer, ApiToken, Requirement, SignInFailure, Standard, User
from api.returns.service import rating_codes

API = "/api/v1"
PASSWORD = "assure-demo-2023"
WRITERS = 8  # requests per race
ANSWER_RACES = 20  # on 10 requirements: each first answered in a race, then changed in one
SIGN_IN_RACES = 3

Request = Callable[[httpx.Client], httpx.Response]


@pytest.fixture(scope="module")
def clients(live: Live) -> Iterator[list[httpx.Client]]:
    """One client per writer, each with its connection already open."""
    opened = [httpx.Client(base_url=live.base, timeout=120) for _ in range(WRITERS)]
    for c in opened:
        c.get("/healthz").raise_for_status()
    yield opened
    for c in opened:
        c.close()


def race(clients: list[httpx.Client], requests: list[Request]) -> list[httpx.Response]:
    """Send every request at the same moment, each on its own connection."""
    start = threading.Barrier(len(requests))

    def send(i: int) -> httpx.Response:
        start.wait()
        return requests[i](clients[i])

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, range(len(requests))))


def sign_in(email: str, password: str = PASSWORD) -> Request:
    return lambda c: c.post(f"{API}/auth/token", data={"username": email, "password": password})


def bearer(c: httpx.Client, email: str) -> dict[str, str]:
    reply = sign_in(email)(c)
    reply.raise_for_status()
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def open_return(c: httpx.Client, editor: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The path and body of a return the editor may answer now."""
    york = c.get(f"{API}/me", headers=editor).json()["partnerships"][0]["id"]
    listed = c.get(f"{API}/partnerships/{york}/returns?limit=100", headers=editor).json()
    for item in listed["items"]:
        path = f"{API}/partnerships/{york}/returns/{item['id']}"
        body = c.get(path, headers=editor).json()
        if body["editable"] and body["may_answer"]:
            return path, body
    raise AssertionError("the demo has no return the editor may answer")


def unanswered(live: Live, ret: dict[str, Any], count: int) -> list[int]:
    answered = {r["requirement_id"] for r in ret["responses"]}
    with Session(live.engine) as s:
        ids = s.exec(
            select(Requirement.id)
            .join(Standard, col(Standard.id) == Requirement.standard_id)
            .where(Standard.framework_version_id == ret["framework_version"]["id"])
            .order_by(col(Requirement.id))
        ).all()
    free = [i for i in ids if i is not None and i not in answered]
    assert len(free) >= count
    return free[:count]


def one_winner(replies: list[httpx.Response], version: int, field: str) -> dict[str, Any]:
    """The one 200 of a race made against `version`; every other reply is 412 and shows the
    record as the winner left it."""
    assert all(r.status_code < 500 for r in replies), [r.text for r in replies]
    winners = [r.json() for r in replies if r.status_code == 200]
    assert len(winners) == 1, [r.status_code for r in replies]
    [won] = winners
    assert won["version"] == version + 1
    for lost in (r for r in replies if r.status_code != 200):
        assert lost.status_code == 412, lost.text
        current = lost.json()["current"]
        assert (current[field], current["version"]) == (won[field], version + 1)
    return won


def put(path: str, headers: dict[str, str], version: int, **body: str) -> Request:
    return lambda c: c.put(path, json=body, headers={**headers, "If-Match": f'"{version}"'})


def saves_audited(c: httpx.Client, path: str, ret: dict[str, Any]) -> int:
    """How many answer saves the return's audit log holds."""
    admin = bearer(c, "admin@york.example")
    york = path.split("/")[4]
    events = c.get(
        f"{API}/partnerships/{york}/audit-events",
        params={"action": "response.save", "entity_id": ret["id"], "limit": 1},
        headers=admin,
    ).json()
    return int(events["total"])


def test_first_answers_to_different_requirements_all_start_the_return_once(
    live: Live, clients: list[httpx.Client]
) -> None:
    """Two editors starting a return at the same moment both save: the return starts once."""
    c = clients[0]
    editor = bearer(c, "editor@york.example")
    path, ret = open_return(c, editor)
    assert ret["status"] == "not_started"  # Housing's 2026 return, in the demo
    requirements = unanswered(live, ret, WRITERS)
    saves = [
        put(f"{path}/responses/{rid}", editor, 0, evidence=f"first {w}")
        for w, rid in enumerate(requirements)
    ]
    replies = race(clients, saves)
    assert [r.status_code for r in replies] == [200] * WRITERS, [r.text for r in replies]
    after = c.get(path, headers=editor).json()
    assert after["status"] == "in_progress" and len(after["responses"]) == WRITERS


def test_concurrent_saves_of_one_answer_have_one_winner_and_no_5xx(
    live: Live, clients: list[httpx.Client]
) -> None:
    c = clients[0]
    editor = bearer(c, "editor@york.example")
    path, ret = open_return(c, editor)
    requirements = unanswered(live, ret, ANSWER_RACES // 2)
    audited_before = saves_audited(c, path, ret)
    seen: Counter[int] = Counter()
    for n in range(ANSWER_RACES):
        requirement_id = requirements[n // 2]
        version = n % 2  # "0": nobody has answered it yet; "1": change the first answer
        answer = f"{path}/responses/{requirement_id}"
        saves = [put(answer, editor, version, evidence=f"race {n}, {w}") for w in range(WRITERS)]
        replies = race(clients, saves)
        seen.update(r.status_code for r in replies)
        won = one_winner(replies, version, "evidence")
        stored = {r["requirement_id"]: r for r in c.get(path, headers=editor).json()["responses"]}[
            requirement_id
        ]
        assert (stored["evidence"], stored["version"]) == (won["evidence"], version + 1)
    assert seen == {200: ANSWER_RACES, 412: ANSWER_RACES * (WRITERS - 1)}

    assert saves_audited(c, path, ret) - audited_before == ANSWER_RACES  # none for losers


def test_concurrent_moderations_of_one_requirement_have_one_winner(
    live: Live, clients: list[httpx.Client]
) -> None:
    c = clients[0]
    admin = bearer(c, "admin@york.example")
    york = c.get(f"{API}/me", headers=admin).json()["partnerships"][0]["id"]
    listed = c.get(
        f"{API}/partnerships/{york}/returns", params={"status": "submitted"}, headers=admin
    ).json()
    path = f"{API}/partnerships/{york}/returns/{listed['items'][0]['id']}"
    ret = c.get(path, headers=admin).json()
    assert ret["status"] == "submitted" and ret["may_review"]
    with Session(live.engine) as s:
        rating = rating_codes(s, ret["framework_version"]["id"])[0]
    [requirement_id] = unanswered(live, {**ret, "responses": []}, 1)
    moderation = f"{path}/moderation/requirements/{requirement_id}"
    for version in (0, 1):  # the first rating, then a change to it
        rate = [put(moderation, admin, version, rating=rating, note=str(w)) for w in range(WRITERS)]
        replies = race(clients, rate)
        one_winner(replies, version, "note")


def _tokens(live: Live, email: str) -> int:
    with Session(live.engine) as s:
        return s.exec(
            select(func.count())
            .select_from(ApiToken)
            .join(User, col(User.id) == ApiToken.user_id)
            .where(User.email == email, ApiToken.name == "sign-in")
        ).one()


def test_concurrent_sign_ins_never_5xx(live: Live, clients: list[httpx.Client]) -> None:
    email = "approver@york.example"
    wrong = 2  # per race: with what a previous race left, always below the limit
    before = _tokens(live, email)
    for _ in range(SIGN_IN_RACES):
        attempts = [sign_in(email, "not the password") for _ in range(wrong)]
        attempts += [sign_in(email) for _ in range(WRITERS - wrong)]
        replies = race(clients, attempts)
        assert [r.status_code for r in replies] == [401] * wrong + [200] * (WRITERS - wrong), [
            r.text for r in replies
        ]
    assert _tokens(live, email) - before == SIGN_IN_RACES * (WRITERS - wrong)


def test_guesses_at_the_same_moment_all_count_towards_the_limit(
    live: Live, clients: list[httpx.Client]
) -> None:
    """Throttling holds under concurrency: parallel guesses get no more tries than serial."""
    email = "executive@york.example"
    replies = race(clients, [sign_in(email, f"guess {i}") for i in range(WRITERS)])
    statuses = Counter(r.status_code for r in replies)
    assert statuses == {401: MAX_FAILURES, 429: WRITERS - MAX_FAILURES}, statuses
    with Session(live.engine) as s:
        kept = s.exec(
            select(func.count()).select_from(SignInFailure).where(SignInFailure.email == email)
        ).one()
    assert kept == MAX_FAILURES


def test_the_same_agency_offered_at_once_is_offered_once(
    live: Live, clients: list[httpx.Client]
) -> None:
    c = clients[0]
    admin = bearer(c, "admin@york.example")
    york = c.get(f"{API}/me", headers=admin).json()["partnerships"][0]["id"]
    agencies = c.get(
        f"{API}/partnerships/{york}/agencies", params={"q": "Housing"}, headers=admin
    ).json()["items"]
    offers = f"{API}/partnerships/{york}/agencies/{agencies[0]['id']}/offers"
    body = {"partnership": "north-yorkshire"}
    replies = race(clients, [lambda c: c.post(offers, json=body, headers=admin)] * WRITERS)
    assert sorted(r.status_code for r in replies) == [201] + [409] * (WRITERS - 1), [
        r.text for r in replies
    ]
    with Session(live.engine) as s:
        made = s.exec(
            select(func.count())
            .select_from(AgencyOffer)
            .where(AgencyOffer.agency_id == agencies[0]["id"])
        ).one()
    assert made == 1


def _challenge_event(c: httpx.Client, admin: dict[str, str], york: int) -> tuple[str, int]:
    """A new challenge event of the open programme, chaired by York's scrutineer with its
    panel member: its path, and the agency it will invite (Housing, whose editor answers)."""
    programmes = c.get(f"{API}/partnerships/{york}/programmes", params={"status": "open"},
                       headers=admin).json()["items"]  # fmt: skip
    people = c.get(f"{API}/partnerships/{york}/users", params={"limit": 100},
                   headers=admin).json()["items"]  # fmt: skip
    ids = {p["email"]: p["id"] for p in people}
    made = c.post(f"{API}/partnerships/{york}/challenge-events", headers=admin, json={
        "programme_id": programmes[0]["id"], "title": "Raced day", "held_on": "2027-06-01",
        "place": "Online", "chair_user_id": ids["scrutineer@york.example"],
        "panel_user_ids": [ids["panel@york.example"]],
    })  # fmt: skip
    assert made.status_code == 201, made.text
    candidates = c.get(f"{API}/partnerships/{york}/challenge-events/{made.json()['id']}/candidates",
                       headers=admin).json()["items"]  # fmt: skip
    housing = next(c for c in candidates if c["agency_name"].endswith("Housing Services"))
    return f"{API}/partnerships/{york}/challenge-events/{made.json()['id']}", housing["agency_id"]


def test_an_agency_invited_twice_at_once_is_invited_once_and_scores_and_answers_race(
    live: Live, clients: list[httpx.Client]
) -> None:
    c = clients[0]
    admin = bearer(c, "admin@york.example")
    york = c.get(f"{API}/me", headers=admin).json()["partnerships"][0]["id"]
    event, agency = _challenge_event(c, admin, york)
    body = {"agency_id": agency, "reason": "Self-rated met everywhere"}
    invite = lambda c: c.post(f"{event}/invitations", json=body, headers=admin)  # noqa: E731
    replies = race(clients, [invite] * WRITERS)
    assert sorted(r.status_code for r in replies) == [201] + [409] * (WRITERS - 1), [
        r.text for r in replies
    ]
    sessions = c.get(event, headers=admin).json()["sessions"]
    assert [s["agency_id"] for s in sessions] == [agency]

    # the panel member's first score of a standard, sent eight times at once, then changed
    panel = bearer(c, "panel@york.example")
    session = f"{event}/sessions/{sessions[0]['id']}"
    standard = c.get(session, headers=panel).json()["standards"][0]["standard_id"]
    for version in (0, 1):
        scores = [put(f"{session}/scores/{standard}", panel, version, level="met",
                      comment=f"writer {w}") for w in range(WRITERS)]  # fmt: skip
        one_winner(race(clients, scores), version, "comment")

    # the agency's first answer to a published enquiry, sent eight times at once
    chair = bearer(c, "scrutineer@york.example")
    made = c.post(f"{session}/enquiries", headers=chair, json={"question": "Who leads on this?"})
    assert made.status_code == 201, made.text
    enquiry = f"{session}/enquiries/{made.json()['id']}"
    published = c.post(f"{enquiry}/publish", headers={**chair, "If-Match": made.headers["ETag"]})
    assert published.status_code == 200, published.text
    editor = bearer(c, "editor@york.example")
    answers = [put(f"{enquiry}/answer", editor, 0, answer=f"Answer {w}") for w in range(WRITERS)]
    replies = race(clients, answers)
    assert sorted(r.status_code for r in replies) == [200] + [412] * (WRITERS - 1), [
        r.text for r in replies
    ]
    won = next(r.json() for r in replies if r.status_code == 200)
    assert all(r.json()["current"]["answer"] == won["answer"] for r in replies
               if r.status_code == 412)  # fmt: skip

    # the chair closes while the panel still scores: closed once, and a score either lands
    # before the close or is refused as locked (409) or stale (412); never a 5xx
    etag = c.get(session, headers=chair).headers["ETag"]
    close = lambda c: c.post(f"{session}/close", json={"outcome": "assured"},  # noqa: E731
                             headers={**chair, "If-Match": etag})  # fmt: skip
    late = [put(f"{session}/scores/{standard}", panel, 2, level="partially_met", comment=str(w))
            for w in range(WRITERS // 2)]  # fmt: skip
    replies = race(clients, [close] * (WRITERS // 2) + late)
    closes, scores = replies[: WRITERS // 2], replies[WRITERS // 2 :]
    assert sorted(r.status_code for r in closes) == [200] + [412] * (WRITERS // 2 - 1), [
        r.text for r in closes
    ]
    assert all(r.status_code in (200, 409, 412) for r in scores), [r.text for r in scores]
    assert sum(r.status_code == 200 for r in scores) <= 1
    final = c.get(session, headers=chair).json()
    assert final["status"] == "closed" and final["outcome"] == "assured"


def test_one_spreadsheet_confirmed_at_once_adds_each_agency_once(
    live: Live, clients: list[httpx.Client]
) -> None:
    c = clients[0]
    admin = bearer(c, "admin@york.example")
    york = c.get(f"{API}/me", headers=admin).json()["partnerships"][0]["id"]
    names = [f"Raced Trust {n}" for n in range(5)]
    csv = ("name,sector\n" + "".join(f"{n},voluntary\n" for n in names)).encode()
    headers = {**admin, "Content-Type": "text/csv"}
    url = f"{API}/partnerships/{york}/onboarding/agencies"
    replies = race(clients, [lambda c: c.post(url, content=csv, headers=headers)] * WRITERS)
    assert [r.status_code for r in replies] == [201] * WRITERS, [r.text for r in replies]
    created = sorted(r.json()["counts"]["create"] for r in replies)
    assert created == [0] * (WRITERS - 1) + [5]
    with Session(live.engine) as s:
        made = s.exec(
            select(func.count()).select_from(Agency).where(col(Agency.name).in_(names))
        ).one()
    assert made == 5


def test_one_webhook_changed_at_once_has_one_winner(
    live: Live, clients: list[httpx.Client]
) -> None:
    c = clients[0]
    admin = bearer(c, "admin@york.example")
    york = c.get(f"{API}/me", headers=admin).json()["partnerships"][0]["id"]
    hook = {"url": "https://hooks.example.org/raced", "events": ["return.submit"]}
    made = c.post(f"{API}/partnerships/{york}/webhooks", headers=admin, json=hook)
    assert made.status_code == 201, made.text
    url = f"{API}/partnerships/{york}/webhooks/{made.json()['id']}"
    headers = {**admin, "If-Match": made.headers["ETag"]}

    def describe(n: int) -> Request:
        return lambda c: c.patch(url, headers=headers, json={"description": f"Writer {n}"})

    replies = race(clients, [describe(n) for n in range(WRITERS)])
    assert sorted(r.status_code for r in replies) == [200] + [412] * (WRITERS - 1), [
        r.text for r in replies
    ]
    [won] = [r.json() for r in replies if r.status_code == 200]
    now = c.get(url, headers=admin).json()
    assert (now["description"], now["version"]) == (won["description"], made.json()["version"] + 1)
