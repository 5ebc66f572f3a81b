"""Run the benchmark: build the data, serve the API and the reference, load both with wrk."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from alembic import command
from alembic.config import Config

from api.db import make_engine
from bench import data

ROOT = Path(__file__).resolve().parent.parent
SCALE = {
    "partnerships": int(os.environ.get("BENCH_PARTNERSHIPS", 150)),
    "agencies": int(os.environ.get("BENCH_AGENCIES", 30)),
    "programmes": int(os.environ.get("BENCH_PROGRAMMES", 5)),
    "requirements": int(os.environ.get("BENCH_REQUIREMENTS", 40)),
}
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 32))
AIM_RATIO, AIM_P99_MS = 0.5, 50.0


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(target: str, port: int, env: dict[str, str], factory: bool) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--log-level", "warning"]
    args += ["--no-access-log"] + (["--factory"] if factory else [])
    process = subprocess.Popen(args, env={**os.environ, **env}, cwd=ROOT)
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{target} did not start")


TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")


def plain(value: Any) -> Any:
    """A reply with timestamps as naive UTC datetimes: the API writes ISO 8601 with a zone,
    the reference the text SQLite keeps."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str) and TIMESTAMP.match(value):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    return value


def equivalent(api: Any, reference: Any) -> bool:
    """The reference answers what the API answers, so that both do the same work."""
    return bool(plain(api) == plain(reference))


@dataclass(frozen=True)
class Run:
    rps: float
    p50: str
    p99: str
    p99_ms: float
    socket_errors: str | None  # wrk's own line, when connections failed or timed out

    def cells(self) -> str:
        return f"{self.rps:>8.0f} {self.p50:>9} {self.p99:>9}"


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def milliseconds(latency: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", latency).groups()  # type: ignore[union-attr]
    return float(number) * UNITS_MS[unit]


def load(url: str, token: str) -> Run:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}",
            "--timeout",
            "30s",  # a slow endpoint's latency is measured, not cut off at wrk's 2s
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url} answered {errors.group(1)} errors:\n{out}")
    socket = re.search(r"Socket errors: .*", out)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"\s50%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"\s99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    return Run(rps, p50, p99, milliseconds(p99), socket.group(0) if socket else None)


def main() -> int:
    # Stopped from outside (timeout, Ctrl-C): still stop the servers and remove the data.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs it (apt-get install wrk)")
    workdir = Path(tempfile.mkdtemp(prefix="assure-bench-"))
    db_path = workdir / "bench.db"
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    started = time.perf_counter()
    ids = data.build(engine, **SCALE)
    engine.dispose()
    say(
        f"Data: {SCALE['partnerships']} partnerships × {SCALE['agencies']} agencies × "
        f"{SCALE['programmes']} programmes, a {SCALE['requirements']}-requirement framework "
        f"(built in {time.perf_counter() - started:.1f}s, SQLite, "
        f"{db_path.stat().st_size / 1e6:.0f} MB)"
    )
    say("  " + ", ".join(f"{k[5:]} {v:,}" for k, v in ids.items() if k.startswith("rows:")))
    api_port, ref_port = free_port(), free_port()
    servers = [
        serve(
            "web.app:create_combined_app",
            api_port,
            {
                "ASSURE_DATABASE_URL": url,
                "ASSURE_ENVIRONMENT": "production",
                "ASSURE_SECRET_KEY": "bench-only",
            },
            factory=True,
        ),
        serve("bench.reference:app", ref_port, {"BENCH_SQLITE_PATH": str(db_path)}, factory=False),
    ]
    pid, fid = ids["partnership_id"], ids["framework_id"]
    prid, rid = ids["programme_id"], ids["return_id"]
    agencies = SCALE["agencies"]
    paths = {
        f"agencies list ({agencies})": f"/api/v1/partnerships/{pid}/agencies?limit=30",
        "programmes list": f"/api/v1/partnerships/{pid}/programmes?limit=20",
        f"framework version ({SCALE['requirements']} req.)": (
            f"/api/v1/partnerships/{pid}/frameworks/{fid}/versions/1"
        ),
        f"return list ({min(agencies, 30)})": (
            f"/api/v1/partnerships/{pid}/returns?programme_id={prid}&limit=30"
        ),
        "one full return": f"/api/v1/partnerships/{pid}/returns/{rid}",
        f"compliance tracker ({agencies})": (
            f"/api/v1/partnerships/{pid}/programmes/{prid}/compliance"
        ),
    }
    try:
        say(
            f"wrk: {CONNECTIONS} connections, 2 threads, {DURATION} per run, one server process; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the runs"
        )
        columns = f"{'req/s':>8} {'p50':>9} {'p99':>9}"
        say(f"{'endpoint':30} API {columns} | reference {columns} | API/ref | aim")
        for name, path in paths.items():
            token = str(ids["token"])
            auth = {"Authorization": f"Bearer {token}"}
            bodies = []
            for port in (api_port, ref_port):
                check = httpx.get(f"http://127.0.0.1:{port}{path}", headers=auth, timeout=60)
                check.raise_for_status()
                bodies.append(check.json())
            if not equivalent(*bodies):
                raise SystemExit(f"The reference's answer to {path} differs from the API's")
            api = load(f"http://127.0.0.1:{api_port}{path}", token)
            ref = load(f"http://127.0.0.1:{ref_port}{path}", token)
            ratio = api.rps / ref.rps
            aim = "met" if ratio >= AIM_RATIO and api.p99_ms < AIM_P99_MS else "missed"
            say(f"{name:30}     {api.cells()} |           {ref.cells()} | {ratio:7.2f} | {aim}")
            for side, run in (("API", api), ("reference", ref)):
                if run.socket_errors:
                    say(f"{'':30}     {side}: {run.socket_errors}")
        say(f"Aim: {AIM_RATIO:.0%} of the reference's req/s or more, p99 under {AIM_P99_MS:.0f} ms")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
