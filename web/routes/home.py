"""The start page and each partnership's home."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.deps import Api, InPartnership, SignedIn
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
    return render(
        request,
        "home/partnership.html",
        place.context(
            agency_total=agencies["total"],
            statutory=statutory["items"],
            programmes=programmes,
            framework_total=frameworks["total"],
        ),
    )
