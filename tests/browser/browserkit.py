"""What the browser journeys share: serving an app on 127.0.0.1, watching a page for
errors, and waiting for htmx. (Kept out of conftest.py, which tests cannot import
reliably.)"""

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from playwright.sync_api import Page

LOCAL_HOST = "127.0.0.1"


@dataclass
class LiveServer:
    """Where the browser finds the pages, and the lock that serialises database access
    (the in-process server shares the test's one connection)."""

    url: str
    db_lock: threading.Lock = field(default_factory=threading.Lock)


class _Server(uvicorn.Server):
    """uvicorn, telling the test when it is listening."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


@contextmanager
def served(
    app: Any, *, on_stop: Callable[[], Awaitable[None]] | None = None, lifespan: str = "off"
) -> Iterator[str]:
    """A real uvicorn serving `app` on a free port of 127.0.0.1 in a thread, until the block
    ends (then `on_stop` runs in the server's loop); its base URL. `lifespan="on"` runs the
    app's own start and shutdown."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOCAL_HOST, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan=lifespan, log_level="warning", access_log=False, timeout_graceful_shutdown=5
    )
    server = _Server(config)
    failure: list[BaseException] = []

    def serve() -> None:
        async def main() -> None:
            try:
                await server.serve(sockets=[sock])
            finally:
                if on_stop is not None:
                    await on_stop()

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported to the test below
            failure.append(exc)
            server.ready.set()

    thread = threading.Thread(target=serve, name="assure-live-server", daemon=True)
    thread.start()
    assert server.ready.wait(timeout=30), "the live server did not start"
    assert not failure, failure
    try:
        yield f"http://{LOCAL_HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
        assert not thread.is_alive(), "the live server did not stop"
        assert not failure, failure


class Watcher:
    """Console errors and uncaught exceptions of a page: a journey must have none (an SRI
    mismatch, a script error, a refused resource), except Chromium's note of the 422 that
    a form with mistakes is meant to answer."""

    EXPECTED = "the server responded with a status of 422"

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("console", self.console)

    def console(self, message: Any) -> None:
        if message.type == "error" and self.EXPECTED not in message.text:
            self.errors.append(f"console: {message.text}")


def htmx_ready(page: Page) -> None:
    """Wait until htmx has loaded and processed the page (it starts on DOMContentLoaded), so
    that typing and clicking go through it rather than past it."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => typeof htmx === 'object'")
