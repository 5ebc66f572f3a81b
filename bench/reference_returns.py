"""The reference's returns: the return list, one full return and the compliance tracker.

Each runs the statements the API runs for the same request (api/returns/service.py,
api/returns/answers.py, api/programmes/compliance.py), with the same joins and subqueries,
and answers the same fields. Change these when the API's SQL changes, or the comparison
stops meaning anything.
"""

from datetime import UTC, date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api.attachments.rules import ACCEPT_ATTRIBUTE, human_size, upload_hint
from api.attachments.sniff import kind_of
from api.returns.rules import DECLARATION, MOVES, Move
from api.reviews.rules import MODERATABLE
from api.settings import Settings
from bench.reference_kit import OVERSIGHT, db, memberships, not_found, reply, rows

EDITABLE = {"not_started", "in_progress", "returned"}
# api.returns.access.read_for: the evidence file rules from the settings, as the API reads them.
MAX_BYTES = Settings().attachment_max_bytes
EVIDENCE_FILES = {
    "max_bytes": MAX_BYTES,
    "accept": ACCEPT_ATTRIBUTE,
    "hint": upload_hint(MAX_BYTES),
}
OPEN_ACTIONS = ("planned", "in_progress")

# api.returns.service._summary_query: a return, its programme and agency, how many of its
# requirements are rated and how many its framework version has.
SUMMARY = """
SELECT agency_return.version, agency_return.created_at, agency_return.updated_at,
    agency_return.id, agency_return.programme_id, agency_return.agency_id, agency_return.status,
    agency_return.started_at, agency_return.submitted_at, agency_return.accepted_at,
    agency_return.extended_to, agency_return.extension_reason, agency_return.extended_at,
    agency_return.extended_by_label, programme.title, programme.deadline,
    programme.framework_version_id, agency.name,
    (SELECT count(*) FROM requirement_response
        WHERE requirement_response.return_id = agency_return.id
        AND requirement_response.rating IS NOT NULL
        AND requirement_response.carried_forward = false) AS rated,
    (SELECT count(requirement.id) FROM requirement
        JOIN standard ON standard.id = requirement.standard_id
        WHERE standard.framework_version_id = programme.framework_version_id)
        AS requirement_count,
    programme.status AS programme_status
FROM agency_return
JOIN programme ON programme.id = agency_return.programme_id
JOIN agency ON agency.id = agency_return.agency_id
WHERE programme.partnership_id = ?"""

# api.programmes.compliance._query: one row per asked agency, with every count beside it.
COMPLIANCE = """
SELECT programme_agency.agency_id, agency.name, agency_return.id AS return_id,
    agency_return.status, agency_return.submitted_at, versions.first, versions.first_due_on,
    agency_return.extended_to, coalesce(versions.n, 0) AS version_count,
    coalesce(moderated.n, 0) AS moderated,
    coalesce(counts.open, 0) AS open_actions, coalesce(counts.overdue, 0) AS overdue_actions,
    coalesce(plans.n, 0) AS plan_actions
FROM programme_agency
JOIN agency ON agency.id = programme_agency.agency_id
LEFT OUTER JOIN agency_return ON agency_return.programme_id = programme_agency.programme_id
    AND agency_return.agency_id = programme_agency.agency_id
LEFT OUTER JOIN (
    SELECT return_version.return_id AS return_id, count(*) AS n,
        min(CASE WHEN (return_version.number = ?) THEN return_version.submitted_at END) AS first,
        min(CASE WHEN (return_version.number = ?) THEN return_version.due_on END)
            AS first_due_on
    FROM return_version
    WHERE return_version.return_id IN (
        SELECT agency_return.id FROM agency_return WHERE agency_return.programme_id = ?)
    GROUP BY return_version.return_id
) AS versions ON versions.return_id = agency_return.id
LEFT OUTER JOIN (
    SELECT moderated_rating.return_id AS return_id, count(*) AS n
    FROM moderated_rating
    WHERE moderated_rating.return_id IN (
        SELECT agency_return.id FROM agency_return WHERE agency_return.programme_id = ?)
    GROUP BY moderated_rating.return_id
) AS moderated ON moderated.return_id = agency_return.id
LEFT OUTER JOIN (
    SELECT action.return_id AS return_id, count(*) AS n
    FROM action
    WHERE action.return_id IN (
        SELECT agency_return.id FROM agency_return WHERE agency_return.programme_id = ?)
    GROUP BY action.return_id
) AS plans ON plans.return_id = agency_return.id
LEFT OUTER JOIN (
    SELECT action.agency_id AS agency_id,
        sum(CASE WHEN (action.status IN (?, ?)) THEN ? ELSE ? END) AS open,
        sum(CASE WHEN (action.status IN (?, ?) AND action.due_on < ?) THEN ? ELSE ? END)
            AS overdue
    FROM action WHERE action.partnership_id = ? GROUP BY action.agency_id
) AS counts ON counts.agency_id = programme_agency.agency_id
WHERE programme_agency.programme_id = ?
ORDER BY agency.name, agency.id"""


def _agencies(members: list[dict[str, Any]]) -> tuple[str, list[Any]]:
    """Whose returns the caller sees: a condition to add, and its parameters."""
    if any(m["role"] in OVERSIGHT for m in members):
        return "", []
    own = [m["agency_id"] for m in members if m["agency_id"] is not None]
    return f" AND agency_return.agency_id IN ({','.join('?' * len(own))})", own


def _due_on(deadline: str, extended_to: str | None) -> str:
    """api.returns.rules.due_date: the deadline, or the agency's extension if later."""
    return max(deadline, extended_to) if extended_to is not None else deadline  # ISO dates


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    extension = (
        {
            "due_on": row["extended_to"],
            "reason": row["extension_reason"] or "",
            "granted_at": row["extended_at"],
            "granted_by": row["extended_by_label"],
        }
        if row["extended_to"] is not None
        else None
    )
    return {
        "id": row["id"],
        "programme_id": row["programme_id"],
        "programme_title": row["title"],
        "deadline": row["deadline"],
        "due_on": _due_on(row["deadline"], row["extended_to"]),
        "extension": extension,
        "agency_id": row["agency_id"],
        "agency_name": row["name"],
        "status": row["status"],
        "submitted_at": row["submitted_at"],
        "rated": row["rated"],
        "requirement_count": row["requirement_count"],
        "version": row["version"],
    }


async def return_list(request: Request) -> Response:
    pid = int(request.path_params["pid"])
    members = memberships(request, pid)
    if not members:
        return not_found()
    where, params = _agencies(members)
    for name in ("programme_id", "agency_id", "status"):
        if name in request.query_params:
            where += f" AND agency_return.{name} = ?"
            params.append(request.query_params[name])
    limit = int(request.query_params.get("limit", 20))
    offset = int(request.query_params.get("offset", 0))
    query = SUMMARY + where
    total = db.execute(f"SELECT count(*) FROM ({query})", (pid, *params)).fetchone()[0]
    page = rows(
        query + " ORDER BY programme.deadline DESC, agency.name, agency_return.id LIMIT ? OFFSET ?",
        pid,
        *params,
        limit,
        offset,
    )
    items = [_summary(r) for r in page]
    return reply({"items": items, "total": total, "limit": limit, "offset": offset})


def _carry_source(ret: dict[str, Any]) -> dict[str, Any] | None:
    """api.returns.answers.carry_source: the agency's latest accepted return of the framework,
    looked for (api.returns.access.read_for) while its own staff may still answer it."""
    found = rows(
        "SELECT agency_return.*, programme.title FROM agency_return "
        "JOIN programme ON programme.id = agency_return.programme_id "
        "JOIN framework_version ON framework_version.id = programme.framework_version_id "
        "JOIN (SELECT programme.partnership_id AS partnership_id, "
        "framework_version.framework_id AS framework_id FROM programme "
        "JOIN framework_version ON framework_version.id = programme.framework_version_id "
        "WHERE programme.id = ?) AS this ON this.partnership_id = programme.partnership_id "
        "AND this.framework_id = framework_version.framework_id "
        "WHERE agency_return.agency_id = ? AND agency_return.status = 'accepted' "
        "AND agency_return.id != ? "
        "ORDER BY agency_return.accepted_at DESC, agency_return.id DESC LIMIT 1",
        ret["programme_id"],
        ret["agency_id"],
        ret["id"],
    )
    if not found:
        return None
    source = found[0]
    return {
        "return_id": source["id"],
        "programme_id": source["programme_id"],
        "programme_title": source["title"],
        "accepted_at": source["accepted_at"],
    }


def _all(table: str, fields: tuple[str, ...], return_id: int, order: str) -> list[dict[str, Any]]:
    found = rows(f"SELECT * FROM {table} WHERE return_id = ? ORDER BY {order}", return_id)
    flags = {"carried_forward"}
    return [{f: bool(r[f]) if f in flags else r[f] for f in fields} for r in found]


def _kind_label(media_type: str) -> str:
    """api.attachments.schemas.AttachmentRead.kind_label."""
    kind = kind_of(media_type)
    return kind.label if kind else media_type


def _allowed(
    ret: dict[str, Any], editable: bool, answering: bool, signing: bool, reviewing: bool
) -> list[str]:
    """api.permissions.return_allowed: the caller's permission and the return's state."""
    status, programme_open = ret["status"], ret["programme_status"] == "open"
    allowed = ["answer"] if editable and answering else []
    if programme_open and (status, Move.submit) in MOVES and signing:
        allowed.append("sign_off")
    if reviewing:
        allowed.append("review")
        if programme_open and (status, Move.send_back) in MOVES:
            allowed.append("send_back")
        if status in MODERATABLE:
            allowed.append("moderate")
        if (status, Move.accept) in MOVES:
            allowed.append("accept")
    if programme_open and ret["submitted_at"] is None and reviewing:  # the admin: programmes
        allowed.append("extend")
    return allowed


async def one_return(request: Request) -> Response:
    pid, rid = int(request.path_params["pid"]), int(request.path_params["rid"])
    members = memberships(request, pid)
    if not members:
        return not_found()
    where, params = _agencies(members)
    found = rows(SUMMARY + where + " AND agency_return.id = ?", pid, *params, rid)
    if not found:
        return not_found()
    ret = found[0]
    editable = ret["programme_status"] == "open" and ret["status"] in EDITABLE
    answering = any(m["agency_id"] == ret["agency_id"] for m in members)
    signing = any(
        m["agency_id"] == ret["agency_id"] and m["role"] == "agency_approver" for m in members
    )
    reviewing = any(m["role"] == "partnership_admin" for m in members)
    responses = rows("SELECT * FROM requirement_response WHERE return_id = ?", rid)
    rated = {
        r["requirement_id"]
        for r in responses
        if r["rating"] is not None and not r["carried_forward"]
    }
    to_review = {r["requirement_id"] for r in responses if r["carried_forward"]}
    progress: dict[int, dict[str, Any]] = {}
    for row in rows(
        "SELECT standard.*, requirement.id AS requirement_id FROM standard "
        "JOIN requirement ON requirement.standard_id = standard.id "
        "WHERE standard.framework_version_id = ? ORDER BY standard.position, requirement.position",
        ret["framework_version_id"],
    ):
        entry = progress.setdefault(
            row["id"],
            {"standard_id": row["id"], "code": row["code"], "title": row["title"], "rated": 0,
             "to_review": 0, "requirement_count": 0},
        )  # fmt: skip
        entry["requirement_count"] += 1
        entry["rated"] += row["requirement_id"] in rated
        entry["to_review"] += row["requirement_id"] in to_review
    version = rows(
        "SELECT framework_version.*, framework.key FROM framework_version "
        "JOIN framework ON framework.id = framework_version.framework_id "
        "WHERE framework_version.id = ?",
        ret["framework_version_id"],
    )[0]
    fields = ("requirement_id", "rating", "evidence", "comment", "carried_forward", "version")
    body = {
        **_summary(ret),
        "framework_version": {
            "id": version["id"],
            "framework_id": version["framework_id"],
            "framework_key": version["key"],
            "number": version["number"],
            "name": version["name"],
        },
        "started_at": ret["started_at"],
        "accepted_at": ret["accepted_at"],
        "editable": editable,
        "may_answer": answering,
        "may_sign_off": signing,
        "may_review": reviewing,
        "programme_status": ret["programme_status"],
        "allowed": _allowed(ret, editable, answering, signing, reviewing),
        "evidence_files": EVIDENCE_FILES,
        "declaration": DECLARATION,
        "progress": list(progress.values()),
        "responses": [
            {
                **{f: r[f] for f in fields},
                "carried_forward": bool(r["carried_forward"]),
                "updated_at": r["updated_at"],
                "etag": f'"{r["version"]}"',
            }
            for r in responses
        ],
        "attachments": [
            {**a, "kind_label": _kind_label(a["media_type"]), "size_label": human_size(a["size"])}
            for a in _all(
                "attachment",
                (
                    "id",
                    "requirement_id",
                    "filename",
                    "media_type",
                    "size",
                    "sha256",
                    "carried_forward",
                    "uploaded_by_label",
                    "uploaded_at",
                ),
                rid,
                "id",
            )
        ],
        "review_notes": _all(
            "review_note",
            ("requirement_id", "version_number", "note", "author_label", "at"),
            rid,
            "version_number DESC, id",
        ),
        "moderation": _all(
            "moderated_rating",
            (
                "requirement_id",
                "standard_id",
                "rating",
                "note",
                "version",
                "moderated_by_label",
                "at",
            ),
            rid,
            "id",
        ),
        "carry_forward_from": _carry_source(ret)
        if answering and editable and len(responses) < ret["requirement_count"]
        else None,
    }
    response = reply(body)
    response.headers["ETag"] = f'"{ret["version"]}"'
    return response


def _standing(first: str | None, deadline: date, today: date) -> tuple[bool | None, int | None]:
    """api.programmes.compliance.standing: on time, and days late."""
    if first is not None:
        late_by = (date.fromisoformat(first[:10]) - deadline).days
        return late_by <= 0, late_by if late_by > 0 else None
    if today > deadline:
        return False, (today - deadline).days
    return None, None


async def compliance(request: Request) -> Response:
    """The tracker with its default sort (by agency) and no filters, as the bench asks it."""
    pid, prid = int(request.path_params["pid"]), int(request.path_params["prid"])
    members = memberships(request, pid)
    if not members:
        return not_found()
    if not any(m["role"] in OVERSIGHT for m in members):
        return Response(status_code=403)
    found = rows("SELECT * FROM programme WHERE id = ? AND partnership_id = ?", prid, pid)
    if not found:
        return not_found()
    deadline = date.fromisoformat(found[0]["deadline"])
    today = datetime.now(UTC).date()
    found_rows = rows(
        COMPLIANCE,
        1, 1, prid, prid, prid,
        *OPEN_ACTIONS, 1, 0, *OPEN_ACTIONS, today.isoformat(), 1, 0,
        pid, prid,
    )  # fmt: skip
    out, planned = [], 0
    for r in found_rows:
        # The due date recorded with the first submission, else the one in force now.
        due_on = date.fromisoformat(
            r["first_due_on"] or _due_on(found[0]["deadline"], r["extended_to"])
        )
        on_time, days_late = _standing(r["first"], due_on, today)
        planned += r["plan_actions"] > 0
        out.append(
            {
                "return_id": r["return_id"],
                "agency_id": r["agency_id"],
                "agency_name": r["name"],
                "status": r["status"],
                "first_submitted_at": r["first"],
                "due_on": due_on,
                "extended_to": r["extended_to"],
                "submitted_at": r["submitted_at"],
                "on_time": on_time,
                "days_late": days_late,
                "version_count": r["version_count"],
                "moderated": r["moderated"] > 0,
                "open_actions": r["open_actions"],
                "overdue_actions": r["overdue_actions"],
            }
        )
    submitted = sum(r["version_count"] > 0 for r in out)
    asked = len(out)
    totals = {
        "asked": asked,
        "submitted": submitted,
        "on_time": sum(r["on_time"] is True for r in out),
        "late": sum(r["on_time"] is False for r in out),
        "outstanding": asked - submitted,
        "accepted": sum(r["status"] == "accepted" for r in out),
        "returned": sum(r["status"] == "returned" for r in out),
        "with_action_plan": planned,
        "percent_returned": 100 * submitted // asked if asked else 0,
    }
    out.sort(key=lambda r: (r["agency_name"].casefold(), r["agency_id"]))
    return reply({"programme_id": prid, "deadline": deadline, "totals": totals, "rows": out})
