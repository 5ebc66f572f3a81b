"""The benchmark's installation: a migrated SQLite file filled by bench.data, and the URLs
that are measured in it. Shared by the load run (python -m bench) and the profile
(python -m bench.profiling)."""

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

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


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@dataclass(frozen=True)
class Installation:
    db_path: Path
    token: str
    paths: dict[str, str]  # what is measured, by name

    @property
    def url(self) -> str:
        return f"sqlite:///{self.db_path}"


def build(db_path: Path) -> Installation:
    """Migrate a new SQLite file, fill it, and say what was made and how long it took."""
    engine = make_engine(f"sqlite:///{db_path}")
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
    pid, fid = ids["partnership_id"], ids["framework_id"]
    prid, rid = ids["programme_id"], ids["return_id"]
    agencies = SCALE["agencies"]
    paths = {
        f"agencies list ({min(agencies, 30)})": f"/api/v1/partnerships/{pid}/agencies?limit=30",
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
    return Installation(db_path=db_path, token=str(ids["token"]), paths=paths)
