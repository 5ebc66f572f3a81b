from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.db import SessionDep
from api.http import (
    MAX_ID,
    AnswerIfMatch,
    Id,
    IfMatch,
    Limit,
    Number,
    Offset,
    OptionalIfMatch,
    Page,
    check_if_match,
    expected_version,
    set_etag,
)
from api.models import ReturnStatus
from api.permissions import (
    Permission,
    require,
    require_may_sign_off,
)
from api.problems import responses
from api.returns import access, answers, confirmations, extensions, service, versions
from api.returns.schemas import (
    BulkAnswers,
    CarriedForward,
    Comparison,
    Confirmed,
    ExtensionWrite,
    ResponseSaved,
    ResponseWrite,
    ReturnRead,
    ReturnSummary,
    SignOffIn,
    VersionRead,
    VersionSummary,
)
from api.security import CurrentPrincipal

router = APIRouter(tags=["returns"])


OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get(
    "/partnerships/{partnership_id}/returns",
    response_model=Page[ReturnSummary],
    responses=responses(401, 403, 404, 422),
)
def list_returns(
    partnership_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    programme_id: OptionalId = None,
    agency_id: OptionalId = None,
    status: ReturnStatus | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[ReturnSummary]:
    """Returns you may see: every agency's if you oversee the partnership, else your agency's.

    For agency staff this is "my returns", with their deadlines and progress.
    """
    items, total = service.list_returns(
        session,
        partnership_id=partnership_id,
        view=access.readable(session, principal, partnership_id),
        programme_id=programme_id,
        agency_id=agency_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/partnerships/{partnership_id}/returns/{return_id}",
    response_model=ReturnRead,
    responses=responses(401, 403, 404, 422),
)
def read_return(
    partnership_id: Id,
    found: access.VisibleReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> ReturnRead:
    """A return with every answer and its progress by standard. Another agency's is 404."""
    set_etag(response, found.ret.version)
    return access.read_for(session, principal, partnership_id, found)


@router.put(
    "/partnerships/{partnership_id}/returns/{return_id}/responses/{requirement_id}",
    response_model=ResponseSaved,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def save_response(
    partnership_id: Id,
    requirement_id: Id,
    body: ResponseWrite,
    found: access.AnswerableReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: AnswerIfMatch,
) -> ResponseSaved:
    """Save one answer (autosave). If-Match carries the answer's ETag, `"0"` before the first.

    A save made against an older answer is refused with 412, and the problem's `current`
    holds the newer answer, so nothing is silently overwritten.
    """
    saved = answers.save_response(
        session,
        principal=principal,
        partnership_id=partnership_id,
        found=found,
        requirement_id=requirement_id,
        data=body,
        expected_version=expected_version(if_match),
    )
    set_etag(response, saved.version)
    return saved


@router.post(
    "/partnerships/{partnership_id}/returns/{return_id}/responses/{requirement_id}/confirm",
    response_model=ResponseSaved,
    responses=responses(401, 403, 404, 409, 412, 422, 428),
)
def confirm_response(
    partnership_id: Id,
    requirement_id: Id,
    found: access.AnswerableReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: AnswerIfMatch,
) -> ResponseSaved:
    """Confirm an answer carried forward from an earlier return, unchanged.

    Until it is confirmed (or changed) it counts as unrated and the return cannot be
    submitted. If-Match carries the answer's ETag; a stale one is refused with `current`.
    """
    confirmed = confirmations.confirm_answer(
        session,
        principal=principal,
        partnership_id=partnership_id,
        found=found,
        requirement_id=requirement_id,
        expected_version=expected_version(if_match),
    )
    set_etag(response, confirmed.version)
    return confirmed


@router.post(
    "/partnerships/{partnership_id}/returns/{return_id}/standards/{standard_id}/confirm",
    response_model=Confirmed,
    responses=responses(401, 403, 404, 409, 422),
)
def confirm_standard(
    partnership_id: Id,
    standard_id: Id,
    found: access.AnswerableReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> Confirmed:
    """Confirm, unchanged, every answer of one standard still carried forward."""
    return confirmations.confirm_standard(
        session,
        principal=principal,
        partnership_id=partnership_id,
        found=found,
        standard_id=standard_id,
    )


@router.post(
    "/partnerships/{partnership_id}/returns/{return_id}/submit",
    response_model=ReturnRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422),
)
def submit_return(
    partnership_id: Id,
    return_id: Id,
    body: SignOffIn,
    found: access.VisibleReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: OptionalIfMatch = None,
) -> ReturnRead:
    """The agency's approver signs off and submits: the return is frozen as a new version.

    Every rule the return does not yet meet is listed at once in `errors`, each naming the
    field that would meet it (`responses.{requirement_id}.rating`, `sign_off.declaration`, …).
    """
    require_may_sign_off(principal, partnership_id, found.ret.agency_id)
    check_if_match(if_match, found.ret.version)
    service.submit(
        session, principal=principal, partnership_id=partnership_id, found=found, sign_off=body
    )
    found = access.visible(session, principal, partnership_id, return_id)
    set_etag(response, found.ret.version)
    return access.read_for(session, principal, partnership_id, found)


@router.put(
    "/partnerships/{partnership_id}/returns/{return_id}/responses",
    response_model=list[ResponseSaved],
    responses=responses(400, 401, 403, 404, 409, 412, 422),
)
def save_responses(
    partnership_id: Id,
    body: BulkAnswers,
    found: access.AnswerableReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> list[ResponseSaved]:
    """Save many answers in one request, all or none, under the rules of saving one.

    Each answer carries the `version` it was read at (0 for none), so that nobody's newer
    answer is overwritten: if any is stale, nothing is saved and the problem's
    `current.responses` holds the newer answers (412). Problems with the answers
    themselves are all listed at once (422), each naming `responses[i]`.
    """
    saved = answers.save_responses(
        session, principal=principal, partnership_id=partnership_id, found=found,
        answers=body.responses,
    )  # fmt: skip
    return saved


@router.post(
    "/partnerships/{partnership_id}/returns/{return_id}/carry-forward",
    response_model=CarriedForward,
    responses=responses(401, 403, 404, 409, 412, 422),
)
def carry_forward(
    partnership_id: Id,
    found: access.AnswerableReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> CarriedForward:
    """Start from the agency's last accepted return of the same framework.

    Its answers and files are copied into every requirement not yet answered, each marked
    `carried_forward` until someone confirms it (`…/confirm`) or changes it; until then it
    counts as unrated. Answers already given are kept.
    """
    carried = answers.carry_forward(
        session, principal=principal, partnership_id=partnership_id, found=found
    )
    return carried


@router.get(
    "/partnerships/{partnership_id}/returns/{return_id}/versions",
    response_model=list[VersionSummary],
    responses=responses(401, 403, 404, 422),
)
def list_versions(found: access.VisibleReturn, session: SessionDep) -> list[VersionSummary]:
    """Every submission of the return, oldest first."""
    assert found.ret.id is not None
    return versions.list_versions(session, return_id=found.ret.id)


@router.get(
    "/partnerships/{partnership_id}/returns/{return_id}/versions/{number}",
    response_model=VersionRead,
    responses=responses(401, 403, 404, 422),
)
def read_version(
    number: Number,
    found: access.VisibleReturn,
    session: SessionDep,
) -> VersionRead:
    """One submission, exactly as it was signed off."""
    assert found.ret.id is not None
    return versions.read_version(session, return_id=found.ret.id, number=number)


@router.get(
    "/partnerships/{partnership_id}/returns/{return_id}/compare",
    response_model=Comparison,
    responses=responses(401, 403, 404, 422),
)
def compare_versions(
    found: access.VisibleReturn,
    session: SessionDep,
    from_version: Annotated[int | None, Query(alias="from", ge=1, le=1_000_000)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1, le=1_000_000)] = None,
) -> Comparison:
    """What changed between two submissions: answers, files, actions and sign-off.

    `to` defaults to the latest submission and `from` to the one before `to`.
    """
    assert found.ret.id is not None
    return versions.compare_versions(
        session, return_id=found.ret.id, from_number=from_version, to_number=to_version
    )


@router.put(
    "/partnerships/{partnership_id}/returns/{return_id}/extension",
    response_model=ReturnRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def grant_extension(
    partnership_id: Id,
    return_id: Id,
    body: ExtensionWrite,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> ReturnRead:
    """Give the agency until `due_on` (after the deadline), with the reason; audited.

    Only until the return is first submitted: that submission records the date it was due.
    """
    found = access.visible(session, principal, partnership_id, return_id)
    require(principal, partnership_id, Permission.manage_programmes)
    check_if_match(if_match, found.ret.version)
    extensions.grant(
        session, principal=principal, partnership_id=partnership_id, found=found, data=body
    )
    set_etag(response, found.ret.version)
    return access.read_for(session, principal, partnership_id, found)


@router.delete(
    "/partnerships/{partnership_id}/returns/{return_id}/extension",
    response_model=ReturnRead,
    responses=responses(401, 403, 404, 409, 412, 422, 428),
)
def withdraw_extension(
    partnership_id: Id,
    return_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> ReturnRead:
    """Withdraw the agency's extension: the return is due by the deadline again."""
    found = access.visible(session, principal, partnership_id, return_id)
    require(principal, partnership_id, Permission.manage_programmes)
    check_if_match(if_match, found.ret.version)
    extensions.withdraw(session, principal=principal, partnership_id=partnership_id, found=found)
    set_etag(response, found.ret.version)
    return access.read_for(session, principal, partnership_id, found)
