"""Choosing the emails you are sent: every kind with its label, ticked while it is sent,
saved as the kinds left unticked (read back from the API), reached from every page's
header, and only for someone signed in."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, select
from test_pages import assert_accessible_page
from websupport import EDITOR, page_of

from api.models import NoticeOptOut, User
from api.notices.kinds import NoticeKind

URL = "/account/notices"


def _off(db: Session, email: str) -> set[str]:
    user = db.exec(select(User).where(User.email == email)).one()
    return set(db.exec(select(NoticeOptOut.kind).where(NoticeOptOut.user_id == user.id)).all())


def test_every_kind_is_offered_and_the_choice_is_saved(
    visitor_as: Callable[[str], TestClient], db: Session
) -> None:
    editor = visitor_as(EDITOR)
    page = page_of(editor.get(URL))
    assert_accessible_page(page)
    assert page.h1 == "Emails you are sent"
    boxes = page.find_all("input", name="on")
    assert [b["value"] for b in boxes] == [k.value for k in NoticeKind]
    assert all(b.get("checked") is not None for b in boxes)  # every kind is sent at first
    label = page.one("label", for_="notice-return_accepted").text
    assert label == NoticeKind.return_accepted.label
    assert "always sent" in page.text

    action, data = page.pressing(page.one("form", action=URL).one("button"))
    assert data == {"csrf_token": page.csrf_token(), "on": NoticeKind.weekly_digest.value}
    # A browser sends each ticked box: untick the digest and the deadline reminder.
    keep = [k.value for k in NoticeKind if k not in (NoticeKind.weekly_digest,
                                                     NoticeKind.deadline_near)]  # fmt: skip
    saved = editor.post(action, data={"csrf_token": data["csrf_token"], "on": keep})
    assert saved.status_code == 303 and saved.headers["location"] == URL + "?saved=1"
    assert _off(db, EDITOR) == {"weekly_digest", "deadline_near"}
    after = page_of(editor.get(saved.headers["location"]))
    assert "Your choices were saved." in after.text
    unticked = {b["value"] for b in after.find_all("input", name="on") if "checked" not in b.attrs}
    assert unticked == {"weekly_digest", "deadline_near"}
    # Nothing ticked: every kind is off; everything ticked again: none.
    editor.post(URL, data={"csrf_token": data["csrf_token"]})
    assert _off(db, EDITOR) == {k.value for k in NoticeKind}
    editor.post(URL, data={"csrf_token": data["csrf_token"], "on": [k.value for k in NoticeKind]})
    assert _off(db, EDITOR) == set()


def test_the_header_links_to_it_and_the_signed_out_are_sent_to_sign_in(
    visitor_as: Callable[[str], TestClient], site: TestClient
) -> None:
    editor = visitor_as(EDITOR)
    home = page_of(editor.get("/", follow_redirects=True))
    link = home.one("a", href=URL)
    assert link.text == "Your emails" and "header-link" in link.classes
    here = page_of(editor.get(URL)).one("a", href=URL)
    assert here["aria-current"] == "page"
    away = site.get(URL)
    assert away.status_code == 303 and away.headers["location"].startswith("/sign-in?next=")
    token = page_of(site.get("/sign-in")).csrf_token()
    assert site.post(URL, data={"csrf_token": token, "on": []}).status_code == 303
