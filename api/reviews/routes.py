"""The partnership's review of a return: back for more information, moderated, accepted."""

from fastapi import APIRouter, Response
from sqlmodel import Session

from api.db import SessionDep
from api.http import AnswerIfMatch, Id, OptionalIfMatch, check_if_match, expected_version, set_etag
from api.problems import responses
from api.returns import access
from api.returns import service as returns
from api.returns.schemas import ReturnRead
from api.reviews import service
from api.reviews.schemas import AcceptIn, ModeratedRatingRead, ModerationWrite, SendBackIn
from api.security import CurrentPrincipal, Principal

router = APIRouter(tags=["review"])

RETURN = "/partnerships/{partnership_id}/returns/{return_id}"


def _reply(
    session: Session, principal: Principal, partnership_id: int, return_id: int, response: Response
) -> ReturnRead:
    """The return as it now stands, with its new ETag, read as GET reads it."""
    found = access.visible(session, principal, partnership_id, return_id)
    set_etag(response, found.ret.version)
    return access.read_for(session, principal, partnership_id, found)


@router.post(
    f"{RETURN}/return",
    response_model=ReturnRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422),
)
def return_for_information(
    partnership_id: Id,
    return_id: Id,
    body: SendBackIn,
    found: access.ReviewableReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: OptionalIfMatch = None,
) -> ReturnRead:
    """Return a submitted return to the agency for more information, with the reasons.

    Notes name requirements of the return (`requirements.{i}.requirement_id` otherwise), or
    the whole return (`reason`); at least one is needed. The agency reads them in the
    return's `review_notes`. Refused (409) unless the return is submitted and its programme
    open, since the agency could not answer a closed one. If-Match is checked when sent.
    """
    check_if_match(if_match, found.ret.version)
    service.send_back(
        session, principal=principal, partnership_id=partnership_id, found=found, data=body
    )
    return _reply(session, principal, partnership_id, return_id, response)


@router.post(
    f"{RETURN}/accept",
    response_model=ReturnRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422),
)
def accept_return(
    partnership_id: Id,
    return_id: Id,
    body: AcceptIn,
    found: access.ReviewableReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: OptionalIfMatch = None,
) -> ReturnRead:
    """Accept a submitted return, ending its review; also after the programme has closed.

    The body may be `{}`; a `note` is kept in the return's history. If-Match is checked
    when sent.
    """
    check_if_match(if_match, found.ret.version)
    service.accept(
        session, principal=principal, partnership_id=partnership_id, found=found, note=body.note
    )
    return _reply(session, principal, partnership_id, return_id, response)


@router.put(
    f"{RETURN}/moderation/requirements/{{requirement_id}}",
    response_model=ModeratedRatingRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def moderate_requirement(
    partnership_id: Id,
    requirement_id: Id,
    body: ModerationWrite,
    found: access.ReviewableReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: AnswerIfMatch,
) -> ModeratedRatingRead:
    """The partnership's own rating of one requirement, beside the agency's.

    If-Match carries the moderated rating's ETag, `"0"` before the first; a rating made
    against an older one is refused with 412, and the problem's `current` holds the newer.
    Allowed while the return is submitted or returned, also after the programme has closed.
    """
    expected = expected_version(if_match)
    service.requirement_subject(session, found=found, requirement_id=requirement_id)
    return _moderate(session, principal, partnership_id, found, response, body, expected,
                     {"requirement_id": requirement_id})  # fmt: skip


@router.put(
    f"{RETURN}/moderation/standards/{{standard_id}}",
    response_model=ModeratedRatingRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def moderate_standard(
    partnership_id: Id,
    standard_id: Id,
    body: ModerationWrite,
    found: access.ReviewableReturn,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    if_match: AnswerIfMatch,
) -> ModeratedRatingRead:
    """The partnership's own rating of one standard as a whole. If-Match as for requirements."""
    expected = expected_version(if_match)
    service.standard_subject(session, found=found, standard_id=standard_id)
    return _moderate(session, principal, partnership_id, found, response, body, expected,
                     {"standard_id": standard_id})  # fmt: skip


def _moderate(
    session: Session,
    principal: Principal,
    partnership_id: int,
    found: returns.Found,
    response: Response,
    body: ModerationWrite,
    expected: int,
    subject: dict[str, int],
) -> ModeratedRatingRead:
    saved = service.moderate(
        session,
        principal=principal,
        partnership_id=partnership_id,
        found=found,
        subject=subject,
        data=body,
        expected_version=expected,
    )
    set_etag(response, saved.version)
    return saved
