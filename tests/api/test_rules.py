"""The pure rules, without a database: programme life cycle and who may do what."""

from datetime import date
from itertools import product

import pytest

from api.models import ProgrammeStatus, Role
from api.permissions import (
    PERMISSION_SCOPES,
    ROLE_PERMISSIONS,
    SCOPE_PERMISSIONS,
    SCOPES,
    Permission,
    ProgrammeView,
    Scope,
    can,
    is_member,
    may_answer,
    may_grant,
    may_sign_off,
    programme_view,
    require,
    require_may_answer,
    require_may_grant,
    require_may_sign_off,
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
    # It reviews, never answers nor signs off.
    Role.partnership_admin: set(Permission) - {A.answer_returns, A.sign_off},
    Role.scrutineer: {
        A.read,
        A.read_drafts,
        A.read_people,
        A.read_audit,
        A.read_returns,
        A.read_compliance,
        A.read_challenge,  # the scrutineer usually chairs the challenge panel
        A.manage_challenge,
    },
    # The compliance tracker: executives' read-only dashboards, the panel choosing whom.
    # Panel members see only the challenge events they sit on, which is not a permission.
    Role.panel_member: {A.read, A.read_compliance},
    Role.executive: {A.read, A.read_compliance, A.read_challenge},
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


READ = {A.read, A.read_drafts, A.read_compliance, A.read_challenge}
# What each scope allows, written out: a write scope carries the reads its writes need.
SCOPE_ALLOWS = {
    "read": READ,
    "people:read": {A.read_people},
    "people:write": READ | {A.read_people, A.manage_people},
    "audit:read": {A.read_audit},
    "returns:read": READ | {A.read_returns},
    "returns:write": READ | {A.read_returns, A.answer_returns},
    "returns:review": READ | {A.read_returns, A.review_returns},
    "partnership:write": READ | {A.manage_partnership},
    "agencies:write": READ | {A.manage_agencies},
    "frameworks:write": READ | {A.manage_frameworks},
    "programmes:write": READ | {A.manage_programmes},
    "challenge:write": READ | {A.manage_challenge},
}


def test_the_scopes():
    assert tuple(sorted(SCOPE_ALLOWS)) == SCOPES
    assert {str(s): set(p) for s, p in SCOPE_PERMISSIONS.items()} == SCOPE_ALLOWS
    # A refused token is told the scope that grants what it lacked.
    for action, scope in PERMISSION_SCOPES.items():
        assert scope is None or action in SCOPE_PERMISSIONS[scope]
    never = {a for a in Permission if not any(a in allowed for allowed in SCOPE_ALLOWS.values())}
    assert never == {A.manage_service_tokens, A.sign_off, A.manage_outbox, A.manage_webhooks}
    assert {a for a, s in PERMISSION_SCOPES.items() if s is None} == never


@pytest.mark.parametrize(("action", "scope"), list(product(Permission, SCOPES)))
def test_a_service_token_may_do_what_its_scope_allows(action, scope):
    token = service(scope)
    assert can(token, YORK, action) is (action in SCOPE_ALLOWS[scope])
    assert not can(token, NORTH, action)
    if action not in SCOPE_ALLOWS[scope]:
        with pytest.raises(Forbidden) as refused:
            require(token, YORK, action)
        named = PERMISSION_SCOPES[action]
        if named is None:
            assert "No service token may" in str(refused.value)
        else:
            assert named in str(refused.value)
            assert refused.value.headers["WWW-Authenticate"] == (
                f'Bearer error="insufficient_scope", scope="{named}"'
            )


@pytest.mark.parametrize("scope", SCOPES)
def test_a_write_scope_reads_what_it_writes(scope):
    """returns:write alone reads and answers any agency's return; nothing signs off."""
    token = service(scope)
    assert may_answer(token, YORK, HOUSING) is (scope == "returns:write")
    assert not may_sign_off(token, YORK, HOUSING)
    with pytest.raises(Forbidden, match="No service token may"):
        require_may_sign_off(token, YORK, HOUSING)
    if scope != "returns:write":
        with pytest.raises(Forbidden, match="returns:write"):
            require_may_answer(token, YORK, HOUSING)


def test_agency_staff_answer_only_their_own_agency_and_only_approvers_sign_off():
    editor = person((Role.agency_editor, HOUSING))
    approver = person((Role.agency_approver, HOUSING))
    admin = person((Role.partnership_admin, None))
    assert may_answer(editor, YORK, HOUSING) and not may_answer(editor, YORK, CAFCASS)
    assert may_answer(approver, YORK, HOUSING) and not may_answer(admin, YORK, HOUSING)
    assert may_sign_off(approver, YORK, HOUSING) and not may_sign_off(approver, YORK, CAFCASS)
    assert not may_sign_off(editor, YORK, HOUSING) and not may_sign_off(admin, YORK, HOUSING)
    with pytest.raises(Forbidden, match="approver"):
        require_may_sign_off(editor, YORK, HOUSING)


# What each role lets its holder do, in the scopes a token needs to give it; None: what no
# token may do at all (so a token never gives that role).
ROLE_NEEDS = {
    Role.partnership_admin: None,  # issues service tokens
    Role.scrutineer: {"read", "people:read", "audit:read", "returns:read", "challenge:write"},
    Role.panel_member: {"read"},
    Role.executive: {"read"},
    Role.agency_editor: {"read", "returns:write"},
    Role.agency_approver: None,  # signs off: a person's act
}
SCOPE_SETS = [frozenset(), *[frozenset({s}) for s in SCOPES], frozenset(SCOPES)] + [
    frozenset({"people:write", *needs}) for needs in ROLE_NEEDS.values() if needs
]


def _covers(scopes: frozenset[str], needs: set[str]) -> bool:
    """Whether scopes give every permission of the scopes needed (read may come with a write)."""
    have = set().union(*(SCOPE_ALLOWS[s] for s in scopes))
    return set().union(*(SCOPE_ALLOWS[s] for s in needs)) <= have


@pytest.mark.parametrize(
    ("role", "scopes"), list(product(Role, SCOPE_SETS)), ids=lambda x: ",".join(sorted(x)) or "-"
)
def test_a_service_token_gives_only_roles_it_could_act_as(role, scopes):
    token = service(*scopes)
    needs = ROLE_NEEDS[role]
    allowed = "people:write" in scopes and needs is not None and _covers(scopes, needs)
    assert may_grant(token, YORK, role) is allowed
    if allowed:
        require_may_grant(token, YORK, role)
    else:
        with pytest.raises(Forbidden):
            require_may_grant(token, YORK, role)
    assert not may_grant(token, NORTH, role)


@pytest.mark.parametrize("role", Role)
def test_whoever_manages_people_gives_any_role_and_nobody_else_does(role):
    assert may_grant(person((Role.partnership_admin, None)), YORK, role)
    for other in Role:
        if other != Role.partnership_admin:
            agency = HOUSING if other.is_agency_role else None
            assert not may_grant(person((other, agency)), YORK, role)


def test_a_refused_grant_names_what_the_token_lacks():
    token = service("people:write")
    with pytest.raises(Forbidden) as refused:
        require_may_grant(token, YORK, Role.scrutineer)
    assert "audit:read" in str(refused.value) and "returns:read" in str(refused.value)
    with pytest.raises(Forbidden, match="sign_off, which no service token may do"):
        require_may_grant(service(*SCOPES), YORK, Role.agency_approver)
    with pytest.raises(Forbidden, match="manage_service_tokens"):
        require_may_grant(service(*SCOPES), YORK, Role.partnership_admin)


def test_each_scope_is_documented():
    from api.permissions import SCOPE_DOCS, scopes_markdown

    assert set(SCOPE_DOCS) == set(Scope)
    table = scopes_markdown()
    for scope in Scope:
        assert f"| `{scope}` | {SCOPE_DOCS[scope]}" in table


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
