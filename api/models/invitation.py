"""An invitation by email to hold roles in a partnership, accepted by the person invited."""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from api.models.base import fk_field, id_field, optional_timestamp_field, timestamp_field


class Invitation(SQLModel, table=True):
    """Roles offered to an email; only the SHA-256 of the emailed link's token is kept.

    Its state follows from the timestamps: accepted, revoked, expired (past `expires_at`),
    or else pending (api/invitations/rules.py).
    """

    id: int | None = id_field()
    partnership_id: int = fk_field("partnership.id")
    email: str = Field(max_length=254, index=True)
    name: str = Field(max_length=200)
    # Each {"role": …, "agency_id": … or None}, as the inviter gave them.
    roles: list[dict[str, object]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = timestamp_field()
    invited_by_id: int | None = fk_field("user.id", nullable=True, index=False)
    invited_by_name: str = Field(max_length=200)
    created_at: datetime = timestamp_field()
    last_sent_at: datetime = timestamp_field()
    accepted_at: datetime | None = optional_timestamp_field()
    accepted_user_id: int | None = fk_field("user.id", nullable=True, index=False)
    revoked_at: datetime | None = optional_timestamp_field()
