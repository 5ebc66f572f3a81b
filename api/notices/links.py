"""The web pages that emails link to: the one place the API spells the web's addresses."""

from urllib.parse import urlencode

from api.settings import get_settings


def page(path: str) -> str:
    return get_settings().public_url.rstrip("/") + path


def return_page(partnership_id: int, return_id: int) -> str:
    return page(f"/p/{partnership_id}/returns/{return_id}")


def notices_page() -> str:
    return page("/account/notices")


def invitation_page(token: str) -> str:
    return page("/invitation?" + urlencode({"token": token}))


def reset_password_page(token: str) -> str:
    return page("/reset-password?" + urlencode({"token": token}))
