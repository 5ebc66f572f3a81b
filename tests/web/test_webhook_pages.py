"""Webhook pages, for the partnership's admins: registering an endpoint (errors beside the
fields, the secret shown once and never stored), changing it with If-Match (another's change
said plainly), rotating its secret and removing it after a confirmation, and its delivery
log with Redeliver. Others see no link and are refused the pages."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from test_pages import assert_accessible_page
from websupport import ADMIN, NORTH_ADMIN, SCRUTINEER, page_of

from api.models import AuditEvent, OutboxMessage, Partnership, WebhookEndpoint
from api.models.base import utcnow

RECEIVER = "http://127.0.0.1:9/hooks"


def _url(york: Partnership, tail: str = "") -> str:
    return f"/p/{york.id}/webhooks{tail}"


def _register(admin: TestClient, york: Partnership, **fields: object) -> TestClient:
    page = page_of(admin.get(_url(york, "/new")))
    action, data = page.pressing(page.one("form", action=_url(york, "/new")).one("button"))
    body = {**data, "url": RECEIVER, "description": "Data warehouse",
            "events": ["webhook.update", "agency.update"], **fields}  # fmt: skip
    return admin.post(action, data=body)  # type: ignore[return-value]


def _endpoint(db: Session) -> WebhookEndpoint:
    return db.exec(select(WebhookEndpoint).order_by(col(WebhookEndpoint.id).desc())).first()  # type: ignore[return-value]


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    listing = page_of(admin.get(_url(york)))
    assert_accessible_page(listing)
    assert listing.one("a", href=_url(york))["aria-current"] == "page"
    assert "No endpoints are registered yet." in listing.text
    form = page_of(admin.get(_url(york, "/new")))
    assert_accessible_page(form)
    assert form.h1 == "Register a webhook endpoint"
    legends = [legend.text for legend in form.find_all("legend")]
    assert legends[0] == "Events" and "Returns" in legends and "Action plans" in legends
    submit = form.one("input", value="return.submit")
    label = form.one("label", for_=submit["id"]).text
    assert label == "return.submit A return was signed off and submitted."

    created = _register(admin, york)
    page = page_of(created, status=201)
    assert_accessible_page(page)
    assert created.headers["Cache-Control"] == "no-store"
    endpoint = _endpoint(db)
    assert endpoint.url == RECEIVER and endpoint.events == ["webhook.update", "agency.update"]
    assert page.one("input", id="secret")["value"] == endpoint.secret
    assert endpoint.secret.startswith("whsec_")
    assert "Copy the secret now" in page.text and "not show it again" in page.text
    # Never again: not on the list, not on the endpoint's page.
    for url in (_url(york), _url(york, f"/{endpoint.id}")):
        shown = admin.get(url)
        assert shown.status_code == 200 and endpoint.secret not in shown.text
    listed = page_of(admin.get(_url(york)))
    row = listed.one("a", href=_url(york, f"/{endpoint.id}"))
    assert row.text == RECEIVER
    assert "Data warehouse" in listed.find("tbody").text and "None yet" in listed.find("tbody").text


def test_a_bad_url_and_no_events_are_said_beside_their_fields(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    before = len(db.exec(select(WebhookEndpoint)).all())
    none = page_of(_register(admin, york, events=[]), 422)
    assert none.title.startswith("Error: ")
    assert none.summary_links() == {"#field-events": "Choose at least one event"}
    assert none.field_error("events") == "Choose at least one event"
    assert none.field("field-events")["aria-invalid"] == "true"
    refused = page_of(_register(admin, york, url="http://example.com/hooks"), 422)
    links = refused.summary_links()
    assert list(links) == ["#field-url"]
    assert links["#field-url"] == (
        "URL must be an https:// URL (http:// only to 127.0.0.1 while developing)"
    )
    assert refused.field_error("url") == links["#field-url"]
    assert refused.field("field-url")["aria-invalid"] == "true"
    assert refused.field("field-url")["value"] == "http://example.com/hooks"
    assert refused.field("field-description")["value"] == "Data warehouse"
    assert refused.broken_references() == []
    kept = page_of(_register(admin, york, url="ftp://x", events=["agency.update"]), 422)
    assert kept.one("input", value="agency.update").get("checked") is not None
    assert kept.one("input", value="return.submit").get("checked") is None
    assert len(db.exec(select(WebhookEndpoint)).all()) == before


def test_an_endpoint_is_changed_with_its_etag_and_a_stale_form_is_refused(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    _register(admin, york)
    endpoint = _endpoint(db)
    url = _url(york, f"/{endpoint.id}")
    page = page_of(admin.get(url))
    assert_accessible_page(page)
    assert page.h1 == RECEIVER
    form = page.one("form", action=url)
    action, data = page.pressing(form.one("button"))
    assert data["etag"] == '"1"' and data["active"] == "yes"
    # Another admin changes it first: this form's ETag is now out of date.
    other = visitor_as(ADMIN)
    other_page = page_of(other.get(url))
    o_action, o_data = other_page.pressing(other_page.one("form", action=url).one("button"))
    assert other.post(o_action, data={**o_data, "description": "Theirs"}).status_code == 303
    stale = page_of(admin.post(action, data={**data, "description": "Mine"}), status=409)
    assert "Your changes were not saved" in stale.text
    assert stale.field("field-description")["value"] == "Mine"  # kept for another try
    assert "Theirs" in stale.one("dl", class_="summary").text
    db.refresh(endpoint)
    assert endpoint.description == "Theirs"
    # Saved again from the fresh form: events changed, turned off.
    fresh_action, fresh = stale.pressing(stale.one("form", action=url).one("button"))
    fresh.pop("active")
    body = {**fresh, "description": "Mine", "events": ["return.submit"]}
    saved = admin.post(fresh_action, data=body)
    assert saved.status_code == 303 and saved.headers["location"] == url + "?saved=1"
    db.refresh(endpoint)
    assert (endpoint.description, endpoint.events, endpoint.active) == (
        "Mine", ["return.submit"], False,
    )  # fmt: skip
    after = page_of(admin.get(saved.headers["location"]))
    assert "Your changes were saved." in after.text and "No: nothing is sent" in after.text
    bad = page_of(admin.post(fresh_action, data={**body, "etag": after.one(
        "input", name="etag")["value"], "url": ""}), status=422)  # fmt: skip
    assert bad.summary_links() == {"#field-url": "Enter url"}


def test_the_delivery_log_and_redeliver(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    _register(admin, york)
    endpoint = _endpoint(db)
    url = _url(york, f"/{endpoint.id}")
    page = page_of(admin.get(url))
    assert "Nothing has been sent to this endpoint yet." in page.text
    action, data = page.pressing(page.one("form", action=url).one("button"))
    assert admin.post(action, data={**data, "description": "Renamed"}).status_code == 303
    [delivery] = db.exec(select(OutboxMessage).where(OutboxMessage.webhook_id == endpoint.id)).all()
    assert delivery.kind == "webhook.update"
    waiting = page_of(admin.get(url))
    row = waiting.one("table").find("tbody").one("tr")
    assert "webhook.update" in row.text and "Waiting" in row.text
    assert row.find("button") is None  # it is still to be sent
    # The receiver refused every attempt, as the worker records it.
    delivery.attempts, delivery.last_status = 8, 503
    delivery.last_error, delivery.failed_at = "HTTP 503", utcnow()
    db.add(delivery)
    db.commit()
    failed = page_of(admin.get(url))
    assert_accessible_page(failed)
    row = failed.one("table").find("tbody").one("tr")
    assert "Failed" in row.text and "503" in row.text and "HTTP 503" in row.text
    listed = page_of(admin.get(_url(york))).find("tbody").text
    assert "Failed" in listed and "webhook.update" in listed
    redo_action, redo = failed.pressing(row.one("button"))
    assert redo_action == f"{url}/deliveries/{delivery.id}/redeliver"
    sent = admin.post(redo_action, data=redo)
    assert sent.status_code == 303 and sent.headers["location"] == url + "?redelivered=1#deliveries"
    db.refresh(delivery)
    assert delivery.failed_at is None and delivery.attempts == 0
    again = page_of(admin.get(sent.headers["location"]))
    assert "will be sent again" in again.text and "Waiting" in again.find("tbody").text
    refused = page_of(admin.post(redo_action, data=redo), status=409)  # still waiting
    assert refused.error_summary() is not None


def test_rotating_the_secret_and_removing_ask_first(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    _register(admin, york)
    endpoint = _endpoint(db)
    old, endpoint_id = endpoint.secret, endpoint.id
    url = _url(york, f"/{endpoint.id}")
    detail = page_of(admin.get(url))
    confirm = page_of(admin.get(detail.one("a", href=url + "/rotate-secret")["href"]))
    assert_accessible_page(confirm)
    assert confirm.h1.startswith("Rotate the signing secret")
    db.refresh(endpoint)
    assert endpoint.secret == old  # asking is not rotating
    rotate = confirm.one("form", action=url + "/rotate-secret")
    action, data = confirm.pressing(rotate.one("button"))
    rotated = admin.post(action, data=data)
    page = page_of(rotated)
    assert rotated.headers["Cache-Control"] == "no-store"
    db.refresh(endpoint)
    assert endpoint.secret != old
    assert page.one("input", id="secret")["value"] == endpoint.secret
    assert "Copy the secret now" in page.text
    assert endpoint.secret not in admin.get(url).text

    confirm = page_of(admin.get(detail.one("a", href=url + "/delete")["href"]))
    assert_accessible_page(confirm)
    assert "cannot be undone" in confirm.text
    assert db.get(WebhookEndpoint, endpoint.id) is not None
    action, data = confirm.pressing(confirm.one("form", action=url + "/delete").one("button"))
    gone = admin.post(action, data=data)
    assert gone.status_code == 303 and gone.headers["location"] == _url(york, "?deleted=1")
    db.expire_all()
    assert db.get(WebhookEndpoint, endpoint_id) is None
    assert "The endpoint was removed" in page_of(admin.get(gone.headers["location"])).text
    assert page_of(admin.get(url), status=404).h1 == "Page not found"
    actions = db.exec(
        select(AuditEvent.action).where(AuditEvent.entity_type == "webhook",
                                        AuditEvent.entity_id == endpoint_id)
    ).all()  # fmt: skip
    assert set(actions) == {"webhook.create", "webhook.rotate_secret", "webhook.delete"}


def test_others_see_no_link_and_are_refused(
    visitor_as: Callable[[str], TestClient], york: Partnership, db: Session
) -> None:
    admin = visitor_as(ADMIN)
    _register(admin, york)
    endpoint = _endpoint(db)
    assert page_of(admin.get(f"/p/{york.id}")).find("a", href=_url(york)) is not None
    scrutineer = visitor_as(SCRUTINEER)
    assert page_of(scrutineer.get(f"/p/{york.id}")).find("a", href=_url(york)) is None
    one = _url(york, f"/{endpoint.id}")
    for url in (_url(york), _url(york, "/new"), one, one + "/rotate-secret", one + "/delete"):
        refused = page_of(scrutineer.get(url), status=403)
        assert refused.h1 == "You cannot do this" and "admins" in refused.text
    token = page_of(scrutineer.get(f"/p/{york.id}")).csrf_token()
    posted = scrutineer.post(_url(york, f"/{endpoint.id}/delete"), data={"csrf_token": token})
    assert posted.status_code == 403
    assert db.get(WebhookEndpoint, endpoint.id) is not None
    north = visitor_as(NORTH_ADMIN)  # an admin elsewhere: York is not their partnership
    assert page_of(north.get(_url(york)), status=404).h1 == "Page not found"
    assert page_of(north.get(_url(york, f"/{endpoint.id}")), status=404).h1 == "Page not found"
