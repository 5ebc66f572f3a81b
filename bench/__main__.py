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
from pathlib import Path

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


def load(url: str, token: str) -> tuple[float, str, str]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}",
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
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"\s50%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"\s99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    return rps, p50, p99


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
        f"(built in {time.perf_counter() - started:.1f}s, SQLite)"
    )
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
    paths = {
        "agencies list (30)": f"/api/v1/partnerships/{pid}/agencies?limit=30",
        "programmes list (5)": f"/api/v1/partnerships/{pid}/programmes?limit=20",
        f"framework version ({SCALE['requirements']} req.)": (
            f"/api/v1/partnerships/{pid}/frameworks/{fid}/versions/1"
        ),
    }
    try:
        say(f"wrk: {CONNECTIONS} connections, 2 threads, {DURATION} per run, one server process")
        columns = f"{'req/s':>8} {'p50':>9} {'p99':>9}"
        say(f"{'endpoint':34} API {columns} | reference {columns} | API/ref")
        for name, path in paths.items():
            token = str(ids["token"])
            for port in (api_port, ref_port):
                auth = {"Authorization": f"Bearer {token}"}
                check = httpx.get(f"http://127.0.0.1:{port}{path}", headers=auth)
                check.raise_for_status()
            api = load(f"http://127.0.0.1:{api_port}{path}", token)
            ref = load(f"http://127.0.0.1:{ref_port}{path}", token)
            api_cells = f"{api[0]:>8.0f} {api[1]:>9} {api[2]:>9}"
            ref_cells = f"{ref[0]:>8.0f} {ref[1]:>9} {ref[2]:>9}"
            say(f"{name:34}     {api_cells} |           {ref_cells} | {api[0] / ref[0]:.2f}")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
