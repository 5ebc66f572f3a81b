"""Each person's choice of the emails they are sent (the page every notice links to)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.deps import Api, SignedIn
from web.pages import redirect, render

router = APIRouter()
URL = "/account/notices"


@router.get(URL)
async def notice_settings(request: Request, viewer: SignedIn, client: Api) -> Response:
    found = await client.get("/me/notices", token=viewer.token)
    return render(
        request,
        "account/notices.html",
        {
            "me": viewer.me,
            "place": None,
            "notices": found["notices"],
            "saved": request.query_params.get("saved") == "1",
        },
    )


@router.post(URL)
async def change_notice_settings(request: Request, viewer: SignedIn, client: Api) -> Response:
    """The kinds left ticked are sent; every other kind the API offers is turned off."""
    wanted = {str(kind) for kind in (await request.form()).getlist("on")}
    found = await client.get("/me/notices", token=viewer.token)
    off = [n["kind"] for n in found["notices"] if n["kind"] not in wanted]
    await client.send("PUT", "/me/notices", token=viewer.token, json={"off": off})
    return redirect(request, f"{URL}?saved=1")
