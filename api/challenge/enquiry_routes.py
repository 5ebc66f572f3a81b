"""A session's lines of enquiry: the panel drafts them, the chair publishes them to the
agency, and the agency answers them in writing before the day."""

from fastapi import APIRouter, Response, status
from sqlmodel import Session

from api.challenge import enquiries
from api.challenge.enquiry_schemas import (
    EnquiriesPublish,
    EnquiryAnswer,
    EnquiryCreate,
    EnquiryRead,
    EnquiryUpdate,
)
from api.challenge.session_routes import SESSION, load_session
from api.db import SessionDep
from api.http import AnswerIfMatch, Id, IfMatch, check_if_match, expected_version, set_etag
from api.models import ChallengeEvent, ChallengeSession, LineOfEnquiry
from api.permissions import may_draft_enquiries, require_may_answer, require_may_draft_enquiries
from api.problems import responses
from api.security import CurrentPrincipal, Principal

router = APIRouter(tags=["challenge events"])
ENQUIRIES = SESSION + "/enquiries"
ENQUIRY = ENQUIRIES + "/{enquiry_id}"


def _context(
    db: Session, principal: Principal, partnership_id: int, event_id: int, session_id: int
) -> tuple[ChallengeEvent, ChallengeSession, bool]:
    """The event, the session, and whether the principal drafts (and sees drafts) there."""
    event, target, panel = load_session(db, principal, partnership_id, event_id, session_id)
    on_panel = principal.user_id is not None and principal.user_id in panel
    return event, target, may_draft_enquiries(principal, partnership_id, on_panel=on_panel)


def _one(
    db: Session,
    principal: Principal,
    partnership_id: int,
    event_id: int,
    session_id: int,
    enquiry_id: int,
) -> tuple[ChallengeEvent, ChallengeSession, LineOfEnquiry, bool]:
    event, target, drafts = _context(db, principal, partnership_id, event_id, session_id)
    row = enquiries.get_in(db, target=target, enquiry_id=enquiry_id, drafts=drafts)
    return event, target, row, drafts


def _require_drafter(principal: Principal, partnership_id: int, drafts: bool) -> None:
    require_may_draft_enquiries(principal, partnership_id, on_panel=drafts)


def _reply(db: Session, response: Response, row: LineOfEnquiry) -> EnquiryRead:
    set_etag(response, row.version)
    return enquiries.read(db, row)


@router.get(ENQUIRIES, response_model=list[EnquiryRead], responses=responses(401, 403, 404, 422))
def list_enquiries(
    partnership_id: Id, event_id: Id, session_id: Id, principal: CurrentPrincipal, db: SessionDep
) -> list[EnquiryRead]:
    """The session's lines of enquiry, in the order drafted: drafts too for the event's panel
    and those who run events; only the published ones, with their answers, for the rest."""
    _, target, drafts = _context(db, principal, partnership_id, event_id, session_id)
    return enquiries.list_in(db, target=target, drafts=drafts)


@router.post(
    ENQUIRIES,
    response_model=EnquiryRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 422),
)
def draft_enquiry(
    partnership_id: Id,
    event_id: Id,
    session_id: Id,
    body: EnquiryCreate,
    principal: CurrentPrincipal,
    db: SessionDep,
    response: Response,
) -> EnquiryRead:
    """Draft a question to the session's agency (the event's panel, while the session is
    open); the agency sees it once the chair publishes it."""
    event, target, drafts = _context(db, principal, partnership_id, event_id, session_id)
    _require_drafter(principal, partnership_id, drafts)
    row = enquiries.draft(
        db, principal=principal, partnership_id=partnership_id, event=event, target=target,
        question=body.question, standard_ids=body.standard_ids,
    )  # fmt: skip
    return _reply(db, response, row)


@router.post(
    SESSION + "/publish-enquiries",  # beside, not under, the enquiries: never an id
    response_model=list[EnquiryRead],
    responses=responses(400, 401, 403, 404, 409, 412, 422),
)
def publish_enquiries(
    partnership_id: Id,
    event_id: Id,
    session_id: Id,
    body: EnquiriesPublish,
    principal: CurrentPrincipal,
    db: SessionDep,
) -> list[EnquiryRead]:
    """The event's chair publishes several drafts at once, each named with the version read:
    all or none (412 with the changed drafts in `current`). Replies with every enquiry of
    the session."""
    event, target, _ = _context(db, principal, partnership_id, event_id, session_id)
    enquiries.publish_many(
        db, principal=principal, partnership_id=partnership_id, event=event, target=target,
        versions=[(e.id, e.version) for e in body.enquiries],
    )  # fmt: skip
    return enquiries.list_in(db, target=target, drafts=True)


@router.get(ENQUIRY, response_model=EnquiryRead, responses=responses(401, 403, 404, 422))
def read_enquiry(
    partnership_id: Id,
    event_id: Id,
    session_id: Id,
    enquiry_id: Id,
    principal: CurrentPrincipal,
    db: SessionDep,
    response: Response,
) -> EnquiryRead:
    """One line of enquiry; a draft only for those who see drafts. Its ETag is the
    enquiry's version (the answer's is `answer_version`)."""
    _, _, row, _ = _one(db, principal, partnership_id, event_id, session_id, enquiry_id)
    return _reply(db, response, row)


@router.patch(
    ENQUIRY, response_model=EnquiryRead, responses=responses(400, 401, 403, 404, 409, 412, 422, 428)
)
def change_enquiry(
    partnership_id: Id,
    event_id: Id,
    session_id: Id,
    enquiry_id: Id,
    body: EnquiryUpdate,
    principal: CurrentPrincipal,
    db: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> EnquiryRead:
    """Change a draft's question or standards; a published one stays as the agency read it."""
    event, target, row, drafts = _one(
        db, principal, partnership_id, event_id, session_id, enquiry_id
    )
    _require_drafter(principal, partnership_id, drafts)
    check_if_match(if_match, row.version)
    enquiries.change(
        db, principal=principal, partnership_id=partnership_id, event=event, target=target,
        row=row, question=body.question, standard_ids=body.standard_ids,
    )  # fmt: skip
    return _reply(db, response, row)


@router.delete(
    ENQUIRY,
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def delete_enquiry(
    partnership_id: Id,
    event_id: Id,
    session_id: Id,
    enquiry_id: Id,
    principal: CurrentPrincipal,
    db: SessionDep,
    if_match: IfMatch,
) -> Response:
    """Delete a draft; a published one stays."""
    event, target, row, drafts = _one(
        db, principal, partnership_id, event_id, session_id, enquiry_id
    )
    _require_drafter(principal, partnership_id, drafts)
    check_if_match(if_match, row.version)
    enquiries.remove(db, principal=principal, partnership_id=partnership_id, event=event,
                     target=target, row=row)  # fmt: skip
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    ENQUIRY + "/publish",
    response_model=EnquiryRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def publish_enquiry(
    partnership_id: Id,
    event_id: Id,
    session_id: Id,
    enquiry_id: Id,
    principal: CurrentPrincipal,
    db: SessionDep,
    response: Response,
    if_match: IfMatch,
) -> EnquiryRead:
    """The event's chair publishes a draft to the agency, which may then read and answer it."""
    event, target, row, _ = _one(db, principal, partnership_id, event_id, session_id, enquiry_id)
    check_if_match(if_match, row.version)
    enquiries.publish(db, principal=principal, partnership_id=partnership_id, event=event,
                      target=target, row=row)  # fmt: skip
    return _reply(db, response, row)


@router.put(
    ENQUIRY + "/answer",
    response_model=EnquiryRead,
    responses=responses(400, 401, 403, 404, 409, 412, 422, 428),
)
def answer_enquiry(
    partnership_id: Id,
    event_id: Id,
    session_id: Id,
    enquiry_id: Id,
    body: EnquiryAnswer,
    principal: CurrentPrincipal,
    db: SessionDep,
    response: Response,
    if_match: AnswerIfMatch,
) -> EnquiryRead:
    """The agency's written answer to a published enquiry, while the session is open (its
    own editors and approvers). If-Match is the answer's ETag, or "0" for a first answer;
    so is the reply's ETag."""
    event, target, row, _ = _one(db, principal, partnership_id, event_id, session_id, enquiry_id)
    require_may_answer(principal, partnership_id, target.agency_id)
    enquiries.answer(
        db, principal=principal, partnership_id=partnership_id, event=event, target=target,
        row=row, text=body.answer, expected_version=expected_version(if_match),
    )  # fmt: skip
    set_etag(response, row.answer_version)
    return enquiries.read(db, row)
