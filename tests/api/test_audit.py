"""The audit log: every write records who did what, with before and after, or nothing at all."""

from datetime import UTC, datetime, timedelta

import pytest
from apikit import API, HOUSING, YAML_HEADERS, as_yaml, assert_problem, count, framework_doc
from sqlalchemy import func, update
from sqlmodel import col, select

from api.models import AuditEvent


def events_url(pid: int) -> str:
    return f"{API}/partnerships/{pid}/audit-events"


@pytest.fixture
def new_events(db):
    """The events written since the fixture was made, oldest first."""
    marker = db.exec(select(func.max(AuditEvent.id))).one() or 0

    def since() -> list[AuditEvent]:
        query = select(AuditEvent).where(col(AuditEvent.id) > marker)
        return list(db.exec(query.order_by(col(AuditEvent.id))))

    return since


@pytest.fixture
def do(client, auth, york, agency_id, user_id, membership_id):
    """Each write of the API, made as York's admin; returns (response, entity id)."""
    admin = auth("admin")
    p = f"{API}/partnerships/{york.id}"

    def etag(path: str) -> dict[str, str]:
        return {**admin, "If-Match": client.get(f"{p}{path}", headers=admin).headers["ETag"]}

    def version_id() -> int:
        items = client.get(f"{p}/frameworks", headers=admin).json()["items"]
        return next(f for f in items if f["key"] == "section-11")["latest_version"]["id"]

    def programme(status: str = "draft") -> int:
        r = client.post(f"{p}/programmes", headers=admin, json={
            "title": "Audit programme", "framework_version_id": version_id(),
            "opens_on": "2027-01-01", "deadline": "2027-02-01", "agency_ids": [agency_id(HOUSING)],
        })  # fmt: skip
        if status == "open":
            client.post(f"{p}/programmes/{r.json()['id']}/open", headers=admin)
        return r.json()["id"]

    def token() -> int:
        r = client.post(
            f"{p}/service-tokens", headers=admin, json={"name": "t", "scopes": ["read"]}
        )
        return r.json()["id"]

    def run(action: str):
        if action == "partnership.update":
            return client.patch(p, headers=etag(""), json={"area": "York and district"}), york.id
        if action == "partnership.create":
            r = client.post(
                f"{API}/partnerships",
                headers=auth("platform"),
                json={"slug": "leeds", "name": "Leeds"},
            )
            return r, r.json()["id"]
        if action == "agency.create":
            r = client.post(
                f"{p}/agencies", headers=admin, json={"name": "York Mind", "sector": "voluntary"}
            )
            return r, r.json()["id"]
        if action == "agency.update":
            a = agency_id(HOUSING)
            return client.patch(
                f"{p}/agencies/{a}", headers=etag(f"/agencies/{a}"), json={"name": "Housing"}
            ), a
        if action == "user.create":
            r = client.post(f"{p}/users", headers=admin, json={
                "email": "audit@york.example", "name": "Audit Person",
                "password": "long enough password", "roles": [{"role": "executive"}],
            })  # fmt: skip
            return r, r.json()["id"]
        if action == "user.update":  # people change their own accounts
            me = {**admin, "If-Match": client.get(f"{API}/me", headers=admin).headers["ETag"]}
            return client.patch(f"{API}/me", headers=me, json={"name": "Bev B"}), user_id("admin")
        if action == "membership.create":
            r = client.post(
                f"{p}/users/{user_id('panel')}/roles", headers=admin, json={"role": "executive"}
            )
            return r, next(
                x["membership_id"] for x in r.json()["roles"] if x["role"] == "executive"
            )
        if action == "membership.delete":
            m = membership_id("executive")
            return client.delete(f"{p}/roles/{m}", headers=admin), m
        if action == "framework.import":
            r = client.post(
                f"{p}/frameworks",
                headers={**admin, **YAML_HEADERS},
                content=as_yaml(framework_doc("audited")),
            )
            return r, r.json()["id"]
        if action == "programme.create":
            r = client.post(f"{p}/programmes", headers=admin, json={
                "title": "Created", "framework_version_id": version_id(),
                "opens_on": "2027-01-01", "deadline": "2027-02-01",
                "agency_ids": [agency_id(HOUSING)],
            })  # fmt: skip
            return r, r.json()["id"]
        if action == "programme.update":
            g = programme()
            return client.patch(
                f"{p}/programmes/{g}", headers=etag(f"/programmes/{g}"), json={"title": "Retitled"}
            ), g
        if action == "programme.open":
            g = programme()
            return client.post(f"{p}/programmes/{g}/open", headers=admin), g
        if action == "programme.close":
            g = programme("open")
            return client.post(f"{p}/programmes/{g}/close", headers=admin), g
        if action == "programme.ask_agency":
            g = programme()
            return client.put(
                f"{p}/programmes/{g}/agencies/{agency_id('Cafcass')}", headers=admin
            ), g
        if action == "programme.unask_agency":
            g = programme()
            return client.delete(
                f"{p}/programmes/{g}/agencies/{agency_id(HOUSING)}", headers=admin
            ), g
        if action == "service_token.issue":
            r = client.post(
                f"{p}/service-tokens", headers=admin, json={"name": "x", "scopes": ["read"]}
            )
            return r, r.json()["id"]
        if action == "service_token.revoke":
            t = token()
            return client.delete(f"{p}/service-tokens/{t}", headers=admin), t
        raise AssertionError(action)

    return run


NO_RECORD = object()  # the event has no `before` (or no `after`)

# action → (entity type, a field that changes, its value before, after); ... is not checked.
WRITES = {
    "partnership.update": ("partnership", "area", "City of York", "York and district"),
    "partnership.create": ("partnership", "slug", NO_RECORD, "leeds"),
    "agency.create": ("agency", "name", NO_RECORD, "York Mind"),
    "agency.update": ("agency", "name", HOUSING, "Housing"),
    "user.create": ("user", "email", NO_RECORD, "audit@york.example"),
    "user.update": ("user", "name", "Bev Business-Unit", "Bev B"),
    "membership.create": ("membership", "role", NO_RECORD, "executive"),
    "membership.delete": ("membership", "role", "executive", NO_RECORD),
    "framework.import": ("framework_version", "key", NO_RECORD, "audited"),
    "programme.create": ("programme", "title", NO_RECORD, "Created"),
    "programme.update": ("programme", "title", "Audit programme", "Retitled"),
    "programme.open": ("programme", "status", "draft", "open"),
    "programme.close": ("programme", "status", "open", "closed"),
    "programme.ask_agency": ("programme", "asked", NO_RECORD, True),
    "programme.unask_agency": ("programme", "asked", NO_RECORD, False),
    "service_token.issue": ("service_token", "name", NO_RECORD, "x"),
    "service_token.revoke": ("service_token", "revoked_at", None, "SET"),
}


@pytest.mark.parametrize("action", WRITES)
def test_each_write_records_one_event(do, new_events, york, user_id, action):
    entity_type, key, before, after = WRITES[action]
    response, entity_id = do(action)
    assert response.is_success, response.text
    events = [e for e in new_events() if e.action == action]
    assert len(events) == 1, [e.action for e in new_events()]
    [event] = events
    who = "platform" if action == "partnership.create" else "admin"
    assert event.actor_user_id == user_id(who)
    assert event.actor_label == ("Pip Platform" if who == "platform" else "Bev Business-Unit")
    assert event.actor_token_id is not None
    assert (event.entity_type, event.entity_id) == (entity_type, entity_id)
    assert event.partnership_id == (entity_id if action == "partnership.create" else york.id)
    assert event.at > datetime.now(UTC) - timedelta(minutes=1)
    if before is NO_RECORD:
        assert event.before is None
    else:
        assert event.before[key] == before
    if after is NO_RECORD:
        assert event.after is None
    elif after == "SET":
        assert event.after[key] is not None
    else:
        assert event.after[key] == after
    for snapshot in (event.before or {}, event.after or {}):
        assert "password_hash" not in snapshot and "token_hash" not in snapshot


def test_an_update_records_the_whole_record_before_and_after(do, new_events):
    do("agency.update")
    [event] = [e for e in new_events() if e.action == "agency.update"]
    assert event.after["version"] == event.before["version"] + 1
    assert {k for k in event.before if event.before[k] != event.after[k]} == {
        "name",
        "version",
        "updated_at",
    }


def test_a_service_tokens_write_is_recorded_as_the_token(
    client, service_token, new_events, york, db
):
    headers, issued = service_token(["agencies:write"], name="Case system")
    r = client.post(
        f"{API}/partnerships/{york.id}/agencies",
        headers=headers,
        json={"name": "Token Agency", "sector": "other"},
    )
    assert r.status_code == 201
    [event] = [e for e in new_events() if e.action == "agency.create"]
    assert event.actor_user_id is None
    assert event.actor_token_id == issued["id"]
    assert event.actor_label == "service token “Case system”"


@pytest.mark.parametrize(
    "failure",
    [
        "duplicate agency",
        "stale etag",
        "missing etag",
        "forbidden",
        "bad framework",
        "last admin",
        "conflict after a partial write",
        "open with no agencies",
        "failed sign-in",
    ],
)
def test_a_failed_write_leaves_no_event(client, db, auth, york, agency_id, membership_id, failure):
    admin = auth("admin")
    p = f"{API}/partnerships/{york.id}"
    housing = agency_id(HOUSING)
    events = count(db, AuditEvent)
    if failure == "duplicate agency":
        r = client.post(f"{p}/agencies", headers=admin, json={"name": HOUSING, "sector": "housing"})
    elif failure == "stale etag":
        r = client.patch(
            f"{p}/agencies/{housing}", headers={**admin, "If-Match": '"77"'}, json={"name": "H"}
        )
    elif failure == "missing etag":
        r = client.patch(f"{p}/agencies/{housing}", headers=admin, json={"name": "H"})
    elif failure == "forbidden":
        r = client.post(
            f"{p}/agencies", headers=auth("scrutineer"), json={"name": "N", "sector": "other"}
        )
    elif failure == "bad framework":
        doc = framework_doc("bad")
        doc["standards"][1]["requirements"][0]["code"] = "A1"
        r = client.post(f"{p}/frameworks", headers={**admin, **YAML_HEADERS}, content=as_yaml(doc))
    elif failure == "last admin":
        r = client.delete(f"{p}/roles/{membership_id('admin')}", headers=admin)
    elif failure == "conflict after a partial write":
        # The person and their first role are written (with events) before the second role
        # is found to repeat the first: the whole request, events included, is undone.
        r = client.post(f"{p}/users", headers=admin, json={
            "email": "twice@york.example", "name": "Twice", "password": "long enough password",
            "roles": [{"role": "executive"}, {"role": "executive"}],
        })  # fmt: skip
    elif failure == "open with no agencies":
        frameworks = client.get(f"{p}/frameworks", headers=admin).json()["items"]
        created = client.post(f"{p}/programmes", headers=admin, json={
            "title": "Empty", "framework_version_id": frameworks[0]["latest_version"]["id"],
            "opens_on": "2027-01-01", "deadline": "2027-02-01",
        })  # fmt: skip
        events = count(db, AuditEvent)
        r = client.post(f"{p}/programmes/{created.json()['id']}/open", headers=admin)
    else:
        r = client.post(
            f"{API}/auth/token", data={"username": "admin@york.example", "password": "no"}
        )
    assert r.status_code >= 400, r.text
    assert count(db, AuditEvent) == events


# ---------------------------------------------------------------------------------------
# Reading the log


def test_the_log_is_newest_first_and_paged(client, db, auth, york):
    admin = auth("admin")
    total = count(db, AuditEvent, AuditEvent.partnership_id == york.id)
    r = client.get(events_url(york.id), headers=admin)
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == total and body["limit"] == 50
    assert len(body["items"]) == min(total, 50)
    stamps = [(e["at"], e["id"]) for e in body["items"]]
    assert stamps == sorted(stamps, reverse=True)
    assert set(body["items"][0]) == {
        "id", "at", "actor_label", "actor_user_id", "action", "entity_type", "entity_id",
        "before", "after",
    }  # fmt: skip
    page = client.get(events_url(york.id), headers=admin, params={"limit": 5, "offset": 5}).json()
    assert [e["id"] for e in page["items"]] == [e["id"] for e in body["items"][5:10]]


def test_the_log_holds_the_demo_history(client, auth, york):
    r = client.get(events_url(york.id), headers=auth("scrutineer"), params={"limit": 100})
    actions = [e["action"] for e in r.json()["items"]]
    assert actions.count("agency.create") == 17
    assert actions.count("programme.create") == 2 and actions.count("programme.open") == 1
    assert actions.count("partnership.create") == 1


def test_each_partnership_sees_only_its_own_events(client, auth, york, north):
    york_events = client.get(
        events_url(york.id), headers=auth("admin"), params={"limit": 100}
    ).json()
    north_events = client.get(
        events_url(north.id), headers=auth("north_admin"), params={"limit": 100}
    ).json()
    assert {e["id"] for e in york_events["items"]}.isdisjoint(
        e["id"] for e in north_events["items"]
    )
    assert sorted(e["action"] for e in north_events["items"]) == [
        "agency.create", "agency.link", "agency.link", "partnership.create",
    ]  # fmt: skip


def newest_at(db, partnership_id: int):  # type: ignore[no-untyped-def]
    return db.exec(
        select(func.max(AuditEvent.at)).where(AuditEvent.partnership_id == partnership_id)
    ).one()


def test_filters(client, db, do, auth, york, agency_id, user_id):
    admin = auth("admin")
    housing = agency_id(HOUSING)
    do("agency.update")
    do("user.update")

    def actions(**params) -> list[str]:
        r = client.get(events_url(york.id), headers=admin, params={"limit": 100, **params})
        assert r.status_code == 200, r.text
        assert r.json()["total"] == len(r.json()["items"])
        return [e["action"] for e in r.json()["items"]]

    assert actions(action="agency.update") == ["agency.update"]
    assert actions(entity_type="agency", entity_id=housing) == ["agency.update", "agency.create"]
    assert actions(entity_type="user") == ["user.update"]
    # The admin's own earlier work in the demo (reviewing returns) is dated in the past.
    today = (newest_at(db, york.id) - timedelta(seconds=5)).isoformat()
    assert actions(actor_user_id=user_id("admin"), since=today) == ["user.update", "agency.update"]
    reviewed = actions(actor_user_id=user_id("admin"), entity_type="return")
    assert set(reviewed) == {"return.send_back", "return.moderate", "return.accept"}
    assert actions(action="no.such") == []
    # Time windows: `since` is inclusive, `until` exclusive.
    newest = db.exec(
        select(AuditEvent)
        .where(AuditEvent.partnership_id == york.id)
        .order_by(col(AuditEvent.id).desc())
    ).first()
    at = newest.at.isoformat()
    assert actions(since=at) == ["user.update"]
    assert "user.update" not in actions(until=at, since=today)
    assert actions(since=(newest.at + timedelta(seconds=1)).isoformat()) == []
    # A time without a zone is read as UTC.
    naive = newest.at.astimezone(UTC).replace(tzinfo=None).isoformat()
    assert actions(since=naive) == ["user.update"]


def test_events_keep_their_time_order_across_time_zones(client, db, auth, york):
    """`since` given in another zone means the same instant."""
    admin = auth("admin")
    db.execute(
        update(AuditEvent)
        .where(col(AuditEvent.partnership_id) == york.id)
        .values(at=datetime(2024, 1, 1, 12, 0, tzinfo=UTC))
    )
    db.commit()
    r = client.get(
        events_url(york.id), headers=admin, params={"since": "2024-01-01T13:00:00+01:00"}
    )
    assert r.json()["total"] == count(db, AuditEvent, AuditEvent.partnership_id == york.id)
    r = client.get(
        events_url(york.id), headers=admin, params={"since": "2024-01-01T13:00:01+01:00"}
    )
    assert r.json()["total"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"until": "2024-13-01"}, "until"),
        ({"entity_id": 0}, "entity_id"),
        ({"actor_user_id": 2**63}, "actor_user_id"),
        ({"action": "x" * 65}, "action"),
        ({"limit": 101}, "limit"),
    ],
)
def test_bad_filters_are_422(client, auth, york, params, field):
    assert_problem(
        client.get(events_url(york.id), headers=auth("admin"), params=params), 422, field=field
    )
