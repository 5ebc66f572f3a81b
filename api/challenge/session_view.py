"""Sessions as a viewer may see them, one or a whole event's at once in the same fixed
number of statements: why the agency was invited, the triangulation and scores per
standard (not for the agency), its lines of enquiry (drafts only for the panel and those
who run events) with the agency's answers, its outcome and follow-ups, and what the viewer
may do.

The panel sees every member's scores; so do those who run events (`sees_members`);
oversight and executives the combined score beside the self and moderated ratings
(`sees_combined`); the invited agency none, only its outcome and follow-ups.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence

from sqlmodel import Session, col, select

from api.challenge import enquiries, ratings, rules
from api.challenge import follow_ups as follow_up_service
from api.challenge.schemas import (
    FollowUpRead,
    LevelRead,
    ScoreRead,
    SessionDetail,
    StandardRow,
)
from api.models import Agency, ChallengeEvent, ChallengeSession, PanelScore, Return
from api.permissions import may_draft_enquiries, session_allowed
from api.returns import access
from api.security import Principal


def read(
    db: Session,
    *,
    principal: Principal,
    partnership_id: int,
    event: ChallengeEvent,
    target: ChallengeSession,
    panel: set[int],
    sees_combined: bool,
    sees_members: bool,
) -> SessionDetail:
    """One session as the viewer may see it."""
    return read_all(
        db, principal=principal, partnership_id=partnership_id, event=event, targets=[target],
        panel=panel, sees_combined=sees_combined, sees_members=sees_members,
    )[0]  # fmt: skip


def read_all(
    db: Session,
    *,
    principal: Principal,
    partnership_id: int,
    event: ChallengeEvent,
    targets: Sequence[ChallengeSession],
    panel: set[int],
    sees_combined: bool,
    sees_members: bool,
) -> list[SessionDetail]:
    """The event's sessions given, in order, as the viewer may see them."""
    assert event.id is not None
    ids = [t.id for t in targets if t.id is not None]
    agencies = [t.agency_id for t in targets]
    names = dict(db.exec(select(Agency.id, Agency.name).where(col(Agency.id).in_(agencies))).all())
    returns: dict[int, int] = {
        agency_id: return_id
        for agency_id, return_id in db.exec(
            select(Return.agency_id, Return.id).where(
                Return.programme_id == event.programme_id, col(Return.agency_id).in_(agencies)
            )
        ).all()
        if return_id is not None
    }
    reads = access.readable(db, principal, partnership_id).reads  # whose returns to link
    levels = ratings.scale(db, event.programme_id)
    on_panel = principal.user_id is not None and principal.user_id in panel
    sees_members = sees_members or on_panel
    rows: dict[int, list[StandardRow]] = {}
    if sees_members or sees_combined:
        rows = _standard_rows(db, principal, event, targets, returns, levels, sees_members)
    follow_ups: dict[int, list[FollowUpRead]] = defaultdict(list)
    on, agency_of = follow_up_service.today(), {t.id: t.agency_id for t in targets}
    for f in follow_up_service.of_sessions(db, ids):
        agency_id = agency_of[f.session_id]
        found = follow_up_service.Found(f, event.id, agency_id, names[agency_id], event.held_on)
        follow_ups[f.session_id].append(follow_up_service.to_read(found, on))
    asked = enquiries.of_sessions(
        db, ids, drafts=may_draft_enquiries(principal, partnership_id, on_panel=on_panel)
    )
    scale = [LevelRead(code=x.code, label=x.label, scored=x.scored) for x in levels]
    out = []
    for t in targets:
        assert t.id is not None
        out.append(
            SessionDetail(
                id=t.id, event_id=event.id, agency_id=t.agency_id, agency_name=names[t.agency_id],
                return_id=_linked(returns.get(t.agency_id), t.agency_id, reads), reason=t.reason,
                status=t.status, outcome=t.outcome, version=t.version, summary=t.summary,
                closed_at=t.closed_at, closed_by_label=t.closed_by_label, scale=scale,
                standards=rows.get(t.id, []), enquiries=asked.get(t.id, []),
                follow_ups=follow_ups.get(t.id, []),
                allowed=session_allowed(
                    principal, partnership_id, panel=panel, chair_user_id=event.chair_user_id,
                    agency_id=t.agency_id, event_status=event.status, session_status=t.status,
                ),
            )
        )  # fmt: skip
    return out


def _linked(return_id: int | None, agency_id: int, reads: Callable[[int, int], bool]) -> int | None:
    return return_id if return_id is not None and reads(agency_id, return_id) else None


def _standard_rows(
    db: Session,
    principal: Principal,
    event: ChallengeEvent,
    targets: Sequence[ChallengeSession],
    returns: dict[int, int],
    levels: list[rules.ScaleLevel],
    sees_members: bool,
) -> dict[int, list[StandardRow]]:
    """Per session, every standard with the agency's, the partnership's and the panel's
    view of it (triangulation), in four statements however many sessions."""
    scores: dict[tuple[int, int], list[PanelScore]] = defaultdict(list)
    for row in db.exec(
        select(PanelScore)
        .where(col(PanelScore.session_id).in_([t.id for t in targets]))
        .order_by(col(PanelScore.standard_id), col(PanelScore.member_user_id))
    ).all():
        scores[(row.session_id, row.standard_id)].append(row)
    self_ratings, moderated = ratings.given(db, list(returns.values()), levels)
    standards = ratings.standards(db, event.programme_id)
    out: dict[int, list[StandardRow]] = {}
    for t in targets:
        assert t.id is not None
        return_id = returns.get(t.agency_id)
        rows = out[t.id] = []
        for standard in standards:
            assert standard.id is not None
            given = scores.get((t.id, standard.id), [])
            key = (return_id or 0, standard.id)
            seen = rules.Triangulation(
                standard_id=standard.id,
                self_rating=self_ratings.get(key),
                moderated=moderated.get(key),
                panel=rules.combined_score([r.level for r in given], levels),
            )
            rows.append(
                StandardRow(
                    standard_id=standard.id, code=standard.code, title=standard.title,
                    self_rating=seen.self_rating, moderated=seen.moderated, combined=seen.panel,
                    disagree=seen.disagree,
                    mine=next((_score(r) for r in given if r.member_user_id == principal.user_id),
                              None),
                    members=[_score(r) for r in given] if sees_members else [],
                )
            )  # fmt: skip
    return out


def _score(row: PanelScore) -> ScoreRead:
    return ScoreRead.model_validate(row, from_attributes=True)
