"""What the follow-up routes read and write; a follow-up's list item is `FollowUpRead`."""

from pydantic import BaseModel, ConfigDict, Field

from api.actions.schemas import Evidence, ProgressRead
from api.challenge.schemas import FollowUpRead
from api.fields import Day, Name
from api.models import ActionStatus


class FollowUpChange(BaseModel):
    """Track a follow-up; only those who run challenge events change its owner or due date."""

    model_config = ConfigDict(extra="forbid")

    status: ActionStatus | None = None
    completion_evidence: Evidence | None = Field(
        default=None, description="Needed before the follow-up is marked done"
    )
    owner: Name | None = None
    due_on: Day | None = Field(default=None, description="On or after the event")


class FollowUpDetail(FollowUpRead):
    updates: list[ProgressRead] = Field(description="Dated notes of progress, oldest first")
    may_change: bool = Field(
        description="You may change it and record its progress (permission, not state)"
    )
