"""Webhook endpoints through the API: registering, what each event queues for them, the
delivery log and redelivery, and what the other partnership's admin can never reach."""

import json

import pytest
from apikit import API, assert_problem
from sqlmodel import col, select

from api.models import AuditEvent, OutboxMessage

RECEIVER = "http://127.0.0.1:9/hooks"


def hooks(pid: int) -> str:
    return f"{API}/partnerships/{pid}/webhooks"


@pytest.fixture
def webhook(client, auth, york) -> dict:  # type: ignore[no-untyped-def]
    r = client.post(
        hooks(york.id), headers=auth("admin"),
        json={"url": RECEIVER, "description": "Data warehouse",
              "events": ["return.submit", "agency.update"]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


def deliveries(db, webhook_id: int) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    return list(
        db.exec(
            select(OutboxMessage)
            .where(OutboxMessage.webhook_id == webhook_id)
            .order_by(col(OutboxMessage.id))
        ).all()
    )


def change_agency(client, auth, york, agency_id) -> None:  # type: ignore[no-untyped-def]
    url = f"{API}/partnerships/{york.id}/agencies/{agency_id()}"
    etag = client.get(url, headers=auth("admin")).headers["ETag"]
    r = client.patch(url, headers={**auth("admin"), "If-Match": etag},
                     json={"statutory_partner": True})  # fmt: skip
    assert r.status_code == 200, r.text


def test_registering_shows_the_secret_once(client, auth, york, webhook):  # type: ignore[no-untyped-def]
    assert webhook["secret"].startswith("whsec_") and len(webhook["secret"]) > 40
    assert webhook["events"] == ["return.submit", "agency.update"] and webhook["active"]
    listed = client.get(hooks(york.id), headers=auth("admin")).json()
    assert [w["id"] for w in listed] == [webhook["id"]]
    assert "secret" not in listed[0]
    one = client.get(f"{hooks(york.id)}/{webhook['id']}", headers=auth("admin"))
    assert "secret" not in one.json() and one.headers["ETag"] == '"1"'


def test_an_event_it_wants_queues_one_thin_signed_delivery(  # type: ignore[no-untyped-def]
    client, db, auth, york, webhook, agency_id
):
    change_agency(client, auth, york, agency_id)
    [delivery] = deliveries(db, webhook["id"])
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "agency.update")
                    .order_by(col(AuditEvent.id).desc())).first()  # fmt: skip
    assert delivery.channel == "webhook" and delivery.kind == "agency.update"
    assert delivery.key == f"msg_wh{webhook['id']}_ev{event.id}"
    body = json.loads(delivery.body)
    assert body["type"] == "agency.update"
    assert body["data"] == {
        "partnership_id": york.id, "entity_type": "agency", "entity_id": agency_id(),
        "actor": event.actor_label, "audit_event_id": event.id,
    }  # fmt: skip
    # Events it did not ask for queue nothing; nor do emails show it.
    client.patch(f"{API}/partnerships/{york.id}", headers={**auth("admin"), "If-Match": "*"},
                 json={"area": "York"})  # fmt: skip
    assert len(deliveries(db, webhook["id"])) == 1
    emails = client.get(f"{API}/partnerships/{york.id}/outbox", headers=auth("admin")).json()
    assert all(m["kind"] != "agency.update" for m in emails["items"])


def test_a_turned_off_endpoint_gets_nothing(client, db, auth, york, webhook, agency_id):  # type: ignore[no-untyped-def]
    url = f"{hooks(york.id)}/{webhook['id']}"
    r = client.patch(url, headers={**auth("admin"), "If-Match": '"1"'}, json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False and r.headers["ETag"] == '"2"'
    change_agency(client, auth, york, agency_id)
    assert deliveries(db, webhook["id"]) == []


def test_the_delivery_log_and_redelivery(client, db, auth, york, webhook, agency_id):  # type: ignore[no-untyped-def]
    change_agency(client, auth, york, agency_id)
    url = f"{hooks(york.id)}/{webhook['id']}/deliveries"
    [item] = client.get(url, headers=auth("admin")).json()["items"]
    assert item["state"] == "waiting" and item["event"] == "agency.update"
    assert item["webhook_id"].startswith("msg_wh")
    # Still waiting: nothing to send again.
    assert_problem(client.post(f"{url}/{item['id']}/redeliver", headers=auth("admin")), 409)
    [delivery] = deliveries(db, webhook["id"])
    delivery.delivered_at, delivery.attempts, delivery.last_status = delivery.created_at, 1, 204
    db.add(delivery)
    db.flush()
    r = client.post(f"{url}/{item['id']}/redeliver", headers=auth("admin"))
    assert r.status_code == 200, r.text
    again = r.json()
    assert again["state"] == "waiting" and again["attempts"] == 0
    assert again["webhook_id"] == item["webhook_id"]  # the receiver knows it for the same


def test_rotating_replaces_the_secret(client, auth, york, webhook):  # type: ignore[no-untyped-def]
    r = client.post(f"{hooks(york.id)}/{webhook['id']}/rotate-secret", headers=auth("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["secret"].startswith("whsec_") and r.json()["secret"] != webhook["secret"]
    assert r.headers["ETag"] == '"2"'


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.org/x", "events": ["return.submit"]}, "url"),
        ({"url": "http://example.org/x", "events": ["return.submit"]}, "url"),
        ({"url": "https://user:pw@example.org/x", "events": ["return.submit"]}, "url"),
        ({"url": "not a url", "events": ["return.submit"]}, "url"),
        ({"url": "https://example.org/x", "events": ["return.sent"]}, "events.0"),
        ({"url": "https://example.org/x", "events": []}, "events"),
        ({"url": "https://example.org/x", "events": ["return.submit", "return.submit"]}, "events"),
    ],
)
def test_bad_endpoints_are_refused_and_nothing_is_made(client, auth, york, body, field):  # type: ignore[no-untyped-def]
    assert_problem(client.post(hooks(york.id), headers=auth("admin"), json=body), 422, field=field)
    assert client.get(hooks(york.id), headers=auth("admin")).json() == []


def test_https_anywhere_is_accepted(client, auth, york):  # type: ignore[no-untyped-def]
    body = {"url": "https://warehouse.example.org/in", "events": ["return.accept"]}
    r = client.post(hooks(york.id), headers=auth("admin"), json=body)
    assert r.status_code == 201, r.text


def test_the_event_types_are_listed_with_their_meaning(client, auth):  # type: ignore[no-untyped-def]
    types = client.get(f"{API}/webhook-events", headers=auth("editor")).json()
    names = {t["name"]: t["description"] for t in types}
    assert names["return.submit"] == "A return was signed off and submitted."
    assert len(names) == len(types)


def test_another_partnerships_admin_reaches_none_of_it(client, db, auth, york, north, webhook):  # type: ignore[no-untyped-def]
    north_admin = auth("north_admin")
    one = f"{hooks(york.id)}/{webhook['id']}"
    for method, url in [
        ("GET", hooks(york.id)), ("GET", one), ("POST", one + "/rotate-secret"),
        ("GET", one + "/deliveries"), ("DELETE", one),
    ]:  # fmt: skip
        assert_problem(client.request(method, url, headers=north_admin), 404)
    # Nor York's endpoint under North Yorkshire's URLs, by its own admin.
    theirs = f"{hooks(north.id)}/{webhook['id']}"
    assert_problem(client.get(theirs, headers=north_admin), 404)
    assert client.get(hooks(north.id), headers=north_admin).json() == []


def test_removing_takes_the_delivery_log_with_it(client, db, auth, york, webhook, agency_id):  # type: ignore[no-untyped-def]
    change_agency(client, auth, york, agency_id)
    r = client.delete(f"{hooks(york.id)}/{webhook['id']}", headers=auth("admin"))
    assert r.status_code == 204
    assert deliveries(db, webhook["id"]) == []
    assert client.get(hooks(york.id), headers=auth("admin")).json() == []
