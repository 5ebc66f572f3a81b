"""The bare reference: plain Starlette and sqlite3 running the same SQL as the API.

It answers the same three URLs with the same statements (token, user, memberships, then
the page's own queries) and serialises rows with json.dumps, so the gap to the API is
the framework's own cost: validation, dependency injection, the ORM, the thread hop.
"""

import json
import os
import sqlite3
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.security import token_digest

db = sqlite3.connect(os.environ["BENCH_SQLITE_PATH"], check_same_thread=False)
db.row_factory = sqlite3.Row


def rows(sql: str, *params: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in db.execute(sql, params).fetchall()]


def authorised(request: Request, partnership_id: int) -> bool:
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    found = rows(
        "SELECT * FROM api_token WHERE token_hash = ? AND revoked_at IS NULL",
        token_digest(token),
    )
    if not found:
        return False
    rows('SELECT * FROM "user" WHERE id = ?', found[0]["user_id"])
    members = rows("SELECT * FROM membership WHERE user_id = ?", found[0]["user_id"])
    return any(m["partnership_id"] == partnership_id for m in members)


def reply(body: Any) -> Response:
    return Response(json.dumps(body, default=str), media_type="application/json")


async def agencies(request: Request) -> Response:
    pid = int(request.path_params["pid"])
    if not authorised(request, pid):
        return Response(status_code=404)
    limit = int(request.query_params.get("limit", 20))
    total = db.execute(
        "SELECT count(*) FROM agency JOIN partnership_agency pa ON pa.agency_id = agency.id "
        "WHERE pa.partnership_id = ?",
        (pid,),
    ).fetchone()[0]
    items = rows(
        "SELECT agency.id, agency.name, agency.sector, agency.version, agency.created_at, "
        "agency.updated_at, pa.partnership_id, pa.statutory_partner FROM agency "
        "JOIN partnership_agency pa ON pa.agency_id = agency.id WHERE pa.partnership_id = ? "
        "ORDER BY pa.statutory_partner DESC, agency.name LIMIT ? OFFSET 0",
        pid,
        limit,
    )
    return reply({"items": items, "total": total, "limit": limit, "offset": 0})


async def programmes(request: Request) -> Response:
    pid = int(request.path_params["pid"])
    if not authorised(request, pid):
        return Response(status_code=404)
    limit = int(request.query_params.get("limit", 20))
    total = db.execute(
        "SELECT count(*) FROM programme WHERE partnership_id = ?", (pid,)
    ).fetchone()[0]
    items = rows(
        "SELECT programme.*, fv.number, fv.name AS fv_name, fv.framework_id, f.key "
        "FROM programme JOIN framework_version fv ON fv.id = programme.framework_version_id "
        "JOIN framework f ON f.id = fv.framework_id WHERE programme.partnership_id = ? "
        "ORDER BY programme.opens_on DESC, programme.id DESC LIMIT ? OFFSET 0",
        pid,
        limit,
    )
    ids = [i["id"] for i in items]
    marks = ",".join("?" * len(ids))
    counts = dict(
        db.execute(
            f"SELECT programme_id, count(*) FROM programme_agency WHERE programme_id IN ({marks}) "
            "GROUP BY programme_id",
            ids,
        ).fetchall()
    )
    for item in items:
        item["asked_count"] = counts.get(item["id"], 0)
    return reply({"items": items, "total": total, "limit": limit, "offset": 0})


async def version(request: Request) -> Response:
    pid = int(request.path_params["pid"])
    if not authorised(request, pid):
        return Response(status_code=404)
    framework = rows(
        "SELECT * FROM framework WHERE id = ? AND (partnership_id IS NULL OR partnership_id = ?)",
        int(request.path_params["fid"]),
        pid,
    )[0]
    v = rows(
        "SELECT * FROM framework_version WHERE framework_id = ? AND number = ?",
        framework["id"],
        int(request.path_params["n"]),
    )[0]
    scale = rows("SELECT * FROM rating_scale WHERE id = ?", v["rating_scale_id"])[0]
    levels = rows(
        "SELECT * FROM rating_level WHERE rating_scale_id = ? ORDER BY position", scale["id"]
    )
    standards = rows(
        "SELECT * FROM standard WHERE framework_version_id = ? ORDER BY position", v["id"]
    )
    requirements = rows(
        "SELECT requirement.* FROM requirement "
        "JOIN standard ON standard.id = requirement.standard_id "
        "WHERE standard.framework_version_id = ? ORDER BY requirement.position",
        v["id"],
    )
    by_standard: dict[int, list[dict[str, Any]]] = {}
    for r in requirements:
        r["evidence_prompts"] = json.loads(r["evidence_prompts"])
        by_standard.setdefault(r["standard_id"], []).append(r)
    for s in standards:
        s["requirements"] = by_standard.get(s["id"], [])
    return reply({**v, "rating_scale": {**scale, "levels": levels}, "standards": standards})


app = Starlette(
    routes=[
        Route("/api/v1/partnerships/{pid}/agencies", agencies),
        Route("/api/v1/partnerships/{pid}/programmes", programmes),
        Route("/api/v1/partnerships/{pid}/frameworks/{fid}/versions/{n}", version),
    ]
)
