"""The bare reference: plain Starlette and sqlite3 running the same SQL as the API.

It answers the same URLs with the same statements (token, user, memberships, then the
page's own queries) and serialises rows with json.dumps, so the gap to the API is the
framework's own cost: validation, dependency injection, the ORM, the thread hop.
"""

import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.reference_kit import db, memberships, not_found, reply, rows
from bench.reference_returns import compliance, one_return, return_list


async def agencies(request: Request) -> Response:
    pid = int(request.path_params["pid"])
    if not memberships(request, pid):
        return not_found()
    limit = int(request.query_params.get("limit", 20))
    query = (
        "SELECT agency.*, pa.partnership_id, pa.statutory_partner, "
        "owner.name AS owner_partnership_name FROM agency "
        "JOIN partnership_agency pa ON pa.agency_id = agency.id "
        "JOIN partnership AS owner ON owner.id = agency.owner_partnership_id "
        "WHERE pa.partnership_id = ?"
    )
    total = db.execute(f"SELECT count(*) FROM ({query})", (pid,)).fetchone()[0]
    items = rows(
        query + " ORDER BY pa.statutory_partner DESC, agency.name LIMIT ? OFFSET 0", pid, limit
    )
    for item in items:
        item["statutory_partner"] = bool(item["statutory_partner"])
    return reply({"items": items, "total": total, "limit": limit, "offset": 0})


PROGRAMME_FIELDS = ("id", "partnership_id", "title", "description", "status", "opens_on")
PROGRAMME_TIMES = ("deadline", "opened_at", "closed_at", "version", "created_at", "updated_at")


async def programmes(request: Request) -> Response:
    pid = int(request.path_params["pid"])
    if not memberships(request, pid):
        return not_found()
    limit = int(request.query_params.get("limit", 20))
    query = (
        "SELECT programme.*, fv.number, fv.name AS fv_name, fv.framework_id, f.key "
        "FROM programme JOIN framework_version fv ON fv.id = programme.framework_version_id "
        "JOIN framework f ON f.id = fv.framework_id WHERE programme.partnership_id = ?"
    )
    total = db.execute(f"SELECT count(*) FROM ({query})", (pid,)).fetchone()[0]
    found = rows(
        query + " ORDER BY programme.opens_on DESC, programme.id DESC LIMIT ? OFFSET 0",
        pid,
        limit,
    )
    ids = [i["id"] for i in found]
    marks = ",".join("?" * len(ids))
    counts = dict(
        db.execute(
            f"SELECT programme_id, count(*) FROM programme_agency WHERE programme_id IN ({marks}) "
            "GROUP BY programme_id",
            ids,
        ).fetchall()
    )
    items = [
        {
            **{f: p[f] for f in PROGRAMME_FIELDS + PROGRAMME_TIMES},
            "framework_version": {
                "id": p["framework_version_id"],
                "framework_id": p["framework_id"],
                "framework_key": p["key"],
                "number": p["number"],
                "name": p["fv_name"],
            },
            "asked_count": counts.get(p["id"], 0),
        }
        for p in found
    ]
    return reply({"items": items, "total": total, "limit": limit, "offset": 0})


LEVEL_FIELDS = ("code", "label", "colour", "description")
LEVEL_FLAGS = ("needs_action", "needs_reason", "scored")
VERSION_FIELDS = ("id", "framework_id", "number", "name", "description", "source_sha256")


async def version(request: Request) -> Response:
    pid = int(request.path_params["pid"])
    if not memberships(request, pid):
        return not_found()
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
        by_standard.setdefault(r["standard_id"], []).append(
            {
                "id": r["id"],
                "code": r["code"],
                "text": r["text"],
                "guidance": r["guidance"],
                "evidence_prompts": json.loads(r["evidence_prompts"]),
            }
        )
    return reply(
        {
            **{f: v[f] for f in VERSION_FIELDS},
            "framework_key": framework["key"],
            "imported_at": v["imported_at"],
            "rating_scale": {
                "name": scale["name"],
                "levels": [
                    {**{f: lv[f] for f in LEVEL_FIELDS}, **{f: bool(lv[f]) for f in LEVEL_FLAGS}}
                    for lv in levels
                ],
            },
            "standards": [
                {
                    "id": s["id"],
                    "code": s["code"],
                    "title": s["title"],
                    "description": s["description"],
                    "requirements": by_standard.get(s["id"], []),
                }
                for s in standards
            ],
        }
    )


app = Starlette(
    routes=[
        Route("/api/v1/partnerships/{pid}/agencies", agencies),
        Route("/api/v1/partnerships/{pid}/programmes", programmes),
        Route("/api/v1/partnerships/{pid}/frameworks/{fid}/versions/{n}", version),
        Route("/api/v1/partnerships/{pid}/returns", return_list),
        Route("/api/v1/partnerships/{pid}/returns/{rid}", one_return),
        Route("/api/v1/partnerships/{pid}/programmes/{prid}/compliance", compliance),
    ]
)
