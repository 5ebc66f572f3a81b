"""Idempotency keys: a POST's answer kept for a day, so that a caller may send it again."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.models.base import id_field, timestamp_field


class IdempotencyKey(SQLModel, table=True):
    """One caller's `Idempotency-Key`: being worked on (`status` is None) or answered.

    `caller` is whom the key belongs to (a digest of the Authorization header, or
    `anonymous`); `fingerprint` is what was asked (method, path, query and the raw body).
    `body` is None when the answer is not kept (it showed a secret once, or the caller was
    anonymous): then a second request learns only that the first was answered.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("caller", "key"),)

    id: int | None = id_field()
    caller: str = Field(max_length=80)
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)
    status: int | None = None
    headers: list[Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = timestamp_field(index=True)
