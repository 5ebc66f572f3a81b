"""What the browser journeys share: watching a page for errors, and waiting for htmx.
(Kept out of conftest.py, which tests cannot import reliably.)"""

from typing import Any

from playwright.sync_api import Page


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
