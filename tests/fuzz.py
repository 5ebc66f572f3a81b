"""`make fuzz`: schemathesis against a served instance, as three kinds of caller.

Serves the combined app (the one `assure serve` runs) with uvicorn on a free port, on a
fresh SQLite database, migrated and loaded with the demo; then runs
`schemathesis run --checks all` anonymously, with a service token holding every scope
and as an agency editor. Exits non-zero if any run reports a failure.

Settings: FUZZ_MAX_EXAMPLES (per operation; `make fuzz` gives 10), FUZZ_SEED, FUZZ_RUNS (a
comma-separated subset of anonymous,service,editor), FUZZ_REPORT_DIR (keeps each run's
JUnit report there).
"""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from api.demo import DEMO_PASSWORD
from api.permissions import SCOPES

BIN = Path(sys.executable).parent
CONFIG = Path(__file__).with_name("schemathesis.toml")
EDITOR = "editor@york.example"
ADMIN = "admin@york.example"
# Signing out ends the caller's token: fuzzing it with a token would leave the rest of the
# run testing only the 401 path. The anonymous run fuzzes it; tests/api covers the rest.
SIGN_OUT = "/api/v1/auth/revoke"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(env: dict[str, str]) -> Iterator[str]:
    """A migrated demo instance, served until the block ends."""
    for command in (["migrate"], ["seed-demo"]):
        subprocess.run([BIN / "assure", *command], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [BIN / "assure", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(env["FUZZ_WORK"]) / "server.log", "w"),  # noqa: SIM115
    )
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            if server.poll() is not None:
                raise SystemExit("the server did not start: see server.log")
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def sign_in(base: str, email: str) -> str:
    reply = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD}
    )
    reply.raise_for_status()
    return str(reply.json()["access_token"])


def service_token(base: str) -> str:
    """A token with every scope, issued by the York partnership's admin."""
    admin = {"Authorization": f"Bearer {sign_in(base, ADMIN)}"}
    me = httpx.get(f"{base}/api/v1/me", headers=admin).json()
    partnership_id = me["memberships"][0]["partnership_id"]
    reply = httpx.post(
        f"{base}/api/v1/partnerships/{partnership_id}/service-tokens",
        headers=admin,
        json={"name": "fuzz", "scopes": list(SCOPES)},
    )
    reply.raise_for_status()
    return str(reply.json()["token"])


def schemathesis(base: str, name: str, token: str | None, report_dir: Path, work: str) -> int:
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        os.environ.get("FUZZ_MAX_EXAMPLES", "20"),
        "--workers",
        "2",
        "--report",
        "junit",
        "--report-junit-path",
        str(report_dir / f"{name}.xml"),
    ]
    if seed := os.environ.get("FUZZ_SEED"):
        command += ["--seed", seed]
    if token:
        command += ["--header", f"Authorization: Bearer {token}", "--exclude-path", SIGN_OUT]
    print(f"== schemathesis as {name}", flush=True)  # noqa: T201
    # A fresh Idempotency-Key for each request (see fuzz_hooks).
    hooks = {"SCHEMATHESIS_HOOKS": "fuzz_hooks", "PYTHONPATH": str(Path(__file__).parent)}
    # Run in the scratch directory: schemathesis keeps its crash cache in the working one.
    return subprocess.run(command, cwd=work, env={**os.environ, **hooks}).returncode


def main() -> int:
    runs = os.environ.get("FUZZ_RUNS", "anonymous,service,editor").split(",")
    with tempfile.TemporaryDirectory(prefix="assure-fuzz-") as work:
        report_dir = Path(os.environ.get("FUZZ_REPORT_DIR") or work)
        report_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "FUZZ_WORK": work,
            "ASSURE_DATABASE_URL": f"sqlite:///{work}/fuzz.db",
            "ASSURE_ENVIRONMENT": "development",
            # The fuzzer sends many wrong passwords and resets; a lockout would only test 429.
            "ASSURE_SIGN_IN_MAX_FAILURES": "1000000",
            "ASSURE_SIGN_IN_MAX_FAILURES_PER_ADDRESS": "1000000",
            "ASSURE_PASSWORD_RESET_MAX_PER_EMAIL": "1000000",
            "ASSURE_PASSWORD_RESET_MAX_PER_ADDRESS": "1000000",
        }
        with served(env) as base:
            tokens = {
                "anonymous": lambda: None,
                "service": lambda: service_token(base),
                "editor": lambda: sign_in(base, EDITOR),
            }
            results = {
                name: schemathesis(base, name, tokens[name](), report_dir, work) for name in runs
            }
    failed = [name for name, code in results.items() if code != 0]
    print(f"== fuzz: {', '.join(failed) + ' failed' if failed else 'every run passed'}")  # noqa: T201
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
