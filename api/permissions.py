"""Who may do what. The one place that decides; every route asks it.

A principal who is not in a partnership is told that the partnership does not exist (404);
a member who may see something but not change it is refused (403). Records that a member
may not know exist (a draft programme, for an agency) also answer 404.

People act through their roles (`ROLE_PERMISSIONS`, and `AT_OWN_AGENCY` for agency staff);
a service token acts through its scopes (`SCOPE_PERMISSIONS`), which docs/scopes.md and the
OpenAPI security scheme describe from the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from api.challenge import rules as challenge_rules
from api.models import ReturnStatus, Role
from api.models.challenge import EventStatus, SessionStatus
from api.problems import Forbidden, NotFound
from api.returns.rules import MOVES, Move, may_extend
from api.reviews import rules as review_rules

if TYPE_CHECKING:
    from api.security import Principal


class Permission(StrEnum):
    read = "read"  # the partnership, its agencies, frameworks and published programmes
    read_drafts = "read_drafts"  # draft programmes
    read_people = "read_people"
    read_audit = "read_audit"
    read_returns = "read_returns"  # every agency's return, not only one's own
    read_compliance = "read_compliance"  # the tracker: who returned, when; no answers
    manage_partnership = "manage_partnership"
    manage_agencies = "manage_agencies"
    manage_people = "manage_people"
    manage_frameworks = "manage_frameworks"
    manage_programmes = "manage_programmes"
    manage_service_tokens = "manage_service_tokens"
    answer_returns = "answer_returns"  # any agency's: for systems that send answers in
    review_returns = "review_returns"  # return for more information, moderate, accept
    sign_off = "sign_off"  # sign off and submit a return: its agency's approver, a person
    read_challenge = "read_challenge"  # every challenge event of the partnership, every session
    manage_challenge = "manage_challenge"  # create, change and cancel events; invite agencies
    manage_outbox = "manage_outbox"  # see the emails the partnership sent; send failed ones again
    manage_webhooks = "manage_webhooks"  # register other systems' endpoints; their deliveries


class Scope(StrEnum):
    """What a partnership admin may allow a service token to do (see SCOPE_PERMISSIONS)."""

    read = "read"
    people_read = "people:read"
    people_write = "people:write"
    audit_read = "audit:read"
    returns_read = "returns:read"
    returns_write = "returns:write"
    returns_review = "returns:review"
    partnership_write = "partnership:write"
    agencies_write = "agencies:write"
    frameworks_write = "frameworks:write"
    programmes_write = "programmes:write"
    challenge_write = "challenge:write"


_OVERSIGHT = {
    Permission.read,
    Permission.read_drafts,
    Permission.read_people,
    Permission.read_audit,
    Permission.read_returns,
    Permission.read_compliance,
}

# What each role may do anywhere in its partnership.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # The partnership reviews returns; it never answers or signs them off for an agency.
    Role.partnership_admin: frozenset(Permission)
    - {Permission.answer_returns, Permission.sign_off},
    # The scrutineer usually chairs the challenge panel, so runs its events too.
    Role.scrutineer: frozenset(
        _OVERSIGHT | {Permission.read_challenge, Permission.manage_challenge}
    ),
    # Executives' read-only dashboards, and the panel choosing whom to challenge. Panel
    # members see only the events whose panel they sit on (`event_view`).
    Role.panel_member: frozenset({Permission.read, Permission.read_compliance}),
    Role.executive: frozenset(
        {Permission.read, Permission.read_compliance, Permission.read_challenge}
    ),
    Role.agency_editor: frozenset({Permission.read}),
    Role.agency_approver: frozenset({Permission.read}),
}

# What agency staff may do at their own agency only, beyond ROLE_PERMISSIONS.
AT_OWN_AGENCY: dict[Role, frozenset[Permission]] = {
    Role.agency_editor: frozenset({Permission.answer_returns}),
    Role.agency_approver: frozenset({Permission.answer_returns, Permission.sign_off}),
}

_P = Permission
_READ = frozenset({_P.read, _P.read_drafts, _P.read_compliance, _P.read_challenge})
# What each scope lets a service token do. A write scope includes the reads that the write
# needs (the records it finds, reads the ETag of and answers), so no scope is useless alone.
SCOPE_PERMISSIONS: dict[Scope, frozenset[Permission]] = {
    Scope.read: _READ,
    Scope.people_read: frozenset({_P.read_people}),
    Scope.people_write: _READ | {_P.read_people, _P.manage_people},
    Scope.audit_read: frozenset({_P.read_audit}),
    Scope.returns_read: _READ | {_P.read_returns},
    Scope.returns_write: _READ | {_P.read_returns, _P.answer_returns},
    Scope.returns_review: _READ | {_P.read_returns, _P.review_returns},
    Scope.partnership_write: _READ | {_P.manage_partnership},
    Scope.agencies_write: _READ | {_P.manage_agencies},
    Scope.frameworks_write: _READ | {_P.manage_frameworks},
    Scope.programmes_write: _READ | {_P.manage_programmes},
    Scope.challenge_write: _READ | {_P.manage_challenge},
}

# The scope a token lacking a permission is told to ask for; None: no token may ever.
PERMISSION_SCOPES: dict[Permission, Scope | None] = {
    _P.read: Scope.read,
    _P.read_drafts: Scope.read,
    _P.read_people: Scope.people_read,
    _P.read_audit: Scope.audit_read,
    _P.read_returns: Scope.returns_read,
    _P.read_compliance: Scope.read,
    _P.manage_partnership: Scope.partnership_write,
    _P.manage_agencies: Scope.agencies_write,
    _P.manage_people: Scope.people_write,
    _P.manage_frameworks: Scope.frameworks_write,
    _P.manage_programmes: Scope.programmes_write,
    _P.manage_service_tokens: None,  # tokens never issue tokens
    _P.answer_returns: Scope.returns_write,
    _P.review_returns: Scope.returns_review,
    _P.sign_off: None,  # a named senior officer's act
    _P.read_challenge: Scope.read,
    _P.manage_challenge: Scope.challenge_write,
    _P.manage_outbox: None,  # the people's emails are for the business unit's eyes
    _P.manage_webhooks: None,  # a person decides which systems are told what
}
SCOPES: tuple[str, ...] = tuple(sorted(Scope))
_BY_NAME: dict[str, frozenset[Permission]] = {str(s): p for s, p in SCOPE_PERMISSIONS.items()}

# Exactly what each scope allows, for people: the OpenAPI security scheme and docs/scopes.md.
SCOPE_DOCS: dict[Scope, str] = {
    Scope.read: "Read the partnership, its agencies, frameworks and programmes (drafts "
    "too), each programme's compliance tracker (who returned, when), and its challenge "
    "events: date, place, panel, the agencies invited and why, their outcomes, and the "
    "lines of enquiry published to the agencies with their answers. No returns, people or "
    "audit log.",
    Scope.people_read: "List and read the partnership's people: names, emails and roles.",
    Scope.people_write: "Add people who have no account yet, without a password (people "
    "set their own), and give or take roles in the partnership: only roles the token could "
    "act as itself, so never partnership admin or agency approver.",
    Scope.audit_read: "Read the partnership's audit log: every change, with before and after.",
    Scope.returns_read: "Read every agency's return, its versions, files and action plan.",
    Scope.returns_write: "Answer any agency's return and read the returns it answers: save "
    "answers, attach and remove files, carry answers forward, add and update actions, "
    "answer the lines of enquiry published to an agency, and track the follow-ups of "
    "agencies' challenge sessions (status, evidence, notes). Never signs off: only the "
    "agency's approver, a person, does.",
    Scope.returns_review: "Review submitted returns (return them for more information, "
    "moderate, accept) and read every agency's return.",
    Scope.partnership_write: "Change the partnership's details.",
    Scope.agencies_write: "Add agencies and change their details.",
    Scope.frameworks_write: "Import frameworks and new versions of them.",
    Scope.programmes_write: "Create, change, open and close programmes and choose the "
    "agencies they ask.",
    Scope.challenge_write: "Create, reschedule and cancel challenge events, choose their "
    "chair and panel from the partnership's panel members and scrutineers, and invite "
    "agencies asked in the event's programme or withdraw their invitations; draft, change "
    "and delete the panel's lines of enquiry (only the chair, a person, publishes them); "
    "and track the follow-ups of closed sessions (status, evidence, owner, due date, "
    "notes). The picker's self and moderated ratings also need returns:read.",
}


def includes(scope: Scope) -> list[Scope]:
    """The other scopes whose every permission this one also gives."""
    mine = SCOPE_PERMISSIONS[scope]
    return [s for s in Scope if s != scope and SCOPE_PERMISSIONS[s] <= mine]


def scopes_markdown() -> str:
    """The table of scopes, as docs/scopes.md and the OpenAPI description show it."""
    rows = ["| scope | allows |", "|---|---|"]
    for scope in sorted(Scope):
        also = ", ".join(f"`{s}`" for s in includes(scope))
        rows.append(f"| `{scope}` | {SCOPE_DOCS[scope]}{f' Includes {also}.' if also else ''} |")
    rows.append(
        "| (none) | Issuing or revoking service tokens, signing off a return, creating "
        "partnerships: people only. |"
    )
    return "\n".join(rows)


def is_member(principal: Principal, partnership_id: int) -> bool:
    return partnership_id in principal.partnership_ids()


def can(principal: Principal, partnership_id: int, action: Permission) -> bool:
    """Whether the principal may do `action` anywhere in the partnership."""
    if not is_member(principal, partnership_id):
        return False
    if principal.is_service:
        return any(action in _BY_NAME.get(s, ()) for s in principal.scopes)
    return any(action in ROLE_PERMISSIONS[r] for r in principal.roles_in(partnership_id))


def can_at_agency(
    principal: Principal, partnership_id: int, agency_id: int, action: Permission
) -> bool:
    """Whether the principal may do `action` at this agency: anywhere, or as its own staff."""
    if can(principal, partnership_id, action):
        return True
    if principal.is_service:  # a token's power is its scopes alone
        return False
    return any(
        g.agency_id == agency_id and action in AT_OWN_AGENCY.get(g.role, frozenset())
        for g in principal.grants.get(partnership_id, frozenset())
    )


def _refusal(principal: Principal, action: Permission, person_message: str) -> Forbidden:
    """A 403 that tells a service token which scope it lacks (RFC 6750's insufficient_scope)."""
    if not principal.is_service:
        return Forbidden(person_message)
    scope = PERMISSION_SCOPES[action]
    if scope is None:
        return Forbidden(f"No service token may do this ({action}); a person must.")
    return Forbidden(
        f"This service token lacks the scope {scope}, which this needs.",
        headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
    )


def require(principal: Principal, partnership_id: int, action: Permission) -> None:
    """Refuse unless the principal may do `action` in the partnership."""
    if not is_member(principal, partnership_id):
        raise NotFound("No such partnership.")
    if not can(principal, partnership_id, action):
        raise _refusal(principal, action, "Your role in this partnership does not allow this.")


def role_powers(role: Role) -> frozenset[Permission]:
    """Everything that holding `role` lets a person do, wherever it reaches."""
    return ROLE_PERMISSIONS[role] | AT_OWN_AGENCY.get(role, frozenset())


def lacks_to_grant(principal: Principal, partnership_id: int, role: Role) -> frozenset[Permission]:
    """What `role` would let its holder do that the principal may not do itself.

    A person who manages people may give any role. A service token may give only a role it
    could act as itself, or its scopes would mean nothing: it could mint the partnership
    admin who issues tokens, the scrutineer who reads the audit log, or the approver who
    signs off, which no token may.
    """
    if not principal.is_service:
        return frozenset()
    return frozenset(p for p in role_powers(role) if not can(principal, partnership_id, p))


def may_grant(principal: Principal, partnership_id: int, role: Role) -> bool:
    """Whether the principal may give (or take away) `role` in the partnership."""
    return can(principal, partnership_id, Permission.manage_people) and not lacks_to_grant(
        principal, partnership_id, role
    )


def require_may_grant(principal: Principal, partnership_id: int, role: Role) -> None:
    require(principal, partnership_id, Permission.manage_people)
    lacking = lacks_to_grant(principal, partnership_id, role)
    if lacking:
        scopes = sorted({str(s) for p in lacking if (s := PERMISSION_SCOPES[p]) is not None})
        never = sorted(p for p in lacking if PERMISSION_SCOPES[p] is None)
        reasons = ([f"the scopes {', '.join(scopes)}"] if scopes else []) + (
            [f"{', '.join(never)}, which no service token may do"] if never else []
        )
        raise Forbidden(
            f"A service token may give only roles it could act as itself; "
            f"{role.label} needs {' and '.join(reasons)}."
        )


def require_keeps_agency(
    principal: Principal, partnership_id: int, *, owner_partnership_id: int, owner_name: str
) -> None:
    """An agency's shared facts (name, sector) and whom it is shared with are kept by one
    partnership, the one that added it; the others it belongs to read them."""
    require(principal, partnership_id, Permission.manage_agencies)
    if partnership_id != owner_partnership_id:
        raise Forbidden(
            f"This agency's name and sector are kept by {owner_name}, the partnership that "
            "added it; ask them to change it."
        )


def require_platform_admin(principal: Principal) -> None:
    if not principal.is_platform_admin:
        raise Forbidden("Only the installation's platform admins may do this.")


@dataclass(frozen=True)
class ProgrammeView:
    """Which programmes of a partnership a principal may see.

    Oversight roles see drafts too; everyone else sees published programmes, and agency
    staff only those that ask their own agency.
    """

    drafts: bool
    agency_ids: frozenset[int] | None  # None: any programme; a set: those asking these


def programme_view(principal: Principal, partnership_id: int) -> ProgrammeView:
    require(principal, partnership_id, Permission.read)
    if can(principal, partnership_id, Permission.read_drafts):
        return ProgrammeView(drafts=True, agency_ids=None)
    roles = principal.roles_in(partnership_id)
    if roles and all(r.is_agency_role for r in roles):
        return ProgrammeView(drafts=False, agency_ids=principal.agencies_in(partnership_id))
    return ProgrammeView(drafts=False, agency_ids=None)


@dataclass(frozen=True)
class ReturnsView:
    """Whose returns (with their versions, files and moderation) and action plans a
    principal may read.

    Nobody sees another agency's return unless they oversee the partnership, or sit on the
    panel of a challenge event, not cancelled, that invited the agency: the panel reads
    what it will question (that agency's return in the event's programme, and its action
    plan), and changes nothing.
    """

    agencies: frozenset[int] | None  # None: every agency's
    panel_returns: frozenset[int] = frozenset()
    panel_agencies: frozenset[int] = frozenset()

    def reads(self, agency_id: int, return_id: int) -> bool:
        """Whether this return is one the principal may read."""
        return (
            self.agencies is None or agency_id in self.agencies or return_id in self.panel_returns
        )

    @property
    def plan_agencies(self) -> frozenset[int] | None:
        """Whose action plans may be read: None for every agency's."""
        return None if self.agencies is None else self.agencies | self.panel_agencies


def _reads_every_return(principal: Principal, partnership_id: int) -> bool:
    # a system that answers for every agency reads what it answers
    return can(principal, partnership_id, Permission.read_returns) or can(
        principal, partnership_id, Permission.answer_returns
    )


PanelReads = Callable[[], tuple[frozenset[int], frozenset[int]]]  # (returns, agencies)


def returns_view(principal: Principal, partnership_id: int, panel: PanelReads) -> ReturnsView:
    """`panel` finds what the person's challenge panels read; asked of panel members only."""
    require(principal, partnership_id, Permission.read)
    if _reads_every_return(principal, partnership_id):
        return ReturnsView(agencies=None)
    own = principal.agencies_in(partnership_id)
    if Role.panel_member in principal.roles_in(partnership_id):
        returns, agencies = panel()
        return ReturnsView(agencies=own, panel_returns=returns, panel_agencies=agencies)
    return ReturnsView(agencies=own)


def may_answer(principal: Principal, partnership_id: int, agency_id: int) -> bool:
    """Only the agency's own editors and approvers answer its return (or a system allowed to)."""
    return can_at_agency(principal, partnership_id, agency_id, Permission.answer_returns)


def require_may_answer(principal: Principal, partnership_id: int, agency_id: int) -> None:
    if not may_answer(principal, partnership_id, agency_id):
        raise _refusal(
            principal,
            Permission.answer_returns,
            "Only the agency's own editors and approvers answer its return.",
        )


def may_sign_off(principal: Principal, partnership_id: int, agency_id: int) -> bool:
    """Only the agency's approver, a named senior officer, signs off and submits its return."""
    return can_at_agency(principal, partnership_id, agency_id, Permission.sign_off)


def require_may_sign_off(principal: Principal, partnership_id: int, agency_id: int) -> None:
    if not may_sign_off(principal, partnership_id, agency_id):
        raise _refusal(
            principal,
            Permission.sign_off,
            "Only the agency's approver signs off and submits its return.",
        )


class ReturnAllowed(StrEnum):
    """What a principal may do to one return now: their permission and its state together,
    so that a client (the web pages first) never works it out for itself."""

    answer = "answer"  # change its answers, files and action plan
    sign_off = "sign_off"  # sign it off and submit it
    review = "review"  # see it as the partnership's reviewer
    send_back = "send_back"  # return it to the agency for more information
    moderate = "moderate"  # give or change the partnership's own ratings
    accept = "accept"
    extend = "extend"  # grant, change or withdraw the agency's extension of its due date


def return_allowed(
    principal: Principal,
    partnership_id: int,
    *,
    agency_id: int,
    status: ReturnStatus,
    editable: bool,
    programme_open: bool,
    submitted: bool,
) -> list[ReturnAllowed]:
    allowed: list[ReturnAllowed] = []
    if editable and may_answer(principal, partnership_id, agency_id):
        allowed.append(ReturnAllowed.answer)
    if (
        programme_open
        and (status, Move.submit) in MOVES
        and may_sign_off(principal, partnership_id, agency_id)
    ):
        allowed.append(ReturnAllowed.sign_off)
    if can(principal, partnership_id, Permission.review_returns):
        allowed.append(ReturnAllowed.review)
        if review_rules.may_send_back(status, programme_open=programme_open):
            allowed.append(ReturnAllowed.send_back)
        if review_rules.may_moderate(status):
            allowed.append(ReturnAllowed.moderate)
        if review_rules.may_accept(status):
            allowed.append(ReturnAllowed.accept)
    if may_extend(programme_open=programme_open, submitted=submitted) and can(
        principal, partnership_id, Permission.manage_programmes
    ):
        allowed.append(ReturnAllowed.extend)
    return allowed


class ReturnsSeen(StrEnum):
    every_agency = "every_agency"
    own_agencies = "own_agencies"
    none = "none"


def returns_seen(principal: Principal, partnership_id: int) -> ReturnsSeen:
    """Whose returns the principal may list in a partnership (for its pages' navigation)."""
    if not can(principal, partnership_id, Permission.read):
        return ReturnsSeen.none
    if _reads_every_return(principal, partnership_id):
        return ReturnsSeen.every_agency
    if principal.agencies_in(partnership_id):
        return ReturnsSeen.own_agencies
    return ReturnsSeen.none


@dataclass(frozen=True)
class EventView:
    """Which challenge events, and which of their sessions, a principal may see.

    Oversight roles, executives and tokens with `read` see every event and session; a
    panel member sees the events whose panel they sit on, with all their sessions; agency
    staff see the events that invited their own agency, and only its own session there.
    """

    every: bool
    panel_user_id: int | None  # events whose panel this person sits on, in full
    agency_ids: frozenset[int]  # events inviting these agencies: only these sessions
    manages: bool = False  # creates, changes and cancels events, invites agencies

    def sees_all_sessions(self, panel: set[int]) -> bool:
        return self.every or (self.panel_user_id is not None and self.panel_user_id in panel)


def event_view(principal: Principal, partnership_id: int) -> EventView:
    require(principal, partnership_id, Permission.read)
    if can(principal, partnership_id, Permission.read_challenge):
        manages = can(principal, partnership_id, Permission.manage_challenge)
        return EventView(every=True, panel_user_id=None, agency_ids=frozenset(), manages=manages)
    return EventView(
        every=False,
        panel_user_id=None if principal.is_service else principal.user_id,
        agency_ids=principal.agencies_in(partnership_id),
    )


# Who may sit on a challenge panel (and chair it).
PANEL_ROLES = frozenset({Role.panel_member, Role.scrutineer})


def may_draft_enquiries(principal: Principal, partnership_id: int, *, on_panel: bool) -> bool:
    """The event's panel, and those who run challenge events, draft its lines of enquiry
    and see the drafts; everyone else who sees a session sees only the published ones."""
    return on_panel or can(principal, partnership_id, Permission.manage_challenge)


def require_may_draft_enquiries(
    principal: Principal, partnership_id: int, *, on_panel: bool
) -> None:
    if not may_draft_enquiries(principal, partnership_id, on_panel=on_panel):
        raise _refusal(
            principal,
            Permission.manage_challenge,
            "Only the event's panel drafts its lines of enquiry.",
        )


class EventAllowed(StrEnum):
    """What a principal may do to a challenge event now (for clients, as ReturnAllowed)."""

    change = "change"  # reschedule it, move it, choose its chair and panel
    cancel = "cancel"
    invite = "invite"  # choose agencies from the picker, withdraw invitations


def event_allowed(view: EventView, status: EventStatus) -> list[EventAllowed]:
    if view.manages and status == EventStatus.planned:
        return list(EventAllowed)
    return []


class SessionAllowed(StrEnum):
    """What a principal may do in one agency's session now."""

    score = "score"  # score its standards (a panel member, while it is open)
    close = "close"  # record its outcome and close it (the chair)
    reopen = "reopen"  # open it again, with a reason (the chair)
    draft_enquiries = "draft_enquiries"  # draft and edit lines of enquiry (the panel)
    publish_enquiries = "publish_enquiries"  # publish them to the agency (the chair)
    answer_enquiries = "answer_enquiries"  # answer published ones (the agency's own staff)
    update_follow_ups = "update_follow_ups"  # record progress on its follow-ups


def is_chair(principal: Principal, chair_user_id: int) -> bool:
    """The chair records outcomes, reopens sessions and publishes enquiries; nobody else."""
    return principal.user_id is not None and principal.user_id == chair_user_id


def may_track_follow_up(principal: Principal, partnership_id: int, agency_id: int) -> bool:
    """A session's follow-ups are tracked to done (status, evidence, progress notes) by
    those who run challenge events, and by the agency's own staff as its actions are."""
    return can(principal, partnership_id, Permission.manage_challenge) or may_answer(
        principal, partnership_id, agency_id
    )


def session_allowed(
    principal: Principal,
    partnership_id: int,
    *,
    panel: set[int],
    chair_user_id: int,
    agency_id: int,
    event_status: EventStatus,
    session_status: SessionStatus,
) -> list[SessionAllowed]:
    allowed: list[SessionAllowed] = []
    open_ = challenge_rules.is_open(event_status, session_status)
    chair = is_chair(principal, chair_user_id)
    on_panel = principal.user_id is not None and principal.user_id in panel
    if open_ and on_panel:
        allowed.append(SessionAllowed.score)
    if open_ and chair:
        allowed.append(SessionAllowed.close)
    if chair and session_status == SessionStatus.closed:
        allowed.append(SessionAllowed.reopen)
    if open_ and may_draft_enquiries(principal, partnership_id, on_panel=on_panel):
        allowed.append(SessionAllowed.draft_enquiries)
    if open_ and chair:
        allowed.append(SessionAllowed.publish_enquiries)
    if open_ and may_answer(principal, partnership_id, agency_id):
        allowed.append(SessionAllowed.answer_enquiries)
    if may_track_follow_up(principal, partnership_id, agency_id):
        allowed.append(SessionAllowed.update_follow_ups)
    return allowed


def require_may_track_follow_up(principal: Principal, partnership_id: int, agency_id: int) -> None:
    if not may_track_follow_up(principal, partnership_id, agency_id):
        raise _refusal(
            principal,
            Permission.manage_challenge,
            "Only the business unit, the scrutineer and the agency's own editors and "
            "approvers track its follow-ups.",
        )
