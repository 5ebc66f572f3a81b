"""The audit log: who changed what, written in the same transaction as the change."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from api.models.base import IdType, fk_field, id_field, timestamp_field


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = id_field()
    partnership_id: int | None = fk_field("partnership.id", nullable=True)
    actor_user_id: int | None = fk_field("user.id", nullable=True)
    actor_token_id: int | None = fk_field("api_token.id", nullable=True, index=False)
    actor_label: str = Field(max_length=200)
    action: str = Field(max_length=64, index=True)
    entity_type: str = Field(max_length=64)
    entity_id: int | None = Field(default=None, sa_type=IdType)  # type: ignore[call-overload]
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    at: datetime = timestamp_field(index=True)
