"""What an event's programme rates by, and what agencies and the partnership rated: its
scale, its standards, and per return and standard the self and moderated ratings that the
picker and the session's triangulation set beside the panel's scores."""

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import Session, col, select

from api.challenge import rules
from api.models import (
    FrameworkVersion,
    Programme,
    RatingLevel,
    Requirement,
    RequirementResponse,
    Standard,
)
from api.models.review import ModeratedRating

Key = tuple[int, int]  # (return id, standard id)


def scale(db: Session, programme_id: int) -> list[rules.ScaleLevel]:
    """The programme's framework's scale, best first."""
    levels = db.exec(
        select(RatingLevel)
        .join(
            FrameworkVersion, col(FrameworkVersion.rating_scale_id) == RatingLevel.rating_scale_id
        )
        .join(Programme, col(Programme.framework_version_id) == FrameworkVersion.id)
        .where(Programme.id == programme_id)
        .order_by(col(RatingLevel.position))
    )
    return [rules.ScaleLevel(level.code, level.label, level.scored) for level in levels]


def standards(db: Session, programme_id: int) -> list[Standard]:
    """The programme's framework's standards, in order."""
    return list(
        db.exec(
            select(Standard)
            .join(Programme, col(Programme.framework_version_id) == Standard.framework_version_id)
            .where(Programme.id == programme_id)
            .order_by(col(Standard.position))
        ).all()
    )


def given(
    db: Session, return_ids: Sequence[int], levels: Sequence[rules.ScaleLevel]
) -> tuple[dict[Key, str | None], dict[Key, str]]:
    """Each return's self rating of each standard (its weakest requirement's, ADR 6) and the
    partnership's moderated rating of it, in two statements."""
    ratings: dict[Key, list[str | None]] = defaultdict(list)
    for return_id, standard_id, rating in db.exec(
        select(RequirementResponse.return_id, Requirement.standard_id, RequirementResponse.rating)
        .join(Requirement, col(Requirement.id) == RequirementResponse.requirement_id)
        .where(
            col(RequirementResponse.return_id).in_(return_ids),
            # a carried-forward answer is unrated until the agency confirms it
            col(RequirementResponse.carried_forward).is_(False),
        )
    ).all():
        ratings[(return_id, standard_id)].append(rating)
    self_ratings = {
        key: rules.standard_self_rating(found, levels) for key, found in ratings.items()
    }
    moderated: dict[Key, str] = {}
    for row in db.exec(
        select(ModeratedRating).where(
            col(ModeratedRating.return_id).in_(return_ids),
            col(ModeratedRating.standard_id).is_not(None),
        )
    ).all():
        assert row.standard_id is not None
        moderated[(row.return_id, row.standard_id)] = row.rating
    return self_ratings, moderated
