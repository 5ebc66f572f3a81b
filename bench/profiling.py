"""Where an API request's time goes: python -m bench.profiling.

Builds the benchmark's installation, then sends each measured request many times through
httpx's ASGI transport in this one process, with FastAPI's thread hops run inline so that
cProfile sees the whole request (the load run, python -m bench, shows what the hops and
the server add). For each endpoint it prints the CPU time per request without the
profiler, how the profiled time splits between our code, FastAPI, pydantic, SQLAlchemy
and the driver, and our own functions that cost most.
"""

import asyncio
import cProfile
import os
import pstats
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastapi.dependencies.utils
import fastapi.routing
import httpx

from bench.installation import ROOT, build, say

REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", 300))
SECONDS = 5.0  # a slow endpoint is sent fewer requests, so that each takes about this long
CLIENT = "the test client (left out)"
LAYERS = (  # the first part of a file's path that names it picks its layer
    (str(ROOT / "api"), "our code (api/)"),
    ("/fastapi/", "FastAPI + Starlette"),
    ("/starlette/", "FastAPI + Starlette"),
    ("/anyio/", "FastAPI + Starlette"),
    ("/pydantic", "pydantic"),
    ("/sqlmodel/", "SQLAlchemy ORM + SQLModel"),
    ("/sqlalchemy/orm/", "SQLAlchemy ORM + SQLModel"),
    ("/sqlalchemy/", "SQLAlchemy Core + engine"),
    ("/httpx/", CLIENT),
    ("/httpcore/", CLIENT),
    ("/sniffio/", CLIENT),
    ("importlib", CLIENT),  # httpx's ASGI transport looks for trio on every request
)

Site = tuple[str, int, str]


async def _inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def layer(site: Site) -> str | None:
    """The layer of a function; None for a builtin that belongs to whoever called it."""
    path, _, name = site
    if path == "~":
        if "sqlite3" in name:
            return "sqlite3 driver (the SQL itself)"
        if "pydantic_core" in name:
            return "pydantic"
        return None
    return next((label for part, label in LAYERS if part in path), "Python and the rest")


def split(stats: dict[Site, Any]) -> Counter[str]:
    """Seconds by layer; a builtin's time goes to its callers' layers, by calls."""
    seconds: Counter[str] = Counter()
    for site, (_, _, own, _, callers) in stats.items():
        found = layer(site)
        if found is not None:
            seconds[found] += own
            continue
        calls = {caller: entry[0] for caller, entry in callers.items()}
        total = sum(calls.values()) or 1
        for caller, n in calls.items():
            seconds[layer(caller) or "Python and the rest"] += own * n / total
    return seconds


def ours(stats: dict[Site, Any], requests: int) -> list[str]:
    """Our own functions that cost most, with what they call (cumulative)."""
    found = [
        (cumulative, site)
        for site, (_, _, _, cumulative, _) in stats.items()
        if site[0].startswith(str(ROOT / "api")) and not site[0].endswith("routes.py")
    ]
    found.sort(reverse=True)
    return [
        f"{1000 * c / requests:7.3f} ms  {Path(s[0]).relative_to(ROOT)}:{s[2]}"
        for c, s in found[:6]
    ]


def profile(app: Any, path: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    async def send(times: int) -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(times):
                (await client.get(path, headers=headers)).raise_for_status()

    started = time.process_time()
    asyncio.run(send(3))
    first = (time.process_time() - started) / 3
    requests = max(5, min(REQUESTS, int(SECONDS / max(first, 1e-6))))
    started = time.process_time()
    asyncio.run(send(requests))
    cpu = 1000 * (time.process_time() - started) / requests
    profiler = cProfile.Profile()
    profiler.runcall(asyncio.run, send(requests))
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    seconds = split(stats)
    seconds.pop(CLIENT, None)
    whole = sum(seconds.values())
    say(
        f"  {cpu:.2f} ms CPU per request without the profiler, over {requests} requests "
        "(with the in-process client)"
    )
    for name, spent in seconds.most_common():
        say(f"    {100 * spent / whole:5.1f}%  {name}")
    say("  our costliest functions, per request under the profiler:")
    for line in ours(stats, requests):
        say(f"    {line}")


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="assure-profile-"))
    try:
        installation = build(workdir / "bench.db")
        os.environ["ASSURE_DATABASE_URL"] = installation.url
        os.environ["ASSURE_ENVIRONMENT"] = "production"
        os.environ["ASSURE_SECRET_KEY"] = "bench-only"
        fastapi.routing.run_in_threadpool = _inline  # type: ignore[assignment]
        fastapi.dependencies.utils.run_in_threadpool = _inline  # type: ignore[assignment]
        from api.db import get_engine
        from api.main import create_app
        from api.settings import get_settings

        get_settings.cache_clear()  # read the settings above, whatever was read before
        get_engine.cache_clear()
        app = create_app()
        say(f"Up to {REQUESTS} requests each, in one process, thread hops run inline")
        for name, path in installation.paths.items():
            say(f"{name}: GET {path}")
            profile(app, path, installation.token)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
