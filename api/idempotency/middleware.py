"""The one place that honours `Idempotency-Key`: a pure ASGI middleware around the API.

Only a POST under the API's prefix that carries the header is touched: its body is read
whole (within the largest body any route accepts) and hashed as it came, multipart or
not; the key is claimed before the app sees the request; the answer is buffered, kept
(or not, see rules.keeps_answer) and only then sent, so a retry after the answer always
finds it. Everything else passes straight through.
"""

import logging
from collections.abc import Callable

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.idempotency import rules, store
from api.models.base import utcnow
from api.problems import FieldProblem, problem_response

log = logging.getLogger(__name__)


class TooLarge(Exception):
    pass


class Idempotency:
    def __init__(self, app: ASGIApp, *, prefix: str, max_body: Callable[[], int]) -> None:
        self.app = app
        self.prefix = prefix
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(rules.HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        why = rules.key_problem(key)
        if why is not None:
            await _invalid_key(request, why)(scope, receive, send)
            return
        try:
            body = await self._read_body(receive, headers)
        except TooLarge:
            await _problem(
                request, 413, "too-large", "Too large", "The body is larger than any route takes."
            )(scope, receive, send)
            return
        if body is None:  # the client went away
            return
        caller = rules.caller(headers.get("authorization"))
        factory = _factory(scope)
        outcome = await run_in_threadpool(
            store.claim,
            factory,
            caller=caller,
            key=key,
            fingerprint=rules.fingerprint("POST", scope["path"], scope["query_string"], body),
            now=utcnow(),
        )
        if not isinstance(outcome, store.Claimed):
            await _answer(request, outcome)(scope, receive, send)
            return
        await self._work(scope, receive, send, body, caller, factory, outcome)

    async def _read_body(self, receive: Receive, headers: Headers) -> bytes | None:
        limit = self.max_body()
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _work(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        body: bytes,
        caller: str,
        factory: store.SessionFactory,
        claimed: store.Claimed,
    ) -> None:
        given = False

        async def receive_body() -> Message:
            nonlocal given
            if not given:
                given = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        messages: list[Message] = []

        async def hold(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, receive_body, hold)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(store.release, factory, claimed)
            raise
        with anyio.CancelScope(shield=True):
            await _settle(scope, messages, caller, factory, claimed)
        for message in messages:
            await send(message)


async def _settle(
    scope: Scope,
    messages: list[Message],
    caller: str,
    factory: store.SessionFactory,
    claimed: store.Claimed,
) -> None:
    """Keep the answer under the key, or give the key up if the answer settled nothing."""
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    status = int(start["status"]) if start else 500
    try:
        if start is None or not rules.stored(status):
            await run_in_threadpool(store.release, factory, claimed)
            return
        headers = [
            (name.decode("latin-1").lower(), value.decode("latin-1"))
            for name, value in start.get("headers", [])
            if name.decode("latin-1").lower() in rules.KEPT_HEADERS
        ]
        secret = rules.shows_secret(scope.get("route"))
        keep = rules.keeps_answer(caller=caller, status=status, shows_secret=secret)
        content = b"".join(m.get("body", b"") for m in messages if m["type"].endswith(".body"))
        await run_in_threadpool(
            store.record,
            factory,
            claimed,
            status=status,
            headers=headers,
            body=content if keep else None,
        )
    except Exception:  # the answer still goes out; the key is given up if it can be
        log.exception("could not keep the answer for idempotency key %s", claimed.id)
        try:
            await run_in_threadpool(store.release, factory, claimed)
        except Exception:
            log.exception("could not give up idempotency key %s", claimed.id)


def _factory(scope: Scope) -> store.SessionFactory:
    app = scope.get("app")
    overrides = getattr(app, "dependency_overrides", {})
    factory: store.SessionFactory = overrides.get(store.store_session, store.store_session)
    return factory


def _answer(request: Request, outcome: store.Outcome) -> Response:
    if isinstance(outcome, store.Reused):
        return _problem(
            request,
            422,
            "idempotency-key-reused",
            "This Idempotency-Key was used for another request",
            f"The {rules.HEADER} was first sent with another body, method or path. "
            "Send a new key for a new request.",
        )
    if isinstance(outcome, store.InFlight):
        return _problem(
            request,
            409,
            "idempotency-key-in-flight",
            "A request with this Idempotency-Key is still being worked on",
            "Ask again after Retry-After seconds to get its answer.",
            headers={"Retry-After": str(rules.RETRY_AFTER_SECONDS)},
        )
    assert isinstance(outcome, store.Answered)
    replayed = {rules.REPLAYED: "true"}
    if outcome.body is not None:
        response = Response(outcome.body, status_code=outcome.status, headers=replayed)
        for name, value in outcome.headers:
            response.headers.append(name, value)
        return response
    location = dict(outcome.headers).get("location")
    where = f" The record is at {location}." if location else ""
    return _problem(
        request,
        409,
        "idempotency-answer-not-kept",
        "The request with this Idempotency-Key was done; its answer is not kept",
        f"It was answered with {outcome.status}. An answer that shows a secret once, or that "
        "was given to a request without credentials, is never kept, so it cannot be shown "
        f"again.{where} Read the record, or send a new key to ask again.",
        headers={**replayed, **({"Location": location} if location else {})},
    )


def _invalid_key(request: Request, why: str) -> Response:
    return problem_response(
        request,
        status=422,
        slug="validation",
        title="The request is not valid",
        detail=f"{rules.HEADER}: {why}",
        errors=[FieldProblem(field=rules.HEADER, message=why, type="invalid")],
    )


def _problem(
    request: Request,
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
) -> Response:
    return problem_response(
        request, status=status, slug=slug, title=title, detail=detail, headers=headers
    )
