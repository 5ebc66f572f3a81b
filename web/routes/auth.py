"""Signing in and out of the web app, through the API's token endpoint."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.client import ApiError
from web.deps import Api, web_session
from web.pages import redirect, render, safe_next

router = APIRouter()


def try_again(seconds: int | None) -> str:
    """When to try again, from the API's Retry-After, in whole minutes."""
    if not seconds:
        return "Too many attempts. Wait a while, then try again."
    minutes = max(1, -(-seconds // 60))
    return f"Too many attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    return render(request, "auth/sign_in.html", {"next": safe_next(next), "errors": {}})


@router.post("/sign-in")
async def sign_in(
    request: Request,
    client: Api,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"
    if not errors:
        try:
            address = request.client.host if request.client else None
            token = await client.sign_in(email, password, client_address=address)
        except ApiError as exc:
            if exc.status == 429:
                errors["email"] = try_again(exc.retry_after)
            elif exc.status in (401, 422):
                errors["email"] = "The email or password is not right"
            else:
                raise
        else:
            session = web_session(request)
            session.token = token
            session.csrf = secrets.token_urlsafe(24)  # a new session gets a new CSRF token
            return redirect(request, safe_next(next))
    return render(
        request,
        "auth/sign_in.html",
        {"next": safe_next(next), "errors": errors, "email": email},
        status=422,
    )


@router.post("/sign-out")
async def sign_out(request: Request, client: Api) -> Response:
    session = web_session(request)
    if session.token:
        try:
            await client.sign_out(session.token)
        except ApiError as exc:
            if exc.status != 401:
                raise
    session.token = None
    session.csrf = secrets.token_urlsafe(24)
    return redirect(request, "/sign-in?signed_out=1")
