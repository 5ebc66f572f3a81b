"""The outbox page, for the partnership's admins: the emails with their state, a filter that
works without JavaScript (and as an htmx fragment), each notice's text but never a security
email's, a banner while no mail server is set, and Retry for a failed one. Others see no
link and are refused the page."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from test_pages import assert_accessible_page
from websupport import ADMIN, HTMX, NORTH_ADMIN, SCRUTINEER, page_of

from api.models import OutboxMessage, Partnership, User
from api.models.base import utcnow
from api.notices.kinds import NoticeKind, SecurityKind
from api.notices.send import notify
from api.outbox import service as outbox
from web.settings import get_settings

SUBJECT = "City of York Council's return was accepted"
LINK = "https://assure.example/reset/very-secret-token"


def _url(york: Partnership, tail: str = "") -> str:
    return f"/p/{york.id}/outbox{tail}"


@pytest.fixture
def messages(db: Session, york: Partnership) -> dict[str, OutboxMessage]:
    """A notice, failed after every attempt, and a password reset, waiting."""
    admin = db.exec(select(User).where(User.email == ADMIN)).one()
    notify(
        db, NoticeKind.return_accepted, occasion="web-test", partnership=york, people=[admin],
        context={"agency": {"name": "City of York Council"}, "reviewer": "Sam Reviewer",
                 "programme": {"title": "Section 11 self-assessment 2026"}, "note": "",
                 "return_url": "https://assure.example/p/1/returns/1"},
    )  # fmt: skip
    outbox.enqueue(
        db,
        OutboxMessage(
            key="password_reset-web-test", partnership_id=york.id,
            kind=SecurityKind.password_reset.value, recipient=ADMIN,
            subject="Choose a new password", body=f"Choose one here: {LINK}",
        ),
    )  # fmt: skip
    notice = db.exec(select(OutboxMessage).where(OutboxMessage.subject == SUBJECT)).one()
    notice.attempts, notice.last_error, notice.failed_at = 8, "Connection refused", utcnow()
    db.add(notice)
    db.commit()
    reset = db.exec(select(OutboxMessage).where(OutboxMessage.key == "password_reset-web-test"))
    return {"notice": notice, "reset": reset.one()}


@pytest.fixture
def mail_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ASSURE_SMTP_HOST", "127.0.0.1")
    get_settings.cache_clear()
    from api.settings import get_settings as api_settings

    api_settings.cache_clear()
    yield
    monkeypatch.delenv("ASSURE_SMTP_HOST")
    get_settings.cache_clear()
    api_settings.cache_clear()


def _rows(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each row's text by its subject (the demo's own changes queued others, older)."""
    return {r.find("strong").text: r.text for r in page.one("table").find("tbody").find_all("tr")}


def _row(page, subject: str):  # type: ignore[no-untyped-def]
    rows = page.one("table").find("tbody").find_all("tr")
    return next(r for r in rows if r.find("strong").text == subject)


def test_the_admin_sees_each_email_and_never_a_security_emails_text(
    admin: TestClient, york: Partnership, messages: dict[str, OutboxMessage]
) -> None:
    page = page_of(admin.get(_url(york)))
    assert_accessible_page(page)
    assert page.one("a", href=_url(york))["aria-current"] == "page"
    assert "No mail server is set: emails wait here" in page.text
    rows = _rows(page)
    notice, reset = rows[SUBJECT], rows["Choose a new password"]
    assert "Your return was accepted" in notice and ADMIN in notice
    assert "Failed" in notice and "Connection refused" in notice and "Failed 20" in notice
    assert "A link to choose a new password" in reset and "Waiting" in reset
    assert "The contents of security emails are not shown, as they hold a private link" in reset
    assert LINK not in page.source and "very-secret-token" not in page.source
    body = _row(page, SUBJECT).one("details").text
    assert "Sam Reviewer accepted City of York Council's self-assessment" in body
    assert _row(page, "Choose a new password").find("details") is None
    assert "Retry" in _row(page, SUBJECT).one("button").text
    buttons = page.one("table").find_all("button")
    assert len(buttons) == 1  # only the failed one


def test_the_state_filter_works_without_javascript_and_with_htmx(
    admin: TestClient, york: Partnership, messages: dict[str, OutboxMessage]
) -> None:
    failed = page_of(admin.get(_url(york, "?state=failed")))
    assert list(_rows(failed)) == [SUBJECT]
    assert failed.one("option", selected=True)["value"] == "failed"
    form = failed.one("form", method="get")
    assert form["action"] == _url(york) and form["hx-get"] == _url(york)
    fragment = admin.get(_url(york, "?state=waiting"), headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Choose a new password" in fragment.text and SUBJECT not in fragment.text
    none = page_of(admin.get(_url(york, "?state=delivered")))
    assert "No emails are delivered." in none.text
    anything = page_of(admin.get(_url(york, "?state=nonsense")))  # unknown: not filtered
    assert {SUBJECT, "Choose a new password"} <= set(_rows(anything))


def test_a_failed_email_is_sent_again(
    admin: TestClient, york: Partnership, db: Session, messages: dict[str, OutboxMessage]
) -> None:
    page = page_of(admin.get(_url(york, "?state=failed")))
    action, data = page.pressing(page.one("table").one("button"))
    assert action == _url(york, f"/{messages['notice'].id}/retry") and data["state"] == "failed"
    sent = admin.post(action, data=data)
    assert sent.status_code == 303
    assert sent.headers["location"] == _url(york, "?state=failed&retried=1")
    db.refresh(messages["notice"])
    assert messages["notice"].failed_at is None and messages["notice"].attempts == 0
    after = page_of(admin.get(sent.headers["location"]))
    assert "will be sent again" in after.text and "No emails are failed." in after.text
    refused = page_of(admin.post(action, data=data), status=409)  # it waits now
    assert refused.error_summary() is not None and refused.h1 == "Outbox"


def test_no_banner_once_a_mail_server_is_set(
    admin: TestClient, york: Partnership, messages: dict[str, OutboxMessage], mail_server: None
) -> None:
    page = page_of(admin.get(_url(york)))
    assert "No mail server is set" not in page.text and SUBJECT in _rows(page)


def test_others_see_no_link_and_are_refused(
    visitor_as: Callable[[str], TestClient],
    york: Partnership,
    db: Session,
    messages: dict[str, OutboxMessage],
) -> None:
    assert page_of(visitor_as(ADMIN).get(f"/p/{york.id}")).find("a", href=_url(york))
    scrutineer = visitor_as(SCRUTINEER)
    home = page_of(scrutineer.get(f"/p/{york.id}"))
    assert home.find("a", href=_url(york)) is None
    refused = page_of(scrutineer.get(_url(york)), status=403)
    assert refused.h1 == "You cannot do this" and SUBJECT not in refused.text
    retry = _url(york, f"/{messages['notice'].id}/retry")
    posted = scrutineer.post(retry, data={"csrf_token": home.csrf_token()})
    assert posted.status_code == 403
    db.refresh(messages["notice"])
    assert messages["notice"].failed_at is not None
    north = visitor_as(NORTH_ADMIN)
    assert page_of(north.get(_url(york)), status=404).h1 == "Page not found"
