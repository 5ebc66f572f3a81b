"""A person's own account: a forgotten password (ask for a link, then choose a new one)
and, signed in, changing the password. The API holds every rule; these pages ask and show."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.client import ApiError, forwarded_for
from web.deps import Api, SignedIn
from web.pages import redirect, render
from web.routes.auth import try_again

router = APIRouter()

# A reset link's token is in the page's address: no other site may be told it.
NO_REFERRER = {"Referrer-Policy": "no-referrer"}
LINK_PROBLEMS = {
    "urn:assure:problem:reset-link-used": "This link was already used: each link works once.",
    "urn:assure:problem:reset-link-expired": "This link has expired: each link works for an hour.",
}
INVALID_LINK = "This link is not valid. Check that you copied all of it from the email."


def _client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get("/forgot-password")
async def forgot_password_page(request: Request) -> Response:
    return render(request, "account/forgot_password.html", {"errors": {}}, headers=NO_REFERRER)


@router.post("/forgot-password")
async def forgot_password(
    request: Request, client: Api, email: Annotated[str, Form(max_length=254)] = ""
) -> Response:
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = "Enter your email address"
    else:
        try:
            await client.request(
                "POST",
                "/auth/password-reset",
                token=None,
                json={"email": email.strip()},
                headers=forwarded_for(_client_address(request)),
            )
        except ApiError as exc:
            if exc.status == 429:
                errors["email"] = try_again(exc.retry_after)
            elif exc.status == 422:
                errors["email"] = "Enter an email address like name@example.org"
            else:
                raise
        else:
            return render(request, "account/reset_sent.html", {}, headers=NO_REFERRER)
    return render(
        request,
        "account/forgot_password.html",
        {"errors": errors, "email": email},
        status=422,
        headers=NO_REFERRER,
    )


@router.get("/reset-password")
async def reset_password_page(request: Request, token: str = "") -> Response:
    if not token:
        return _bad_link(request, INVALID_LINK)
    context = {"errors": {}, "token": token}
    return render(request, "account/reset_password.html", context, headers=NO_REFERRER)


def _bad_link(request: Request, message: str) -> Response:
    return render(
        request,
        "account/reset_link_bad.html",
        {"message": message},
        status=400,
        headers=NO_REFERRER,
    )


@router.post("/reset-password")
async def reset_password(
    request: Request,
    client: Api,
    token: Annotated[str, Form(max_length=200)] = "",
    new_password: Annotated[str, Form(max_length=1000)] = "",
    confirm_password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    errors = _new_password_errors(new_password, confirm_password)
    if not token:
        return _bad_link(request, INVALID_LINK)
    if not errors:
        try:
            await client.request(
                "POST",
                "/auth/password-reset/confirm",
                token=None,
                json={"token": token, "new_password": new_password},
            )
        except ApiError as exc:
            if exc.status == 400:
                return _bad_link(
                    request, LINK_PROBLEMS.get(exc.problem.get("type", ""), INVALID_LINK)
                )
            if exc.status != 422:
                raise
            fields = exc.field_errors
            if "token" in fields:
                return _bad_link(request, INVALID_LINK)
            errors["new_password"] = _sentence(fields.get("new_password") or exc.detail)
        else:
            return redirect(request, "/sign-in?reset=1")
    context = {"errors": errors, "token": token}
    return render(request, "account/reset_password.html", context, status=422, headers=NO_REFERRER)


def _new_password_errors(new_password: str, confirm_password: str) -> dict[str, str]:
    if not new_password:
        return {"new_password": "Enter a new password"}
    if new_password != confirm_password:
        return {"confirm_password": "The two new passwords are not the same"}
    return {}


def _sentence(message: str) -> str:
    """The API's field message ("must be at least …") as a sentence about the password."""
    return f"The new password {message}." if message.startswith(("must", "is")) else message


@router.get("/account")
async def account_page(request: Request, viewer: SignedIn) -> Response:
    return render(
        request,
        "account/account.html",
        {"me": viewer.me, "errors": {}, "changed": request.query_params.get("changed")},
    )


@router.post("/account/password")
async def change_password(
    request: Request,
    client: Api,
    viewer: SignedIn,
    current_password: Annotated[str, Form(max_length=1000)] = "",
    new_password: Annotated[str, Form(max_length=1000)] = "",
    confirm_password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    errors: dict[str, str] = {}
    if not current_password:
        errors["current_password"] = "Enter your current password"
    errors.update(_new_password_errors(new_password, confirm_password))
    if not errors:
        token = viewer.session.token
        try:
            me = await client.request("GET", "/me", token=token)
            await client.send(
                "PATCH",
                "/me",
                token=token,
                json={"password": new_password, "current_password": current_password},
                if_match=me.headers["ETag"],
            )
        except ApiError as exc:
            if exc.status not in (412, 422):
                raise
            fields = exc.field_errors
            if "current_password" in fields:
                errors["current_password"] = "This is not your current password"
            if "password" in fields:
                errors["new_password"] = _sentence(fields["password"])
            if not errors:
                errors["form"] = exc.detail
        else:
            return redirect(request, "/account?changed=1")
    return render(request, "account/account.html", {"me": viewer.me, "errors": errors}, status=422)
