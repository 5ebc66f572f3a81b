# ruff: noqa: E501  (the matrix reads best as one row per route)
"""THE role matrix: every route of /api/v1, called by every kind of principal.

For each route the table below gives the exact status each principal gets in York:
the six York demo roles, North Yorkshire's admin, the platform admin (no partnership role),
a York service token with only `read`, one with every scope, and no token at all.
The same route is then called against North Yorkshire, where everyone from York must get
404 (they may not know it exists), and North Yorkshire's admin what York's admin gets.
A third test puts North Yorkshire's records under York's URLs: 404 for all.

Each principal's call runs inside its own savepoint, rolled back afterwards, so every
call sees the same data and one test covers a whole row.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from string import Formatter
from typing import Any

import pytest
from apikit import API, HOUSING, PASSWORD, PEOPLE, PROBLEM, api_routes, framework_doc
from fastapi import FastAPI
from fastapi.testclient import TestClient
from invitekit import latest_token
from sqlalchemy import Connection
from sqlmodel import Session, select

from api.models import Channel, OutboxMessage
from api.models.base import utcnow
from api.permissions import SCOPES

COLUMNS = (
    "admin", "scrutineer", "panel", "executive", "editor", "approver",
    "north_admin", "platform", "svc_read", "svc_all", "anon",
)  # fmt: skip

# "~" stands for /partnerships/{partnership_id}. Routes marked * are not about one partnership.
# A service token adding a person gets 422: the call sends a password, which no token sets.
# An invitation's link is its own proof: anyone holding it looks it up, and accepts it for an
# email without an account (whatever token the call carries).
# York's panel member sat on the 2023 challenge day, which invited the asked agency: it reads
# that agency's action plan (and refuses to let the panel change it, 403).
TABLE = """
route                                                    admin scrut panel exec  edit  appr  north plat  sRead sAll  anon
POST   /auth/token                                      *200   200   200   200   200   200   200   200   200   200   200
POST   /auth/revoke                                     *204   204   204   204   204   204   204   204   204   204   401
GET    /me                                              *200   200   200   200   200   200   200   200   200   200   401
POST   /auth/password-reset                             *202   202   202   202   202   202   202   202   202   202   202
POST   /auth/password-reset/confirm                     *204   204   204   204   204   204   204   204   204   204   204
GET    /scopes                                          *200   200   200   200   200   200   200   200   200   200   401
PATCH  /me                                              *200   200   200   200   200   200   200   200   403   403   401
GET    /me/notices                                      *200   200   200   200   200   200   200   200   403   403   401
PUT    /me/notices                                      *200   200   200   200   200   200   200   200   403   403   401
GET    /users/{user_id}                                 *403   403   403   403   403   403   403   200   403   403   401
PATCH  /users/{user_id}                                 *403   403   403   403   403   403   403   200   403   403   401
GET    /partnerships                                    *200   200   200   200   200   200   200   200   200   200   401
POST   /partnerships                                    *403   403   403   403   403   403   403   201   403   403   401
GET    ~                                                 200   200   200   200   200   200   404   404   200   200   401
PATCH  ~                                                 200   403   403   403   403   403   404   404   403   200   401
GET    ~/service-tokens                                  200   403   403   403   403   403   404   404   403   403   401
GET    ~/service-tokens/{token_id}                       200   403   403   403   403   403   404   404   403   403   401
POST   ~/service-tokens                                  201   403   403   403   403   403   404   404   403   403   401
DELETE ~/service-tokens/{token_id}                       204   403   403   403   403   403   404   404   403   403   401
GET    ~/agencies                                        200   200   200   200   200   200   404   404   200   200   401
POST   ~/agencies                                        201   403   403   403   403   403   404   404   403   201   401
GET    ~/agencies/{agency_id}                            200   200   200   200   200   200   404   404   200   200   401
PATCH  ~/agencies/{agency_id}                            200   403   403   403   403   403   404   404   403   200   401
POST   ~/agencies/{agency_id}/offers                     201   403   403   403   403   403   404   404   403   201   401
GET    ~/agency-offers                                   200   403   403   403   403   403   404   404   403   200   401
POST   ~/agency-offers/{offer_id}/accept                 201   403   403   403   403   403   404   404   403   201   401
DELETE ~/agency-offers/{offer_id}                        204   403   403   403   403   403   404   404   403   204   401
GET    ~/users                                           200   200   403   403   403   403   404   404   403   200   401
POST   ~/users                                           201   403   403   403   403   403   404   404   403   422   401
GET    ~/users/{user_id}                                 200   200   403   403   403   403   404   404   403   200   401
POST   ~/users/{user_id}/roles                           201   403   403   403   403   403   404   404   403   201   401
POST   ~/users/{user_id}/deactivate                      200   403   403   403   403   403   404   404   403   200   401
POST   ~/users/{user_id}/reactivate                      200   403   403   403   403   403   404   404   403   200   401
DELETE ~/roles/{membership_id}                           204   403   403   403   403   403   404   404   403   204   401
GET    ~/invitations                                     200   403   403   403   403   403   404   404   403   200   401
POST   ~/invitations                                     201   403   403   403   403   403   404   404   403   201   401
GET    ~/invitations/{invitation_id}                     200   403   403   403   403   403   404   404   403   200   401
POST   ~/invitations/{invitation_id}/resend              200   403   403   403   403   403   404   404   403   200   401
DELETE ~/invitations/{invitation_id}                     204   403   403   403   403   403   404   404   403   204   401
POST   /invitations/lookup                              *200   200   200   200   200   200   200   200   200   200   200
POST   /invitations/accept                              *201   201   201   201   201   201   201   201   201   201   201
GET    ~/frameworks                                      200   200   200   200   200   200   404   404   200   200   401
POST   ~/frameworks                                      201   403   403   403   403   403   404   404   403   201   401
GET    ~/frameworks/{framework_id}                       200   200   200   200   200   200   404   404   200   200   401
GET    ~/frameworks/{framework_id}/versions/{number}     200   200   200   200   200   200   404   404   200   200   401
GET    ~/programmes                                      200   200   200   200   200   200   404   404   200   200   401
POST   ~/programmes                                      201   403   403   403   403   403   404   404   403   201   401
GET    ~/programmes/{programme_id}                       200   200   200   200   200   200   404   404   200   200   401
PATCH  ~/programmes/{programme_id}                       200   403   403   403   403   403   404   404   403   200   401
POST   ~/programmes/{programme_id}/open                  200   403   403   403   403   403   404   404   403   200   401
POST   ~/programmes/{programme_id}/close                 200   403   403   403   403   403   404   404   403   200   401
GET    ~/programmes/{programme_id}/agencies              200   200   200   200   200   200   404   404   200   200   401
GET    ~/programmes/{programme_id}/compliance                200   200   200   200   403   403   404   404   200   200   401
PUT    ~/programmes/{programme_id}/agencies/{agency_id}  204   403   403   403   403   403   404   404   403   204   401
DELETE ~/programmes/{programme_id}/agencies/{agency_id}  204   403   403   403   403   403   404   404   403   204   401
GET    ~/returns                                         200   200   200   200   200   200   404   404   200   200   401
GET    ~/returns/{return_id}                             200   200   404   404   200   200   404   404   404   200   401
PUT    ~/returns/{return_id}/responses/{requirement_id}  403   403   404   404   200   200   404   404   404   200   401
POST   ~/returns/{return_id}/submit                      403   403   404   404   403   409   404   404   404   403   401
PUT    ~/returns/{return_id}/responses                   403   403   404   404   200   200   404   404   404   200   401
POST   ~/returns/{return_id}/carry-forward               403   403   404   404   200   200   404   404   404   200   401
POST   ~/returns/{return_id}/responses/{requirement_id}/confirm        403   403   404   404   200   200   404   404   404   200   401
POST   ~/returns/{return_id}/standards/{standard_id}/confirm           403   403   404   404   200   200   404   404   404   200   401
PUT    ~/returns/{return_id}/extension                   200   403   404   404   403   403   404   404   404   200   401
DELETE ~/returns/{return_id}/extension                   200   403   404   404   403   403   404   404   404   200   401
GET    ~/returns/{return_id}/versions                    200   200   404   404   200   200   404   404   404   200   401
GET    ~/returns/{return_id}/versions/{number}           200   200   404   404   200   200   404   404   404   200   401
GET    ~/returns/{return_id}/compare                     200   200   404   404   200   200   404   404   404   200   401
POST   ~/returns/{return_id}/responses/{requirement_id}/attachments          403   403   404   404   201   201   404   404   404   201   401
GET    ~/returns/{return_id}/attachments/{attachment_id}                     200   200   404   404   200   200   404   404   404   200   401
DELETE ~/returns/{return_id}/attachments/{attachment_id}                     403   403   404   404   204   204   404   404   404   204   401
GET    ~/returns/{return_id}/versions/{number}/attachments/{attachment_id}   200   200   404   404   200   200   404   404   404   200   401
POST   ~/returns/{return_id}/return                      200   403   404   404   403   403   404   404   404   200   401
PUT    ~/returns/{return_id}/moderation/requirements/{requirement_id}  200   403   404   404   403   403   404   404   404   200   401
PUT    ~/returns/{return_id}/moderation/standards/{standard_id}        200   403   404   404   403   403   404   404   404   200   401
POST   ~/returns/{return_id}/accept                      200   403   404   404   403   403   404   404   404   200   401
GET    ~/actions                                         200   200   200   200   200   200   404   404   200   200   401
POST   ~/returns/{return_id}/actions                     403   403   404   404   201   201   404   404   404   201   401
GET    ~/actions/{action_id}                             200   200   200   404   200   200   404   404   404   200   401
PATCH  ~/actions/{action_id}                             403   403   403   404   200   200   404   404   404   200   401
POST   ~/actions/{action_id}/updates                     403   403   403   404   201   201   404   404   404   201   401
GET    ~/audit-events                                    200   200   403   403   403   403   404   404   403   200   401
GET    ~/challenge-events                                200   200   200   200   200   200   404   404   200   200   401
POST   ~/challenge-events                                201   201   403   403   403   403   404   404   403   201   401
GET    ~/challenge-events/{event_id}                     200   200   200   200   200   200   404   404   200   200   401
PATCH  ~/challenge-events/{event_id}                     200   200   403   403   403   403   404   404   403   200   401
POST   ~/challenge-events/{event_id}/cancel              200   200   403   403   403   403   404   404   403   200   401
POST   ~/challenge-events/{event_id}/invitations         201   201   403   403   403   403   404   404   403   201   401
DELETE ~/challenge-events/{event_id}/invitations/{session_id}  204   204   403   403   403   403   404   404   403   204   401
GET    ~/challenge-events/{event_id}/candidates          200   200   403   403   403   403   404   404   403   200   401
GET    ~/challenge-events/{event_id}/report              200   200   200   200   200   200   404   404   200   200   401
GET    ~/challenge-events/{event_id}/sessions/{session_id} 200 200   200   200   200   200   404   404   200   200   401
PUT    ~/challenge-events/{event_id}/sessions/{session_id}/scores/{standard_id} 403 200 200 403 403 403 404 404 403 403 401
POST   ~/challenge-events/{event_id}/sessions/{session_id}/close 403 200 403 403 403   403   404   404   403   403   401
POST   ~/challenge-events/{event_id}/sessions/{session_id}/reopen 403 409 403 403 403   403   404   404   403   403   401
GET    ~/challenge-events/{event_id}/sessions/{session_id}/enquiries 200 200 200 200 200 200 404 404 200 200 401
POST   ~/challenge-events/{event_id}/sessions/{session_id}/enquiries 201 201 201 403 403 403 404 404 403 201 401
GET    ~/challenge-events/{event_id}/sessions/{session_id}/enquiries/{enquiry_id} 200 200 200 404 404 404 404 404 404 200 401
PATCH  ~/challenge-events/{event_id}/sessions/{session_id}/enquiries/{enquiry_id} 200 200 200 404 404 404 404 404 404 200 401
DELETE ~/challenge-events/{event_id}/sessions/{session_id}/enquiries/{enquiry_id} 204 204 204 404 404 404 404 404 404 204 401
POST   ~/challenge-events/{event_id}/sessions/{session_id}/enquiries/{enquiry_id}/publish 403 200 403 404 404 404 404 404 404 403 401
POST   ~/challenge-events/{event_id}/sessions/{session_id}/publish-enquiries 403 200 403 403 403 403 404 404 403 403 401
PUT    ~/challenge-events/{event_id}/sessions/{session_id}/enquiries/{enquiry_id}/answer 403 403 403 403 200 200 404 404 403 200 401
GET    ~/follow-ups                                      200   200   200   200   200   200   404   404   200   200   401
GET    ~/follow-ups/{follow_up_id}                       200   200   200   200   200   200   404   404   200   200   401
PATCH  ~/follow-ups/{follow_up_id}                       200   200   403   403   200   200   404   404   403   200   401
POST   ~/follow-ups/{follow_up_id}/updates               201   201   403   403   201   201   404   404   403   201   401
GET    ~/outbox                                          200   403   403   403   403   403   404   404   403   403   401
POST   ~/outbox/{message_id}/retry                       200   403   403   403   403   403   404   404   403   403   401
GET    /webhook-events                                  *200   200   200   200   200   200   200   200   200   200   401
GET    ~/webhooks                                        200   403   403   403   403   403   404   404   403   403   401
POST   ~/webhooks                                        201   403   403   403   403   403   404   404   403   403   401
GET    ~/webhooks/{webhook_id}                           200   403   403   403   403   403   404   404   403   403   401
PATCH  ~/webhooks/{webhook_id}                           200   403   403   403   403   403   404   404   403   403   401
DELETE ~/webhooks/{webhook_id}                           204   403   403   403   403   403   404   404   403   403   401
POST   ~/webhooks/{webhook_id}/rotate-secret             200   403   403   403   403   403   404   404   403   403   401
GET    ~/webhooks/{webhook_id}/deliveries                200   403   403   403   403   403   404   404   403   403   401
POST   ~/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver  200   403   403   403   403   403   404   404   403   403   401
GET    ~/onboarding/{kind}/template                      200   403   403   403   403   403   404   404   403   200   401
POST   ~/onboarding/{kind}/preview                       200   403   403   403   403   403   404   404   403   200   401
POST   ~/onboarding/{kind}                               201   403   403   403   403   403   404   404   403   201   401
"""


def _parse(table: str) -> dict[tuple[str, str], tuple[bool, dict[str, int]]]:
    rows: dict[tuple[str, str], tuple[bool, dict[str, int]]] = {}
    for line in table.strip().splitlines()[1:]:
        method, path, *statuses = line.split()
        unscoped = statuses[0].startswith("*")
        codes = [int(s.lstrip("*")) for s in statuses]
        assert len(codes) == len(COLUMNS), line
        full = path.replace("~", "/partnerships/{partnership_id}", 1)
        assert (method, full) not in rows, line
        rows[(method, full)] = (not unscoped, dict(zip(COLUMNS, codes, strict=True)))
    return rows


MATRIX = _parse(TABLE)

NO_OVERSIGHT = frozenset({"panel", "executive", "editor", "approver"})


def _only(row: dict[str, Any], cells: Iterable[str]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k in set(cells)}


SCOPED = [key for key, (scoped, _) in MATRIX.items() if scoped]
UNSCOPED = [key for key, (scoped, _) in MATRIX.items() if not scoped]


def _id(key: tuple[str, str]) -> str:
    return f"{key[0]} {key[1].removeprefix('/partnerships/{partnership_id}') or '~'}"


def test_the_matrix_covers_every_route(api_app: FastAPI) -> None:
    """A new route without a row in TABLE fails here; so does a row for a removed route."""
    routes = set(api_routes(api_app))
    assert len(routes) >= 30  # the walk found the routes at all
    assert {(m, API + p) for m, p in MATRIX} == routes


# ---------------------------------------------------------------------------------------
# The data each call acts on, per partnership.


class Target:
    """One partnership's records that the calls act on, each made on first use.

    Only what a test's route needs is created, which keeps the matrix fast.
    """

    def __init__(
        self, world: "World", pid: int, admin: str, *, agency: str, asked: str, user_role: str
    ):
        self.world, self.partnership_id, self.admin = world, pid, admin
        self.writer: dict[str, str] = {}
        self._agency, self._asked, self._user_role = agency, asked, user_role
        self.p = f"/partnerships/{pid}"

    def _ok(self, method: str, url: str, status: int = 200, **kw: Any) -> Any:
        r = self.world.client.request(method, API + url, headers=self.world.auth(self.admin), **kw)
        assert r.status_code == status, r.text
        return r

    @cached_property
    def agency(self) -> int:
        """An agency of the partnership that the draft programme does not ask."""
        return self.world.agency_id(self._agency)

    @cached_property
    def asked_agency(self) -> int:
        """The agency the draft programme asks."""
        return self.world.agency_id(self._asked)

    @cached_property
    def _section_11(self) -> dict[str, Any]:
        items = self._ok("GET", f"{self.p}/frameworks").json()["items"]
        return next(f for f in items if f["key"] == "section-11")

    @cached_property
    def framework(self) -> int:
        return self._section_11["id"]

    @cached_property
    def version_id(self) -> int:
        return self._section_11["latest_version"]["id"]

    @cached_property
    def own_framework(self) -> int:
        """A framework the partnership imported for itself."""
        r = self._ok(
            "POST", f"{self.p}/frameworks", 201, json=framework_doc(f"own-{self.partnership_id}")
        )
        return r.json()["framework_id"]

    def _programme(self, title: str, agencies: list[int]) -> int:
        return self._ok("POST", f"{self.p}/programmes", 201, json={
            "title": title, "framework_version_id": self.version_id,
            "opens_on": "2026-01-01", "deadline": "2026-12-01", "agency_ids": agencies,
        }).json()["id"]  # fmt: skip

    @cached_property
    def draft_programme(self) -> int:
        return self._programme("Draft", [self.asked_agency])

    @cached_property
    def open_programme(self) -> int:
        opened = self._programme("Open", [self.asked_agency, self.agency])
        self._ok("POST", f"{self.p}/programmes/{opened}/open")
        return opened

    @cached_property
    def return_(self) -> int:
        """The return of the asked agency (whose staff are the demo's) in the open programme."""
        found = self._ok(
            "GET",
            f"{self.p}/returns",
            params={"programme_id": self.open_programme, "agency_id": self.asked_agency},
        ).json()["items"]
        return int(found[0]["id"])

    @cached_property
    def requirement(self) -> int:
        """The first requirement of the framework the open programme uses."""
        version = self._ok("GET", f"{self.p}/frameworks/{self.framework}/versions/1").json()
        return int(version["standards"][0]["requirements"][0]["id"])

    @cached_property
    def action(self) -> int:
        """An action in the plan of the asked agency, made by whoever answers for it."""
        r = self.world.client.post(
            f"{API}{self.p}/returns/{self.return_}/actions",
            headers=self.writer,
            json={"description": "An action", "owner": "Someone", "due_on": "2027-01-31",
                  "requirement_ids": [self.requirement]},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    @cached_property
    def requirements(self) -> list[int]:
        version = self._ok("GET", f"{self.p}/frameworks/{self.framework}/versions/1").json()
        return [r["id"] for s in version["standards"] for r in s["requirements"]]

    @cached_property
    def carried_requirement(self) -> int:
        """The first requirement, its answer carried forward into the asked agency's return.

        Only York's demo agency has an accepted return to carry from; elsewhere (a foreign
        case, whose ids are replaced) the first requirement is returned as it is.
        """
        r = self.world.client.post(
            f"{API}{self.p}/returns/{self.return_}/carry-forward", headers=self.writer
        )
        assert r.status_code == (200 if self is self.world.york else 409), r.text
        return self.requirement

    @cached_property
    def standard(self) -> int:
        """The first standard of the framework the open programme uses."""
        version = self._ok("GET", f"{self.p}/frameworks/{self.framework}/versions/1").json()
        return int(version["standards"][0]["id"])

    @cached_property
    def approver(self) -> dict[str, str]:
        """The asked agency's approver: York's demo approver, or one made for the test."""
        if self.partnership_id == self.world.york.partnership_id:
            return self.world.principals["approver"]
        email = f"approver.{self.partnership_id}@example.org"
        self._ok("POST", f"{self.p}/users", 201, json={
            "email": email, "name": "Test Approver", "password": PASSWORD,
            "roles": [{"role": "agency_approver", "agency_id": self.asked_agency}],
        })  # fmt: skip
        r = self.world.client.post(
            f"{API}/auth/token", data={"username": email, "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    @cached_property
    def attachment(self) -> int:
        """An evidence file on the first requirement of the asked agency's return."""
        r = self.world.client.post(
            f"{API}{self.p}/returns/{self.return_}/responses/{self.requirement}/attachments",
            headers=self.writer,
            files={"file": ("policy.txt", b"Our safeguarding policy.\n", "text/plain")},
        )
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    @cached_property
    def submitted_return(self) -> int:
        """The asked agency's return, with a file, answered in full and submitted as version 1."""
        assert self.attachment
        answers = [{"requirement_id": r, "rating": "met", "evidence": "Policy", "version": 0}
                   for r in self.requirements]  # fmt: skip
        r = self.world.client.put(
            f"{API}{self.p}/returns/{self.return_}/responses",
            headers=self.writer,
            json={"responses": answers},
        )
        assert r.status_code == 200, r.text
        r = self.world.client.post(
            f"{API}{self.p}/returns/{self.return_}/submit",
            headers=self.approver,
            json={"name": "Test Approver", "role": "Head of service", "declaration": True},
        )
        assert r.status_code == 200, r.text
        return self.return_

    @cached_property
    def other_return(self) -> int:
        """Another agency's return in the same programme."""
        found = self._ok(
            "GET",
            f"{self.p}/returns",
            params={"programme_id": self.open_programme, "agency_id": self.agency},
        ).json()["items"]
        return int(found[0]["id"])

    @cached_property
    def token(self) -> int:
        """A service token that may be revoked."""
        body = {"name": "to revoke", "scopes": ["read"]}
        return self._ok("POST", f"{self.p}/service-tokens", 201, json=body).json()["id"]

    @cached_property
    def user(self) -> int:
        users = self._ok("GET", f"{self.p}/users", params={"role": self._user_role}).json()
        return users["items"][0]["id"]

    @cached_property
    def person(self) -> int:
        """Someone who may be deactivated: York's `user`, or an executive made for the test
        (North Yorkshire's `user` is its admin, who may not deactivate themselves)."""
        if self.partnership_id == self.world.york.partnership_id:
            return self.user
        r = self._ok("POST", f"{self.p}/users", 201, json={
            "email": f"person.{self.partnership_id}@example.org", "name": "Test Person",
            "password": PASSWORD, "roles": [{"role": "executive"}],
        })  # fmt: skip
        return int(r.json()["id"])

    @cached_property
    def deactivated(self) -> int:
        """`person`, deactivated here."""
        self._ok("POST", f"{self.p}/users/{self.person}/deactivate")
        return self.person

    @cached_property
    def membership(self) -> int:
        """A role that may be removed: a second role given to `user`."""
        r = self._ok("POST", f"{self.p}/users/{self.user}/roles", 201, json={"role": "executive"})
        return next(x["membership_id"] for x in r.json()["roles"] if x["role"] == "executive")

    @cached_property
    def invitation(self) -> int:
        """A pending invitation of the partnership's, to someone with no account."""
        r = self._ok("POST", f"{self.p}/invitations", 201, json={
            "email": f"invited.{self.partnership_id}@example.org", "name": "Invited Person",
            "roles": [{"role": "executive"}],
        })  # fmt: skip
        return int(r.json()["id"])

    @cached_property
    def invitation_token(self) -> str:
        """The link's token of `invitation`, as its email carries it."""
        assert self.invitation
        return latest_token(self.world.db, f"invited.{self.partnership_id}@example.org")

    @property
    def other_slug(self) -> str:
        """The slug of the demo's other partnership, to offer an agency to."""
        return "north-yorkshire" if self is self.world.york else "york"

    @cached_property
    def offer(self) -> int:
        """An offer made to this partnership: the other one offers an agency it keeps."""
        other = self.world.north if self is self.world.york else self.world.york
        r = other._ok(
            "POST", f"{other.p}/agencies/{other.agency}/offers", 201,
            json={"partnership": other.other_slug},
        )  # fmt: skip
        return int(r.json()["id"])

    @cached_property
    def outside_offer(self) -> int:
        """An offer this partnership made to a third partnership."""
        slug = f"third-{self.partnership_id}"
        r = self.world.client.post(
            f"{API}/partnerships",
            headers=self.world.principals["platform"],
            json={"slug": slug, "name": "A third partnership"},
        )
        assert r.status_code == 201, r.text
        r = self._ok(
            "POST", f"{self.p}/agencies/{self.agency}/offers", 201, json={"partnership": slug}
        )
        return int(r.json()["id"])

    @cached_property
    def chair(self) -> int:
        """Who chairs the challenge event: York's scrutineer, or one made for the test."""
        if self.partnership_id == self.world.york.partnership_id:
            users = self._ok("GET", f"{self.p}/users", params={"role": "scrutineer"}).json()
            return int(users["items"][0]["id"])
        r = self._ok("POST", f"{self.p}/users", 201, json={
            "email": f"chair.{self.partnership_id}@example.org", "name": "Test Chair",
            "password": PASSWORD, "roles": [{"role": "scrutineer"}],
        })  # fmt: skip
        return int(r.json()["id"])

    @cached_property
    def event(self) -> int:
        """A challenge event of the open programme; York's panel member sits on York's,
        and it invites the asked agency (whose staff, in York, are the demo's)."""
        in_york = self.partnership_id == self.world.york.partnership_id
        panel = [self._york_panel_member] if in_york else []
        r = self._ok("POST", f"{self.p}/challenge-events", 201, json={
            "programme_id": self.open_programme, "title": "Challenge day",
            "held_on": "2027-10-31", "place": "West Offices", "chair_user_id": self.chair,
            "panel_user_ids": panel,
        })  # fmt: skip
        event = int(r.json()["id"])
        self._ok("POST", f"{self.p}/challenge-events/{event}/invitations", 201, json={
            "agency_id": self.asked_agency, "reason": "Self-rated met everywhere",
        })  # fmt: skip
        return event

    @cached_property
    def _york_panel_member(self) -> int:
        """The panel member the matrix signs in as (York has others)."""
        users = self._ok("GET", f"{self.p}/users", params={"role": "panel_member"}).json()
        return next(int(u["id"]) for u in users["items"] if u["email"] == PEOPLE["panel"])

    @cached_property
    def reset_token(self) -> str:
        """A password reset link's token, for York's panel member, read from the outbox."""
        r = self.world.client.post(f"{API}/auth/password-reset", json={"email": PEOPLE["panel"]})
        assert r.status_code == 202, r.text
        [message] = self.world.db.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "password_reset")
        ).all()
        return message.body.split("/reset-password?token=")[1].split()[0]

    @cached_property
    def session(self) -> int:
        """The asked agency's session at the event (its invitation)."""
        r = self._ok("GET", f"{self.p}/challenge-events/{self.event}")
        return int(r.json()["sessions"][0]["id"])

    @cached_property
    def _chair_auth(self) -> dict[str, str]:
        if self.partnership_id == self.world.york.partnership_id:
            return self.world.auth("scrutineer")
        r = self.world.client.post(f"{API}/auth/token", data={
            "username": f"chair.{self.partnership_id}@example.org", "password": PASSWORD,
        })  # fmt: skip
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def _as_chair(self, method: str, url: str, status: int, **kw: Any) -> Any:
        headers = {**self._chair_auth, **kw.pop("headers", {})}
        r = self.world.client.request(method, API + url, headers=headers, **kw)
        assert r.status_code == status, r.text
        return r.json()

    @property
    def _enquiries(self) -> str:
        _ = self.chair  # the chair exists before signing in as them
        return f"{self.p}/challenge-events/{self.event}/sessions/{self.session}/enquiries"

    @cached_property
    def enquiry(self) -> int:
        """A draft line of enquiry in the session, by the chair."""
        made = self._as_chair("POST", self._enquiries, 201, json={"question": "Why met?"})
        return int(made["id"])

    @cached_property
    def published_enquiry(self) -> int:
        """A line of enquiry the chair has published to the agency, not yet answered."""
        made = self._as_chair("POST", self._enquiries, 201, json={"question": "How so?"})
        self._as_chair("POST", f"{self._enquiries}/{made['id']}/publish", 200,
                       headers={"If-Match": '"1"'})  # fmt: skip
        return int(made["id"])

    @cached_property
    def message(self) -> int:
        """An email of the partnership's that failed every attempt."""
        message = OutboxMessage(
            key=f"matrix-{self.partnership_id}", partnership_id=self.partnership_id,
            kind="return_returned", recipient="someone@example.org", subject="Returned",
            body="Please add the minutes.", attempts=8, failed_at=utcnow(),
        )  # fmt: skip
        self.world.db.add(message)
        self.world.db.flush()
        assert message.id is not None
        return message.id

    @cached_property
    def webhook(self) -> int:
        """An endpoint of the partnership's, told of submissions."""
        made = self._ok("POST", self.p + "/webhooks", 201, json={
            "url": f"https://receiver.example.org/{self.partnership_id}",
            "events": ["return.submit"],
        })  # fmt: skip
        return int(made.json()["id"])

    @cached_property
    def delivery(self) -> int:
        """A delivery to that endpoint that failed every attempt."""
        message = OutboxMessage(
            key=f"matrix-hook-{self.partnership_id}", partnership_id=self.partnership_id,
            channel=Channel.webhook, webhook_id=self.webhook, kind="return.submit",
            recipient="https://receiver.example.org", subject="return.submit", body="{}",
            attempts=8, failed_at=utcnow(), last_status=503,
        )  # fmt: skip
        self.world.db.add(message)
        self.world.db.flush()
        assert message.id is not None
        return message.id

    @cached_property
    def follow_up(self) -> int:
        """A follow-up of the asked agency's session, which the event's chair closes for it
        (only the follow-up routes' rows use it, so no other row sees the session closed)."""
        chair = self.world.principals["scrutineer"]
        if self.partnership_id != self.world.york.partnership_id:
            assert self.chair
            r = self.world.client.post(API + "/auth/token", data={
                "username": f"chair.{self.partnership_id}@example.org", "password": PASSWORD,
            })  # fmt: skip
            chair = {"Authorization": f"Bearer {r.json()['access_token']}"}
        url = f"{self.p}/challenge-events/{self.event}/sessions/{self.session}"
        r = self.world.client.post(
            API + url + "/close", headers={**chair, **self.etag(url.removeprefix(self.p))},
            json={"outcome": "partially_assured", "follow_ups": [
                {"description": "Send the audit", "owner": "Lead", "due_on": "2027-12-31"},
            ]},
        )  # fmt: skip
        assert r.status_code == 200, r.text
        return int(r.json()["follow_ups"][0]["id"])

    def etag(self, path: str) -> dict[str, str]:
        return {"If-Match": self._ok("GET", self.p + path).headers["ETag"]}

    def value(self, param: str) -> int | str:
        if param == "kind":  # onboarding: what the CSV holds
            return "agencies"
        if param == "partnership_id":
            return self.partnership_id
        if param == "number":
            return 1
        if param == "programme_id":
            return self.open_programme
        if param == "return_id":
            return self.return_
        if param == "requirement_id":
            return self.requirement
        return getattr(self, param.removesuffix("_id"))


@dataclass
class Call:
    ids: dict[str, int] = field(default_factory=dict)
    json: Any = None
    data: dict[str, str] | None = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] | None = None
    files: dict[str, Any] | None = None


P = "/partnerships/{partnership_id}"
SESSION = f"{P}/challenge-events/{{event_id}}/sessions/{{session_id}}"
ENQUIRIES = SESSION + "/enquiries"
# A call per route that succeeds for the partnership's admin, built for a target.
CALLS: dict[tuple[str, str], Callable[[Target], Call]] = {
    ("GET", "/me/notices"): lambda t: Call(),
    ("PUT", "/me/notices"): lambda t: Call(json={"off": ["weekly_digest"]}),
    ("POST", "/auth/token"): lambda t: Call(
        data={"username": PEOPLE["admin"], "password": PASSWORD}
    ),
    ("POST", "/auth/revoke"): lambda t: Call(),
    ("POST", "/auth/password-reset"): lambda t: Call(json={"email": PEOPLE["panel"]}),
    ("POST", "/auth/password-reset/confirm"): lambda t: Call(
        json={"token": t.reset_token, "new_password": "a matrix reset password"}
    ),
    ("GET", "/me"): lambda t: Call(),
    ("GET", "/scopes"): lambda t: Call(),
    ("PATCH", "/me"): lambda t: Call(json={"name": "Matrix Name"}, headers={"If-Match": "*"}),
    ("GET", "/users/{user_id}"): lambda t: Call(),
    ("PATCH", "/users/{user_id}"): lambda t: Call(
        json={"name": "Matrix Name"}, headers={"If-Match": "*"}
    ),
    ("GET", "/partnerships"): lambda t: Call(),
    ("POST", "/partnerships"): lambda t: Call(
        json={"slug": "matrix-new", "name": "Matrix partnership"}
    ),
    ("GET", P): lambda t: Call(),
    ("PATCH", P): lambda t: Call(json={"area": "Somewhere"}, headers=t.etag("")),
    ("GET", f"{P}/service-tokens"): lambda t: Call(),
    ("POST", f"{P}/service-tokens"): lambda t: Call(json={"name": "matrix", "scopes": ["read"]}),
    ("DELETE", f"{P}/service-tokens/{{token_id}}"): lambda t: Call(),
    ("GET", f"{P}/service-tokens/{{token_id}}"): lambda t: Call(),
    ("GET", f"{P}/agencies"): lambda t: Call(),
    ("POST", f"{P}/agencies"): lambda t: Call(
        json={"name": "Matrix Agency", "sector": "voluntary"}
    ),
    ("GET", f"{P}/agencies/{{agency_id}}"): lambda t: Call(),
    ("PATCH", f"{P}/agencies/{{agency_id}}"): lambda t: Call(
        json={"sector": "other"}, headers=t.etag(f"/agencies/{t.agency}")
    ),
    ("POST", f"{P}/agencies/{{agency_id}}/offers"): lambda t: Call(
        json={"partnership": t.other_slug}
    ),
    ("GET", f"{P}/agency-offers"): lambda t: Call(),
    ("POST", f"{P}/agency-offers/{{offer_id}}/accept"): lambda t: Call(json={}),
    ("DELETE", f"{P}/agency-offers/{{offer_id}}"): lambda t: Call(),
    ("GET", f"{P}/users"): lambda t: Call(),
    ("POST", f"{P}/users"): lambda t: Call(
        json={
            "email": "matrix.person@example.org",
            "name": "Matrix Person",
            "password": "a long enough password",
            "roles": [{"role": "executive"}],
        }
    ),  # fmt: skip
    ("GET", f"{P}/users/{{user_id}}"): lambda t: Call(),
    ("POST", f"{P}/users/{{user_id}}/roles"): lambda t: Call(json={"role": "scrutineer"}),
    ("POST", f"{P}/users/{{user_id}}/deactivate"): lambda t: Call(ids={"user_id": t.person}),
    ("POST", f"{P}/users/{{user_id}}/reactivate"): lambda t: Call(ids={"user_id": t.deactivated}),
    ("DELETE", f"{P}/roles/{{membership_id}}"): lambda t: Call(),
    ("GET", f"{P}/invitations"): lambda t: Call(),
    ("POST", f"{P}/invitations"): lambda t: Call(
        json={
            "email": "matrix.invitee@example.org",
            "name": "Matrix Invitee",
            "roles": [{"role": "executive"}],
        }
    ),  # fmt: skip
    ("GET", f"{P}/invitations/{{invitation_id}}"): lambda t: Call(),
    ("POST", f"{P}/invitations/{{invitation_id}}/resend"): lambda t: Call(),
    ("DELETE", f"{P}/invitations/{{invitation_id}}"): lambda t: Call(),
    ("POST", "/invitations/lookup"): lambda t: Call(json={"token": t.invitation_token}),
    ("POST", "/invitations/accept"): lambda t: Call(
        json={"token": t.invitation_token, "password": "a long enough password"}
    ),
    ("GET", f"{P}/frameworks"): lambda t: Call(),
    ("POST", f"{P}/frameworks"): lambda t: Call(json=framework_doc("matrix-framework")),
    ("GET", f"{P}/frameworks/{{framework_id}}"): lambda t: Call(),
    ("GET", f"{P}/frameworks/{{framework_id}}/versions/{{number}}"): lambda t: Call(),
    ("GET", f"{P}/programmes"): lambda t: Call(),
    ("POST", f"{P}/programmes"): lambda t: Call(
        json={
            "title": "Matrix programme",
            "framework_version_id": t.version_id,
            "opens_on": "2027-01-01",
            "deadline": "2027-03-31",
            "agency_ids": [t.agency],
        }
    ),  # fmt: skip
    ("GET", f"{P}/programmes/{{programme_id}}"): lambda t: Call(),
    ("PATCH", f"{P}/programmes/{{programme_id}}"): lambda t: Call(
        json={"title": "Renamed programme"}, headers=t.etag(f"/programmes/{t.open_programme}")
    ),
    ("POST", f"{P}/programmes/{{programme_id}}/open"): lambda t: Call(
        ids={"programme_id": t.draft_programme}
    ),
    ("POST", f"{P}/programmes/{{programme_id}}/close"): lambda t: Call(),
    ("GET", f"{P}/programmes/{{programme_id}}/agencies"): lambda t: Call(),
    ("GET", f"{P}/programmes/{{programme_id}}/compliance"): lambda t: Call(),
    ("PUT", f"{P}/programmes/{{programme_id}}/agencies/{{agency_id}}"): lambda t: Call(
        ids={"programme_id": t.draft_programme}
    ),
    ("DELETE", f"{P}/programmes/{{programme_id}}/agencies/{{agency_id}}"): lambda t: Call(
        ids={"programme_id": t.draft_programme, "agency_id": t.asked_agency}
    ),
    ("GET", f"{P}/returns"): lambda t: Call(),
    ("GET", f"{P}/returns/{{return_id}}"): lambda t: Call(),
    ("PUT", f"{P}/returns/{{return_id}}/responses/{{requirement_id}}"): lambda t: Call(
        json={"rating": "met", "evidence": "Our policy"}, headers={"If-Match": '"0"'}
    ),
    ("POST", f"{P}/returns/{{return_id}}/submit"): lambda t: Call(
        json={"name": "Ann Approver", "role": "Head of Housing", "declaration": True}
    ),
    ("PUT", f"{P}/returns/{{return_id}}/responses"): lambda t: Call(
        json={"responses": [{"requirement_id": t.requirement, "rating": "met", "version": 0}]}
    ),
    ("POST", f"{P}/returns/{{return_id}}/carry-forward"): lambda t: Call(),
    ("POST", f"{P}/returns/{{return_id}}/responses/{{requirement_id}}/confirm"): lambda t: Call(
        ids={"requirement_id": t.carried_requirement}, headers={"If-Match": '"1"'}
    ),
    ("POST", f"{P}/returns/{{return_id}}/standards/{{standard_id}}/confirm"): lambda t: Call(
        ids={"standard_id": t.standard}
    ),
    ("PUT", f"{P}/returns/{{return_id}}/extension"): lambda t: Call(
        json={"due_on": "2027-02-26", "reason": "A new safeguarding lead starts in January"},
        headers={"If-Match": "*"},
    ),
    ("DELETE", f"{P}/returns/{{return_id}}/extension"): lambda t: Call(headers={"If-Match": "*"}),
    ("GET", f"{P}/returns/{{return_id}}/versions"): lambda t: Call(
        ids={"return_id": t.submitted_return}
    ),
    ("GET", f"{P}/returns/{{return_id}}/versions/{{number}}"): lambda t: Call(
        ids={"return_id": t.submitted_return}
    ),
    ("GET", f"{P}/returns/{{return_id}}/compare"): lambda t: Call(
        ids={"return_id": t.submitted_return}, params={"from": 1, "to": 1}
    ),
    ("POST", f"{P}/returns/{{return_id}}/responses/{{requirement_id}}/attachments"): lambda t: Call(
        files={"file": ("minutes.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
    ),
    ("GET", f"{P}/returns/{{return_id}}/attachments/{{attachment_id}}"): lambda t: Call(),
    ("DELETE", f"{P}/returns/{{return_id}}/attachments/{{attachment_id}}"): lambda t: Call(),
    ("GET", f"{P}/returns/{{return_id}}/versions/{{number}}/attachments/{{attachment_id}}"): (
        lambda t: Call(ids={"attachment_id": t.attachment, "return_id": t.submitted_return})
    ),
    ("POST", f"{P}/returns/{{return_id}}/return"): lambda t: Call(
        ids={"return_id": t.submitted_return}, json={"reason": "More, please"}
    ),
    ("PUT", f"{P}/returns/{{return_id}}/moderation/requirements/{{requirement_id}}"): lambda t: (
        Call(
            ids={"return_id": t.submitted_return},
            json={"rating": "met"},
            headers={"If-Match": '"0"'},
        )
    ),
    ("PUT", f"{P}/returns/{{return_id}}/moderation/standards/{{standard_id}}"): lambda t: Call(
        ids={"return_id": t.submitted_return}, json={"rating": "met"}, headers={"If-Match": '"0"'}
    ),
    ("POST", f"{P}/returns/{{return_id}}/accept"): lambda t: Call(
        ids={"return_id": t.submitted_return}, json={}
    ),
    ("GET", f"{P}/actions"): lambda t: Call(),
    ("POST", f"{P}/returns/{{return_id}}/actions"): lambda t: Call(
        json={
            "description": "Refresh the policy",
            "owner": "Head of service",
            "due_on": "2027-03-31",
            "requirement_ids": [t.requirement],
        }
    ),  # fmt: skip
    ("GET", f"{P}/actions/{{action_id}}"): lambda t: Call(),
    ("PATCH", f"{P}/actions/{{action_id}}"): lambda t: Call(
        json={"status": "in_progress"}, headers=t.etag(f"/actions/{t.action}")
    ),
    ("POST", f"{P}/actions/{{action_id}}/updates"): lambda t: Call(json={"note": "Drafted"}),
    ("GET", f"{P}/audit-events"): lambda t: Call(),
    ("GET", f"{P}/challenge-events"): lambda t: Call(),
    ("POST", f"{P}/challenge-events"): lambda t: Call(
        json={
            "programme_id": t.open_programme,
            "title": "Matrix day",
            "held_on": "2027-11-01",
            "place": "Online",
            "chair_user_id": t.chair,
        }
    ),  # fmt: skip
    ("GET", f"{P}/challenge-events/{{event_id}}"): lambda t: Call(),
    ("PATCH", f"{P}/challenge-events/{{event_id}}"): lambda t: Call(
        json={"held_on": "2027-11-07"}, headers=t.etag(f"/challenge-events/{t.event}")
    ),
    ("POST", f"{P}/challenge-events/{{event_id}}/cancel"): lambda t: Call(
        json={"reason": "The room fell through"}, headers=t.etag(f"/challenge-events/{t.event}")
    ),
    ("POST", f"{P}/challenge-events/{{event_id}}/invitations"): lambda t: Call(
        json={"agency_id": t.agency, "reason": "Moderated partially met on 6"}
    ),
    ("DELETE", f"{P}/challenge-events/{{event_id}}/invitations/{{session_id}}"): lambda t: Call(),
    ("GET", f"{P}/challenge-events/{{event_id}}/candidates"): lambda t: Call(),
    ("GET", f"{P}/challenge-events/{{event_id}}/report"): lambda t: Call(),
    ("GET", f"{P}/challenge-events/{{event_id}}/sessions/{{session_id}}"): lambda t: Call(),
    (
        "PUT",
        f"{P}/challenge-events/{{event_id}}/sessions/{{session_id}}/scores/{{standard_id}}",
    ): lambda t: Call(json={"level": "met", "comment": ""}, headers={"If-Match": '"0"'}),
    ("POST", f"{P}/challenge-events/{{event_id}}/sessions/{{session_id}}/close"): lambda t: Call(
        json={"outcome": "assured", "summary": "Reassured."},
        headers=t.etag(f"/challenge-events/{t.event}/sessions/{t.session}"),
    ),
    # The session is open: the chair is told so (409); reopening a closed one is in
    # test_challenge_sessions.
    ("POST", f"{P}/challenge-events/{{event_id}}/sessions/{{session_id}}/reopen"): lambda t: Call(
        json={"reason": "New evidence"},
        headers=t.etag(f"/challenge-events/{t.event}/sessions/{t.session}"),
    ),
    # Lines of enquiry: a draft by the chair (unseen off the panel), and a published one
    # for the agency to answer.
    ("GET", ENQUIRIES): lambda t: Call(),
    ("POST", ENQUIRIES): lambda t: Call(json={"question": "How do staff refer?"}),
    ("GET", ENQUIRIES + "/{enquiry_id}"): lambda t: Call(),
    ("PATCH", ENQUIRIES + "/{enquiry_id}"): lambda t: Call(
        json={"question": "How do all staff refer?"}, headers={"If-Match": '"1"'}
    ),
    ("DELETE", ENQUIRIES + "/{enquiry_id}"): lambda t: Call(headers={"If-Match": '"1"'}),
    ("POST", ENQUIRIES + "/{enquiry_id}/publish"): lambda t: Call(
        ids={"enquiry_id": t.enquiry}, headers={"If-Match": '"1"'}
    ),
    ("POST", SESSION + "/publish-enquiries"): lambda t: Call(
        json={"enquiries": [{"id": t.enquiry, "version": 1}]}
    ),
    ("PUT", ENQUIRIES + "/{enquiry_id}/answer"): lambda t: Call(
        ids={"enquiry_id": t.published_enquiry},
        json={"answer": "Through the front door."},
        headers={"If-Match": '"0"'},
    ),
    ("GET", f"{P}/follow-ups"): lambda t: Call(),
    ("GET", f"{P}/follow-ups/{{follow_up_id}}"): lambda t: Call(),
    ("PATCH", f"{P}/follow-ups/{{follow_up_id}}"): lambda t: Call(
        json={"status": "in_progress"}, headers=t.etag(f"/follow-ups/{t.follow_up}")
    ),
    ("POST", f"{P}/follow-ups/{{follow_up_id}}/updates"): lambda t: Call(json={"note": "Sent"}),
    ("GET", f"{P}/outbox"): lambda t: Call(),
    ("POST", f"{P}/outbox/{{message_id}}/retry"): lambda t: Call(),
    ("GET", "/webhook-events"): lambda t: Call(),
    ("GET", f"{P}/onboarding/{{kind}}/template"): lambda t: Call(),
    ("POST", f"{P}/onboarding/{{kind}}/preview"): lambda t: Call(
        content=b"name,sector\nMatrix Trust,voluntary\n", headers={"Content-Type": "text/csv"}
    ),
    ("POST", f"{P}/onboarding/{{kind}}"): lambda t: Call(
        content=b"name,sector\nMatrix Trust,voluntary\n", headers={"Content-Type": "text/csv"}
    ),
    ("GET", f"{P}/webhooks"): lambda t: Call(),
    ("POST", f"{P}/webhooks"): lambda t: Call(
        json={"url": "https://hooks.example.org/assure", "events": ["return.accept"]}
    ),
    ("GET", f"{P}/webhooks/{{webhook_id}}"): lambda t: Call(),
    ("PATCH", f"{P}/webhooks/{{webhook_id}}"): lambda t: Call(
        json={"active": False}, headers=t.etag(f"/webhooks/{t.webhook}")
    ),
    ("DELETE", f"{P}/webhooks/{{webhook_id}}"): lambda t: Call(),
    ("POST", f"{P}/webhooks/{{webhook_id}}/rotate-secret"): lambda t: Call(),
    ("GET", f"{P}/webhooks/{{webhook_id}}/deliveries"): lambda t: Call(),
    ("POST", f"{P}/webhooks/{{webhook_id}}/deliveries/{{delivery_id}}/redeliver"): lambda t: Call(
        ids={"webhook_id": t.webhook, "delivery_id": t.delivery}
    ),
}


def test_every_route_has_a_call() -> None:
    assert set(CALLS) == set(MATRIX)


def _url(path: str, t: Target | None, ids: dict[str, int]) -> str:
    params = [name for _, name, _, _ in Formatter().parse(path) if name]
    values = {name: ids[name] if name in ids else t.value(name) for name in params}  # type: ignore[union-attr]
    return API + path.format(**values)


class World:
    """The principals, and York's and North Yorkshire's targets."""

    def __init__(
        self,
        client: TestClient,
        auth: Callable[[str], dict[str, str]],
        service_token: Callable[..., tuple[dict[str, str], dict[str, Any]]],
        agency_id: Callable[..., int],
        york_id: int,
        north_id: int,
        db: Session,
    ) -> None:
        self.client, self.auth, self.agency_id, self.db = client, auth, agency_id, db
        self.principals: dict[str, dict[str, str]] = {who: auth(who) for who in PEOPLE}
        self.principals["svc_read"] = service_token(["read"], name="read only")[0]
        self.principals["svc_all"] = service_token(SCOPES, name="everything")[0]
        self.principals["anon"] = {}
        self.york = Target(
            self, york_id, "admin", agency="Cafcass", asked=HOUSING, user_role="panel_member"
        )
        self.north = Target(
            self, north_id, "north_admin", agency="North Yorkshire Council",
            asked="North Yorkshire Police", user_role="partnership_admin",
        )  # fmt: skip
        # Who answers for the asked agency: York's editor; a North Yorkshire system.
        self.york.writer = self.principals["editor"]
        self.north.writer = service_token(
            ["read", "returns:write"], partnership_id=north_id, issuer="north_admin", name="nw"
        )[0]


@pytest.fixture
def world(client, auth, service_token, agency_id, york, north, db) -> World:
    return World(client, auth, service_token, agency_id, york.id, north.id, db)


def _statuses(
    client: TestClient,
    connection: Connection,
    method: str,
    url: str,
    call: Call,
    world: World,
    who_calls: Iterable[str] = COLUMNS,
) -> dict[str, Any]:
    """Each principal's status for one call, each in a savepoint that is rolled back.

    The client answers a server error with 500 rather than raising, so that a crash shows
    as one wrong cell of the row.
    """
    seen: dict[str, Any] = {}
    for who in who_calls:
        savepoint = connection.begin_nested()
        try:
            r = client.request(
                method,
                url,
                headers={**world.principals[who], **call.headers},
                json=call.json,
                data=call.data,
                content=call.content,
                params=call.params,
                files=call.files,
            )
        finally:
            savepoint.rollback()
        seen[who] = r.status_code
        if r.status_code >= 400 and not r.headers["content-type"].startswith(PROBLEM):
            seen[who] = f"{r.status_code} without problem+json"
    return seen


@pytest.mark.parametrize("key", UNSCOPED, ids=_id)
def test_route_outside_partnerships(key, lenient_client, connection, world) -> None:
    method, path = key
    call = CALLS[key](world.york)
    url = _url(path, world.york, call.ids)
    assert _statuses(lenient_client, connection, method, url, call, world) == MATRIX[key][1]


@pytest.mark.parametrize("key", SCOPED, ids=_id)
def test_route_in_york(key, lenient_client, connection, world) -> None:
    method, path = key
    call = CALLS[key](world.york)
    url = _url(path, world.york, call.ids)
    assert _statuses(lenient_client, connection, method, url, call, world) == MATRIX[key][1]


def _in_north(york_row: dict[str, int]) -> dict[str, int]:
    """In North Yorkshire its admin gets what York's admin gets in York; York gets 404."""
    return {
        who: york_row["admin"] if who == "north_admin" else 401 if who == "anon" else 404
        for who in COLUMNS
    }


@pytest.mark.parametrize("key", SCOPED, ids=_id)
def test_route_in_another_partnership(key, lenient_client, connection, world) -> None:
    method, path = key
    call = CALLS[key](world.north)
    url = _url(path, world.north, call.ids)
    assert _statuses(lenient_client, connection, method, url, call, world) == _in_north(
        MATRIX[key][1]
    )


# North Yorkshire's records under York's URLs: the ids York must not resolve.
FOREIGN: dict[str, tuple[str, str, Callable[[Target, Target], dict[str, int]]]] = {
    "agency": ("GET", "~/agencies/{agency_id}", lambda y, n: {"agency_id": n.agency}),
    "agency update": ("PATCH", "~/agencies/{agency_id}", lambda y, n: {"agency_id": n.agency}),
    "agency offer": (
        "POST",
        "~/agencies/{agency_id}/offers",
        lambda y, n: {"agency_id": n.agency},
    ),
    "offer acceptance": (
        "POST",
        "~/agency-offers/{offer_id}/accept",
        lambda y, n: {"offer_id": n.outside_offer},
    ),
    "offer removal": (
        "DELETE",
        "~/agency-offers/{offer_id}",
        lambda y, n: {"offer_id": n.outside_offer},
    ),
    "user": ("GET", "~/users/{user_id}", lambda y, n: {"user_id": n.user}),
    "user role": ("POST", "~/users/{user_id}/roles", lambda y, n: {"user_id": n.user}),
    "deactivation": (
        "POST",
        "~/users/{user_id}/deactivate",
        lambda y, n: {"user_id": n.person},
    ),
    "reactivation": (
        "POST",
        "~/users/{user_id}/reactivate",
        lambda y, n: {"user_id": n.deactivated},
    ),
    "role removal": (
        "DELETE",
        "~/roles/{membership_id}",
        lambda y, n: {"membership_id": n.membership},
    ),
    "service token": ("DELETE", "~/service-tokens/{token_id}", lambda y, n: {"token_id": n.token}),
    "invitation": (
        "GET",
        "~/invitations/{invitation_id}",
        lambda y, n: {"invitation_id": n.invitation},
    ),
    "invitation resend": (
        "POST",
        "~/invitations/{invitation_id}/resend",
        lambda y, n: {"invitation_id": n.invitation},
    ),
    "invitation revoke": (
        "DELETE",
        "~/invitations/{invitation_id}",
        lambda y, n: {"invitation_id": n.invitation},
    ),
    "service token read": (
        "GET",
        "~/service-tokens/{token_id}",
        lambda y, n: {"token_id": n.token},
    ),
    "return": ("GET", "~/returns/{return_id}", lambda y, n: {"return_id": n.return_}),
    "submit": ("POST", "~/returns/{return_id}/submit", lambda y, n: {"return_id": n.return_}),
    "new action": (
        "POST",
        "~/returns/{return_id}/actions",
        lambda y, n: {"return_id": n.return_},
    ),
    "action": ("GET", "~/actions/{action_id}", lambda y, n: {"action_id": n.action}),
    "action update": ("PATCH", "~/actions/{action_id}", lambda y, n: {"action_id": n.action}),
    "action progress": (
        "POST",
        "~/actions/{action_id}/updates",
        lambda y, n: {"action_id": n.action},
    ),
    "answers": (
        "PUT",
        "~/returns/{return_id}/responses",
        lambda y, n: {"return_id": n.return_},
    ),
    "carry forward": (
        "POST",
        "~/returns/{return_id}/carry-forward",
        lambda y, n: {"return_id": n.return_},
    ),
    "confirm answer": (
        "POST",
        "~/returns/{return_id}/responses/{requirement_id}/confirm",
        lambda y, n: {"return_id": n.return_, "requirement_id": n.requirement},
    ),
    "confirm standard": (
        "POST",
        "~/returns/{return_id}/standards/{standard_id}/confirm",
        lambda y, n: {"return_id": n.return_, "standard_id": n.standard},
    ),
    "extension": (
        "PUT",
        "~/returns/{return_id}/extension",
        lambda y, n: {"return_id": n.return_},
    ),
    "extension withdrawal": (
        "DELETE",
        "~/returns/{return_id}/extension",
        lambda y, n: {"return_id": n.return_},
    ),
    "versions": ("GET", "~/returns/{return_id}/versions", lambda y, n: {"return_id": n.return_}),
    "version": (
        "GET",
        "~/returns/{return_id}/versions/{number}",
        lambda y, n: {"return_id": n.submitted_return},
    ),
    "comparison": (
        "GET",
        "~/returns/{return_id}/compare",
        lambda y, n: {"return_id": n.submitted_return},
    ),
    "upload": (
        "POST",
        "~/returns/{return_id}/responses/{requirement_id}/attachments",
        lambda y, n: {"return_id": n.return_, "requirement_id": y.requirement},
    ),
    "download": (
        "GET",
        "~/returns/{return_id}/attachments/{attachment_id}",
        lambda y, n: {"return_id": n.return_, "attachment_id": n.attachment},
    ),
    "file removal": (
        "DELETE",
        "~/returns/{return_id}/attachments/{attachment_id}",
        lambda y, n: {"return_id": n.return_, "attachment_id": n.attachment},
    ),
    "version download": (
        "GET",
        "~/returns/{return_id}/versions/{number}/attachments/{attachment_id}",
        lambda y, n: {"attachment_id": n.attachment, "return_id": n.submitted_return},
    ),
    "return for information": (
        "POST",
        "~/returns/{return_id}/return",
        lambda y, n: {"return_id": n.submitted_return},
    ),
    "moderate requirement": (
        "PUT",
        "~/returns/{return_id}/moderation/requirements/{requirement_id}",
        lambda y, n: {"return_id": n.submitted_return, "requirement_id": y.requirement},
    ),
    "moderate standard": (
        "PUT",
        "~/returns/{return_id}/moderation/standards/{standard_id}",
        lambda y, n: {"return_id": n.submitted_return, "standard_id": n.standard},
    ),
    "accept": (
        "POST",
        "~/returns/{return_id}/accept",
        lambda y, n: {"return_id": n.submitted_return},
    ),
    "answer": (
        "PUT",
        "~/returns/{return_id}/responses/{requirement_id}",
        lambda y, n: {"return_id": n.return_, "requirement_id": y.requirement},
    ),
    "framework": (
        "GET",
        "~/frameworks/{framework_id}",
        lambda y, n: {"framework_id": n.own_framework},
    ),
    "framework version": (
        "GET",
        "~/frameworks/{framework_id}/versions/{number}",
        lambda y, n: {"framework_id": n.own_framework},
    ),
    "programme": (
        "GET",
        "~/programmes/{programme_id}",
        lambda y, n: {"programme_id": n.open_programme},
    ),
    "programme update": (
        "PATCH",
        "~/programmes/{programme_id}",
        lambda y, n: {"programme_id": n.open_programme},
    ),
    "programme open": (
        "POST",
        "~/programmes/{programme_id}/open",
        lambda y, n: {"programme_id": n.draft_programme},
    ),
    "programme close": (
        "POST",
        "~/programmes/{programme_id}/close",
        lambda y, n: {"programme_id": n.open_programme},
    ),
    "asked agencies": (
        "GET",
        "~/programmes/{programme_id}/agencies",
        lambda y, n: {"programme_id": n.open_programme},
    ),
    "compliance": (
        "GET",
        "~/programmes/{programme_id}/compliance",
        lambda y, n: {"programme_id": n.open_programme},
    ),
    "ask foreign agency": (
        "PUT",
        "~/programmes/{programme_id}/agencies/{agency_id}",
        lambda y, n: {"programme_id": y.draft_programme, "agency_id": n.agency},
    ),
    "unask foreign agency": (
        "DELETE",
        "~/programmes/{programme_id}/agencies/{agency_id}",
        lambda y, n: {"programme_id": y.draft_programme, "agency_id": n.agency},
    ),
    "challenge event": ("GET", "~/challenge-events/{event_id}", lambda y, n: {"event_id": n.event}),
    "challenge event update": (
        "PATCH",
        "~/challenge-events/{event_id}",
        lambda y, n: {"event_id": n.event},
    ),
    "challenge event cancel": (
        "POST",
        "~/challenge-events/{event_id}/cancel",
        lambda y, n: {"event_id": n.event},
    ),
    "challenge invitation": (
        "POST",
        "~/challenge-events/{event_id}/invitations",
        lambda y, n: {"event_id": n.event},
    ),
    "challenge session": (
        "GET",
        "~/challenge-events/{event_id}/sessions/{session_id}",
        lambda y, n: {"event_id": n.event, "session_id": n.session},
    ),
    "challenge score": (
        "PUT",
        "~/challenge-events/{event_id}/sessions/{session_id}/scores/{standard_id}",
        lambda y, n: {"event_id": n.event, "session_id": n.session},
    ),
    "challenge close": (
        "POST",
        "~/challenge-events/{event_id}/sessions/{session_id}/close",
        lambda y, n: {"event_id": n.event, "session_id": n.session},
    ),
    "challenge reopen": (
        "POST",
        "~/challenge-events/{event_id}/sessions/{session_id}/reopen",
        lambda y, n: {"event_id": n.event, "session_id": n.session},
    ),
    "challenge withdrawal": (
        "DELETE",
        "~/challenge-events/{event_id}/invitations/{session_id}",
        lambda y, n: {"event_id": n.event, "session_id": n.session},
    ),
    "challenge withdrawal of a foreign session": (
        "DELETE",
        "~/challenge-events/{event_id}/invitations/{session_id}",
        lambda y, n: {"event_id": y.event, "session_id": n.session},
    ),
    "challenge candidates": (
        "GET",
        "~/challenge-events/{event_id}/candidates",
        lambda y, n: {"event_id": n.event},
    ),
    "challenge report": (
        "GET",
        "~/challenge-events/{event_id}/report",
        lambda y, n: {"event_id": n.event},
    ),
    "challenge enquiries": (
        "GET",
        "~/challenge-events/{event_id}/sessions/{session_id}/enquiries",
        lambda y, n: {"event_id": n.event, "session_id": n.session},
    ),
    "challenge enquiry draft": (
        "POST",
        "~/challenge-events/{event_id}/sessions/{session_id}/enquiries",
        lambda y, n: {"event_id": n.event, "session_id": n.session},
    ),
    "challenge enquiry": (
        "GET",
        "~/challenge-events/{event_id}/sessions/{session_id}/enquiries/{enquiry_id}",
        lambda y, n: {"event_id": n.event, "session_id": n.session, "enquiry_id": n.enquiry},
    ),
    "challenge enquiry change": (
        "PATCH",
        "~/challenge-events/{event_id}/sessions/{session_id}/enquiries/{enquiry_id}",
        lambda y, n: {"event_id": n.event, "session_id": n.session, "enquiry_id": n.enquiry},
    ),
    "challenge enquiry deletion": (
        "DELETE",
        "~/challenge-events/{event_id}/sessions/{session_id}/enquiries/{enquiry_id}",
        lambda y, n: {"event_id": n.event, "session_id": n.session, "enquiry_id": n.enquiry},
    ),
    "challenge enquiry publish": (
        "POST",
        "~/challenge-events/{event_id}/sessions/{session_id}/enquiries/{enquiry_id}/publish",
        lambda y, n: {"event_id": n.event, "session_id": n.session, "enquiry_id": n.enquiry},
    ),
    "challenge enquiry answer": (
        "PUT",
        "~/challenge-events/{event_id}/sessions/{session_id}/enquiries/{enquiry_id}/answer",
        lambda y, n: {
            "event_id": n.event,
            "session_id": n.session,
            "enquiry_id": n.published_enquiry,
        },
    ),
    "challenge enquiries publish": (
        "POST",
        "~/challenge-events/{event_id}/sessions/{session_id}/publish-enquiries",
        lambda y, n: {"event_id": n.event, "session_id": n.session},
    ),
    "challenge enquiry of another partnership under a york session": (
        "GET",
        "~/challenge-events/{event_id}/sessions/{session_id}/enquiries/{enquiry_id}",
        lambda y, n: {"event_id": y.event, "session_id": y.session, "enquiry_id": n.enquiry},
    ),
    "follow-up": ("GET", "~/follow-ups/{follow_up_id}", lambda y, n: {"follow_up_id": n.follow_up}),
    "outbox retry": (
        "POST",
        "~/outbox/{message_id}/retry",
        lambda y, n: {"message_id": n.message},
    ),
    "webhook": ("GET", "~/webhooks/{webhook_id}", lambda y, n: {"webhook_id": n.webhook}),
    "webhook change": ("PATCH", "~/webhooks/{webhook_id}", lambda y, n: {"webhook_id": n.webhook}),
    "webhook removal": (
        "DELETE",
        "~/webhooks/{webhook_id}",
        lambda y, n: {"webhook_id": n.webhook},
    ),
    "webhook secret": (
        "POST",
        "~/webhooks/{webhook_id}/rotate-secret",
        lambda y, n: {"webhook_id": n.webhook},
    ),
    "webhook deliveries": (
        "GET",
        "~/webhooks/{webhook_id}/deliveries",
        lambda y, n: {"webhook_id": n.webhook},
    ),
    "webhook redelivery": (
        "POST",
        "~/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
        lambda y, n: {"webhook_id": n.webhook, "delivery_id": n.delivery},
    ),
    "foreign delivery under a york webhook": (
        "POST",
        "~/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
        lambda y, n: {"webhook_id": y.webhook, "delivery_id": n.delivery},
    ),
    "follow-up update": (
        "PATCH",
        "~/follow-ups/{follow_up_id}",
        lambda y, n: {"follow_up_id": n.follow_up},
    ),
    "follow-up progress": (
        "POST",
        "~/follow-ups/{follow_up_id}/updates",
        lambda y, n: {"follow_up_id": n.follow_up},
    ),
    "ask in foreign programme": (
        "PUT",
        "~/programmes/{programme_id}/agencies/{agency_id}",
        lambda y, n: {"programme_id": n.draft_programme, "agency_id": y.agency},
    ),
}


@pytest.mark.parametrize("case", FOREIGN)
def test_another_partnerships_record_under_york(case, lenient_client, connection, world) -> None:
    """Whoever would succeed in York gets 404; whoever may not act at all still gets 403."""
    method, short, ids_of = FOREIGN[case]
    path = short.replace("~", "/partnerships/{partnership_id}", 1)
    york, north = world.york, world.north
    ids = ids_of(york, north)
    call = CALLS[(method, path)](north)  # the body and ETag that would suit the record
    url = _url(path, york, ids)
    expected = {who: 404 if s < 400 else s for who, s in MATRIX[(method, path)][1].items()}
    expected.update(FOREIGN_DIFFERS.get(case, {}))
    assert _statuses(lenient_client, connection, method, url, call, world) == expected


# Where the right to act depends on the record itself (answering: only the return's own
# agency), a foreign record is not found before anyone's right is weighed.
FOREIGN_DIFFERS: dict[str, dict[str, int]] = dict.fromkeys(
    (
        "answer",
        "answers",
        "carry forward",
        "confirm answer",
        "confirm standard",
        "upload",
        "file removal",
        "new action",
        "action update",
        "action progress",
    ),
    {"admin": 404, "scrutineer": 404},
)
FOREIGN_DIFFERS.update(
    dict.fromkeys(
        (
            "return for information",
            "moderate requirement",
            "moderate standard",
            "accept",
            "extension",
            "extension withdrawal",
        ),
        {"scrutineer": 404, "editor": 404, "approver": 404},
    )
)
# York's panel reads the asked agency's plan (see the table's note), so is refused only there.
for _case in ("action update", "action progress"):
    FOREIGN_DIFFERS[_case] = {**FOREIGN_DIFFERS[_case], "panel": 404}
FOREIGN_DIFFERS["submit"] = dict.fromkeys(
    ("admin", "scrutineer", "editor", "approver", "svc_all"), 404
)
# Scoring and closing are the panel's and the chair's: whether one may is a question about
# the session, which is not found first.
_MEMBERS_BUT_NORTH = ("admin", "panel", "executive", "editor", "approver", "svc_read", "svc_all")
FOREIGN_DIFFERS["challenge score"] = dict.fromkeys(_MEMBERS_BUT_NORTH, 404)
FOREIGN_DIFFERS["challenge close"] = dict.fromkeys(_MEMBERS_BUT_NORTH, 404)
FOREIGN_DIFFERS["challenge reopen"] = dict.fromkeys((*_MEMBERS_BUT_NORTH, "scrutineer"), 404)
# A session's lines of enquiry: the event (or, under York's session, the enquiry) is not
# found before anyone's right to draft, publish or answer is weighed.
FOREIGN_DIFFERS.update(
    dict.fromkeys(
        [case for case in FOREIGN if case.startswith("challenge enquir")],
        dict.fromkeys((*_MEMBERS_BUT_NORTH, "scrutineer"), 404),
    )
)
# Who may track a follow-up depends on its session's agency: not found first.
FOREIGN_DIFFERS["follow-up update"] = dict.fromkeys(("panel", "executive", "svc_read"), 404)
FOREIGN_DIFFERS["follow-up progress"] = dict.fromkeys(("panel", "executive", "svc_read"), 404)


def test_every_route_with_a_record_id_has_a_foreign_case() -> None:
    with_records = {key for key, (scoped, _) in MATRIX.items() if scoped and _record_params(key[1])}
    foreign = {(m, short.replace("~", P, 1)) for m, short, _ in FOREIGN.values()}
    assert foreign == with_records


def _record_params(path: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(path) if name} - {"partnership_id", "kind"}


# ---------------------------------------------------------------------------------------
# Programmes that some members may not know exist.

VISIBLE_DRAFT = {
    "admin": 200, "scrutineer": 200, "panel": 404, "executive": 404, "editor": 404,
    "approver": 404, "north_admin": 404, "platform": 404, "svc_read": 200, "svc_all": 200,
    "anon": 401,
}  # fmt: skip
DRAFT_LISTED = {
    "admin": True, "scrutineer": True, "panel": False, "executive": False,
    "editor": False, "approver": False, "svc_read": True, "svc_all": True,
}  # fmt: skip


def _listed(
    client: TestClient, world: World, pid: int, programme_id: int, who_calls: Iterable[str]
) -> dict[str, Any]:
    """Whether each principal finds the programme in the list (or the status if refused)."""
    out: dict[str, Any] = {}
    for who in who_calls:
        r = client.get(
            f"{API}/partnerships/{pid}/programmes",
            params={"limit": 100},
            headers=world.principals[who],
        )
        out[who] = (
            programme_id in {p["id"] for p in r.json()["items"]} if r.is_success else r.status_code
        )
    return out


def _draft_checks(client, connection, world, pid: int, who_calls: Iterable[str]) -> None:
    who_calls = list(who_calls)
    draft = world.york.draft_programme
    for path in ("", "/agencies"):
        url = f"{API}/partnerships/{pid}/programmes/{draft}{path}"
        seen = _statuses(client, connection, "GET", url, Call(), world, who_calls)
        assert seen == _only(VISIBLE_DRAFT, who_calls), path
    listers = [w for w in who_calls if w in DRAFT_LISTED]
    assert _listed(client, world, pid, draft, listers) == _only(DRAFT_LISTED, listers)
    for who in listers:  # filtering for drafts finds them only for oversight roles
        r = client.get(
            f"{API}/partnerships/{pid}/programmes",
            params={"status": "draft"},
            headers=world.principals[who],
        )
        assert (draft in {p["id"] for p in r.json()["items"]}) is DRAFT_LISTED[who], who


def test_draft_programme_is_seen_by_oversight_only(lenient_client, connection, world, york) -> None:
    """Admin, scrutineer and service tokens see a draft; other partnerships do not."""
    _draft_checks(lenient_client, connection, world, york.id, set(COLUMNS) - NO_OVERSIGHT)


def test_draft_programme_is_hidden_from_members_without_oversight(
    lenient_client, connection, world, york
) -> None:
    """Panel members, executives and agency staff get 404 for a draft and never list it."""
    _draft_checks(lenient_client, connection, world, york.id, sorted(NO_OVERSIGHT))


def test_agency_staff_see_only_programmes_asking_their_agency(
    lenient_client, connection, world, york, agency_id
) -> None:
    """A programme asking only Cafcass is hidden from Housing's staff, until it asks Housing."""
    client = lenient_client
    admin = world.principals["admin"]
    assert world.york.open_programme  # "Open", asking Housing and Cafcass
    p = f"{API}/partnerships/{york.id}/programmes"
    created = client.post(
        p,
        headers=admin,
        json={
            "title": "Cafcass only",
            "framework_version_id": world.york.version_id,
            "opens_on": "2026-02-01",
            "deadline": "2026-03-01",
            "agency_ids": [agency_id("Cafcass")],
        },
    )
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    assert client.post(f"{p}/{pid}/open", headers=admin).status_code == 200
    hidden = {**VISIBLE_DRAFT, "panel": 200, "executive": 200}
    assert _statuses(client, connection, "GET", f"{p}/{pid}", Call(), world) == hidden
    assert _listed(client, world, york.id, pid, DRAFT_LISTED) == {
        **DRAFT_LISTED, "panel": True, "executive": True,
    }  # fmt: skip
    # Housing's staff see the programmes that ask Housing, the closed 2023 one included.
    r = client.get(p, headers=world.principals["editor"], params={"limit": 100})
    assert {x["title"] for x in r.json()["items"]} == {
        "Section 11 self-assessment 2023",
        "Section 11 self-assessment 2026",
        "Open",
    }
    # Once the programme asks Housing too, Housing's staff see it.
    r = client.put(f"{p}/{pid}/agencies/{agency_id(HOUSING)}", headers=admin)
    assert r.status_code == 204, r.text
    for who in ("editor", "approver"):
        assert client.get(f"{p}/{pid}", headers=world.principals[who]).status_code == 200


# ---------------------------------------------------------------------------------------
# The admin of another partnership, at its own people routes, with York's people's ids and
# emails: nothing of them is readable, nothing of them changes.

NORTH_AT_YORK_PEOPLE: dict[tuple[str, str], Callable[[dict[str, Any]], Call]] = {
    ("GET", f"{P}/users"): lambda who: Call(params={"q": who["email"]}),
    ("POST", f"{P}/users"): lambda who: Call(
        json={
            "email": who["email"].upper(),
            "name": "Taken Over",
            "password": "a long password",
            "roles": [{"role": "partnership_admin"}],
        }
    ),  # fmt: skip
    ("GET", f"{P}/users/{{user_id}}"): lambda who: Call(ids={"user_id": who["id"]}),
    ("POST", f"{P}/users/{{user_id}}/roles"): lambda who: Call(
        ids={"user_id": who["id"]}, json={"role": "scrutineer"}
    ),
    ("DELETE", f"{P}/roles/{{membership_id}}"): lambda who: Call(
        ids={"membership_id": who["roles"][0]["membership_id"]}
    ),
    ("POST", f"{P}/users/{{user_id}}/deactivate"): lambda who: Call(ids={"user_id": who["id"]}),
    ("POST", f"{P}/users/{{user_id}}/reactivate"): lambda who: Call(ids={"user_id": who["id"]}),
    ("GET", "/users/{user_id}"): lambda who: Call(ids={"user_id": who["id"]}),
    ("PATCH", "/users/{user_id}"): lambda who: Call(
        ids={"user_id": who["id"]}, json={"name": "Taken Over"}, headers={"If-Match": "*"}
    ),
}
NORTH_GETS = {
    ("GET", f"{P}/users"): 200,  # an empty page
    ("POST", f"{P}/users"): 409,  # email-unavailable, as for any email with an account
    ("GET", f"{P}/users/{{user_id}}"): 404,
    ("POST", f"{P}/users/{{user_id}}/roles"): 404,
    ("DELETE", f"{P}/roles/{{membership_id}}"): 404,
    ("POST", f"{P}/users/{{user_id}}/deactivate"): 404,
    ("POST", f"{P}/users/{{user_id}}/reactivate"): 404,
    ("GET", "/users/{user_id}"): 403,  # platform admins only
    ("PATCH", "/users/{user_id}"): 403,
}


def test_every_people_route_is_tried_by_the_other_partnerships_admin() -> None:
    people = {k for k in MATRIX if "/users" in k[1] or "/roles/" in k[1]}
    assert set(NORTH_AT_YORK_PEOPLE) == set(NORTH_GETS) == people


@pytest.mark.parametrize("key", NORTH_AT_YORK_PEOPLE, ids=_id)
def test_the_admin_of_another_partnership_reaches_none_of_its_people(
    key, lenient_client, world, york
) -> None:
    client, north_admin = lenient_client, world.principals["north_admin"]
    york_admin = world.principals["admin"]

    def york_state() -> tuple[Any, Any]:
        people = client.get(
            f"{API}/partnerships/{york.id}/users", headers=york_admin, params={"limit": 100}
        ).json()
        events = client.get(
            f"{API}/partnerships/{york.id}/audit-events", headers=york_admin, params={"limit": 1}
        ).json()["total"]
        return people, events

    before = york_state()
    method, path = key
    for person in before[0]["items"]:
        call = NORTH_AT_YORK_PEOPLE[key](person)
        url = _url(path, world.north, call.ids)
        r = client.request(
            method,
            url,
            headers={**north_admin, **call.headers},
            json=call.json,
            params=call.params,
        )
        assert r.status_code == NORTH_GETS[key], (person["email"], r.text)
        for detail in (person["name"], person["email"], f'"id":{person["id"]}'):
            assert detail.lower() not in r.text.lower(), (person["email"], r.text)
        if r.status_code == 200:
            assert r.json()["total"] == 0
        after = york_state()
        assert after == before, person["email"]
        me = client.get(f"{API}/me", headers=world.auth(_short_name(person["email"]))).json()
        assert [p["id"] for p in me["partnerships"]] == [york.id]


def _short_name(email: str) -> str:
    return next(who for who, e in PEOPLE.items() if e == email)
