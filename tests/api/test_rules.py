"""The pure rules, without a database: programme life cycle and who may do what."""

from datetime import date
from itertools import product

import pytest

from api.models import ProgrammeStatus, Role
from api.permissions import (
    PERMISSION_SCOPES,
    ROLE_PERMISSIONS,
    SCOPES,
    Permission,
    ProgrammeView,
    can,
    is_member,
    programme_view,
    require,
    require_platform_admin,
)
from api.problems import Conflict, Forbidden, NotFound
from api.programmes import rules
from api.security import Grant, Principal

DRAFT, OPEN, CLOSED = ProgrammeStatus.draft, ProgrammeStatus.open, ProgrammeStatus.closed

# ---------------------------------------------------------------------------------------
# Programme life cycle

ALLOWED_MOVES = {(DRAFT, OPEN), (OPEN, CLOSED)}


@pytest.mark.parametrize(("current", "target"), list(product(ProgrammeStatus, repeat=2)))
def test_only_draft_to_open_and_open_to_closed(current, target):
    if (current, target) in ALLOWED_MOVES:
        rules.check_transition(current, target, asked=3)
    else:
        with pytest.raises(Conflict) as refused:
            rules.check_transition(current, target, asked=3)
        assert current.value in str(refused.value) and target.value in str(refused.value)


def test_opening_needs_an_agency_asked():
    with pytest.raises(Conflict, match="at least one agency"):
        rules.check_transition(DRAFT, OPEN, asked=0)
    rules.check_transition(DRAFT, OPEN, asked=1)
    rules.check_transition(OPEN, CLOSED, asked=0)  # closing does not care


EDITABLE = {
    DRAFT: {"title", "description", "opens_on", "deadline", "framework_version_id"},
    OPEN: {"title", "description", "deadline"},
    CLOSED: set(),
}
FIELDS = sorted(EDITABLE[DRAFT])


@pytest.mark.parametrize(("status", "field"), list(product(ProgrammeStatus, FIELDS)))
def test_what_may_change_in_each_status(status, field):
    if field in EDITABLE[status]:
        rules.check_edit(status, {field})
    else:
        with pytest.raises(Conflict, match=field):
            rules.check_edit(status, {field})


def test_a_refused_edit_names_every_locked_field_and_nothing_is_fine():
    with pytest.raises(Conflict) as refused:
        rules.check_edit(OPEN, {"title", "opens_on", "framework_version_id"})
    message = str(refused.value)
    assert "framework_version_id, opens_on" in message and "title" not in message
    for status in ProgrammeStatus:
        rules.check_edit(status, set())


@pytest.mark.parametrize(
    ("opens_on", "deadline", "problems"),
    [
        (date(2027, 1, 1), date(2027, 1, 1), {}),
        (date(2027, 1, 1), date(2027, 3, 1), {}),
        (date(2027, 1, 2), date(2027, 1, 1), {"deadline": "must be on or after the opening date"}),
    ],
)
def test_date_problems(opens_on, deadline, problems):
    assert rules.date_problems(opens_on, deadline) == problems


@pytest.mark.parametrize(
    ("status", "adding", "allowed"),
    [
        (DRAFT, True, True),
        (DRAFT, False, True),
        (OPEN, True, True),
        (OPEN, False, False),
        (CLOSED, True, False),
        (CLOSED, False, False),
    ],
)
def test_who_is_asked_may_change(status, adding, allowed):
    if allowed:
        rules.check_asked_change(status, adding=adding)
    else:
        with pytest.raises(Conflict, match="added to" if adding else "removed from"):
            rules.check_asked_change(status, adding=adding)


# ---------------------------------------------------------------------------------------
# Permissions

YORK, NORTH = 1, 2
HOUSING, CAFCASS = 10, 11


def person(*grants: tuple[Role, int | None], partnership: int = YORK, admin: bool = False):
    return Principal(
        label="someone",
        token_id=1,
        user_id=7,
        is_platform_admin=admin,
        grants={partnership: frozenset(Grant(role, agency) for role, agency in grants)}
        if grants
        else {},
    )


def service(*scopes: str, partnership: int = YORK) -> Principal:
    return Principal(
        label="service", token_id=2, service_partnership_id=partnership, scopes=frozenset(scopes)
    )


A = Permission
# The table of what each role may do, written out rather than derived.
MAY = {
    Role.partnership_admin: set(Permission) - {A.answer_returns},  # it reviews, never answers
    Role.scrutineer: {A.read, A.read_drafts, A.read_people, A.read_audit, A.read_returns},
    Role.panel_member: {A.read},
    Role.executive: {A.read},
    Role.agency_editor: {A.read},
    Role.agency_approver: {A.read},
}


@pytest.mark.parametrize(("role", "action"), list(product(Role, Permission)))
def test_what_each_role_may_do(role, action):
    agency = HOUSING if role.is_agency_role else None
    principal = person((role, agency))
    assert can(principal, YORK, action) is (action in MAY[role])
    assert can(principal, NORTH, action) is False  # nothing elsewhere
    if action in MAY[role]:
        require(principal, YORK, action)
    else:
        with pytest.raises(Forbidden):
            require(principal, YORK, action)
    with pytest.raises(NotFound):
        require(principal, NORTH, action)


def test_the_role_table_matches_the_module():
    assert {role: set(actions) for role, actions in ROLE_PERMISSIONS.items()} == MAY


def test_roles_add_up():
    both = person((Role.panel_member, None), (Role.scrutineer, None))
    assert can(both, YORK, A.read_audit) and not can(both, YORK, A.manage_agencies)


def test_a_person_with_no_role_is_no_member():
    nobody = person()
    assert not is_member(nobody, YORK)
    for action in Permission:
        assert not can(nobody, YORK, action)
    with pytest.raises(NotFound):
        require(nobody, YORK, A.read)


def test_the_platform_admin_has_no_partnership_powers():
    platform = person(admin=True)
    assert not can(platform, YORK, A.read)
    with pytest.raises(NotFound):
        require(platform, YORK, A.read)
    require_platform_admin(platform)
    with pytest.raises(Forbidden):
        require_platform_admin(person((Role.partnership_admin, None)))
    with pytest.raises(Forbidden):
        require_platform_admin(service(*SCOPES))


SCOPE_OF = {
    A.read: "read",
    A.read_drafts: "read",
    A.read_people: "people:read",
    A.read_audit: "audit:read",
    A.read_returns: "returns:read",
    A.manage_partnership: "partnership:write",
    A.manage_agencies: "agencies:write",
    A.manage_people: "people:write",
    A.manage_frameworks: "frameworks:write",
    A.manage_programmes: "programmes:write",
    A.answer_returns: "returns:write",
    A.review_returns: "returns:review",
}


def test_the_scopes():
    assert tuple(sorted(set(SCOPE_OF.values()))) == SCOPES
    assert {a: s for a, s in PERMISSION_SCOPES.items() if s} == SCOPE_OF
    assert PERMISSION_SCOPES[A.manage_service_tokens] is None


@pytest.mark.parametrize(("action", "scope"), list(product(Permission, SCOPES)))
def test_a_service_token_may_do_what_its_scope_allows(action, scope):
    token = service(scope)
    assert can(token, YORK, action) is (SCOPE_OF.get(action) == scope)
    assert not can(token, NORTH, action)


def test_a_service_token_never_manages_service_tokens():
    assert not can(service(*SCOPES), YORK, A.manage_service_tokens)
    with pytest.raises(Forbidden):
        require(service(*SCOPES), YORK, A.manage_service_tokens)
    with pytest.raises(NotFound):
        require(service(*SCOPES), NORTH, A.read)


def test_a_service_token_ignores_roles_it_does_not_have():
    """A token's power is its scopes alone, even if grants were somehow attached."""
    token = Principal(
        label="t",
        token_id=3,
        service_partnership_id=YORK,
        grants={YORK: frozenset({Grant(Role.partnership_admin, None)})},
    )
    assert not can(token, YORK, A.read)


@pytest.mark.parametrize(
    ("grants", "view"),
    [
        ([(Role.partnership_admin, None)], ProgrammeView(drafts=True, agency_ids=None)),
        ([(Role.scrutineer, None)], ProgrammeView(drafts=True, agency_ids=None)),
        ([(Role.panel_member, None)], ProgrammeView(drafts=False, agency_ids=None)),
        ([(Role.executive, None)], ProgrammeView(drafts=False, agency_ids=None)),
        (
            [(Role.agency_editor, HOUSING)],
            ProgrammeView(drafts=False, agency_ids=frozenset({HOUSING})),
        ),
        (
            [(Role.agency_editor, HOUSING), (Role.agency_approver, CAFCASS)],
            ProgrammeView(drafts=False, agency_ids=frozenset({HOUSING, CAFCASS})),
        ),
        # Another role beside an agency role widens the view to every published programme.
        (
            [(Role.agency_editor, HOUSING), (Role.panel_member, None)],
            ProgrammeView(drafts=False, agency_ids=None),
        ),
        (
            [(Role.agency_approver, HOUSING), (Role.scrutineer, None)],
            ProgrammeView(drafts=True, agency_ids=None),
        ),
    ],
)
def test_which_programmes_a_person_may_see(grants, view):
    assert programme_view(person(*grants), YORK) == view


def test_programme_view_for_service_tokens_and_strangers():
    assert programme_view(service("read"), YORK) == ProgrammeView(drafts=True, agency_ids=None)
    with pytest.raises(Forbidden):
        programme_view(service("people:read"), YORK)
    with pytest.raises(NotFound):
        programme_view(person((Role.partnership_admin, None), partnership=NORTH), YORK)
