"""People, their roles in partnerships, their tokens and failed sign-ins."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.models.base import (
    EnumText,
    Versioned,
    fk_field,
    id_field,
    optional_timestamp_field,
    timestamp_field,
)


class Role(StrEnum):
    partnership_admin = "partnership_admin"
    scrutineer = "scrutineer"
    panel_member = "panel_member"
    executive = "executive"
    agency_editor = "agency_editor"
    agency_approver = "agency_approver"

    @property
    def is_agency_role(self) -> bool:
        return self in (Role.agency_editor, Role.agency_approver)

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.partnership_admin: "Partnership admin",
    Role.scrutineer: "Independent scrutineer",
    Role.panel_member: "Panel member",
    Role.executive: "Executive",
    Role.agency_editor: "Agency editor",
    Role.agency_approver: "Agency approver",
}


class User(Versioned, table=True):
    id: int | None = id_field()
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True)
    # Runs the installation: creates partnerships. Not a partnership role.
    is_platform_admin: bool = Field(default=False)


class Membership(SQLModel, table=True):
    """One role that a person holds in one partnership (for agency roles, at one agency)."""

    id: int | None = id_field()
    user_id: int = fk_field("user.id")
    partnership_id: int = fk_field("partnership.id")
    role: Role = Field(sa_type=EnumText(Role, 32))  # type: ignore[call-overload]
    agency_id: int | None = fk_field("agency.id", nullable=True)
    created_at: datetime = timestamp_field()


class Deactivation(SQLModel, table=True):
    """A person deactivated in one partnership: their roles there are kept but give nothing
    (the principal loading ignores them) until they are reactivated, when this row goes."""

    __tablename__ = "deactivation"
    __table_args__ = (UniqueConstraint("user_id", "partnership_id"),)

    id: int | None = id_field()
    user_id: int = fk_field("user.id")
    partnership_id: int = fk_field("partnership.id")
    deactivated_by_id: int | None = fk_field("user.id", nullable=True, index=False)
    created_at: datetime = timestamp_field()


class TokenKind(StrEnum):
    session = "session"
    service = "service"


class ApiToken(SQLModel, table=True):
    """An opaque bearer token; only its SHA-256 is kept."""

    __tablename__ = "api_token"

    id: int | None = id_field()
    token_hash: str = Field(max_length=64, unique=True)
    kind: TokenKind = Field(sa_type=EnumText(TokenKind, 16))  # type: ignore[call-overload]
    name: str = Field(max_length=100)
    user_id: int | None = fk_field("user.id", nullable=True)
    partnership_id: int | None = fk_field("partnership.id", nullable=True)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by_id: int | None = fk_field("user.id", nullable=True, index=False)
    created_at: datetime = timestamp_field()
    expires_at: datetime = timestamp_field()
    revoked_at: datetime | None = optional_timestamp_field()
    # When the token was last used, to within TOKEN_USE_GRANULARITY (api/security.py).
    last_used_at: datetime | None = optional_timestamp_field()


class SignInFailure(SQLModel, table=True):
    """A failed sign-in, kept in the database so that every app server throttles alike."""

    __tablename__ = "sign_in_failure"

    id: int | None = id_field()
    email: str = Field(max_length=254, index=True)
    # Where the attempt came from (api/client.py), to slow one address trying many emails.
    client_address: str | None = Field(default=None, max_length=45, index=True)
    failed_at: datetime = timestamp_field(index=True)


class PasswordReset(SQLModel, table=True):
    """A request for a reset link, kept for every request, with or without an account (so
    that both are throttled alike); for an account's, the link's token, by its SHA-256 only."""

    __tablename__ = "password_reset"

    id: int | None = id_field()
    email: str = Field(max_length=254, index=True)
    client_address: str | None = Field(default=None, max_length=45, index=True)
    requested_at: datetime = timestamp_field(index=True)
    user_id: int | None = fk_field("user.id", nullable=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    expires_at: datetime | None = optional_timestamp_field()
    used_at: datetime | None = optional_timestamp_field()
