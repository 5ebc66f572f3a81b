"""Who may do what. The one place that decides; every route asks it.

A principal who is not in a partnership is told that the partnership does not exist (404);
a member who may see something but not change it is refused (403). Records that a member
may not know exist (a draft programme, for an agency) also answer 404.
"""

from dataclasses import dataclass
from enum import StrEnum

from api.models import ReturnStatus, Role
from api.problems import Forbidden, NotFound
from api.returns.rules import MOVES, Move
from api.reviews import rules as review_rules
from api.security import Grant, Principal


class Permission(StrEnum):
    read = "read"  # the partnership, its agencies, frameworks and published programmes
    read_drafts = "read_drafts"  # draft programmes
    read_people = "read_people"
    read_audit = "read_audit"
    read_returns = "read_returns"  # every agency's return, not only one's own
    manage_partnership = "manage_partnership"
    manage_agencies = "manage_agencies"
    manage_people = "manage_people"
    manage_frameworks = "manage_frameworks"
    manage_programmes = "manage_programmes"
    manage_service_tokens = "manage_service_tokens"
    answer_returns = "answer_returns"  # any agency's: for systems that send answers in
    review_returns = "review_returns"  # return for more information, moderate, accept


_OVERSIGHT = {
    Permission.read,
    Permission.read_drafts,
    Permission.read_people,
    Permission.read_audit,
    Permission.read_returns,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # The partnership reviews returns; it never answers them for an agency.
    Role.partnership_admin: frozenset(Permission) - {Permission.answer_returns},
    Role.scrutineer: frozenset(_OVERSIGHT),
    Role.panel_member: frozenset({Permission.read}),
    Role.executive: frozenset({Permission.read}),
    Role.agency_editor: frozenset({Permission.read}),
    Role.agency_approver: frozenset({Permission.read}),
}

# What a service token needs for each action. Service tokens never manage other tokens.
PERMISSION_SCOPES: dict[Permission, str | None] = {
    Permission.read: "read",
    Permission.read_drafts: "read",
    Permission.read_people: "people:read",
    Permission.read_audit: "audit:read",
    Permission.read_returns: "returns:read",
    Permission.manage_partnership: "partnership:write",
    Permission.manage_agencies: "agencies:write",
    Permission.manage_people: "people:write",
    Permission.manage_frameworks: "frameworks:write",
    Permission.manage_programmes: "programmes:write",
    Permission.manage_service_tokens: None,
    Permission.answer_returns: "returns:write",
    Permission.review_returns: "returns:review",
}
SCOPES: tuple[str, ...] = tuple(sorted({s for s in PERMISSION_SCOPES.values() if s}))


def is_member(principal: Principal, partnership_id: int) -> bool:
    return partnership_id in principal.partnership_ids()


def can(principal: Principal, partnership_id: int, action: Permission) -> bool:
    if not is_member(principal, partnership_id):
        return False
    if principal.is_service:
        scope = PERMISSION_SCOPES[action]
        return scope is not None and scope in principal.scopes
    return any(action in ROLE_PERMISSIONS[r] for r in principal.roles_in(partnership_id))


def require(principal: Principal, partnership_id: int, action: Permission) -> None:
    """Refuse unless the principal may do `action` in the partnership."""
    if not is_member(principal, partnership_id):
        raise NotFound("No such partnership.")
    if not can(principal, partnership_id, action):
        raise Forbidden("Your role in this partnership does not allow this.")


def require_may_grant(principal: Principal, partnership_id: int, role: Role) -> None:
    """Who may give a role: whoever manages people, but only a person makes an admin.

    A service token that manages people must not be able to mint the admins who manage
    service tokens, or a token's scopes would mean nothing.
    """
    require(principal, partnership_id, Permission.manage_people)
    if role == Role.partnership_admin and principal.is_service:
        raise Forbidden("Only a person may make someone a partnership admin.")


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


def return_agencies(principal: Principal, partnership_id: int) -> frozenset[int] | None:
    """Whose returns a principal may see: None for every agency's, else these agencies'.

    Nobody sees another agency's return unless they oversee the partnership.
    """
    require(principal, partnership_id, Permission.read)
    if can(principal, partnership_id, Permission.read_returns) or can(
        principal, partnership_id, Permission.answer_returns
    ):  # a system that answers for every agency reads what it answers
        return None
    return principal.agencies_in(partnership_id)


def may_answer(principal: Principal, partnership_id: int, agency_id: int) -> bool:
    """Only the agency's own editors and approvers answer its return (or a system allowed to)."""
    return can(principal, partnership_id, Permission.answer_returns) or (
        agency_id in principal.agencies_in(partnership_id)
    )


def require_may_answer(principal: Principal, partnership_id: int, agency_id: int) -> None:
    if not may_answer(principal, partnership_id, agency_id):
        raise Forbidden("Only the agency's own editors and approvers answer its return.")


def may_sign_off(principal: Principal, partnership_id: int, agency_id: int) -> bool:
    """Only the agency's approver, a named senior officer, signs off and submits its return."""
    return Grant(Role.agency_approver, agency_id) in principal.grants.get(partnership_id, set())


def require_may_sign_off(principal: Principal, partnership_id: int, agency_id: int) -> None:
    if not may_sign_off(principal, partnership_id, agency_id):
        raise Forbidden("Only the agency's approver signs off and submits its return.")


class ReturnAllowed(StrEnum):
    """What a principal may do to one return now: their permission and its state together,
    so that a client (the web pages first) never works it out for itself."""

    answer = "answer"  # change its answers, files and action plan
    sign_off = "sign_off"  # sign it off and submit it
    review = "review"  # see it as the partnership's reviewer
    send_back = "send_back"  # return it to the agency for more information
    moderate = "moderate"  # give or change the partnership's own ratings
    accept = "accept"


def return_allowed(
    principal: Principal,
    partnership_id: int,
    *,
    agency_id: int,
    status: ReturnStatus,
    editable: bool,
    programme_open: bool,
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
    return allowed


class ReturnsSeen(StrEnum):
    every_agency = "every_agency"
    own_agencies = "own_agencies"
    none = "none"


def returns_seen(principal: Principal, partnership_id: int) -> ReturnsSeen:
    """Whose returns the principal may list in a partnership (for its pages' navigation)."""
    if not can(principal, partnership_id, Permission.read):
        return ReturnsSeen.none
    if return_agencies(principal, partnership_id) is None:
        return ReturnsSeen.every_agency
    if principal.agencies_in(partnership_id):
        return ReturnsSeen.own_agencies
    return ReturnsSeen.none
