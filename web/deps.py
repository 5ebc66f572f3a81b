"""What every web route needs: the session, the signed-in viewer, CSRF checks, the API."""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from web.client import ApiClient, ApiError
from web.session import CSRF_FIELD, CSRF_HEADER, WebSession

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class NeedsSignIn(Exception):
    """No valid API token: the browser is sent to the sign-in page."""


class CsrfRejected(Exception):
    pass


class PageNotFound(Exception):
    pass


class PageForbidden(Exception):
    """The viewer's role does not allow this page; the message says so."""


def api(request: Request) -> ApiClient:
    client: ApiClient = request.app.state.api
    return client


Api = Annotated[ApiClient, Depends(api)]


def web_session(request: Request) -> WebSession:
    session: WebSession = request.state.web_session
    return session


@dataclass
class Viewer:
    session: WebSession
    me: dict[str, Any]

    @property
    def token(self) -> str | None:
        return self.session.token

    def partnership(self, partnership_id: int) -> dict[str, Any] | None:
        for p in self.me["partnerships"]:
            if p["id"] == partnership_id:
                return dict(p)
        return None


async def signed_in(request: Request, client: Api) -> Viewer:
    session = web_session(request)
    if not session.token:
        raise NeedsSignIn
    try:
        me = await client.get("/me", token=session.token)
    except ApiError as exc:
        if exc.status == 401:
            session.token = None
            raise NeedsSignIn from None
        raise
    return Viewer(session=session, me=me)


SignedIn = Annotated[Viewer, Depends(signed_in)]


@dataclass
class Place:
    """A signed-in viewer inside one partnership: what the page header and nav need."""

    viewer: Viewer
    partnership: dict[str, Any]

    @property
    def id(self) -> int:
        return int(self.partnership["id"])

    @property
    def token(self) -> str | None:
        return self.viewer.token

    def may(self, action: str) -> bool:
        return action in self.partnership["actions"]

    @property
    def sees_returns(self) -> bool:
        """Whether the viewer sees any return here, as the API says (every agency's for
        oversight, their own for agency staff)."""
        return self.partnership["returns_seen"] != "none"

    def require(self, action: str, message: str) -> None:
        if not self.may(action):
            raise PageForbidden(message)

    def context(self, **extra: Any) -> dict[str, Any]:
        return {"me": self.viewer.me, "place": self, **extra}


async def in_partnership(partnership_id: int, viewer: SignedIn) -> Place:
    partnership = viewer.partnership(partnership_id)
    if partnership is None:
        raise PageNotFound
    return Place(viewer=viewer, partnership=partnership)


InPartnership = Annotated[Place, Depends(in_partnership)]


async def verify_csrf(request: Request) -> None:
    """Every unsafe request must echo the session's CSRF token (form field or header)."""
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not web_session(request).csrf_matches(sent):
        raise CsrfRejected
