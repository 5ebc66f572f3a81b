from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from api.fields import Password
from api.models import Role
from api.permissions import SCOPES, ReturnsSeen, Scope


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")


class MembershipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    partnership_id: int
    partnership_name: str
    role: Role
    agency_id: int | None
    agency_name: str | None


class PartnershipAccess(BaseModel):
    id: int
    slug: str
    name: str
    roles: list[Role]
    actions: list[str] = Field(description="What you may do there (see permissions)")
    returns_seen: ReturnsSeen = Field(
        description="Whose returns you may list there: every agency's, your own agencies', or none"
    )
    grantable_roles: list[Role] = Field(
        default=[], description="The roles you may give (and take away) there"
    )


class MeRead(BaseModel):
    id: int | None
    version: int | None = Field(
        default=None, description="The account's version (its ETag), for PATCH /me"
    )
    name: str
    email: str | None
    is_platform_admin: bool
    service_partnership_id: int | None = None
    scopes: list[str] = []
    memberships: list[MembershipRead]
    partnerships: list[PartnershipAccess]


class ServiceTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(
        min_length=1,
        max_length=len(SCOPES),
        description="What the token may do; each scope is described in the security scheme",
    )
    expires_in_days: int = Field(default=365, ge=1, le=730)

    @field_validator("name")
    @classmethod
    def strip_name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v.strip()

    @field_validator("scopes", mode="before")
    @classmethod
    def known_scopes(cls, v: object) -> object:
        """Name every unknown scope at once, and the known ones, rather than one by one."""
        if isinstance(v, list):
            unknown = sorted({str(s) for s in v} - set(SCOPES))
            if unknown:
                raise ValueError(
                    f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(SCOPES)}"
                )
        return v

    @field_validator("scopes")
    @classmethod
    def each_once(cls, v: list[Scope]) -> list[Scope]:
        return sorted(set(v))


class ServiceTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(
        description="When the token was last used, to within a few minutes (a token is not "
        "written again each time it is used)"
    )


class ServiceTokenIssued(ServiceTokenRead):
    token: str = Field(description="Shown once; only its hash is kept")


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(max_length=254)


class PasswordResetRequested(BaseModel):
    detail: str = Field(
        default=(
            "If this email has an Assure account, a link to choose a new password is on its "
            "way to it. The link works once, within an hour."
        ),
        description="The same whether or not the email has an account",
    )


class PasswordResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=200, description="From the emailed link")
    new_password: Password
