"""The start page and each partnership's home."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.client import ApiClient
from web.deps import Api, InPartnership, Place, SignedIn
from web.pages import redirect, render

router = APIRouter()


@router.get("/")
async def start(request: Request, viewer: SignedIn) -> Response:
    partnerships = viewer.me["partnerships"]
    if len(partnerships) == 1:
        return redirect(request, f"/p/{partnerships[0]['id']}")
    return render(request, "home/start.html", {"me": viewer.me, "place": None})


@router.get("/p/{partnership_id}")
async def partnership_home(request: Request, place: InPartnership, client: Api) -> Response:
    base = f"/partnerships/{place.id}"
    agencies = await client.get(f"{base}/agencies", token=place.token, limit=1)
    statutory = await client.get(
        f"{base}/agencies", token=place.token, statutory_partner=True, limit=10
    )
    programmes = await client.get(f"{base}/programmes", token=place.token, limit=5)
    frameworks = await client.get(f"{base}/frameworks", token=place.token, limit=1)
    upcoming = await _upcoming_events(client, place)
    follow_ups = await _open_follow_ups(client, place)
    return render(
        request,
        "home/partnership.html",
        place.context(
            agency_total=agencies["total"],
            statutory=statutory["items"],
            programmes=programmes,
            framework_total=frameworks["total"],
            upcoming=upcoming,
            **follow_ups,
        ),
    )


async def _upcoming_events(client: ApiClient, place: Place) -> list[dict[str, Any]]:
    """Challenge events still to be held, soonest first; for agency staff, each with their
    own agency's invitation (the only session the API shows them)."""
    found = await client.get(
        f"/partnerships/{place.id}/challenge-events", token=place.token, upcoming=True, limit=5
    )
    own = {
        m["agency_id"]
        for m in place.viewer.me["memberships"]
        if m["partnership_id"] == place.id and m["agency_id"] is not None
    }
    events: list[dict[str, Any]] = found["items"]
    for e in events:
        e["invitations"] = [s for s in e["sessions"] if s["agency_id"] in own]
    return events


HOME_FOLLOW_UPS = 5
FOR_THE_EXECUTIVE = {"executive", "scrutineer"}


async def _open_follow_ups(client: ApiClient, place: Place) -> dict[str, Any]:
    """Follow-ups not yet done or cancelled, overdue first: for the Executive and the
    scrutineer those due to the Executive, for everyone else all they may see."""
    roles = set(place.partnership["roles"])
    executive = bool(roles & FOR_THE_EXECUTIVE) and "partnership_admin" not in roles
    found = await client.get(
        f"/partnerships/{place.id}/follow-ups", token=place.token, limit=HOME_FOLLOW_UPS,
        open=True, to_executive=True if executive else None,
    )  # fmt: skip
    return {  # by due date: the overdue ones come first
        "follow_ups": found["items"],
        "follow_ups_for_executive": executive,
    }
