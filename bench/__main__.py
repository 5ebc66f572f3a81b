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

from bench.installation import ROOT, Installation, build, say

DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 32))
AIM_RATIO, AIM_P99_MS = 0.5, 50.0


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
    servers: list[subprocess.Popen[bytes]] = []
    try:
        installation = build(workdir / "bench.db")
        api_env = {
            "ASSURE_DATABASE_URL": installation.url,
            "ASSURE_ENVIRONMENT": "production",
            "ASSURE_SECRET_KEY": "bench-only",
        }
        api_port, ref_port = free_port(), free_port()
        servers.append(serve("web.app:create_combined_app", api_port, api_env, factory=True))
        ref_env = {"BENCH_SQLITE_PATH": str(installation.db_path)}
        servers.append(serve("bench.reference:app", ref_port, ref_env, factory=False))
        measure(installation, api_port, ref_port)
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:  # threads stuck in a query: do not leave it running
        server.kill()
        server.wait()


def measure(installation: Installation, api_port: int, ref_port: int) -> None:
    """Each endpoint on the API, then on the reference, after checking they answer alike."""
    say(
        f"wrk: {CONNECTIONS} connections, 2 threads, {DURATION} per run, one server process; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the runs"
    )
    columns = f"{'req/s':>8} {'p50':>9} {'p99':>9}"
    say(f"{'endpoint':30} API {columns} | reference {columns} | API/ref | aim")
    for name, path in installation.paths.items():
        token = installation.token
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


if __name__ == "__main__":
    raise SystemExit(main())
