"""The one client of the API. web/ reaches the domain only through this HTTP contract."""

from typing import IO, Any

import httpx
from starlette.types import ASGIApp

from web.settings import WebSettings


class ApiError(Exception):
    """The API answered with a problem; carries its status and problem details."""

    def __init__(self, status: int, problem: dict[str, Any], retry_after: str | None = None):
        super().__init__(problem.get("detail") or problem.get("title") or str(status))
        self.status = status
        self.problem = problem
        self.retry_after = int(retry_after) if retry_after and retry_after.isdigit() else None

    @property
    def field_errors(self) -> dict[str, str]:
        return {e["field"]: e["message"] for e in self.problem.get("errors") or []}

    @property
    def detail(self) -> str:
        return str(
            self.problem.get("detail") or self.problem.get("title") or "Something went wrong"
        )


class ApiClient:
    def __init__(self, http: httpx.AsyncClient):
        self.http = http

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, IO[bytes], str]] | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        response = await self.http.request(
            method,
            f"/api/v1{path}",
            params=clean,
            json=json,
            data=data,
            files=files,
            content=content,
            headers=all_headers,
        )
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"title": response.reason_phrase}
            raise ApiError(
                response.status_code,
                problem if isinstance(problem, dict) else {},
                retry_after=response.headers.get("Retry-After"),
            )
        return response

    async def get(self, path: str, *, token: str | None, **params: Any) -> Any:
        return (await self.request("GET", path, token=token, params=params)).json()

    async def send(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        json: Any = None,
        if_match: str | None = None,
    ) -> Any:
        headers = {"If-Match": if_match} if if_match else None
        response = await self.request(method, path, token=token, json=json, headers=headers)
        return response.json() if response.content else None

    async def upload(
        self,
        path: str,
        *,
        token: str | None,
        field: str,
        filename: str,
        content: IO[bytes],
        content_type: str,
    ) -> Any:
        """POST one file as multipart/form-data, read from `content` as it is sent."""
        files = {field: (filename, content, content_type)}
        return (await self.request("POST", path, token=token, files=files)).json()

    async def sign_in(self, email: str, password: str, *, client_address: str | None = None) -> str:
        response = await self.request(
            "POST",
            "/auth/token",
            token=None,
            data={"username": email, "password": password},
            headers=forwarded_for(client_address),
        )
        return str(response.json()["access_token"])

    async def sign_out(self, token: str) -> None:
        await self.request("POST", "/auth/revoke", token=token)


def forwarded_for(client_address: str | None) -> dict[str, str]:
    """The browser's address, for the API's throttling: the API believes it only when this
    web app's address is one of its trusted proxies (ASSURE_TRUSTED_PROXIES)."""
    return {"X-Forwarded-For": client_address} if client_address else {}


IN_PROCESS_WEB = "assure-web-in-process"


def build(settings: WebSettings, api_app: ASGIApp | None = None) -> ApiClient:
    """In the same process by default; over the network when ASSURE_API_BASE_URL is set."""
    if settings.api_base_url:
        http = httpx.AsyncClient(base_url=settings.api_base_url, timeout=30)
    else:
        if api_app is None:
            raise ValueError("an in-process client needs the API app")
        # The API believes the browser addresses passed on by this peer name, which no
        # network connection can present (api/client_address.py: IN_PROCESS_WEB).
        transport = httpx.ASGITransport(app=api_app, client=(IN_PROCESS_WEB, 0))
        http = httpx.AsyncClient(transport=transport, base_url="http://assure-api", timeout=30)
    return ApiClient(http)
