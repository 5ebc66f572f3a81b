"""The API's vocabulary as the pages name it: the values its OpenAPI schema lists for
sectors and statuses, and how a person reads each. A test compares these with the API's
published schema, so a value added there cannot pass here unnoticed."""

from enum import StrEnum


class Sector(StrEnum):
    local_authority = "local_authority"
    police = "police"
    health = "health"
    education = "education"
    probation = "probation"
    youth_justice = "youth_justice"
    voluntary = "voluntary"
    housing = "housing"
    other = "other"


class ProgrammeStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class ReturnStatus(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    submitted = "submitted"
    returned = "returned"
    accepted = "accepted"


class ActionStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class Timeliness(StrEnum):
    on_time = "on_time"
    late = "late"
    outstanding = "outstanding"


RETURN_LABELS = {
    ReturnStatus.not_started: "Not started",
    ReturnStatus.in_progress: "In progress",
    ReturnStatus.submitted: "Submitted",
    ReturnStatus.returned: "Returned for more information",
    ReturnStatus.accepted: "Accepted",
}
ACTION_LABELS = {
    ActionStatus.planned: "Planned",
    ActionStatus.in_progress: "In progress",
    ActionStatus.done: "Done",
    ActionStatus.cancelled: "Cancelled",
}
TIMELINESS_LABELS = {
    Timeliness.on_time: "On time",
    Timeliness.late: "Late",
    Timeliness.outstanding: "Outstanding",
}
# The compliance tracker's columns, in the order its `sort` parameter names them.
TRACKER_SORT_LABELS = {
    "agency": "Agency",
    "status": "Status",
    "submitted_at": "Submitted",
    "open_actions": "Open actions",
    "overdue_actions": "Overdue actions",
}


class EventStatus(StrEnum):
    planned = "planned"
    cancelled = "cancelled"


class SessionStatus(StrEnum):
    open = "open"
    closed = "closed"


class Outcome(StrEnum):
    assured = "assured"
    partially_assured = "partially_assured"
    not_assured = "not_assured"


EVENT_LABELS = {EventStatus.planned: "Planned", EventStatus.cancelled: "Cancelled"}
HELD = "Held"  # a planned event whose day has passed (the API's `upcoming` is false)
SESSION_LABELS = {SessionStatus.open: "Open", SessionStatus.closed: "Closed"}
OUTCOME_LABELS = {
    Outcome.assured: "Assured",
    Outcome.partially_assured: "Partially assured (more information requested)",
    Outcome.not_assured: "Not assured (escalated to the Executive)",
}


class MessageState(StrEnum):
    waiting = "waiting"
    delivered = "delivered"
    failed = "failed"


# An email in the outbox, or a webhook's delivery.
MESSAGE_LABELS = {
    MessageState.waiting: "Waiting",
    MessageState.delivered: "Delivered",
    MessageState.failed: "Failed",
}


# How roles read; which of them the viewer may give is the API's to say (/me's
# `grantable_roles`).
ROLE_LABELS = {
    "partnership_admin": "Partnership admin",
    "scrutineer": "Independent scrutineer",
    "panel_member": "Panel member",
    "executive": "Executive",
    "agency_editor": "Agency editor",
    "agency_approver": "Agency approver",
}
AGENCY_ROLES = {"agency_editor", "agency_approver"}
