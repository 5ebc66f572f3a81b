"""Helpers the web tests share: the demo people, signing in through the real form, reading
a response as a page, counting rows. (Kept out of conftest.py, which tests cannot import
reliably: every conftest module is called `conftest`.)"""

import httpx
from fastapi.testclient import TestClient
from pagekit import Page, parse
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

PASSWORD = "assure-demo-2023"
ADMIN = "admin@york.example"
SCRUTINEER = "scrutineer@york.example"
PANEL = "panel@york.example"
EXECUTIVE = "executive@york.example"
EDITOR = "editor@york.example"
APPROVER = "approver@york.example"
NORTH_ADMIN = "admin@northyorkshire.example"
PLATFORM = "platform@assure.example"

HTMX = {"HX-Request": "true"}


def submit_sign_in(
    client: TestClient,
    email: str,
    password: str = PASSWORD,
    *,
    next: str | None = None,
) -> httpx.Response:
    """Sign in as a person would: open the form, read its CSRF token, post it."""
    page = client.get("/sign-in", params={"next": next} if next is not None else None)
    assert page.status_code == 200, page.text
    form = parse(page.text)
    data = {
        "csrf_token": form.csrf_token(),
        "next": form.one("input", name="next")["value"],
        "email": email,
        "password": password,
    }
    return client.post("/sign-in", data=data)


def page_of(response: httpx.Response, status: int = 200) -> Page:
    """The response parsed as HTML, after checking its status and type."""
    assert response.status_code == status, (response.status_code, response.text[:2000])
    assert response.headers["content-type"].startswith("text/html"), response.headers
    return parse(response.text)


def csrf_of(client: TestClient, url: str) -> str:
    return page_of(client.get(url)).csrf_token()


def count(db: Session, model: type[SQLModel], *where) -> int:  # type: ignore[no-untyped-def]
    """Rows of a table, read from the database (not the session's identity map)."""
    return int(db.exec(select(func.count()).select_from(model).where(*where)).one())
