"""Column types and conventions shared by every table model."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

# Stable constraint names, so that migrations can name what they drop on any database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

# 64-bit ids on PostgreSQL; SQLite only autoincrements an INTEGER PRIMARY KEY.
IdType = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EnumText(TypeDecorator[StrEnum]):
    """A StrEnum kept as plain text (no database enum to migrate), read back as the enum."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int = 32):
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: StrEnum | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


def id_field(**kwargs: Any) -> Any:
    return Field(default=None, primary_key=True, sa_type=IdType, **kwargs)  # type: ignore[arg-type]


def fk_field(target: str, *, nullable: bool = False, index: bool = True, **kwargs: Any) -> Any:
    return Field(
        default=None if nullable else ...,
        foreign_key=target,
        sa_type=IdType,  # type: ignore[arg-type]
        nullable=nullable,
        index=index,
        **kwargs,
    )


def timestamp_field(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)  # type: ignore[arg-type]


def optional_timestamp_field(**kwargs: Any) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True, **kwargs)  # type: ignore[arg-type]


class Versioned(SQLModel):
    """A record that may be updated: its `version` is the ETag, and If-Match must quote it."""

    version: int = Field(default=1)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
