"""What every handler of the bare reference shares: one sqlite3 connection, rows as dicts,
the same three statements as the API to know who is asking, and a JSON reply."""

import json
import os
import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api.security import token_digest

db = sqlite3.connect(os.environ["BENCH_SQLITE_PATH"], check_same_thread=False)
db.row_factory = sqlite3.Row

OVERSIGHT = {"partnership_admin", "scrutineer"}  # the roles that read every agency's returns


def rows(sql: str, *params: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in db.execute(sql, params).fetchall()]


def memberships(request: Request, partnership_id: int) -> list[dict[str, Any]]:
    """The caller's memberships of the partnership: token, user, then memberships, as the API
    loads them; none for an unknown token or a stranger to the partnership."""
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    found = rows(
        "SELECT * FROM api_token WHERE token_hash = ? AND revoked_at IS NULL",
        token_digest(token),
    )
    if not found:
        return []
    rows('SELECT * FROM "user" WHERE id = ?', found[0]["user_id"])
    members = rows("SELECT * FROM membership WHERE user_id = ?", found[0]["user_id"])
    return [m for m in members if m["partnership_id"] == partnership_id]


def reply(body: Any) -> Response:
    return Response(json.dumps(body, default=str), media_type="application/json")


def not_found() -> Response:
    return Response(status_code=404)
